/**
 * Staff: the people who run the hub's programme from the back office. Each
 * has one role; what a role may do is decided in one place,
 * domain/permissions.ts, which routes, the menu and services all ask.
 *
 * Staff sign-in needs a password and then a second factor (a code from an
 * authenticator app, or one of ten single-use recovery codes). Staff sessions
 * are shorter than delegates': they end after 30 idle minutes and, however
 * active, ten hours after sign-in.
 */

export const STAFF_ROLES = ['admin', 'coordinator', 'trainer', 'viewer'] as const;

/**
 * - `admin`: everything a coordinator can do, plus staff accounts, hub
 *   settings and policy, and the audit log.
 * - `coordinator`: runs the programme: courses, sessions, venues, trainers,
 *   delegates, bookings, registers and exports.
 * - `trainer`: sees and marks attendance for their own sessions only.
 * - `viewer`: read-only reporting; changes nothing.
 */
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Words for each role, as shown to staff. */
export const STAFF_ROLE_NAMES: Record<StaffRole, string> = {
  admin: 'Administrator',
  coordinator: 'Training coordinator',
  trainer: 'Trainer',
  viewer: 'Reporting viewer',
};

export function isStaffRole(value: unknown): value is StaffRole {
  return typeof value === 'string' && (STAFF_ROLES as readonly string[]).includes(value);
}

/** A signed-in staff session ends after this long without a request… */
export const STAFF_SESSION_IDLE_MINUTES = 30;
/** …and, however active, this long after the password was accepted. */
export const STAFF_SESSION_ABSOLUTE_HOURS = 10;
/** Between the password and the second factor (or enrolling one), at most this long. */
export const STAFF_SECOND_FACTOR_MINUTES = 10;

/** Authenticator codes: the usual 6 digits every 30 seconds (RFC 6238, SHA-1). */
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** One step either side, for a phone's clock a little out. */
export const TOTP_WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;

export type StaffSessionStage = 'second_factor' | 'enrol' | 'signed_in';

export type StaffSessionEnd = 'active' | 'idle' | 'expired' | 'revoked';

export function staffSessionState(
  session: { last_seen_at: string; expires_at: string; revoked_at: string | null },
  now: Date,
): StaffSessionEnd {
  if (session.revoked_at) return 'revoked';
  if (now >= new Date(session.expires_at)) return 'expired';
  if (now.getTime() - new Date(session.last_seen_at).getTime() > STAFF_SESSION_IDLE_MINUTES * 60_000) {
    return 'idle';
  }
  return 'active';
}
