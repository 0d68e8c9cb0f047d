/**
 * Turns what happened (a booking confirmed, an offer made, an account
 * created…) into emails in the outbox. Called inside the transaction that
 * makes the change, with the executor of that transaction, so the email
 * exists exactly when the change does.
 */
import { CertificateRecords } from '../../data/repositories/afterCourse/certificateRecords.js';
import { ChargeRecords } from '../../data/repositories/charges/chargeRecords.js';
import { OutboxRecords } from '../../data/repositories/outboxRecords.js';
import { BookingRecords } from '../../data/repositories/bookings/bookingRecords.js';
import { sessionPartsInOrder } from '../../data/repositories/sharedQueries.js';
import { PriceRecords } from '../../data/repositories/charges/priceRecords.js';
import type { ChargesSettings } from '../../domain/charges/chargesSettings.js';
import { amountWords } from '../../domain/charges/invoiceNumbers.js';
import { anyPrice, ORGANISATION_TYPE_ONE } from '../../domain/charges/prices.js';
import { chargingTerms } from '../../domain/charges/terms.js';
import type { HubSettings } from '../../domain/hub/hub.js';
import {
  canSelfCancel,
  policyWords,
  selfCancellationDeadline,
  tellsLineManager,
  type LineManagerEvent,
  type Policy,
} from '../../domain/hub/policy.js';
import { isUnreachableAddress } from '../../data/repositories/privacy/personalDataRecords.js';
import {
  accountClosedOnRequest,
  accountClosing,
  bookingCancelled,
  bookingConfirmed,
  bookingMoved,
  certificateReady,
  chargeDecided,
  chargeLineManager,
  chargeProposed,
  detailsChanged,
  emailChangeRequested,
  emailInUse,
  feedbackInvitation,
  followUpReminder,
  LINE_MANAGER_EMAIL_KINDS,
  lineManagerTold,
  followUpRequest,
  offerExpired,
  onlineMorningReminder,
  passwordReset,
  placeOffered,
  placePassed,
  sessionReminder,
  verifyEmail,
  waitlistJoined,
} from '../../emails/index.js';
import type { FollowUpRequestFacts } from '../../emails/afterCourse/followUpRequest.js';
import type { ChargeOutcome, ChargeWithdrawnBecause } from '../../emails/charges/chargeDecided.js';
import type { EmailMessage, PriceFacts, SessionFacts } from '../../emails/message.js';
import { sessionCalendar } from '../../formats/calendar.js';
import { PrivateLinks } from '../accounts/privateLinks.js';
import type { Clock } from '../clock.js';
import type { Executor } from '../../data/schema.js';

/** Read before the transaction starts, so nothing inside it waits on another query. */
export interface MailContext {
  hub: HubSettings;
  policy: Policy;
  /** The hub's fee rules (domain/charges/chargesSettings.ts): what a late cancellation or absence proposes. */
  charges: ChargesSettings;
}

/** Everything about one booking that its emails say (Notifications.bookingFacts). */
export type BookingFacts = Awaited<ReturnType<Notifications['bookingFacts']>>;

/** An email written but not yet in the outbox: see Notifications.enqueueAll. */
export interface WrittenEmail {
  to: Recipient;
  message: EmailMessage;
  bookingId: number | null;
}

export interface Recipient {
  id: number;
  name: string;
  email: string;
}

export class Notifications {
  constructor(
    private readonly clock: Clock,
    private readonly publicUrl: string,
  ) {}

  /** Writes one email to the outbox, in the caller's transaction. */
  async enqueue(db: Executor, to: Recipient, message: EmailMessage, bookingId: number | null = null) {
    await this.enqueueAll(db, [{ to, message, bookingId }]);
  }

  /** Writes several emails to the outbox in one statement, in the caller's transaction. */
  async enqueueAll(db: Executor, emails: WrittenEmail[]) {
    await new OutboxRecords(db).enqueueAll(
      emails.map(({ to, message, bookingId }) => ({
        ...message,
        to: { address: to.email, name: to.name },
        bookingId,
      })),
      this.clock.now(),
    );
  }

