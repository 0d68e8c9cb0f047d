import { describe, expect, it } from 'vitest';

import { financialYear, financialYearContaining } from './financialYear.js';

describe('financial years', () => {
  it('runs from the start month to the day before it a year on', () => {
    expect(financialYear(2026, 4)).toEqual({
      startYear: 2026,
      from: '2026-04-01',
      to: '2027-03-31',
      words: 'April 2026 to March 2027',
    });
    expect(financialYear(2027, 3)).toEqual({
      startYear: 2027,
      from: '2027-03-01',
      to: '2028-02-29',
      words: 'March 2027 to February 2028',
    });
    expect(financialYear(2026, 1)).toEqual({
      startYear: 2026,
      from: '2026-01-01',
      to: '2026-12-31',
      words: '2026',
    });
  });

  it('finds the year a date is in, on either side of its first day', () => {
    expect(financialYearContaining('2027-03-31', 4).startYear).toBe(2026);
    expect(financialYearContaining('2027-04-01', 4).startYear).toBe(2027);
    expect(financialYearContaining('2026-01-12', 4).words).toBe('April 2025 to March 2026');
  });

  it('refuses a month that does not exist', () => {
    expect(() => financialYear(2026, 13)).toThrow(RangeError);
    expect(() => financialYear(2026, 0)).toThrow(RangeError);
  });
});
