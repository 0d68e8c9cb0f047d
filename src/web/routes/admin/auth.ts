/**
 * Staff sign-in for the back office: a password, then a second factor.
 *
 *   /admin/sign-in        email and password
 *   /admin/sign-in/code   a code from the authenticator app, or a recovery code
 *   /admin/enrol          first sign-in: set up the authenticator (secret as
 *                         text and as a QR code), confirm a code, then see ten
 *                         recovery codes once
 *   /admin/sign-out
 *
 * Staff sessions are separate from delegates': their own table and their
 * own cookie (`__Host-trellis_staff` over HTTPS). A session counts as signed
 * in only after the second factor.
 *
 * Registered with fastify-plugin, inside the scope that registers the
 * delegate accounts plugin (it uses that scope's cookies, CSRF protection and
 * rate limits), so `requireStaff` works for admin routes registered there.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import QRCode from 'qrcode';
import { z } from 'zod';

import { holds, type Capability } from '../../../domain/accounts/permissions.js';
import { STAFF_SESSION_ABSOLUTE_HOURS } from '../../../domain/accounts/staff.js';
import { FormError, NotFoundError } from '../../../errors.js';
import {
  OneTimePasswordExpiredError,
  type StaffService,
  type StaffSession,
} from '../../../services/accounts/staffService.js';
import { formErrors, keepTyped, parseForm } from '../../forms.js';
import { signInLimitPerAddress, signInPaused } from '../../plugins/signInThrottle.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The staff session from the staff cookie, at whatever stage, once loaded. */
    staffSession: StaffSession | null;
  }
  interface FastifyInstance {
    /** Reads the staff cookie into `request.staffSession` (null when there is none or it has ended). */
    loadStaff: (request: FastifyRequest) => Promise<void>;
  }
}

export interface StaffAuthOptions {
  staff: StaffService;
  https: boolean;
  /** The name authenticator apps show beside the code: the hub's, say. */
  issuer?: string;
}

/** Code attempts per staff account: three codes are valid at a time, of a million. */
const CODE_LIMIT_PER_ACCOUNT = { max: 10, timeWindow: '15 minutes' };

const signInSchema = z.object({
  email: z
    .string({ error: 'Enter your email address' })
    .trim()
    .min(1, 'Enter your email address')
    .max(254, 'Enter a correct email address and password'),
  password: z
    .string({ error: 'Enter your password' })
    .min(1, 'Enter your password')
    .max(200, 'Enter a correct email address and password'),
});

const codeSchema = z.object({
  code: z
    .string({ error: 'Enter the code' })
    .trim()
    .min(1, 'Enter the code')
    .max(40, 'Enter the 6-digit code from your authenticator app, or a recovery code'),
});

const enrolCodeSchema = z.object({
  code: z
    .string({ error: 'Enter the 6-digit code from your authenticator app' })
    .trim()
    .min(1, 'Enter the 6-digit code from your authenticator app')
    .max(40, 'Enter the 6-digit code from your authenticator app'),
});

/** Each `requireStaff` handler and the capability it asks for. */
const GUARDED_BY = new WeakMap<object, Capability>();

/**
 * A preHandler for back-office routes: only a fully signed-in staff member
 * whose role holds `capability` (domain/accounts/permissions.ts) gets through. Anyone
 * else (signed out, part-way through signing in, or in another role) sees
 * the ordinary "page not found", so nobody learns which admin pages exist.
 *
 * Someone signed in with a one-time password is sent to choose their own
 * first, whatever they asked for (`choosingPassword` marks that page).
 */
export function requireStaff(
  capability: Capability,
  options: { choosingPassword?: boolean } = {},
): preHandlerAsyncHookHandler {
  const handler = async function requireStaffRole(request: FastifyRequest, reply: FastifyReply) {
    if (typeof request.server.loadStaff !== 'function') {
      throw new Error('requireStaff needs the staff sign-in plugin registered in this scope');
    }
    await request.server.loadStaff(request);
    const session = request.staffSession;
    if (!session || session.stage !== 'signed_in' || !holds(session.staff.role, capability)) {
      throw new NotFoundError();
    }
    if (session.staff.mustChangePassword && !options.choosingPassword) {
      return reply.redirect(CHOOSE_PASSWORD_PATH, 303);
    }
  };
  GUARDED_BY.set(handler, capability);
  return handler;
}

