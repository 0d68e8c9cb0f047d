/**
 * Organisations, delegates and their bookings put in as they are, for the
 * demo loader filling a new database (tests set up hubs with it too). Nothing
 * here keeps the booking rules (locks, counting places, the waiting list):
 * bookings made while Trellis runs go through BookingRecords. The history of
 * the demo's past sessions (attendance marks, feedback, the follow-up) is put
 * in the same way; their certificates are issued by the real path (CertificateIssuing).
 */
import { sql, type Kysely, type Transaction } from 'kysely';

import type { AttendanceStatus } from '../../domain/afterCourse/attendance.js';
import type { BookingState } from '../../domain/programme/availability.js';
import type { QuoteConsent } from '../../domain/afterCourse/feedback.js';
import type { FollowUpRespondent, PracticeChange } from '../../domain/afterCourse/followUp.js';
import type { DB, Instant, OrganisationType } from '../schema.js';

type Executor = Kysely<DB> | Transaction<DB>;

export interface NewDelegate {
  name: string;
  email: string;
  organisationId: number | null;
  jobRole: string;
  lineManagerName: string;
  lineManagerEmail: string;
}

export interface NewBookingRecord {
  reference: string;
  sessionId: number;
  delegateId: number;
  state: BookingState;
  offerExpiresAt: Date | null;
}

export interface DemoMark {
  bookingId: number;
  sessionPartId: number;
  status: AttendanceStatus;
}

export interface DemoFeedback {
  bookingId: number;
  usefulness: number | null;
  doDifferently: string;
  hubShouldChange: string;
  quote: string;
  quoteConsent: QuoteConsent | null;
  submittedAt: Instant;
  outcomes: {
    learningOutcomeId: number;
    outcomeText: string;
    confidenceBefore: number | null;
    confidenceAfter: number | null;
  }[];
}

/** A follow-up request as it went: sent, perhaps reminded, perhaps answered. */
export interface DemoFollowUp {
  bookingId: number;
  respondent: FollowUpRespondent;
  email: string;
  sentAt: Instant;
  expiresAt: Instant;
  remindedAt: Instant | null;
  answeredAt: Instant | null;
  outcome: 'answered' | 'no_longer_works_with' | null;
  example: string;
  obstacles: string;
  keyAreas: { keyAreaId: number; keyAreaText: string; change: PracticeChange }[];
}

export class DemoRepository {
  constructor(private readonly db: Executor) {}

  within(trx: Transaction<DB>): DemoRepository {
    return new DemoRepository(trx);
  }

