import Holidays from 'date-holidays';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { addDays, weekday } from './time.js';
import { isBankHoliday, isWorkingDay, subtractWorkingDays, workingDaysBetween } from './workingDays.js';

/** Every bank holiday in England and Wales, 2024–2030, from https://www.gov.uk/bank-holidays. */
const BANK_HOLIDAYS: Record<number, string[]> = {
  2024: [
    '2024-01-01',
    '2024-03-29',
    '2024-04-01',
    '2024-05-06',
    '2024-05-27',
    '2024-08-26',
    '2024-12-25',
    '2024-12-26',
  ],
  2025: [
    '2025-01-01',
    '2025-04-18',
    '2025-04-21',
    '2025-05-05',
    '2025-05-26',
    '2025-08-25',
    '2025-12-25',
    '2025-12-26',
  ],
  2026: [
    '2026-01-01',
    '2026-04-03',
    '2026-04-06',
    '2026-05-04',
    '2026-05-25',
    '2026-08-31',
    '2026-12-25',
    '2026-12-28', // Boxing Day falls on a Saturday
  ],
  2027: [
    '2027-01-01',
    '2027-03-26',
    '2027-03-29',
    '2027-05-03',
    '2027-05-31',
    '2027-08-30',
    '2027-12-27', // Christmas Day falls on a Saturday
    '2027-12-28', // Boxing Day falls on a Sunday
  ],
  2028: [
    '2028-01-03', // New Year's Day falls on a Saturday
    '2028-04-14',
    '2028-04-17',
    '2028-05-01',
    '2028-05-29',
    '2028-08-28',
    '2028-12-25',
    '2028-12-26',
  ],
  2029: [
    '2029-01-01',
    '2029-03-30',
    '2029-04-02',
    '2029-05-07',
    '2029-05-28',
    '2029-08-27',
    '2029-12-25',
    '2029-12-26',
  ],
  2030: [
    '2030-01-01',
    '2030-04-19',
    '2030-04-22',
    '2030-05-06',
    '2030-05-27',
    '2030-08-26',
    '2030-12-25',
    '2030-12-26',
  ],
};

function weekdaysOf(year: number): string[] {
  const days: string[] = [];
  for (let date = `${year}-01-01`; date.startsWith(String(year)); date = addDays(date, 1)) {
    if (weekday(date) <= 5) days.push(date);
  }
  return days;
}

/** A London date between 2023 and 2032. */
const londonDateArb = fc.integer({ min: 0, max: 3652 }).map((offset) => addDays('2023-01-01', offset));

describe('bank holidays in England and Wales', () => {
  it.each([
    ['2026-12-25', 'Christmas Day'],
    ['2026-12-28', 'Boxing Day substitute (26th is a Saturday)'],
    ['2027-12-27', 'Christmas Day substitute (25th is a Saturday)'],
    ['2027-12-28', 'Boxing Day substitute (26th is a Sunday)'],
    ['2026-04-03', 'Good Friday'],
    ['2026-04-06', 'Easter Monday'],
    ['2026-05-04', 'early May bank holiday'],
    ['2026-05-25', 'spring bank holiday'],
    ['2026-08-31', 'summer bank holiday'],
    ['2028-01-03', "New Year's Day substitute (1st is a Saturday)"],
  ])('%s (%s) is a bank holiday and not a working day', (date) => {
    expect(isBankHoliday(date)).toBe(true);
    expect(isWorkingDay(date)).toBe(false);
  });

  it.each([
    ['2026-03-17', "St Patrick's Day (Northern Ireland only)"],
    ['2026-08-03', 'first Monday in August (Scotland only)'],
    ['2026-11-30', "St Andrew's Day (Scotland only)"],
    ['2026-01-02', '2 January (Scotland only)'],
    ['2026-07-13', 'Battle of the Boyne substitute (Northern Ireland only)'],
    ['2026-03-15', "Mother's Day (an observance, and a Sunday)"],
    ['2026-12-24', 'Christmas Eve'],
  ])('%s (%s) is not a bank holiday', (date) => {
    expect(isBankHoliday(date)).toBe(false);
  });

  it('matches the GOV.UK list for every weekday of 2024 to 2030', () => {
    for (const [year, expected] of Object.entries(BANK_HOLIDAYS)) {
      const found = weekdaysOf(Number(year)).filter(isBankHoliday);
      expect(found, year).toEqual(expected);
    }
  });

  it('is the same list for England as for Wales in the holiday data', () => {
    const england = new Holidays('GB', 'ENG');
    const wales = new Holidays('GB', 'WLS');
    for (let year = 2024; year <= 2030; year++) {
      const publicDates = (calendar: Holidays) =>
        calendar
          .getHolidays(year)
          .filter((holiday) => holiday.type === 'public')
          .map((holiday) => holiday.date);
      expect(publicDates(wales)).toEqual(publicDates(england));
    }
  });
});

