/**
 * Builds the Trellis web application from its configuration and services.
 * Plugins are registered in the order a request meets them.
 */
import { basename } from 'node:path';

import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import pino from 'pino';

import type { Config } from './config.js';
import type { Capability } from './domain/accounts/permissions.js';
import { BUILT_ASSETS_DIR } from './paths.js';
import { AssetManifest, IMMUTABLE_CACHE } from './web/assetManifest.js';
import { PageCache } from './web/pageCache.js';
import { lazyRequestLogger } from './web/requestLogger.js';
import type { Services } from './services/index.js';
import accounts from './web/plugins/accounts.js';
import errors from './web/plugins/errors.js';
import rendering, { createViewEnvironment } from './web/plugins/rendering.js';
import security from './web/plugins/security.js';
import healthRoutes from './web/routes/health.js';
import metricsRoutes from './web/routes/metrics.js';
import accountRoutes from './web/routes/account/index.js';
import accountPrivacyRoutes from './web/routes/account/privacy.js';
import staffAuth, { capabilityRequired } from './web/routes/admin/auth.js';
import adminRoutes from './web/routes/admin/index.js';
import bookingRoutes from './web/routes/bookings/index.js';
import certificateRoutes from './web/routes/certificates/index.js';
import followUpRoutes from './web/routes/followUp/index.js';
import chargeRoutes from './web/routes/charges/index.js';
import devMailboxRoutes from './web/routes/dev/mailbox.js';
import publicRoutes from './web/routes/public/index.js';

/** A route as registered, with the capability its `requireStaff` asks for (back-office routes). */
export interface RecordedRoute {
  method: string;
  url: string;
  capability?: Capability;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RecordedRoute[];
  }
}

/** Personal data and secrets never reach the logs. */
export const LOG_REDACTIONS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.email',
  '*.password',
  '*.token',
];

export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    redact: { paths: LOG_REDACTIONS, censor: '[redacted]' },
    serializers: {
      // Paths can carry emailed tokens (/account/verify/…) and query strings
      // search words: log the route's pattern, not the address asked for.
      req: (req: { method: string; url: string; id: string; routeOptions?: { url?: string } }) => ({
        method: req.method,
        route: req.routeOptions?.url ?? '(no route)',
        id: req.id,
      }),
      // PostgreSQL's `detail` quotes the values a constraint refused (an email address, say).
      err: (error: Error) => {
        const serialized = pino.stdSerializers.err(error);
        delete (serialized as Record<string, unknown>).detail;
        return serialized;
      },
    },
  };
}

export async function buildApp(config: Config, services: Services): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config),
    childLoggerFactory: lazyRequestLogger,
    // Only when told how many proxies stand in front: otherwise anyone could
    // set X-Forwarded-For and choose their own address for rate limits.
    trustProxy: (_address: string, hop: number) => hop < config.trustProxyHops,
    // Lets a slug or id be looked at before it is refused; longer is never valid.
    routerOptions: { maxParamLength: 200 },
    bodyLimit: 1_048_576,
  });

  // Every route, as registered: the authorisation test checks each admin
  // route has a rule and a capability, so a new one cannot slip in unguarded.
  const routeTable: RecordedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const capability = capabilityRequired(route.preHandler);
    for (const method of [route.method].flat()) {
      routeTable.push({ method, url: route.url, ...(capability ? { capability } : {}) });
    }
  });
  app.decorate('routeTable', routeTable);

  // Every answer, 404s and errors included, timed under its route's pattern
  // (never the path, which can carry an emailed token).
  // (A callback hook: no promise made for every request.)
  app.addHook('onResponse', (request, reply, done) => {
    services.metrics.requestFinished(
      request.method,
      request.routeOptions.url,
      reply.statusCode,
      reply.elapsedTime,
    );
    done();
  });

  await app.register(security, { https: config.publicUrl.startsWith('https://') });
  // Forms are read only as browsers send them: JSON, text or anything else
  // gets a 415 before any route sees it, so no route meets objects or lists
  // where its form has words.
  app.removeAllContentTypeParsers();
  await app.register(fastifyFormbody);
  const assets = new AssetManifest(BUILT_ASSETS_DIR, {
    watch: config.reloadTemplates,
    onMissing: (message) => app.log.warn(message),
  });
  await app.register(fastifyStatic, {
    root: BUILT_ASSETS_DIR,
    prefix: '/assets/',
    index: false,
    wildcard: true,
    // The build's Brotli and gzip copies of the CSS and script, chosen by the
    // browser's Accept-Encoding; the file itself for any other browser.
    preCompressed: true,
    // Only the files pages ask for: the manifest is the build's business.
    allowedPath: (path) => path !== '/manifest.json',
    cacheControl: false,
    setHeaders: (response, path) => {
      const file = basename(path).replace(/\.(br|gz)$/, '');
      // A hashed name never gets other content (a release that changes a file
      // renames it), so browsers keep it a year without asking again. Any
      // other file may change in place: a day in production, as before.
      response.setHeader(
        'Cache-Control',
        assets.isHashed(file)
          ? IMMUTABLE_CACHE
          : config.env === 'production'
            ? 'public, max-age=86400'
            : 'no-cache',
      );
      response.setHeader('Vary', 'Accept-Encoding');
    },
  });
  await app.register(rendering, {
    services,
    env: createViewEnvironment({ watch: config.reloadTemplates, assets }),
    cache: new PageCache(),
  });
  await app.register(errors);
  await app.register(healthRoutes, { services });
  // Without a token, no route at all: /metrics is a 404 like any unknown page.
  if (config.metricsToken) {
    await app.register(metricsRoutes, { services, access: { token: config.metricsToken } });
  }
  await app.register(publicRoutes, { services, config });
  // Cookies, CSRF and sign-in only where someone acts as themselves: public
  // pages, the same for everyone, skip that work on every request.
  await app.register(async function personal(scope) {
    await scope.register(accounts, {
      accounts: services.accounts,
      sessionSecret: config.sessionSecret,
      https: config.publicUrl.startsWith('https://'),
      redis: services.redis,
    });
    await scope.register(staffAuth, {
      staff: services.staff,
      https: config.publicUrl.startsWith('https://'),
    });
    await scope.register(adminRoutes, { services });
    await scope.register(accountRoutes, { services });
    await scope.register(accountPrivacyRoutes, { services });
    await scope.register(bookingRoutes, { services });
    await scope.register(certificateRoutes, { services });
    await scope.register(followUpRoutes, { services });
    await scope.register(chargeRoutes, { services });
    if (config.devMailbox) await scope.register(devMailboxRoutes, { outbox: services.outbox });
  });
  return app;
}

/**
 * The metrics server for METRICS_PORT: /metrics without a token, and /health,
 * for Prometheus and monitoring on the same machine. server.ts listens with
 * it on the loopback address only, never where the public can reach it.
 */
export async function buildMetricsApp(config: Config, services: Services): Promise<FastifyInstance> {
  const app = Fastify({ logger: loggerOptions(config) });
  await app.register(healthRoutes, { services });
  await app.register(metricsRoutes, { services, access: { loopbackOnly: true } });
  return app;
}
