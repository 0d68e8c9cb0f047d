import { describe, expect, it } from 'vitest';

import { DEFAULT_CHARGES_SETTINGS } from './chargesSettings.js';
import { chargesFormValues, parseVatRate, readChargesForm, vatRateForInput } from './settingsForm.js';

describe('the charges settings form', () => {
  it('reads a VAT rate as text into basis points, never through a float', () => {
    expect(parseVatRate('20')).toEqual({ ok: true, basisPoints: 2000 });
    expect(parseVatRate(' 17.5 % ')).toEqual({ ok: true, basisPoints: 1750 });
    expect(parseVatRate('0.01')).toEqual({ ok: true, basisPoints: 1 });
    expect(parseVatRate('0')).toEqual({ ok: true, basisPoints: 0 });
    expect(parseVatRate('100.01')).toEqual({ ok: false, message: 'The VAT rate must be 100% or less' });
    expect(parseVatRate('-5').ok).toBe(false);
    expect(parseVatRate('twenty').ok).toBe(false);
    expect(parseVatRate('').ok).toBe(false);
    expect([2000, 1750, 5, 0, 10_000].map(vatRateForInput)).toEqual(['20', '17.5', '0.05', '0', '100']);
  });

  it('reads back what it shows: the defaults make the same settings', () => {
    const values = chargesFormValues(DEFAULT_CHARGES_SETTINGS);
    expect(readChargesForm(values)).toEqual({ ok: true, settings: DEFAULT_CHARGES_SETTINGS });
  });

  it('takes a blank fee as none, and keeps the organisation types in their usual order', () => {
    const values = {
      ...chargesFormValues(DEFAULT_CHARGES_SETTINGS),
      dayFee: '',
      halfDayFee: '£25',
      chargedOrganisationTypes: ['out_of_area', 'private'],
    };
    const read = readChargesForm(values);
    expect(read.ok && read.settings).toMatchObject({
      dayFeePence: 0,
      halfDayFeePence: 2500,
      chargedOrganisationTypes: ['private', 'out_of_area'],
    });
  });

  it('says by each field what is wrong', () => {
    const read = readChargesForm({
      ...chargesFormValues(DEFAULT_CHARGES_SETTINGS),
      sessionFee: '1.999',
      waiverReasons: 'x'.repeat(101),
      vatNumber: 'GB'.repeat(11),
      partlyAttendedCountsAsAttended: 'maybe',
    });
    expect(read).toEqual({
      ok: false,
      errors: {
        sessionFee: 'Enter the fee for a session in pounds and pence, like £50.00',
        partlyAttendedCountsAsAttended: 'Choose yes or no: does coming to part of a session count as coming?',
        waiverReasons: 'Each reason must be 100 characters or fewer: shorten the long one',
        vatNumber: 'The VAT number must be 20 characters or fewer',
      },
    });
  });
});
