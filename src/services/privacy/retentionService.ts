/**
 * The retention schedule applied (domain/hub/retention.ts): what the next run
 * will do (`plan`, the back office's dry run) and doing it (`run`, the daily
 * job jobs/retention.ts). Both take their rows from the same selection
 * queries (data/repositories/privacy/retentionRepository.ts), so the dry run
 * says what the run does.
 *
 * The steps run in an order in which none changes what a later one selects,
 * so a plan made just before a run counts exactly what the run does:
 * closed and merged rows with no bookings left lose their name first (an
 * account closed, or a booking anonymised, today is seen to tomorrow), then
 * sent emails, spent sign-ins and links, the audit log and financial
 * records, and last the accounts warned, closed, and the bookings anonymised.
 */
import {
  RetentionRepository,
  type AccountRow,
  type BookingRow,
  type EmailRow,
  type InvoiceRow,
  type RetentionLines,
} from '../../data/repositories/privacy/retentionRepository.js';
import { financialYear } from '../../domain/charges/financialYear.js';
import {
  closesFrom,
  lastExpiredFinancialYear,
  retentionCutoffs,
  type RetentionSettings,
} from '../../domain/hub/retention.js';
import { londonDate, londonToInstant } from '../../domain/time/time.js';
import type { ServiceDeps } from '../deps.js';
import type { SettingsService } from '../settingsService.js';

/** The steps, in the order the job runs them. */
export const RETENTION_STEPS = [
  'anonymiseHolders',
  'deleteEmailRecords',
  'clearEmailWords',
  'deleteSignIns',
  'deleteLinks',
  'deleteAuditEntries',
  'clearFinancialRecords',
  'warnAccounts',
  'closeAccounts',
  'anonymiseBookings',
] as const;
export type RetentionStep = (typeof RETENTION_STEPS)[number];
export type RetentionCounts = Record<RetentionStep, number>;

/** How many rows of each step the dry run shows. */
export const PLAN_ROWS = 20;

export interface RetentionPlan {
  at: Date;
  settings: RetentionSettings;
  lines: RetentionLines;
  counts: RetentionCounts;
  accountsToWarn: AccountRow[];
  accountsToClose: AccountRow[];
  bookingsToAnonymise: BookingRow[];
  emailWordsToClear: EmailRow[];
  emailRecordsToDelete: EmailRow[];
  financialRecords: InvoiceRow[];
}

