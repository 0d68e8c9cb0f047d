/**
 * Reports for the people who answer to a board: for a session, for a course
 * over a chosen period, and for the hub's reporting year, how many places
 * were taken, whether people came, and how many places were given up after
 * the cut-off, in total and by organisation type, organisation, job role and
 * (for the year) course; and what delegates said in their feedback: how
 * many were asked and answered, how useful they found the course, and their
 * confidence before and after on each learning outcome; and what the
 * three-month follow-up found: how many delegates and line managers were
 * asked and answered, and on each key area whether practice changed.
 * Figures are counted
 * by the database in grouped queries, a fixed number per report however
 * large the hub.
 */
import {
  ReportRepository,
  type FollowUpRequestCounts,
  type GroupedCounts,
  type KeyAreaCounts,
  type OutcomeCounts,
  type ReportGrouping,
  type ReportScope,
} from '../../data/repositories/afterCourse/reportRepository.js';
import type { Instant } from '../../data/schema.js';
import { ON_REGISTER } from '../../domain/afterCourse/attendance.js';
import {
  PRACTICE_CHANGES,
  type FollowUpRespondent,
  type PracticeChange,
} from '../../domain/afterCourse/followUp.js';
import { maySeeSession } from '../../domain/accounts/permissions.js';
import type { Policy } from '../../domain/hub/policy.js';
import {
  distribution,
  isLateCancellation,
  reportingYear,
  reportingYearOf,
  responseRate,
  tooFewToReadInto,
  type Distribution,
  type ReportingYear,
} from '../../domain/afterCourse/reports.js';
import { londonDate } from '../../domain/time/time.js';
import { FormError, NotFoundError } from '../../errors.js';
import { EXPORT_MAX_DAYS, exportRange, type StaffMember } from './attendanceService.js';
import type { ServiceDeps } from '../deps.js';

export interface Figures {
  /** Places taken: bookings on the register. */
  places: number;
  attended: number;
  partial: number;
  didNotAttend: number;
  /** Places taken whose attendance is not yet marked for every part. */
  notMarked: number;
  /** Places given up at or after the cut-off, by the delegate or by the hub for them. */
  lateCancellations: number;
  /** Too few places in this row to read anything into its figures. */
  tooFew: boolean;
  feedback: FeedbackFigures;
}

/** Of a row's places taken: who was asked for feedback, who gave it, and how useful they found the course. */
export interface FeedbackFigures {
  invited: number;
  responses: number;
  /** responses ÷ invited (domain/afterCourse/reports.ts responseRate); null when nobody was invited. */
  rate: number | null;
  usefulness: Distribution;
  /** Fewer than five responses: the rate and the usefulness say more about chance than the row. */
  tooFew: boolean;
}

/** Confidence before and after on one learning outcome, as worded when it was asked. */
export interface OutcomeFigures {
  wording: string;
  /** False when the course no longer asks about it in these words (it was reworded or removed). */
  stillAsked: boolean;
  before: Distribution;
  after: Distribution;
}

/** A course's learning outcomes with what delegates answered on each. */
export interface CourseOutcomes {
  courseId: number;
  courseTitle: string;
  outcomes: OutcomeFigures[];
}

/** Of the follow-up requests sent to one kind of respondent: how many were answered. */
export interface FollowUpResponses {
  asked: number;
  answered: number;
  /** Line managers who said the delegate no longer works with them: asked, not answered. */
  noLongerWorksWith: number;
  /** answered ÷ asked (domain/afterCourse/reports.ts responseRate); null when nobody was asked. */
  rate: number | null;
  /** Fewer than five answered. */
  tooFew: boolean;
}

export type FollowUpByRespondent = Record<FollowUpRespondent, FollowUpResponses>;

/** One kind of respondent's answers on one key area. */
export interface PracticeChangeCounts {
  counts: Record<PracticeChange, number>;
  /** Answers on the scale, "Not at all" to "A lot": "Not applicable" says nothing of change. */
  onScale: number;
  /** Fewer than five answers on the scale. */
  tooFew: boolean;
}

/** Whether practice changed in one key area, as worded when it was asked. */
export interface KeyAreaFigures {
  wording: string;
  /** False when the course no longer has a key area in these words. */
  stillAsked: boolean;
  byRespondent: Record<FollowUpRespondent, PracticeChangeCounts>;
}

