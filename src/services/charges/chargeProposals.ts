/**
 * Proposed charges, never automatic bills. Each method runs inside the
 * transaction of the change that gives rise to it (a late cancellation by
 * the delegate or recorded by staff, a register marked or corrected, a
 * session cancelled), so a proposal, its audit entry and its email exist
 * exactly when the change does.
 *
 * A proposal only ever waits for a person (services/charges/chargeReview.ts).
 * The rules of how much and whether at all are domain/charges/fees.ts: a
 * place with a price is never also charged a fee (cancelled late, its price
 * is proposed; not attended, nothing: the invoice run invoices the place
 * itself); no organisation, an organisation of a type not charged, or a hub
 * with no fees proposes nothing; a booking with any live charge already (a
 * place, a fee) is proposed nothing more, so a booking is never charged twice.
 *
 * Withdrawing (a corrected register, a cancelled session or booking, a move,
 * a substitution) takes the invoice lock inside the change's transaction: a
 * charge not invoiced is withdrawn; one on a draft invoice is taken off it
 * (the draft's totals summed again from its lines) and withdrawn; one on an
 * issued invoice stays there (an issued invoice never changes), withdrawn,
 * and coordinators are shown it needs a credit note. Each is audited.
 */
import type { InvoiceLock } from '../../data/invoiceLock.js';
import { DraftLineRecords } from '../../data/repositories/charges/draftLineRecords.js';
import { ChargeRecords } from '../../data/repositories/charges/chargeRecords.js';
import { recordAudit, type AuditEntry } from '../../data/repositories/auditRecords.js';
import { partsOfSessions } from '../../data/repositories/sharedQueries.js';
import type { Executor } from '../../data/schema.js';
import { ON_REGISTER } from '../../domain/afterCourse/attendance.js';
import type { ChargeKind } from '../../domain/charges/charges.js';
import { feesInUse } from '../../domain/charges/chargesSettings.js';
import { feeFor, missedParts, organisationCharged } from '../../domain/charges/fees.js';
import type { OrganisationType } from '../../domain/programme/organisation.js';
import { PrivateLinks } from '../accounts/privateLinks.js';
import type { Clock } from '../clock.js';
import type { ChargeWithdrawnBecause } from '../../emails/charges/chargeDecided.js';
import type { MailContext, Notifications } from '../email/notifications.js';

/** How long the delegate's "tell us why" link works. */
export const CHARGE_REASON_LINK_DAYS = 30;
const DAY_MS = 86_400_000;

/** Who made the change a proposal comes from, for the audit log. */
export type ProposalActor = { type: 'delegate' | 'staff'; id: number } | { type: 'system'; id: null };

export class ChargeProposals {
  constructor(
    private readonly clock: Clock,
    private readonly mail: Notifications,
    private readonly invoiceLock: InvoiceLock,
  ) {}

  /**
   * A confirmed place given back after the cut-off (by the delegate, or by
   * staff recording it as late): proposes its price, or the fee for the whole
   * session. Returns the charge's id, or null when nothing is proposed.
   */
  async lateCancellation(
    db: Executor,
    ctx: MailContext,
    bookingId: number,
    actor: ProposalActor,
    now: Date,
  ): Promise<number | null> {
    const due = await this.lateCancellationFee(db, ctx, bookingId);
    if (!due) return null;
    return this.propose(db, ctx, { bookingId, kind: 'late_cancellation', ...due }, actor, now);
  }

  /**
   * What cancelling this place late would propose (the cancel pages say it
   * before the button): its price, or the fee for the whole session; null
   * when nothing would be.
   */
  async lateCancellationFee(
    db: Executor,
    ctx: MailContext,
    bookingId: number,
  ): Promise<{ organisationId: number; amount: number; paidPlace: boolean } | null> {
    const records = new ChargeRecords(db);
    const booking = await records.bookingFacts(bookingId);
    if (!booking || booking.organisation_id === null) return null;
    // A booking with a live charge already is proposed nothing more.
    if (await records.anyLiveOn(bookingId)) return null;
    if (booking.price_pence > 0) {
      return { organisationId: booking.organisation_id, amount: booking.price_pence, paidPlace: true };
    }
    if (!this.feesApply(booking.organisation_type, ctx)) return null;
    const parts = await partsOfSessions(db, [booking.session_id]);
    const amount = feeFor(
      parts.map((p) => ({ startsAt: new Date(p.starts_at), endsAt: new Date(p.ends_at) })),
      ctx.charges,
    );
    return amount > 0 ? { organisationId: booking.organisation_id, amount, paidPlace: false } : null;
  }

