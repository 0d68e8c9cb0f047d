/**
 * The coordinators' review of proposed charges (`handleMoney`): the queue,
 * oldest first, with what the delegate said; and the decisions: confirm,
 * reduce (to less than proposed, more than nothing) or waive (with one of the
 * hub's waiver reasons, and a note if wanted), one charge at a time or several
 * at once.
 *
 * Each decision is one transaction: a conditional update naming the state the
 * coordinator saw and needing the charge off any invoice (so a stale page, a
 * double submit or an invoice run in between changes nothing and is told as a
 * 409), the audit entry, the delegate's email with the outcome and, when the
 * hub's policy says and the charge has just become owed, the line manager's.
 * A decided charge can be decided again while it is not invoiced. The
 * proposed amount the coordinator saw is part of the condition, so a
 * corrected register in between is a 409 too.
 *
 * A paid place's charge is confirmed by the invoice run, not proposed: it can
 * only be waived here (with a reason), while it is not on an issued invoice;
 * waived on a draft, its line is taken off and the draft's totals summed
 * again. Decisions run under the invoice lock. Charges withdrawn while on an
 * issued invoice are listed as needing a credit note.
 */
import { DraftLineRecords } from '../../data/repositories/charges/draftLineRecords.js';
import {
  ChargeRecords,
  QUEUE_PAGE_SIZE,
  type Decision,
} from '../../data/repositories/charges/chargeRecords.js';
import { InvoiceLock } from '../../data/invoiceLock.js';
import { recordAudit } from '../../data/repositories/auditRecords.js';
import type { Executor } from '../../data/schema.js';
import {
  CHARGE_KIND_NAMES,
  CHARGE_STATE_NAMES,
  CHARGE_STATES,
  DELEGATE_REASON_NAMES,
  type ChargeState,
} from '../../domain/charges/charges.js';
import { formatPence, parsePounds } from '../../domain/charges/money.js';
import { ORGANISATION_TYPE_NAMES } from '../../domain/programme/organisation.js';
import { formatDate, formatMoment } from '../../domain/time/time.js';
import { ConflictError, FormError, NotFoundError } from '../../errors.js';
import type { ChargeOutcome } from '../../emails/charges/chargeDecided.js';
import type { ServiceDeps } from '../deps.js';
import type { MailContext } from '../email/notifications.js';

/** The longest note a coordinator may add to a decision. */
export const DECISION_NOTE_MAX = 500;

/** What the queue may be filtered to: a state, or every state but withdrawn. */
export const QUEUE_FILTERS = ['proposed', 'confirmed', 'waived', 'withdrawn', 'all'] as const;
export type QueueFilter = (typeof QUEUE_FILTERS)[number];

export function isQueueFilter(value: unknown): value is QueueFilter {
  return typeof value === 'string' && (QUEUE_FILTERS as readonly string[]).includes(value);
}

export type DecisionAction = 'confirm' | 'reduce' | 'waive';

export interface DecisionInput {
  chargeId: number;
  /** The state the coordinator saw the charge in. */
  seen: string;
  /** The proposed amount (pence, as the form sent it) the coordinator saw. */
  seenProposed: string;
  action: DecisionAction;
  /** Reduce: the new amount as typed. */
  amount?: string;
  /** Waive: one of the hub's reasons. */
  waiverReason?: string;
  note?: string;
}

export interface BulkInput {
  /** Each charge chosen, with the state and proposed amount it was seen with. */
  charges: { chargeId: number; seen: string; seenProposed: string }[];
  action: 'confirm' | 'waive';
  waiverReason?: string;
  note?: string;
}

type Charge = NonNullable<Awaited<ReturnType<ChargeRecords['byId']>>>;

const CHANGED = 'This charge changed while you were looking at it. Check it again below.';
const PROPOSAL_CHANGED =
  'The amount proposed for this charge has changed since you looked (the register may have been corrected). Check the new amount below, then decide again.';

export class ChargeReviewService {
  private readonly lock: InvoiceLock;

  constructor(private readonly deps: ServiceDeps) {
    this.lock = new InvoiceLock(deps.db, deps.dialect);
  }

