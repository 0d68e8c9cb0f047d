/**
 * The finance views (issue 10, point 5): the hub's totals for this
 * financial year and the last, which reporting viewers see too; and, for
 * those who handle money, invoices and credit notes listed with filters,
 * each organisation's outstanding balance, and the finance export (a CSV a
 * finance system imports), read in batches so memory stays flat.
 *
 * Only reads: invoices and credit notes are made, issued and paid by the
 * invoice service. A credit note's amounts are stored as positive pence and
 * shown here with a minus sign, as money going back.
 */
import { FinanceRepository, type DocumentFilter } from '../../data/repositories/charges/financeRepository.js';
import { recordAudit } from '../../data/repositories/auditRecords.js';
import type { InvoiceState } from '../../domain/charges/charges.js';
import {
  financialYear,
  financialYearContaining,
  type FinancialYear,
} from '../../domain/charges/financialYear.js';
import type { DocumentKind } from '../../domain/charges/invoiceNumbers.js';
import { holds } from '../../domain/accounts/permissions.js';
import { londonDate } from '../../domain/time/time.js';
import { FormError, NotFoundError } from '../../errors.js';
import type { StaffMember } from '../afterCourse/attendanceService.js';
import type { ServiceDeps } from '../deps.js';
import { searchWords } from '../peopleService.js';
import type { SettingsService } from '../settingsService.js';

/** Rows on a page of the finance lists. */
export const FINANCE_PAGE_SIZE = 50;
/** Documents read from the database at a time by the export. */
export const FINANCE_EXPORT_BATCH = 1_000;

/** The list's filters as the page reads them: all optional. */
export interface FinanceFilter {
  /** Words of an organisation's name (the customer as invoiced, or the organisation now). */
  organisation?: string;
  state?: InvoiceState;
  kind?: DocumentKind;
  /** London dates (YYYY-MM-DD), both included. */
  issuedFrom?: string;
  issuedTo?: string;
}

export interface YearTotals {
  year: FinancialYear;
  invoicedPence: number;
  /** Credit notes issued in the year, as a positive amount taken off. */
  creditedPence: number;
  /** What was paid: paid invoices' gross less credit notes issued before the payment. */
  paidPence: number;
  outstandingPence: number;
  /** Credited after payment: refunds due. */
  refundsDuePence: number;
}

/** A row of the finance export: amounts signed (a credit note's are negative), whole pence. */
export interface FinanceExportRow {
  number: string;
  kind: DocumentKind;
  /** London date of issue, YYYY-MM-DD. */
  date: string;
  customer: string;
  description: string;
  netPence: number;
  vatPence: number;
  grossPence: number;
  nominalCode: string;
  purchaseOrder: string;
  /** London date, or '' for a credit note. */
  dueOn: string;
}