/**
 * The capability a route's preHandlers ask for, if one is `requireStaff`'s:
 * the app records it in its route table, so a test can check every
 * back-office route has one.
 */
export function capabilityRequired(preHandler: unknown): Capability | undefined {
  for (const handler of [preHandler].flat()) {
    const capability = typeof handler === 'function' ? GUARDED_BY.get(handler) : undefined;
    if (capability) return capability;
  }
  return undefined;
}

export const CHOOSE_PASSWORD_PATH = '/admin/password';

export default fp(
  async function staffAuth(app: FastifyInstance, options: StaffAuthOptions) {
    const { staff } = options;
    const cookieName = options.https ? '__Host-trellis_staff' : 'trellis_staff';
    // Strict: the back office is never entered from a link on another site.
    const cookieOptions = { httpOnly: true, sameSite: 'strict' as const, secure: options.https, path: '/' };

    app.decorateRequest('staffSession', null);
    app.decorate('loadStaff', async function loadStaff(request: FastifyRequest) {
      const secret = request.cookies[cookieName];
      request.staffSession = secret ? await staff.authenticate(secret) : null;
    });
    const loadStaff = (request: FastifyRequest) => app.loadStaff(request);

    const startSession = (reply: FastifyReply, secret: string) =>
      reply.setCookie(cookieName, secret, { ...cookieOptions, maxAge: STAFF_SESSION_ABSOLUTE_HOURS * 3600 });
    const endSession = (reply: FastifyReply) => reply.clearCookie(cookieName, cookieOptions);

    /** Where a part-way session goes next. */
    const stepPath = (session: StaffSession | null) =>
      !session
        ? '/admin/sign-in'
        : session.stage === 'signed_in'
          ? '/admin'
          : session.stage === 'enrol'
            ? '/admin/enrol'
            : '/admin/sign-in/code';

    const perAccount = (request: FastifyRequest) =>
      `staff:${request.staffSession?.staff.id ?? `ip:${request.ip}`}`;

    // ----- password -----

    function renderSignIn(
      reply: FastifyReply,
      values: Record<string, string>,
      error?: FormError,
      signedOut = false,
      status = error ? 400 : 200,
    ) {
      return reply.page(
        'pages/admin/sign-in.njk',
        {
          pageTitle: 'Sign in to the back office',
          values,
          signedOut,
          errors: error ? formErrors(error.fields, ['email', 'password']) : null,
          csrfToken: reply.generateCsrf(),
        },
        status,
      );
    }

    app.get('/admin/sign-in', { preHandler: loadStaff }, async (request, reply) => {
      if (request.staffSession?.stage === 'signed_in') return reply.redirect('/admin', 303);
      const query = request.query as Record<string, unknown>;
      return renderSignIn(reply, {}, undefined, query['signed-out'] === '1');
    });

    app.post(
      '/admin/sign-in',
      {
        preHandler: [app.csrfProtection, loadStaff, app.rateLimit(signInLimitPerAddress('staff'))],
      },
      async (request, reply) => {
        try {
          const { email, password } = parseForm(signInSchema, request.body);
          const started = await staff.signIn(email, password);
          // Said once, by the password (typed again anyway): by both fields
          // the error summary would say it twice.
          if (!started) throw new FormError({ password: 'Enter a correct email address and password' });
          // One browser, one staff session.
          if (request.staffSession) await staff.signOut(request.staffSession.sessionIdHash);
          startSession(reply, started.secret);
          return reply.redirect(started.stage === 'enrol' ? '/admin/enrol' : '/admin/sign-in/code', 303);
        } catch (error) {
          const paused = signInPaused(reply, error);
          if (paused) return renderSignIn(reply, keepTyped(request.body), paused, false, 429);
          if (error instanceof OneTimePasswordExpiredError) {
            return renderSignIn(reply, keepTyped(request.body), new FormError({ password: error.message }));
          }
          if (!(error instanceof FormError)) throw error;
          const { email, password } = error.fields;
          if (email && email === password) delete error.fields.email;
          return renderSignIn(reply, keepTyped(request.body), error);
        }
      },
    );

    // ----- second factor -----

    function renderCode(reply: FastifyReply, error?: FormError) {
      return reply.page(
        'pages/admin/sign-in-code.njk',
        {
          pageTitle: 'Enter your security code',
          errors: error ? formErrors(error.fields, ['code']) : null,
          csrfToken: reply.generateCsrf(),
        },
        error ? 400 : 200,
      );
    }

    app.get('/admin/sign-in/code', { preHandler: loadStaff }, async (request, reply) => {
      if (request.staffSession?.stage !== 'second_factor') {
        return reply.redirect(stepPath(request.staffSession), 303);
      }
      return renderCode(reply);
    });

    app.post(
      '/admin/sign-in/code',
      {
        preHandler: [
          app.csrfProtection,
          loadStaff,
          app.rateLimit({ ...CODE_LIMIT_PER_ACCOUNT, keyGenerator: (r) => `staff-code:${perAccount(r)}` }),
        ],
      },
      async (request, reply) => {
        const session = request.staffSession;
        if (session?.stage !== 'second_factor') return reply.redirect(stepPath(session), 303);
        try {
          const { code } = parseForm(codeSchema, request.body);
          const done = await staff.completeSecondFactor(session, code);
          if (!done) {
            throw new FormError({
              code: 'Enter a correct code: the current 6-digit code from your authenticator app, or an unused recovery code',
            });
          }
          startSession(reply, done.secret);
          return reply.redirect('/admin', 303);
        } catch (error) {
          if (!(error instanceof FormError)) throw error;
          return renderCode(reply, error);
        }
      },
    );

    // ----- first sign-in: enrol an authenticator -----

    async function renderEnrol(reply: FastifyReply, session: StaffSession, error?: FormError) {
      const enrolment = await staff.enrolment(session, options.issuer);
      if (!enrolment) return reply.redirect('/admin/sign-in', 303);
      const svg = await QRCode.toString(enrolment.uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
      reply.header('cache-control', 'no-store');
      return reply.page(
        'pages/admin/enrol.njk',
        {
          pageTitle: 'Set up your authenticator app',
          // Groups of four, as authenticator apps show them.
          secret: enrolment.secret.match(/.{1,4}/g)!.join(' '),
          qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
          errors: error ? formErrors(error.fields, ['code']) : null,
          csrfToken: reply.generateCsrf(),
        },
        error ? 400 : 200,
      );
    }

    app.get('/admin/enrol', { preHandler: loadStaff }, async (request, reply) => {
      const session = request.staffSession;
      if (session?.stage !== 'enrol') return reply.redirect(stepPath(session), 303);
      return renderEnrol(reply, session);
    });

    app.post(
      '/admin/enrol',
      {
        preHandler: [
          app.csrfProtection,
          loadStaff,
          app.rateLimit({ ...CODE_LIMIT_PER_ACCOUNT, keyGenerator: (r) => `staff-code:${perAccount(r)}` }),
        ],
      },
      async (request, reply) => {
        const session = request.staffSession;
        if (session?.stage !== 'enrol') return reply.redirect(stepPath(session), 303);
        try {
          const { code } = parseForm(enrolCodeSchema, request.body);
          const done = await staff.confirmEnrolment(session, code);
          if (!done) {
            throw new FormError({
              code: 'Enter the current 6-digit code your authenticator app shows for this account',
            });
          }
          startSession(reply, done.secret);
          // Shown in this response only: they are stored hashed and never shown again.
          reply.header('cache-control', 'no-store');
          return reply.page('pages/admin/recovery-codes.njk', {
            pageTitle: 'Save your recovery codes',
            recoveryCodes: done.recoveryCodes,
          });
        } catch (error) {
          if (!(error instanceof FormError)) throw error;
          return renderEnrol(reply, session, error);
        }
      },
    );

    // ----- sign out -----

    app.post('/admin/sign-out', { preHandler: [app.csrfProtection, loadStaff] }, async (request, reply) => {
      if (request.staffSession) await staff.signOut(request.staffSession.sessionIdHash);
      endSession(reply);
      return reply.redirect('/admin/sign-in?signed-out=1', 303);
    });
  },
  { name: 'staff-auth', dependencies: ['accounts'] },
);