describe('working days', () => {
  it('are Monday to Friday, except bank holidays', () => {
    expect(isWorkingDay('2026-03-13')).toBe(true); // Friday
    expect(isWorkingDay('2026-03-14')).toBe(false); // Saturday
    expect(isWorkingDay('2026-03-15')).toBe(false); // Sunday
    expect(isWorkingDay('2026-03-16')).toBe(true); // Monday
    expect(isWorkingDay('2026-03-17')).toBe(true); // St Patrick's Day: a working day here
    expect(isWorkingDay('2026-12-26')).toBe(false); // Boxing Day on a Saturday
  });

  it('refuses anything that is not a real date written YYYY-MM-DD', () => {
    for (const bad of ['2026-02-30', '2026-3-16', '16/03/2026', '2026-03-16T09:00', '', '0050-01-01']) {
      expect(() => isWorkingDay(bad), bad).toThrow(RangeError);
      expect(() => isBankHoliday(bad), bad).toThrow(RangeError);
    }
    expect(() => subtractWorkingDays('2026-03-16', -1)).toThrow(RangeError);
    expect(() => subtractWorkingDays('2026-03-16', 1.5)).toThrow(RangeError);
  });

  it('counts back from the day before, never counting the date itself', () => {
    expect(subtractWorkingDays('2026-03-16', 6)).toBe('2026-03-06');
    expect(subtractWorkingDays('2026-03-16', 1)).toBe('2026-03-13');
    expect(subtractWorkingDays('2026-03-14', 1)).toBe('2026-03-13'); // from a Saturday
    expect(subtractWorkingDays('2026-03-16', 0)).toBe('2026-03-16');
    expect(subtractWorkingDays('2026-03-15', 0)).toBe('2026-03-15');
  });

  it('skips Easter and Christmas', () => {
    // Tuesday after Easter 2026: Easter Monday and Good Friday are skipped.
    expect(subtractWorkingDays('2026-04-07', 1)).toBe('2026-04-02');
    expect(subtractWorkingDays('2026-04-07', 6)).toBe('2026-03-26');
    // New Year 2027: 1 January, 28 December (substitute) and 25 December are skipped.
    expect(subtractWorkingDays('2027-01-04', 4)).toBe('2026-12-24');
    expect(subtractWorkingDays('2027-01-04', 6)).toBe('2026-12-22');
    // Christmas 2027: both substitute days are skipped.
    expect(subtractWorkingDays('2027-12-29', 1)).toBe('2027-12-24');
  });

  it('counts working days in [a, b)', () => {
    expect(workingDaysBetween('2026-03-06', '2026-03-16')).toBe(6);
    expect(workingDaysBetween('2026-03-16', '2026-03-16')).toBe(0);
    expect(workingDaysBetween('2026-03-14', '2026-03-16')).toBe(0); // the weekend
    expect(workingDaysBetween('2026-03-16', '2026-03-06')).toBe(-6);
    expect(workingDaysBetween('2026-12-24', '2027-01-04')).toBe(4); // 24, 29, 30, 31 December
    expect(workingDaysBetween('2026-01-01', '2027-01-01')).toBe(261 - 8);
  });

  it('subtracting n ≥ 1 working days lands on a working day exactly n working days before', () => {
    fc.assert(
      fc.property(londonDateArb, fc.integer({ min: 1, max: 40 }), (date, n) => {
        const earlier = subtractWorkingDays(date, n);
        expect(isWorkingDay(earlier)).toBe(true);
        expect(earlier < date).toBe(true);
        expect(workingDaysBetween(earlier, date)).toBe(n);
        // No working day in between was skipped: the day after is n − 1 before.
        expect(workingDaysBetween(addDays(earlier, 1), date)).toBe(n - 1);
      }),
    );
  });

  it('counts add up across a split and reverse when swapped', () => {
    fc.assert(
      fc.property(londonDateArb, londonDateArb, londonDateArb, (a, b, c) => {
        const [x, y, z] = [a, b, c].sort();
        expect(workingDaysBetween(x!, y!) + workingDaysBetween(y!, z!)).toBe(workingDaysBetween(x!, z!));
        expect(workingDaysBetween(b, a)).toBe(0 - workingDaysBetween(a, b));
      }),
    );
  });

  it('agrees with a day-by-day count using Temporal', () => {
    fc.assert(
      fc.property(londonDateArb, fc.integer({ min: 0, max: 60 }), (date, days) => {
        let expected = 0;
        for (let i = 0; i < days; i++) {
          const day = addDays(date, i);
          if (weekday(day) <= 5 && !isBankHoliday(day)) expected += 1;
        }
        expect(workingDaysBetween(date, addDays(date, days))).toBe(expected);
      }),
    );
  });
});
