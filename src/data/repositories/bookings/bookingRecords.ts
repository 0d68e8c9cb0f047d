/**
 * Bookings as records: the one way in for every service that creates or
 * changes a booking (delegates' bookings, staff's, session changes) and for
 * the facts an email tells. Everything that depends on free places is called
 * inside the caller's locked transaction; nothing here decides who gets a place.
 */
import { sql, type Kysely, type Transaction } from 'kysely';

import type { BookingState } from '../../../domain/programme/availability.js';
import type { AuditActorType, DB, Instant } from '../../schema.js';
import { recordAudits } from '../auditRecords.js';
import { PriceRecords } from '../charges/priceRecords.js';
import { PersonalDataRecords } from '../privacy/personalDataRecords.js';
import { LIVE_STATES, placesHeld } from '../sharedQueries.js';

type Executor = Kysely<DB> | Transaction<DB>;

/** An audit entry about a booking. */
export interface BookingAuditEntry {
  actorType: AuditActorType;
  actorId: number | null;
  action: string;
  bookingId: number;
  details?: Record<string, unknown>;
}

/** A booking to write: see BookingRecords.insertAll. */
export interface NewBooking {
  reference: string;
  sessionId: number;
  delegateId: number;
  state: BookingState;
  accessNeeds: string | null;
  dietaryNeeds: string | null;
  needsConsentAt: Date | null;
  pricePence: number;
  organisationId: number | null;
}


/** What booking checks of a session (its places, times, and whether it or its course is closed). */
const BOOKABLE_SESSION = [
  'sessions.id',
  'sessions.capacity',
  'sessions.starts_at',
  'sessions.ends_at',
  'sessions.booking_opens_at',
  'sessions.booking_closes_at',
  'sessions.cancelled_at',
  'courses.archived_at as course_archived_at',
] as const;

export class BookingRecords {
  constructor(private readonly db: Executor) {}

  within(trx: Executor): BookingRecords {
    return new BookingRecords(trx);
  }

  /** The session with what booking needs to know, or undefined. */
  session(sessionId: number) {
    return this.db
      .selectFrom('sessions')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('sessions.id', '=', sessionId)
      .select(BOOKABLE_SESSION)
      .executeTakeFirst();
  }

  /**
   * What booking decides on about the session, read in one statement under
   * its lock (the hot path of a rush): the session and whether its course is
   * archived; the places held now; how many wait on its list with a time up
   * to `now` (a booking made now is next after them); and whether any offer
   * has run out. Undefined when there is no such session.
   */
  sessionPlaces(sessionId: number, now: Instant) {
    return this.db
      .selectFrom('sessions')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('sessions.id', '=', sessionId)
      .select((eb) => [
        ...BOOKABLE_SESSION,
        placesHeld(now)(eb).as('held'),
        eb
          .selectFrom('bookings')
          .select(sql<number>`cast(count(*) as integer)`.as('waiting'))
          .whereRef('bookings.session_id', '=', 'sessions.id')
          .where('bookings.state', '=', 'waitlisted')
          .where('bookings.created_at', '<=', now)
          .as('waiting_until_now'),
        eb
          .selectFrom('bookings')
          .select(sql<number>`cast(count(*) as integer)`.as('expired'))
          .whereRef('bookings.session_id', '=', 'sessions.id')
          .where('bookings.state', '=', 'offered')
          .where('bookings.offer_expires_at', '<=', now)
          .as('expired_offers'),
      ])
      .executeTakeFirst();
  }

  /** These delegates' live bookings on the session (at most one each: a partial unique index). */
  liveBookingsOf(sessionId: number, delegateIds: number[]) {
    if (!delegateIds.length) return Promise.resolve([]);
    return this.db
      .selectFrom('bookings')
      .where('session_id', '=', sessionId)
      .where('delegate_id', 'in', delegateIds)
      .where('state', 'in', LIVE_STATES)
      .select(['id', 'delegate_id', 'reference', 'state', 'created_at'])
      .execute();
  }

  /** Places held now: confirmed bookings and offers not yet expired. */
  async placesHeld(sessionId: number, now: Instant): Promise<number> {
    const row = await this.db
      .selectFrom('bookings')
      .select(sql<number>`cast(count(*) as integer)`.as('held'))
      .where('session_id', '=', sessionId)
      .where((eb) =>
        eb.or([
          eb('state', '=', 'confirmed'),
          eb.and([eb('state', '=', 'offered'), eb('offer_expires_at', '>', now)]),
        ]),
      )
      .executeTakeFirstOrThrow();
    return Number(row.held);
  }

