/**
 * RetentionRepository: the retention job's SQL (services/privacy/retentionService.ts).
 * Each step has ONE selection query (what is due at the cut-offs), and both
 * the dry run (count and first rows) and the run (ids, batch by batch) are
 * made from it, so the two cannot drift. Every change is a conditional
 * update or delete that repeats the step's condition, so two runs at once
 * (two processes) act on each row once and do no harm.
 *
 * Closing accounts and anonymising bookings go through PersonalDataRecords,
 * the one way personal data leaves Trellis's records.
 */
import { sql, type ExpressionBuilder } from 'kysely';

import type { DB, Executor } from '../../schema.js';
import { ONE_BOOKING_CANCELLED } from '../afterCourse/reportRepository.js';
import { PersonalDataRecords } from './personalDataRecords.js';

/** The retention job's lines, as stored instants (domain/hub/retention.ts retentionCutoffs, plus now). */
export interface RetentionLines {
  now: string;
  warnActiveBefore: string;
  closeActiveBefore: string;
  warnedBefore: string;
  sessionsEndedBefore: string;
  emailWordsSentBefore: string;
  emailRecordsSentBefore: string;
  spentBefore: string;
  auditBefore: string;
  /** Financial records of this financial year and earlier are past their period. */
  lastExpiredFinancialYear: number;
  /** The first instant of the financial year after it, for invoices that never had a number. */
  financialRecordsMadeBefore: string;
}

export const RETENTION_BATCH = 200;

export interface AccountRow {
  id: number;
  name: string;
  email: string;
  hasPassword: boolean;
  lastActiveAt: string;
}

export interface BookingRow {
  id: number;
  reference: string;
  courseTitle: string;
  sessionStartsAt: string;
}

export interface EmailRow {
  id: number;
  subject: string;
  sentAt: string;
}

export interface InvoiceRow {
  id: number;
  number: string | null;
  financialYear: number | null;
}

type Delegates = ExpressionBuilder<DB, 'delegates'>;

function count(row: { n: number | string | bigint } | undefined): number {
  return Number(row?.n ?? 0);
}

export class RetentionRepository {
  constructor(private readonly db: Executor) {}

  within(trx: Executor): RetentionRepository {
    return new RetentionRepository(trx);
  }

  // ----- the selections -----

  /** A booking that keeps an account open: a live place on a session that has not ended. */
  private liveBooking(eb: Delegates, now: string) {
    return eb.exists(
      eb
        .selectFrom('bookings')
        .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
        .whereRef('bookings.delegate_id', '=', 'delegates.id')
        .where('bookings.state', 'in', ['confirmed', 'waitlisted', 'offered'])
        .where('sessions.ends_at', '>', now)
        .select('bookings.id'),
    );
  }

  /** Open, real, unmerged accounts with a reachable address and no live booking. */
  private openAccounts(lines: RetentionLines) {
    return this.db
      .selectFrom('delegates')
      .where('delegates.closed_at', 'is', null)
      .where('delegates.anonymised_at', 'is', null)
      .where('delegates.merged_into_id', 'is', null)
      .where((eb) => eb.not(eb(eb.fn('lower', ['delegates.email']), 'like', '%.invalid')))
      .where((eb) => eb.not(this.liveBooking(eb, lines.now)));
  }

  private lastActive() {
    return sql<string>`coalesce(delegates.last_active_at, delegates.created_at)`;
  }

  private accountsToWarn(lines: RetentionLines) {
    return this.openAccounts(lines)
      .where('delegates.closure_warned_at', 'is', null)
      .where(this.lastActive(), '<', lines.warnActiveBefore);
  }

  private accountsToClose(lines: RetentionLines) {
    return this.openAccounts(lines)
      .where('delegates.closure_warned_at', 'is not', null)
      .where('delegates.closure_warned_at', '<=', lines.warnedBefore)
      .where(this.lastActive(), '<', lines.closeActiveBefore);
  }

  private bookingsToAnonymise(lines: RetentionLines) {
    return this.db
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
      .where('sessions.ends_at', '<', lines.sessionsEndedBefore)
      .where('delegates.anonymised_at', 'is', null);
  }

  /** Closed accounts, and duplicates merged into another, with no bookings left: their name goes too. */
  private holdersToAnonymise() {
    return this.db
      .selectFrom('delegates')
      .where('delegates.anonymised_at', 'is', null)
      .where((eb) =>
        eb.or([eb('delegates.closed_at', 'is not', null), eb('delegates.merged_into_id', 'is not', null)]),
      )
      .where((eb) =>
        eb.not(
          eb.exists(eb.selectFrom('bookings').whereRef('bookings.delegate_id', '=', 'delegates.id').select('id')),
        ),
      );
  }

