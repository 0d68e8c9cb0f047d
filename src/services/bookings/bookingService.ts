/**
 * Booking: places, the waiting list, offers of freed places, cancellation.
 *
 * Every write that depends on free places runs under the session lock
 * (data/sessionLock.ts): one transaction that takes the lock, re-counts, then
 * writes, so a session is never overbooked however many people book at once.
 * The emails each change causes are written to the outbox in that same
 * transaction. Who gets a place is decided in placeBookings.ts, for one
 * booking or for a rush's bookings on one session together.
 */
import type { Kysely } from 'kysely';

import { BookingRecords } from '../../data/repositories/bookings/bookingRecords.js';
import type { DB, Executor } from '../../data/schema.js';
import type { SessionLock } from '../../data/sessionLock.js';
import { placesAvailable } from '../../domain/programme/availability.js';
import {
  canSelfCancel,
  morningReminderDueAt,
  offerExpiresAt,
  reminderDueAt,
  selfCancellationDeadline,
} from '../../domain/hub/policy.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import {
  PlaceBookings,
  type BookingActor,
  type BookingOutcome,
  type DelegateFor,
  type Needs,
  type PlaceRequest,
  type Placed,
} from './placeBookings.js';
import type { ChargeProposals } from '../charges/chargeProposals.js';
import type { Clock } from '../clock.js';
import type { MailContext, Notifications } from '../email/notifications.js';

export type { BookingActor, BookingOutcome, DelegateFor, Needs } from './placeBookings.js';

export interface BookingServiceOptions {
  /**
   * TEST ONLY. Counts places before the transaction (and the SessionLock is
   * given the same option, so takes no lock), to show in tests that the lock
   * is what prevents overbooking.
   */
  unsafeWithoutLock?: boolean;
}

