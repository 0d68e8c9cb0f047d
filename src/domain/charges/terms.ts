/**
 * The charging terms a delegate reads before they book, in plain words,
 * from the hub's charges settings, its cancellation cut-off and the price of
 * their place. The same words are on the booking page, the delegate's
 * booking and the confirmation email, so what they agreed to is what they
 * are shown afterwards.
 *
 * - A paid place: invoiced after the session; cancelling before the cut-off
 *   costs nothing, after it the price may still be charged. Never a fee on top.
 * - A free place, where the hub uses fees and charges the delegate's
 *   organisation type: what a late cancellation or not coming may cost, that
 *   a person looks at every charge first, and that a colleague in their place
 *   is never charged.
 * - Nobody without an organisation is ever charged: Trellis invoices organisations.
 * - Otherwise nothing about money is said.
 */
import { ORGANISATION_TYPES, type OrganisationType } from '../programme/organisation.js';
import { selfCancellationLastDay, type Policy } from '../hub/policy.js';
import { formatDate, londonToInstant } from '../time/time.js';
import { feesInUse, type ChargesSettings } from './chargesSettings.js';
import { feeFor, HALF_DAY_MINUTES, organisationCharged, type TimedPart } from './fees.js';
import { amountWords, plusVatWords } from './invoiceNumbers.js';
import { formatPence } from './money.js';
import { ORGANISATION_TYPE_PLURALS } from './prices.js';

export interface TermsFacts {
  settings: ChargesSettings;
  policy: Pick<Policy, 'cancellationWorkingDays'>;
  /** The session's parts, in order (the first starts it). */
  parts: readonly TimedPart[];
  /** The price of this delegate's place, in pence (0: free). */
  pricePence: number;
  /** The delegate's organisation's type; null for someone with no organisation. */
  organisationType: OrganisationType | null;
  /** Whether anyone pays for a place on this session (to tell someone with no organisation they do not). */
  sessionHasPrices?: boolean;
}

/** "Friday 6 March 2026" for a London date. */
function dayWords(date: string): string {
  // Midday is never inside a clock change.
  return formatDate(londonToInstant(date, '12:00'));
}

/** The fee a free place may be charged for a late cancellation or not coming: 0 when none can be. */
export function possibleFee(facts: Omit<TermsFacts, 'policy' | 'sessionHasPrices'>): number {
  if (facts.pricePence > 0) return 0;
  if (!feesInUse(facts.settings) || !organisationCharged(facts.organisationType, facts.settings)) return 0;
  return feeFor(facts.parts, facts.settings);
}

/** The charging terms, one paragraph a string; none when there is nothing to say about money. */
export function chargingTerms(facts: TermsFacts): string[] {
  const first = facts.parts[0];
  if (!first) return [];
  const lastDay = selfCancellationLastDay(first.startsAt, facts.policy);

  if (facts.organisationType === null) {
    return facts.sessionHasPrices || feesInUse(facts.settings)
      ? [
          'Your place is free and you will never be charged a fee, because you do not have an employer: ' +
            'the training team sends invoices to organisations only.',
        ]
      : [];
  }

  if (facts.pricePence > 0) {
    const price = amountWords(facts.pricePence, facts.settings.vatRateBasisPoints);
    return [
      `Your organisation is invoiced ${price} after the session. ` +
        (lastDay
          ? `You can cancel free of charge until ${dayWords(lastDay)}; after that, the training team may still charge the price.`
          : 'You can cancel free of charge until the session starts; after that, the training team may still charge the price.'),
    ];
  }

  const fee = possibleFee(facts);
  if (fee === 0) return [];
  const when = lastDay ? `If you cancel after ${dayWords(lastDay)} or do not come` : 'If you do not come';
  return [
    `${when}, your organisation may be charged ${amountWords(fee, facts.settings.vatRateBasisPoints)}. ` +
      'The training team looks at every charge first, and you can tell them why. ' +
      (facts.settings.tellLineManagerOfConfirmedCharges
        ? 'If they confirm a charge, your line manager is told. '
        : '') +
      'Sending a colleague in your place is never charged.',
  ];
}

/** The hub's fee rules as the terms page says them. */
export interface FeeWords {
  feesInUse: boolean;
  /**
   * "£50.00 for each day and £25.00 for each half day (a part of four hours or less)", or "£40.00 a session";
   * ", plus VAT at 20%" after it when the hub charges VAT.
   */
  fee: string;
  /** "plus VAT at 20%" when the hub charges VAT on prices and fees; "" when it does not. */
  vat: string;
  /** "partner agencies, private organisations and organisations from out of area". */
  chargedTypes: string;
  partlyAttendedCountsAsAttended: boolean;
  tellLineManager: boolean;
}

export function feeWords(settings: ChargesSettings): FeeWords {
  const fee =
    settings.feeBasis === 'session'
      ? `${formatPence(settings.sessionFeePence)} a session`
      : [
          settings.dayFeePence > 0 ? `${formatPence(settings.dayFeePence)} for each day` : '',
          settings.halfDayFeePence > 0
            ? `${formatPence(settings.halfDayFeePence)} for each half day (a part of ${HALF_DAY_MINUTES / 60} hours or less)`
            : '',
        ]
          .filter(Boolean)
          .join(' and ');
  const vat = plusVatWords(settings.vatRateBasisPoints);
  const types = ORGANISATION_TYPES.filter((type) => settings.chargedOrganisationTypes.includes(type)).map(
    (type) => ORGANISATION_TYPE_PLURALS[type],
  );
  return {
    feesInUse: feesInUse(settings) && types.length > 0,
    fee: vat ? `${fee}, ${vat}` : fee,
    vat,
    chargedTypes: types.length <= 1 ? types.join('') : `${types.slice(0, -1).join(', ')} and ${types.at(-1)}`,
    partlyAttendedCountsAsAttended: settings.partlyAttendedCountsAsAttended,
    tellLineManager: settings.tellLineManagerOfConfirmedCharges,
  };
}
