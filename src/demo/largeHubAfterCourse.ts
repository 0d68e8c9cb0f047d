/**
 * What follows a marked register at the large hub (src/demo/largeHub.ts):
 * certificates for everyone whose marks earn one, stated as the issuing
 * path states them and numbered by its unguessable generator, and feedback
 * on the learning outcomes from about half of those invited, and the
 * three-month follow-up, answered by about half of those asked. Written in
 * batches, as the rest of the large hub is: issuing one by one (with an
 * audit entry each) would take minutes at this size.
 */
import type { Insertable, Kysely } from 'kysely';

import type { CertificatesTable, DB, FeedbackResponsesTable, FollowUpRequestsTable } from '../data/schema.js';
import type { AttendanceStatus } from '../domain/afterCourse/attendance.js';
import type { CertificatePart } from '../domain/afterCourse/certificate.js';
import {
  FOLLOW_UP_LINK_DAYS,
  FOLLOW_UP_REMINDER_DAYS,
  type PracticeChange,
} from '../domain/afterCourse/followUp.js';
import { DEFAULT_POLICY } from '../domain/hub/policy.js';
import { certificateStatement, newCertificateNumber } from '../services/afterCourse/certificateIssuing.js';
import type { SeededRandom } from './seededRandom.js';

/** Rows per INSERT: well under both databases' limits on bound parameters. */
const BATCH = 400;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A confirmed place on a session that has ended, with its marks by part. */
export interface MarkedBooking {
  bookingId: number;
  sessionId: number;
  delegateName: string;
  delegateEmail: string;
  marks: ReadonlyMap<number, AttendanceStatus>;
}

export interface MarkedSessionFacts {
  courseId: number;
  endsAt: Date;
  parts: CertificatePart[];
  trainers: string[];
}

export interface LargeHubHistory {
  marked: readonly MarkedBooking[];
  sessions: ReadonlyMap<number, MarkedSessionFacts>;
  courses: ReadonlyMap<
    number,
    {
      title: string;
      cpdHours: number;
      outcomes: { id: number; text: string }[];
      keyAreas: { id: number; text: string }[];
    }
  >;
}

export interface AfterCourseCounts {
  certificates?: number;
  feedback?: number;
  followUps?: number;
  followUpsAnswered?: number;
}

/** One thing that follows the marked registers, in bulk; returns what it added. */
export type LargeHubAfterCourseStep = (
  db: Kysely<DB>,
  history: LargeHubHistory,
  rng: SeededRandom,
  now: Date,
) => Promise<AfterCourseCounts>;

/** The generated courses with their learning outcomes and key areas, in order. */
export async function coursesWithOutcomes(
  db: Kysely<DB>,
  courses: readonly { id: number; cpd: number; title: string }[],
): Promise<LargeHubHistory['courses']> {
  const courseIds = courses.map((c) => c.id);
  const listed = (table: 'course_learning_outcomes' | 'course_key_areas') =>
    db
      .selectFrom(table)
      .where('course_id', 'in', courseIds)
      .select(['id', 'course_id', 'text'])
      .orderBy('course_id')
      .orderBy('position')
      .execute();
  const [outcomes, keyAreas] = await Promise.all([
    listed('course_learning_outcomes'),
    listed('course_key_areas'),
  ]);
  const ofCourse = (rows: typeof outcomes, courseId: number) =>
    rows.filter((r) => r.course_id === courseId).map((r) => ({ id: r.id, text: r.text }));
  return new Map(
    courses.map((course) => [
      course.id,
      {
        title: course.title,
        cpdHours: course.cpd,
        outcomes: ofCourse(outcomes, course.id),
        keyAreas: ofCourse(keyAreas, course.id),
      },
    ]),
  );
}

async function inBatches<T>(rows: readonly T[], size: number, write: (batch: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += size) await write(rows.slice(i, i + size));
}

