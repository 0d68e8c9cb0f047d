/**
 * The charges settings form (administrators, /admin/settings/charges) as
 * pure rules: what was typed becomes checked settings, or a message by each
 * field saying what is wrong and how to put it right. Money is read as text
 * into whole pence (parsePounds) and the VAT rate as text into basis points,
 * never through a float.
 */
import { ORGANISATION_TYPES, type OrganisationType } from '../programme/organisation.js';
import { FEE_BASES, type ChargesSettings, type FeeBasis } from './chargesSettings.js';
import { parsePounds, penceForInput } from './money.js';

/** The form's fields in page order (for the error summary). */
export const CHARGES_FORM_FIELDS = [
  'feeBasis',
  'dayFee',
  'halfDayFee',
  'sessionFee',
  'chargedOrganisationTypes',
  'partlyAttendedCountsAsAttended',
  'tellLineManagerOfConfirmedCharges',
  'waiverReasons',
  'billingAddress',
  'paymentInstructions',
  'vatRate',
  'vatNumber',
  'nominalCode',
  'paymentTermsDays',
  'financialYearStartMonth',
] as const;

const LIMITS = {
  billingAddress: 500,
  paymentInstructions: 1000,
  vatNumber: 20,
  nominalCode: 20,
  waiverReason: 100,
  waiverReasons: 30,
};

