/**
 * Bookings as staff manage them: a session's delegates, booking on someone's
 * behalf, moving, substituting, cancelling with a reason and promoting from
 * the waiting list. Every write takes the session's lock (both sessions' for
 * a move), is audited, and writes its emails in the same transaction.
 */
import { BookingAdminRepository } from '../../data/repositories/bookings/bookingAdminRepository.js';
import { BookingRecords } from '../../data/repositories/bookings/bookingRecords.js';
import {
  BOOKING_STATE_WORDS,
  placesAvailable,
  type BookingState,
} from '../../domain/programme/availability.js';
import { isUnconfirmedAccount, UNCONFIRMED_ACCOUNT_MESSAGE } from '../../domain/accounts/accounts.js';
import { holds, maySeeSession } from '../../domain/accounts/permissions.js';
import { amountWords } from '../../domain/charges/invoiceNumbers.js';
import { formatPence } from '../../domain/charges/money.js';
import {
  canSelfCancel,
  isRefusedSharedAddress,
  selfCancellationDeadline,
  type Policy,
} from '../../domain/hub/policy.js';
import type { StaffRole } from '../../domain/accounts/staff.js';
import {
  formatDate,
  formatDeadline,
  formatMoment,
  formatShortDate,
  formatTimeRange,
  londonDate,
} from '../../domain/time/time.js';
import { ConflictError, FormError, NotFoundError } from '../../errors.js';
import type { Executor } from '../../data/schema.js';
import type { Needs } from './bookingService.js';
import type { ServiceDeps } from '../deps.js';

/** Who is acting: the signed-in staff member. */
export interface StaffActor {
  id: number;
  role: StaffRole;
  trainerId: number | null;
}

/** The delegate a booking is for, as staff give them: an address, and details when they are new. */
export interface DelegateInput {
  email: string;
  /** Null when a delegate with this address exists. */
  details: {
    name: string;
    /** A confirmed organisation, or null with `newOrganisationName`. */
    organisationId: number | null;
    newOrganisationName: string | null;
    jobRole: string;
  } | null;
}

const LIVE: readonly BookingState[] = ['confirmed', 'waitlisted', 'offered'];
/** States that hold (or held) a place on the session. */
const PLACE_STATES: readonly BookingState[] = ['confirmed', 'attended', 'partial', 'did_not_attend'];

const NO_FREE_PLACES = 'There are no free places. Raise the capacity or cancel a booking first.';
const CHANGED = 'This booking changed while you were looking at it. Check it again.';
const NOT_THE_HOLDER =
  'Enter the colleague’s email address: this one belongs to the person who holds the booking now';

export class BookingAdminService {
  constructor(private readonly deps: ServiceDeps) {}

  private get repo() {
    return new BookingAdminRepository(this.deps.db);
  }

  /** The session, or "not found" for a trainer who does not teach it. */
  private async sessionFor(actor: StaffActor, sessionId: number) {
    const session = await this.repo.session(sessionId, actor.trainerId);
    if (!session || !maySeeSession(actor, truthy(session.taught))) throw new NotFoundError('session');
    return session;
  }

  /** The booking, or "not found" for a trainer who does not teach its session. */
  private async bookingFor(actor: StaffActor, reference: string) {
    const booking = await this.repo.booking(reference, actor.trainerId);
    if (!booking || !maySeeSession(actor, truthy(booking.taught))) throw new NotFoundError('booking');
    return booking;
  }

  private sessionSummary(
    session: {
      id: number;
      course_title: string;
      starts_at: string;
      ends_at: string;
      cancelled_at: string | null;
      venue_name: string | null;
      venue_town: string | null;
      parts_count: number | string | null;
    },
    now: Date,
  ) {
    const startsAt = new Date(session.starts_at);
    const endsAt = new Date(session.ends_at);
    return {
      id: session.id,
      courseTitle: session.course_title,
      date: formatDate(startsAt),
      shortDate: formatShortDate(startsAt),
      time: timeText(startsAt, endsAt, Number(session.parts_count ?? 1)),
      where: session.venue_name
        ? `${session.venue_name}, ${session.venue_town ?? ''}`.replace(/, $/, '')
        : 'Online',
      cancelled: session.cancelled_at !== null,
      finished: now >= endsAt,
      started: now >= startsAt,
    };
  }

