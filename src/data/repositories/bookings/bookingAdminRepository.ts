/**
 * Bookings as staff see and change them: a session's delegates, one booking
 * with its history, the sessions a booking may move to, and the records
 * staff create on a delegate's behalf. Changes to places are made inside the
 * booking service's locked transaction; nothing here decides who gets one.
 */
import { sql, type Kysely, type Transaction } from 'kysely';

import type { BookingState } from '../../../domain/programme/availability.js';
import type { DB, Instant } from '../../schema.js';
import { AccountRepository } from '../accounts/accountRepository.js';
import {
  bookingsWithDelegates,
  choosableOrganisations,
  LIVE_STATES,
  partsCount,
  placesHeld,
  sessionsWithCourseAndVenue,
  taughtBy,
  waitlistLength,
} from '../sharedQueries.js';

type Executor = Kysely<DB> | Transaction<DB>;

export interface NewDelegateByStaff {
  name: string;
  email: string;
  organisationId: number;
  jobRole: string;
}

export class BookingAdminRepository {
  constructor(private readonly db: Executor) {}

  within(db: Executor): BookingAdminRepository {
    return new BookingAdminRepository(db);
  }

  /** A session with its course and venue, and whether `trainerId` teaches it. */
  session(sessionId: number, trainerId: number | null) {
    return sessionsWithCourseAndVenue(this.db)
      .where('sessions.id', '=', sessionId)
      .select([
        'sessions.id',
        'sessions.course_id',
        'sessions.format',
        'sessions.capacity',
        'sessions.starts_at',
        'sessions.ends_at',
        'sessions.booking_opens_at',
        'sessions.booking_closes_at',
        'sessions.cancelled_at',
        'courses.title as course_title',
        'courses.archived_at as course_archived_at',
        'venues.name as venue_name',
        'venues.town as venue_town',
      ])
      .select((eb) => [taughtBy(trainerId)(eb).as('taught'), partsCount(eb).as('parts_count')])
      .executeTakeFirst();
  }

  /**
   * Every booking on a session with its delegate and organisation, in the
   * order they were made: one query on bookings(session_id, state), however
   * many bookings the session has.
   */
  sessionBookings(sessionId: number) {
    return bookingsWithDelegates(this.db)
      .where('bookings.session_id', '=', sessionId)
      .select([
        'bookings.id',
        'bookings.reference',
        'bookings.state',
        'bookings.created_at',
        'bookings.offer_expires_at',
        'bookings.cancelled_at',
        'bookings.cancelled_by',
        'bookings.cancellation_reason',
        'bookings.access_needs',
        'bookings.dietary_needs',
        'delegates.id as delegate_id',
        'delegates.name as delegate_name',
        'delegates.email as delegate_email',
        'delegates.job_role',
        'organisations.name as organisation_name',
        'organisations.confirmed_at as organisation_confirmed_at',
      ])
      .orderBy('bookings.created_at')
      .orderBy('bookings.id')
      .execute();
  }

  /** One booking with its delegate, organisation and session, and whether `trainerId` teaches it. */
  booking(reference: string, trainerId: number | null) {
    return bookingsWithDelegates(this.db)
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .leftJoin('venues', 'venues.id', 'sessions.venue_id')
      .where('bookings.reference', '=', reference)
      .selectAll('bookings')
      .select([
        'delegates.name as delegate_name',
        'delegates.email as delegate_email',
        'delegates.job_role',
        'delegates.password_hash',
        'organisations.name as organisation_name',
        'organisations.confirmed_at as organisation_confirmed_at',
        'sessions.course_id',
        'sessions.capacity',
        'sessions.starts_at',
        'sessions.ends_at',
        'sessions.cancelled_at as session_cancelled_at',
        'courses.title as course_title',
        'venues.name as venue_name',
        'venues.town as venue_town',
      ])
      .select((eb) => [taughtBy(trainerId)(eb).as('taught'), partsCount(eb).as('parts_count')])
      .executeTakeFirst();
  }

  /** What happened to a booking, oldest first, with the name of whoever did it. */
  history(bookingId: number) {
    return this.db
      .selectFrom('audit_log')
      .leftJoin('staff_users', (join) =>
        join.onRef('staff_users.id', '=', 'audit_log.actor_id').on('audit_log.actor_type', '=', 'staff'),
      )
      .leftJoin('delegates', (join) =>
        join.onRef('delegates.id', '=', 'audit_log.actor_id').on('audit_log.actor_type', '=', 'delegate'),
      )
      .where('audit_log.entity_type', '=', 'booking')
      .where('audit_log.entity_id', '=', bookingId)
      .select([
        'audit_log.id',
        'audit_log.at',
        'audit_log.action',
        'audit_log.actor_type',
        'audit_log.details',
        'staff_users.name as staff_name',
        'delegates.name as delegate_name',
      ])
      .orderBy('audit_log.at')
      .orderBy('audit_log.id')
      .execute();
  }

