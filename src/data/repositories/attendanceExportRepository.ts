/**
 * Reads for the bookings export, made to run in small batches: a large hub
 * has hundreds of thousands of bookings, and an export must neither hold
 * them all in memory nor hold the database (SQLite has one connection) for
 * the whole download. The export first lists the sessions in its range with
 * how many bookings each has, then reads the bookings a few sessions at a time.
 */
import { sql, type Kysely } from 'kysely';

import type { BookingState } from '../../domain/programme/availability.js';
import type { DB, Instant } from '../schema.js';
import { bookingsWithDelegates, sessionsWithCourseAndVenue } from './sharedQueries.js';

export class AttendanceExportRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * Sessions starting in [from, to), earliest first, with the number of
   * their bookings in `states` (sessions with none are left out).
   */
  async sessionsStartingBetween(from: Instant, to: Instant, states: readonly BookingState[]) {
    const rows = await sessionsWithCourseAndVenue(this.db)
      .where('sessions.starts_at', '>=', from)
      .where('sessions.starts_at', '<', to)
      .select([
        'sessions.id',
        'sessions.format',
        'sessions.starts_at',
        'sessions.cancelled_at',
        'courses.title as course_title',
        'venues.name as venue_name',
        'venues.town as venue_town',
      ])
      .select((eb) => [
        eb
          .selectFrom('bookings')
          .whereRef('bookings.session_id', '=', 'sessions.id')
          .where('bookings.state', 'in', states)
          .select(sql<number>`cast(count(*) as integer)`.as('n'))
          .as('bookings'),
        eb
          .selectFrom('session_parts')
          .whereRef('session_parts.session_id', '=', 'sessions.id')
          .select(sql<number>`cast(count(*) as integer)`.as('n'))
          .as('parts'),
      ])
      .orderBy('sessions.starts_at')
      .orderBy('sessions.id')
      .execute();
    return rows
      .map((row) => ({ ...row, bookings: Number(row.bookings ?? 0), parts: Number(row.parts ?? 0) }))
      .filter((row) => row.bookings > 0);
  }

  /**
   * The bookings of some sessions, in `states`, by session then booking;
   * `page` reads one large session's bookings a batch at a time.
   */
  bookingsOf(
    sessionIds: readonly number[],
    states: readonly BookingState[],
    page?: { afterId: number; limit: number },
  ) {
    let query = bookingsWithDelegates(this.db)
      .where('bookings.session_id', 'in', sessionIds)
      .where('bookings.state', 'in', states)
      .select([
        'bookings.id',
        'bookings.session_id',
        'bookings.reference',
        'bookings.state',
        'bookings.created_at',
        'bookings.cancelled_at',
        'bookings.cancelled_by',
        'bookings.cancellation_reason',
        'delegates.name',
        'delegates.email',
        'delegates.job_role',
        'organisations.name as organisation_name',
        'organisations.type as organisation_type',
      ])
      .orderBy('bookings.session_id')
      .orderBy('bookings.id');
    if (page) query = query.where('bookings.id', '>', page.afterId).limit(page.limit);
    return query.execute();
  }

  /** Some sessions' parts, in order within each session. */
  partsOf(sessionIds: readonly number[]) {
    return this.db
      .selectFrom('session_parts')
      .where('session_id', 'in', sessionIds)
      .select(['id', 'session_id'])
      .orderBy('session_id')
      .orderBy('position')
      .execute();
  }

  /** The attendance marked on some sessions' parts. */
  marksOf(sessionIds: readonly number[]) {
    return this.db
      .selectFrom('attendance')
      .innerJoin('session_parts', 'session_parts.id', 'attendance.session_part_id')
      .where('session_parts.session_id', 'in', sessionIds)
      .select(['attendance.booking_id', 'attendance.session_part_id', 'attendance.status'])
      .execute();
  }
}