  /**
   * A session's delegates in sections: confirmed, offered a place, the
   * waiting list in order, and cancelled. Two queries however many bookings
   * the session has: the session, and its bookings with their delegates.
   */
  async sessionBookings(actor: StaffActor, sessionId: number) {
    const now = this.deps.clock.now();
    const session = await this.sessionFor(actor, sessionId);
    const rows = await this.repo.sessionBookings(sessionId);
    const { policy } = await this.deps.context();
    const showNeeds = holds(actor.role, 'seeAccessNeeds');
    const row = (b: (typeof rows)[number]) => ({
      reference: b.reference,
      name: b.delegate_name,
      email: b.delegate_email,
      organisation: b.organisation_name,
      organisationUnconfirmed: b.organisation_name !== null && b.organisation_confirmed_at === null,
      jobRole: b.job_role,
      bookedOn: formatShortDate(new Date(b.created_at)),
      state: b.state,
      stateLabel: BOOKING_STATE_WORDS[b.state],
      needs: showNeeds ? { access: b.access_needs, dietary: b.dietary_needs } : null,
    });
    const confirmed = rows.filter((b) => PLACE_STATES.includes(b.state)).map(row);
    const offered = rows
      .filter((b) => b.state === 'offered')
      .map((b) => {
        const ends = b.offer_expires_at ? new Date(b.offer_expires_at) : null;
        return { ...row(b), offerEnds: ends ? formatMoment(ends) : null, offerEnded: !ends || ends <= now };
      });
    const waiting = rows
      .filter((b) => b.state === 'waitlisted')
      .map((b, i) => ({ ...row(b), position: i + 1 }));
    const cancelled = rows
      .filter((b) => b.state === 'cancelled')
      .sort((a, b) => (a.cancelled_at ?? '').localeCompare(b.cancelled_at ?? ''))
      .map((b) => ({
        ...row(b),
        cancelledOn: b.cancelled_at ? formatShortDate(new Date(b.cancelled_at)) : null,
        cancelledBy: cancelledByText(b.cancelled_by),
        reason: b.cancellation_reason,
      }));
    const held =
      confirmed.filter((b) => b.state === 'confirmed').length + offered.filter((b) => !b.offerEnded).length;
    const summary = this.sessionSummary(session, now);
    return {
      session: {
        ...summary,
        capacity: session.capacity,
        booked: confirmed.length,
        placesLeft: placesAvailable(session.capacity, held),
      },
      confirmed,
      offered,
      waiting,
      cancelled,
      showNeeds,
      needsRetentionDays: policy.accessNeedsRetentionDays,
      canManage: holds(actor.role, 'runProgramme') && !summary.cancelled && !summary.finished,
    };
  }

  /** One booking: the delegate, the session, its state and needs, and its history from the audit log. */
  async booking(actor: StaffActor, reference: string) {
    const now = this.deps.clock.now();
    const b = await this.bookingFor(actor, reference);
    const history = await this.repo.history(b.id);
    const details = history.map((h) => parseDetails(h.details));
    const delegateIds = details.flatMap((d) => [d.fromDelegateId, d.toDelegateId]).filter(isId);
    const sessionIds = details.flatMap((d) => [d.fromSessionId, d.toSessionId]).filter(isId);
    const [names, starts] = await Promise.all([
      this.repo.delegateNames([...new Set(delegateIds)]),
      this.repo.sessionStarts([...new Set(sessionIds)]),
    ]);
    const sessionDate = (id: unknown) => {
      const at = isId(id) ? starts.get(id) : undefined;
      return at ? formatShortDate(new Date(at)) : 'a session no longer listed';
    };
    const delegateName = (id: unknown) => (isId(id) ? (names.get(id) ?? 'a delegate') : 'a delegate');
    const position = b.state === 'waitlisted' ? await this.deps.bookings.waitlistPosition(b) : null;
    const { charges: chargesSettings } = await this.deps.context();
    const session = this.sessionSummary(
      {
        id: b.session_id,
        course_title: b.course_title,
        starts_at: b.starts_at,
        ends_at: b.ends_at,
        cancelled_at: b.session_cancelled_at,
        venue_name: b.venue_name,
        venue_town: b.venue_town,
        parts_count: b.parts_count,
      },
      now,
    );
    const live = LIVE.includes(b.state);
    const offerEnds = b.offer_expires_at ? new Date(b.offer_expires_at) : null;
    return {
      id: b.id,
      reference: b.reference,
      state: b.state,
      stateLabel: BOOKING_STATE_WORDS[b.state],
      position,
      offerEnds: offerEnds ? formatMoment(offerEnds) : null,
      offerEnded: offerEnds !== null && offerEnds <= now,
      bookedOn: formatMoment(new Date(b.created_at)),
      // Money is for those who handle it (admins and coordinators), not trainers or viewers.
      price: holds(actor.role, 'handleMoney')
        ? priceWords(Number(b.price_pence), chargesSettings.vatRateBasisPoints)
        : null,
      cancelled:
        b.state === 'cancelled'
          ? {
              on: b.cancelled_at ? formatMoment(new Date(b.cancelled_at)) : null,
              by: cancelledByText(b.cancelled_by),
              reason: b.cancellation_reason,
            }
          : null,
      delegate: {
        name: b.delegate_name,
        email: b.delegate_email,
        organisation: b.organisation_name,
        organisationUnconfirmed: b.organisation_name !== null && b.organisation_confirmed_at === null,
        jobRole: b.job_role,
        hasPassword: b.password_hash !== null,
      },
      session,
      needs: holds(actor.role, 'seeAccessNeeds')
        ? { access: b.access_needs, dietary: b.dietary_needs, consentedOn: b.needs_consent_at }
        : null,
      history: history.map((h, i) => ({
        when: formatMoment(new Date(h.at)),
        what: describeAction(h.action, details[i] ?? {}, { sessionDate, delegateName }),
        who:
          h.actor_type === 'system'
            ? 'Trellis (automatic)'
            : h.actor_type === 'staff'
              ? (h.staff_name ?? 'A member of staff')
              : (h.delegate_name ?? 'The delegate'),
      })),
      canManage: holds(actor.role, 'runProgramme') && live && !session.cancelled && !session.finished,
      canPromote:
        holds(actor.role, 'runProgramme') &&
        (b.state === 'waitlisted' || b.state === 'offered') &&
        !session.cancelled &&
        !session.finished,
    };
  }

