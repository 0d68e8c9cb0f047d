/**
 * Working days in England and Wales, where Trellis hubs run. A **working day**
 * is Monday to Friday and not a bank holiday in England and Wales (New Year's
 * Day, Good Friday, Easter Monday, the early May, spring and summer bank
 * holidays, Christmas Day and Boxing Day, their substitute days when they fall
 * at a weekend, and one-off days such as a coronation). Policy rules such as the
 * self-cancellation cut-off count in working days.
 *
 * Dates here are London calendar dates written "2026-03-16" (see time.ts);
 * nothing in this module depends on the server's time zone.
 *
 * Bank holidays come from the `date-holidays` package (data under CC BY-SA,
 * sourced from https://www.gov.uk/bank-holidays), which computes them offline.
 * England and Wales share one list; the package files them under the states
 * ENG and WLS of country GB with identical rules, and we read ENG. One-off
 * bank holidays announced after the installed version was published are only
 * known once the package is updated.
 */
import Holidays from 'date-holidays';

/** A London calendar date, "YYYY-MM-DD". */
export type LondonDate = string;

/**
 * Whether a London date is a bank holiday in England and Wales. Substitute
 * days count (Monday 28 December 2026 for Boxing Day on a Saturday), and so do
 * holidays that fall at a weekend (Saturday 26 December 2026), which are not
 * working days anyway.
 */
export function isBankHoliday(date: LondonDate): boolean {
  toDayNumber(date); // rejects anything that is not a real "YYYY-MM-DD" date
  return bankHolidaysIn(Number(date.slice(0, 4))).has(date);
}

/** Monday to Friday and not a bank holiday in England and Wales. */
export function isWorkingDay(date: LondonDate): boolean {
  return isWorkingDayNumber(toDayNumber(date));
}

/**
 * The working day that is `n` working days before `date`, counting back from
 * the day before `date` (so `date` itself never counts, working day or not).
 * Monday 16 March 2026 less 6 working days is Friday 6 March 2026 (13, 12,
 * 11, 10, 9 and 6 March). With n = 0 the date itself is returned unchanged.
 *
 * For every date d and n ≥ 1: the result is a working day, and
 * `workingDaysBetween(subtractWorkingDays(d, n), d) === n`.
 */
export function subtractWorkingDays(date: LondonDate, n: number): LondonDate {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`cannot subtract ${n} working days: give a whole number of 0 or more`);
  }
  let day = toDayNumber(date);
  let counted = 0;
  while (counted < n) {
    day -= 1;
    if (isWorkingDayNumber(day)) counted += 1;
  }
  return fromDayNumber(day);
}

/**
 * The number of working days from `a` up to but not including `b`: the
 * half-open range [a, b). From Friday 6 March 2026 to Monday 16 March 2026
 * there are 6 (6, 9, 10, 11, 12 and 13 March). It is 0 when a = b, and
 * negative (−[b, a)) when `b` is before `a`.
 */
export function workingDaysBetween(a: LondonDate, b: LondonDate): number {
  const from = toDayNumber(a);
  const to = toDayNumber(b);
  if (to < from) return 0 - workingDaysBetween(b, a); // 0 − x, never −0
  let count = 0;
  for (let day = from; day < to; day += 1) {
    if (isWorkingDayNumber(day)) count += 1;
  }
  return count;
}

// Calendar arithmetic on whole days since 1970-01-01: working-day counts run
// on request paths, and plain integers are much faster than Temporal here.

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function toDayNumber(date: LondonDate): number {
  const match = ISO_DATE.exec(date);
  if (match) {
    const [, year, month, day] = match as unknown as [string, string, string, string];
    const days = Date.UTC(Number(year), Number(month) - 1, Number(day)) / MS_PER_DAY;
    // Date.UTC rolls 30 February over into March; the round trip catches it.
    if (Number.isInteger(days) && fromDayNumber(days) === date) return days;
  }
  throw new RangeError(`${JSON.stringify(date)} is not a date written YYYY-MM-DD`);
}

function fromDayNumber(days: number): LondonDate {
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}

function isWorkingDayNumber(days: number): boolean {
  const weekday = new Date(days * MS_PER_DAY).getUTCDay(); // 0 = Sunday
  if (weekday === 0 || weekday === 6) return false;
  const date = fromDayNumber(days);
  return !bankHolidaysIn(Number(date.slice(0, 4))).has(date);
}

// The lookup is built once per year on first use and kept: it is consulted on
// request paths, and asking date-holidays each time would cost milliseconds.

let calendar: Holidays | undefined;
const bankHolidaysByYear = new Map<number, ReadonlySet<LondonDate>>();

function bankHolidaysIn(year: number): ReadonlySet<LondonDate> {
  let dates = bankHolidaysByYear.get(year);
  if (!dates) {
    calendar ??= new Holidays('GB', 'ENG', { types: ['public'] });
    dates = new Set(
      calendar
        .getHolidays(year)
        // Only bank holidays: the GB data also lists observances such as
        // Mother's Day and Easter Sunday, which are not days off.
        .filter((holiday) => holiday.type === 'public')
        // `date` is London wall-clock time, "2026-12-28 00:00:00".
        .map((holiday) => holiday.date.slice(0, 10)),
    );
    bankHolidaysByYear.set(year, dates);
  }
  return dates;
}
