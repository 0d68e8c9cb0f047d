/**
 * Reports on the programme: how many places were taken, whether people came,
 * and how many places were given up too late to offer to someone else. The
 * rules here are the ones every report shares, whatever it is grouped by.
 */
import type { AttendanceStatus } from './attendance.js';
import { type Policy, selfCancellationDeadline } from '../hub/policy.js';
import { addDays } from '../time/time.js';

/**
 * Fewer than this many in a group, and a rate or a comparison says more about
 * chance than about the group: the report says so beside it.
 */
export const TOO_FEW_TO_READ_INTO = 5;

export function tooFewToReadInto(count: number): boolean {
  return count < TOO_FEW_TO_READ_INTO;
}

/** What a report says of one delegate's attendance at a whole session. */
export type SessionAttendance = 'attended' | 'partial' | 'did_not_attend' | 'not_marked';

/**
 * A delegate's attendance at a session from the marks for its parts: attended
 * when every part is marked attended, did not attend when every part is
 * marked absent, partly attended when every part is marked in some other way,
 * and not marked while any part has no mark (nobody has yet said).
 */
export function sessionAttendance(parts: number, marks: readonly AttendanceStatus[]): SessionAttendance {
  if (parts === 0 || marks.length < parts) return 'not_marked';
  if (marks.every((mark) => mark === 'attended')) return 'attended';
  if (marks.every((mark) => mark === 'absent')) return 'did_not_attend';
  return 'partial';
}

/**
 * Whether a place given up at `cancelledAt` was given up late: at or after the
 * hub's cut-off for cancelling one's own place (see selfCancellationDeadline).
 */
export function isLateCancellation(
  sessionStartsAt: Date,
  cancelledAt: Date,
  policy: Pick<Policy, 'cancellationWorkingDays'>,
): boolean {
  return cancelledAt.getTime() >= selfCancellationDeadline(sessionStartsAt, policy).getTime();
}

export const MONTH_WORDS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

export interface ReportingYear {
  /** The calendar year the reporting year starts in: 2026 for April 2026 to March 2027. */
  startYear: number;
  /** London dates, both included. */
  from: string;
  to: string;
  /** "April 2026 to March 2027", or "2026" for a year starting in January. */
  words: string;
}

/** The reporting year starting in `startMonth` (1 to 12) of `startYear`. */
export function reportingYear(startYear: number, startMonth: number): ReportingYear {
  const month = String(startMonth).padStart(2, '0');
  const from = `${startYear}-${month}-01`;
  const nextStart = startMonth === 1 ? `${startYear + 1}-01-01` : `${startYear + 1}-${month}-01`;
  const lastMonth = MONTH_WORDS[(startMonth + 10) % 12]!;
  const words =
    startMonth === 1
      ? String(startYear)
      : `${MONTH_WORDS[startMonth - 1]} ${startYear} to ${lastMonth} ${startYear + 1}`;
  return { startYear, from, to: addDays(nextStart, -1), words };
}

/** The reporting year that London date `date` (YYYY-MM-DD) falls in. */
export function reportingYearOf(date: string, startMonth: number): ReportingYear {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return reportingYear(month >= startMonth ? year : year - 1, startMonth);
}

/**
 * How many gave each answer on one of feedback's five-point scales (1 to 5,
 * see domain/afterCourse/feedback.ts), with the mean of those who answered.
 */
export interface Distribution {
  /** counts[0] gave 1, counts[4] gave 5. */
  counts: readonly number[];
  answers: number;
  /** The mean answer, 1 to 5; null when nobody answered. */
  mean: number | null;
  /** Fewer than TOO_FEW_TO_READ_INTO answers. */
  tooFew: boolean;
}

/** The distribution of answers counted as `counts` (one count for each point, 1 first). */
export function distribution(counts: readonly number[]): Distribution {
  const answers = counts.reduce((sum, count) => sum + count, 0);
  const total = counts.reduce((sum, count, index) => sum + count * (index + 1), 0);
  return {
    counts: [...counts],
    answers,
    mean: answers ? total / answers : null,
    tooFew: tooFewToReadInto(answers),
  };
}

/**
 * The share of delegates asked for feedback who gave it (0 to 1); null when
 * nobody was asked. Everyone marked as at some or all of a session is asked
 * once, after it ends, so this is "responses ÷ delegates invited".
 */
export function responseRate(responses: number, invited: number): number | null {
  return invited ? responses / invited : null;
}