  /** The session, for the page that books a delegate on it. */
  async bookingPage(actor: StaffActor, sessionId: number) {
    const now = this.deps.clock.now();
    const session = await this.sessionFor(actor, sessionId);
    const held = await new BookingRecords(this.deps.db).placesHeld(sessionId, now.toISOString());
    const closesAt = session.booking_closes_at ? new Date(session.booking_closes_at) : null;
    const opensAt = session.booking_opens_at ? new Date(session.booking_opens_at) : null;
    const summary = this.sessionSummary(session, now);
    return {
      ...summary,
      capacity: session.capacity,
      placesLeft: placesAvailable(session.capacity, held),
      // Delegates can no longer book it themselves; staff still can.
      closedToDelegates: summary.started || (closesAt !== null && now >= closesAt),
      notYetOpen: opensAt !== null && now < opensAt,
      bookable: !summary.cancelled && !summary.finished && session.course_archived_at === null,
    };
  }

  /** The confirmed organisations, for choosing a new delegate's. */
  async organisations() {
    return this.repo.confirmedOrganisations();
  }

  /**
   * The delegate with this address (the one kept, if it was merged), and
   * their live booking on the session if they have one.
   */
  async findDelegate(email: string, sessionId: number) {
    const found = await this.repo.delegateByEmail(email);
    const delegate = found?.merged_into_id ? await this.repo.delegate(found.merged_into_id) : found;
    if (!delegate) return null;
    const booking = await this.repo.liveBookingOf(sessionId, delegate.id);
    return {
      id: delegate.id,
      name: delegate.name,
      email: delegate.email,
      jobRole: delegate.job_role,
      organisation: delegate.organisation_name,
      organisationUnconfirmed:
        delegate.organisation_name !== null && delegate.organisation_confirmed_at === null,
      /** Why no place can be booked on this account, if it is one whose address is not confirmed. */
      unconfirmedAccount: unconfirmed(delegate) ? UNCONFIRMED_ACCOUNT_MESSAGE : null,
      liveBooking: booking ? { reference: booking.reference, state: booking.state } : null,
    };
  }

  /**
   * Books a delegate on their behalf: the one with this address, or a new
   * delegate (with no password) from the details given. A full session puts
   * them on its waiting list. Booking is open to staff after it closes to
   * delegates, but never on a cancelled or finished session.
   */
  async bookOnBehalf(actor: StaffActor, sessionId: number, delegate: DelegateInput, needs: Needs) {
    await this.sessionFor(actor, sessionId);
    await this.checkNewDelegate(delegate);
    return this.deps.bookings.bookByStaff(
      actor.id,
      sessionId,
      (db, now) => this.delegateFor(db, delegate, now),
      needs,
    );
  }

