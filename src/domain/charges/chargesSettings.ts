/**
 * The hub's charging rules and billing details, kept in settings under their
 * own key (`charges`) and changed by administrators on the settings page.
 *
 * Fees are never bills: a late cancellation or a "did not attend" mark only
 * proposes one, which a coordinator reviews (fees.ts). Every amount is whole
 * pence. The defaults charge nothing, so a hub that has not chosen fees never
 * proposes one.
 */
import { z } from 'zod';

import { ORGANISATION_TYPES } from '../programme/organisation.js';
import { MAX_PENCE } from './money.js';

const pence = z.number().int().min(0).max(MAX_PENCE);

/** What coordinators choose from when they waive a charge; the hub can change the list. */
export const DEFAULT_WAIVER_REASONS: readonly string[] = [
  'Illness',
  'Caring responsibilities',
  'Emergency at work',
  'Personal crisis',
  'Transport problems',
  'A colleague came in their place',
  'The session changed',
  'First time: goodwill',
  'Charged in error',
];

export const FEE_BASES = ['length', 'session'] as const;
export type FeeBasis = (typeof FEE_BASES)[number];

export const chargesSettingsSchema = z.object({
  /**
   * How a fee is worked out: by length (a day's or a half day's fee for each
   * part of the session, see `partFee`) or one fee per session.
   */
  feeBasis: z.enum(FEE_BASES).default('length'),
  /** The fee for a part longer than half a day. */
  dayFeePence: pence.default(0),
  /** The fee for a part of half a day or less. */
  halfDayFeePence: pence.default(0),
  /** The fee for a whole session, whatever its length, when `feeBasis` is 'session'. */
  sessionFeePence: pence.default(0),
  /** The organisation types whose staff may be charged a fee. */
  chargedOrganisationTypes: z
    .array(z.enum(ORGANISATION_TYPES))
    .default(['partner_agency', 'private', 'out_of_area']),
  /** Whether someone who attended some of a session counts as attended (no fee), or is charged for what they missed. */
  partlyAttendedCountsAsAttended: z.boolean().default(true),
  /**
   * Whether a delegate's line manager is told when a charge for their place is
   * confirmed (the least: name, course, date, amount). Turning it on changes
   * what delegates are told when they give the address (domain/accounts/accounts.ts
   * lineManagerWhy) and the privacy notice, so the promise stays true.
   */
  tellLineManagerOfConfirmedCharges: z.boolean().default(false),
  /** The reasons coordinators choose from when they waive a charge. */
  waiverReasons: z
    .array(z.string().trim().min(1).max(100))
    .min(1)
    .max(30)
    .default(() => [...DEFAULT_WAIVER_REASONS]),

  /** The hub's postal address, printed on invoices (lines joined with "\n"). */
  billingAddress: z.string().trim().max(500).default(''),
  /** How to pay: bank details, a payment portal, who to ask. Printed on every invoice. */
  paymentInstructions: z.string().trim().max(1000).default(''),
  /** VAT in basis points (2000 = 20%); 0 when the hub's training is outside the scope of VAT. */
  vatRateBasisPoints: z.number().int().min(0).max(10_000).default(0),
  /** The hub's VAT registration number, when it has one. */
  vatNumber: z.string().trim().max(20).default(''),
  /** The income code invoices are posted to in the finance system, put in the finance export. */
  nominalCode: z.string().trim().max(20).default(''),
  /** Days from issue by which an invoice should be paid. */
  paymentTermsDays: z.number().int().min(0).max(120).default(30),
  /** The month (1–12) the financial year starts: invoice numbers restart with each financial year. */
  financialYearStartMonth: z.number().int().min(1).max(12).default(4),
});

export type ChargesSettings = z.output<typeof chargesSettingsSchema>;
export type ChargesSettingsInput = z.input<typeof chargesSettingsSchema>;

export const DEFAULT_CHARGES_SETTINGS: ChargesSettings = chargesSettingsSchema.parse({});

/** Whether the hub has set any fee at all: with none, nothing is ever proposed. */
export function feesInUse(settings: ChargesSettings): boolean {
  return settings.feeBasis === 'session'
    ? settings.sessionFeePence > 0
    : settings.dayFeePence > 0 || settings.halfDayFeePence > 0;
}
