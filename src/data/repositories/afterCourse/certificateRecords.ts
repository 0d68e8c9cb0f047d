/**
 * CertificateRecords: the one way in for certificates of attendance. The
 * attendance service issues and withdraws them as marks change, the account
 * service when a delegate's name changes, and the certificate service reads
 * them for downloads and the verification page.
 */
import type { Selectable } from 'kysely';

import type { AttendanceStatus } from '../../../domain/afterCourse/attendance.js';
import type { CertificatesTable, Executor, Instant } from '../../schema.js';
import { partsOfSessions } from '../sharedQueries.js';

export type CertificateRow = Selectable<CertificatesTable>;

export interface NewCertificate {
  number: string;
  bookingId: number;
  delegateName: string;
  courseTitle: string;
  attendedFrom: Instant;
  /** JSON text. */
  facts: string;
  /** When it can be downloaded from; null while it waits for the delegate's feedback. */
  releasedAt: Instant | null;
}

export class CertificateRecords {
  constructor(private readonly db: Executor) {}

  /** What each booking's certificate would say: its delegate, course and session. */
  bookingFacts(bookingIds: readonly number[]) {
    if (!bookingIds.length) return Promise.resolve([]);
    return this.db
      .selectFrom('bookings')
      .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('bookings.id', 'in', bookingIds)
      .select([
        'bookings.id',
        'bookings.reference',
        'bookings.state',
        'bookings.session_id',
        'bookings.feedback_invited_at',
        'sessions.ends_at as session_ends_at',
        'sessions.cancelled_at as session_cancelled_at',
        'delegates.id as delegate_id',
        'delegates.name as delegate_name',
        'delegates.email as delegate_email',
        'courses.id as course_id',
        'courses.title as course_title',
        'courses.cpd_hours',
      ])
      .select(({ exists, selectFrom }) =>
        exists(
          selectFrom('feedback_responses')
            .select('feedback_responses.id')
            .whereRef('feedback_responses.booking_id', '=', 'bookings.id'),
        ).as('feedback_given'),
      )
      .execute();
  }

  sessionParts(sessionIds: readonly number[]) {
    return partsOfSessions(this.db, sessionIds);
  }

  sessionTrainers(sessionIds: readonly number[]) {
    if (!sessionIds.length) return Promise.resolve([]);
    return this.db
      .selectFrom('session_trainers')
      .innerJoin('trainers', 'trainers.id', 'session_trainers.trainer_id')
      .where('session_trainers.session_id', 'in', sessionIds)
      .select(['session_trainers.session_id', 'trainers.id as trainer_id', 'trainers.name'])
      .orderBy('session_trainers.session_id')
      .orderBy('session_trainers.position')
      .execute();
  }

  learningOutcomes(courseIds: readonly number[]) {
    if (!courseIds.length) return Promise.resolve([]);
    return this.db
      .selectFrom('course_learning_outcomes')
      .where('course_id', 'in', courseIds)
      .select(['course_id', 'text'])
      .orderBy('course_id')
      .orderBy('position')
      .execute();
  }

  marks(bookingIds: readonly number[]): Promise<
    { booking_id: number; session_part_id: number; status: AttendanceStatus }[]
  > {
    if (!bookingIds.length) return Promise.resolve([]);
    return this.db
      .selectFrom('attendance')
      .where('booking_id', 'in', bookingIds)
      .select(['booking_id', 'session_part_id', 'status'])
      .execute();
  }

  /** The valid certificate of each booking that has one. */
  validFor(bookingIds: readonly number[]): Promise<CertificateRow[]> {
    if (!bookingIds.length) return Promise.resolve([]);
    return this.db
      .selectFrom('certificates')
      .where('booking_id', 'in', bookingIds)
      .where('withdrawn_at', 'is', null)
      .selectAll()
      .execute();
  }

  /** Bookings of a delegate that hold a valid certificate. */
  async bookingsWithValidCertificate(delegateId: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('certificates')
      .innerJoin('bookings', 'bookings.id', 'certificates.booking_id')
      .where('bookings.delegate_id', '=', delegateId)
      .where('certificates.withdrawn_at', 'is', null)
      .select('bookings.id')
      .execute();
    return rows.map((row) => row.id);
  }