  /** What staff must put right in a new delegate's details before anything is locked. */
  private async checkNewDelegate(delegate: DelegateInput) {
    if (!delegate.details) return;
    const problems: Record<string, string> = {};
    const { policy } = await this.deps.context();
    if (isRefusedSharedAddress(delegate.email, policy)) {
      problems.email =
        'Enter the delegate’s own work email address, not a shared one like office@ or admin@: their booking details are sent to it';
    }
    const { organisationId } = delegate.details;
    if (organisationId !== null && !(await this.repo.confirmedOrganisation(organisationId))) {
      problems.organisationId = 'Choose an organisation from the list, or “Their organisation is not listed”';
    }
    if (Object.keys(problems).length) throw new FormError(problems);
  }

  /**
   * The delegate's id, inside the booking's transaction: the one with this
   * address (someone may have registered since the form was shown), or a
   * new record with no password. Never an account whose address is not
   * confirmed: whoever registered it may not own the mailbox, and would see
   * the place (and its joining link) once they could.
   */
  private async delegateFor(db: Executor, input: DelegateInput, now: Date): Promise<number> {
    const repo = this.repo.within(db);
    const existing = await repo.delegateByEmail(input.email);
    if (existing) {
      const kept = existing.merged_into_id ? await repo.delegate(existing.merged_into_id) : existing;
      if (!kept || unconfirmed(kept)) throw new FormError({ email: UNCONFIRMED_ACCOUNT_MESSAGE });
      return kept.id;
    }
    if (!input.details) {
      throw new FormError({ email: 'No delegate has this email address. Enter their details to add them' });
    }
    const { details } = input;
    let organisationId = details.organisationId;
    if (organisationId === null) {
      const name = details.newOrganisationName ?? '';
      const known = await repo.organisationByName(name);
      organisationId = known ? (known.merged_into_id ?? known.id) : await repo.createOrganisation(name, now);
    }
    return repo.createDelegate(
      { name: details.name, email: input.email, organisationId, jobRole: details.jobRole },
      now,
    );
  }

  /** A live booking a runner may change, checked before any lock is taken. */
  private async liveBooking(actor: StaffActor, reference: string, doing: string) {
    const booking = await this.bookingFor(actor, reference);
    if (!LIVE.includes(booking.state)) {
      throw new ConflictError(
        booking.state === 'cancelled'
          ? `This booking has been cancelled, so it cannot be ${doing}.`
          : `This booking is no longer active, so it cannot be ${doing}.`,
      );
    }
    if (booking.session_cancelled_at) {
      throw new ConflictError(`This session has been cancelled, so its bookings cannot be ${doing}.`);
    }
    if (this.deps.clock.now() >= new Date(booking.ends_at)) {
      throw new ConflictError(`This session has finished, so its bookings cannot be ${doing}.`);
    }
    return booking;
  }

  /** Under the lock: the booking as it is now, or a conflict if it changed since it was read. */
  private async stillAsRead(
    db: Executor,
    booking: { id: number; session_id: number; state: BookingState; delegate_id: number },
  ) {
    const current = await new BookingRecords(db).byId(booking.id);
    if (
      !current ||
      current.session_id !== booking.session_id ||
      current.state !== booking.state ||
      current.delegate_id !== booking.delegate_id
    ) {
      throw new ConflictError(CHANGED);
    }
    return current;
  }

  /** Where a booking may move: the course's other upcoming sessions that are not cancelled. */
  async moveChoices(actor: StaffActor, reference: string) {
    const now = this.deps.clock.now();
    const booking = await this.liveBooking(actor, reference, 'moved');
    const sessions = await this.repo.otherSessionsOfCourse(
      booking.course_id,
      booking.session_id,
      now.toISOString(),
    );
    return {
      booking: await this.booking(actor, reference),
      sessions: sessions.map((s) => {
        const placesLeft = placesAvailable(s.capacity, Number(s.places_held));
        const startsAt = new Date(s.starts_at);
        return {
          id: s.id,
          date: formatDate(startsAt),
          time: timeText(startsAt, new Date(s.ends_at), Number(s.parts_count)),
          where: s.venue_name ? `${s.venue_name}, ${s.venue_town ?? ''}`.replace(/, $/, '') : 'Online',
          placesLeft,
          waitlisted: Number(s.waitlisted),
          full: placesLeft === 0,
        };
      }),
    };
  }

