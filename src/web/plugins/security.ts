/**
 * Security headers. The content security policy allows only our own scripts,
 * styles and images: no inline script, no third-party origin.
 *
 * Helmet decides the headers; it runs once at start-up and its headers are
 * then set on every reply, because running it per request (as the Fastify
 * wrapper does) cost more than serving a cached page.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

export function securityHeaders(options: { https: boolean }): Record<string, string> {
  const config: HelmetOptions = {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(options.https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: options.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  };
  const headers: Record<string, string> = {};
  const collector = {
    setHeader: (name: string, value: string) => {
      headers[name.toLowerCase()] = value;
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  } as unknown as ServerResponse;
  helmet(config)({} as IncomingMessage, collector, () => undefined);
  headers['permissions-policy'] = 'camera=(), microphone=(), geolocation=(), interest-cohort=()';
  return headers;
}

export default fp(
  async function security(app: FastifyInstance, options: { https: boolean }) {
    const headers = securityHeaders(options);
    // A callback hook, not an async one: it runs on every request and has
    // nothing to wait for, so no promise is made for each.
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers);
      done();
    });
  },
  { name: 'security' },
);
