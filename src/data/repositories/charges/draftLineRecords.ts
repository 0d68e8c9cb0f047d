/**
 * DraftLineRecords: the one way a line comes off a draft invoice, for every
 * service that takes one off (staff taking a line off by hand, a charge
 * withdrawn by a corrected register or a cancellation, a paid place waived
 * in the review queue). It lets the line's charge go and sets the draft's
 * totals again as the sums of the lines left, so a draft's totals can never
 * disagree with its lines. Callers hold the invoice lock.
 */
import { documentTotals } from '../../../domain/charges/invoiceNumbers.js';
import type { Executor } from '../../schema.js';

export type DraftLine = { invoiceId: number; lineId: number } | { invoiceId: number; chargeId: number };

export class DraftLineRecords {
  constructor(private readonly db: Executor) {}

  /**
   * Takes the line off, if the invoice is still a draft and holds it: the
   * line's id and its charge's (null for a line with no charge), or null
   * when there is no such line on a draft.
   */
  async takeOff(which: DraftLine): Promise<{ lineId: number; chargeId: number | null } | null> {
    const line = await this.db
      .selectFrom('invoice_lines')
      .innerJoin('invoices', 'invoices.id', 'invoice_lines.invoice_id')
      .where('invoice_lines.invoice_id', '=', which.invoiceId)
      .where('invoices.state', '=', 'draft')
      .$if('lineId' in which, (q) => q.where('invoice_lines.id', '=', (which as { lineId: number }).lineId))
      .$if('chargeId' in which, (q) =>
        q.where('invoice_lines.charge_id', '=', (which as { chargeId: number }).chargeId),
      )
      .select(['invoice_lines.id', 'invoice_lines.charge_id'])
      .executeTakeFirst();
    if (!line) return null;
    const chargeId = line.charge_id === null ? null : Number(line.charge_id);
    await this.db.deleteFrom('invoice_lines').where('id', '=', line.id).execute();
    if (chargeId !== null)
      await this.db
        .updateTable('charges')
        .set({ invoice_id: null })
        .where('id', '=', chargeId)
        .where('invoice_id', '=', which.invoiceId)
        .execute();
    const left = await this.db
      .selectFrom('invoice_lines')
      .where('invoice_id', '=', which.invoiceId)
      .select(['net_pence', 'vat_pence', 'gross_pence'])
      .execute();
    const totals = documentTotals(
      left.map((l) => ({
        netPence: Number(l.net_pence),
        vatPence: Number(l.vat_pence),
        grossPence: Number(l.gross_pence),
      })),
    );
    await this.db
      .updateTable('invoices')
      .set({ net_pence: totals.netPence, vat_pence: totals.vatPence, gross_pence: totals.grossPence })
      .where('id', '=', which.invoiceId)
      .where('state', '=', 'draft')
      .execute();
    return { lineId: Number(line.id), chargeId };
  }
}