  /** Names of delegates and sessions a booking's history mentions by id. */
  async delegateNames(ids: number[]): Promise<Map<number, string>> {
    if (!ids.length) return new Map();
    const rows = await this.db.selectFrom('delegates').where('id', 'in', ids).select(['id', 'name']).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async sessionStarts(ids: number[]): Promise<Map<number, Instant>> {
    if (!ids.length) return new Map();
    const rows = await this.db
      .selectFrom('sessions')
      .where('id', 'in', ids)
      .select(['id', 'starts_at'])
      .execute();
    return new Map(rows.map((r) => [r.id, r.starts_at]));
  }

  /** Upcoming sessions of a course that are not cancelled, other than one, with their places. */
  otherSessionsOfCourse(courseId: number, exceptSessionId: number, now: Instant) {
    return this.db
      .selectFrom('sessions')
      .leftJoin('venues', 'venues.id', 'sessions.venue_id')
      .where('sessions.course_id', '=', courseId)
      .where('sessions.id', '!=', exceptSessionId)
      .where('sessions.starts_at', '>', now)
      .where('sessions.cancelled_at', 'is', null)
      .select([
        'sessions.id',
        'sessions.format',
        'sessions.capacity',
        'sessions.starts_at',
        'sessions.ends_at',
        'venues.name as venue_name',
        'venues.town as venue_town',
      ])
      .select((eb) => [
        placesHeld(now)(eb).as('places_held'),
        waitlistLength(eb).as('waitlisted'),
        partsCount(eb).as('parts_count'),
      ])
      .orderBy('sessions.starts_at')
      .orderBy('sessions.id')
      .limit(100)
      .execute();
  }

  /** A delegate by email address (stored lower-cased). */
  delegateByEmail(email: string) {
    return this.delegateWithOrganisation().where('delegates.email', '=', email.toLowerCase()).executeTakeFirst();
  }

  delegate(id: number) {
    return this.delegateWithOrganisation().where('delegates.id', '=', id).executeTakeFirst();
  }

  /** What staff see of a delegate they are about to book or pass a place to. */
  private delegateWithOrganisation() {
    return this.db
      .selectFrom('delegates')
      .leftJoin('organisations', 'organisations.id', 'delegates.organisation_id')
      .select([
        'delegates.id',
        'delegates.name',
        'delegates.email',
        'delegates.job_role',
        'delegates.merged_into_id',
        'delegates.email_verified_at',
        'organisations.name as organisation_name',
        'organisations.confirmed_at as organisation_confirmed_at',
      ])
      .select((eb) => eb('delegates.password_hash', 'is not', null).as('has_password'));
  }

  /** The organisations staff may choose from: confirmed, and not merged into another. */
  confirmedOrganisations() {
    return choosableOrganisations(this.db)
      .select(['id', 'name'])
      .orderBy('name')
      .execute();
  }

  confirmedOrganisation(id: number) {
    return choosableOrganisations(this.db)
      .where('id', '=', id)
      .select(['id', 'name'])
      .executeTakeFirst();
  }

  /** An organisation by name, ignoring case, so "NHS Trust" and "nhs trust" are one. */
  organisationByName(name: string) {
    return this.db
      .selectFrom('organisations')
      .where(sql<string>`lower(name)`, '=', name.toLowerCase())
      .select(['id', 'merged_into_id'])
      .orderBy('id')
      .executeTakeFirst();
  }

  /** An organisation staff typed that is not on the list yet: confirmed (and typed) later. */
  async createOrganisation(name: string, now: Date): Promise<number> {
    const row = await this.db
      .insertInto('organisations')
      .values({ name, type: 'partner_agency', confirmed_at: null, created_at: now.toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** A delegate without a password or line manager: they can set a password later with "Forgot your password". */
  createDelegate(delegate: NewDelegateByStaff, now: Date): Promise<number> {
    return new AccountRepository(this.db).createDelegate(
      { ...delegate, lineManagerName: '', lineManagerEmail: '' },
      null,
      now,
    );
  }

  /** The delegate's live booking on a session, if any. */
  liveBookingOf(sessionId: number, delegateId: number) {
    return this.db
      .selectFrom('bookings')
      .where('session_id', '=', sessionId)
      .where('delegate_id', '=', delegateId)
      .where('state', 'in', LIVE_STATES)
      .select(['id', 'reference', 'state'])
      .executeTakeFirst();
  }

  /**
   * Moves a live booking to another session, keeping its reference and
   * needs; false if it changed first. On a waiting list it joins the end:
   * the list is in the order people joined it.
   */
  async move(
    booking: { id: number; fromSessionId: number; fromState: BookingState },
    toSessionId: number,
    state: 'confirmed' | 'waitlisted',
    now: Date,
  ): Promise<boolean> {
    const at = now.toISOString();
    const result = await this.db
      .updateTable('bookings')
      .set({
        session_id: toSessionId,
        state,
        offered_at: null,
        offer_expires_at: null,
        // A reminder is due again, for the new date.
        reminder_sent_at: null,
        updated_at: at,
      })
      .where('id', '=', booking.id)
      .where('session_id', '=', booking.fromSessionId)
      .where('state', '=', booking.fromState)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    if (state === 'waitlisted') {
      // created_at orders the waiting list; it is not otherwise updatable.
      await sql`update bookings set created_at = ${at} where id = ${booking.id}`.execute(this.db);
    }
    return true;
  }

  /**
   * Passes a live booking to another delegate. The needs were the first
   * person's, so they go; a reminder is due again, to the colleague.
   */
  async substitute(
    booking: { id: number; fromDelegateId: number; state: BookingState },
    toDelegateId: number,
    now: Date,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('bookings')
      .set({
        delegate_id: toDelegateId,
        access_needs: null,
        dietary_needs: null,
        needs_consent_at: null,
        reminder_sent_at: null,
        updated_at: now.toISOString(),
      })
      .where('id', '=', booking.id)
      .where('delegate_id', '=', booking.fromDelegateId)
      .where('state', '=', booking.state)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Attendance marked for a booking (none, before the session). */
  async deleteAttendance(bookingId: number): Promise<number> {
    const result = await this.db.deleteFrom('attendance').where('booking_id', '=', bookingId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
