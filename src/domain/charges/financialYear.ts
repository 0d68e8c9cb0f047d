/**
 * The hub's financial years as London dates, for the finance totals: the
 * year a date falls in (named by the calendar year it starts in, as invoice
 * numbers are), its first and last days, and its name in words.
 */
import { financialYearOf } from './invoiceNumbers.js';

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

export interface FinancialYear {
  /** The calendar year it starts in (2026 for April 2026 to March 2027). */
  startYear: number;
  /** Its first and last days, London dates (YYYY-MM-DD), both included. */
  from: string;
  to: string;
  /** "April 2026 to March 2027", or "2026" when it is a calendar year. */
  words: string;
}

function firstOfMonth(year: number, month: number): string {
  return `${year}-${String(month).padStart(2, '0')}-01`;
}

/** The day before a London date, by the calendar (no clocks involved). */
function dayBefore(date: string): string {
  const day = new Date(`${date}T12:00:00Z`);
  day.setUTCDate(day.getUTCDate() - 1);
  return day.toISOString().slice(0, 10);
}

/** The financial year starting in `startYear`, for a hub whose year starts in `startMonth` (1–12). */
export function financialYear(startYear: number, startMonth: number): FinancialYear {
  if (!Number.isInteger(startMonth) || startMonth < 1 || startMonth > 12)
    throw new RangeError(`No month ${startMonth}`);
  const from = firstOfMonth(startYear, startMonth);
  const to = dayBefore(firstOfMonth(startYear + 1, startMonth));
  const lastMonth = startMonth === 1 ? 12 : startMonth - 1;
  const endYear = startMonth === 1 ? startYear : startYear + 1;
  const words =
    startMonth === 1
      ? String(startYear)
      : `${MONTH_NAMES[startMonth - 1]} ${startYear} to ${MONTH_NAMES[lastMonth - 1]} ${endYear}`;
  return { startYear, from, to, words };
}

/** The financial year a London date falls in. */
export function financialYearContaining(londonDate: string, startMonth: number): FinancialYear {
  return financialYear(financialYearOf(londonDate, startMonth), startMonth);
}
