/**
 * Placing bookings on one session: who gets a place, who waits, who is
 * refused, and the records and emails that follow. The one place where a
 * booking is decided, for a delegate booking themselves and for staff booking
 * on someone's behalf.
 *
 * It runs under the session's lock (data/sessionLock.ts), for one request or
 * for many at once: in a rush, the delegates' requests waiting for the same
 * session are handed over together (`Together`), so the whole list costs a
 * few statements (read the session once, the delegates once, then write all
 * the bookings, audit entries and emails in one statement each) instead of a
 * few for every booking. The requests are decided one after another in
 * arrival order, each seeing the places taken by those before it, exactly as
 * if each had had the lock to itself. A request that is refused writes
 * nothing.
 */
import type { Executor } from '../../data/schema.js';
import { BookingRecords, type NewBooking } from '../../data/repositories/bookings/bookingRecords.js';
import { PriceRecords } from '../../data/repositories/charges/priceRecords.js';
import type { Settled, Together } from '../../data/sessionLock.js';
import { bookingWindow, placesAvailable } from '../../domain/programme/availability.js';
import { amountWords } from '../../domain/charges/invoiceNumbers.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import { newBookingReference } from './bookingReference.js';
import type { Clock } from '../clock.js';
import type { MailContext, Notifications, WrittenEmail } from '../email/notifications.js';

export interface Needs {
  accessNeeds: string | null;
  dietaryNeeds: string | null;
  /** Needs are kept only with explicit consent; without it they are not stored. */
  consent: boolean;
}

export interface BookingOutcome {
  reference: string;
  state: 'confirmed' | 'waitlisted' | 'offered';
  /** On the waiting list: 1 for next in line. */
  position: number | null;
  /** True when the delegate already held this place (a double submit, say). */
  alreadyHeld: boolean;
}

/** Who makes a booking: the delegate themselves, or staff on their behalf. */
export type BookingActor = { type: 'delegate'; id: number } | { type: 'staff'; id: number };

/**
 * The delegate a booking is for: an id, or (for staff booking someone new)
 * a function that finds or creates them inside the booking's transaction, so
 * a refused booking leaves no stray record behind.
 */
export type DelegateFor = number | ((db: Executor, now: Date) => Promise<number>);

/** One request for a place. */
export interface PlaceRequest {
  sessionId: number;
  delegate: DelegateFor;
  needs: Needs;
  actor: BookingActor;
  /** The price the delegate was shown, in pence: a different price now is refused. */
  seenPricePence?: number;
  /** The hub's settings and policy, read before the lock was asked for. */
  ctx: MailContext;
  /**
   * TEST ONLY (BookingServiceOptions.unsafeWithoutLock): places counted before
   * the transaction, to show in tests that the lock is what prevents overbooking.
   */
  countedEarly?: number;
}

export type Placed = BookingOutcome & { delegateId: number };

/** What the delegates of a list have on the session: their live bookings, and what a place costs each. */
interface DelegatesOnSession {
  live: Map<number, Awaited<ReturnType<BookingRecords['liveBookingsOf']>>[number]>;
  prices: Map<number, Awaited<ReturnType<PriceRecords['placePrices']>>[number]>;
}

/** The organisation a price is fixed for, as a number (drivers may give text), or none. */
function organisationOf(priced: { organisation_id: number | string | null } | undefined): number | null {
  const id = priced?.organisation_id;
  return id === null || id === undefined ? null : Number(id);
}

/** Rows keyed by their delegate. */
function byDelegate<Row extends { delegate_id: number }>(rows: Row[]): Map<number, Row> {
  return new Map(rows.map((row) => [row.delegate_id, row]));
}

/** What the session is like once the lock is held (BookingRecords.sessionPlaces). */
type SessionPlaces = NonNullable<Awaited<ReturnType<BookingRecords['sessionPlaces']>>>;

/** A request decided: a new booking to write, or the live one the delegate already holds. */
type Decision =
  | { kind: 'new'; booking: NewBooking; position: number | null; request: PlaceRequest }
  | {
      kind: 'held';
      reference: string;
      state: string;
      position: number | null;
      id: number | null;
      createdAt: string | null;
      delegateId: number;
    };

export class PlaceBookings implements Together<PlaceRequest, Placed> {
  constructor(
    private readonly clock: Clock,
    private readonly mail: Notifications,
    /** Closes expired offers and offers free places to those waiting (BookingService.settleOffers). */
    private readonly settleOffers: (
      db: Executor,
      sessionId: number,
      now: Date,
      ctx: MailContext,
    ) => Promise<number>,
  ) {}

