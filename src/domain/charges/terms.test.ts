import { describe, expect, it } from 'vitest';

import { londonToInstant } from '../time/time.js';
import { chargesSettingsSchema } from './chargesSettings.js';
import { chargingTerms, feeWords, possibleFee, type TermsFacts } from './terms.js';

const FEES = chargesSettingsSchema.parse({
  dayFeePence: 5000,
  halfDayFeePence: 2500,
  chargedOrganisationTypes: ['partner_agency', 'private', 'out_of_area'],
});
const NO_FEES = chargesSettingsSchema.parse({});

/** A day's session on Monday 16 March 2026, 9:30am to 4pm: the cut-off of 6 working days is Friday 6 March. */
const DAY = [
  { startsAt: londonToInstant('2026-03-16', '09:30'), endsAt: londonToInstant('2026-03-16', '16:00') },
];
const TWO_MORNINGS = [
  { startsAt: londonToInstant('2026-03-16', '09:30'), endsAt: londonToInstant('2026-03-16', '12:30') },
  { startsAt: londonToInstant('2026-03-17', '09:30'), endsAt: londonToInstant('2026-03-17', '12:30') },
];

function facts(overrides: Partial<TermsFacts>): TermsFacts {
  return {
    settings: FEES,
    policy: { cancellationWorkingDays: 6 },
    parts: DAY,
    pricePence: 0,
    organisationType: 'partner_agency',
    ...overrides,
  };
}

describe('the charging terms delegates read before booking', () => {
  it('says a paid place is invoiced after the session, and until when cancelling is free', () => {
    expect(chargingTerms(facts({ pricePence: 12_000, organisationType: 'private' }))).toEqual([
      'Your organisation is invoiced £120.00 after the session. You can cancel free of charge until Friday 6 March 2026; after that, the training team may still charge the price.',
    ]);
  });

  it('never adds a fee on top of a price', () => {
    expect(possibleFee(facts({ pricePence: 12_000 }))).toBe(0);
    expect(chargingTerms(facts({ pricePence: 12_000 })).join(' ')).not.toContain('£50.00');
  });

  it('says what a late cancellation or not coming may cost a free place, that a person looks first, and that a colleague is never charged', () => {
    expect(chargingTerms(facts({}))).toEqual([
      'If you cancel after Friday 6 March 2026 or do not come, your organisation may be charged £50.00. The training team looks at every charge first, and you can tell them why. Sending a colleague in your place is never charged.',
    ]);
  });

  it('says the line manager is told of a confirmed charge when the hub tells them', () => {
    const telling = chargesSettingsSchema.parse({ ...FEES, tellLineManagerOfConfirmedCharges: true });
    expect(chargingTerms(facts({ settings: telling }))[0]).toContain(
      'you can tell them why. If they confirm a charge, your line manager is told. Sending a colleague',
    );
  });

  it('adds up the fee of each part by its length', () => {
    expect(possibleFee(facts({ parts: TWO_MORNINGS }))).toBe(5000);
    expect(chargingTerms(facts({ parts: TWO_MORNINGS }))[0]).toContain('may be charged £50.00');
    const perSession = chargesSettingsSchema.parse({ feeBasis: 'session', sessionFeePence: 4000 });
    expect(possibleFee(facts({ parts: TWO_MORNINGS, settings: perSession }))).toBe(4000);
  });

  it('says nothing about fees when the hub has none, or does not charge the organisation’s type', () => {
    expect(chargingTerms(facts({ settings: NO_FEES }))).toEqual([]);
    expect(chargingTerms(facts({ organisationType: 'voluntary' }))).toEqual([]);
  });

  it('tells someone with no employer that they pay nothing and are never charged, when money comes up at all', () => {
    const words = chargingTerms(facts({ organisationType: null, sessionHasPrices: true }));
    expect(words).toEqual([
      'Your place is free and you will never be charged a fee, because you do not have an employer: the training team sends invoices to organisations only.',
    ]);
    expect(chargingTerms(facts({ organisationType: null }))).toEqual(words);
    expect(chargingTerms(facts({ organisationType: null, settings: NO_FEES }))).toEqual([]);
  });

  it('speaks of the session’s start when delegates may cancel until then', () => {
    const until = { cancellationWorkingDays: 0 };
    expect(chargingTerms(facts({ policy: until, pricePence: 8000 }))[0]).toContain(
      'You can cancel free of charge until the session starts',
    );
    expect(chargingTerms(facts({ policy: until }))[0]).toMatch(
      /^If you do not come, your organisation may be charged £50\.00\./,
    );
  });
});

describe('the fee rules as the terms page says them', () => {
  it('names the fees and who may be charged them', () => {
    expect(feeWords(FEES)).toEqual({
      feesInUse: true,
      fee: '£50.00 for each day and £25.00 for each half day (a part of 4 hours or less)',
      chargedTypes: 'partner agencies, private organisations and organisations from out of area',
      partlyAttendedCountsAsAttended: true,
      tellLineManager: false,
      vat: '',
    });
    const perSession = chargesSettingsSchema.parse({
      feeBasis: 'session',
      sessionFeePence: 4000,
      chargedOrganisationTypes: ['private'],
    });
    expect(feeWords(perSession)).toMatchObject({
      fee: '£40.00 a session',
      chargedTypes: 'private organisations',
    });
  });

  it('says no fees are in use when none is set, or no organisation type is charged', () => {
    expect(feeWords(NO_FEES).feesInUse).toBe(false);
    expect(
      feeWords(chargesSettingsSchema.parse({ dayFeePence: 5000, chargedOrganisationTypes: [] })).feesInUse,
    ).toBe(false);
  });
});

describe('VAT on prices and fees', () => {
  const WITH_VAT = chargesSettingsSchema.parse({ ...FEES, vatRateBasisPoints: 2000 });

  it('says "plus VAT at 20%" after a price and a fee when the hub charges VAT', () => {
    expect(
      chargingTerms(facts({ settings: WITH_VAT, pricePence: 12_000, organisationType: 'private' }))[0],
    ).toContain('Your organisation is invoiced £120.00 plus VAT at 20% after the session.');
    expect(chargingTerms(facts({ settings: WITH_VAT }))[0]).toContain(
      'your organisation may be charged £50.00 plus VAT at 20%.',
    );
    expect(feeWords(WITH_VAT)).toMatchObject({
      fee: '£50.00 for each day and £25.00 for each half day (a part of 4 hours or less), plus VAT at 20%',
      vat: 'plus VAT at 20%',
    });
  });

  it('says nothing of VAT at 0', () => {
    expect(chargingTerms(facts({})).join(' ')).not.toContain('VAT');
    expect(feeWords(FEES).fee).not.toContain('VAT');
    expect(feeWords(FEES).vat).toBe('');
  });
});