  /**
   * After marks are saved (in the register's transaction): each booking
   * marked is proposed the fee for the parts it missed, by the hub's rules;
   * one whose marks now say it missed nothing (a corrected register) has its
   * non-attendance charge withdrawn (off a draft; on an issued invoice, left
   * needing a credit note).
   */
  async afterMarks(
    db: Executor,
    ctx: MailContext,
    bookingIds: readonly number[],
    actor: ProposalActor,
    now: Date,
  ): Promise<void> {
    if (!bookingIds.length) return;
    const records = new ChargeRecords(db);
    // With no fees in use and nothing to withdraw, a register saves as it did before charges.
    if (!feesInUse(ctx.charges) && !(await records.anyLive(bookingIds, 'non_attendance'))) return;
    const marks = await records.marks(bookingIds);
    // A register is one session's: its parts are read once.
    const partsBySession = new Map<number, Awaited<ReturnType<typeof partsOfSessions>>>();
    for (const bookingId of bookingIds) {
      const booking = await records.bookingFacts(bookingId);
      if (!booking) continue;
      const parts =
        partsBySession.get(booking.session_id) ?? (await partsOfSessions(db, [booking.session_id]));
      partsBySession.set(booking.session_id, parts);
      const byPart = new Map(
        marks.filter((m) => m.booking_id === bookingId).map((m) => [m.session_part_id, m.status]),
      );
      const onRegister = ON_REGISTER.includes(booking.state) && booking.session_cancelled_at === null;
      const missed = onRegister
        ? missedParts(
            parts.map((p) => ({
              part: { startsAt: new Date(p.starts_at), endsAt: new Date(p.ends_at) },
              mark: byPart.get(p.id) ?? null,
            })),
            ctx.charges,
          )
        : [];
      const live = await records.live(bookingId, 'non_attendance');
      // A paid place is invoiced for itself: never a fee on top.
      const fee =
        booking.organisation_id !== null &&
        booking.price_pence === 0 &&
        this.feesApply(booking.organisation_type, ctx)
          ? feeFor(missed, ctx.charges)
          : 0;
      const allMarked = parts.every((p) => byPart.has(p.id));
      if (fee > 0 && booking.organisation_id !== null) {
        if (live) {
          if (live.state === 'proposed' && live.proposed_pence !== fee) {
            await records.changeProposal(live.id, fee);
            await this.audit(db, actor, live.id, 'charge_proposal_changed', now, {
              bookingId,
              from: live.proposed_pence,
              to: fee,
            });
          }
          continue;
        }
        await this.propose(
          db,
          ctx,
          { bookingId, organisationId: booking.organisation_id, kind: 'non_attendance', amount: fee },
          actor,
          now,
        );
      } else if (live && allMarked && missed.length === 0) {
        await this.withdraw(db, ctx, live.id, actor, now, 'register_corrected', {
          tell: live.state !== 'waived',
          issued: 'credit',
        });
      }
    }
  }

  /**
   * A whole session cancelled by the hub: every charge on its bookings (paid
   * places and fees, proposed or confirmed) is withdrawn; one on an issued
   * invoice needs a credit note.
   */
  async sessionCancelled(db: Executor, ctx: MailContext, sessionId: number, actor: ProposalActor, now: Date) {
    const charges = await new ChargeRecords(db).liveOnSession(sessionId);
    if (!charges.length) return;
    await this.invoiceLock.holdIn(db);
    for (const charge of charges) {
      await this.withdraw(db, ctx, charge.id, actor, now, 'session_cancelled', {
        tell: charge.kind !== 'place',
        issued: 'credit',
      });
    }
  }

  /**
   * A booking cancelled (by anyone): its paid place's charge not yet invoiced
   * is withdrawn (taken off a draft), so it is never invoiced; one on an
   * issued invoice stays, for a coordinator to credit if they choose.
   */
  async bookingCancelled(db: Executor, ctx: MailContext, bookingId: number, actor: ProposalActor, now: Date) {
    const charges = await new ChargeRecords(db).liveOnBooking(bookingId, ['place']);
    if (!charges.length) return;
    await this.invoiceLock.holdIn(db);
    for (const charge of charges) {
      await this.withdraw(db, ctx, charge.id, actor, now, 'booking_cancelled', {
        tell: false,
        issued: 'leave',
      });
    }
  }

  /**
   * The fees on a booking that is about to move or pass to a colleague, on an
   * issued invoice: the substitution is refused while there is one (it would
   * pass the charge to the colleague). Null when there is none.
   */
  async feeOnIssuedInvoice(db: Executor, bookingId: number): Promise<string | null> {
    const records = new ChargeRecords(db);
    for (const charge of await records.liveOnBooking(bookingId, ['late_cancellation', 'non_attendance'])) {
      if (charge.invoice_id === null) continue;
      const found = await records.withInvoice(charge.id);
      if (found?.invoice_state === 'issued' || found?.invoice_state === 'paid') return found.invoice_number;
    }
    return null;
  }