export interface CourseKeyAreas {
  courseId: number;
  courseTitle: string;
  keyAreas: KeyAreaFigures[];
}

/** The follow-up's requests about delegates of one organisation type or one organisation. */
export interface FollowUpGroup {
  /** Keyed as the attendance rows are (a type, an organisation's id); null for delegates who gave no organisation. */
  key: string | null;
  /** The type, or the organisation's name, as stored. */
  label: string | null;
  byRespondent: FollowUpByRespondent;
}

/** The three-month follow-up's part of a report. */
export interface FollowUpPart {
  total: FollowUpByRespondent;
  /** By course, for the year report's response rate by course (others have one course at most). */
  byCourse: { courseId: number; courseTitle: string; byRespondent: FollowUpByRespondent }[];
  /** By the delegate's organisation type and organisation (the agency), as attendance and feedback are. */
  byOrganisationType: FollowUpGroup[];
  byOrganisation: FollowUpGroup[];
  courses: CourseKeyAreas[];
  /** The hub's days after a session ends that the follow-up is sent, now. */
  followUpDays: number;
}

export interface ReportRow {
  /** What the row is grouped on, as stored (an id, a type, a job role in lower case, a session's start). */
  key: string | null;
  label: string | null;
  figures: Figures;
}

export interface ReportSection {
  grouping: Exclude<ReportGrouping, 'total'>;
  rows: ReportRow[];
}

/**
 * A report: each kind of figure is a part of its own (attendance and feedback
 * by row; confidence on the learning outcomes by course), so the three-month
 * follow-up's figures can join as one more part, with its own query, template
 * macro and CSV rows.
 */
export interface Report {
  total: Figures;
  sections: ReportSection[];
  /** One entry per course with answers on its learning outcomes (a session's or course's report: at most one). */
  outcomes: CourseOutcomes[];
  /** The three-month follow-up's figures about the sessions in this report. */
  followUp: FollowUpPart;
  /** The cut-off in working days that "late" was counted against. */
  cancellationWorkingDays: number;
}

const SESSION_GROUPINGS = ['organisationType', 'organisation', 'jobRole'] as const;
const COURSE_GROUPINGS = ['session', 'organisationType', 'organisation', 'jobRole'] as const;
const YEAR_GROUPINGS = ['course', 'organisationType', 'organisation', 'jobRole'] as const;

export interface Period {
  /** London dates, both included. */
  from: string;
  to: string;
}

export class ReportService {
  private readonly repository: ReportRepository;

  constructor(private readonly deps: ServiceDeps) {
    this.repository = new ReportRepository(deps.db);
  }

  /** A session's report, for staff who may see the session (trainers: their own). */
  async sessionReport(sessionId: number, staff: StaffMember) {
    const session = await this.repository.session(sessionId, staff.trainerId);
    if (!session || !maySeeSession(staff, Boolean(Number(session.teaches_it)))) {
      throw new NotFoundError('session');
    }
    return {
      session: {
        id: session.id,
        startsAt: new Date(session.starts_at),
        cancelled: session.cancelled_at !== null,
        courseId: session.course_id,
        courseTitle: session.course_title,
      },
      report: await this.figures({ sessionId }, SESSION_GROUPINGS),
    };
  }

  /** A course's report over a period; FormError for dates out of order or too far apart. */
  async courseReport(courseId: number, period: Period) {
    const course = await this.repository.course(courseId);
    if (!course) throw new NotFoundError('course');
    const range = reportRange(period);
    return { course, report: await this.figures({ ...range, courseId }, COURSE_GROUPINGS) };
  }

  /** The year report for the board: the reporting year starting in `startYear`, or the current one. */
  async yearReport(startYear?: number) {
    const policy = (await this.deps.context()).policy;
    const year =
      startYear === undefined
        ? this.currentYear(policy)
        : reportingYear(startYear, policy.reportingYearStartMonth);
    const range = reportRange(year);
    return { year, report: await this.figures(range, YEAR_GROUPINGS, policy) };
  }

  /** The reporting year today is in. */
  async currentReportingYear(): Promise<ReportingYear> {
    return this.currentYear((await this.deps.context()).policy);
  }

  async courses() {
    return this.repository.courses();
  }

