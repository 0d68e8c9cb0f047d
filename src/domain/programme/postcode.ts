/**
 * UK postcodes, as venues are written: checked for shape (not against Royal
 * Mail's list, which changes) and tidied to the usual form, "OX1 1TR".
 */

// Outward code (area letters, district digits and an optional letter) and
// inward code (a digit and two letters), plus GIR 0AA, still in use by a bank.
const POSTCODE = /^(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) ?[0-9][A-Z]{2}$/;

/** The postcode in its usual form, or null when it is not shaped like one. */
export function normalisePostcode(text: string): string | null {
  const compact = text.toUpperCase().replace(/\s+/g, '');
  if (!POSTCODE.test(compact)) return null;
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}
