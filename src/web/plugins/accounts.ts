/**
 * Signed-in delegates. The session cookie holds a random secret; the server
 * keeps only its hash, so sessions can be revoked and expire on the server
 * (after an hour idle, or twelve hours after sign-in, whichever is first).
 *
 * Also registers what every form needs: cookie signing, CSRF protection (a
 * token in each form, checked before the handler runs) and rate limits.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';

import { SESSION_ABSOLUTE_HOURS } from '../../domain/accounts.js';
import type { AccountService, SignedInDelegate } from '../../services/accountService.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in delegate, once `loadDelegate` or `requireDelegate` has run. */
    delegate: SignedInDelegate | null;
  }
  interface FastifyInstance {
    /** Reads the session cookie; leaves `request.delegate` null when signed out. */
    loadDelegate: preHandlerAsyncHookHandler;
    /** Sends anyone not signed in to the sign-in page, then back here. */
    requireDelegate: preHandlerAsyncHookHandler;
  }
  interface FastifyReply {
    startSession(secret: string): FastifyReply;
    endSession(): FastifyReply;
  }
}

export interface AccountsPluginOptions {
  accounts: AccountService;
  sessionSecret: string;
  https: boolean;
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
    const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: options.https, path: '/' };

    await app.register(fastifyCookie, { secret: options.sessionSecret });
    await app.register(fastifyCsrf, {
      cookieKey: options.https ? '__Host-trellis_csrf' : 'trellis_csrf',
      cookieOpts: { ...cookieOptions, signed: true, sameSite: 'strict' },
      getToken: (request) =>
        (request.body as Record<string, unknown> | undefined)?._csrf as string | undefined,
    });
    await app.register(fastifyRateLimit, { global: false });

    app.decorateRequest('delegate', null);

    async function loadDelegate(request: FastifyRequest) {
      const secret = request.cookies[cookieName];
      request.delegate = secret ? await options.accounts.authenticate(secret) : null;
    }

    app.decorate('loadDelegate', loadDelegate);
    app.decorate(
      'requireDelegate',
      async function requireDelegate(request: FastifyRequest, reply: FastifyReply) {
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
      },
    );

    app.decorateReply('startSession', function startSession(this: FastifyReply, secret: string) {
      return this.setCookie(cookieName, secret, { ...cookieOptions, maxAge: SESSION_ABSOLUTE_HOURS * 3600 });
    });
    app.decorateReply('endSession', function endSession(this: FastifyReply) {
      return this.clearCookie(cookieName, cookieOptions);
    });
  },
  { name: 'accounts' },
);
