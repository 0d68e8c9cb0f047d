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
 * with no fees proposes nothing; a substitution never reaches here.
 */
import { ChargeRecords } from '../../data/repositories/charges/chargeRecords.js';
import { recordAudit, type AuditEntry } from '../../data/repositories/auditRecords.js';
import { partsOfSessions } from '../../data/repositories/sharedQueries.js';
import type { Executor } from '../../data/schema.js';
import { ON_REGISTER } from '../../domain/attendance.js';
import type { ChargeKind } from '../../domain/charges/charges.js';
import { feesInUse } from '../../domain/charges/chargesSettings.js';
import { feeFor, missedParts, organisationCharged } from '../../domain/charges/fees.js';
import type { OrganisationType } from '../../domain/organisation.js';
import { PrivateLinks } from '../accounts/privateLinks.js';
import type { Clock } from '../clock.js';
import type { MailContext, Notifications } from '../notifications.js';

/** How long the delegate's "tell us why" link works. */
export const CHARGE_REASON_LINK_DAYS = 30;
const DAY_MS = 86_400_000;

/** Who made the change a proposal comes from, for the audit log. */
export type ProposalActor = { type: 'delegate' | 'staff'; id: number } | { type: 'system'; id: null };

export class ChargeProposals {
  constructor(
    private readonly clock: Clock,
    private readonly mail: Notifications,
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
    const booking = await new ChargeRecords(db).bookingFacts(bookingId);
    if (!booking || booking.organisation_id === null) return null;
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
   * non-attendance charge withdrawn, if it is not on an invoice.
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
        await this.withdraw(db, ctx, live.id, actor, now, 'register_corrected', live.state !== 'waived');
      }
    }
  }

  /** A whole session cancelled by the hub: its bookings' fees not yet invoiced are withdrawn. */
  async sessionCancelled(db: Executor, ctx: MailContext, sessionId: number, actor: ProposalActor, now: Date) {
    for (const charge of await new ChargeRecords(db).feesNotInvoicedOnSession(sessionId)) {
      await this.withdraw(db, ctx, charge.id, actor, now, 'session_cancelled', true);
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
    // One live charge of a kind per booking: a second cancellation or mark proposes nothing more.
    if (await records.live(proposal.bookingId, proposal.kind)) return null;
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

  private async withdraw(
    db: Executor,
    ctx: MailContext,
    chargeId: number,
    actor: ProposalActor,
    now: Date,
    because: 'register_corrected' | 'session_cancelled',
    /** A waived charge withdrawn was owed nothing already: no need to say so again. */
    tell: boolean,
  ): Promise<void> {
    const records = new ChargeRecords(db);
    if (!(await records.withdraw(chargeId, now.toISOString()))) return;
    await this.audit(db, actor, chargeId, 'charge_withdrawn', now, { because });
    await new PrivateLinks(db, this.clock).cancel({ chargeId });
    if (tell) await this.mail.chargeDecided(db, ctx, chargeId, 'withdrawn');
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