  liveBookingOf(sessionId: number, delegateId: number) {
    return this.db
      .selectFrom('bookings')
      .where('session_id', '=', sessionId)
      .where('delegate_id', '=', delegateId)
      .where('state', 'in', LIVE_STATES)
      .selectAll()
      .executeTakeFirst();
  }

  byReference(reference: string) {
    return this.db.selectFrom('bookings').where('reference', '=', reference).selectAll().executeTakeFirst();
  }

  byId(id: number) {
    return this.db.selectFrom('bookings').where('id', '=', id).selectAll().executeTakeFirst();
  }

  /** The session's online joining details, for confirmed delegates only (the service decides). */
  joiningDetails(sessionId: number) {
    return this.db
      .selectFrom('sessions')
      .where('id', '=', sessionId)
      .select(['format', 'online_joining_url', 'cancelled_at'])
      .executeTakeFirst();
  }

  /** Position on the waiting list, 1 for next in line. */
  async waitlistPosition(booking: { id: number; session_id: number; created_at: Instant }): Promise<number> {
    const row = await this.db
      .selectFrom('bookings')
      .select(sql<number>`cast(count(*) as integer)`.as('ahead'))
      .where('session_id', '=', booking.session_id)
      .where('state', '=', 'waitlisted')
      .where((eb) =>
        eb.or([
          eb('created_at', '<', booking.created_at),
          eb.and([eb('created_at', '=', booking.created_at), eb('id', '<', booking.id)]),
        ]),
      )
      .executeTakeFirstOrThrow();
    return Number(row.ahead) + 1;
  }

