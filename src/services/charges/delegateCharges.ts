/**
 * The delegate's side of a charge: what their booking pages show of it, and
 * telling the hub why, from the
 * private link in the email (no sign-in), or from their booking page when
 * signed in. A reason from the list (or "I would rather not say") and an
 * optional note; answering again replaces the answer until a person decides
 * the charge, and then the page says what was decided.
 *
 * The link keeps the private-link rules (services/accounts/privateLinks.ts):
 * opening it changes nothing, an unknown one (or another purpose's) is the
 * ordinary 404, and so is one whose charge's delegate no longer has the
 * address it was sent to (someone else's); an expired one is a kind 410 page.
 */
import { ChargeRecords } from '../../data/repositories/charges/chargeRecords.js';
import { recordAudit } from '../../data/repositories/auditRecords.js';
import {
  CHARGE_KIND_NAMES,
  DELEGATE_REASON_NAMES,
  DELEGATE_REASONS,
  type DelegateReason,
} from '../../domain/charges/charges.js';
import { formatPence } from '../../domain/charges/money.js';
import { formatDate } from '../../domain/time/time.js';
import { FormError, NotFoundError } from '../../errors.js';
import { PrivateLinks } from '../accounts/privateLinks.js';
import type { ServiceDeps } from '../deps.js';

/** The longest note a delegate may add. */
export const DELEGATE_NOTE_MAX = 1000;

/** What the page shows: the form, what was decided, that it no longer applies, or that the link ended. */
export type ReasonPageState = 'open' | 'decided' | 'withdrawn' | 'expired';

type Charge = NonNullable<Awaited<ReturnType<ChargeRecords['byId']>>>;

export class DelegateChargeService {
  constructor(private readonly deps: ServiceDeps) {}

  private get links() {
    return new PrivateLinks(this.deps.db, this.deps.clock);
  }

  /** The page a link opens. Changes nothing. */
  async pageByLink(token: string) {
    const { charge, expired } = await this.byLink(token);
    return this.page(charge, expired);
  }

  /** Saves the delegate's answer from the link's page; false when it was decided meanwhile (the page says so). */
  async answerByLink(token: string, body: Record<string, unknown>): Promise<void> {
    const { charge, expired } = await this.byLink(token);
    if (expired) return;
    await this.answer(charge, body);
  }

  /** The signed-in delegate's own booking's charge waiting for a decision (or decided), for the same page. */
  async pageForBooking(delegateId: number, bookingId: number) {
    return this.page(await this.ownCharge(delegateId, bookingId), false);
  }

  async answerForBooking(delegateId: number, bookingId: number, body: Record<string, unknown>) {
    await this.answer(await this.ownCharge(delegateId, bookingId), body);
  }

  /**
   * The fees on a delegate's bookings, for their booking pages: each booking's
   * latest (not withdrawn) one, in words. Proposed ones wait for a person; a
   * confirmed one says what is owed.
   */
  async forBookings(bookingIds: readonly number[]) {
    const rows = await new ChargeRecords(this.deps.db).forBookings(bookingIds);
    const byBooking = new Map<number, ReturnType<typeof bookingChargeView>>();
    for (const row of rows) byBooking.set(row.booking_id, bookingChargeView(row));
    return byBooking;
  }

  private async ownCharge(delegateId: number, bookingId: number): Promise<Charge> {
    const records = new ChargeRecords(this.deps.db);
    const charges = await records.forBookings([bookingId]);
    // The latest fee on the booking (a late cancellation and an absence never both happen).
    const latest = charges.at(-1);
    const charge = latest ? await records.byId(latest.id) : undefined;
    if (!charge || charge.delegate_id !== delegateId) throw new NotFoundError('charge');
    return charge;
  }

