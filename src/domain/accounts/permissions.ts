/**
 * What each staff role may do in the back office, in one place. Routes are
 * guarded with a capability (`requireStaff('runProgramme')`), the menu shows
 * an area to those who hold its capability, and services ask the same
 * questions (`holds(role, 'seeAccessNeeds')`), so the answers cannot drift
 * apart. Nothing else in Trellis lists roles: a test fails if it does.
 *
 * Anyone without the capability a page needs gets the ordinary "page not
 * found", so nobody learns which back-office pages exist.
 */
import type { StaffRole } from './staff.js';

export const CAPABILITIES = {
  /** Signs in to the back office: the dashboard and their own password. */
  useBackOffice: ['admin', 'coordinator', 'trainer', 'viewer'],
  /**
   * Sees sessions, their bookings and registers. Trainers see only the
   * sessions they teach (`sessionsTaughtBy`).
   */
  seeSessions: ['admin', 'coordinator', 'trainer', 'viewer'],
  /** Reads the programme and the people on it: courses, venues, trainers, delegates, organisations. */
  readProgramme: ['admin', 'coordinator', 'viewer'],
  /**
   * Reads reports across the programme: course and year reports, and the
   * exports of bookings and attendance.
   */
  readReports: ['admin', 'coordinator', 'viewer'],
  /**
   * Reads a session's report. Trainers read the reports of the sessions
   * they teach (`maySeeSession`), never another's or the programme's.
   */
  readSessionReports: ['admin', 'coordinator', 'trainer', 'viewer'],
  /**
   * Runs the programme: courses, sessions, venues, trainers, bookings,
   * delegates and organisations, and the emails that could not be sent.
   */
  runProgramme: ['admin', 'coordinator'],
  /**
   * Sees who wrote each feedback answer. Everyone else who reads feedback
   * (trainers, their own sessions; reporting viewers) reads it without names.
   */
  seeFeedbackNames: ['admin', 'coordinator'],
  /** Marks attendance for a session: trainers for the sessions they teach. */
  markAttendance: ['admin', 'coordinator', 'trainer'],
  /**
   * Sees delegates' access and dietary needs: the people who arrange the
   * room and teach in it. A reporting viewer has no need to know.
   */
  seeAccessNeeds: ['admin', 'coordinator', 'trainer'],
  /**
   * Manages staff accounts: adds staff, gives roles, disables, resets. The
   * hub always keeps one active person who holds this, or nobody could.
   */
  manageStaff: ['admin'],
  /** Reads the audit log of every staff change. */
  readAuditLog: ['admin'],
  /** Changes the hub's settings and policy. */
  changeSettings: ['admin'],
  /**
   * Handles money: reviews charges, makes and issues invoices and credit
   * notes, records payments, sets organisations' billing details, exports
   * for the finance system.
   */
  handleMoney: ['admin', 'coordinator'],
  /**
   * Answers people's rights under UK GDPR: produces everything Trellis holds
   * about a person for a subject access request, and erases a person on
   * request (keeping only what the law says must be kept), each audited.
   */
  handlePersonalData: ['admin'],
  /** Reads the finance totals (invoiced, credited, paid, outstanding), without any organisation's figures. */
  readFinanceTotals: ['admin', 'coordinator', 'viewer'],
} as const satisfies Record<string, readonly StaffRole[]>;

export type Capability = keyof typeof CAPABILITIES;

/** Whether someone in `role` may do what `capability` names. */
export function holds(role: StaffRole, capability: Capability): boolean {
  return (CAPABILITIES[capability] as readonly StaffRole[]).includes(role);
}

/** The roles that hold `capability`. */
export function rolesHolding(capability: Capability): readonly StaffRole[] {
  return CAPABILITIES[capability];
}

/** Roles that see only the sessions they teach, and their bookings and registers. */
const OWN_SESSIONS_ONLY: readonly StaffRole[] = ['trainer'];

/** Whether someone in `role` sees only the sessions they teach (and so is linked to a trainer). */
export function seesOnlyOwnSessions(role: StaffRole): boolean {
  return OWN_SESSIONS_ONLY.includes(role);
}

/** No trainer has this id: a trainer account not linked to a trainer teaches nothing. */
const NOBODY = -1;

/**
 * The trainer whose sessions are the only ones this person sees, or
 * undefined when they see every session.
 */
export function sessionsTaughtBy(staff: { role: StaffRole; trainerId: number | null }): number | undefined {
  return seesOnlyOwnSessions(staff.role) ? (staff.trainerId ?? NOBODY) : undefined;
}

/**
 * Whether this person may see a session; `teachesIt` says whether they (as a
 * trainer) teach it. Those who may not are told it does not exist.
 */
export function maySeeSession(
  staff: { role: StaffRole; trainerId: number | null },
  teachesIt: boolean,
): boolean {
  return !seesOnlyOwnSessions(staff.role) || (staff.trainerId !== null && teachesIt);
}
