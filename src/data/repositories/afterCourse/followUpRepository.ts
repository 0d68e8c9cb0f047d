/**
 * The follow-up service's reads and writes: requests claimed (one per booking
 * and respondent, by inserting it), reminders claimed, answers, managers'
 * opt-outs. Reports read the follow-up's figures themselves, in grouped
 * statements (reportRepository.ts).
 */
import {
  type FollowUpRespondent,
  type PracticeChange,
} from '../../../domain/afterCourse/followUp.js';
import type { Executor, Instant } from '../../schema.js';
import { attendedPlacesEnded } from '../sharedQueries.js';

/** A request to send: who it goes to, about which booking. */
export interface DueFollowUp {
  bookingId: number;
  respondent: FollowUpRespondent;
  email: string;
  name: string;
}

export interface FollowUpAnswers {
  keyAreas: { keyAreaId: number; keyAreaText: string; change: PracticeChange }[];
  example: string;
  obstacles: string;
}

export class FollowUpRepository {
  constructor(private readonly db: Executor) {}

  within(trx: Executor): FollowUpRepository {
    return new FollowUpRepository(trx);
  }

  /** The places the follow-up is about (see sharedQueries), with their delegate, not merged away. */
  private attendedBookings(endedAfter: Instant, endedBy: Instant) {
    return attendedPlacesEnded(this.db, endedAfter, endedBy)
      .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
      .where('delegates.merged_into_id', 'is', null);
  }

