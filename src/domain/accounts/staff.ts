/**
 * Staff: the people who run the hub's programme from the back office. Each
 * has one role; what a role may do is decided in one place,
 * domain/accounts/permissions.ts, which routes, the menu and services all ask.
 *
 * Staff sign-in needs a password and then a second factor (a code from an
 * authenticator app, or one of ten single-use recovery codes). Staff sessions
 * are shorter than delegates': they end after 30 idle minutes and, however
 * active, ten hours after sign-in.
 */
import type { SessionLimits } from './signInSessions.js';

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

/** A signed-in staff session, as the session store is given it. */
export const STAFF_SESSION_LIMITS: SessionLimits = {
  idleMinutes: STAFF_SESSION_IDLE_MINUTES,
  absoluteMinutes: STAFF_SESSION_ABSOLUTE_HOURS * 60,
};
/** A part-way one (password accepted, second factor still to come): ten minutes, however active. */
export const STAFF_PART_WAY_LIMITS: SessionLimits = {
  idleMinutes: STAFF_SECOND_FACTOR_MINUTES,
  absoluteMinutes: STAFF_SECOND_FACTOR_MINUTES,
};

/** The limits for a staff session at this stage of signing in (any but the last counts as part-way). */
export function staffSessionLimits(stage: StaffSessionStage | null): SessionLimits {
  return stage === 'signed_in' ? STAFF_SESSION_LIMITS : STAFF_PART_WAY_LIMITS;
}

/** Authenticator codes: the usual 6 digits every 30 seconds (RFC 6238, SHA-1). */
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** One step either side, for a phone's clock a little out. */
export const TOTP_WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;

export type StaffSessionStage = 'second_factor' | 'enrol' | 'signed_in';