export class FinanceService {
  private readonly finance: FinanceRepository;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly settings: SettingsService,
  ) {
    this.finance = new FinanceRepository(deps.db);
  }

  /** The hub's totals for this financial year and the last: no organisation's or person's figures. */
  async totals(): Promise<YearTotals[]> {
    const { financialYearStartMonth } = await this.settings.charges();
    const current = financialYearContaining(londonDate(this.deps.clock.now()), financialYearStartMonth);
    const years = [current, financialYear(current.startYear - 1, financialYearStartMonth)];
    return Promise.all(
      years.map(async (year) => {
        const totals = await this.finance.yearTotals(year.from, year.to);
        return {
          year,
          invoicedPence: totals.invoiced,
          creditedPence: totals.credited,
          paidPence: totals.paid,
          outstandingPence: totals.outstanding,
          refundsDuePence: totals.refundsDue,
        };
      }),
    );
  }

  /** One page of invoices and credit notes, newest first, for those who handle money. */
  async documents(filter: FinanceFilter, page: number, staff: StaffMember) {
    mayHandleMoney(staff);
    const { rows, total } = await this.finance.documents(
      documentFilter(filter),
      FINANCE_PAGE_SIZE,
      (page - 1) * FINANCE_PAGE_SIZE,
    );
    return {
      documents: rows.map((row) => {
        const credit = row.kind === 'credit_note';
        return {
          id: row.id,
          kind: row.kind,
          state: row.state,
          number: row.number,
          organisationId: row.organisation_id,
          customer: row.customer_name,
          issuedOn: row.issued_on,
          dueOn: row.due_on,
          paidOn: row.paid_on,
          creditsNumber: row.credits_number,
          /** Signed: a credit note's is negative. */
          grossPence: credit ? -row.gross_pence : row.gross_pence,
          /** What is still owed on an issued invoice (its gross less credit notes); null otherwise. */
          outstandingPence:
            row.kind === 'invoice' && row.state === 'issued' ? row.gross_pence - row.credited_pence : null,
          overdue:
            row.kind === 'invoice' &&
            row.state === 'issued' &&
            row.due_on !== null &&
            row.due_on < londonDate(this.deps.clock.now()),
        };
      }),
      total,
      pageCount: Math.max(1, Math.ceil(total / FINANCE_PAGE_SIZE)),
    };
  }

  /** One page of organisations' outstanding balances, largest first. */
  async balances(page: number, staff: StaffMember) {
    mayHandleMoney(staff);
    const result = await this.finance.balances(
      londonDate(this.deps.clock.now()),
      FINANCE_PAGE_SIZE,
      (page - 1) * FINANCE_PAGE_SIZE,
    );
    return { ...result, pageCount: Math.max(1, Math.ceil(result.total / FINANCE_PAGE_SIZE)) };
  }

  /**
   * The finance export: one row per issued (or paid) invoice and credit
   * note the filter picks out, by issue date, read as the caller consumes
   * them. The download is audited first (which export and its range; no
   * personal data).
   */
  async financeExport(filter: FinanceFilter, staff: StaffMember) {
    mayHandleMoney(staff);
    const repositoryFilter = documentFilter(filter);
    const [count, { nominalCode }] = await Promise.all([
      this.finance.countExported(repositoryFilter),
      this.settings.charges(),
    ]);
    await recordAudit(
      this.deps.db,
      {
        actorType: 'staff',
        actorId: staff.id,
        action: 'export_downloaded',
        entityType: 'export',
        // Not one record but a range of them: the details say which.
        entityId: 0,
        details: {
          export: 'finance',
          from: filter.issuedFrom ?? null,
          to: filter.issuedTo ?? null,
          ...(filter.kind ? { kind: filter.kind } : {}),
          ...(filter.state ? { state: filter.state } : {}),
          ...(filter.organisation ? { organisationFiltered: true } : {}),
          documents: count,
        },
      },
      this.deps.clock.now(),
    );
    return { count, rows: this.exportRows(repositoryFilter, nominalCode) };
  }

  private async *exportRows(filter: DocumentFilter, nominalCode: string): AsyncGenerator<FinanceExportRow> {
    let after: { issuedOn: string; id: number } | null = null;
    for (;;) {
      const batch = await this.finance.exportBatch(filter, after, FINANCE_EXPORT_BATCH);
      for (const row of batch) {
        const sign = row.kind === 'credit_note' ? -1 : 1;
        yield {
          number: row.number,
          kind: row.kind,
          date: row.issued_on,
          customer: row.customer_name,
          description:
            row.kind === 'credit_note'
              ? creditNoteDescription(row.credits_number, row.reason)
              : `Training: ${row.lines} ${row.lines === 1 ? 'place' : 'places'}`,
          netPence: sign * row.net_pence,
          vatPence: sign * row.vat_pence,
          grossPence: sign * row.gross_pence,
          nominalCode,
          purchaseOrder: row.purchase_order,
          dueOn: row.kind === 'credit_note' ? '' : (row.due_on ?? ''),
        };
      }
      if (batch.length < FINANCE_EXPORT_BATCH) return;
      const last = batch[batch.length - 1]!;
      after = { issuedOn: last.issued_on, id: last.id };
    }
  }
}

/** "Credit note against INV-2026-0004: Charged in error". */
function creditNoteDescription(invoiceNumber: string | null, reason: string): string {
  const against = invoiceNumber ? `Credit note against ${invoiceNumber}` : 'Credit note';
  const why = reason.replace(/\s+/g, ' ').trim();
  return why ? `${against}: ${why}` : against;
}

/** Only those who handle money see an organisation's figures; anyone else, the ordinary 404. */
function mayHandleMoney(staff: StaffMember): void {
  if (!holds(staff.role, 'handleMoney')) throw new NotFoundError('page');
}

/** The page's filter as the repository reads it; throws FormError when the dates are out of order. */
function documentFilter(filter: FinanceFilter): DocumentFilter {
  if (filter.issuedFrom && filter.issuedTo && filter.issuedTo < filter.issuedFrom) {
    throw new FormError({ to: 'The last date must be the same as or after the first date' });
  }
  const words = searchWords(filter.organisation ?? '');
  return {
    ...(words.length ? { organisationWords: words } : {}),
    ...(filter.state ? { states: [filter.state] } : {}),
    ...(filter.kind ? { kind: filter.kind } : {}),
    ...(filter.issuedFrom ? { issuedFrom: filter.issuedFrom } : {}),
    ...(filter.issuedTo ? { issuedTo: filter.issuedTo } : {}),
  };
}
