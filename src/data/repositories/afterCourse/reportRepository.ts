/**
 * The report service's reads. Each report is a handful of grouped queries
 * (places and attendance by every grouping at once, cancellations, feedback,
 * follow-up), so a year at a large hub is counted by the database in a few
 * statements rather than read a booking at a time.
 */
import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';

import { ON_REGISTER } from '../../../domain/afterCourse/attendance.js';
import { PRACTICE_CHANGES, type FollowUpRespondent, type PracticeChange } from '../../../domain/afterCourse/followUp.js';
import type { DB, Instant } from '../../schema.js';
import { bookingsWithDelegates, taughtBy } from '../sharedQueries.js';

/** Which sessions a report covers: one session, or those starting in [from, to), perhaps of one course. */
export type ReportScope =
  | { sessionId: number }
  | { from: Instant; to: Instant; courseId?: number };

/** How a report's rows are grouped. */
export type ReportGrouping = 'total' | 'organisationType' | 'organisation' | 'jobRole' | 'course' | 'session';

export interface GroupedCounts {
  /** What the row is grouped on (an id or a word); null for delegates with none. */
  key: string | null;
  /** The row's name as stored: an organisation's or course's name, a job role, a session's start. */
  label: string | null;
  places: number;
  attended: number;
  partial: number;
  didNotAttend: number;
  /** Places whose delegate was asked for feedback (bookings.feedback_invited_at). */
  invited: number;
  /** Places with feedback given. */
  responses: number;
  /** How many answered each point of "how useful was it", 1 first. */
  usefulness: number[];
}

/** The answers on one learning outcome, as worded when it was asked, on one course. */
export interface OutcomeCounts {
  courseId: number;
  courseTitle: string;
  wording: string;
  /** Whether the course still asks about an outcome in exactly these words. */
  stillAsked: boolean;
  /** How many answered each point of the confidence scale, 1 first. */
  before: number[];
  after: number[];
}

const SCALE_POINTS = [1, 2, 3, 4, 5] as const;

/**
 * The three-month follow-up's requests about one course's sessions, to
 * delegates or to line managers, about delegates of one organisation (or of
 * none given).
 */
export interface FollowUpRequestCounts {
  courseId: number;
  courseTitle: string;
  /** The delegate's organisation, as the attendance groupings read it: null for delegates who gave none. */
  organisation: { id: string; name: string; type: string } | null;
  respondent: FollowUpRespondent;
  /** Requests sent. */
  asked: number;
  /** Requests answered with the questions (whichever were answered). */
  answered: number;
  /** Line managers who said the delegate no longer works with them. */
  noLongerWorksWith: number;
}

/** How many gave each answer on one key area, as worded when it was asked, on one course. */
export interface KeyAreaCounts {
  courseId: number;
  courseTitle: string;
  wording: string;
  /** Whether the course still has a key area in exactly these words. */
  stillAsked: boolean;
  respondent: FollowUpRespondent;
  counts: Record<PracticeChange, number>;
}

/** A place given up, read with what a report groups it by. */
export interface GivenUpPlace {
  sessionStartsAt: Instant;
  cancelledAt: Instant;
  /** The audit entry's action and details: they say whether the booking held a place. */
  action: string;
  details: string;
  keys: Record<Exclude<ReportGrouping, 'total'>, { key: string | null; label: string | null }>;
}

/** Audit actions that cancel one booking (a delegate's own, or the hub's for them); the retention job keeps them. */
export const ONE_BOOKING_CANCELLED = ['cancelled_confirmed', 'booking_cancelled'];

// `eb` is left loose: the same columns are read from the joined query below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Expr = Expression<any>;

/** The key and label each grouping reads. */
function groupingColumns(grouping: ReportGrouping): { key: Expr; label: Expr } {
  switch (grouping) {
    case 'total':
      return { key: sql`'all'`, label: sql`'all'` };
    case 'organisationType':
      return { key: sql`organisations.type`, label: sql`organisations.type` };
    case 'organisation':
      return { key: sql`organisations.id`, label: sql`organisations.name` };
    case 'jobRole':
      // Typed freely: "Social worker" and "social worker " are one role.
      return { key: sql`lower(trim(delegates.job_role))`, label: sql`lower(trim(delegates.job_role))` };
    case 'course':
      return { key: sql`courses.id`, label: sql`courses.title` };
    case 'session':
      return { key: sql`sessions.id`, label: sql`sessions.starts_at` };
  }
}

