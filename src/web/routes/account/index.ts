/**
 * A delegate's account: register, verify the email address, sign in and out,
 * reset a forgotten password, keep details up to date and change the email
 * address (confirmed from the new address before it is used).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { SHARED_ADDRESS_MESSAGE, whyWeAsk } from '../../../domain/accounts/accounts.js';
import { isRefusedSharedAddress } from '../../../domain/hub/policy.js';
import { FormError } from '../../../errors.js';
import type { Services } from '../../../services/index.js';
import { formErrors, keepTyped, parseForm } from '../../forms.js';
import { safeNextPath } from '../../plugins/accounts.js';
import { signInLimitPerAddress, signInPaused } from '../../plugins/signInThrottle.js';
import {
  DETAILS_FIELDS,
  PROFILE_FIELDS,
  changeEmailSchema,
  detailsSchema,
  forgotPasswordSchema,
  newPasswordSchema,
  profileSchema,
  signInSchema,
} from './schemas.js';

/** Each of these sends an email: a few an hour per delegate is plenty, and stops mail-bombing. */
const PER_DELEGATE_CHANGES = {
  max: 5,
  timeWindow: '1 hour',
  keyGenerator: (request: FastifyRequest) => `delegate:${request.delegate?.id ?? request.ip}`,
};

