/**
 * /metrics in the Prometheus text format, closed to the public. On the main
 * port it answers only a request bearing `Authorization: Bearer
 * <METRICS_TOKEN>` (app.ts registers it only when the token is set, so
 * without one it is a 404 like any unknown page); on the loopback metrics
 * port (METRICS_PORT), which only the machine itself can reach, it asks for
 * nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

import type { FastifyInstance } from 'fastify';

import type { Services } from '../../services/index.js';

export type MetricsAccess =
  /** The main port: the bearer token from METRICS_TOKEN. */
  | { token: string }
  /** The loopback metrics server only: no token. */
  | { loopbackOnly: true };

/**
 * Whether an Authorization header carries this bearer token. Both sides are
 * hashed first, so the comparison takes the same time whatever was sent (its
 * length included) and says nothing about how much of it was right.
 */
export function bearerTokenMatches(header: string | undefined, token: string): boolean {
  const sent = /^Bearer +(\S+) *$/i.exec(header ?? '')?.[1] ?? '';
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(sent), digest(token)) && sent.length > 0;
}

export default async function metricsRoutes(
  app: FastifyInstance,
  { services, access }: { services: Pick<Services, 'metrics'>; access: MetricsAccess },
) {
  app.get('/metrics', async (request, reply) => {
    // Figures of this moment: never kept by a browser or proxy.
    reply.header('Cache-Control', 'no-store');
    if ('token' in access && !bearerTokenMatches(request.headers.authorization, access.token)) {
      // No detail: whether the token was missing, malformed or wrong is not said.
      return reply.code(401).header('WWW-Authenticate', 'Bearer').send();
    }
    const { contentType, body } = await services.metrics.render();
    return reply.type(contentType).send(body);
  });
}
