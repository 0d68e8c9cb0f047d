import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  InvalidLocalTimeError,
  formatDate,
  formatShortDate,
  londonDate,
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

describe('London dates and times written quickly', () => {
  // The formatters remember London's offset per hour instead of asking Intl
  // each time; they must write exactly what Intl writes, clock changes included.
  const intl = {
    date: new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
    }),
    short: new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
    }),
    iso: new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Europe/London',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }),
    clock: new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      hour: 'numeric',
      minute: '2-digit',
      hourCycle: 'h23',
    }),
  };
  const expectSameAsIntl = (ms: number) => {
    const instant = new Date(ms);
    expect(formatDate(instant), instant.toISOString()).toBe(intl.date.format(instant).replace(',', ''));
    expect(formatShortDate(instant), instant.toISOString()).toBe(intl.short.format(instant).replace(',', ''));
    expect(londonDate(instant), instant.toISOString()).toBe(intl.iso.format(instant));
    const [hour, minute] = intl.clock.format(instant).split(':').map(Number) as [number, number];
    const time = formatTime(instant);
    if (hour === 12 && minute === 0) expect(time).toBe('midday');
    else if (hour === 0 && minute === 0) expect(time).toBe('midnight');
    else
      expect(time).toBe(
        `${hour % 12 || 12}${minute ? `:${String(minute).padStart(2, '0')}` : ''}${hour < 12 ? 'am' : 'pm'}`,
      );
  };

  it('agrees with Intl on every minute either side of the clock changes, 2020 to 2030', () => {
    for (let year = 2020; year <= 2030; year++) {
      for (const month of [2, 9]) {
        // The last Sunday of March and of October, 01:00 UTC.
        const lastDay = new Date(Date.UTC(year, month + 1, 0));
        const sunday = lastDay.getUTCDate() - lastDay.getUTCDay();
        const change = Date.UTC(year, month, sunday, 1);
        for (let minutes = -120; minutes <= 120; minutes++) expectSameAsIntl(change + minutes * 60_000);
      }
    }
  });

  it('agrees with Intl on random instants from 1900 to 2100', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }), (ms) => {
        expectSameAsIntl(ms);
      }),
      { numRuns: 2_000 },
    );
  });
});