export default async function accountRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { accounts } = services;

  async function renderDetailsForm(
    reply: FastifyReply,
    template: string,
    pageTitle: string,
    values: Record<string, string>,
    error?: FormError,
  ) {
    const [organisations, policy, charges] = await Promise.all([
      accounts.organisations(),
      services.settings.policy(),
      services.settings.charges(),
    ]);
    const registering = template === 'pages/account/register.njk';
    return reply.page(
      template,
      {
        pageTitle,
        values,
        organisations,
        why: whyWeAsk(policy, charges),
        // Registration started from a session's booking page goes back there.
        next: registering ? (safeNextPath(values.next) ?? '') : '',
        errors: error
          ? formErrors(error.fields, registering ? [...DETAILS_FIELDS, 'password'] : PROFILE_FIELDS)
          : null,
        csrfToken: reply.generateCsrf(),
      },
      error ? 400 : 200,
    );
  }

  app.get('/register', async (request, reply) => {
    const next = safeNextPath((request.query as Record<string, unknown>).next);
    return renderDetailsForm(reply, 'pages/account/register.njk', 'Create an account', next ? { next } : {});
  });

  app.post(
    '/register',
    {
      // Per network address: generous, because a whole team behind one
      // office network may register on the same morning.
      preHandler: [app.csrfProtection, app.rateLimit({ max: 50, timeWindow: '1 hour' })],
    },
    async (request, reply) => {
      try {
        const problems: Record<string, string> = {};
        let details: ReturnType<typeof detailsSchema.parse> | undefined;
        let password = '';
        try {
          details = parseForm(detailsSchema, request.body);
        } catch (error) {
          if (!(error instanceof FormError)) throw error;
          Object.assign(problems, error.fields);
        }
        try {
          password = parseForm(newPasswordSchema, request.body).password;
        } catch (error) {
          if (!(error instanceof FormError)) throw error;
          Object.assign(problems, error.fields);
        }
        // Checked here too so every problem shows at once, not one after another.
        const typedEmail = String((request.body as Record<string, unknown> | undefined)?.email ?? '');
        if (!problems.email && isRefusedSharedAddress(typedEmail, await services.settings.policy())) {
          problems.email = SHARED_ADDRESS_MESSAGE;
        }
        if (Object.keys(problems).length || !details) throw new FormError(problems);
        const returnPath = safeNextPath((request.body as Record<string, unknown>).next);
        const { browserSecret } = await accounts.register({ ...details, password }, returnPath);
        return reply
          .rememberRegistration(browserSecret)
          .redirect(`/register/check-your-email${returnPath ? '?booking=1' : ''}`, 303);
      } catch (error) {
        if (!(error instanceof FormError)) throw error;
        return renderDetailsForm(
          reply,
          'pages/account/register.njk',
          'Create an account',
          keepTyped(request.body),
          error,
        );
      }
    },
  );

  app.get('/register/check-your-email', async (request, reply) =>
    reply.page('pages/account/check-email.njk', {
      pageTitle: 'Check your email',
      booking: (request.query as Record<string, unknown>).booking === '1',
    }),
  );

  // Opening the link in the email (a GET, which mail scanners make before
  // people do) changes nothing: it shows a button, and pressing it (a POST)
  // confirms the address. Otherwise a scanner could confirm an address for
  // someone who registered it with their own password.
  app.get<{ Params: { token: string } }>(
    '/account/verify/:token',
    { preHandler: app.loadDelegate },
    async (request, reply) => {
      const token = request.params.token.slice(0, 200);
      const { outcome, email } = await accounts.verificationLink(token, request.registrationSecret());
      if (outcome === 'open') {
        return reply.page('pages/account/confirm-email.njk', {
          pageTitle: 'Confirm your email address',
          email,
          action: `/account/verify/${encodeURIComponent(token)}`,
          csrfToken: reply.generateCsrf(),
        });
      }
      return reply.page(
        'pages/account/verified.njk',
        {
          pageTitle: outcome === 'done' ? 'Your email address is confirmed' : 'This link cannot be used',
          outcome,
          signedIn: Boolean(request.delegate && request.delegate.email === email),
          next: '',
        },
        outcome === 'done' ? 200 : outcome === 'unknown' ? 404 : 410,
      );
    },
  );

  // Confirms the address and signs in only the browser that registered (it holds its cookie).
  app.post<{ Params: { token: string } }>(
    '/account/verify/:token',
    { preHandler: [app.csrfProtection, app.loadDelegate] },
    async (request, reply) => {
      const { outcome, sessionSecret, returnPath, delegateId } = await accounts.verifyEmail(
        request.params.token.slice(0, 200),
        request.registrationSecret(),
      );
      const next = safeNextPath(returnPath);
      if (sessionSecret) {
        // A session this browser already had ends: one browser, one session.
        if (request.delegate) await accounts.signOut(request.delegate.sessionIdHash);
        reply.startSession(sessionSecret).forgetRegistration();
        if (next) return reply.redirect(next, 303);
      }
      return reply.page(
        'pages/account/verified.njk',
        {
          pageTitle: outcome === 'done' ? 'Your email address is confirmed' : 'This link cannot be used',
          outcome,
          // This browser is signed in to the account whose address it confirmed.
          signedIn: sessionSecret !== null || (delegateId !== null && request.delegate?.id === delegateId),
          next: next ?? '',
        },
        outcome === 'done' ? 200 : outcome === 'unknown' ? 404 : 410,
      );
    },
  );

  app.post(
    '/account/verify/resend',
    { preHandler: [app.csrfProtection, app.requireAnyDelegate, app.rateLimit(PER_DELEGATE_CHANGES)] },
    async (request, reply) => {
      const sent = await accounts.resendVerification(request.delegate!.id);
      return reply.redirect(sent === 'pending' ? '/account?sent=1' : '/register/check-your-email', 303);
    },
  );

  function renderSignIn(
    reply: FastifyReply,
    request: FastifyRequest,
    values: Record<string, string>,
    error?: FormError,
    status = error ? 400 : 200,
  ) {
    const query = request.query as Record<string, unknown>;
    return reply.page(
      'pages/account/sign-in.njk',
      {
        pageTitle: 'Sign in',
        values,
        next: safeNextPath(values.next ?? query.next) ?? '',
        // Someone who has no account yet keeps their place in hand through registering.
        registerHref: registerLink(safeNextPath(values.next ?? query.next)),
        errors: error ? formErrors(error.fields, ['email', 'password']) : null,
        csrfToken: reply.generateCsrf(),
      },
      status,
    );
  }

  app.get('/sign-in', async (request, reply) => renderSignIn(reply, request, {}));

  app.post(
    '/sign-in',
    {
      preHandler: [app.csrfProtection, app.loadDelegate, app.rateLimit(signInLimitPerAddress('delegate'))],
    },
    async (request, reply) => {
      try {
        const { email, password } = parseForm(signInSchema, request.body);
        const secret = await accounts.signIn(email, password);
        // A session this browser already had ends: one browser, one session.
        if (secret && request.delegate) await accounts.signOut(request.delegate.sessionIdHash);
        if (!secret) {
          // Said once, by the password: the summary lists each problem once.
          throw new FormError({ password: 'Enter a correct email address and password' });
        }
        const next = safeNextPath((request.body as Record<string, unknown>).next) ?? '/bookings';
        return reply.startSession(secret).redirect(next, 303);
      } catch (error) {
        const paused = signInPaused(reply, error);
        if (paused) return renderSignIn(reply, request, keepTyped(request.body), paused, 429);
        if (!(error instanceof FormError)) throw error;
        return renderSignIn(reply, request, keepTyped(request.body), error);
      }
    },
  );

  app.post('/sign-out', { preHandler: [app.csrfProtection, app.loadDelegate] }, async (request, reply) => {
    if (request.delegate) await accounts.signOut(request.delegate.sessionIdHash);
    return reply.endSession().redirect('/signed-out', 303);
  });

  app.get('/signed-out', async (_request, reply) =>
    reply.page('pages/account/signed-out.njk', { pageTitle: 'You have signed out' }),
  );

  app.get('/account/forgot-password', async (_request, reply) =>
    reply.page('pages/account/forgot-password.njk', {
      pageTitle: 'Reset your password',
      values: {},
      csrfToken: reply.generateCsrf(),
    }),
  );

  app.post(
    '/account/forgot-password',
    { preHandler: [app.csrfProtection, app.rateLimit({ max: 10, timeWindow: '15 minutes' })] },
    async (request, reply) => {
      try {
        const { email } = parseForm(forgotPasswordSchema, request.body);
        await accounts.requestPasswordReset(email);
        return reply.redirect('/account/forgot-password/sent', 303);
      } catch (error) {
        if (!(error instanceof FormError)) throw error;
        return reply.page(
          'pages/account/forgot-password.njk',
          {
            pageTitle: 'Reset your password',
            values: keepTyped(request.body),
            errors: formErrors(error.fields),
            csrfToken: reply.generateCsrf(),
          },
          400,
        );
      }
    },
  );

  app.get('/account/forgot-password/sent', async (_request, reply) =>
    reply.page('pages/account/check-email.njk', { pageTitle: 'Check your email', reset: true }),
  );

  app.get<{ Params: { token: string } }>('/account/reset-password/:token', async (request, reply) => {
    const state = await accounts.checkPasswordResetToken(request.params.token.slice(0, 200));
    if (state !== 'valid') {
      return reply.page(
        'pages/account/verified.njk',
        { pageTitle: 'This link cannot be used', outcome: state, reset: true },
        state === 'unknown' ? 404 : 410,
      );
    }
    return reply.page('pages/account/reset-password.njk', {
      pageTitle: 'Choose a new password',
      csrfToken: reply.generateCsrf(),
    });
  });

  app.post<{ Params: { token: string } }>(
    '/account/reset-password/:token',
    { preHandler: [app.csrfProtection, app.rateLimit({ max: 10, timeWindow: '15 minutes' })] },
    async (request, reply) => {
      try {
        const { password } = parseForm(newPasswordSchema, request.body);
        const outcome = await accounts.resetPassword(request.params.token.slice(0, 200), password);
        if (outcome !== 'done') {
          return reply.page(
            'pages/account/verified.njk',
            { pageTitle: 'This link cannot be used', outcome, reset: true },
            410,
          );
        }
        return reply.endSession().redirect('/sign-in?reset=1', 303);
      } catch (error) {
        if (!(error instanceof FormError)) throw error;
        return reply.page(
          'pages/account/reset-password.njk',
          {
            pageTitle: 'Choose a new password',
            errors: formErrors(error.fields),
            csrfToken: reply.generateCsrf(),
          },
          400,
        );
      }
    },
  );

  app.get('/account', { preHandler: app.requireAnyDelegate }, async (request, reply) => {
    const delegate = await accounts.details(request.delegate!.id);
    const query = request.query as Record<string, unknown>;
    return reply.page('pages/account/account.njk', {
      pageTitle: 'Your account',
      delegate,
      signedIn: request.delegate,
      notice: (['updated', 'sent', 'cancelled'] as const).find((key) => query[key] === '1') ?? null,
      csrfToken: reply.generateCsrf(),
    });
  });

  app.get('/account/details', { preHandler: app.requireDelegate }, async (request, reply) => {
    const delegate = (await accounts.details(request.delegate!.id))!;
    return renderDetailsForm(reply, 'pages/account/details.njk', 'Change your details', {
      name: delegate.name,
      organisationId: delegate.organisation_id === null ? 'none' : String(delegate.organisation_id),
      jobRole: delegate.job_role,
      lineManagerName: delegate.line_manager_name,
      lineManagerEmail: delegate.line_manager_email,
    });
  });

  app.post(
    '/account/details',
    { preHandler: [app.csrfProtection, app.requireDelegate, app.rateLimit(PER_DELEGATE_CHANGES)] },
    async (request, reply) => {
      try {
        const details = parseForm(profileSchema, request.body);
        await accounts.updateDetails(request.delegate!.id, details);
        return reply.redirect('/account?updated=1', 303);
      } catch (error) {
        if (!(error instanceof FormError)) throw error;
        return renderDetailsForm(
          reply,
          'pages/account/details.njk',
          'Change your details',
          keepTyped(request.body),
          error,
        );
      }
    },
  );

  function renderChangeEmail(
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, string>,
    error?: FormError,
  ) {
    return reply.page(
      'pages/account/change-email.njk',
      {
        pageTitle: 'Change your email address',
        values,
        current: request.delegate!.email,
        errors: error ? formErrors(error.fields, ['email', 'password']) : null,
        csrfToken: reply.generateCsrf(),
      },
      error ? 400 : 200,
    );
  }

  // Open to an account whose address is not confirmed yet, to correct a mistyped one.
  app.get('/account/email', { preHandler: app.requireAnyDelegate }, async (request, reply) =>
    renderChangeEmail(request, reply, {}),
  );

  app.post(
    '/account/email',
    { preHandler: [app.csrfProtection, app.requireAnyDelegate, app.rateLimit(PER_DELEGATE_CHANGES)] },
    async (request, reply) => {
      try {
        const { email, password } = parseForm(changeEmailSchema, request.body);
        await accounts.changeEmail(request.delegate!.id, email, password, request.delegate!.sessionIdHash);
        return reply.redirect('/account?sent=1', 303);
      } catch (error) {
        if (!(error instanceof FormError)) throw error;
        return renderChangeEmail(request, reply, keepTyped(request.body), error);
      }
    },
  );

  app.post(
    '/account/email/cancel',
    { preHandler: [app.csrfProtection, app.requireAnyDelegate] },
    async (request, reply) => {
      await accounts.cancelEmailChange(request.delegate!.id);
      return reply.redirect('/account?cancelled=1', 303);
    },
  );
}

/** "Create an account", remembering the page (a session's booking page) to come back to. */
function registerLink(next: string | null): string {
  return next ? `/register?next=${encodeURIComponent(next)}` : '/register';
}
