import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  InvalidLocalTimeError,
  formatDate,
  formatShortDate,
  londonDate,
  formatMonth,
  formatTime,
  formatTimeOfDay,
  formatTimeRange,
  londonToInstant,
  monthKeyOf,
  monthRange,
  readTimeOfDay,
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

describe('times of day as people type them', () => {
  it.each([
    ['9:30am', '09:30'],
    ['9.30am', '09:30'],
    ['9am', '09:00'],
    ['09:30', '09:30'],
    ['9:30', '09:30'],
    ['930', '09:30'],
    ['14:00', '14:00'],
    ['2pm', '14:00'],
    ['2:00 pm', '14:00'],
    ['2:00 P.M.', '14:00'],
    ['12:30pm', '12:30'],
    ['12am', '00:00'],
    ['12:15am', '00:15'],
    ['noon', '12:00'],
    ['midday', '12:00'],
    ['Midnight', '00:00'],
    ['  11:59pm ', '23:59'],
    ['00:00', '00:00'],
  ])('reads %j as %j', (typed, time) => {
    expect(readTimeOfDay(typed)).toEqual({ ok: true, time });
  });

  it.each(['13pm', '0am', '25:00', '24:00', '9:75', '09:60', '9:5', 'half nine', '', '9:30xm', '1234567'])(
    'refuses %j as not a real time',
    (typed) => {
      expect(readTimeOfDay(typed)).toEqual({ ok: false, problem: 'unreadable' });
    },
  );

  it('asks for am or pm when only an hour is given', () => {
    expect(readTimeOfDay('9')).toEqual({ ok: false, problem: 'ambiguous', hour: 9 });
    expect(readTimeOfDay('12')).toEqual({ ok: false, problem: 'ambiguous', hour: 12 });
  });

  it('writes a time as people say it', () => {
    expect(formatTimeOfDay('09:30')).toBe('9:30am');
    expect(formatTimeOfDay('14:00')).toBe('2pm');
    expect(formatTimeOfDay('12:00')).toBe('midday');
    expect(formatTimeOfDay('00:00')).toBe('midnight');
    expect(formatTimeOfDay('00:05')).toBe('12:05am');
  });

  const anyTime = fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

  it('reads back every time it writes, and every 24-hour time', () => {
    fc.assert(
      fc.property(anyTime, (time) => {
        expect(readTimeOfDay(formatTimeOfDay(time))).toEqual({ ok: true, time });
        expect(readTimeOfDay(time)).toEqual({ ok: true, time });
        expect(readTimeOfDay(time.replace(':', '.'))).toEqual({ ok: true, time });
      }),
      { numRuns: 2_000 },
    );
  });

  it('writes the same words for a time of day as for an instant at that time', () => {
    fc.assert(
      fc.property(anyTime, (time) => {
        expect(formatTimeOfDay(time)).toBe(formatTime(londonToInstant('2026-01-15', time)));
      }),
    );
  });

  it('gives a real 24-hour time or a problem for anything typed, never throwing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (typed) => {
        const reading = readTimeOfDay(typed);
        if (reading.ok) expect(reading.time).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/);
      }),
      { numRuns: 2_000 },
    );
  });
});
