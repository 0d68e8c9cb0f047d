/**
 * How long Trellis keeps each kind of personal data, as the hub sets it
 * (settings key `retention`), and the periods that are not the hub's to
 * set. The retention job (jobs/retention.ts) applies these every day, the
 * privacy page states them from the same values, and the back office shows
 * a dry run of what the next run will do.
 *
 * What "anonymised" keeps: a booking past its period keeps what every
 * report counts (its session, state, organisation, job role, attendance,
 * feedback scores, price and charges) and loses who it was (name, email,
 * line manager, notes, free text, the name on its certificate).
 */
import { z } from 'zod';

export const retentionSchema = z.object({
  /** An account with no sign-in and no booking for this long is closed (after a warning). */
  inactiveAccountMonths: z
    .number()
    .int()
    .min(3)
    .max(120)
    .default(12)
    .describe('How many months without a sign-in or a booking before an account is closed.'),
  /** The warning goes this many days before an inactive account is closed; signing in keeps it. */
  closureWarningDays: z
    .number()
    .int()
    .min(7)
    .max(60)
    .default(30)
    .describe(
      'How many days before closing an inactive account we email its owner. Signing in keeps the account.',
    ),
  /** Bookings' personal details are anonymised this many years after their session. */
  bookingDetailsYears: z
    .number()
    .int()
    .min(1)
    .max(20)
    .default(6)
    .describe(
      'How many years after a session we keep who booked it, attended it and what they wrote. ' +
        'After that the booking is anonymised: reports still count it.',
    ),
  /** A sent email's text, HTML and attachments are cleared this many days after it was sent. */
  sentEmailBodyDays: z
    .number()
    .int()
    .min(7)
    .max(365)
    .default(30)
    .describe('How many days we keep the words of emails we have sent.'),
  /** The record that an email was sent (address, subject, when) is deleted after this many months. */
  sentEmailRecordMonths: z
    .number()
    .int()
    .min(1)
    .max(72)
    .default(12)
    .describe('How many months we keep the record that an email was sent: to whom, its subject and when.'),
  /** Audit log entries are deleted this many years after they were written. */
  auditLogYears: z
    .number()
    .int()
    .min(1)
    .max(20)
    .default(6)
    .describe('How many years we keep the audit log of changes made in the back office.'),
});

export type RetentionSettings = z.output<typeof retentionSchema>;
export const DEFAULT_RETENTION: RetentionSettings = retentionSchema.parse({});

/**
 * Financial records (invoices, credit notes, their lines and the charges on
 * them) are kept for six years after the end of the financial year they
 * belong to, as UK tax law requires of a business's accounts, even when the
 * person they name is erased: they then hold only what finance needs (the
 * name on the invoice line), nothing else about the person.
 */
export const FINANCIAL_RECORD_YEARS = 6;

/**
 * Spent records are kept this many days and then deleted: expired or
 * revoked sign-in sessions, and emailed links once used or expired (long
 * enough for a used link to say "already used" rather than "not known").
 */
export const SPENT_RECORD_DAYS = 7;

/** A retention setting's problem, by field, when the values make no sense together. */
export type RetentionProblems = Partial<Record<keyof RetentionSettings, string>>;

/**
 * Rules between the settings that the schema cannot say field by field: the
 * warning has to come inside the inactivity period, and the record that an
 * email was sent cannot go before its words do.
 */
export function retentionProblems(settings: RetentionSettings): RetentionProblems {
  const problems: RetentionProblems = {};
  // The shortest month has 28 days: the warning must fall inside even that.
  if (settings.closureWarningDays >= settings.inactiveAccountMonths * 28) {
    problems.closureWarningDays =
      'The warning must come sooner than the account would be closed: enter fewer days';
  }
  if (settings.sentEmailBodyDays > settings.sentEmailRecordMonths * 30) {
    problems.sentEmailRecordMonths =
      'Keep the record that an email was sent at least as long as its words: enter more months, or fewer days for the words';
  }
  return problems;
}

