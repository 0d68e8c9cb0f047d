import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { formatPence, MAX_PENCE, parsePounds, penceAsDecimal, sumPence } from './money.js';

describe('money in whole pence', () => {
  it('says amounts as people write them', () => {
    expect(formatPence(0)).toBe('£0.00');
    expect(formatPence(5)).toBe('£0.05');
    expect(formatPence(5000)).toBe('£50.00');
    expect(formatPence(125_050)).toBe('£1,250.50');
    expect(formatPence(-1200)).toBe('−£12.00');
    expect(penceAsDecimal(-1250)).toBe('-12.50');
  });

  it('reads what people type, without a float anywhere', () => {
    expect(parsePounds('50')).toEqual({ ok: true, pence: 5000 });
    expect(parsePounds('£50.5')).toEqual({ ok: true, pence: 5050 });
    expect(parsePounds(' 1,250.00 ')).toEqual({ ok: true, pence: 125_000 });
    expect(parsePounds('0.10')).toEqual({ ok: true, pence: 10 });
    // 0.1 + 0.2 is the classic float trap; pence never meet it.
    expect(parsePounds('0.29')).toEqual({ ok: true, pence: 29 });
  });

  it('refuses negative, absurd and unreadable amounts with words a form can show', () => {
    expect(parsePounds('-5')).toEqual({ ok: false, message: 'The amount cannot be less than £0.00' });
    expect(parsePounds('')).toMatchObject({
      ok: false,
      message: expect.stringContaining('Enter the amount'),
    });
    expect(parsePounds('12.345')).toMatchObject({ ok: false });
    expect(parsePounds('1e3')).toMatchObject({ ok: false });
    expect(parsePounds('50p')).toMatchObject({ ok: false });
    expect(parsePounds('1,25.00')).toMatchObject({ ok: false });
    expect(parsePounds('100000.01')).toEqual({
      ok: false,
      message: 'The amount must be £100,000.00 or less',
    });
    expect(parsePounds('99999999999999999999')).toMatchObject({ ok: false });
  });

  it('reads back every amount it writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_PENCE }), (pence) => {
        expect(parsePounds(formatPence(pence))).toEqual({ ok: true, pence });
        expect(parsePounds(penceAsDecimal(pence))).toEqual({ ok: true, pence });
      }),
    );
  });

  it('adds only whole pence', () => {
    expect(sumPence([1, 2, 3])).toBe(6);
    expect(() => sumPence([1, 0.5])).toThrow(RangeError);
    expect(() => formatPence(0.1)).toThrow(RangeError);
  });
});
