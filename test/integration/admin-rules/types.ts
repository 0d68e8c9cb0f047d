/**
 * Who may use each back-office route, as data. Each area of the back office
 * keeps its rules in its own file here; admin-authorisation.test.ts joins
 * them and fails when a route under /admin has none. The roles are written
 * out here, not read from domain/accounts/permissions.ts, so that a change to who
 * holds a capability shows up as a failing rule rather than passing quietly.
 *
 * Routes with parameters are opened with sample values (see SAMPLE_PARAMS in
 * the test): a session the signed-in trainer teaches, its course, a booking
 * on it, and so on, so "trainer" in a rule means "a trainer of that session".
 * Only these parameter names have samples:
 *   :sessionId :courseId :venueId :trainerId :reference :delegateId
 *   :organisationId :staffId :invoiceId (an issued invoice) :lineId (its line)
 */
import type { StaffRole } from '../../../src/domain/accounts/staff.js';

/** Steps of signing in, open to anyone (each checks its own stage). */
export type SignInStep = 'sign-in step';

/** "METHOD /path" → the roles allowed (others get the ordinary 404). */
export type AdminRules = Record<string, readonly StaffRole[] | SignInStep>;

export const EVERYONE: readonly StaffRole[] = ['admin', 'coordinator', 'trainer', 'viewer'];
/** Everyone who may see the programme; trainers see only their own sessions. */
export const READERS: readonly StaffRole[] = ['admin', 'coordinator', 'viewer'];
/** Everyone who may change the programme. */
export const RUNNERS: readonly StaffRole[] = ['admin', 'coordinator'];
export const ADMINS: readonly StaffRole[] = ['admin'];