/** An instant `months` calendar months before `instant` (the 31st going back to a shorter month ends on its last day). */
export function monthsBefore(instant: Date, months: number): Date {
  const result = new Date(instant.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() - months);
  const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, lastDay));
  return result;
}

const DAY_MS = 86_400_000;

/** An instant `days` whole days (of 24 hours) before `instant`. */
export function daysBefore(instant: Date, days: number): Date {
  return new Date(instant.getTime() - days * DAY_MS);
}

/**
 * The lines the retention job draws at `now`: what is older than each is
 * due. One function, so the job, its dry run and the tests agree.
 */
export interface RetentionCutoffs {
  /** Accounts whose last activity is before this are warned. */
  warnActiveBefore: Date;
  /** Accounts whose last activity is before this (and whose warning went by `warnedBefore`) are closed. */
  closeActiveBefore: Date;
  /** A warning sent at or before this has had its days. */
  warnedBefore: Date;
  /** Bookings for sessions that ended before this are anonymised. */
  sessionsEndedBefore: Date;
  /** Emails sent before this lose their words. */
  emailWordsSentBefore: Date;
  /** Emails sent before this are deleted (never before their words' time). */
  emailRecordsSentBefore: Date;
  /** Sign-in sessions and links spent before this are deleted. */
  spentBefore: Date;
  /** Audit entries written before this are deleted. */
  auditBefore: Date;
}

export function retentionCutoffs(settings: RetentionSettings, now: Date): RetentionCutoffs {
  const closeActiveBefore = monthsBefore(now, settings.inactiveAccountMonths);
  const emailWordsSentBefore = daysBefore(now, settings.sentEmailBodyDays);
  const records = monthsBefore(now, settings.sentEmailRecordMonths);
  return {
    warnActiveBefore: new Date(closeActiveBefore.getTime() + settings.closureWarningDays * DAY_MS),
    closeActiveBefore,
    warnedBefore: daysBefore(now, settings.closureWarningDays),
    sessionsEndedBefore: monthsBefore(now, settings.bookingDetailsYears * 12),
    emailWordsSentBefore,
    emailRecordsSentBefore: records < emailWordsSentBefore ? records : emailWordsSentBefore,
    spentBefore: daysBefore(now, SPENT_RECORD_DAYS),
    auditBefore: monthsBefore(now, settings.auditLogYears * 12),
  };
}

/**
 * The last financial year (named by the calendar year it starts in) whose
 * records are past their period on London date `today`: six years after the
 * year's end, so on the first day of the seventh year after it.
 */
export function lastExpiredFinancialYear(today: string, startMonth: number): number {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  const current = month >= startMonth ? year : year - 1;
  return current - FINANCIAL_RECORD_YEARS - 1;
}

/** "12 months", "1 year", "30 days". */
export function period(count: number, unit: 'day' | 'month' | 'year'): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** What the privacy page and the dry run say about each kind of record, from the settings. */
export interface RetentionWords {
  accounts: string;
  accountsClosed: string;
  bookings: string;
  sentEmails: string;
  spent: string;
  signInAttempts: string;
  auditLog: string;
  financial: string;
}