  /** Everything about one booking that its emails say. */
  async bookingFacts(db: Executor, bookingId: number) {
    const facts = (await this.bookingFactsFor(db, [bookingId])).get(bookingId);
    if (!facts) throw new Error(`no booking ${bookingId} to write an email about`);
    return facts;
  }

  /**
   * Everything about each of these bookings that its emails say, by booking
   * id: one read of the bookings and one of each session's parts, however
   * many bookings (a rush's, done together, are all on one session).
   */
  async bookingFactsFor(db: Executor, bookingIds: number[]) {
    const rows = bookingIds.length ? await new BookingRecords(db).emailFacts(bookingIds) : [];
    const partsOf = new Map<number, SessionFacts['parts']>();
    for (const sessionId of new Set(rows.map((row) => row.session_id))) {
      const parts = await sessionPartsInOrder(db, sessionId);
      partsOf.set(
        sessionId,
        parts.map((p) => ({ startsAt: new Date(p.starts_at), endsAt: new Date(p.ends_at) })),
      );
    }
    return new Map(rows.map((row) => [row.id, this.factsOf(row, partsOf.get(row.session_id)!)]));
  }

  private factsOf(
    row: Awaited<ReturnType<BookingRecords['emailFacts']>>[number],
    parts: SessionFacts['parts'],
  ) {
    const venue = row.venue_name
      ? {
          name: row.venue_name,
          addressLines: (row.venue_address_lines ?? '').split('\n').filter(Boolean),
          town: row.venue_town ?? '',
          postcode: row.venue_postcode,
          phone: row.venue_phone,
          travelNotes: row.venue_travel_notes ?? '',
        }
      : null;
    const session: SessionFacts = {
      courseTitle: row.course_title,
      parts,
      venue,
      sessionUrl: `${this.publicUrl}/sessions/${row.session_id}`,
    };
    return {
      row,
      to: { id: row.delegate_id, name: row.delegate_name, email: row.delegate_email },
      session,
      // The joining link goes only to delegates whose place is confirmed.
      confirmedSession: { ...session, onlineJoiningUrl: row.online_joining_url },
      manageUrl: `${this.publicUrl}/bookings/${row.reference}`,
    };
  }

  /** The booking's session as a calendar file, for the emails that confirm a place. */
  private calendarFile(
    row: Awaited<ReturnType<Notifications['bookingFacts']>>['row'],
    session: SessionFacts,
    ctx: MailContext,
  ) {
    const ics = sessionCalendar(
      {
        id: row.session_id,
        course: { title: row.course_title, summary: row.course_summary },
        venue: session.venue
          ? {
              name: session.venue.name,
              fullAddress: [
                ...session.venue.addressLines,
                session.venue.town,
                session.venue.postcode ?? '',
              ].filter(Boolean),
            }
          : null,
        parts: session.parts,
        cancelled: row.session_cancelled_at !== null,
      },
      ctx.hub,
      this.publicUrl,
    );
    return { ics, filename: `${row.course_slug}-${row.session_id}.ics` };
  }

  /** The needs held on the booking now, and when the hub's policy deletes them. */
  private needs(row: { access_needs: string | null; dietary_needs: string | null }, ctx: MailContext) {
    return {
      access: row.access_needs,
      dietary: row.dietary_needs,
      deleted: policyWords(ctx.policy).needsDeleted,
    };
  }

  /** Whether the hub's cut-off has passed, so the email must not ask them to cancel online. */
  tooLateToCancel(session: SessionFacts, ctx: MailContext) {
    const first = session.parts[0];
    return first ? !canSelfCancel(first.startsAt, this.clock.now(), ctx.policy) : false;
  }

  private cancelBy(session: SessionFacts, ctx: MailContext) {
    const first = session.parts[0];
    return first && ctx.policy.cancellationWorkingDays > 0
      ? selfCancellationDeadline(first.startsAt, ctx.policy)
      : null;
  }