  /**
   * Moves a booking to another upcoming session of the same course, keeping
   * its reference and needs: a confirmed place if the new session has one,
   * its waiting list only if staff chose that. The place it leaves is
   * offered to the old session's waiting list.
   */
  async move(actor: StaffActor, reference: string, toSessionId: number, joinWaitlist: boolean) {
    const booking = await this.liveBooking(actor, reference, 'moved');
    if (toSessionId === booking.session_id) {
      throw new FormError({ sessionId: 'Choose a different session: the booking is already on this one' });
    }
    const target = await this.repo.session(toSessionId, null);
    if (!target || target.course_id !== booking.course_id) {
      throw new FormError({ sessionId: 'Choose one of the sessions listed' });
    }
    const ctx = await this.deps.context();
    return this.deps.sessionLock.forSessions([booking.session_id, toSessionId], async (db) => {
      const now = this.deps.clock.now();
      const bookings = new BookingRecords(db);
      const repo = this.repo.within(db);
      await this.stillAsRead(db, booking);
      const to = await repo.session(toSessionId, null);
      if (!to || to.cancelled_at)
        throw new FormError({ sessionId: 'That session has been cancelled. Choose another' });
      if (now >= new Date(to.starts_at)) {
        throw new FormError({ sessionId: 'That session has started. Choose one that has not' });
      }
      const clash = await repo.liveBookingOf(toSessionId, booking.delegate_id);
      if (clash) {
        throw new FormError({
          sessionId: `${booking.delegate_name} already has a booking on that session (${clash.reference}). Choose another`,
        });
      }
      // Expired offers on the new session close first, and its own waiting
      // list comes before a booking moved in from another date.
      await this.deps.bookings.settleOffers(db, toSessionId, now, ctx);
      const held = await bookings.placesHeld(toSessionId, now.toISOString());
      const hasPlace = placesAvailable(to.capacity, held) > 0;
      if (!hasPlace && !joinWaitlist) {
        throw new FormError({
          sessionId:
            'That session is full. Choose another, or tick “If it is full, put them on its waiting list” to move them there',
        });
      }
      if (!hasPlace && !ctx.policy.waitlistEnabled) {
        throw new ConflictError('That session is full and the hub does not keep waiting lists.');
      }
      // The marks its fees rest on go with the old date: its fees not yet invoiced are withdrawn.
      await this.deps.chargeProposals.bookingMoved(
        db,
        ctx,
        booking.id,
        { type: 'staff', id: actor.id },
        now,
        'booking_moved',
      );
      const from = await this.deps.mail.bookingFacts(db, booking.id);
      const state = hasPlace ? 'confirmed' : 'waitlisted';
      const moved = await repo.move(
        { id: booking.id, fromSessionId: booking.session_id, fromState: booking.state },
        toSessionId,
        state,
        now,
      );
      if (!moved) throw new ConflictError(CHANGED);
      // The new session's price, as the delegate would be shown it booking there.
      const pricePence = await bookings.refixPrice(booking.id);
      // Whatever was marked was for the old date.
      const attendanceDeleted = await repo.deleteAttendance(booking.id);
      await bookings.audit(
        {
          actorType: 'staff',
          actorId: actor.id,
          action: 'booking_moved',
          bookingId: booking.id,
          details: {
            fromSessionId: booking.session_id,
            toSessionId,
            fromState: booking.state,
            state,
            pricePence,
            ...(attendanceDeleted ? { attendanceDeleted } : {}),
          },
        },
        now,
      );
      const current = (await bookings.byId(booking.id))!;
      const position = state === 'waitlisted' ? await bookings.waitlistPosition(current) : null;
      await this.deps.mail.bookingMoved(db, ctx, booking.id, from.session, position);
      await this.deps.bookings.settleOffers(db, booking.session_id, now, ctx);
      return { state, position, delegateName: booking.delegate_name };
    });
  }

  /** The booking, for the page that passes it to a colleague. */
  async substitutionPage(actor: StaffActor, reference: string) {
    await this.liveBooking(actor, reference, 'passed to a colleague');
    return this.booking(actor, reference);
  }

  /** The colleague's address must not be that of the person who holds the booking. */
  async checkColleague(actor: StaffActor, reference: string, email: string) {
    const booking = await this.liveBooking(actor, reference, 'passed to a colleague');
    const found = await this.repo.delegateByEmail(email);
    const holder = found ? (found.merged_into_id ?? found.id) === booking.delegate_id : false;
    if (holder || email.toLowerCase() === booking.delegate_email)
      throw new FormError({ email: NOT_THE_HOLDER });
  }