/** Certificates for every booking whose marks earn one under the default policy, issued an hour after the end. */
const issueCertificates: LargeHubAfterCourseStep = async (db, history) => {
  const rows: Insertable<CertificatesTable>[] = [];
  for (const booking of history.marked) {
    const session = history.sessions.get(booking.sessionId)!;
    const course = history.courses.get(session.courseId)!;
    const statement = certificateStatement(
      { delegateName: booking.delegateName, courseTitle: course.title, cpdHours: course.cpdHours },
      session.parts,
      booking.marks,
      session.trainers,
      course.outcomes.map((o) => o.text),
      DEFAULT_POLICY,
    );
    if (!statement) continue;
    const issuedAt = new Date(session.endsAt.getTime() + HOUR).toISOString();
    rows.push({
      number: newCertificateNumber(),
      booking_id: booking.bookingId,
      delegate_name: statement.delegateName,
      course_title: statement.courseTitle,
      attended_from: statement.attendedFrom,
      facts: statement.facts,
      issued_at: issuedAt,
      // The default policy never holds a certificate for feedback: downloadable when issued.
      released_at: issuedAt,
      withdrawn_at: null,
    });
  }
  await db
    .transaction()
    .execute((trx) =>
      inBatches(rows, BATCH, (batch) => trx.insertInto('certificates').values(batch).execute()),
    );
  return { certificates: rows.length };
};

const DO_DIFFERENTLY = [
  'Ask the direct question and record the answer in the person’s own words.',
  'Check what I am told with the other agencies involved.',
  'Use the escalation policy when I disagree with a decision.',
  'Talk to our safeguarding lead sooner.',
];
const HUB_SHOULD_CHANGE = ['More time for the case studies.', 'Send the slides before the day.'];

/**
 * Everyone marked as there (attended or partly) is invited, as the
 * invitation job does; about half answer, within a week, rating each
 * learning outcome before and after and the course's usefulness.
 */
const answerFeedback: LargeHubAfterCourseStep = async (db, history, rng, now) => {
  const invited = history.marked.filter((b) =>
    [...b.marks.values()].some((status) => status === 'attended' || status === 'partial'),
  );
  const bySession = new Map<number, number[]>();
  for (const booking of invited) {
    bySession.set(booking.sessionId, [...(bySession.get(booking.sessionId) ?? []), booking.bookingId]);
  }
  const responses: (Insertable<FeedbackResponsesTable> & { courseId: number })[] = [];
  for (const booking of invited) {
    if (rng.next() >= 0.5) continue;
    const session = history.sessions.get(booking.sessionId)!;
    const submitted = Math.min(session.endsAt.getTime() + rng.int(2, 7 * 24) * HOUR, now.getTime() - HOUR);
    const at = new Date(submitted).toISOString();
    const quoted = rng.next() < 0.02;
    responses.push({
      courseId: session.courseId,
      booking_id: booking.bookingId,
      usefulness: rng.next() < 0.05 ? null : rng.pick([2, 3, 4, 4, 5, 5]),
      do_differently: rng.next() < 0.3 ? rng.pick(DO_DIFFERENTLY) : '',
      hub_should_change: rng.next() < 0.15 ? rng.pick(HUB_SHOULD_CHANGE) : '',
      quote: quoted ? 'Practical, and I used it the week after.' : '',
      quote_consent: quoted ? rng.pick(['anonymous', 'job_role', 'name'] as const) : null,
      submitted_at: at,
      updated_at: at,
    });
  }
  await db.transaction().execute(async (trx) => {
    for (const [sessionId, bookingIds] of bySession) {
      const invitedAt = new Date(history.sessions.get(sessionId)!.endsAt.getTime() + 2 * HOUR).toISOString();
      await trx
        .updateTable('bookings')
        .set({ feedback_invited_at: invitedAt })
        .where('id', 'in', bookingIds)
        .execute();
    }
    await inBatches(responses, BATCH, async (batch) => {
      const ids = await trx
        .insertInto('feedback_responses')
        .values(batch.map(({ courseId: _courseId, ...row }) => row))
        .returning(['id', 'booking_id'])
        .execute();
      const courseOf = new Map(batch.map((r) => [r.booking_id, r.courseId]));
      const answers = ids.flatMap(({ id, booking_id }) =>
        history.courses.get(courseOf.get(booking_id)!)!.outcomes.map((outcome) => {
          const before = rng.pick([1, 2, 2, 3, 3, 4]);
          return {
            response_id: id,
            learning_outcome_id: outcome.id,
            outcome_text: outcome.text,
            confidence_before: before,
            confidence_after: Math.min(5, before + rng.pick([0, 1, 1, 2])),
          };
        }),
      );
      await inBatches(answers, BATCH, (rows) =>
        trx.insertInto('feedback_outcome_answers').values(rows).execute(),
      );
    });
  });
  return { feedback: responses.length };
};