  /** Decides and writes every request, all for one session, in order: one outcome each. */
  async all(db: Executor, requests: PlaceRequest[]): Promise<Array<Settled<Placed>>> {
    const sessionId = requests[0]!.sessionId;
    if (requests.some((request) => request.sessionId !== sessionId)) {
      throw new Error('bookings placed together must be for one session');
    }
    // "Now" is read once the lock is held, so times (and waiting-list order)
    // follow the order bookings are actually made in.
    const now = this.clock.now();
    const at = now.toISOString();
    const records = new BookingRecords(db);
    // Staff booking someone new: the delegate is found or made here, in the
    // transaction (a refused booking is rolled back with it: staff's
    // requests are never placed together with others).
    const delegateIds: number[] = [];
    for (const request of requests) {
      delegateIds.push(
        typeof request.delegate === 'number' ? request.delegate : await request.delegate(db, now),
      );
    }

    // Read again under the lock: staff may have changed capacity, closed
    // booking or cancelled the session since each request was checked, and
    // the places are re-counted.
    let session = await records.sessionPlaces(sessionId, at);
    if (!session) return requests.map(() => ({ ok: false, error: new NotFoundError('session') }));
    // A place freed by an expired offer goes to the waiting list first, not
    // to whoever books before the waiting-list job next runs. Only when there
    // is something to settle (rarely, in a rush): then read again.
    const free = placesAvailable(session.capacity, Number(session.held));
    const unsafe = requests.some((request) => request.countedEarly !== undefined);
    if (
      !unsafe &&
      (Number(session.expired_offers) > 0 || (free > 0 && Number(session.waiting_until_now) > 0))
    ) {
      await this.settleOffers(db, sessionId, now, requests[0]!.ctx);
      session = (await records.sessionPlaces(sessionId, at))!;
    }
    const everyone = [...new Set(delegateIds)];
    const delegates: DelegatesOnSession = {
      live: byDelegate(await records.liveBookingsOf(sessionId, everyone)),
      prices: byDelegate(await new PriceRecords(db).placePrices(sessionId, everyone)),
    };

    const decisions = this.decide(session, requests, delegateIds, delegates, now);
    const placed = decisions.flatMap((d) => (d instanceof Error ? [] : d.kind === 'new' ? [d] : []));
    const ids = await records.insertAll(
      placed.map((d) => d.booking),
      now,
    );
    const idOf = (reference: string) => ids.get(reference)!;
    await records.auditAll(
      placed.map(({ booking, request }) =>
        request.actor.type === 'staff'
          ? {
              actorType: 'staff' as const,
              actorId: request.actor.id,
              action: 'booked_by_staff',
              bookingId: idOf(booking.reference),
              details: { sessionId, delegateId: booking.delegateId, state: booking.state },
            }
          : {
              actorType: 'delegate' as const,
              actorId: booking.delegateId,
              action: booking.state === 'confirmed' ? 'booked' : 'joined_waitlist',
              bookingId: idOf(booking.reference),
            },
      ),
      now,
    );
    await this.mail.enqueueAll(db, await this.emails(db, placed, idOf));

    const outcomes: Array<Settled<Placed>> = [];
    for (const decision of decisions) {
      if (decision instanceof Error) outcomes.push({ ok: false, error: decision });
      else if (decision.kind === 'new') {
        const { booking, position } = decision;
        outcomes.push({
          ok: true,
          value: {
            reference: booking.reference,
            state: booking.state as BookingOutcome['state'],
            position,
            alreadyHeld: false,
            delegateId: booking.delegateId,
          },
        });
      } else {
        outcomes.push({ ok: true, value: await this.alreadyHeld(records, sessionId, decision) });
      }
    }
    return outcomes;
  }

