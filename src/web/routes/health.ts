import type { FastifyInstance } from 'fastify';

import type { Services } from '../../services/index.js';

/** For load balancers and monitoring: 200 when Trellis can reach its database. */
export default async function healthRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get('/health', async (request, reply) => {
    try {
      await services.database.ping();
      return reply.header('Cache-Control', 'no-store').send({ status: 'ok', database: 'ok' });
    } catch (error) {
      request.log.error({ err: error }, 'health check: database unreachable');
      return reply
        .code(503)
        .header('Cache-Control', 'no-store')
        .send({ status: 'unavailable', database: 'unreachable' });
    }
  });
}
