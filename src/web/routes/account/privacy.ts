/**
 * A delegate's rights over their own data: see and download everything held
 * about them (/account/your-data, and the same as a JSON file), and close
 * their account (a page saying exactly what happens, then a POST).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { FormError } from '../../../errors.js';
import type { Services } from '../../../services/index.js';
import { formErrors } from '../../forms.js';

/** The export as a file: named for the hub and the day, never cached. */
export function sendExportFile(reply: FastifyReply, data: { producedAt: string }, who: string) {
  return reply
    .header('Cache-Control', 'no-store')
    .header('Content-Disposition', `attachment; filename="${who}-data-${data.producedAt.slice(0, 10)}.json"`)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(data, null, 2));
}

export default async function accountPrivacyRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  app.get('/account/your-data', { preHandler: app.requireDelegate }, async (request, reply) => {
    const data = await services.subjectAccess.forDelegate(request.delegate!.id);
    reply.header('Cache-Control', 'no-store');
    return reply.page('pages/privacy/your-data.njk', { pageTitle: 'Your data', data, you: true });
  });

  app.get(
    '/account/your-data.json',
    { preHandler: app.requireDelegate, exposeHeadRoute: false },
    async (request, reply) => {
      const data = await services.subjectAccess.forDelegate(request.delegate!.id);
      return sendExportFile(reply, data, 'your');
    },
  );

  async function renderClose(request: FastifyRequest, reply: FastifyReply, error?: FormError) {
    const preview = await services.erasure.closurePreview(request.delegate!.id);
    return reply.page(
      'pages/privacy/close-account.njk',
      {
        pageTitle: 'Close your account',
        preview,
        errors: error ? formErrors(error.fields, ['password']) : null,
        csrfToken: reply.generateCsrf(),
      },
      error ? 400 : 200,
    );
  }

  app.get('/account/close', { preHandler: app.requireAnyDelegate }, async (request, reply) =>
    renderClose(request, reply),
  );

  app.post(
    '/account/close',
    {
      preHandler: [
        app.csrfProtection,
        app.requireAnyDelegate,
        app.rateLimit({
          max: 10,
          timeWindow: '15 minutes',
          keyGenerator: (request: FastifyRequest) => `close:${request.delegate?.id ?? request.ip}`,
        }),
      ],
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const password = typeof body.password === 'string' ? body.password.slice(0, 1000) : '';
      try {
        const { cancelled } = await services.erasure.closeOwnAccount(request.delegate!.id, password);
        return reply.endSession().redirect(`/account/closed?cancelled=${cancelled}`, 303);
      } catch (error) {
        if (!(error instanceof FormError)) throw error;
        return renderClose(request, reply, error);
      }
    },
  );

  app.get('/account/closed', async (request, reply) => {
    const cancelled = String((request.query as Record<string, unknown>).cancelled ?? '');
    return reply.page('pages/privacy/account-closed.njk', {
      pageTitle: 'Your account is closed',
      cancelled: /^\d{1,4}$/.test(cancelled) ? Number(cancelled) : 0,
    });
  });
}
