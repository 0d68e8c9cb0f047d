import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { vatOn } from '../../domain/charges/invoiceNumbers.js';
import { netOfGross } from './invoiceService.js';

describe('netOfGross', () => {
  it('is the whole gross with no VAT', () => {
    expect(netOfGross(5000, 0)).toBe(5000);
  });

  it('splits a gross amount into net and VAT at the rate, to the penny', () => {
    expect(netOfGross(6000, 2000)).toBe(5000);
    expect(netOfGross(2000, 2000)).toBe(1667);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.constantFrom(0, 500, 1750, 2000),
        (gross, rate) => {
          const net = netOfGross(gross, rate);
          expect(Number.isSafeInteger(net)).toBe(true);
          expect(net).toBeLessThanOrEqual(gross);
          // The VAT left over is the VAT on the net, give or take a penny of rounding.
          expect(Math.abs(gross - net - vatOn(net, rate))).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});