  /**
   * A confirmed place's "I can't come" link (services/bookings/giveUpPlace.ts),
   * issued in the caller's transaction with the email that carries it. It
   * works until the session starts, so it expires then: the retention job
   * deletes it a week after it is spent.
   */
  private async giveUpUrl(
    db: Executor,
    row: { id: number; state: string; delegate_email: string },
    session: SessionFacts,
  ): Promise<string | null> {
    const first = session.parts[0];
    if (row.state !== 'confirmed' || !first || this.clock.now() >= first.startsAt) return null;
    const token = await new PrivateLinks(db, this.clock).issue({
      purpose: 'give_up_place',
      subject: { bookingId: row.id },
      email: row.delegate_email,
      expiresAt: first.startsAt,
    });
    return `${this.publicUrl}/give-up/${token}`;
  }

  /**
   * `bookedByHub`: staff booked it on the delegate's behalf, and the email
   * says so. `facts`: the booking's facts, when the caller has read them
   * already for another email in the same transaction.
   */
  async bookingConfirmed(
    db: Executor,
    ctx: MailContext,
    bookingId: number,
    options: { bookedByHub?: boolean; facts?: BookingFacts } = {},
  ) {
    const facts = options.facts ?? (await this.bookingFacts(db, bookingId));
    const email = await this.writeBookingConfirmed(db, ctx, facts, options.bookedByHub ?? false);
    await this.enqueueAll(db, [email]);
  }

  /**
   * The "your place is booked" email, written for the outbox but not yet in
   * it. Its "I can't come" link is issued in `db`'s transaction.
   */
  async writeBookingConfirmed(
    db: Executor,
    ctx: MailContext,
    facts: BookingFacts,
    bookedByHub: boolean,
  ): Promise<WrittenEmail> {
    const { row, to, confirmedSession, manageUrl } = facts;
    const message = bookingConfirmed({
      hub: ctx.hub,
      delegateName: to.name,
      session: confirmedSession,
      bookingReference: row.reference,
      manageBookingUrl: manageUrl,
      calendar: this.calendarFile(row, confirmedSession, ctx),
      cancelBy: this.cancelBy(confirmedSession, ctx),
      tooLateToCancel: this.tooLateToCancel(confirmedSession, ctx),
      bookedByHub,
      needs: this.needs(row, ctx),
      price: await this.priceFacts(db, row, confirmedSession, ctx),
      giveUpUrl: await this.giveUpUrl(db, row, confirmedSession),
    });
    return { to, message, bookingId: row.id };
  }

  /** The price fixed on the booking and its charging terms, as the booking pages say them. */
  private async priceFacts(
    db: Executor,
    row: Awaited<ReturnType<Notifications['bookingFacts']>>['row'],
    session: SessionFacts,
    ctx: MailContext,
  ): Promise<PriceFacts | null> {
    const pence = Number(row.price_pence);
    const list = await new PriceRecords(db).sessionPriceList(row.session_id);
    const terms = chargingTerms({
      settings: ctx.charges,
      policy: ctx.policy,
      parts: session.parts,
      pricePence: pence,
      organisationType: row.organisation_type,
      sessionHasPrices: anyPrice(list),
    });
    if (pence === 0 && !terms.length) return null;
    return {
      text:
        pence === 0
          ? 'Your place is free.'
          : `Your place costs ${amountWords(pence, ctx.charges.vatRateBasisPoints)}${row.organisation_name && row.organisation_type ? ` (${row.organisation_name}, ${ORGANISATION_TYPE_ONE[row.organisation_type]})` : ''}.`,
      terms,
    };
  }

  async waitlistJoined(
    db: Executor,
    ctx: MailContext,
    bookingId: number,
    position: number,
    options: { bookedByHub?: boolean; facts?: BookingFacts } = {},
  ) {
    const facts = options.facts ?? (await this.bookingFacts(db, bookingId));
    await this.enqueueAll(db, [this.writeWaitlistJoined(ctx, facts, position, options.bookedByHub ?? false)]);
  }

  /** The "you are on the waiting list" email, written for the outbox but not yet in it. */
  writeWaitlistJoined(
    ctx: MailContext,
    facts: BookingFacts,
    position: number,
    bookedByHub: boolean,
  ): WrittenEmail {
    const { row, to, session, manageUrl } = facts;
    const message = waitlistJoined({
      hub: ctx.hub,
      delegateName: to.name,
      session,
      bookingReference: row.reference,
      position,
      manageBookingUrl: manageUrl,
      bookedByHub,
      offerHoldHours: ctx.policy.offerExpiryHours,
      needs: this.needs(row, ctx),
    });
    return { to, message, bookingId: row.id };
  }