  /** The waiting list in order: first come, first offered. */
  waitlist(sessionId: number, limit: number) {
    return this.db
      .selectFrom('bookings')
      .where('session_id', '=', sessionId)
      .where('state', '=', 'waitlisted')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /**
   * Writes new bookings, each with the price the delegate was shown, fixed
   * now (a later change of price never changes what they agreed), and the
   * organisation it is fixed for, both as read under the lock. One statement
   * for them all, in the order given, so ids (handed out under the lock)
   * follow that order. Returns each booking's id by its reference.
   */
  async insertAll(bookings: NewBooking[], now: Date): Promise<Map<string, number>> {
    if (!bookings.length) return new Map();
    const at = now.toISOString();
    const rows = await this.db
      .insertInto('bookings')
      .values(
        bookings.map((booking) => ({
          reference: booking.reference,
          session_id: booking.sessionId,
          delegate_id: booking.delegateId,
          state: booking.state,
          offer_expires_at: null,
          cancelled_at: null,
          cancellation_reason: null,
          access_needs: booking.accessNeeds,
          dietary_needs: booking.dietaryNeeds,
          needs_consent_at: booking.needsConsentAt?.toISOString() ?? null,
          price_pence: booking.pricePence,
          organisation_id: booking.organisationId,
          created_at: at,
          updated_at: at,
        })),
      )
      .returning(['id', 'reference'])
      .execute();
    // A booking (by the delegate or for them) keeps their account open (domain/hub/retention.ts).
    await new PersonalDataRecords(this.db).markActive(
      [...new Set(bookings.map((booking) => booking.delegateId))],
      now,
    );
    return new Map(rows.map((row) => [row.reference, row.id]));
  }

  /**
   * Fixes the booking's price again for whoever holds it now on the session
   * it is on now: after a colleague takes the place, or it moves to another
   * session, with the organisation it is fixed for. Returns the price fixed, in pence.
   */
  async refixPrice(id: number): Promise<number> {
    const booking = await this.db
      .selectFrom('bookings')
      .where('id', '=', id)
      .select(['session_id', 'delegate_id'])
      .executeTakeFirstOrThrow();
    const price = await new PriceRecords(this.db).priceFor(booking.session_id, booking.delegate_id);
    const organisationId = await this.organisationOf(booking.delegate_id);
    await this.db
      .updateTable('bookings')
      .set({ price_pence: price, organisation_id: organisationId })
      .where('id', '=', id)
      .execute();
    return price;
  }

  /** The organisation a price is fixed for: the delegate's (the one kept, if it was merged), or null. */
  private async organisationOf(delegateId: number): Promise<number | null> {
    const row = await this.db
      .selectFrom('delegates')
      .leftJoin('organisations', 'organisations.id', 'delegates.organisation_id')
      .where('delegates.id', '=', delegateId)
      .select(['delegates.organisation_id', 'organisations.merged_into_id'])
      .executeTakeFirst();
    return row ? (row.merged_into_id ?? row.organisation_id ?? null) : null;
  }

  /**
   * Moves a booking from one state to another, only if it is still in the
   * state the caller saw; false if something else changed it first.
   */
  async transition(
    id: number,
    from: BookingState,
    to: BookingState,
    now: Date,
    extra: {
      offerExpiresAt?: Date | null;
      cancellationReason?: string | null;
      cancelledBy?: 'delegate' | 'hub' | 'system';
    } = {},
  ): Promise<boolean> {
    const at = now.toISOString();
    const result = await this.db
      .updateTable('bookings')
      .set({
        state: to,
        updated_at: at,
        ...(to === 'offered'
          ? { offered_at: at, offer_expires_at: extra.offerExpiresAt?.toISOString() ?? null }
          : { offer_expires_at: null }),
        ...(to === 'cancelled'
          ? {
              cancelled_at: at,
              cancellation_reason: extra.cancellationReason ?? null,
              cancelled_by: extra.cancelledBy ?? 'delegate',
            }
          : {}),
      })
      .where('id', '=', id)
      .where('state', '=', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Replaces a booking's access and dietary needs as the delegate changed
   * them: kept with the moment they agreed, or all deleted (with the consent)
   * when `needs` is null.
   */
  async setNeeds(
    id: number,
    needs: { accessNeeds: string | null; dietaryNeeds: string | null } | null,
    now: Date,
  ): Promise<void> {
    const at = now.toISOString();
    await this.db
      .updateTable('bookings')
      .set({
        access_needs: needs?.accessNeeds ?? null,
        dietary_needs: needs?.dietaryNeeds ?? null,
        needs_consent_at: needs ? at : null,
        updated_at: at,
      })
      .where('id', '=', id)
      .execute();
  }

  /** Sessions with offers whose time is up. */
  async sessionsWithExpiredOffers(now: Instant): Promise<number[]> {
    const rows = await this.db
      .selectFrom('bookings')
      .where('state', '=', 'offered')
      .where('offer_expires_at', '<=', now)
      .select('session_id')
      .distinct()
      .execute();
    return rows.map((r) => r.session_id);
  }

  /** A session's offers whose time is up, oldest first. */
  expiredOffersOn(sessionId: number, now: Instant) {
    return this.db
      .selectFrom('bookings')
      .where('session_id', '=', sessionId)
      .where('state', '=', 'offered')
      .where('offer_expires_at', '<=', now)
      .select(['id', 'session_id'])
      .orderBy('offer_expires_at')
      .orderBy('id')
      .execute();
  }

  /** Sessions with waiting lists and free places (after capacity went up, say). */
  async sessionsWithFreePlacesAndWaitlist(now: Instant): Promise<number[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .where('sessions.starts_at', '>', now)
      .where('sessions.cancelled_at', 'is', null)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('bookings')
            .whereRef('bookings.session_id', '=', 'sessions.id')
            .where('bookings.state', '=', 'waitlisted')
            .select(sql`1`.as('one')),
        ),
      )
      .select('sessions.id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** A delegate's bookings with their sessions, soonest first. */
  forDelegate(delegateId: number) {
    return this.db
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .leftJoin('venues', 'venues.id', 'sessions.venue_id')
      .where('bookings.delegate_id', '=', delegateId)
      .select([
        'bookings.id',
        'bookings.reference',
        'bookings.state',
        'bookings.created_at',
        'bookings.offer_expires_at',
        'bookings.cancelled_at',
        'bookings.cancellation_reason',
        'bookings.cancelled_by',
        'bookings.session_id',
        'sessions.starts_at',
        'sessions.ends_at',
        'sessions.format',
        'sessions.online_joining_url',
        'sessions.cancelled_at as session_cancelled_at',
        'courses.title as course_title',
        'courses.slug as course_slug',
        'venues.slug as venue_slug',
        'venues.name as venue_name',
        'venues.address_lines as venue_address_lines',
        'venues.town as venue_town',
        'venues.postcode as venue_postcode',
        'venues.travel_notes as venue_travel_notes',
      ])
      .orderBy('sessions.starts_at')
      .execute();
  }

  /** Everything an email about these bookings says, one row each (in no particular order). */
  emailFacts(bookingIds: number[]) {
    return this.db
      .selectFrom('bookings')
      .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
      .leftJoin('organisations', 'organisations.id', 'delegates.organisation_id')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .leftJoin('venues', 'venues.id', 'sessions.venue_id')
      .where('bookings.id', 'in', bookingIds)
      .select([
        'bookings.id',
        'bookings.reference',
        'bookings.state',
        'bookings.offer_expires_at',
        'bookings.cancellation_reason',
        'bookings.cancelled_by',
        'bookings.access_needs',
        'bookings.dietary_needs',
        'bookings.price_pence',
        'organisations.name as organisation_name',
        'organisations.type as organisation_type',
        'delegates.id as delegate_id',
        'delegates.name as delegate_name',
        'delegates.email as delegate_email',
        'delegates.line_manager_name',
        'delegates.line_manager_email',
        'sessions.id as session_id',
        'sessions.online_joining_url',
        'sessions.cancelled_at as session_cancelled_at',
        'courses.title as course_title',
        'courses.summary as course_summary',
        'courses.slug as course_slug',
        'venues.name as venue_name',
        'venues.address_lines as venue_address_lines',
        'venues.town as venue_town',
        'venues.postcode as venue_postcode',
        'venues.phone as venue_phone',
        'venues.travel_notes as venue_travel_notes',
      ])
      .execute();
  }

  /** Confirmed bookings on sessions starting before `before` that have had no reminder. */
  remindersDue(now: Instant, before: Instant) {
    return this.placesWithout('reminder_sent_at', now, before).execute();
  }

  async markReminded(id: number, now: Date): Promise<boolean> {
    return this.claim('reminder_sent_at', id, now);
  }

  /**
   * Confirmed places on online sessions with a joining link, starting after
   * `now` and up to `before`, that have had no morning reminder.
   */
  morningRemindersDue(now: Instant, before: Instant) {
    return this.placesWithout('morning_reminder_sent_at', now, before)
      .where('sessions.format', '=', 'online')
      .where('sessions.online_joining_url', 'is not', null)
      .execute();
  }

  /** Claims a booking's morning reminder: false when another process has sent it. */
  async markMorningReminded(id: number, now: Date): Promise<boolean> {
    return this.claim('morning_reminder_sent_at', id, now);
  }

  /** Confirmed places on live sessions starting after `now` and up to `before` that have not had this reminder. */
  private placesWithout(reminder: 'reminder_sent_at' | 'morning_reminder_sent_at', now: Instant, before: Instant) {
    return this.db
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .where('bookings.state', '=', 'confirmed')
      .where(`bookings.${reminder}`, 'is', null)
      .where('sessions.cancelled_at', 'is', null)
      .where('sessions.starts_at', '>', now)
      .where('sessions.starts_at', '<=', before)
      .select(['bookings.id', 'sessions.starts_at'])
      .limit(500);
  }

  /** Claims a reminder by a conditional update, so several processes send it once. */
  private async claim(
    reminder: 'reminder_sent_at' | 'morning_reminder_sent_at',
    id: number,
    now: Date,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('bookings')
      .set({ [reminder]: now.toISOString() })
      .where('id', '=', id)
      .where(reminder, 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** What the "I can't come" page needs of a booking: its state, holder's address and session's times. */
  giveUpFacts(bookingId: number) {
    return this.db
      .selectFrom('bookings')
      .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .where('bookings.id', '=', bookingId)
      .select([
        'bookings.id',
        'bookings.reference',
        'bookings.state',
        'bookings.session_id',
        'bookings.delegate_id',
        'bookings.created_at',
        'bookings.cancelled_at',
        'bookings.cancelled_by',
        'bookings.cancellation_reason',
        'bookings.price_pence',
        'delegates.email as delegate_email',
        'sessions.starts_at',
        'sessions.cancelled_at as session_cancelled_at',
      ])
      .executeTakeFirst();
  }

  /** Deletes access and dietary needs of sessions that ended before `endedBefore`. */
  async purgeNeeds(endedBefore: Instant): Promise<number> {
    const result = await this.db
      .updateTable('bookings')
      .set({ access_needs: null, dietary_needs: null })
      .where((eb) => eb.or([eb('access_needs', 'is not', null), eb('dietary_needs', 'is not', null)]))
      .where('session_id', 'in', (eb) => eb.selectFrom('sessions').where('ends_at', '<', endedBefore).select('id'))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async audit(entry: BookingAuditEntry, now: Date): Promise<void> {
    await this.auditAll([entry], now);
  }

  /** Audit entries about several bookings, all at `now`, in one statement. */
  async auditAll(entries: BookingAuditEntry[], now: Date): Promise<void> {
    await recordAudits(
      this.db,
      entries.map(({ bookingId, ...rest }) => ({ ...rest, entityType: 'booking', entityId: bookingId })),
      now,
    );
  }
}