  /** Delegates due their follow-up and not yet sent it. */
  async delegatesDue(endedAfter: Instant, endedBy: Instant): Promise<DueFollowUp[]> {
    const rows = await this.attendedBookings(endedAfter, endedBy)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('follow_up_requests')
              .select('follow_up_requests.id')
              .whereRef('follow_up_requests.booking_id', '=', 'bookings.id')
              .where('follow_up_requests.respondent', '=', 'delegate'),
          ),
        ),
      )
      .select(['bookings.id', 'delegates.email', 'delegates.name'])
      .orderBy('bookings.id')
      .execute();
    return rows.map((r) => ({ bookingId: r.id, respondent: 'delegate', email: r.email, name: r.name }));
  }

  /**
   * Line managers due a follow-up: the delegate gave one (not their own
   * address), the manager has not opted out, and has not said before that
   * the delegate no longer works with them.
   */
  async managersDue(endedAfter: Instant, endedBy: Instant): Promise<DueFollowUp[]> {
    const rows = await this.attendedBookings(endedAfter, endedBy)
      .where('delegates.line_manager_email', '<>', '')
      .whereRef('delegates.line_manager_email', '<>', 'delegates.email')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('follow_up_requests')
              .select('follow_up_requests.id')
              .whereRef('follow_up_requests.booking_id', '=', 'bookings.id')
              .where('follow_up_requests.respondent', '=', 'line_manager'),
          ),
        ),
      )
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('follow_up_opt_outs')
              .select('follow_up_opt_outs.email')
              .whereRef('follow_up_opt_outs.email', '=', 'delegates.line_manager_email'),
          ),
        ),
      )
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('follow_up_requests as earlier')
              .innerJoin('bookings as earlier_booking', 'earlier_booking.id', 'earlier.booking_id')
              .select('earlier.id')
              .whereRef('earlier_booking.delegate_id', '=', 'bookings.delegate_id')
              .whereRef('earlier.email', '=', 'delegates.line_manager_email')
              .where('earlier.outcome', '=', 'no_longer_works_with'),
          ),
        ),
      )
      .select(['bookings.id', 'delegates.line_manager_email', 'delegates.line_manager_name'])
      .orderBy('bookings.id')
      .execute();
    return rows.map((r) => ({
      bookingId: r.id,
      respondent: 'line_manager',
      email: r.line_manager_email,
      name: r.line_manager_name,
    }));
  }

  /**
   * Claims one request by inserting it: its id for the one caller whose
   * insert lands, null for any other (the unique booking and respondent).
   */
  async claim(due: DueFollowUp, now: Instant, expiresAt: Instant): Promise<number | null> {
    const row = await this.db
      .insertInto('follow_up_requests')
      .values({
        booking_id: due.bookingId,
        respondent: due.respondent,
        email: due.email.toLowerCase(),
        sent_at: now,
        expires_at: expiresAt,
        example: '',
        obstacles: '',
      })
      .onConflict((conflict) => conflict.columns(['booking_id', 'respondent']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return row?.id ?? null;
  }

  /** Requests sent by `sentBy`, unanswered, not reminded, still open, and not to an address that opted out. */
  async remindersDue(sentBy: Instant, now: Instant): Promise<number[]> {
    const rows = await this.db
      .selectFrom('follow_up_requests')
      .where('sent_at', '<=', sentBy)
      .where('expires_at', '>', now)
      .where('reminded_at', 'is', null)
      .where('answered_at', 'is', null)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('follow_up_opt_outs')
              .select('follow_up_opt_outs.email')
              .whereRef('follow_up_opt_outs.email', '=', 'follow_up_requests.email'),
          ),
        ),
      )
      .select('id')
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Claims a request's one reminder: true only for the one caller whose update lands. */
  async claimReminder(requestId: number, now: Instant): Promise<boolean> {
    const result = await this.db
      .updateTable('follow_up_requests')
      .set({ reminded_at: now })
      .where('id', '=', requestId)
      .where('reminded_at', 'is', null)
      .where('answered_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** A request with what its page and emails say: the course, its session and the delegate. */
  request(requestId: number) {
    return this.db
      .selectFrom('follow_up_requests')
      .innerJoin('bookings', 'bookings.id', 'follow_up_requests.booking_id')
      .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('follow_up_requests.id', '=', requestId)
      .select([
        'follow_up_requests.id',
        'follow_up_requests.booking_id',
        'follow_up_requests.respondent',
        'follow_up_requests.email',
        'follow_up_requests.sent_at',
        'follow_up_requests.expires_at',
        'follow_up_requests.answered_at',
        'follow_up_requests.outcome',
        'delegates.name as delegate_name',
        'delegates.line_manager_name',
        'courses.id as course_id',
        'courses.title as course_title',
        'sessions.starts_at as session_starts_at',
      ])
      .executeTakeFirst();
  }

  /** The course's key areas, in order, as the form asks them now. */
  keyAreas(courseId: number) {
    return this.db
      .selectFrom('course_key_areas')
      .where('course_id', '=', courseId)
      .select(['id', 'text'])
      .orderBy('position')
      .orderBy('id')
      .execute();
  }

  /** Records the answers, once: false if the request was answered meanwhile (a second tab, say). */
  async saveAnswers(requestId: number, answers: FollowUpAnswers, now: Instant): Promise<boolean> {
    const result = await this.db
      .updateTable('follow_up_requests')
      .set({ answered_at: now, outcome: 'answered', example: answers.example, obstacles: answers.obstacles })
      .where('id', '=', requestId)
      .where('answered_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    if (answers.keyAreas.length) {
      await this.db
        .insertInto('follow_up_answers')
        .values(
          answers.keyAreas.map((a) => ({
            request_id: requestId,
            key_area_id: a.keyAreaId,
            key_area_text: a.keyAreaText,
            practice_change: a.change,
          })),
        )
        .execute();
    }
    return true;
  }

  /** A manager says the delegate no longer works with them: the request is closed with that outcome. */
  async recordNoLongerWorksWith(requestId: number, now: Instant): Promise<boolean> {
    const result = await this.db
      .updateTable('follow_up_requests')
      .set({ answered_at: now, outcome: 'no_longer_works_with' })
      .where('id', '=', requestId)
      .where('respondent', '=', 'line_manager')
      .where('answered_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** An address asks never to be sent a follow-up again; asking twice is no error. */
  async optOut(email: string, now: Instant): Promise<void> {
    await this.db
      .insertInto('follow_up_opt_outs')
      .values({ email: email.toLowerCase(), opted_out_at: now })
      .onConflict((conflict) => conflict.column('email').doNothing())
      .execute();
  }

  async hasOptedOut(email: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('follow_up_opt_outs')
      .where('email', '=', email.toLowerCase())
      .select('email')
      .executeTakeFirst();
    return row !== undefined;
  }
}