  private get records() {
    return new ChargeRecords(this.deps.db);
  }

  /** The queue, filtered by state, oldest first, a page at a time; with the hub's waiver reasons. */
  async queue(filter: QueueFilter, page: number) {
    const states: readonly ChargeState[] =
      filter === 'all' ? CHARGE_STATES.filter((s) => s !== 'withdrawn') : [filter];
    const { rows, total } = await this.records.queue(states, page);
    const { charges } = await this.deps.context();
    const needingCredit = await this.records.needingCreditNotes();
    return {
      charges: rows.map((row) => this.view(row)),
      needingCreditNotes: needingCredit.map((row) => this.view(row)),
      total,
      pages: Math.max(1, Math.ceil(total / QUEUE_PAGE_SIZE)),
      waiverReasons: charges.waiverReasons,
    };
  }

  /** One charge as the queue shows it. */
  view(row: Charge) {
    return {
      id: row.id,
      state: row.state,
      stateName: CHARGE_STATE_NAMES[row.state],
      kind: row.kind,
      kindName: CHARGE_KIND_NAMES[row.kind],
      reference: row.reference,
      delegateName: row.delegate_name,
      organisation: row.organisation_name,
      organisationType: ORGANISATION_TYPE_NAMES[row.organisation_type],
      courseTitle: row.course_title,
      sessionId: row.session_id,
      sessionDate: formatDate(new Date(row.starts_at)),
      proposed: formatPence(row.proposed_pence),
      paidPlace: row.price_pence > 0,
      amount: row.amount_pence === null ? null : formatPence(row.amount_pence),
      reduced: row.amount_pence !== null && row.amount_pence < row.proposed_pence,
      proposedOn: formatMoment(new Date(row.created_at)),
      delegateReason: row.delegate_reason ? DELEGATE_REASON_NAMES[row.delegate_reason] : null,
      delegateNote: row.delegate_note,
      answeredOn: row.delegate_answered_at ? formatMoment(new Date(row.delegate_answered_at)) : null,
      decidedOn: row.decided_at ? formatMoment(new Date(row.decided_at)) : null,
      waiverReason: row.waiver_reason,
      decisionNote: row.decision_note,
      proposedPence: row.proposed_pence,
      invoiceNumber: row.invoice_id !== null ? (row.invoice_number ?? 'a draft invoice') : null,
      invoiceId: row.invoice_id,
      onDraft: row.invoice_state === 'draft',
      /** Withdrawn while on an issued invoice, which never changes: a credit note puts it right. */
      needsCreditNote: row.state === 'withdrawn' && row.invoice_id !== null && row.invoice_state !== 'draft',
      decidable:
        row.state !== 'withdrawn' &&
        (row.invoice_id === null || (row.kind === 'place' && row.invoice_state === 'draft')),
    };
  }

  /** Every charge on a booking (withdrawn ones too), for the back office's booking page. */
  async forBooking(bookingId: number) {
    const rows = await this.records.allForBooking(bookingId);
    return rows.map((row) => ({
      kindName: CHARGE_KIND_NAMES[row.kind],
      stateName: CHARGE_STATE_NAMES[row.state],
      state: row.state,
      proposed: formatPence(row.proposed_pence),
      amount: row.amount_pence === null ? null : formatPence(row.amount_pence),
      proposedOn: formatMoment(new Date(row.created_at)),
      decidedOn: row.decided_at ? formatMoment(new Date(row.decided_at)) : null,
      decidedBy: row.decided_by_name,
      delegateReason: row.delegate_reason ? DELEGATE_REASON_NAMES[row.delegate_reason] : null,
      waiverReason: row.waiver_reason,
      invoiced: row.invoice_id !== null,
      invoiceNumber: row.invoice_number,
      // Withdrawn while on an issued invoice, whose line is not yet credited in full.
      needsCreditNote:
        row.state === 'withdrawn' &&
        row.invoice_number !== null &&
        row.invoice_state !== 'draft' &&
        Number(row.credited_pence ?? 0) < Number(row.line_gross_pence ?? 0),
    }));
  }