  /**
   * Staff moved a booking to another session: the new date, with a calendar
   * file for a confirmed place, or the place on its waiting list. `from` is
   * the session it was on, read before the move.
   */
  async bookingMoved(
    db: Executor,
    ctx: MailContext,
    bookingId: number,
    from: SessionFacts,
    position: number | null,
  ) {
    const { row, to, confirmedSession, manageUrl } = await this.bookingFacts(db, bookingId);
    const confirmed = row.state === 'confirmed';
    // Links emailed before the move work until the new session starts, like the new one.
    const newStart = confirmedSession.parts[0]?.startsAt;
    if (newStart) await new PrivateLinks(db, this.clock).moveGiveUpExpiry(bookingId, newStart);
    const message = bookingMoved({
      hub: ctx.hub,
      delegateName: to.name,
      from,
      // The joining link only with a confirmed place.
      session: confirmed ? confirmedSession : { ...confirmedSession, onlineJoiningUrl: null },
      bookingReference: row.reference,
      manageBookingUrl: manageUrl,
      place: confirmed
        ? {
            state: 'confirmed',
            calendar: this.calendarFile(row, confirmedSession, ctx),
            cancelBy: this.cancelBy(confirmedSession, ctx),
            tooLateToCancel: this.tooLateToCancel(confirmedSession, ctx),
          }
        : { state: 'waitlisted', position: position ?? 1, offerHoldHours: ctx.policy.offerExpiryHours },
      // The price fixed again for the new date.
      price: await this.priceFacts(db, row, confirmedSession, ctx),
      giveUpUrl: await this.giveUpUrl(db, row, confirmedSession),
    });
    await this.enqueue(db, to, message, bookingId);
  }

  /**
   * Staff passed a booking to a colleague: tells the person who held it
   * (the booking now names the colleague, who is sent their own email).
   */
  async placePassed(db: Executor, ctx: MailContext, bookingId: number, former: Recipient) {
    const { row, to, session } = await this.bookingFacts(db, bookingId);
    const message = placePassed({
      hub: ctx.hub,
      delegateName: former.name,
      colleagueName: to.name,
      session,
      bookingReference: row.reference,
      wasWaiting: row.state !== 'confirmed',
    });
    await this.enqueue(db, former, message, bookingId);
  }

  async placeOffered(db: Executor, ctx: MailContext, bookingId: number) {
    const { row, to, session, manageUrl } = await this.bookingFacts(db, bookingId);
    const message = placeOffered({
      hub: ctx.hub,
      delegateName: to.name,
      session,
      bookingReference: row.reference,
      offerExpiresAt: new Date(row.offer_expires_at ?? this.clock.now()),
      // Both open the booking page, which asks to confirm: mail scanners follow links.
      acceptUrl: `${manageUrl}#offer`,
      declineUrl: `${manageUrl}#offer`,
    });
    await this.enqueue(db, to, message, bookingId);
  }

  async offerExpired(db: Executor, ctx: MailContext, bookingId: number) {
    const { row, to, session } = await this.bookingFacts(db, bookingId);
    const message = offerExpired({
      hub: ctx.hub,
      delegateName: to.name,
      session,
      bookingReference: row.reference,
      expiredAt: this.clock.now(),
      stillWaiting: false,
    });
    await this.enqueue(db, to, message, bookingId);
  }

  async bookingCancelled(db: Executor, ctx: MailContext, bookingId: number) {
    const { row, to, session } = await this.bookingFacts(db, bookingId);
    const message = bookingCancelled({
      hub: ctx.hub,
      delegateName: to.name,
      session,
      bookingReference: row.reference,
      cancelledBy:
        row.cancelled_by === 'hub'
          ? { by: 'hub', reason: row.cancellation_reason ?? 'The hub cancelled it.' }
          : { by: 'delegate' },
      findAnotherUrl: `${this.publicUrl}/courses/${row.course_slug}`,
    });
    await this.enqueue(db, to, message, bookingId);
  }

