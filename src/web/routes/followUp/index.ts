/**
 * The follow-up, by private link, with no account: the questions about
 * practice for a delegate or their line manager, a manager's "no longer works
 * with me", and opting out of every follow-up email.
 *
 * Opening a link (a GET, which mail scanners make before people do) only
 * shows a page; only pressing its button (a POST, with CSRF) acts. A link that
 * is not one gets the ordinary 404; one that has ended a page saying so and
 * what to do.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import {
  FOLLOW_UP_TEXT_MAX,
  followUpFieldOrder,
  PRACTICE_CHANGE_WORDS,
  PRACTICE_CHANGES,
} from '../../../domain/afterCourse/followUp.js';
import { formatDate } from '../../../domain/time/time.js';
import type { FormError } from '../../../errors.js';
import type { Services } from '../../../services/index.js';
import { formBody, formProblem, formStatus, isShownOnForm, keepTyped } from '../../forms.js';

type Params = { Params: { token: string } };

export default async function followUpRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { followUp } = services;

  async function renderPage(
    request: FastifyRequest<Params>,
    reply: FastifyReply,
    typed: Record<string, string> = {},
    error?: FormError,
  ) {
    const token = request.params.token;
    const page = await followUp.page(token);
    const action = `/follow-up/${encodeURIComponent(token)}`;
    const common = {
      action,
      toManager: page.respondent === 'line_manager',
      delegateName: page.delegateName,
      courseTitle: page.courseTitle,
      sessionDate: formatDate(page.sessionDate),
      optedOut: page.optedOut,
      csrfToken: reply.generateCsrf(),
    };
    if (page.state === 'answered') {
      return reply.page('pages/follow-up/thanks.njk', {
        ...common,
        pageTitle: 'Thank you',
        outcome: page.outcome,
        optedOutNow: (request.query as Record<string, unknown>).optedOut === '1',
      });
    }
    if (page.state === 'expired') {
      return reply.page(
        'pages/follow-up/ended.njk',
        { ...common, pageTitle: 'This link has ended', expired: formatDate(page.expiresAt) },
        410,
      );
    }
    return reply.page(
      'pages/follow-up/form.njk',
      {
        ...common,
        pageTitle: common.toManager
          ? `Has ${page.delegateName}’s practice changed?`
          : 'Has your practice changed?',
        keyAreas: page.keyAreas.map((area) => ({
          id: area.id,
          text: area.text,
          items: PRACTICE_CHANGES.map((value) => ({
            value,
            text: PRACTICE_CHANGE_WORDS[value],
            checked: typed[`area-${area.id}`] === value,
          })),
        })),
        values: typed,
        expires: formatDate(page.expiresAt),
        optedOutNow: (request.query as Record<string, unknown>).optedOut === '1',
        textMax: FOLLOW_UP_TEXT_MAX,
        ...formProblem(error, followUpFieldOrder(page.keyAreas.map((a) => a.id))),
      },
      formStatus(error),
    );
  }

  app.get<Params>('/follow-up/:token', async (request, reply) => renderPage(request, reply));

  app.post<Params>('/follow-up/:token', { preHandler: app.csrfProtection }, async (request, reply) => {
    try {
      await followUp.answer(request.params.token, formBody(request));
    } catch (error) {
      if (!isShownOnForm(error)) throw error;
      return renderPage(request, reply, keepTyped(request.body), error as FormError);
    }
    return reply.redirect(`/follow-up/${encodeURIComponent(request.params.token)}`, 303);
  });

  app.post<Params>(
    '/follow-up/:token/no-longer-works-with-me',
    { preHandler: app.csrfProtection },
    async (request, reply) => {
      await followUp.noLongerWorksWith(request.params.token);
      return reply.redirect(`/follow-up/${encodeURIComponent(request.params.token)}`, 303);
    },
  );

  app.post<Params>(
    '/follow-up/:token/opt-out',
    { preHandler: app.csrfProtection },
    async (request, reply) => {
      await followUp.optOut(request.params.token, 'follow_up_page');
      return reply.redirect(`/follow-up/${encodeURIComponent(request.params.token)}?optedOut=1`, 303);
    },
  );

  async function renderOptOut(request: FastifyRequest<Params>, reply: FastifyReply) {
    const { state, email } = await followUp.optOutPage(request.params.token);
    return reply.page(
      'pages/follow-up/opt-out.njk',
      {
        pageTitle:
          state === 'done'
            ? 'You will not get follow-up emails'
            : state === 'expired'
              ? 'This link has ended'
              : 'Stop follow-up emails',
        state,
        email,
        action: `/follow-up/opt-out/${encodeURIComponent(request.params.token)}`,
        csrfToken: reply.generateCsrf(),
      },
      state === 'expired' ? 410 : 200,
    );
  }

  app.get<Params>('/follow-up/opt-out/:token', async (request, reply) => renderOptOut(request, reply));

  app.post<Params>(
    '/follow-up/opt-out/:token',
    { preHandler: app.csrfProtection },
    async (request, reply) => {
      await followUp.optOut(request.params.token, 'opt_out_link');
      return reply.redirect(`/follow-up/opt-out/${encodeURIComponent(request.params.token)}`, 303);
    },
  );
}