const PRACTICE_EXAMPLES = [
  'I ask the direct question now, and record the answer in the person’s own words.',
  'I checked what a parent told me with the school before closing the case.',
  'I used the escalation policy when a referral was closed without a visit.',
];
const PRACTICE_OBSTACLES = ['Caseloads leave little time.', 'Other agencies are slow to reply.'];
const PRACTICE_SCALE: PracticeChange[] = [
  'not_at_all',
  'a_little',
  'somewhat',
  'somewhat',
  'a_lot',
  'a_lot',
  'not_applicable',
];

/**
 * The three-month follow-up under the default policy (delegates only, not
 * line managers): sent, as the job sends it, the policy's days after each
 * session that ended long enough ago, to everyone marked as there; about
 * half answered within a fortnight, the rest were reminded a week on. No
 * private links: they are only for answering, and these are long closed.
 */
const answerFollowUp: LargeHubAfterCourseStep = async (db, history, rng, now) => {
  const dueBy = now.getTime() - DEFAULT_POLICY.followUpDays * DAY;
  const requests: (Insertable<FollowUpRequestsTable> & { courseId: number })[] = [];
  for (const booking of history.marked) {
    const session = history.sessions.get(booking.sessionId)!;
    if (session.endsAt.getTime() > dueBy) continue;
    if (![...booking.marks.values()].some((status) => status === 'attended' || status === 'partial'))
      continue;
    const sent = session.endsAt.getTime() + DEFAULT_POLICY.followUpDays * DAY + rng.int(1, 59) * 60_000;
    const answeredAt = sent + rng.int(2, 14 * 24) * HOUR;
    const answered = rng.next() < 0.5 && answeredAt < now.getTime();
    const reminder = sent + FOLLOW_UP_REMINDER_DAYS * DAY;
    const remindedBy = answered ? answeredAt : now.getTime();
    requests.push({
      courseId: session.courseId,
      booking_id: booking.bookingId,
      respondent: 'delegate',
      email: booking.delegateEmail,
      sent_at: new Date(sent).toISOString(),
      expires_at: new Date(sent + FOLLOW_UP_LINK_DAYS * DAY).toISOString(),
      reminded_at: reminder < remindedBy ? new Date(reminder).toISOString() : null,
      answered_at: answered ? new Date(answeredAt).toISOString() : null,
      outcome: answered ? 'answered' : null,
      example: answered && rng.next() < 0.4 ? rng.pick(PRACTICE_EXAMPLES) : '',
      obstacles: answered && rng.next() < 0.25 ? rng.pick(PRACTICE_OBSTACLES) : '',
    });
  }
  let answeredCount = 0;
  await db.transaction().execute((trx) =>
    inBatches(requests, BATCH, async (batch) => {
      const ids = await trx
        .insertInto('follow_up_requests')
        .values(batch.map(({ courseId: _courseId, ...row }) => row))
        .returning(['id', 'booking_id', 'outcome'])
        .execute();
      const courseOf = new Map(batch.map((r) => [r.booking_id, r.courseId]));
      const answered = ids.filter((row) => row.outcome === 'answered');
      answeredCount += answered.length;
      const answers = answered.flatMap(({ id, booking_id }) =>
        history.courses.get(courseOf.get(booking_id)!)!.keyAreas.map((area) => ({
          request_id: id,
          key_area_id: area.id,
          key_area_text: area.text,
          practice_change: rng.pick(PRACTICE_SCALE),
        })),
      );
      await inBatches(answers, BATCH, (rows) => trx.insertInto('follow_up_answers').values(rows).execute());
    }),
  );
  return { followUps: requests.length, followUpsAnswered: answeredCount };
};

/** What follows the marked registers, in order. */
export const LARGE_HUB_AFTER_COURSE_STEPS: readonly LargeHubAfterCourseStep[] = [
  issueCertificates,
  answerFeedback,
  answerFollowUp,
];