/** 2000 basis points → "20", 1750 → "17.5", 0 → "0". */
export function vatRateForInput(basisPoints: number): string {
  const whole = Math.trunc(basisPoints / 100);
  const fraction = (basisPoints % 100).toString().padStart(2, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/**
 * A VAT rate typed as a percentage ("20", "17.5", "20%", "0") in basis
 * points (2000), read as text; or a message.
 */
export function parseVatRate(
  typed: string,
): { ok: true; basisPoints: number } | { ok: false; message: string } {
  const text = typed.replace(/\s+/g, '').replace(/%$/, '');
  if (text === '')
    return {
      ok: false,
      message:
        'Enter the VAT rate as a percentage, like 20, or 0 if your training is outside the scope of VAT',
    };
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) return { ok: false, message: 'Enter the VAT rate as a percentage, like 20 or 17.5' };
  const basisPoints = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  if (basisPoints > 10_000) return { ok: false, message: 'The VAT rate must be 100% or less' };
  return { ok: true, basisPoints };
}

/** The settings as the form shows them. */
export function chargesFormValues(settings: ChargesSettings): Record<string, string | string[]> {
  return {
    feeBasis: settings.feeBasis,
    dayFee: penceForInput(settings.dayFeePence),
    halfDayFee: penceForInput(settings.halfDayFeePence),
    sessionFee: penceForInput(settings.sessionFeePence),
    chargedOrganisationTypes: [...settings.chargedOrganisationTypes],
    partlyAttendedCountsAsAttended: settings.partlyAttendedCountsAsAttended ? 'yes' : 'no',
    tellLineManagerOfConfirmedCharges: settings.tellLineManagerOfConfirmedCharges ? 'yes' : 'no',
    waiverReasons: settings.waiverReasons.join('\n'),
    billingAddress: settings.billingAddress,
    paymentInstructions: settings.paymentInstructions,
    vatRate: vatRateForInput(settings.vatRateBasisPoints),
    vatNumber: settings.vatNumber,
    nominalCode: settings.nominalCode,
    paymentTermsDays: String(settings.paymentTermsDays),
    financialYearStartMonth: String(settings.financialYearStartMonth),
  };
}

export type ChargesFormReading =
  { ok: true; settings: ChargesSettings } | { ok: false; errors: Record<string, string> };

type Body = Record<string, unknown>;

function text(body: Body, field: string): string {
  const value = body[field];
  return typeof value === 'string' ? value.replace(/\r\n/g, '\n').trim() : '';
}

function ticked(body: Body, field: string): string[] {
  const value = body[field];
  const all = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return all.filter((v): v is string => typeof v === 'string');
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Reads the charges settings form: the settings, or a message by each field that needs changing. */
export function readChargesForm(body: Body): ChargesFormReading {
  const errors: Record<string, string> = {};
  for (const field of CHARGES_FORM_FIELDS) {
    if (ticked(body, field).some((value) => CONTROL.test(value)))
      errors[field] = 'Remove the special characters from this answer';
  }

  const basis = text(body, 'feeBasis');
  if (!(FEE_BASES as readonly string[]).includes(basis))
    errors.feeBasis ??= 'Choose how fees are worked out: by the length of each part, or one fee a session';

  const fee = (field: 'dayFee' | 'halfDayFee' | 'sessionFee', label: string): number => {
    const typed = text(body, field);
    // A blank fee is no fee.
    if (typed === '') return 0;
    const read = parsePounds(typed, { label });
    if (!read.ok) errors[field] ??= read.message;
    return read.ok ? read.pence : 0;
  };
  const dayFeePence = fee('dayFee', 'the fee for a day');
  const halfDayFeePence = fee('halfDayFee', 'the fee for a half day');
  const sessionFeePence = fee('sessionFee', 'the fee for a session');

  const types = ticked(body, 'chargedOrganisationTypes');
  if (types.some((type) => !(ORGANISATION_TYPES as readonly string[]).includes(type)))
    errors.chargedOrganisationTypes ??= 'Choose the kinds of organisation from the list';

  const yesNo = (field: string, question: string): boolean => {
    const answer = text(body, field);
    if (answer !== 'yes' && answer !== 'no') errors[field] ??= `Choose yes or no: ${question}`;
    return answer === 'yes';
  };
  const partlyAttendedCountsAsAttended = yesNo(
    'partlyAttendedCountsAsAttended',
    'does coming to part of a session count as coming?',
  );
  const tellLineManagerOfConfirmedCharges = yesNo(
    'tellLineManagerOfConfirmedCharges',
    'are line managers told of confirmed charges?',
  );

  const waiverReasons = text(body, 'waiverReasons')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (waiverReasons.length === 0)
    errors.waiverReasons ??= 'Enter at least one reason for waiving a charge, one on each line';
  else if (waiverReasons.length > LIMITS.waiverReasons)
    errors.waiverReasons ??= `Enter ${LIMITS.waiverReasons} reasons or fewer`;
  else if (waiverReasons.some((reason) => reason.length > LIMITS.waiverReason))
    errors.waiverReasons ??= `Each reason must be ${LIMITS.waiverReason} characters or fewer: shorten the long one`;

  const limited = (
    field: 'billingAddress' | 'paymentInstructions' | 'vatNumber' | 'nominalCode',
    what: string,
  ) => {
    const value = text(body, field);
    if (value.length > LIMITS[field])
      errors[field] ??= `${what} must be ${LIMITS[field].toLocaleString('en-GB')} characters or fewer`;
    return value;
  };
  const billingAddress = limited('billingAddress', 'The address');
  const paymentInstructions = limited('paymentInstructions', 'How to pay');
  const vatNumber = limited('vatNumber', 'The VAT number');
  const nominalCode = limited('nominalCode', 'The nominal code');

  const vat = parseVatRate(text(body, 'vatRate'));
  if (!vat.ok) errors.vatRate ??= vat.message;

  const whole = (field: string, min: number, max: number, message: string): number => {
    const typed = text(body, field);
    if (!/^\d{1,3}$/.test(typed) || Number(typed) < min || Number(typed) > max) errors[field] ??= message;
    return Number(typed);
  };
  const paymentTermsDays = whole(
    'paymentTermsDays',
    0,
    120,
    'Enter the payment terms as a whole number of days from 0 to 120, like 30',
  );
  const financialYearStartMonth = whole(
    'financialYearStartMonth',
    1,
    12,
    'Enter the month your financial year starts as a number from 1 to 12, like 4 for April',
  );

  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      feeBasis: basis as FeeBasis,
      dayFeePence,
      halfDayFeePence,
      sessionFeePence,
      chargedOrganisationTypes: ORGANISATION_TYPES.filter((type) =>
        types.includes(type),
      ) as OrganisationType[],
      partlyAttendedCountsAsAttended,
      tellLineManagerOfConfirmedCharges,
      waiverReasons,
      billingAddress,
      paymentInstructions,
      vatRateBasisPoints: vat.ok ? vat.basisPoints : 0,
      vatNumber,
      nominalCode,
      paymentTermsDays,
      financialYearStartMonth,
    },
  };
}
