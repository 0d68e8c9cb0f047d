/**
 * Signed-in delegates. The session cookie holds a random secret; the server
 * keeps only its hash, so sessions can be revoked and expire on the server
 * (after an hour idle, or twelve hours after sign-in, whichever is first).
 *
 * Also registers what every form needs: cookie signing, CSRF protection (a
 * token in each form, checked before the handler runs) and rate limits.
 *
 * Rate limits count in Redis when there is one (REDIS_URL), in keys named
 * `<REDIS_KEY_PREFIX>rate-limit:<method>:<route>:<whose count>`
 * (rateLimitStore.ts), so every process counts towards one limit. Without
 * Redis, and while it is out of reach, each process counts on its own, in
 * memory: never failing requests, never letting them through uncounted (the
 * warning that Redis is away comes from data/redis.ts).
 */
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyRateLimit, { type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';

import type { SharedRedis } from '../../data/redis.js';
import { SESSION_ABSOLUTE_HOURS, VERIFY_EMAIL_LINK_HOURS } from '../../domain/accounts/accounts.js';
import type { AccountService, SignedInDelegate } from '../../services/accounts/accountService.js';
import { redisRateLimitStore } from './rateLimitStore.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in delegate, once `loadDelegate` or `requireDelegate` has run. */
    delegate: SignedInDelegate | null;
  }
  interface FastifyInstance {
    /** Reads the session cookie; leaves `request.delegate` null when signed out. */
    loadDelegate: preHandlerAsyncHookHandler;
    /**
     * Sends anyone not signed in to the sign-in page, then back here; someone
     * whose address is not confirmed yet goes to their account page instead.
     */
    requireDelegate: preHandlerAsyncHookHandler;
    /** Signed in, confirmed or not: for confirming or changing the address. */
    requireAnyDelegate: preHandlerAsyncHookHandler;
  }
  interface FastifyRequest {
    /** The secret this browser was given when it registered, if it still holds it. */
    registrationSecret(): string | null;
  }
  interface FastifyReply {
    startSession(secret: string): FastifyReply;
    endSession(): FastifyReply;
    /** Remembers, in this browser, that it registered (see AccountService.register). */
    rememberRegistration(secret: string): FastifyReply;
    forgetRegistration(): FastifyReply;
  }
}

export interface AccountsPluginOptions {
  accounts: AccountService;
  sessionSecret: string;
  https: boolean;
  /** Where rate limits count across processes; null counts in this process. */
  redis: SharedRedis | null;
}

/**
 * Each limit counts only its own route's requests, whatever its key. In
 * memory the library gives every `app.rateLimit(…)` a counter of its own;
 * in Redis they all share one key space, so without the route in the key
 * the booking limit (`delegate:<id>`) would also count changes of details,
 * and registering would use up the password-reset allowance of an address.
 * The key reads `POST:/sessions/:id/book:delegate:42`: the route, then whose
 * count it is (a limit that does not say is per network address).
 */
function keyedByRoute(options: RateLimitOptions = {}): RateLimitOptions {
  const keyOf = options.keyGenerator ?? ((request: FastifyRequest) => `address:${request.ip}`);
  return {
    ...options,
    keyGenerator: async (request) =>
      `${String(request.routeOptions.method)}:${request.routeOptions.url ?? ''}:${await keyOf(request)}`,
  };
}

/**
 * Only paths on this site: never `//elsewhere`, `/\\elsewhere` or `https://…`,
 * and only printable ASCII, because browsers drop tabs and line breaks
 * (`/<tab>/elsewhere` becomes `//elsewhere`).
 */
export function safeNextPath(next: unknown): string | null {
  if (typeof next !== 'string' || next.length > 500) return null;
  return /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : null;
}

/** The sign-in cookie's name. Browsers only send __Host- cookies over HTTPS, from this host, for every path. */
export function sessionCookieName(https: boolean): string {
  return https ? '__Host-trellis_session' : 'trellis_session';
}

export default fp(
  async function accounts(app: FastifyInstance, options: AccountsPluginOptions) {
    const cookieName = sessionCookieName(options.https);
    const registrationCookie = options.https ? '__Host-trellis_registration' : 'trellis_registration';
    const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: options.https, path: '/' };

    await app.register(fastifyCookie, { secret: options.sessionSecret });
    await app.register(fastifyCsrf, {
      cookieKey: options.https ? '__Host-trellis_csrf' : 'trellis_csrf',
      cookieOpts: { ...cookieOptions, signed: true, sameSite: 'strict' },
      getToken: (request) =>
        (request.body as Record<string, unknown> | undefined)?._csrf as string | undefined,
    });
    // The library is registered in a scope of its own and its `rateLimit` offered here
    // with each limit's key made per route (keyedByRoute): same options, same replies.
    let libraryRateLimit: FastifyInstance['rateLimit'] | undefined;
    await app.register(async function rateLimits(scope) {
      await scope.register(fastifyRateLimit, {
        global: false,
        ...(options.redis
          ? {
              // Never fails a count: while Redis cannot be used it counts in memory.
              store: redisRateLimitStore(options.redis),
            }
          : {}),
      });
      libraryRateLimit = scope.rateLimit.bind(scope);
    });
    const rateLimit = libraryRateLimit!;
    app.decorate('rateLimit', ((limit?: RateLimitOptions) =>
      rateLimit(keyedByRoute(limit))) as FastifyInstance['rateLimit']);

    app.decorateRequest('delegate', null);

    async function loadDelegate(request: FastifyRequest) {
      const secret = request.cookies[cookieName];
      request.delegate = secret ? await options.accounts.authenticate(secret) : null;
    }

    app.decorate('loadDelegate', loadDelegate);

    async function requireAnyDelegate(request: FastifyRequest, reply: FastifyReply) {
      await loadDelegate(request);
      if (!request.delegate) {
        const referer = request.headers.referer;
        const next =
          request.method === 'GET'
            ? request.url
            : referer && URL.canParse(referer)
              ? new URL(referer).pathname
              : '/account';
        const path = safeNextPath(next) ?? '/account';
        return reply.redirect(`/sign-in?next=${encodeURIComponent(path)}`, 303);
      }
    }
    app.decorate('requireAnyDelegate', requireAnyDelegate);
    app.decorate(
      'requireDelegate',
      async function requireDelegate(request: FastifyRequest, reply: FastifyReply) {
        const sent = await requireAnyDelegate(request, reply);
        if (sent) return sent;
        // Whoever registered may not own the address: until it is confirmed,
        // the account shows no bookings or details and books nothing.
        if (!request.delegate!.emailVerified) return reply.redirect('/account', 303);
      },
    );

    app.decorateRequest('registrationSecret', function registrationSecret(this: FastifyRequest) {
      return this.cookies[registrationCookie] || null;
    });
    app.decorateReply(
      'rememberRegistration',
      function rememberRegistration(this: FastifyReply, secret: string) {
        return this.setCookie(registrationCookie, secret, {
          ...cookieOptions,
          maxAge: VERIFY_EMAIL_LINK_HOURS * 3600,
        });
      },
    );
    app.decorateReply('forgetRegistration', function forgetRegistration(this: FastifyReply) {
      return this.clearCookie(registrationCookie, cookieOptions);
    });

    app.decorateReply('startSession', function startSession(this: FastifyReply, secret: string) {
      return this.setCookie(cookieName, secret, { ...cookieOptions, maxAge: SESSION_ABSOLUTE_HOURS * 3600 });
    });
    app.decorateReply('endSession', function endSession(this: FastifyReply) {
      return this.clearCookie(cookieName, cookieOptions);
    });
  },
  { name: 'accounts' },
);