  private emailRecordsToDelete(lines: RetentionLines) {
    return this.db
      .selectFrom('outbox_messages')
      .where('sent_at', 'is not', null)
      .where('sent_at', '<', lines.emailRecordsSentBefore);
  }

  /** Sent emails with words still kept, past their days (those whose record goes today are left to that). */
  private emailWordsToClear(lines: RetentionLines) {
    return this.db
      .selectFrom('outbox_messages')
      .where('sent_at', 'is not', null)
      .where('sent_at', '<', lines.emailWordsSentBefore)
      .where('sent_at', '>=', lines.emailRecordsSentBefore)
      .where((eb) => eb.or([eb('text_body', '!=', ''), eb('html_body', '!=', ''), eb('attachments', '!=', '[]')]));
  }

  private spentSignIns(lines: RetentionLines) {
    return this.db
      .selectFrom('sign_in_sessions')
      .where((eb) =>
        eb.or([eb('expires_at', '<', lines.spentBefore), eb('revoked_at', '<', lines.spentBefore)]),
      );
  }

  private spentLinks(lines: RetentionLines) {
    return this.db
      .selectFrom('private_links')
      .where((eb) => eb.or([eb('expires_at', '<', lines.spentBefore), eb('used_at', '<', lines.spentBefore)]));
  }

  /**
   * Audit entries past their years, except the record that a booking was
   * cancelled: reports count late cancellations from it, so it stays as
   * long as the booking (which is anonymised, never deleted).
   */
  private auditEntries(lines: RetentionLines) {
    return this.db
      .selectFrom('audit_log')
      .where('at', '<', lines.auditBefore)
      .where((eb) =>
        eb.not(eb.and([eb('entity_type', '=', 'booking'), eb('action', 'in', [...ONE_BOOKING_CANCELLED])])),
      );
  }

  /** Invoices and credit notes past their period that still name someone. */
  private financialRecords(lines: RetentionLines) {
    return this.db
      .selectFrom('invoices')
      .where((eb) =>
        eb.or([
          eb('invoices.financial_year', '<=', lines.lastExpiredFinancialYear),
          eb.and([
            eb('invoices.financial_year', 'is', null),
            eb('invoices.created_at', '<', lines.financialRecordsMadeBefore),
          ]),
        ]),
      )
      .where((eb) =>
        eb.or([
          eb('invoices.billing_contact', '!=', ''),
          eb('invoices.billing_email', '!=', ''),
          eb.exists(
            eb
              .selectFrom('invoice_lines')
              .whereRef('invoice_lines.invoice_id', '=', 'invoices.id')
              .where('invoice_lines.delegate_name', '!=', '')
              .select('invoice_lines.id'),
          ),
        ]),
      );
  }

  // ----- the dry run: counts and first rows, from the same selections -----

  async counts(lines: RetentionLines) {
    const [
      holders,
      emailRecords,
      emailWords,
      signIns,
      links,
      audit,
      financial,
      warn,
      close,
      bookings,
    ] = await Promise.all([
      this.holdersToAnonymise().select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst(),
      this.emailRecordsToDelete(lines).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst(),
      this.emailWordsToClear(lines).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst(),
      this.spentSignIns(lines).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst(),
      this.spentLinks(lines).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst(),
      this.auditEntries(lines).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst(),
      this.financialRecords(lines).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst(),
      this.accountsToWarn(lines).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst(),
      this.accountsToClose(lines).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst(),
      this.bookingsToAnonymise(lines).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst(),
    ]);
    return {
      anonymiseHolders: count(holders),
      deleteEmailRecords: count(emailRecords),
      clearEmailWords: count(emailWords),
      deleteSignIns: count(signIns),
      deleteLinks: count(links),
      deleteAuditEntries: count(audit),
      clearFinancialRecords: count(financial),
      warnAccounts: count(warn),
      closeAccounts: count(close),
      anonymiseBookings: count(bookings),
    };
  }

  async accountsToWarnRows(lines: RetentionLines, limit: number): Promise<AccountRow[]> {
    return this.accountRows(this.accountsToWarn(lines), limit);
  }

  async accountsToCloseRows(lines: RetentionLines, limit: number): Promise<AccountRow[]> {
    return this.accountRows(this.accountsToClose(lines), limit);
  }