  /**
   * A booking moved to another session or passed to a colleague: the marks
   * its fees rest on are gone, so its fees not yet invoiced (waived ones too,
   * and ones on a draft, taken off it) are withdrawn, and the delegate they
   * were proposed to is told before the booking changes hands. Fees on an
   * issued invoice are left as they are.
   */
  async bookingMoved(
    db: Executor,
    ctx: MailContext,
    bookingId: number,
    actor: ProposalActor,
    now: Date,
    because: 'booking_moved' | 'booking_substituted',
  ) {
    const charges = await new ChargeRecords(db).liveOnBooking(bookingId, [
      'late_cancellation',
      'non_attendance',
    ]);
    if (!charges.length) return;
    await this.invoiceLock.holdIn(db);
    for (const charge of charges) {
      await this.withdraw(db, ctx, charge.id, actor, now, because, {
        tell: charge.state !== 'waived',
        issued: 'leave',
      });
    }
  }

  private feesApply(type: OrganisationType | null, ctx: MailContext): boolean {
    return feesInUse(ctx.charges) && organisationCharged(type, ctx.charges);
  }

  private async propose(
    db: Executor,
    ctx: MailContext,
    proposal: {
      bookingId: number;
      organisationId: number;
      kind: Exclude<ChargeKind, 'place'>;
      amount: number;
    },
    actor: ProposalActor,
    now: Date,
  ): Promise<number | null> {
    const records = new ChargeRecords(db);
    // One live charge per booking, of any kind: a paid place, a late cancellation or an absence, never two.
    if (await records.anyLiveOn(proposal.bookingId)) return null;
    const chargeId = await records.insert(
      {
        bookingId: proposal.bookingId,
        organisationId: proposal.organisationId,
        kind: proposal.kind,
        proposedPence: proposal.amount,
      },
      now.toISOString(),
    );
    await this.audit(db, actor, chargeId, 'charge_proposed', now, {
      bookingId: proposal.bookingId,
      kind: proposal.kind,
      proposedPence: proposal.amount,
    });
    const charge = await records.byId(chargeId);
    const expiresAt = new Date(now.getTime() + CHARGE_REASON_LINK_DAYS * DAY_MS);
    const token = await new PrivateLinks(db, this.clock).issue({
      purpose: 'charge_reason',
      subject: { chargeId },
      email: charge!.delegate_email,
      expiresAt,
    });
    await this.mail.chargeProposed(db, ctx, chargeId, token, expiresAt);
    return chargeId;
  }

  /**
   * Withdraws a charge, under the invoice lock (taken here if the caller has
   * not): off any invoice, withdrawn; on a draft, its line taken off and the
   * draft's totals summed again; on an issued invoice, withdrawn and left
   * there needing a credit note (`issued: 'credit'`), or left alone (`'leave'`).
   */
  private async withdraw(
    db: Executor,
    ctx: MailContext,
    chargeId: number,
    actor: ProposalActor,
    now: Date,
    because: ChargeWithdrawnBecause,
    options: {
      /** Email the delegate (not for a place, never proposed to them; not for a waived fee, owed nothing already). */
      tell: boolean;
      issued: 'credit' | 'leave';
    },
  ): Promise<void> {
    await this.invoiceLock.holdIn(db);
    const records = new ChargeRecords(db);
    const charge = await records.withInvoice(chargeId);
    if (!charge || charge.state === 'withdrawn') return;
    const at = now.toISOString();
    const details: Record<string, unknown> = { because };
    if (charge.invoice_id !== null && charge.invoice_state === 'draft') {
      const removed = await new DraftLineRecords(db).takeOff({ invoiceId: charge.invoice_id, chargeId });
      if (removed !== null) {
        const lineId = removed.lineId;
        await recordAudit(
          db,
          {
            actorType: actor.type,
            actorId: actor.id,
            action: 'invoice_line_removed',
            entityType: 'invoice',
            entityId: charge.invoice_id,
            details: { lineId, chargeId, because },
          },
          now,
        );
        details.offDraft = charge.invoice_id;
      }
      if (!(await records.withdraw(chargeId, at))) return;
    } else if (charge.invoice_id !== null) {
      // On an issued invoice, which never changes: a credit note puts it right.
      if (options.issued === 'leave' || charge.state === 'waived') return;
      if (!(await records.withdrawInvoiced(chargeId, charge.invoice_id, at))) return;
      details.needsCreditNote = charge.invoice_number;
    } else if (!(await records.withdraw(chargeId, at))) {
      return;
    }
    await this.audit(db, actor, chargeId, 'charge_withdrawn', now, details);
    await new PrivateLinks(db, this.clock).cancel({ chargeId });
    if (options.tell && charge.kind !== 'place')
      await this.mail.chargeDecided(db, ctx, chargeId, 'withdrawn', because);
  }

  private async audit(
    db: Executor,
    actor: ProposalActor,
    chargeId: number,
    action: string,
    now: Date,
    details: Record<string, unknown>,
  ): Promise<void> {
    const entry: AuditEntry = {
      actorType: actor.type,
      actorId: actor.id,
      action,
      entityType: 'charge',
      entityId: chargeId,
      details,
    };
    await recordAudit(db, entry, now);
  }
}