export function retentionWords(settings: RetentionSettings): RetentionWords {
  const inactive = period(settings.inactiveAccountMonths, 'month');
  const warning = period(settings.closureWarningDays, 'day');
  return {
    accounts:
      `If you do not sign in or book for ${inactive}, we close your account. ` +
      `We email you ${warning} before we do: signing in (or booking) before then keeps it open.`,
    accountsClosed:
      'A closed account cannot be signed in to, and we delete its email address, password and line manager’s details. ' +
      'Your name, organisation and job role stay with your bookings as the training record until those are anonymised; ' +
      'once no bookings are left with a closed account, we remove its name too.',
    bookings:
      `${period(settings.bookingDetailsYears, 'year')} after a session, we anonymise its bookings: ` +
      'we remove who booked and attended, their needs, notes and what they wrote, and the name on their certificate. ' +
      'Reports keep counting them, by organisation and job role only.',
    sentEmails:
      `We clear the words of the emails we send (and anything attached) ${period(settings.sentEmailBodyDays, 'day')} after sending them, ` +
      `and delete the record that we sent them (to whom, the subject and when) after ${period(settings.sentEmailRecordMonths, 'month')}.`,
    spent: `We delete sign-ins that have ended and emailed links that have been used or have expired ${period(SPENT_RECORD_DAYS, 'day')} later.`,
    signInAttempts:
      'To slow down password guessing we count wrong passwords for each account. The count is kept only in memory, never stored, ' +
      'and forgotten an hour after the last wrong password.',
    auditLog:
      `We keep the log of changes the training team make in the back office for ${period(settings.auditLogYears, 'year')}, ` +
      'except the record that a booking was cancelled and when, which stays with the booking because reports count late cancellations.',
    financial:
      `Invoices and credit notes are kept for ${period(FINANCIAL_RECORD_YEARS, 'year')} after the end of the financial year they belong to, as the law requires; ` +
      'after that we remove the names of delegates and billing contacts from them, keeping the amounts.',
  };
}

/**
 * The first moment an account warned at `warnedAt` may be closed: its whole
 * inactive period over, and the warning's days gone by. The job closes it at
 * its first run from then on, unless its owner signs in or books first.
 */
export function closesFrom(lastActiveAt: Date, warnedAt: Date, settings: RetentionSettings): Date {
  const periodOver = monthsBefore(lastActiveAt, -settings.inactiveAccountMonths);
  const warningOver = new Date(warnedAt.getTime() + settings.closureWarningDays * DAY_MS);
  return periodOver > warningOver ? periodOver : warningOver;
}

/** The settings form's fields: the unit each is counted in and the range the schema allows. */
export const RETENTION_FIELDS: readonly {
  name: keyof RetentionSettings;
  unit: 'day' | 'month' | 'year';
  min: number;
  max: number;
  label: string;
}[] = [
  { name: 'inactiveAccountMonths', unit: 'month', min: 3, max: 120, label: 'Close unused accounts after' },
  { name: 'closureWarningDays', unit: 'day', min: 7, max: 60, label: 'Warn the owner before closing' },
  {
    name: 'bookingDetailsYears',
    unit: 'year',
    min: 1,
    max: 20,
    label: 'Anonymise bookings after the session',
  },
  { name: 'sentEmailBodyDays', unit: 'day', min: 7, max: 365, label: 'Clear the words of sent emails after' },
  {
    name: 'sentEmailRecordMonths',
    unit: 'month',
    min: 1,
    max: 72,
    label: 'Delete the record of sent emails after',
  },
  { name: 'auditLogYears', unit: 'year', min: 1, max: 20, label: 'Delete audit log entries after' },
];

/**
 * Reads the settings form (each a whole number in its range, then the rules
 * between them): the settings, or a message for each field to correct.
 */
export function readRetentionForm(
  body: Record<string, unknown>,
): { ok: true; settings: RetentionSettings } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const values: Record<string, number> = {};
  for (const field of RETENTION_FIELDS) {
    const text = typeof body[field.name] === 'string' ? (body[field.name] as string).trim() : '';
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < field.min || value > field.max) {
      errors[field.name] = text
        ? `${field.label}: enter a whole number of ${field.unit}s from ${field.min} to ${field.max}`
        : `${field.label}: enter a number of ${field.unit}s`;
    } else values[field.name] = value;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  const settings = retentionSchema.parse(values);
  const problems = retentionProblems(settings);
  if (Object.keys(problems).length) return { ok: false, errors: problems as Record<string, string> };
  return { ok: true, settings };
}