  private async byLink(token: string): Promise<{ charge: Charge; expired: boolean }> {
    const { state, link } = await this.links.check(token, 'charge_reason');
    if (!link || link.charge_id === null) throw new NotFoundError('page');
    const charge = await new ChargeRecords(this.deps.db).byId(link.charge_id);
    // Someone else's: the booking's delegate no longer has the address the link was sent to.
    if (!charge || charge.delegate_email.toLowerCase() !== link.email.toLowerCase()) {
      throw new NotFoundError('page');
    }
    return { charge, expired: state === 'expired' };
  }

  private page(charge: Charge, expired: boolean) {
    const state: ReasonPageState =
      charge.state === 'withdrawn'
        ? 'withdrawn'
        : charge.state !== 'proposed'
          ? 'decided'
          : expired
            ? 'expired'
            : 'open';
    return {
      state,
      late: charge.kind === 'late_cancellation',
      kindName: CHARGE_KIND_NAMES[charge.kind],
      delegateName: charge.delegate_name,
      courseTitle: charge.course_title,
      sessionDate: formatDate(new Date(charge.starts_at)),
      organisation: charge.organisation_name,
      proposed: formatPence(charge.proposed_pence),
      decision:
        charge.state === 'confirmed'
          ? {
              outcome:
                (charge.amount_pence ?? charge.proposed_pence) < charge.proposed_pence
                  ? 'reduced'
                  : 'confirmed',
              amount: formatPence(charge.amount_pence ?? charge.proposed_pence),
            }
          : charge.state === 'waived'
            ? { outcome: 'waived', amount: formatPence(0) }
            : null,
      answer: {
        reason: charge.delegate_reason ?? '',
        reasonName: charge.delegate_reason ? DELEGATE_REASON_NAMES[charge.delegate_reason] : null,
        note: charge.delegate_note,
      },
      reasons: DELEGATE_REASONS.map((value) => ({ value, text: DELEGATE_REASON_NAMES[value] })),
      noteMax: DELEGATE_NOTE_MAX,
    };
  }

  private async answer(charge: Charge, body: Record<string, unknown>): Promise<void> {
    const reason = typeof body.reason === 'string' ? body.reason : '';
    const note = (typeof body.note === 'string' ? body.note : '').trim();
    const fields: Record<string, string> = {};
    if (!(DELEGATE_REASONS as readonly string[]).includes(reason)) {
      fields.reason = 'Choose what got in the way, or “I would rather not say”';
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(note)) {
      fields.note = 'Remove the special characters from your note';
    } else if (note.length > DELEGATE_NOTE_MAX) {
      fields.note = `Your note must be ${DELEGATE_NOTE_MAX.toLocaleString('en-GB')} characters or fewer`;
    }
    if (Object.keys(fields).length) throw new FormError(fields);
    if (charge.state !== 'proposed') return;
    await this.deps.db.transaction().execute(async (trx) => {
      const now = this.deps.clock.now();
      if (
        !(await new ChargeRecords(trx).saveReason(
          charge.id,
          reason as DelegateReason,
          note,
          now.toISOString(),
        ))
      )
        return;
      await recordAudit(
        trx,
        {
          actorType: 'delegate',
          actorId: charge.delegate_id,
          action: charge.delegate_answered_at ? 'charge_reason_changed' : 'charge_reason_given',
          entityType: 'charge',
          entityId: charge.id,
          // What they said stays with the charge, for the people deciding it.
          details: { bookingId: charge.booking_id },
        },
        now,
      );
    });
  }
}

function bookingChargeView(row: Awaited<ReturnType<ChargeRecords['forBookings']>>[number]) {
  return {
    state: row.state,
    kindName: CHARGE_KIND_NAMES[row.kind],
    late: row.kind === 'late_cancellation',
    proposed: formatPence(row.proposed_pence),
    amount: formatPence(row.amount_pence ?? row.proposed_pence),
    reduced: row.amount_pence !== null && row.amount_pence < row.proposed_pence,
    answered: row.delegate_reason !== null,
    invoiced: row.invoice_id !== null,
  };
}
