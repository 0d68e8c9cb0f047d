/**
 * The hub's financial years as London dates, for the finance totals: the
 * year a date falls in (named by the calendar year it starts in, as invoice
 * numbers are), its first and last days, and its name in words.
 */
import { reportingYear, type ReportingYear } from '../afterCourse/reports.js';
import { financialYearOf } from './invoiceNumbers.js';

/**
 * A financial year: the same shape as a reporting year (a hub may start the
 * two in different months), so one rule makes both.
 */
export type FinancialYear = ReportingYear;

/** The financial year starting in `startYear`, for a hub whose year starts in `startMonth` (1–12). */
export function financialYear(startYear: number, startMonth: number): FinancialYear {
  if (!Number.isInteger(startMonth) || startMonth < 1 || startMonth > 12)
    throw new RangeError(`No month ${startMonth}`);
  return reportingYear(startYear, startMonth);
}

/** The financial year a London date falls in. */
export function financialYearContaining(londonDate: string, startMonth: number): FinancialYear {
  return financialYear(financialYearOf(londonDate, startMonth), startMonth);
}
