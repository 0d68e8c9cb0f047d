import { describe, expect, it } from 'vitest';

import { effectivePrices, priceForType, priceFormValues, priceSummary, readPriceFields } from './prices.js';

describe('prices of places', () => {
  it('takes a session’s own price for a type over its course’s, and free where neither has one', () => {
    const prices = effectivePrices(
      { private: 12_000, out_of_area: 12_000 },
      { out_of_area: 0, voluntary: 2000 },
    );
    expect(prices).toEqual({ partner_agency: 0, voluntary: 2000, private: 12_000, out_of_area: 0 });
    expect(priceForType(prices, 'private')).toBe(12_000);
    expect(priceForType(prices, null)).toBe(0);
  });

  it('says the prices in one sentence, free first', () => {
    expect(priceSummary(effectivePrices({}))).toBe('Free');
    expect(priceSummary(effectivePrices({ private: 12_000, out_of_area: 12_000 }))).toBe(
      'Free for partner agencies and voluntary organisations; £120.00 for private organisations and organisations from out of area',
    );
    expect(
      priceSummary(
        effectivePrices({ partner_agency: 8000, voluntary: 8000, private: 8000, out_of_area: 8000 }),
      ),
    ).toBe('£80.00 a place');
    expect(priceSummary(effectivePrices({ voluntary: 2500, private: 12_000 }))).toBe(
      'Free for partner agencies and organisations from out of area; £25.00 for voluntary organisations; £120.00 for private organisations',
    );
  });

  it('reads typed pounds into whole pence, never through a float', () => {
    const read = readPriceFields(
      {
        'price-private': '£1,250.50',
        'price-out_of_area': '120',
        'price-voluntary': '0',
        'price-partner_agency': '',
      },
      'free',
    );
    expect(read).toEqual({ ok: true, prices: { private: 125_050, out_of_area: 12_000 } });
    // On a session, 0 is a price of its own (free here); blank is the course's.
    expect(readPriceFields({ 'price-voluntary': '0', 'price-private': ' ' }, 'course')).toEqual({
      ok: true,
      prices: { voluntary: 0 },
    });
    expect(readPriceFields({ 'price-private': '0.10' }, 'free')).toEqual({
      ok: true,
      prices: { private: 10 },
    });
  });

  it('refuses negative, absurd and non-numeric prices with a message by the field', () => {
    const read = readPriceFields(
      {
        'price-partner_agency': '-5',
        'price-voluntary': '100000.01',
        'price-private': 'twelve',
        'price-out_of_area': '1.234',
      },
      'free',
    );
    expect(read).toEqual({
      ok: false,
      errors: {
        'price-partner_agency': 'The price for partner agencies cannot be less than £0.00',
        'price-voluntary': 'The price for voluntary organisations must be £100,000.00 or less',
        'price-private': 'Enter the price for private organisations in pounds and pence, like £50.00',
        'price-out_of_area':
          'Enter the price for organisations from out of area in pounds and pence, like £50.00',
      },
    });
  });

  it('shows stored prices back in the form as pounds and pence', () => {
    expect(priceFormValues({ private: 12_000, voluntary: 0 })).toEqual({
      'price-partner_agency': '',
      'price-voluntary': '0.00',
      'price-private': '120.00',
      'price-out_of_area': '',
    });
  });
});

describe('prices and VAT', () => {
  it('says "plus VAT" once after the prices when the hub charges VAT, and nothing of it at 0 or when free', () => {
    const prices = effectivePrices({ private: 12_000, out_of_area: 12_000 });
    expect(priceSummary(prices, 2000)).toBe(
      'Free for partner agencies and voluntary organisations; £120.00 for private organisations and organisations from out of area, plus VAT at 20%',
    );
    expect(
      priceSummary(
        effectivePrices({ partner_agency: 8000, voluntary: 8000, private: 8000, out_of_area: 8000 }),
        1750,
      ),
    ).toBe('£80.00 a place, plus VAT at 17.5%');
    expect(priceSummary(prices, 0)).not.toContain('VAT');
    expect(priceSummary(effectivePrices({}), 2000)).toBe('Free');
  });
});
