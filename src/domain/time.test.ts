import { describe, expect, it } from 'vitest';

import {
  InvalidLocalTimeError,
  formatDate,
  formatMonth,
  formatTime,
  formatTimeRange,
  londonToInstant,
  monthKeyOf,
  monthRange,
  toLondonIso,
} from './time.js';

describe('London time', () => {
  it('turns the seed session (winter, GMT) into UTC and back', () => {
    const start = londonToInstant('2024-11-25', '09:30');
    expect(start.toISOString()).toBe('2024-11-25T09:30:00.000Z');
    expect(formatDate(start)).toBe('Monday 25 November 2024');
    expect(formatTimeRange(start, londonToInstant('2024-11-25', '15:30'))).toBe('9:30am to 3:30pm');
  });

  it('applies British Summer Time', () => {
    const start = londonToInstant('2026-06-15', '09:30');
    expect(start.toISOString()).toBe('2026-06-15T08:30:00.000Z');
    expect(formatTime(start)).toBe('9:30am');
    expect(toLondonIso(start)).toBe('2026-06-15T09:30:00+01:00');
  });

  it('refuses a time inside the spring gap and the autumn overlap', () => {
    expect(() => londonToInstant('2026-03-29', '01:30')).toThrow(InvalidLocalTimeError);
    expect(() => londonToInstant('2026-10-25', '01:30')).toThrow(InvalidLocalTimeError);
    expect(() => londonToInstant('2026-02-30', '09:00')).toThrow(InvalidLocalTimeError);
  });

  it('writes noon and midnight as words', () => {
    expect(formatTime(londonToInstant('2026-01-05', '12:00'))).toBe('midday');
    expect(formatTime(londonToInstant('2026-01-05', '00:00'))).toBe('midnight');
    expect(formatTime(londonToInstant('2026-01-05', '13:05'))).toBe('1:05pm');
  });

  it('finds London months, including across a clock change', () => {
    const { from, to } = monthRange('2026-03');
    expect(from.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(to.toISOString()).toBe('2026-03-31T23:00:00.000Z');
    // 00:30 on 1 July in London is still 30 June in UTC.
    expect(monthKeyOf(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07');
    expect(formatMonth('2026-07')).toBe('July 2026');
  });
});