  /** Asks a delegate who was at a session for their feedback on it. */
  async feedbackInvitation(db: Executor, ctx: MailContext, bookingId: number, changeDays: number) {
    const { row, to, session } = await this.bookingFacts(db, bookingId);
    const message = feedbackInvitation({
      hub: ctx.hub,
      delegateName: to.name,
      session,
      feedbackUrl: `${this.publicUrl}/bookings/${row.reference}/feedback`,
      changeDays,
      certificate: !ctx.policy.feedbackBeforeCertificate
        ? 'never_affected'
        : (await new CertificateRecords(db).validFor([bookingId])).some((c) => c.released_at === null)
          ? 'waits_for_feedback'
          : null,
    });
    await this.enqueue(db, to, message, bookingId);
  }

  /** The follow-up (or its one reminder) to a delegate or their line manager, each with its own private link. */
  async followUp(
    db: Executor,
    ctx: MailContext,
    to: { name: string; email: string },
    facts: Omit<FollowUpRequestFacts, 'hub' | 'followUpDays' | 'followUpUrl' | 'optOutUrl'> & {
      bookingId: number;
      token: string;
      optOutToken: string | null;
      reminder: boolean;
    },
  ) {
    const { bookingId, token, optOutToken, reminder, ...rest } = facts;
    const view: FollowUpRequestFacts = {
      ...rest,
      hub: ctx.hub,
      followUpDays: ctx.policy.followUpDays,
      followUpUrl: `${this.publicUrl}/follow-up/${token}`,
      optOutUrl: optOutToken ? `${this.publicUrl}/follow-up/opt-out/${optOutToken}` : null,
    };
    const message = reminder ? followUpReminder(view) : followUpRequest(view);
    // A manager's email is not the delegate's: it is not filed with their booking's emails.
    const filedWith = facts.respondent === 'delegate' ? bookingId : null;
    await this.enqueue(db, { id: 0, ...to }, message, filedWith);
  }

  /** A charge read for its emails: only fees (late cancellation, not attending) are ever emailed about. */
  private async chargeFacts(db: Executor, chargeId: number) {
    const charge = await new ChargeRecords(db).byId(chargeId);
    if (!charge || charge.kind === 'place') throw new Error(`No fee charge ${chargeId} to email about`);
    return { charge, kind: charge.kind, sessionDate: new Date(charge.starts_at) };
  }

  /** A charge was proposed: the delegate is told kindly, with a private link to tell the hub why. */
  async chargeProposed(db: Executor, ctx: MailContext, chargeId: number, token: string, expiresAt: Date) {
    const { charge, kind, sessionDate } = await this.chargeFacts(db, chargeId);
    const message = chargeProposed({
      hub: ctx.hub,
      delegateName: charge.delegate_name,
      courseTitle: charge.course_title,
      sessionDate,
      kind,
      paidPlace: kind === 'late_cancellation' && charge.price_pence > 0,
      proposedPence: charge.proposed_pence,
      vatRateBasisPoints: ctx.charges.vatRateBasisPoints,
      organisationName: charge.organisation_name,
      reasonUrl: `${this.publicUrl}/charges/why/${token}`,
      expiresAt,
    });
    await this.enqueue(
      db,
      { id: charge.delegate_id, name: charge.delegate_name, email: charge.delegate_email },
      message,
      charge.booking_id,
    );
  }

  /** What became of a charge, to its delegate. */
  async chargeDecided(
    db: Executor,
    ctx: MailContext,
    chargeId: number,
    outcome: ChargeOutcome,
    because?: ChargeWithdrawnBecause,
  ) {
    const { charge, kind, sessionDate } = await this.chargeFacts(db, chargeId);
    const message = chargeDecided({
      hub: ctx.hub,
      delegateName: charge.delegate_name,
      courseTitle: charge.course_title,
      sessionDate,
      kind,
      outcome,
      ...(because ? { because } : {}),
      proposedPence: charge.proposed_pence,
      amountPence: outcome === 'confirmed' || outcome === 'reduced' ? (charge.amount_pence ?? 0) : 0,
      vatRateBasisPoints: ctx.charges.vatRateBasisPoints,
      organisationName: charge.organisation_name,
      bookingUrl: `${this.publicUrl}/bookings/${charge.reference}`,
    });
    await this.enqueue(
      db,
      { id: charge.delegate_id, name: charge.delegate_name, email: charge.delegate_email },
      message,
      charge.booking_id,
    );
  }

