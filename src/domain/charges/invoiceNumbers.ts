/**
 * Invoice and credit note numbers, financial years and VAT.
 *
 * Numbers run in one gap-free sequence per kind per financial year, named by
 * the calendar year the financial year starts in: the first invoice issued in
 * the year from April 2026 is INV-2026-0001, the first credit note
 * CN-2026-0001. A number is given only when a document is issued; drafts have
 * none, so a voided draft leaves no gap.
 */
import { assertPence, formatPence } from './money.js';

export const DOCUMENT_KINDS = ['invoice', 'credit_note'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const DOCUMENT_PREFIX: Record<DocumentKind, string> = { invoice: 'INV', credit_note: 'CN' };

export const DOCUMENT_NAMES: Record<DocumentKind, string> = {
  invoice: 'Invoice',
  credit_note: 'Credit note',
};

/**
 * The financial year a London date (YYYY-MM-DD) falls in, as the calendar
 * year it starts in: with April as the first month, 2027-03-31 is in 2026 and
 * 2027-04-01 in 2027.
 */
export function financialYearOf(londonDate: string, startMonth: number): number {
  const year = Number(londonDate.slice(0, 4));
  const month = Number(londonDate.slice(5, 7));
  return month >= startMonth ? year : year - 1;
}

/** "INV-2026-0001": four digits at least, more once a year passes 9,999. */
export function documentNumber(kind: DocumentKind, financialYear: number, sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError(`No document number ${sequence}`);
  return `${DOCUMENT_PREFIX[kind]}-${financialYear}-${sequence.toString().padStart(4, '0')}`;
}

/**
 * VAT on a net amount at a rate in basis points (2000 = 20%), rounded to the
 * nearest penny (halves up, away from zero for credits), in integers only.
 */
export function vatOn(netPence: number, rateBasisPoints: number): number {
  assertPence(netPence);
  if (!Number.isInteger(rateBasisPoints) || rateBasisPoints < 0)
    throw new RangeError('VAT rate must be whole basis points');
  const magnitude = Math.floor((Math.abs(netPence) * rateBasisPoints + 5_000) / 10_000);
  return netPence < 0 ? -magnitude : magnitude;
}

/** A line's net, VAT and gross: VAT is worked out per line so a document's totals are the sums of its lines. */
export function lineAmounts(netPence: number, rateBasisPoints: number) {
  const vatPence = vatOn(netPence, rateBasisPoints);
  return { netPence, vatPence, grossPence: netPence + vatPence };
}

/** A document's totals: the sums of its lines' columns, nothing more. */
export function documentTotals(lines: readonly { netPence: number; vatPence: number; grossPence: number }[]) {
  let netPence = 0;
  let vatPence = 0;
  let grossPence = 0;
  for (const line of lines) {
    netPence += line.netPence;
    vatPence += line.vatPence;
    grossPence += line.grossPence;
  }
  return { netPence, vatPence, grossPence };
}

/** "20%", "17.5%", or "Outside the scope of VAT" at 0. */
export function vatStatusWords(rateBasisPoints: number): string {
  if (rateBasisPoints === 0) return 'Outside the scope of VAT';
  const whole = Math.trunc(rateBasisPoints / 100);
  const rest = rateBasisPoints % 100;
  return `VAT at ${whole}${rest === 0 ? '' : `.${rest.toString().padStart(2, '0').replace(/0$/, '')}`}%`;
}

/** "plus VAT at 20%", said after a price or fee when the hub charges VAT; "" when it does not (a rate of 0). */
export function plusVatWords(rateBasisPoints: number): string {
  return rateBasisPoints > 0 ? `plus ${vatStatusWords(rateBasisPoints)}` : '';
}

/**
 * A price or fee as delegates and staff read it: "£50.00", or "£50.00 plus
 * VAT at 20%" when the hub charges VAT (prices and fees are net: VAT is
 * added on the invoice). Nothing is said of VAT on £0.00.
 */
export function amountWords(pence: number, rateBasisPoints: number): string {
  const vat = pence === 0 ? '' : plusVatWords(rateBasisPoints);
  return vat ? `${formatPence(pence)} ${vat}` : formatPence(pence);
}
