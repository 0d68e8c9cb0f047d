/**
 * The public verification page a certificate's number and QR code lead to:
 * name, course and date for a valid certificate, and plain words when a
 * number is unknown or its certificate was withdrawn. Limited per address,
 * so numbers cannot be tried by the thousand; rendered afresh each time (never
 * from the shared page cache), so a withdrawn certificate never shows valid.
 */
import type { FastifyInstance } from 'fastify';

import type { Services } from '../../../services/index.js';

export default async function certificateRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get<{ Params: { number: string } }>(
    '/certificates/:number',
    { preHandler: app.rateLimit({ max: 30, timeWindow: '1 minute' }) },
    async (request, reply) => {
      const verification = await services.certificates.verify(request.params.number);
      const pageTitle =
        verification.status === 'valid'
          ? 'This certificate is genuine'
          : verification.status === 'withdrawn'
            ? 'This certificate has been withdrawn'
            : 'We cannot find this certificate';
      return reply.page(
        'pages/certificates/verify.njk',
        { pageTitle, verification, asked: request.params.number.slice(0, 40) },
        verification.status === 'unknown' ? 404 : 200,
      );
    },
  );
}