  /**
   * A colleague takes the place: the booking (reference, state, place in
   * the queue) passes to them, without the first person's needs. The first
   * person is told; the colleague gets the booking's usual email.
   */
  async substitute(actor: StaffActor, reference: string, colleague: DelegateInput) {
    const booking = await this.liveBooking(actor, reference, 'passed to a colleague');
    if (colleague.email.toLowerCase() === booking.delegate_email)
      throw new FormError({ email: NOT_THE_HOLDER });
    await this.checkNewDelegate(colleague);
    const ctx = await this.deps.context();
    return this.deps.sessionLock.forSession(booking.session_id, async (db) => {
      const now = this.deps.clock.now();
      const bookings = new BookingRecords(db);
      const repo = this.repo.within(db);
      const current = await this.stillAsRead(db, booking);
      const colleagueId = await this.delegateFor(db, colleague, now);
      if (colleagueId === booking.delegate_id) throw new FormError({ email: NOT_THE_HOLDER });
      const clash = await repo.liveBookingOf(booking.session_id, colleagueId);
      if (clash) {
        throw new FormError({
          email: `They already have a booking on this session (${clash.reference}). Cancel one of the two instead`,
        });
      }
      // A fee on an issued invoice is for the first person: passing the place on would pass it to the colleague.
      const invoiced = await this.deps.chargeProposals.feeOnIssuedInvoice(db, booking.id);
      if (invoiced) {
        throw new ConflictError(
          `${booking.delegate_name}’s charge for this booking is on invoice ${invoiced}, so the place cannot be passed to a colleague: the charge would go with it. Cancel this booking and book the colleague instead.`,
        );
      }
      // The first person's fees not yet invoiced are withdrawn (and they are told) before the place passes on.
      await this.deps.chargeProposals.bookingMoved(
        db,
        ctx,
        booking.id,
        { type: 'staff', id: actor.id },
        now,
        'booking_substituted',
      );
      if (
        !(await repo.substitute(
          { id: booking.id, fromDelegateId: booking.delegate_id, state: booking.state },
          colleagueId,
          now,
        ))
      ) {
        throw new ConflictError(CHANGED);
      }
      // The colleague's price: their organisation's type may pay differently.
      const pricePence = await bookings.refixPrice(booking.id);
      const attendanceDeleted = await repo.deleteAttendance(booking.id);
      await bookings.audit(
        {
          actorType: 'staff',
          actorId: actor.id,
          action: 'booking_substituted',
          bookingId: booking.id,
          details: {
            fromDelegateId: booking.delegate_id,
            toDelegateId: colleagueId,
            state: booking.state,
            pricePence,
            ...(attendanceDeleted ? { attendanceDeleted } : {}),
          },
        },
        now,
      );
      await this.deps.mail.placePassed(db, ctx, booking.id, {
        id: booking.delegate_id,
        name: booking.delegate_name,
        email: booking.delegate_email,
      });
      if (current.state === 'confirmed') {
        await this.deps.mail.bookingConfirmed(db, ctx, booking.id, { bookedByHub: true });
        await this.deps.mail.lineManagerTold(db, ctx, booking.id, 'booked');
      } else if (current.state === 'offered') {
        await this.deps.mail.placeOffered(db, ctx, booking.id);
      } else {
        const position = await bookings.waitlistPosition(current);
        await this.deps.mail.waitlistJoined(db, ctx, booking.id, position, { bookedByHub: true });
      }
      const to = await repo.delegate(colleagueId);
      return { colleagueName: to?.name ?? colleague.email, formerName: booking.delegate_name };
    });
  }

  /**
   * The booking, for the page that asks for a reason before cancelling it,
   * and whether to record it as late: asked only when it can be, a confirmed
   * place after the hub's cut-off and before the session starts (the default
   * then), with what a late cancellation would propose.
   */
  async cancellationPage(actor: StaffActor, reference: string) {
    const live = await this.liveBooking(actor, reference, 'cancelled');
    const view = await this.booking(actor, reference);
    const ctx = await this.deps.context();
    const startsAt = new Date(live.starts_at);
    const deadline = selfCancellationDeadline(startsAt, ctx.policy);
    const mayBeLate = lateAllowed(live.state, startsAt, this.deps.clock.now(), ctx.policy);
    const fee = mayBeLate
      ? await this.deps.chargeProposals.lateCancellationFee(this.deps.db, ctx, live.id)
      : null;
    return {
      ...view,
      lateQuestion: mayBeLate
        ? {
            pastCutOff: true,
            cutOff: deadline ? formatDeadline(deadline) : null,
            fee: fee ? formatPence(fee.amount) : null,
            paidPlace: fee?.paidPlace ?? false,
          }
        : null,
    };
  }

