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