  /**
   * A confirmed charge, to the delegate's line manager (when the hub's policy
   * says so and a manager's address was given): the least they need. Not
   * filed with the delegate's booking's emails.
   */
  async chargeLineManager(db: Executor, ctx: MailContext, chargeId: number): Promise<boolean> {
    const { charge, sessionDate } = await this.chargeFacts(db, chargeId);
    if (!charge.line_manager_email) return false;
    const message = chargeLineManager({
      hub: ctx.hub,
      managerName: charge.line_manager_name || 'line manager',
      delegateName: charge.delegate_name,
      courseTitle: charge.course_title,
      sessionDate,
      amountPence: charge.amount_pence ?? 0,
      vatRateBasisPoints: ctx.charges.vatRateBasisPoints,
    });
    await this.enqueue(
      db,
      { id: 0, name: charge.line_manager_name, email: charge.line_manager_email },
      message,
    );
    return true;
  }

  /**
   * Tells the delegate's line manager that their place was booked, cancelled
   * or not attended, when the hub's policy says so for that event and the
   * delegate gave a manager's address (never one that cannot be reached): the
   * least they need (src/emails/bookings/lineManagerTold.ts). Filed with the booking,
   * so erasing the delegate erases it too. "Not attended" goes at most once a
   * booking: a register corrected back and forth does not tell the manager
   * again. Returns whether an email was written.
   */
  async lineManagerTold(
    db: Executor,
    ctx: MailContext,
    bookingId: number,
    event: LineManagerEvent,
    /** The booking's facts, when the caller has read them already for another email. */
    facts?: BookingFacts,
  ): Promise<boolean> {
    if (!tellsLineManager(ctx.policy, event)) return false;
    const email = this.writeLineManagerTold(ctx, facts ?? (await this.bookingFacts(db, bookingId)), event);
    if (!email) return false;
    if (
      event === 'not_attended' &&
      (await new OutboxRecords(db).anyAbout(bookingId, LINE_MANAGER_EMAIL_KINDS[event]))
    ) {
      return false;
    }
    await this.enqueueAll(db, [email]);
    return true;
  }

  /**
   * The line manager's email about this event, written for the outbox but
   * not yet in it; null when the hub's policy does not tell them of it or
   * there is no address to tell. (Whether "not attended" was told already is
   * for lineManagerTold to check.)
   */
  writeLineManagerTold(ctx: MailContext, facts: BookingFacts, event: LineManagerEvent): WrittenEmail | null {
    if (!tellsLineManager(ctx.policy, event)) return null;
    const { row, session } = facts;
    const address = row.line_manager_email.trim();
    const first = session.parts[0];
    if (!address || isUnreachableAddress(address) || !first) return null;
    const message = lineManagerTold({
      hub: ctx.hub,
      managerName: row.line_manager_name,
      delegateName: row.delegate_name,
      courseTitle: row.course_title,
      sessionDate: first.startsAt,
      event,
    });
    return { to: { id: 0, name: row.line_manager_name, email: address }, message, bookingId: row.id };
  }

  async sessionReminder(db: Executor, ctx: MailContext, bookingId: number) {
    const { row, to, confirmedSession, manageUrl } = await this.bookingFacts(db, bookingId);
    const message = sessionReminder({
      hub: ctx.hub,
      delegateName: to.name,
      session: confirmedSession,
      bookingReference: row.reference,
      daysBefore: ctx.policy.reminderDaysBefore,
      manageBookingUrl: manageUrl,
      tooLateToCancel: this.tooLateToCancel(confirmedSession, ctx),
      giveUpUrl: await this.giveUpUrl(db, row, confirmedSession),
    });
    await this.enqueue(db, to, message, bookingId);
  }