export class BookingService {
  private readonly repository: BookingRecords;
  private readonly placing: PlaceBookings;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly sessionLock: SessionLock,
    private readonly clock: Clock,
    private readonly mail: Notifications,
    /** The hub's settings and policy, read before each transaction (see MailContext). */
    private readonly context: () => Promise<MailContext>,
    /** A place given back after the cut-off proposes a charge, in the cancellation's transaction. */
    private readonly proposals: ChargeProposals,
    private readonly options: BookingServiceOptions = {},
  ) {
    this.repository = new BookingRecords(db);
    this.placing = new PlaceBookings(clock, mail, (trx, sessionId, now, ctx) =>
      this.settleOffers(trx, sessionId, now, ctx),
    );
  }

  /**
   * Books a place, or a place on the waiting list when the session is full.
   * Booking twice gives the first booking back, not a second one. With the
   * price the delegate was shown (`seen`), a price changed since is refused,
   * so nobody agrees to a price they did not see.
   */
  async book(
    delegateId: number,
    sessionId: number,
    needs: Needs,
    seen: { pricePence?: number } = {},
  ): Promise<BookingOutcome> {
    const { reference, state, position, alreadyHeld } = await this.place(
      sessionId,
      delegateId,
      needs,
      { type: 'delegate', id: delegateId },
      seen.pricePence,
    );
    return { reference, state, position, alreadyHeld };
  }

  /**
   * Books a delegate on their behalf, for staff: as `book`, and also before
   * booking opens or after it has closed, but never on a cancelled or
   * finished session. The delegate's email says the hub booked it for them.
   */
  async bookByStaff(
    staffId: number,
    sessionId: number,
    delegate: DelegateFor,
    needs: Needs,
  ): Promise<BookingOutcome & { delegateId: number }> {
    return this.place(sessionId, delegate, needs, { type: 'staff', id: staffId });
  }

  private async place(
    sessionId: number,
    delegate: DelegateFor,
    needs: Needs,
    actor: BookingActor,
    seenPricePence?: number,
  ): Promise<Placed> {
    // Nothing is read before the lock: under it, the session is read once for
    // every booking waiting (placeBookings.ts), and checked there.
    const request: PlaceRequest = {
      sessionId,
      delegate,
      needs,
      actor,
      ctx: await this.context(),
      ...(seenPricePence === undefined ? {} : { seenPricePence }),
      // The race the lock prevents, made visible for the concurrency tests.
      ...(this.options.unsafeWithoutLock
        ? { countedEarly: await this.repository.placesHeld(sessionId, this.clock.now().toISOString()) }
        : {}),
    };
    // A delegate's own booking may be placed together with others waiting
    // for the same session (a rush); staff's, which may make a delegate as
    // it goes, is placed alone, so a refusal rolls that back too.
    if (actor.type === 'staff')
      return this.sessionLock.forSession(sessionId, (db) => this.placeOne(db, request));
    return this.sessionLock.forSessionTogether(sessionId, this.placing, request);
  }

  private async placeOne(db: Executor, request: PlaceRequest): Promise<Placed> {
    const [outcome] = await this.placing.all(db, [request]);
    if (!outcome!.ok) throw outcome!.error;
    return outcome!.value;
  }

  /** A delegate's own booking; someone else's reference is not found, as if it did not exist. */
  async ownBooking(delegateId: number, reference: string) {
    const booking = await this.repository.byReference(reference);
    if (!booking || booking.delegate_id !== delegateId) throw new NotFoundError('booking');
    return booking;
  }

  /**
   * What a delegate may do with their booking now, and until when. After the
   * cut-off a place can still be given back until the session starts (a late
   * place can still go to someone waiting), but late: `canCancel` says whether
   * it is within the cut-off.
   */
  async cancellationTerms(sessionStartsAt: Date) {
    const { policy } = await this.context();
    return {
      canCancel: canSelfCancel(sessionStartsAt, this.clock.now(), policy),
      deadline: selfCancellationDeadline(sessionStartsAt, policy),
      workingDays: policy.cancellationWorkingDays,
    };
  }

  /**
   * What giving back this (confirmed) place now would propose, said before
   * the button: null within the cut-off, or when no charge applies.
   */
  async lateCancellationCharge(booking: { id: number; state: string; session_id: number }) {
    if (booking.state !== 'confirmed') return null;
    const session = await this.repository.session(booking.session_id);
    if (!session) return null;
    const ctx = await this.context();
    if (canSelfCancel(new Date(session.starts_at), this.clock.now(), ctx.policy)) return null;
    return this.proposals.lateCancellationFee(this.db, ctx, booking.id);
  }

  /**
   * Cancels the delegate's own place or takes them off the waiting list, until
   * the session starts. A freed place is offered to the waiting list at once.
   * A confirmed place given back after the hub's cut-off is a late
   * cancellation: a charge may be proposed (never charged: a person looks at
   * it first), in the same transaction.
   */
  async cancel(delegateId: number, reference: string): Promise<void> {
    await this.cancelOwn(await this.ownBooking(delegateId, reference));
  }

  /**
   * The "I can't come" link (services/bookings/giveUpPlace.ts): cancels the
   * booking exactly as its delegate cancelling it themselves does, and uses
   * the link (`useLink`, false when it was used meanwhile) in the same
   * transaction, so a second press cancels nothing.
   */
  async cancelByLink(bookingId: number, useLink: (db: Executor) => Promise<boolean>): Promise<void> {
    const booking = await this.repository.byId(bookingId);
    if (!booking) throw new NotFoundError('booking');
    await this.cancelOwn(booking, useLink);
  }

  private async cancelOwn(
    booking: NonNullable<Awaited<ReturnType<BookingRecords['byId']>>>,
    useLink?: (db: Executor) => Promise<boolean>,
  ): Promise<void> {
    const delegateId = booking.delegate_id;
    const session = await this.repository.session(booking.session_id);
    if (!session) throw new NotFoundError('booking');
    const now = this.clock.now();
    const ctx = await this.context();
    if (!['confirmed', 'waitlisted', 'offered'].includes(booking.state)) {
      throw new ConflictError('This booking is no longer active, so there is nothing to cancel.');
    }
    if (now >= new Date(session.starts_at)) {
      throw new ConflictError('This session has started, so the booking can no longer be cancelled here.');
    }
    await this.sessionLock.forSession(booking.session_id, async (db) => {
      const now = this.clock.now();
      // Checked again with the time it is once the lock is held.
      if (now >= new Date(session.starts_at)) {
        throw new ConflictError('This session has started, so the booking can no longer be cancelled here.');
      }
      const late =
        booking.state === 'confirmed' && !canSelfCancel(new Date(session.starts_at), now, ctx.policy);
      const bookings = this.repository.within(db);
      if (useLink && !(await useLink(db))) {
        throw new ConflictError('This link has already been used.');
      }
      const changed = await bookings.transition(booking.id, booking.state, 'cancelled', now, {
        cancelledBy: 'delegate',
        cancellationReason: booking.state === 'offered' ? 'Offer declined' : null,
      });
      if (!changed)
        throw new ConflictError('This booking changed while you were looking at it. Check it again.');
      await bookings.audit(
        {
          actorType: 'delegate',
          actorId: delegateId,
          action: `cancelled_${booking.state}`,
          bookingId: booking.id,
          ...(late || useLink
            ? { details: { ...(late ? { late: true } : {}), ...(useLink ? { byLink: true } : {}) } }
            : {}),
        },
        now,
      );
      await this.mail.bookingCancelled(db, ctx, booking.id);
      // Only a place: leaving the waiting list or declining an offer is not told.
      if (booking.state === 'confirmed') await this.mail.lineManagerTold(db, ctx, booking.id, 'cancelled');
      await this.proposals.bookingCancelled(db, ctx, booking.id, { type: 'delegate', id: delegateId }, now);
      if (late) {
        await this.proposals.lateCancellation(db, ctx, booking.id, { type: 'delegate', id: delegateId }, now);
      }
      await this.settleOffers(db, booking.session_id, now, ctx);
    });
  }

  /**
   * The delegate changes or removes the access and dietary needs on their own
   * live booking, until the session starts. Needs are kept only with their
   * consent; with no needs (or `remove`) the stored ones are deleted. Places
   * do not depend on needs, so no session lock is taken.
   */
  async changeNeeds(delegateId: number, reference: string, needs: Needs | 'remove'): Promise<void> {
    const booking = await this.ownBooking(delegateId, reference);
    const session = await this.repository.session(booking.session_id);
    if (!session) throw new NotFoundError('booking');
    if (!['confirmed', 'waitlisted', 'offered'].includes(booking.state)) {
      throw new ConflictError('This booking is no longer active, so its needs cannot be changed.');
    }
    const now = this.clock.now();
    if (now >= new Date(session.starts_at)) {
      throw new ConflictError(
        'This session has started, so needs can no longer be changed here. Talk to the trainer or the training team.',
      );
    }
    const keep =
      needs !== 'remove' && needs.consent && Boolean(needs.accessNeeds || needs.dietaryNeeds)
        ? { accessNeeds: needs.accessNeeds, dietaryNeeds: needs.dietaryNeeds }
        : null;
    await this.repository.setNeeds(booking.id, keep, now);
  }

  /** Accepts an offer of a freed place while it is still held. */
  async acceptOffer(delegateId: number, reference: string): Promise<void> {
    const booking = await this.ownBooking(delegateId, reference);
    const now = this.clock.now();
    const ctx = await this.context();
    if (booking.state !== 'offered') throw new ConflictError(offerNoLongerOpen(booking.state));
    if (!booking.offer_expires_at || now >= new Date(booking.offer_expires_at)) {
      throw new ConflictError(
        'This offer has expired, and the place has gone to the next person on the waiting list.',
      );
    }
    await this.sessionLock.forSession(booking.session_id, async (db) => {
      // Checked again under the lock, with the time it is now: an offer that
      // ran out while this request waited may already have gone to someone else.
      const now = this.clock.now();
      const bookings = this.repository.within(db);
      const current = await bookings.byId(booking.id);
      if (!current || current.state !== 'offered')
        throw new ConflictError(offerNoLongerOpen(current?.state ?? 'gone'));
      if (!current.offer_expires_at || now >= new Date(current.offer_expires_at)) {
        throw new ConflictError(
          'This offer has expired, and the place has gone to the next person on the waiting list.',
        );
      }
      const changed = await bookings.transition(booking.id, 'offered', 'confirmed', now);
      if (!changed) throw new ConflictError(offerNoLongerOpen('changed'));
      await bookings.audit(
        { actorType: 'delegate', actorId: delegateId, action: 'accepted_offer', bookingId: booking.id },
        now,
      );
      await this.mail.bookingConfirmed(db, ctx, booking.id);
      await this.mail.lineManagerTold(db, ctx, booking.id, 'booked');
    });
  }

  /** Declines an offer: the place goes to the next person at once. */
  async declineOffer(delegateId: number, reference: string): Promise<void> {
    const booking = await this.ownBooking(delegateId, reference);
    if (booking.state !== 'offered') throw new ConflictError(offerNoLongerOpen(booking.state));
    await this.cancel(delegateId, reference);
  }

  /**
   * Offers free places to the waiting list, first come first served, while
   * places are free and the session is far enough away. Runs inside the
   * caller's locked transaction (see SessionLock): after staff raise a
   * capacity, say.
   */
  async offerFreedPlaces(db: Executor, sessionId: number, now: Date, ctx: MailContext): Promise<void> {
    const bookings = this.repository.within(db);
    const session = await bookings.session(sessionId);
    if (!session || session.cancelled_at) return;
    const expiresAt = offerExpiresAt(now, new Date(session.starts_at), ctx.policy);
    if (!expiresAt) return;
    const free = placesAvailable(session.capacity, await bookings.placesHeld(sessionId, now.toISOString()));
    if (free === 0) return;
    for (const next of await bookings.waitlist(sessionId, free)) {
      if (await bookings.transition(next.id, 'waitlisted', 'offered', now, { offerExpiresAt: expiresAt })) {
        await bookings.audit(
          { actorType: 'system', actorId: null, action: 'offered_place', bookingId: next.id },
          now,
        );
        await this.mail.placeOffered(db, ctx, next.id);
      }
    }
  }

  /**
   * The waiting-list job: offers that have expired are closed (and the
   * delegate told), and free places go to the next people in line. Also
   * offers places freed by anything else (capacity raised by staff).
   */
  async processWaitlists(): Promise<{ expired: number; sessionsChecked: number }> {
    const ctx = await this.context();
    const at = this.clock.now().toISOString();
    const sessions = new Set([
      ...(await this.repository.sessionsWithExpiredOffers(at)),
      ...(await this.repository.sessionsWithFreePlacesAndWaitlist(at)),
    ]);
    let expired = 0;
    for (const sessionId of sessions) {
      expired += await this.sessionLock.forSession(sessionId, (db) =>
        this.settleOffers(db, sessionId, this.clock.now(), ctx),
      );
    }
    return { expired, sessionsChecked: sessions.size };
  }

  /**
   * Closes a session's offers whose time is up (telling each delegate) and
   * offers the free places to the next people waiting. Runs inside the
   * caller's locked transaction (staff changes call it after freeing places).
   */
  async settleOffers(db: Executor, sessionId: number, now: Date, ctx: MailContext): Promise<number> {
    const bookings = this.repository.within(db);
    let expired = 0;
    for (const offer of await bookings.expiredOffersOn(sessionId, now.toISOString())) {
      const closed = await bookings.transition(offer.id, 'offered', 'cancelled', now, {
        cancelledBy: 'system',
        cancellationReason: 'Offer expired',
      });
      if (closed) {
        expired += 1;
        await bookings.audit(
          { actorType: 'system', actorId: null, action: 'offer_expired', bookingId: offer.id },
          now,
        );
        await this.mail.offerExpired(db, ctx, offer.id);
      }
    }
    await this.offerFreedPlaces(db, sessionId, now, ctx);
    return expired;
  }

  /** The reminder job: one reminder per confirmed booking, the set number of days before. */
  async sendReminders(): Promise<number> {
    const now = this.clock.now();
    const ctx = await this.context();
    const { policy } = ctx;
    // Reminders are at most this many days ahead (plus one for the 9am rule).
    const horizon = new Date(now.getTime() + (policy.reminderDaysBefore + 1) * 86_400_000);
    let sent = 0;
    for (const due of await this.repository.remindersDue(now.toISOString(), horizon.toISOString())) {
      if (reminderDueAt(new Date(due.starts_at), policy) > now) continue;
      await this.db.transaction().execute(async (trx) => {
        if (await this.repository.within(trx).markReminded(due.id, now)) {
          await this.mail.sessionReminder(trx, ctx, due.id);
          sent += 1;
        }
      });
    }
    return sent;
  }

  /**
   * The reminder job's other half: a confirmed place on an online session is
   * sent a short reminder with the joining link on the morning of the session
   * (domain/hub/policy.ts `morningReminderDueAt`), or at once when booked later
   * that morning. Claimed once per booking, so several processes may run it.
   */
  async sendMorningReminders(): Promise<number> {
    const now = this.clock.now();
    const ctx = await this.context();
    // Due on the session's own day at the latest, so a day ahead is enough.
    const horizon = new Date(now.getTime() + 86_400_000);
    let sent = 0;
    for (const due of await this.repository.morningRemindersDue(now.toISOString(), horizon.toISOString())) {
      const at = morningReminderDueAt(new Date(due.starts_at), ctx.policy);
      if (!at || at > now) continue;
      await this.db.transaction().execute(async (trx) => {
        if (await this.repository.within(trx).markMorningReminded(due.id, now)) {
          await this.mail.onlineMorningReminder(trx, ctx, due.id);
          sent += 1;
        }
      });
    }
    return sent;
  }

  /** The retention job: access and dietary needs are deleted some days after the session. */
  async purgeNeeds(): Promise<number> {
    const { policy } = await this.context();
    const cutoff = new Date(this.clock.now().getTime() - policy.accessNeedsRetentionDays * 86_400_000);
    return this.repository.purgeNeeds(cutoff.toISOString());
  }

  /**
   * The online joining link of a booking's session: only for a confirmed
   * place on a session that is online or hybrid and not cancelled, and only a
   * web address, whatever was typed into the session.
   */
  async joiningLink(booking: { state: string; session_id: number }): Promise<string | null> {
    if (booking.state !== 'confirmed') return null;
    const session = await this.repository.joiningDetails(booking.session_id);
    if (!session || session.format === 'in_person' || session.cancelled_at) return null;
    const url = session.online_joining_url;
    return url && /^https?:\/\//i.test(url) ? url : null;
  }

  async myBookings(delegateId: number) {
    return this.repository.forDelegate(delegateId);
  }

  async bookingOnSession(delegateId: number, sessionId: number) {
    const booking = await this.repository.liveBookingOf(sessionId, delegateId);
    if (!booking) return undefined;
    return {
      ...booking,
      position: booking.state === 'waitlisted' ? await this.repository.waitlistPosition(booking) : null,
    };
  }

  async waitlistPosition(booking: { id: number; session_id: number; created_at: string }) {
    return this.repository.waitlistPosition(booking);
  }
}

function offerNoLongerOpen(state: string): string {
  if (state === 'confirmed') return 'You have already accepted this offer: your place is confirmed.';
  return 'This offer is no longer open. It may have expired or been declined.';
}