  private currentYear(policy: Policy): ReportingYear {
    return reportingYearOf(londonDate(this.deps.clock.now()), policy.reportingYearStartMonth);
  }

  private async figures(
    scope: ReportScope,
    groupings: readonly ReportSection['grouping'][],
    known?: Policy,
  ): Promise<Report> {
    const policy = known ?? (await this.deps.context()).policy;
    const [places, given, outcomeCounts, requestCounts, keyAreaCounts] = await Promise.all([
      this.repository.placesAndAttendance(scope, groupings),
      this.repository.placesGivenUp(scope),
      this.repository.outcomeAnswers(scope),
      this.repository.followUpRequests(scope),
      this.repository.keyAreaAnswers(scope),
    ]);
    const late = given.filter(
      (place) =>
        heldAPlace(place.action, place.details) &&
        isLateCancellation(new Date(place.sessionStartsAt), new Date(place.cancelledAt), policy),
    );
    const sections = groupings.map((grouping) => {
      const lateByKey = new Map<string | null, { label: string | null; count: number }>();
      for (const place of late) {
        const { key, label } = place.keys[grouping];
        const entry = lateByKey.get(key) ?? { label, count: 0 };
        entry.count += 1;
        lateByKey.set(key, entry);
      }
      const rows: ReportRow[] = (places.grouped.get(grouping) ?? []).map((counts) => {
        const lateHere = lateByKey.get(counts.key)?.count ?? 0;
        lateByKey.delete(counts.key);
        return { key: counts.key, label: counts.label, figures: toFigures(counts, lateHere) };
      });
      // Groups whose every place was given up late still have a row.
      for (const [key, { label, count }] of lateByKey) {
        rows.push({ key, label, figures: toFigures(undefined, count) });
      }
      return { grouping, rows };
    });
    return {
      total: toFigures(places.total.places > 0 ? places.total : undefined, late.length),
      sections,
      outcomes: byCourse(outcomeCounts),
      followUp: followUpPart(requestCounts, keyAreaCounts, policy.followUpDays),
      cancellationWorkingDays: policy.cancellationWorkingDays,
    };
  }
}

/** The outcomes' answers grouped by course, in the order the repository gives them. */
function byCourse(counts: readonly OutcomeCounts[]): CourseOutcomes[] {
  const courses = new Map<number, CourseOutcomes>();
  for (const row of counts) {
    const course = courses.get(row.courseId) ?? {
      courseId: row.courseId,
      courseTitle: row.courseTitle,
      outcomes: [],
    };
    course.outcomes.push({
      wording: row.wording,
      stillAsked: row.stillAsked,
      before: distribution(row.before),
      after: distribution(row.after),
    });
    courses.set(row.courseId, course);
  }
  return [...courses.values()];
}

function responses(asked: number, answered: number, noLongerWorksWith: number): FollowUpResponses {
  return {
    asked,
    answered,
    noLongerWorksWith,
    rate: responseRate(answered, asked),
    tooFew: tooFewToReadInto(answered),
  };
}

/** The requests' counts for one course, or summed over several, by respondent. */
function byRespondent(counts: readonly FollowUpRequestCounts[]): FollowUpByRespondent {
  const sum = (respondent: FollowUpRespondent) => {
    const mine = counts.filter((row) => row.respondent === respondent);
    const add = (pick: (row: FollowUpRequestCounts) => number) => mine.reduce((n, row) => n + pick(row), 0);
    return responses(
      add((row) => row.asked),
      add((row) => row.answered),
      add((row) => row.noLongerWorksWith),
    );
  };
  return { delegate: sum('delegate'), line_manager: sum('line_manager') };
}

function practiceChangeCounts(counts: Record<PracticeChange, number>): PracticeChangeCounts {
  const onScale = PRACTICE_CHANGES.filter((change) => change !== 'not_applicable').reduce(
    (n, change) => n + counts[change],
    0,
  );
  return { counts: { ...counts }, onScale, tooFew: tooFewToReadInto(onScale) };
}

const NO_ANSWERS = Object.fromEntries(PRACTICE_CHANGES.map((change) => [change, 0])) as Record<
  PracticeChange,
  number
>;