  /**
   * Cancels a booking for the hub, with a reason the delegate is sent; a
   * freed place is offered to the waiting list at once. A confirmed place
   * recorded as a late cancellation (`late`) proposes a charge, in the same
   * transaction, for a coordinator to review: only after the cut-off and
   * before the session starts (checked again under the lock); after the
   * start a place not taken up is the register's business. A paid place's
   * charge not yet invoiced is withdrawn.
   */
  async cancel(actor: StaffActor, reference: string, reason: string, late = false) {
    const booking = await this.liveBooking(actor, reference, 'cancelled');
    const ctx = await this.deps.context();
    const refuseLate = (now: Date) => {
      if (late && !lateAllowed(booking.state, new Date(booking.starts_at), now, ctx.policy)) {
        throw new ConflictError(lateRefusal(booking.state, new Date(booking.starts_at), now));
      }
    };
    refuseLate(this.deps.clock.now());
    await this.deps.sessionLock.forSession(booking.session_id, async (db) => {
      const now = this.deps.clock.now();
      const bookings = new BookingRecords(db);
      await this.stillAsRead(db, booking);
      refuseLate(now);
      const recordedLate = late;
      const changed = await bookings.transition(booking.id, booking.state, 'cancelled', now, {
        cancelledBy: 'hub',
        cancellationReason: reason,
      });
      if (!changed) throw new ConflictError(CHANGED);
      await bookings.audit(
        {
          actorType: 'staff',
          actorId: actor.id,
          action: 'booking_cancelled',
          bookingId: booking.id,
          details: { reason, fromState: booking.state, ...(recordedLate ? { late: true } : {}) },
        },
        now,
      );
      await this.deps.mail.bookingCancelled(db, ctx, booking.id);
      if (booking.state === 'confirmed') {
        await this.deps.mail.lineManagerTold(db, ctx, booking.id, 'cancelled');
      }
      await this.deps.chargeProposals.bookingCancelled(
        db,
        ctx,
        booking.id,
        { type: 'staff', id: actor.id },
        now,
      );
      if (recordedLate) {
        await this.deps.chargeProposals.lateCancellation(
          db,
          ctx,
          booking.id,
          { type: 'staff', id: actor.id },
          now,
        );
      }
      await this.deps.bookings.settleOffers(db, booking.session_id, now, ctx);
    });
    return {
      delegateName: booking.delegate_name,
      sessionId: booking.session_id,
      freedPlace: booking.state !== 'waitlisted',
    };
  }

  /**
   * Confirms a place for someone on the waiting list (or holding an offer)
   * by hand, out of turn. An offer still open already holds its place;
   * anyone else needs a free one.
   */
  async promote(actor: StaffActor, reference: string) {
    const booking = await this.liveBooking(actor, reference, 'confirmed');
    if (booking.state === 'confirmed') throw new ConflictError('This place is already confirmed.');
    const ctx = await this.deps.context();
    await this.deps.sessionLock.forSession(booking.session_id, async (db) => {
      const now = this.deps.clock.now();
      const bookings = new BookingRecords(db);
      const current = await this.stillAsRead(db, booking);
      const holdsOffer =
        current.state === 'offered' &&
        current.offer_expires_at !== null &&
        now < new Date(current.offer_expires_at);
      if (!holdsOffer) {
        const held = await bookings.placesHeld(booking.session_id, now.toISOString());
        if (placesAvailable(booking.capacity, held) === 0) throw new ConflictError(NO_FREE_PLACES);
      }
      const position = current.state === 'waitlisted' ? await bookings.waitlistPosition(current) : null;
      if (!(await bookings.transition(booking.id, current.state, 'confirmed', now))) {
        throw new ConflictError(CHANGED);
      }
      await bookings.audit(
        {
          actorType: 'staff',
          actorId: actor.id,
          action: 'booking_promoted',
          bookingId: booking.id,
          details: { fromState: current.state, ...(position ? { position } : {}) },
        },
        now,
      );
      await this.deps.mail.bookingConfirmed(db, ctx, booking.id);
      await this.deps.mail.lineManagerTold(db, ctx, booking.id, 'booked');
    });
    return { delegateName: booking.delegate_name, sessionId: booking.session_id };
  }
}

