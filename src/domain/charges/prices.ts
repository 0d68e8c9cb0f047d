/**
 * Prices of places: what a place costs each organisation type, in whole
 * pence, on a course and (where different) on a session. No price is free.
 * A session's own price for a type replaces its course's; a blank on the
 * session form means "the same as the course".
 */
import { ORGANISATION_TYPES, type OrganisationType } from '../programme/organisation.js';
import { plusVatWords } from './invoiceNumbers.js';
import { formatPence, parsePounds, penceForInput } from './money.js';

/** Prices by organisation type; a type not named is free (on a course) or as the course (on a session). */
export type Prices = Partial<Record<OrganisationType, number>>;

/** The price of a place for every organisation type. */
export type PriceList = Record<OrganisationType, number>;

/** Who pays, in the plural, as the price list says it: "Free for partner agencies". */
export const ORGANISATION_TYPE_PLURALS: Record<OrganisationType, string> = {
  partner_agency: 'partner agencies',
  voluntary: 'voluntary organisations',
  private: 'private organisations',
  out_of_area: 'organisations from out of area',
};

/** One organisation of a type, as "Acme Care Ltd, a private organisation" says it. */
export const ORGANISATION_TYPE_ONE: Record<OrganisationType, string> = {
  partner_agency: 'a partner agency',
  voluntary: 'a voluntary or community organisation',
  private: 'a private organisation',
  out_of_area: 'an organisation from out of area',
};

/** A session's prices: its own for a type, the course's otherwise, free when neither has one. */
export function effectivePrices(course: Prices, session: Prices = {}): PriceList {
  return Object.fromEntries(
    ORGANISATION_TYPES.map((type) => [type, session[type] ?? course[type] ?? 0]),
  ) as PriceList;
}

/** The price a delegate of this organisation type pays: nothing without an organisation. */
export function priceForType(prices: PriceList, type: OrganisationType | null): number {
  return type === null ? 0 : prices[type];
}

/** Whether any organisation type pays for a place. */
export function anyPrice(prices: PriceList): boolean {
  return ORGANISATION_TYPES.some((type) => prices[type] > 0);
}

/** "partner agencies and voluntary organisations", "a, b and c". */
function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/**
 * The prices in one sentence, free first and then from the cheapest:
 * "Free for partner agencies and voluntary organisations; £120.00 for private
 * organisations and organisations from out of area". "Free" when nobody pays,
 * "£80.00 a place" when everyone pays the same. When the hub charges VAT,
 * ", plus VAT at 20%" follows (prices are net).
 */
export function priceSummary(prices: PriceList, vatRateBasisPoints = 0): string {
  const amounts = [...new Set(ORGANISATION_TYPES.map((type) => prices[type]))].sort((a, b) => a - b);
  const vat = anyPrice(prices) ? plusVatWords(vatRateBasisPoints) : '';
  const words =
    amounts.length === 1
      ? amounts[0] === 0
        ? 'Free'
        : `${formatPence(amounts[0]!)} a place`
      : summaryByType(prices, amounts);
  return vat ? `${words}, ${vat}` : words;
}

function summaryByType(prices: PriceList, amounts: readonly number[]): string {
  return amounts
    .map((amount) => {
      const who = joinWords(
        ORGANISATION_TYPES.filter((type) => prices[type] === amount).map((t) => ORGANISATION_TYPE_PLURALS[t]),
      );
      return amount === 0 ? `Free for ${who}` : `${formatPence(amount)} for ${who}`;
    })
    .join('; ');
}

/** The form field for a type's price: `price-private`. */
export const priceField = (type: OrganisationType) => `price-${type}`;

/** The price fields in the order the forms show them. */
export const PRICE_FIELDS: readonly string[] = ORGANISATION_TYPES.map(priceField);

/** A form's price fields as they are shown: "120.00", or blank for none. */
export function priceFormValues(prices: Prices): Record<string, string> {
  return Object.fromEntries(
    ORGANISATION_TYPES.map((type) => {
      const amount = prices[type];
      return [priceField(type), amount === undefined ? '' : penceForInput(amount)];
    }),
  );
}

export type PriceReading = { ok: true; prices: Prices } | { ok: false; errors: Record<string, string> };

/**
 * Reads the price fields of a course or session form, typed in pounds
 * ("120", "£120.00", "1,250.50"), never through a float. On a course a blank
 * is free (no price); on a session it is the course's price (no price of its
 * own). Negative, more than £100,000 or not an amount: a message by the field.
 */
export function readPriceFields(body: Record<string, unknown>, blankMeans: 'free' | 'course'): PriceReading {
  const prices: Prices = {};
  const errors: Record<string, string> = {};
  for (const type of ORGANISATION_TYPES) {
    const field = priceField(type);
    const raw = body[field];
    const typed = typeof raw === 'string' ? raw.trim() : '';
    if (typed === '') continue;
    const read = parsePounds(typed, { label: `the price for ${ORGANISATION_TYPE_PLURALS[type]}` });
    if (!read.ok) {
      errors[field] = read.message;
      continue;
    }
    // A course's free place is no row; a session's 0 is its own price (free here, whatever the course says).
    if (read.pence === 0 && blankMeans === 'free') continue;
    prices[type] = read.pence;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, prices };
}

/** The same prices with the types in their usual order, so two equal sets compare and print alike. */
export function orderedPrices(prices: Prices): Prices {
  const ordered: Prices = {};
  for (const type of ORGANISATION_TYPES) if (prices[type] !== undefined) ordered[type] = prices[type];
  return ordered;
}

/** Whether two sets of prices say the same. */
export function samePrices(a: Prices, b: Prices): boolean {
  return ORGANISATION_TYPES.every((type) => a[type] === b[type]);
}