/** The requests summed by what `keyOf` reads from each row, in the order first met. */
function followUpGroups(
  requests: readonly FollowUpRequestCounts[],
  keyOf: (row: FollowUpRequestCounts) => { key: string | null; label: string | null },
): FollowUpGroup[] {
  const groups = new Map<
    string | null,
    { key: string | null; label: string | null; rows: FollowUpRequestCounts[] }
  >();
  for (const row of requests) {
    const { key, label } = keyOf(row);
    const group = groups.get(key) ?? { key, label, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ key, label, rows }) => ({
    key,
    label,
    byRespondent: byRespondent(rows),
  }));
}

/**
 * The follow-up part: requests in total, by course, by organisation type and
 * by organisation, and key areas' answers by course and wording.
 */
function followUpPart(
  requests: readonly FollowUpRequestCounts[],
  answers: readonly KeyAreaCounts[],
  followUpDays: number,
): FollowUpPart {
  const courses = new Map<number, { courseId: number; courseTitle: string; rows: FollowUpRequestCounts[] }>();
  for (const row of requests) {
    const course = courses.get(row.courseId) ?? {
      courseId: row.courseId,
      courseTitle: row.courseTitle,
      rows: [],
    };
    course.rows.push(row);
    courses.set(row.courseId, course);
  }
  const keyAreas = new Map<number, CourseKeyAreas>();
  const areas = new Map<string, KeyAreaFigures>();
  for (const row of answers) {
    const course = keyAreas.get(row.courseId) ?? {
      courseId: row.courseId,
      courseTitle: row.courseTitle,
      keyAreas: [],
    };
    keyAreas.set(row.courseId, course);
    const key = `${row.courseId}\u0000${row.wording}`;
    let area = areas.get(key);
    if (!area) {
      area = {
        wording: row.wording,
        stillAsked: row.stillAsked,
        byRespondent: {
          delegate: practiceChangeCounts(NO_ANSWERS),
          line_manager: practiceChangeCounts(NO_ANSWERS),
        },
      };
      areas.set(key, area);
      course.keyAreas.push(area);
    }
    area.byRespondent[row.respondent] = practiceChangeCounts(row.counts);
  }
  return {
    total: byRespondent(requests),
    byCourse: [...courses.values()].map((course) => ({
      courseId: course.courseId,
      courseTitle: course.courseTitle,
      byRespondent: byRespondent(course.rows),
    })),
    byOrganisationType: followUpGroups(requests, (row) => ({
      key: row.organisation?.type ?? null,
      label: row.organisation?.type ?? null,
    })),
    byOrganisation: followUpGroups(requests, (row) => ({
      key: row.organisation?.id ?? null,
      label: row.organisation?.name ?? null,
    })),
    courses: [...keyAreas.values()],
    followUpDays,
  };
}

/** Whether the cancelling audit entry says the booking held a place (not a waiting-list entry). */
function heldAPlace(action: string, details: string): boolean {
  if (action === 'cancelled_confirmed') return true;
  try {
    const fromState = (JSON.parse(details) as { fromState?: unknown }).fromState;
    return typeof fromState === 'string' && (ON_REGISTER as readonly string[]).includes(fromState);
  } catch {
    return false;
  }
}

function toFigures(counts: GroupedCounts | undefined, lateCancellations: number): Figures {
  const places = counts?.places ?? 0;
  const attended = counts?.attended ?? 0;
  const partial = counts?.partial ?? 0;
  const didNotAttend = counts?.didNotAttend ?? 0;
  const invited = counts?.invited ?? 0;
  const responses = counts?.responses ?? 0;
  return {
    places,
    attended,
    partial,
    didNotAttend,
    notMarked: places - attended - partial - didNotAttend,
    lateCancellations,
    tooFew: tooFewToReadInto(places + lateCancellations),
    feedback: {
      invited,
      responses,
      rate: responseRate(responses, invited),
      usefulness: distribution(counts?.usefulness ?? [0, 0, 0, 0, 0]),
      tooFew: tooFewToReadInto(responses),
    },
  };
}

/** Sessions starting on the period's London dates, both included. */
function reportRange(period: Period): { from: Instant; to: Instant } {
  const days = (Date.parse(`${period.to}T00:00Z`) - Date.parse(`${period.from}T00:00Z`)) / 86_400_000 + 1;
  if (days > EXPORT_MAX_DAYS) {
    throw new FormError({ to: 'Choose dates at most 2 years apart' });
  }
  return exportRange(period);
}