  async createOrganisation(name: string, type: OrganisationType, confirmedAt: Date | null, now: Date) {
    const row = await this.db
      .insertInto('organisations')
      .values({ name, type, confirmed_at: confirmedAt?.toISOString() ?? null, created_at: now.toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async createDelegate(delegate: NewDelegate, now: Date) {
    const row = await this.db
      .insertInto('delegates')
      .values({
        name: delegate.name,
        email: delegate.email.toLowerCase(),
        organisation_id: delegate.organisationId,
        job_role: delegate.jobRole,
        line_manager_name: delegate.lineManagerName,
        line_manager_email: delegate.lineManagerEmail.toLowerCase(),
        created_at: now.toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async insertBookings(bookings: NewBookingRecord[], now: Date) {
    if (!bookings.length) return;
    const at = now.toISOString();
    await this.db
      .insertInto('bookings')
      .values(
        bookings.map((b) => ({
          reference: b.reference,
          session_id: b.sessionId,
          delegate_id: b.delegateId,
          state: b.state,
          offer_expires_at: b.offerExpiresAt?.toISOString() ?? null,
          cancelled_at: null,
          cancellation_reason: null,
          // The organisation the (free) price is fixed for: the delegate's, as booking does.
          organisation_id: sql<number | null>`(select delegates.organisation_id from delegates where delegates.id = ${b.delegateId})`,
          created_at: at,
          updated_at: at,
        })),
      )
      .execute();
  }

  /**
   * A session's parts in order, its course's learning outcomes and key
   * areas, and the confirmed places on it with the addresses a follow-up
   * would go to.
   */
  async pastSession(sessionId: number) {
    const [parts, outcomes, keyAreas, bookings] = await Promise.all([
      this.db
        .selectFrom('session_parts')
        .where('session_id', '=', sessionId)
        .select(['id', 'starts_at', 'ends_at'])
        .orderBy('position')
        .execute(),
      this.db
        .selectFrom('course_learning_outcomes')
        .innerJoin('sessions', 'sessions.course_id', 'course_learning_outcomes.course_id')
        .where('sessions.id', '=', sessionId)
        .select(['course_learning_outcomes.id', 'course_learning_outcomes.text'])
        .orderBy('course_learning_outcomes.position')
        .execute(),
      this.db
        .selectFrom('course_key_areas')
        .innerJoin('sessions', 'sessions.course_id', 'course_key_areas.course_id')
        .where('sessions.id', '=', sessionId)
        .select(['course_key_areas.id', 'course_key_areas.text'])
        .orderBy('course_key_areas.position')
        .execute(),
      this.db
        .selectFrom('bookings')
        .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
        .where('bookings.session_id', '=', sessionId)
        .where('bookings.state', '=', 'confirmed')
        .select(['bookings.id', 'delegates.email', 'delegates.line_manager_email'])
        .orderBy('bookings.id')
        .execute(),
    ]);
    return { parts, outcomes, keyAreas, bookings };
  }

  async insertMarks(marks: readonly DemoMark[], markedAt: Instant) {
    if (!marks.length) return;
    await this.db
      .insertInto('attendance')
      .values(
        marks.map((m) => ({
          booking_id: m.bookingId,
          session_part_id: m.sessionPartId,
          status: m.status,
          note: '',
          marked_by_staff_id: null,
          marked_at: markedAt,
        })),
      )
      .execute();
  }

  async markFeedbackInvited(bookingIds: readonly number[], invitedAt: Instant) {
    if (!bookingIds.length) return;
    await this.db
      .updateTable('bookings')
      .set({ feedback_invited_at: invitedAt })
      .where('id', 'in', bookingIds)
      .execute();
  }

  async insertFeedback(feedback: DemoFeedback) {
    const { id } = await this.db
      .insertInto('feedback_responses')
      .values({
        booking_id: feedback.bookingId,
        usefulness: feedback.usefulness,
        do_differently: feedback.doDifferently,
        hub_should_change: feedback.hubShouldChange,
        quote: feedback.quote,
        quote_consent: feedback.quoteConsent,
        submitted_at: feedback.submittedAt,
        updated_at: feedback.submittedAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (!feedback.outcomes.length) return;
    await this.db
      .insertInto('feedback_outcome_answers')
      .values(
        feedback.outcomes.map((o) => ({
          response_id: id,
          learning_outcome_id: o.learningOutcomeId,
          outcome_text: o.outcomeText,
          confidence_before: o.confidenceBefore,
          confidence_after: o.confidenceAfter,
        })),
      )
      .execute();
  }

  /** Follow-up requests and their answers, put in as they went (no links: the demo's history was never emailed). */
  async insertFollowUps(followUps: readonly DemoFollowUp[]) {
    if (!followUps.length) return;
    const rows = await this.db
      .insertInto('follow_up_requests')
      .values(
        followUps.map((f) => ({
          booking_id: f.bookingId,
          respondent: f.respondent,
          email: f.email.toLowerCase(),
          sent_at: f.sentAt,
          expires_at: f.expiresAt,
          reminded_at: f.remindedAt,
          answered_at: f.answeredAt,
          outcome: f.outcome,
          example: f.example,
          obstacles: f.obstacles,
        })),
      )
      .returning(['id', 'booking_id', 'respondent'])
      .execute();
    const idOf = new Map(rows.map((r) => [`${r.booking_id} ${r.respondent}`, r.id]));
    const answers = followUps.flatMap((f) =>
      f.keyAreas.map((a) => ({
        request_id: idOf.get(`${f.bookingId} ${f.respondent}`)!,
        key_area_id: a.keyAreaId,
        key_area_text: a.keyAreaText,
        practice_change: a.change,
      })),
    );
    if (answers.length) await this.db.insertInto('follow_up_answers').values(answers).execute();
  }
}