  /** Confirms, reduces or waives one charge. FormError by field (suffixed with the charge's id); 409 if it changed. */
  async decide(staffId: number, input: DecisionInput): Promise<void> {
    const ctx = await this.deps.context();
    const charge = await this.decidable(input.chargeId);
    const decision = this.decisionFor(charge, input, ctx, staffId, `-${charge.id}`);
    await this.lock.run(async (trx) => {
      await this.apply(trx, ctx, charge, input.seen, input.seenProposed, decision);
    });
  }

  /** Confirms or waives (with one reason) several charges at once: all of them, or none if any changed. */
  async decideMany(staffId: number, input: BulkInput): Promise<number> {
    if (!input.charges.length) throw new FormError({ charges: 'Choose at least one charge' });
    if (input.charges.length > QUEUE_PAGE_SIZE) {
      throw new FormError({ charges: `Choose at most ${QUEUE_PAGE_SIZE} charges at once` });
    }
    const ctx = await this.deps.context();
    const charges: { charge: Charge; seen: string; seenProposed: string }[] = [];
    for (const chosen of input.charges) {
      charges.push({
        charge: await this.decidable(chosen.chargeId),
        seen: chosen.seen,
        seenProposed: chosen.seenProposed,
      });
    }
    const decisions = charges.map(({ charge }) =>
      this.decisionFor(
        charge,
        {
          chargeId: charge.id,
          seen: '',
          seenProposed: '',
          action: input.action,
          waiverReason: input.waiverReason,
          note: input.note,
        },
        ctx,
        staffId,
        '',
      ),
    );
    await this.lock.run(async (trx) => {
      for (const [index, { charge, seen, seenProposed }] of charges.entries()) {
        await this.apply(trx, ctx, charge, seen, seenProposed, decisions[index]!);
      }
    });
    return charges.length;
  }

  /** A charge a decision may be made on now: 404 unknown; 409 invoiced or withdrawn. */
  private async decidable(chargeId: number): Promise<Charge> {
    const charge = await this.records.byId(chargeId);
    if (!charge) throw new NotFoundError('charge');
    this.assertOpen(charge);
    return charge;
  }

  private assertOpen(charge: Charge): void {
    // A paid place on a draft may still be waived: its line comes off the draft.
    const placeOnDraft = charge.kind === 'place' && charge.invoice_state === 'draft';
    if (charge.invoice_id !== null && !placeOnDraft) {
      throw new ConflictError(
        charge.invoice_number
          ? `The charge for ${charge.delegate_name} is on invoice ${charge.invoice_number}, so it can no longer be changed here; put it right with a credit note.`
          : `The charge for ${charge.delegate_name} is on a draft invoice, so it cannot be changed here: void the draft first, and the charge can be decided again.`,
      );
    }
    if (charge.state === 'withdrawn') {
      throw new ConflictError(
        `The charge for ${charge.delegate_name} has been withdrawn (the register was corrected, or the booking or session changed), so there is nothing to decide.`,
      );
    }
  }