export class RetentionService {
  private readonly repository: RetentionRepository;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly settings: SettingsService,
  ) {
    this.repository = new RetentionRepository(deps.db);
  }

  /** The lines the job draws at `now`, from the hub's settings. */
  async lines(now: Date): Promise<{ settings: RetentionSettings; lines: RetentionLines }> {
    const settings = await this.settings.retention();
    const { financialYearStartMonth } = await this.settings.charges();
    const cutoffs = retentionCutoffs(settings, now);
    const lastYear = lastExpiredFinancialYear(londonDate(now), financialYearStartMonth);
    const nextYearStarts = financialYear(lastYear + 1, financialYearStartMonth).from;
    const iso = (date: Date) => date.toISOString();
    return {
      settings,
      lines: {
        now: iso(now),
        warnActiveBefore: iso(cutoffs.warnActiveBefore),
        closeActiveBefore: iso(cutoffs.closeActiveBefore),
        warnedBefore: iso(cutoffs.warnedBefore),
        sessionsEndedBefore: iso(cutoffs.sessionsEndedBefore),
        emailWordsSentBefore: iso(cutoffs.emailWordsSentBefore),
        emailRecordsSentBefore: iso(cutoffs.emailRecordsSentBefore),
        spentBefore: iso(cutoffs.spentBefore),
        auditBefore: iso(cutoffs.auditBefore),
        lastExpiredFinancialYear: lastYear,
        financialRecordsMadeBefore: iso(londonToInstant(nextYearStarts, '00:00')),
      },
    };
  }

  /** What a run at `now` would do: counts for each step and the first rows of those that name someone. */
  async plan(now: Date = this.deps.clock.now()): Promise<RetentionPlan> {
    const { settings, lines } = await this.lines(now);
    const r = this.repository;
    const [
      counts,
      accountsToWarn,
      accountsToClose,
      bookingsToAnonymise,
      emailWords,
      emailRecords,
      financial,
    ] = await Promise.all([
      r.counts(lines),
      r.accountsToWarnRows(lines, PLAN_ROWS),
      r.accountsToCloseRows(lines, PLAN_ROWS),
      r.bookingsToAnonymiseRows(lines, PLAN_ROWS),
      r.emailWordsToClearRows(lines, PLAN_ROWS),
      r.emailRecordsToDeleteRows(lines, PLAN_ROWS),
      r.financialRecordRows(lines, PLAN_ROWS),
    ]);
    return {
      at: now,
      settings,
      lines,
      counts,
      accountsToWarn,
      accountsToClose,
      bookingsToAnonymise,
      emailWordsToClear: emailWords,
      emailRecordsToDelete: emailRecords,
      financialRecords: financial,
    };
  }

  /** Applies the schedule at `now`; returns how many rows each step changed. Safe to run twice at once. */
  async run(now: Date = this.deps.clock.now()): Promise<RetentionCounts> {
    const { settings, lines } = await this.lines(now);
    const db = this.deps.db;
    const r = this.repository;
    const counts = Object.fromEntries(RETENTION_STEPS.map((step) => [step, 0])) as RetentionCounts;

    counts.anonymiseHolders = await this.eachOnce(
      () => r.nextHoldersToAnonymise(),
      (id) => db.transaction().execute((trx) => r.within(trx).anonymiseHolder(id, now)),
    );
    counts.deleteEmailRecords = await r.deleteEmailRecords(lines);
    counts.clearEmailWords = await r.clearEmailWords(lines);
    counts.deleteSignIns = await r.deleteSpentSignIns(lines);
    counts.deleteLinks = await r.deleteSpentLinks(lines);
    counts.deleteAuditEntries = await r.deleteAuditEntries(lines);
    counts.clearFinancialRecords = await db
      .transaction()
      .execute((trx) => r.within(trx).clearFinancialRecords(lines));

    const ctx = await this.deps.context();
    counts.warnAccounts = await this.eachOnce(
      async () => r.nextAccountsToWarn(lines),
      (account) =>
        db.transaction().execute(async (trx) => {
          if (!(await r.within(trx).markWarned(account.id, lines))) return false;
          const lastActiveAt = new Date(account.lastActiveAt);
          await this.deps.mail.accountClosing(trx, ctx, account, {
            inactiveMonths: settings.inactiveAccountMonths,
            lastActiveAt,
            closesFrom: closesFrom(lastActiveAt, now, settings),
            hasPassword: account.hasPassword,
          });
          return true;
        }),
      (account) => account.id,
    );
    counts.closeAccounts = await this.eachOnce(
      () => r.nextAccountsToClose(lines),
      (id) => db.transaction().execute((trx) => r.within(trx).closeIfDue(id, lines)),
    );
    for (;;) {
      const ids = await r.nextBookingsToAnonymise(lines);
      if (!ids.length) break;
      const done = await db.transaction().execute((trx) => r.within(trx).anonymiseBookings(ids, lines));
      counts.anonymiseBookings += done;
      // Another run took them: what is left is theirs.
      if (done === 0) break;
    }
    return counts;
  }

  /**
   * Acts on each row a selection gives, batch after batch, until it gives
   * none; a row acted on (or skipped) once is not tried again in this run,
   * so a row another run holds cannot keep this one going round.
   */
  private async eachOnce<T>(
    next: () => Promise<T[]>,
    act: (row: T) => Promise<boolean>,
    key: (row: T) => unknown = (row) => row,
  ): Promise<number> {
    const seen = new Set<unknown>();
    let changed = 0;
    for (;;) {
      const rows = (await next()).filter((row) => !seen.has(key(row)));
      if (!rows.length) return changed;
      for (const row of rows) {
        seen.add(key(row));
        if (await act(row)) changed += 1;
      }
    }
  }
}