  async insert(certificate: NewCertificate, now: Instant): Promise<void> {
    await this.db
      .insertInto('certificates')
      .values({
        number: certificate.number,
        booking_id: certificate.bookingId,
        delegate_name: certificate.delegateName,
        course_title: certificate.courseTitle,
        attended_from: certificate.attendedFrom,
        facts: certificate.facts,
        issued_at: now,
        released_at: certificate.releasedAt,
      })
      .execute();
  }

  async withdraw(id: number, now: Instant): Promise<void> {
    await this.db
      .updateTable('certificates')
      .set({ withdrawn_at: now })
      .where('id', '=', id)
      .where('withdrawn_at', 'is', null)
      .execute();
  }

  byNumber(number: string): Promise<CertificateRow | undefined> {
    return this.db.selectFrom('certificates').where('number', '=', number).selectAll().executeTakeFirst();
  }

  /** A delegate's valid certificate for one of their bookings, by its reference. */
  validForDelegateBooking(delegateId: number, reference: string): Promise<CertificateRow | undefined> {
    return this.db
      .selectFrom('certificates')
      .innerJoin('bookings', 'bookings.id', 'certificates.booking_id')
      .where('bookings.delegate_id', '=', delegateId)
      .where('bookings.reference', '=', reference)
      .where('certificates.withdrawn_at', 'is', null)
      .where('certificates.released_at', 'is not', null)
      .selectAll('certificates')
      .executeTakeFirst();
  }

  /** The references of a delegate's bookings with a valid certificate they can download. */
  async referencesWithCertificate(delegateId: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('certificates')
      .innerJoin('bookings', 'bookings.id', 'certificates.booking_id')
      .where('bookings.delegate_id', '=', delegateId)
      .where('certificates.withdrawn_at', 'is', null)
      .where('certificates.released_at', 'is not', null)
      .select('bookings.reference')
      .execute();
    return rows.map((row) => row.reference);
  }

  /** The references of a delegate's bookings whose certificate waits for their feedback. */
  async referencesWaitingForFeedback(delegateId: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('certificates')
      .innerJoin('bookings', 'bookings.id', 'certificates.booking_id')
      .where('bookings.delegate_id', '=', delegateId)
      .where('certificates.withdrawn_at', 'is', null)
      .where('certificates.released_at', 'is', null)
      .select('bookings.reference')
      .execute();
    return rows.map((row) => row.reference);
  }

  /**
   * Bookings whose certificate waits for feedback that will never be asked
   * for: not invited, and their session ended before `endedBefore` (the
   * invitations' window).
   */
  async waitingWithoutInvitation(endedBefore: Instant): Promise<number[]> {
    const rows = await this.db
      .selectFrom('certificates')
      .innerJoin('bookings', 'bookings.id', 'certificates.booking_id')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .where('certificates.withdrawn_at', 'is', null)
      .where('certificates.released_at', 'is', null)
      .where('bookings.feedback_invited_at', 'is', null)
      .where('sessions.ends_at', '<=', endedBefore)
      .select('bookings.id')
      .execute();
    return rows.map((row) => row.id);
  }

  /**
   * Makes waiting certificates downloadable: those of `bookingIds`, or every
   * one when none are named (the hub stopped asking for feedback first).
   * Returns what was released, for the "certificate ready" emails.
   */
  release(now: Instant, bookingIds?: readonly number[]): Promise<CertificateRow[]> {
    if (bookingIds && !bookingIds.length) return Promise.resolve([]);
    return this.db
      .updateTable('certificates')
      .set({ released_at: now })
      .where('withdrawn_at', 'is', null)
      .where('released_at', 'is', null)
      .$if(bookingIds !== undefined, (q) => q.where('booking_id', 'in', bookingIds!))
      .returningAll()
      .execute();
  }

  /** A session's course title and start, or undefined when there is no such session. */
  session(sessionId: number) {
    return this.db
      .selectFrom('sessions')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('sessions.id', '=', sessionId)
      .select(['sessions.id', 'sessions.starts_at', 'courses.title as course_title', 'courses.slug as course_slug'])
      .executeTakeFirst();
  }

  /** A session's valid certificates, by the delegate's name as it stands on them. */
  validForSession(sessionId: number): Promise<CertificateRow[]> {
    return this.db
      .selectFrom('certificates')
      .innerJoin('bookings', 'bookings.id', 'certificates.booking_id')
      .where('bookings.session_id', '=', sessionId)
      .where('certificates.withdrawn_at', 'is', null)
      .selectAll('certificates')
      .orderBy('certificates.delegate_name')
      .orderBy('certificates.id')
      .execute();
  }
}
