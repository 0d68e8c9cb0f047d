/**
 * Money: whole pence, always integers. Amounts are stored, added and compared
 * as pence (`number`s that are safe integers) and turned into words only for
 * display; what people type ("50", "£50.00", "1,250.5") is read as text, never
 * through a float, so no rounding can creep in anywhere.
 */

/** The largest amount Trellis takes anywhere: £100,000.00. Anything more is a typing mistake. */
export const MAX_PENCE = 10_000_000;

/** "£50.00", "£1,250.50", "−£12.00" for a negative amount (a credit). */
export function formatPence(pence: number): string {
  assertPence(pence);
  const sign = pence < 0 ? '−' : '';
  const whole = Math.abs(pence);
  const pounds = Math.trunc(whole / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}£${pounds}.${(whole % 100).toString().padStart(2, '0')}`;
}

/** "50.00" for a form field: pounds and pence without the sign or commas. */
export function penceForInput(pence: number): string {
  assertPence(pence);
  const whole = Math.abs(pence);
  return `${pence < 0 ? '-' : ''}${Math.trunc(whole / 100)}.${(whole % 100).toString().padStart(2, '0')}`;
}

/** "50.00" for a CSV column a finance system imports: a plain decimal, minus sign for credits. */
export const penceAsDecimal = penceForInput;

export type ParsedPence = { ok: true; pence: number } | { ok: false; message: string };

const AMOUNT = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/;

/**
 * Reads an amount of money as typed: "50", "50.5", "£50.00", "1,250.00"
 * (spaces and a leading £ allowed). Returns the whole pence, or a message
 * saying what is wrong in words a form can show under the field ("Enter an
 * amount like £50.00"). Negative amounts and more than `max` are refused.
 */
export function parsePounds(typed: string, { label = 'the amount', max = MAX_PENCE } = {}): ParsedPence {
  const text = typed.replace(/\s+/g, '').replace(/^£/, '');
  if (text === '') return { ok: false, message: `Enter ${label}, like £50.00, or 0 for none` };
  if (text.startsWith('-') || text.startsWith('−'))
    return { ok: false, message: `${capitalise(label)} cannot be less than £0.00` };
  const match = AMOUNT.exec(text);
  if (!match) return { ok: false, message: `Enter ${label} in pounds and pence, like £50.00` };
  const pounds = match[1]!.replace(/,/g, '');
  if (pounds.length > 9)
    return { ok: false, message: `${capitalise(label)} must be ${formatPence(max)} or less` };
  const pence = Number(pounds) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  if (pence > max) return { ok: false, message: `${capitalise(label)} must be ${formatPence(max)} or less` };
  return { ok: true, pence };
}

/** Throws unless `pence` is a safe integer: money is never a fraction of a penny. */
export function assertPence(pence: number): void {
  if (!Number.isSafeInteger(pence)) throw new RangeError(`Money must be whole pence, not ${pence}`);
}

/** The sum of amounts in pence, checked to stay whole. */
export function sumPence(amounts: Iterable<number>): number {
  let total = 0;
  for (const amount of amounts) {
    assertPence(amount);
    total += amount;
  }
  assertPence(total);
  return total;
}

function capitalise(words: string): string {
  return words.charAt(0).toUpperCase() + words.slice(1);
}