  private async accountRows(
    query: ReturnType<RetentionRepository['openAccounts']>,
    limit: number,
  ): Promise<AccountRow[]> {
    const rows = await query
      .select(['delegates.id', 'delegates.name', 'delegates.email', 'delegates.password_hash'])
      .select(this.lastActive().as('last_active'))
      .orderBy(this.lastActive())
      .orderBy('delegates.id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      email: row.email,
      hasPassword: row.password_hash !== null,
      lastActiveAt: new Date(row.last_active).toISOString(),
    }));
  }

  async bookingsToAnonymiseRows(lines: RetentionLines, limit: number): Promise<BookingRow[]> {
    const rows = await this.bookingsToAnonymise(lines)
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .select(['bookings.id', 'bookings.reference', 'courses.title', 'sessions.starts_at'])
      .orderBy('sessions.starts_at')
      .orderBy('bookings.id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      reference: row.reference,
      courseTitle: row.title,
      sessionStartsAt: new Date(row.starts_at).toISOString(),
    }));
  }

  async emailWordsToClearRows(lines: RetentionLines, limit: number): Promise<EmailRow[]> {
    return this.emailRows(this.emailWordsToClear(lines), limit);
  }

  async emailRecordsToDeleteRows(lines: RetentionLines, limit: number): Promise<EmailRow[]> {
    return this.emailRows(this.emailRecordsToDelete(lines), limit);
  }

  private async emailRows(
    query: ReturnType<RetentionRepository['emailRecordsToDelete']>,
    limit: number,
  ): Promise<EmailRow[]> {
    const rows = await query
      .select(['id', 'subject', 'sent_at'])
      .orderBy('sent_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ id: row.id, subject: row.subject, sentAt: new Date(row.sent_at!).toISOString() }));
  }

  async financialRecordRows(lines: RetentionLines, limit: number): Promise<InvoiceRow[]> {
    const rows = await this.financialRecords(lines)
      .select(['invoices.id', 'invoices.number', 'invoices.financial_year'])
      .orderBy('invoices.id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ id: row.id, number: row.number, financialYear: row.financial_year }));
  }

  // ----- the run: a batch of ids from a selection, then a conditional change -----

  async nextAccountsToWarn(lines: RetentionLines): Promise<AccountRow[]> {
    return this.accountsToWarnRows(lines, RETENTION_BATCH);
  }

  /** Marks one account warned if it is still due a warning; false when another run (or activity) got there first. */
  async markWarned(delegateId: number, lines: RetentionLines): Promise<boolean> {
    const result = await this.db
      .updateTable('delegates')
      .set({ closure_warned_at: lines.now })
      .where('id', 'in', this.accountsToWarn(lines).select('delegates.id').where('delegates.id', '=', delegateId))
      // On the row itself too: PostgreSQL re-checks these (not the subquery) once a run at the same
      // time has committed its warning, so the second finds the account warned and does nothing.
      .where('closure_warned_at', 'is', null)
      .where('closed_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async nextAccountsToClose(lines: RetentionLines): Promise<number[]> {
    const rows = await this.accountsToClose(lines)
      .select('delegates.id')
      .orderBy('delegates.id')
      .limit(RETENTION_BATCH)
      .execute();
    return rows.map((row) => row.id);
  }

  /** Closes one account if it is still due to close (activity since the warning keeps it). */
  async closeIfDue(delegateId: number, lines: RetentionLines): Promise<boolean> {
    const due = await this.accountsToClose(lines)
      .select('delegates.id')
      .where('delegates.id', '=', delegateId)
      .executeTakeFirst();
    if (!due) return false;
    return new PersonalDataRecords(this.db).closeAccount(delegateId, new Date(lines.now));
  }

  async nextBookingsToAnonymise(lines: RetentionLines): Promise<number[]> {
    const rows = await this.bookingsToAnonymise(lines)
      .select('bookings.id')
      .orderBy('bookings.id')
      .limit(RETENTION_BATCH)
      .execute();
    return rows.map((row) => row.id);
  }

  /**
   * Anonymises those of `ids` still due. The bookings are claimed first with
   * a conditional update (which takes their row locks), so a run at the same
   * time finds them handed over and leaves them alone.
   */
  async anonymiseBookings(ids: number[], lines: RetentionLines): Promise<number> {
    if (!ids.length) return 0;
    const claimed = await this.db
      .updateTable('bookings')
      .set({ updated_at: lines.now })
      .where('id', 'in', ids)
      .where('id', 'in', this.bookingsToAnonymise(lines).select('bookings.id'))
      // On the row itself: a run at the same time that handed the booking over first has changed its
      // delegate_id to a holder this statement cannot see, so PostgreSQL's re-check leaves it alone.
      .where('delegate_id', 'in', (eb) =>
        eb.selectFrom('delegates').where('anonymised_at', 'is', null).select('delegates.id'),
      )
      .returning('id')
      .execute();
    return new PersonalDataRecords(this.db).anonymiseBookings(
      claimed.map((row) => row.id),
      new Date(lines.now),
    );
  }

  async nextHoldersToAnonymise(): Promise<number[]> {
    const rows = await this.holdersToAnonymise()
      .select('delegates.id')
      .orderBy('delegates.id')
      .limit(RETENTION_BATCH)
      .execute();
    return rows.map((row) => row.id);
  }

  /** A closed or merged row with no bookings left loses its name (and, if it still had them, its contact details). */
  async anonymiseHolder(delegateId: number, now: Date): Promise<boolean> {
    const due = await this.holdersToAnonymise()
      .select('delegates.id')
      .where('delegates.id', '=', delegateId)
      .executeTakeFirst();
    if (!due) return false;
    await new PersonalDataRecords(this.db).closeAccount(delegateId, now);
    const result = await this.db
      .updateTable('delegates')
      .set({ name: '', anonymised_at: now.toISOString(), updated_at: now.toISOString() })
      .where('id', '=', delegateId)
      .where('anonymised_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async deleteEmailRecords(lines: RetentionLines): Promise<number> {
    return this.inBatches(async () => {
      const ids = (
        await this.emailRecordsToDelete(lines).select('id').orderBy('id').limit(RETENTION_BATCH).execute()
      ).map((row) => row.id);
      if (!ids.length) return null;
      const result = await this.db
        .deleteFrom('outbox_messages')
        .where('id', 'in', ids)
        .where('sent_at', '<', lines.emailRecordsSentBefore)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  async clearEmailWords(lines: RetentionLines): Promise<number> {
    return this.inBatches(async () => {
      const ids = (
        await this.emailWordsToClear(lines).select('id').orderBy('id').limit(RETENTION_BATCH).execute()
      ).map((row) => row.id);
      if (!ids.length) return null;
      const result = await this.db
        .updateTable('outbox_messages')
        .set({ text_body: '', html_body: '', attachments: '[]' })
        .where('id', 'in', ids)
        .where('sent_at', '<', lines.emailWordsSentBefore)
        .where((eb) =>
          eb.or([eb('text_body', '!=', ''), eb('html_body', '!=', ''), eb('attachments', '!=', '[]')]),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    });
  }

  async deleteSpentSignIns(lines: RetentionLines): Promise<number> {
    return this.inBatches(async () => {
      const ids = (
        await this.spentSignIns(lines).select('id_hash').orderBy('id_hash').limit(RETENTION_BATCH).execute()
      ).map((row) => row.id_hash);
      if (!ids.length) return null;
      const result = await this.db
        .deleteFrom('sign_in_sessions')
        .where('id_hash', 'in', ids)
        .where((eb) =>
          eb.or([eb('expires_at', '<', lines.spentBefore), eb('revoked_at', '<', lines.spentBefore)]),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  async deleteSpentLinks(lines: RetentionLines): Promise<number> {
    return this.inBatches(async () => {
      const ids = (
        await this.spentLinks(lines).select('id').orderBy('id').limit(RETENTION_BATCH).execute()
      ).map((row) => row.id);
      if (!ids.length) return null;
      const result = await this.db
        .deleteFrom('private_links')
        .where('id', 'in', ids)
        .where((eb) => eb.or([eb('expires_at', '<', lines.spentBefore), eb('used_at', '<', lines.spentBefore)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  async deleteAuditEntries(lines: RetentionLines): Promise<number> {
    return this.inBatches(async () => {
      const ids = (
        await this.auditEntries(lines).select('id').orderBy('id').limit(RETENTION_BATCH).execute()
      ).map((row) => row.id);
      if (!ids.length) return null;
      const result = await this.db
        .deleteFrom('audit_log')
        .where('id', 'in', this.auditEntries(lines).select('id').where('id', 'in', ids))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  /** Names cleared from invoices and credit notes past their period; the amounts stay. Counts the documents. */
  async clearFinancialRecords(lines: RetentionLines): Promise<number> {
    return this.inBatches(async () => {
      const ids = (
        await this.financialRecords(lines).select('invoices.id').orderBy('invoices.id').limit(RETENTION_BATCH).execute()
      ).map((row) => row.id);
      if (!ids.length) return null;
      const due = this.financialRecords(lines).select('invoices.id').where('invoices.id', 'in', ids);
      await this.db
        .updateTable('invoice_lines')
        .set({ delegate_name: '' })
        .where('invoice_id', 'in', due)
        .where('delegate_name', '!=', '')
        .execute();
      const result = await this.db
        .updateTable('invoices')
        .set({ billing_contact: '', billing_email: '' })
        .where('id', 'in', ids)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    });
  }

  /**
   * Runs `batch` until it finds nothing to do (null) or changes nothing
   * (another run took the rows), adding up what it changed.
   */
  private async inBatches(batch: () => Promise<number | null>): Promise<number> {
    let total = 0;
    for (;;) {
      const changed = await batch();
      if (changed === null) return total;
      total += changed;
      if (changed === 0) return total;
    }
  }
}
