/**
 * Signed-in browsers, for delegates and staff alike: how long a sign-in
 * lasts. Each kind of person has its own limits (accounts.ts, staff.ts);
 * the rule that applies them is this one.
 */

/** Who a sign-in belongs to. A delegate's never opens the back office, nor a member of staff's an account. */
export const SIGN_IN_KINDS = ['delegate', 'staff'] as const;
export type SignInKind = (typeof SIGN_IN_KINDS)[number];

export interface SessionLimits {
  /** Ended after this long without a request… */
  idleMinutes: number;
  /** …and, however active, this long after it started. */
  absoluteMinutes: number;
}

export type SessionEnd = 'active' | 'idle' | 'expired' | 'revoked';

/**
 * Whether a sign-in still holds. The absolute end was fixed when it started
 * (`expires_at`), since a staff member's lasts ten hours from the password,
 * not from the second factor; the idle limit is the one given now.
 */
export function sessionState(
  session: { last_seen_at: string; expires_at: string; revoked_at: string | null },
  limits: Pick<SessionLimits, 'idleMinutes'>,
  now: Date,
): SessionEnd {
  if (session.revoked_at) return 'revoked';
  if (now >= new Date(session.expires_at)) return 'expired';
  if (now.getTime() - new Date(session.last_seen_at).getTime() > limits.idleMinutes * 60_000) return 'idle';
  return 'active';
}

/** When a sign-in started at `startedAt` ends however active it is. */
export function absoluteEnd(startedAt: Date | string, limits: Pick<SessionLimits, 'absoluteMinutes'>): Date {
  return new Date(new Date(startedAt).getTime() + limits.absoluteMinutes * 60_000);
}