  /** Reads the form's answers into a decision, or a FormError naming the fields (with `suffix`). */
  private decisionFor(
    charge: Charge,
    input: DecisionInput,
    ctx: MailContext,
    staffId: number,
    suffix: string,
  ): Decision {
    const fields: Record<string, string> = {};
    const note = (input.note ?? '').trim();
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(note)) {
      fields[`note${suffix}`] = 'Remove the special characters from the note';
    } else if (note.length > DECISION_NOTE_MAX) {
      fields[`note${suffix}`] = `The note must be ${DECISION_NOTE_MAX} characters or fewer`;
    }
    let decision: Decision | null = null;
    if (charge.kind === 'place' && input.action !== 'waive') {
      throw new ConflictError(
        `The charge for ${charge.delegate_name}’s paid place is its price, confirmed when the session started: it can be waived, not confirmed or reduced.`,
      );
    }
    if (input.action === 'confirm') {
      decision = {
        state: 'confirmed',
        amountPence: charge.proposed_pence,
        waiverReason: null,
        note,
        staffId,
      };
    } else if (input.action === 'reduce') {
      const parsed = parsePounds(input.amount ?? '', { label: 'the new amount' });
      if (!parsed.ok) fields[`amount${suffix}`] = parsed.message;
      else if (parsed.pence <= 0)
        fields[`amount${suffix}`] = 'Enter an amount more than £0.00, or waive the charge instead';
      else if (parsed.pence >= charge.proposed_pence)
        fields[`amount${suffix}`] =
          `Enter an amount less than the ${formatPence(charge.proposed_pence)} proposed, or confirm it instead`;
      else decision = { state: 'confirmed', amountPence: parsed.pence, waiverReason: null, note, staffId };
    } else {
      const reason = (input.waiverReason ?? '').trim();
      if (!reason || !ctx.charges.waiverReasons.includes(reason)) {
        fields[`waiverReason${suffix}`] = 'Choose the reason for waiving the charge';
      } else {
        decision = { state: 'waived', amountPence: null, waiverReason: reason, note, staffId };
      }
    }
    if (Object.keys(fields).length || !decision) throw new FormError(fields);
    return decision;
  }

  private async apply(
    trx: Executor,
    ctx: MailContext,
    charge: Charge,
    seen: string,
    seenProposed: string,
    decision: Decision,
  ) {
    const now = this.deps.clock.now();
    const records = new ChargeRecords(trx);
    if (!(CHARGE_STATES as readonly string[]).includes(seen) || seen !== charge.state) {
      throw new ConflictError(CHANGED);
    }
    if (!/^\d{1,9}$/.test(seenProposed) || Number(seenProposed) !== charge.proposed_pence) {
      throw new ConflictError(PROPOSAL_CHANGED);
    }
    // A paid place waived while on a draft: its line comes off first, the draft's totals summed again.
    const current = await records.byId(charge.id);
    if (
      charge.kind === 'place' &&
      current !== undefined &&
      current.invoice_id !== null &&
      current.invoice_state === 'draft'
    ) {
      const invoiceId = current.invoice_id;
      const removed = await new DraftLineRecords(trx).takeOff({ invoiceId, chargeId: charge.id });
      if (removed !== null) {
        const lineId = removed.lineId;
        await recordAudit(
          trx,
          {
            actorType: 'staff',
            actorId: decision.staffId,
            action: 'invoice_line_removed',
            entityType: 'invoice',
            entityId: invoiceId,
            details: { lineId, chargeId: charge.id, because: 'charge_waived' },
          },
          now,
        );
      }
    }
    if (
      !(await records.decide(
        charge.id,
        seen as ChargeState,
        Number(seenProposed),
        decision,
        now.toISOString(),
      ))
    ) {
      // Read again to say why: an invoice run took it, the register changed it, or someone decided first.
      const after = await records.byId(charge.id);
      if (after) this.assertOpen(after);
      if (after && after.proposed_pence !== Number(seenProposed)) throw new ConflictError(PROPOSAL_CHANGED);
      throw new ConflictError(CHANGED);
    }
    const outcome: ChargeOutcome =
      decision.state === 'waived'
        ? 'waived'
        : decision.amountPence !== null && decision.amountPence < charge.proposed_pence
          ? 'reduced'
          : 'confirmed';
    await recordAudit(
      trx,
      {
        actorType: 'staff',
        actorId: decision.staffId,
        action: `charge_${outcome}`,
        entityType: 'charge',
        entityId: charge.id,
        details: {
          bookingId: charge.booking_id,
          from: charge.state,
          proposedPence: charge.proposed_pence,
          amountPence: decision.amountPence,
          ...(decision.waiverReason ? { waiverReason: decision.waiverReason } : {}),
          // A note can be personal: the log says there was one, the charge keeps it.
          ...(decision.note ? { withNote: true } : {}),
        },
      },
      now,
    );
    // A paid place's price was never proposed to the delegate: nothing to tell them.
    if (charge.kind !== 'place') await this.deps.mail.chargeDecided(trx, ctx, charge.id, outcome);
    // The line manager hears once, when the charge first becomes owed.
    if (
      decision.state === 'confirmed' &&
      charge.kind !== 'place' &&
      charge.state !== 'confirmed' &&
      ctx.charges.tellLineManagerOfConfirmedCharges
    ) {
      await this.deps.mail.chargeLineManager(trx, ctx, charge.id);
    }
  }
}