/** "9:30am to 4pm", or for a session over several days "3 parts: 9:30am on … to 12:30pm on …". */
function timeText(startsAt: Date, endsAt: Date, parts: number): string {
  if (parts <= 1 && londonDate(startsAt) === londonDate(endsAt)) return formatTimeRange(startsAt, endsAt);
  const span = `${formatMoment(startsAt)} to ${formatMoment(endsAt)}`;
  return parts > 1 ? `${parts} parts: ${span}` : span;
}

/** SQLite answers EXISTS with 0 or 1, PostgreSQL with a boolean. */
function truthy(value: unknown): boolean {
  return value === true || Number(value) === 1;
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** Who cancelled, to follow "by": "by the hub". */
function cancelledByText(by: string | null): string {
  if (by === 'hub') return 'the hub';
  if (by === 'system') return 'Trellis, when the offer expired';
  return 'the delegate';
}

/** An audit entry as staff read it: what happened to the booking, with the facts it recorded. */
function describeAction(
  action: string,
  details: Record<string, unknown>,
  names: { sessionDate: (id: unknown) => string; delegateName: (id: unknown) => string },
): string {
  const state = typeof details.state === 'string' ? details.state : null;
  switch (action) {
    case 'booked':
      return 'Booked a place';
    case 'joined_waitlist':
      return 'Joined the waiting list';
    case 'booked_by_staff':
      return state === 'waitlisted' ? 'Put on the waiting list by staff' : 'Booked by staff';
    case 'offered_place':
      return 'Offered a place that came free';
    case 'accepted_offer':
      return 'Accepted the offered place';
    case 'offer_expired':
      return 'The offer expired';
    case 'cancelled_confirmed':
      return details.late === true ? 'Cancelled their place, after the cut-off' : 'Cancelled their place';
    case 'cancelled_waitlisted':
      return 'Left the waiting list';
    case 'cancelled_offered':
      return 'Declined the offered place';
    case 'booking_moved':
      return `Moved from the session on ${names.sessionDate(details.fromSessionId)} to the one on ${names.sessionDate(details.toSessionId)}${state === 'waitlisted' ? ' (its waiting list)' : ''}`;
    case 'booking_substituted':
      return `Passed from ${names.delegateName(details.fromDelegateId)} to ${names.delegateName(details.toDelegateId)}`;
    case 'booking_cancelled':
      return `Cancelled by the hub${details.late === true ? ', recorded as late' : ''}${typeof details.reason === 'string' ? `: “${details.reason}”` : ''}`;
    case 'booking_promoted':
      return 'Place confirmed by hand from the waiting list';
    default: {
      const words = action.replace(/_/g, ' ');
      return words.charAt(0).toUpperCase() + words.slice(1);
    }
  }
}

/** An account someone registered whose address is not confirmed (see isUnconfirmedAccount). */
function unconfirmed(delegate: { has_password: unknown; email_verified_at: string | null }): boolean {
  return isUnconfirmedAccount({
    hasPassword: Boolean(delegate.has_password),
    emailVerifiedAt: delegate.email_verified_at,
  });
}

/**
 * Whether staff may record a cancellation as late: a confirmed place, after
 * the hub's cut-off, before the session starts.
 */
function lateAllowed(state: BookingState, startsAt: Date, now: Date, policy: Policy): boolean {
  return state === 'confirmed' && now < startsAt && !canSelfCancel(startsAt, now, policy);
}

/** Why a cancellation cannot be recorded as late, for the form. */
function lateRefusal(state: BookingState, startsAt: Date, now: Date): string {
  if (state !== 'confirmed')
    return 'Only a confirmed place can be cancelled late, so nothing was cancelled. Cancel it without recording it as late.';
  if (now >= startsAt)
    return 'The session has started, so this cannot be recorded as a late cancellation, and nothing was cancelled. If they did not come, mark it on the register; or cancel it without recording it as late.';
  return 'The cut-off for cancelling has not passed yet, so this is not a late cancellation, and nothing was cancelled. Cancel it without recording it as late.';
}

/** A booking's price as staff read it: fixed when it was booked (or moved, or passed on). */
function priceWords(pence: number, vatRateBasisPoints: number): string {
  return pence === 0
    ? 'Free'
    : `${amountWords(pence, vatRateBasisPoints)}, invoiced to their organisation after the session`;
}