  /** An online session's short reminder on its morning, with the joining link and the give-up link. */
  async onlineMorningReminder(db: Executor, ctx: MailContext, bookingId: number) {
    const { row, to, confirmedSession, manageUrl } = await this.bookingFacts(db, bookingId);
    const message = onlineMorningReminder({
      hub: ctx.hub,
      delegateName: to.name,
      session: confirmedSession,
      bookingReference: row.reference,
      manageBookingUrl: manageUrl,
      giveUpUrl: await this.giveUpUrl(db, row, confirmedSession),
    });
    await this.enqueue(db, to, message, bookingId);
  }

  /** A certificate of attendance was issued for the booking (`replaces`: in place of a withdrawn one). */
  async certificateReady(
    db: Executor,
    ctx: MailContext,
    bookingId: number,
    certificate: { number: string; courseTitle: string; attendedFrom: Date; replaces: boolean },
  ) {
    const { to, manageUrl } = await this.bookingFacts(db, bookingId);
    const message = certificateReady({
      hub: ctx.hub,
      delegateName: to.name,
      courseTitle: certificate.courseTitle,
      attendedFrom: certificate.attendedFrom,
      certificateNumber: certificate.number,
      bookingUrl: manageUrl,
      verifyUrl: `${this.publicUrl}/certificates/${certificate.number}`,
      replaces: certificate.replaces,
    });
    await this.enqueue(db, to, message, bookingId);
  }

  async verifyEmail(
    db: Executor,
    ctx: MailContext,
    to: Recipient,
    link: string,
    expiresAt: Date,
    purpose: 'register' | 'change' = 'register',
  ) {
    await this.enqueue(
      db,
      to,
      verifyEmail({ hub: ctx.hub, name: to.name, verifyUrl: link, expiresAt, purpose }),
    );
  }

  /** To the address an account uses now: someone asked to move it to `newEmail`. */
  async emailChangeRequested(db: Executor, ctx: MailContext, to: Recipient, newEmail: string) {
    await this.enqueue(
      db,
      to,
      emailChangeRequested({
        hub: ctx.hub,
        name: to.name,
        newEmail,
        requestedAt: this.clock.now(),
        resetPasswordUrl: `${this.publicUrl}/account/forgot-password`,
      }),
    );
  }

  /** To the owner of an address another account asked to move to. */
  async emailInUse(db: Executor, ctx: MailContext, to: Recipient) {
    await this.enqueue(
      db,
      to,
      emailInUse({
        hub: ctx.hub,
        name: to.name,
        signInUrl: `${this.publicUrl}/sign-in`,
        resetPasswordUrl: `${this.publicUrl}/account/forgot-password`,
      }),
    );
  }

  async passwordReset(db: Executor, ctx: MailContext, to: Recipient, link: string, expiresAt: Date) {
    await this.enqueue(db, to, passwordReset({ hub: ctx.hub, name: to.name, resetUrl: link, expiresAt }));
  }

  async detailsChanged(db: Executor, ctx: MailContext, to: Recipient, what: 'email' | 'password') {
    await this.enqueue(
      db,
      to,
      detailsChanged({
        hub: ctx.hub,
        name: to.name,
        changed: [what],
        changedAt: this.clock.now(),
        resetPasswordUrl: `${this.publicUrl}/account/forgot-password`,
      }),
    );
  }

  /** To the address a closing account still has, written before it is removed. */
  async accountClosedOnRequest(
    db: Executor,
    ctx: MailContext,
    to: Recipient,
    facts: { cancelled: number; bookingDetailsYears: number },
  ) {
    await this.enqueue(
      db,
      to,
      accountClosedOnRequest({ hub: ctx.hub, name: to.name, closedAt: this.clock.now(), ...facts }),
    );
  }

  /** The retention job: an account nobody has used will be closed unless its owner signs in. */
  async accountClosing(
    db: Executor,
    ctx: MailContext,
    to: Recipient,
    facts: { inactiveMonths: number; lastActiveAt: Date; closesFrom: Date; hasPassword: boolean },
  ) {
    await this.enqueue(
      db,
      to,
      accountClosing({
        hub: ctx.hub,
        name: to.name,
        ...facts,
        signInUrl: `${this.publicUrl}/sign-in`,
        forgotPasswordUrl: `${this.publicUrl}/account/forgot-password`,
      }),
    );
  }
}