  /**
   * Each request in turn, as if it alone held the lock: refused (an Error),
   * the place the delegate already holds, or a new booking, confirmed while
   * places are free and on the waiting list after.
   */
  private decide(
    session: SessionPlaces,
    requests: PlaceRequest[],
    delegateIds: number[],
    delegates: DelegatesOnSession,
    now: Date,
  ): Array<Decision | Error> {
    let held = Number(session.held);
    let waiting = Number(session.waiting_until_now);
    /** Bookings decided in this list, by delegate: the same delegate twice (a double submit) holds the first. */
    const decidedFor = new Map<number, Decision & { kind: 'new' }>();
    return requests.map((request, index): Decision | Error => {
      const delegateId = delegateIds[index]!;
      const byStaff = request.actor.type === 'staff';
      try {
        assertBookable(session, now, byStaff);
        const existing = delegates.live.get(delegateId);
        if (existing) {
          return {
            kind: 'held',
            reference: existing.reference,
            state: existing.state,
            position: null,
            id: existing.id,
            createdAt: existing.created_at,
            delegateId,
          };
        }
        const earlier = decidedFor.get(delegateId);
        if (earlier) {
          return {
            kind: 'held',
            reference: earlier.booking.reference,
            state: earlier.booking.state,
            position: earlier.position,
            id: null,
            createdAt: null,
            delegateId,
          };
        }
        // Someone not in `prices` does not exist: their booking's insert fails the list, and they alone fail then.
        const priced = delegates.prices.get(delegateId);
        const price = Number(priced?.price_pence ?? 0);
        if (request.seenPricePence !== undefined && price !== request.seenPricePence) {
          throw new ConflictError(
            `The price of a place has changed since you opened this page: it is now ${price === 0 ? 'free' : amountWords(price, request.ctx.charges.vatRateBasisPoints)} for you. Read the price and terms below, then book again if you still want to.`,
          );
        }
        const hasPlace = placesAvailable(session.capacity, request.countedEarly ?? held) > 0;
        if (!hasPlace && !request.ctx.policy.waitlistEnabled) {
          throw new ConflictError(
            byStaff
              ? 'This session is full and the hub does not keep a waiting list. Raise the capacity or cancel a booking first.'
              : 'This session is full and the hub does not keep a waiting list for it.',
          );
        }
        if (!hasPlace && byStaff && now >= new Date(session.starts_at)) {
          throw new ConflictError(
            'This session is full and has already started, so there is no waiting list to join.',
          );
        }
        const { needs } = request;
        const keepNeeds = needs.consent && Boolean(needs.accessNeeds || needs.dietaryNeeds);
        // Everyone waiting with a time up to now is ahead: this booking has
        // the latest time and the highest id (ids are handed out under the lock).
        if (hasPlace) held += 1;
        else waiting += 1;
        const decision = {
          kind: 'new' as const,
          request,
          position: hasPlace ? null : waiting,
          booking: {
            reference: newBookingReference(),
            sessionId: request.sessionId,
            delegateId,
            state: hasPlace ? ('confirmed' as const) : ('waitlisted' as const),
            accessNeeds: keepNeeds ? needs.accessNeeds : null,
            dietaryNeeds: keepNeeds ? needs.dietaryNeeds : null,
            needsConsentAt: keepNeeds ? now : null,
            pricePence: price,
            organisationId: organisationOf(priced),
          },
        };
        decidedFor.set(delegateId, decision);
        return decision;
      } catch (error) {
        if (error instanceof ConflictError || error instanceof NotFoundError) return error;
        throw error;
      }
    });
  }

  /** Each new booking's emails: the delegate's, and their line manager's for a place when the hub tells them. */
  private async emails(
    db: Executor,
    placed: Array<Decision & { kind: 'new' }>,
    idOf: (reference: string) => number,
  ): Promise<WrittenEmail[]> {
    const facts = await this.mail.bookingFactsFor(
      db,
      placed.map((d) => idOf(d.booking.reference)),
    );
    const emails: WrittenEmail[] = [];
    for (const { booking, position, request } of placed) {
      const about = facts.get(idOf(booking.reference))!;
      const bookedByHub = request.actor.type === 'staff';
      if (booking.state === 'confirmed') {
        emails.push(await this.mail.writeBookingConfirmed(db, request.ctx, about, bookedByHub));
        const manager = this.mail.writeLineManagerTold(request.ctx, about, 'booked');
        if (manager) emails.push(manager);
      } else {
        emails.push(this.mail.writeWaitlistJoined(request.ctx, about, position!, bookedByHub));
      }
    }
    return emails;
  }

  /** The place the delegate already held (a double submit, say): given back, not booked again. */
  private async alreadyHeld(
    records: BookingRecords,
    sessionId: number,
    held: Decision & { kind: 'held' },
  ): Promise<Placed> {
    let position = held.position;
    if (held.state === 'waitlisted' && held.id !== null) {
      position = await records.waitlistPosition({
        id: held.id,
        session_id: sessionId,
        created_at: held.createdAt!,
      });
    }
    return {
      reference: held.reference,
      state: held.state as BookingOutcome['state'],
      position,
      alreadyHeld: true,
      delegateId: held.delegateId,
    };
  }
}

/** What booking checks of a session before placing anyone on it. */
interface Bookable {
  starts_at: string;
  ends_at: string;
  booking_opens_at: string | null;
  booking_closes_at: string | null;
  cancelled_at: string | null;
  course_archived_at: string | null;
}

/**
 * Refuses a booking the session does not allow now, checked under the lock:
 * archiving takes the sessions' locks, so no booking slips in between a
 * coordinator archiving and this. Staff book latecomers and people who phone
 * in after booking closes, until the session ends.
 */
function assertBookable(session: Bookable, now: Date, byStaff = false): void {
  if (session.course_archived_at) {
    if (!byStaff) throw new NotFoundError('session');
    throw new ConflictError('This course has been archived, so its sessions cannot be booked.');
  }
  if (session.cancelled_at)
    throw new ConflictError('This session has been cancelled, so it cannot be booked.');
  if (byStaff) {
    if (now >= new Date(session.ends_at)) {
      throw new ConflictError('This session has finished, so no one can be booked on it.');
    }
    return;
  }
  const window = bookingWindow(
    {
      startsAt: new Date(session.starts_at),
      bookingOpensAt: session.booking_opens_at ? new Date(session.booking_opens_at) : null,
      bookingClosesAt: session.booking_closes_at ? new Date(session.booking_closes_at) : null,
    },
    now,
  );
  if (window.state === 'not_yet_open')
    throw new ConflictError('Booking for this session has not opened yet.');
  if (window.state === 'closed') throw new ConflictError('Booking for this session has closed.');
}
