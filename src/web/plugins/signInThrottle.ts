/**
 * How the sign-in forms (delegates' and staff's) meet guessing.
 *
 * At one account: the services slow it (services/accounts/signInThrottle.ts), and the
 * form says how long to wait. From one network address at many accounts
 * (password spraying): @fastify/rate-limit, per address. That limit is
 * generous because a whole team behind one office network may sign in on
 * the same morning; it keeps one address to a few hundred guesses an hour
 * however many accounts it tries.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

import { FormError } from '../../errors.js';
import { SignInPausedError } from '../../services/accounts/signInThrottle.js';

export const SIGN_IN_ATTEMPTS_PER_ADDRESS = 100;

/** Options for `app.rateLimit`: sign-in attempts from one address, whichever accounts they are at. */
export function signInLimitPerAddress(form: 'delegate' | 'staff') {
  return {
    max: SIGN_IN_ATTEMPTS_PER_ADDRESS,
    timeWindow: '15 minutes',
    keyGenerator: (request: FastifyRequest) => `${form}-sign-in-address:${request.ip}`,
  };
}

/**
 * When `error` says the account must wait: tells the browser when to come
 * back and gives the form's message for it. Null for any other error.
 */
export function signInPaused(reply: FastifyReply, error: unknown): FormError | null {
  if (!(error instanceof SignInPausedError)) return null;
  reply.header('Retry-After', String(error.retryAfterSeconds));
  return new FormError({ password: error.message });
}