function emptyCounts(key: string | null, label: string | null): GroupedCounts {
  return {
    key,
    label,
    places: 0,
    attended: 0,
    partial: 0,
    didNotAttend: 0,
    invited: 0,
    responses: 0,
    usefulness: SCALE_POINTS.map(() => 0),
  };
}

export class ReportRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Bookings with their delegate, organisation, session and course, within `scope`. */
  private scoped(scope: ReportScope) {
    let query = bookingsWithDelegates(this.db)
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('courses', 'courses.id', 'sessions.course_id');
    if ('sessionId' in scope) return query.where('sessions.id', '=', scope.sessionId);
    query = query.where('sessions.starts_at', '>=', scope.from).where('sessions.starts_at', '<', scope.to);
    return scope.courseId === undefined ? query : query.where('sessions.course_id', '=', scope.courseId);
  }

  /**
   * Places taken (bookings on the register) and how many of them attended
   * every part, some, or none (see domain/afterCourse/reports.ts sessionAttendance: a
   * booking with any part unmarked is in none of the three); and of those
   * places, how many were asked for feedback, gave it, and how useful they
   * found the course: in total, and grouped by each of `groupings`.
   *
   * One statement: each place is read once, with its attendance marks
   * summed and its feedback (a materialised table of one row per booking), and
   * that table is then counted once per grouping, the groups joined with
   * UNION ALL. Reading the year's attendance marks once rather than once per
   * grouping is what keeps a year report at a large hub quick; grouping by
   * every key at once would not help, as organisation, job role and course
   * together are nearly one group per place.
   */
  async placesAndAttendance(
    scope: ReportScope,
    groupings: readonly Exclude<ReportGrouping, 'total'>[],
  ): Promise<{ total: GroupedCounts; grouped: Map<ReportGrouping, GroupedCounts[]> }> {
    const dimensions = (['organisationType', 'organisation', 'jobRole', 'course', 'session'] as const).flatMap(
      (grouping) => {
        const { key, label } = groupingColumns(grouping);
        return [
          { name: `${grouping}_key`, value: key },
          { name: `${grouping}_label`, value: label },
        ];
      },
    );
    // Each booking's marks, summed once. A session's or a course's report sums only its own
    // bookings' marks; the year's sums every booking's, as reading them all in order of booking
    // is quicker than picking out most of them.
    let marked = this.db.selectFrom('attendance');
    if ('sessionId' in scope || scope.courseId !== undefined) {
      const inScope = this.scoped(scope).select('bookings.id');
      marked = marked.where('attendance.booking_id', 'in', inScope);
    }
    const marks = marked
      .groupBy('attendance.booking_id')
      .select([
        'attendance.booking_id',
        sql<number>`count(*)`.as('marked'),
        sql<number>`sum(case when attendance.status = 'attended' then 1 else 0 end)`.as('attended'),
        sql<number>`sum(case when attendance.status = 'absent' then 1 else 0 end)`.as('absent'),
      ])
      .as('marks');
    const parts = this.db
      .selectFrom('session_parts')
      .groupBy('session_parts.session_id')
      .select(['session_parts.session_id', sql<number>`count(*)`.as('parts')])
      .as('parts');
    const perPlace = this.scoped(scope)
      .leftJoin('feedback_responses', 'feedback_responses.booking_id', 'bookings.id')
      .leftJoin(marks, 'marks.booking_id', 'bookings.id')
      .leftJoin(parts, 'parts.session_id', 'sessions.id')
      .where('bookings.state', 'in', ON_REGISTER)
      .select([
        ...dimensions.map((d) => sql`${d.value}`.as(d.name)),
        'parts.parts',
        // No marks at all reads as none marked.
        sql<number>`coalesce(marks.marked, 0)`.as('marked'),
        sql<number>`coalesce(marks.attended, 0)`.as('attended'),
        sql<number>`coalesce(marks.absent, 0)`.as('absent'),
        sql<number>`case when bookings.feedback_invited_at is not null then 1 else 0 end`.as('invited'),
        'feedback_responses.id as response_id',
        'feedback_responses.usefulness',
      ]);
    const complete = sql<SqlBool>`marked = parts`;
    const counted = [
      sql<number>`count(*)`.as('places'),
      sql<number>`sum(case when ${complete} and attended = parts then 1 else 0 end)`.as('attended'),
      sql<number>`sum(case when ${complete} and absent = parts then 1 else 0 end)`.as('did_not_attend'),
      sql<number>`sum(case when ${complete} and attended < parts and absent < parts then 1 else 0 end)`.as(
        'partial',
      ),
      sql<number>`sum(invited)`.as('invited'),
      sql<number>`count(response_id)`.as('responses'),
      ...SCALE_POINTS.map((point) =>
        sql<number>`sum(case when usefulness = ${sql.lit(point)} then 1 else 0 end)`.as(`useful_${point}`),
      ),
    ];
    // Keys are read as text in every branch, so the branches' columns agree (PostgreSQL asks it).
    let query = this.db
      .with(
        (cte) => cte('places').materialized(),
        () => perPlace,
      )
      .selectFrom('places')
      .select([
        sql<string>`'total'`.as('grouping'),
        sql<string | null>`cast(null as text)`.as('key'),
        sql<string | null>`cast(null as text)`.as('label'),
        ...counted,
      ]);
    for (const grouping of groupings) {
      const key = sql.ref(`${grouping}_key`);
      query = query.unionAll((eb) =>
        eb
          .selectFrom('places')
          .groupBy(key)
          .select([
            sql<string>`${sql.lit(grouping)}`.as('grouping'),
            sql<string | null>`cast(${key} as text)`.as('key'),
            sql<string | null>`cast(min(${sql.ref(`${grouping}_label`)}) as text)`.as('label'),
            ...counted,
          ]),
      );
    }
    const rows = await query.execute();

    let total = emptyCounts('all', 'all');
    const grouped = new Map<ReportGrouping, GroupedCounts[]>(groupings.map((grouping) => [grouping, []]));
    for (const row of rows as Record<string, unknown>[]) {
      const counts: GroupedCounts = {
        key: row.key === null ? null : String(row.key),
        label: row.label === null ? null : String(row.label),
        places: Number(row.places ?? 0),
        attended: Number(row.attended ?? 0),
        partial: Number(row.partial ?? 0),
        didNotAttend: Number(row.did_not_attend ?? 0),
        invited: Number(row.invited ?? 0),
        responses: Number(row.responses ?? 0),
        usefulness: SCALE_POINTS.map((point) => Number(row[`useful_${point}`] ?? 0)),
      };
      if (row.grouping === 'total') total = { ...counts, key: 'all', label: 'all' };
      else grouped.get(row.grouping as ReportGrouping)?.push(counts);
    }
    return { total, grouped };
  }

  /**
   * Confidence before and after on each learning outcome, by course and by
   * the outcome's words as asked (a course's outcomes may be reworded over a
   * period; answers are kept with the words the delegate saw), in one
   * grouped statement. Outcomes come in the order first asked. Like the
   * other feedback figures, only places taken count.
   */
  async outcomeAnswers(scope: ReportScope): Promise<OutcomeCounts[]> {
    const counts = (column: 'confidence_before' | 'confidence_after', prefix: string) =>
      SCALE_POINTS.map((point) =>
        sql<number>`sum(case when feedback_outcome_answers.${sql.ref(column)} = ${sql.lit(point)} then 1 else 0 end)`.as(
          `${prefix}_${point}`,
        ),
      );
    const rows = await this.scoped(scope)
      .innerJoin('feedback_responses', 'feedback_responses.booking_id', 'bookings.id')
      .innerJoin('feedback_outcome_answers', 'feedback_outcome_answers.response_id', 'feedback_responses.id')
      .where('bookings.state', 'in', ON_REGISTER)
      .groupBy(['courses.id', 'courses.title', 'feedback_outcome_answers.outcome_text'])
      .select([
        'courses.id as course_id',
        'courses.title as course_title',
        'feedback_outcome_answers.outcome_text',
        sql<number>`min(feedback_outcome_answers.learning_outcome_id)`.as('first_asked'),
        sql<number>`case when exists (
          select 1 from course_learning_outcomes
          where course_learning_outcomes.course_id = courses.id
            and course_learning_outcomes.text = feedback_outcome_answers.outcome_text
        ) then 1 else 0 end`.as('still_asked'),
        ...counts('confidence_before', 'before'),
        ...counts('confidence_after', 'after'),
      ])
      .orderBy('courses.title')
      .orderBy('courses.id')
      .orderBy(sql`min(feedback_outcome_answers.learning_outcome_id)`)
      .orderBy('feedback_outcome_answers.outcome_text')
      .execute();
    return rows.map((row) => {
      const read = (prefix: string) =>
        SCALE_POINTS.map((point) => Number((row as Record<string, unknown>)[`${prefix}_${point}`] ?? 0));
      return {
        courseId: Number(row.course_id),
        courseTitle: row.course_title,
        wording: row.outcome_text,
        stillAsked: Number(row.still_asked) === 1,
        before: read('before'),
        after: read('after'),
      };
    });
  }

  /**
   * The three-month follow-up's requests about the places in `scope`, by
   * course, by the delegate's organisation and by who was asked, in one
   * grouped statement; the service sums these for the total and for each
   * grouping. Course × organisation × respondent stays small (a few hundred
   * rows for a large hub's year), where a statement per grouping would be
   * one more read of the year's requests each. Every request sent counts,
   * whatever has happened to the booking since: it was sent about a place
   * someone attended.
   */
  async followUpRequests(scope: ReportScope): Promise<FollowUpRequestCounts[]> {
    const rows = await this.scoped(scope)
      .innerJoin('follow_up_requests', 'follow_up_requests.booking_id', 'bookings.id')
      .groupBy([
        'courses.id',
        'courses.title',
        'organisations.id',
        'organisations.name',
        'organisations.type',
        'follow_up_requests.respondent',
      ])
      .select([
        'courses.id as course_id',
        'courses.title as course_title',
        'organisations.id as organisation_id',
        'organisations.name as organisation_name',
        'organisations.type as organisation_type',
        'follow_up_requests.respondent',
        sql<number>`count(*)`.as('asked'),
        sql<number>`sum(case when follow_up_requests.outcome = 'answered' then 1 else 0 end)`.as('answered'),
        sql<number>`sum(case when follow_up_requests.outcome = 'no_longer_works_with' then 1 else 0 end)`.as(
          'no_longer_works_with',
        ),
      ])
      .orderBy('courses.title')
      .orderBy('courses.id')
      .orderBy('follow_up_requests.respondent')
      .execute();
    return rows.map((row) => ({
      courseId: Number(row.course_id),
      courseTitle: row.course_title,
      organisation:
        row.organisation_id === null
          ? null
          : {
              id: String(row.organisation_id),
              name: String(row.organisation_name),
              type: String(row.organisation_type),
            },
      respondent: row.respondent,
      asked: Number(row.asked),
      answered: Number(row.answered ?? 0),
      noLongerWorksWith: Number(row.no_longer_works_with ?? 0),
    }));
  }

  /**
   * How many gave each answer on each key area, by course, by the key area's
   * words as asked (answers are kept with the words the person saw) and by
   * who answered, in one grouped statement. Key areas come in the order first
   * asked.
   */
  async keyAreaAnswers(scope: ReportScope): Promise<KeyAreaCounts[]> {
    const rows = await this.scoped(scope)
      .innerJoin('follow_up_requests', 'follow_up_requests.booking_id', 'bookings.id')
      .innerJoin('follow_up_answers', 'follow_up_answers.request_id', 'follow_up_requests.id')
      .groupBy([
        'courses.id',
        'courses.title',
        'follow_up_answers.key_area_text',
        'follow_up_requests.respondent',
      ])
      .select([
        'courses.id as course_id',
        'courses.title as course_title',
        'follow_up_answers.key_area_text',
        'follow_up_requests.respondent',
        sql<number>`case when exists (
          select 1 from course_key_areas
          where course_key_areas.course_id = courses.id
            and course_key_areas.text = follow_up_answers.key_area_text
        ) then 1 else 0 end`.as('still_asked'),
        ...PRACTICE_CHANGES.map((change) =>
          sql<number>`sum(case when follow_up_answers.practice_change = ${sql.lit(change)} then 1 else 0 end)`.as(
            `change_${change}`,
          ),
        ),
      ])
      .orderBy('courses.title')
      .orderBy('courses.id')
      .orderBy(sql`min(follow_up_answers.key_area_id)`)
      .orderBy('follow_up_answers.key_area_text')
      .orderBy('follow_up_requests.respondent')
      .execute();
    return rows.map((row) => ({
      courseId: Number(row.course_id),
      courseTitle: row.course_title,
      wording: row.key_area_text,
      stillAsked: Number(row.still_asked) === 1,
      respondent: row.respondent,
      counts: Object.fromEntries(
        PRACTICE_CHANGES.map((change) => [
          change,
          Number((row as Record<string, unknown>)[`change_${change}`] ?? 0),
        ]),
      ) as Record<PracticeChange, number>,
    }));
  }

  /**
   * Bookings cancelled one at a time (by the delegate, or by the hub for them)
   * on sessions that went ahead, with the audit entry that cancelled each.
   * Whether each was late depends on its session's cut-off in working days,
   * which the service works out; only cancellations are read, never every booking.
   */
  async placesGivenUp(scope: ReportScope): Promise<GivenUpPlace[]> {
    const rows = await this.scoped(scope)
      .innerJoin('audit_log', (join) =>
        join
          .on('audit_log.entity_type', '=', 'booking')
          .onRef('audit_log.entity_id', '=', 'bookings.id')
          .on('audit_log.action', 'in', ONE_BOOKING_CANCELLED),
      )
      .where('bookings.state', '=', 'cancelled')
      .where('bookings.cancelled_by', 'in', ['delegate', 'hub'])
      .where('sessions.cancelled_at', 'is', null)
      .select([
        'sessions.starts_at',
        'bookings.cancelled_at',
        'audit_log.action',
        'audit_log.details',
        'organisations.type as organisation_type',
        'organisations.id as organisation_id',
        'organisations.name as organisation_name',
        'delegates.job_role',
        'courses.id as course_id',
        'courses.title as course_title',
        'sessions.id as session_id',
      ])
      .execute();
    const text = (value: string | number | null) => (value === null ? null : String(value));
    return rows.map((row) => {
      const role = row.job_role.trim().toLowerCase();
      return {
        sessionStartsAt: row.starts_at,
        cancelledAt: row.cancelled_at as Instant,
        action: row.action,
        details: row.details,
        keys: {
          organisationType: { key: text(row.organisation_type), label: text(row.organisation_type) },
          organisation: { key: text(row.organisation_id), label: text(row.organisation_name) },
          jobRole: { key: role, label: role },
          course: { key: String(row.course_id), label: row.course_title },
          session: { key: String(row.session_id), label: row.starts_at },
        },
      };
    });
  }

  /** A session with its course, and whether `trainerId` teaches it; undefined when there is none. */
  async session(sessionId: number, trainerId: number | null) {
    return this.db
      .selectFrom('sessions')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('sessions.id', '=', sessionId)
      .select([
        'sessions.id',
        'sessions.starts_at',
        'sessions.cancelled_at',
        'courses.id as course_id',
        'courses.title as course_title',
      ])
      .select((eb) => taughtBy(trainerId)(eb).as('teaches_it'))
      .executeTakeFirst();
  }

  async course(courseId: number) {
    return this.db
      .selectFrom('courses')
      .where('id', '=', courseId)
      .select(['id', 'title'])
      .executeTakeFirst();
  }

  /** Every course, for choosing which to report on. */
  async courses() {
    return this.db.selectFrom('courses').select(['id', 'title']).orderBy('title').orderBy('id').execute();
  }
}
