import type { FastifyInstance } from 'fastify';

import type { Services } from '../../services/index.js';

/**
 * For load balancers and monitoring: 200 while Trellis's database answers,
 * 503 while it is unreachable or takes longer than a couple of seconds (a
 * hung database never hangs the check), and 200 again by itself once it
 * answers. The body names the part that failed and nothing more.
 */
export default async function healthRoutes(
  app: FastifyInstance,
  { services }: { services: Pick<Services, 'health'> },
) {
  app.get('/health', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    const database = await services.health.database();
    if (database.state === 'ok') return reply.send({ status: 'ok', database: 'ok' });
    if (database.state === 'unreachable') {
      request.log.error({ err: database.error }, 'health check: database unreachable');
    } else {
      request.log.error('health check: the database did not answer in time');
    }
    return reply.code(503).send({ status: 'unavailable', database: database.state });
  });
}
