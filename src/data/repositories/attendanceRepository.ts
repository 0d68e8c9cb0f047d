/**
 * A session's register as records: the session's facts, who is booked on
 * it, and the attendance marked for each booking and part.
 */
import { sql, type Kysely, type Transaction } from 'kysely';

import { ON_REGISTER, type AttendanceStatus } from '../../domain/afterCourse/attendance.js';
import type { DB, Instant } from '../schema.js';
import { bookingsWithDelegates, sessionPartsInOrder, sessionsWithCourseAndVenue } from './sharedQueries.js';

type Executor = Kysely<DB> | Transaction<DB>;

export interface MarkRecord {
  bookingId: number;
  partId: number;
  status: AttendanceStatus;
  note: string;
}

export class AttendanceRepository {
  constructor(private readonly db: Executor) {}

  findSession(sessionId: number) {
    return sessionsWithCourseAndVenue(this.db)
      .where('sessions.id', '=', sessionId)
      .select([
        'sessions.id',
        'sessions.format',
        'sessions.starts_at',
        'sessions.ends_at',
        'sessions.cancelled_at',
        'sessions.cancellation_reason',
        'courses.title as course_title',
        'courses.slug as course_slug',
        'venues.name as venue_name',
        'venues.address_lines as venue_address_lines',
        'venues.town as venue_town',
        'venues.postcode as venue_postcode',
      ])
      .executeTakeFirst();
  }

  parts(sessionId: number) {
    return sessionPartsInOrder(this.db, sessionId);
  }

  trainers(sessionId: number) {
    return this.db
      .selectFrom('session_trainers')
      .innerJoin('trainers', 'trainers.id', 'session_trainers.trainer_id')
      .where('session_trainers.session_id', '=', sessionId)
      .select(['trainers.id', 'trainers.name'])
      .orderBy('session_trainers.position')
      .execute();
  }

  /** Delegates on the register, with what the sheet and the CSV show. */
  registerBookings(sessionId: number) {
    return bookingsWithDelegates(this.db)
      .where('bookings.session_id', '=', sessionId)
      .where('bookings.state', 'in', ON_REGISTER)
      .select([
        'bookings.id',
        'bookings.reference',
        'bookings.created_at',
        'delegates.name',
        'delegates.email',
        'delegates.job_role',
        'organisations.name as organisation_name',
        // Whether, never what: the register is not the place for access needs.
        sql<number>`case when bookings.access_needs is not null and trim(bookings.access_needs) <> '' then 1 else 0 end`.as(
          'has_access_needs',
        ),
      ])
      .orderBy('bookings.id')
      .execute();
  }

  /** Every mark on the session's parts, with who made it. */
  marks(sessionId: number) {
    return this.db
      .selectFrom('attendance')
      .innerJoin('session_parts', 'session_parts.id', 'attendance.session_part_id')
      .leftJoin('staff_users', 'staff_users.id', 'attendance.marked_by_staff_id')
      .where('session_parts.session_id', '=', sessionId)
      .select([
        'attendance.booking_id',
        'attendance.session_part_id',
        'attendance.status',
        'attendance.note',
        'attendance.marked_at',
        'staff_users.name as marked_by_name',
      ])
      .execute();
  }

  /** Writes a mark, replacing the booking's earlier mark for that part. */
  async saveMark(mark: MarkRecord, staffId: number, now: Instant): Promise<void> {
    await this.db
      .insertInto('attendance')
      .values({
        booking_id: mark.bookingId,
        session_part_id: mark.partId,
        status: mark.status,
        note: mark.note,
        marked_by_staff_id: staffId,
        marked_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['booking_id', 'session_part_id']).doUpdateSet({
          status: mark.status,
          note: mark.note,
          marked_by_staff_id: staffId,
          marked_at: now,
        }),
      )
      .execute();
  }
}
