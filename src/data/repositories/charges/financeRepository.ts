/**
 * The finance service's reads: totals for a financial year, invoices and
 * credit notes as a filtered list (one page of rows and one count), each
 * organisation's outstanding balance, and the finance export's rows in
 * batches. It never writes: invoices and credit notes are made elsewhere.
 *
 * Amounts are whole pence. A credit note's amounts are stored as positive
 * pence (what it takes off the invoice it credits); the service gives them
 * their minus sign where a total or the export needs one. Sums come back
 * from PostgreSQL as text (bigint), so each is read with Number().
 */
import { sql, type Kysely, type SqlBool } from 'kysely';

import type { InvoiceState } from '../../../domain/charges/charges.js';
import type { DocumentKind } from '../../../domain/charges/invoiceNumbers.js';
import type { DB } from '../../schema.js';
import { containsPattern } from '../peopleRepository.js';

/** States in which a document has a number and counts as money owed or put right. */
export const ISSUED_STATES: readonly InvoiceState[] = ['issued', 'paid'];

export interface DocumentFilter {
  /** Words each found in the customer's name as invoiced or the organisation's name now (any case). */
  organisationWords?: readonly string[];
  states?: readonly InvoiceState[];
  kind?: DocumentKind;
  /** Issued on or after / on or before these London dates (YYYY-MM-DD). */
  issuedFrom?: string;
  issuedTo?: string;
}

export interface YearTotalsRow {
  invoiced: number;
  credited: number;
  /** What was paid: invoices paid in the year, each its gross less credit notes issued before the payment. */
  paid: number;
  /** Issued (not paid) invoices issued in the year, less credit notes against them. */
  outstanding: number;
  /** Credit notes issued in the year against invoices already paid: money to give back. */
  refundsDue: number;
}

type Db = Kysely<DB>;

/** Pence summed in SQL, read back as a number on both databases. */
const pence = (value: unknown) => Number(value ?? 0);

export class FinanceRepository {
  constructor(private readonly db: Db) {}

  /**
   * What credit notes have taken off an invoice (`invoices` or the alias
   * given), read per row through the `invoices_credits` index: pence, or null for none.
   */
  private credited(invoice: 'invoices' | 'i') {
    return sql<string | null>`(select sum(cn.gross_pence) from invoices cn where cn.credits_invoice_id = ${sql.ref(
      `${invoice}.id`,
    )} and cn.kind = 'credit_note' and cn.state in ('issued', 'paid'))`;
  }

  /**
   * Whether credit note `cn` was issued before invoice `paid` was recorded
   * paid (by the instant recorded, or for an invoice paid before migration
   * 020, by the dates: one issued on or before the day paid counts as before).
   */
  private creditedBeforePayment(cn: string, paid: string) {
    const c = (column: string) => sql.ref(`${cn}.${column}`);
    const p = (column: string) => sql.ref(`${paid}.${column}`);
    return sql<SqlBool>`((${p('paid_at')} is not null and ${c('issued_at')} < ${p('paid_at')}) or (${p('paid_at')} is null and ${c('issued_on')} <= ${p('paid_on')}))`;
  }

  /** Invoiced, credited, paid, outstanding and refunds due in the London dates [from, to], both included. */
  async yearTotals(from: string, to: string): Promise<YearTotalsRow> {
    const issuedIn = sql<SqlBool>`i.issued_on >= ${from} and i.issued_on <= ${to}`;
    const paidIn = sql<SqlBool>`i.paid_on >= ${from} and i.paid_on <= ${to}`;
    const row = await this.db
      .selectFrom('invoices as i')
      .where('i.state', 'in', ISSUED_STATES)
      // Only the documents issued or paid in the year are read.
      .where(sql<SqlBool>`(${issuedIn}) or (${paidIn})`)
      .select([
        sql<string>`sum(case when i.kind = 'invoice' and ${issuedIn} then i.gross_pence else 0 end)`.as(
          'invoiced',
        ),
        sql<string>`sum(case when i.kind = 'credit_note' and ${issuedIn} then i.gross_pence else 0 end)`.as(
          'credited',
        ),
        sql<string>`sum(case when i.kind = 'invoice' and i.state = 'paid' and ${paidIn} then i.gross_pence - coalesce((select sum(cn.gross_pence) from invoices cn where cn.credits_invoice_id = i.id and cn.kind = 'credit_note' and cn.state in ('issued', 'paid') and ${this.creditedBeforePayment('cn', 'i')}), 0) else 0 end)`.as(
          'paid',
        ),
        sql<string>`sum(case when i.kind = 'credit_note' and ${issuedIn} and exists (select 1 from invoices paid where paid.id = i.credits_invoice_id and paid.state = 'paid' and not ${this.creditedBeforePayment('i', 'paid')}) then i.gross_pence else 0 end)`.as(
          'refunds_due',
        ),
        sql<string>`sum(case when i.kind = 'invoice' and i.state = 'issued' and ${issuedIn} then i.gross_pence - coalesce(${this.credited('i')}, 0) else 0 end)`.as(
          'outstanding',
        ),
      ])
      .executeTakeFirst();
    return {
      invoiced: pence(row?.invoiced),
      credited: pence(row?.credited),
      paid: pence(row?.paid),
      outstanding: pence(row?.outstanding),
      refundsDue: pence(row?.refunds_due),
    };
  }

  /** The documents a filter picks out (ids only), to page through or count. */
  private matching(filter: DocumentFilter) {
    let query = this.db.selectFrom('invoices');
    for (const word of filter.organisationWords ?? []) {
      const pattern = containsPattern(word);
      // LOWER(…) on both sides: SQLite's LIKE ignores case but PostgreSQL's does not.
      const like = (column: 'invoices.customer_name' | 'organisations.name') =>
        sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '!'`;
      query = query.where((eb) =>
        eb.or([
          like('invoices.customer_name'),
          eb(
            'invoices.organisation_id',
            'in',
            eb.selectFrom('organisations').where(like('organisations.name')).select('organisations.id'),
          ),
        ]),
      );
    }
    if (filter.states?.length) query = query.where('invoices.state', 'in', filter.states);
    if (filter.kind) query = query.where('invoices.kind', '=', filter.kind);
    if (filter.issuedFrom) query = query.where('invoices.issued_on', '>=', filter.issuedFrom);
    if (filter.issuedTo) query = query.where('invoices.issued_on', '<=', filter.issuedTo);
    return query;
  }

  /**
   * One page of documents, newest first, and how many match in all. Each
   * row carries, for an invoice, what credit notes have taken off it; for a
   * credit note, the number of the invoice it credits.
   */
  async documents(filter: DocumentFilter, limit: number, offset: number) {
    const page = this.matching(filter)
      .select('invoices.id')
      .orderBy('invoices.id', 'desc')
      .limit(limit)
      .offset(offset);
    const [rows, total] = await Promise.all([
      this.db
        .selectFrom('invoices')
        .leftJoin('invoices as credited', 'credited.id', 'invoices.credits_invoice_id')
        .where('invoices.id', 'in', page)
        .select([
          'invoices.id',
          'invoices.kind',
          'invoices.state',
          'invoices.number',
          'invoices.organisation_id',
          'invoices.customer_name',
          'invoices.issued_on',
          'invoices.due_on',
          'invoices.paid_on',
          'invoices.gross_pence',
          'credited.number as credits_number',
          this.credited('invoices').as('credited'),
        ])
        .orderBy('invoices.id', 'desc')
        .execute(),
      this.matching(filter)
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return {
      rows: rows.map(({ credited, ...row }) => ({ ...row, credited_pence: pence(credited) })),
      total: Number(total.n),
    };
  }

  /** Organisations owing money: issued invoices not yet paid, less credit notes against them. */
  private owing(today: string) {
    // Each unpaid invoice with what is left on it, then summed by organisation.
    const unpaid = this.db
      .selectFrom('invoices as i')
      .where('i.kind', '=', 'invoice')
      .where('i.state', '=', 'issued')
      // An invoice credited in full is owed nothing.
      .where(sql<number>`i.gross_pence - coalesce(${this.credited('i')}, 0)`, '>', 0)
      .select([
        'i.organisation_id',
        'i.due_on',
        sql<number>`i.gross_pence - coalesce(${this.credited('i')}, 0)`.as('left_pence'),
      ]);
    return this.db
      .selectFrom(unpaid.as('u'))
      .groupBy('u.organisation_id')
      .select([
        'u.organisation_id',
        sql<string>`count(*)`.as('invoices'),
        sql<string>`sum(u.left_pence)`.as('balance'),
        sql<string>`sum(case when u.due_on < ${today} then u.left_pence else 0 end)`.as('overdue'),
        sql<string | null>`min(u.due_on)`.as('oldest_due_on'),
      ])
      .having(sql<number>`sum(u.left_pence)`, '>', 0);
  }

  /**
   * One page of organisations with an outstanding balance, largest first,
   * and how many there are in all. `today` (a London date) says what is overdue.
   */
  async balances(today: string, limit: number, offset: number) {
    const [rows, total] = await Promise.all([
      this.db
        .selectFrom(this.owing(today).as('b'))
        .innerJoin('organisations', 'organisations.id', 'b.organisation_id')
        .select([
          'b.organisation_id',
          'organisations.name',
          'b.invoices',
          'b.balance',
          'b.overdue',
          'b.oldest_due_on',
        ])
        .orderBy('b.balance', 'desc')
        .orderBy('organisations.name')
        .orderBy('b.organisation_id')
        .limit(limit)
        .offset(offset)
        .execute(),
      this.db
        .selectFrom(this.owing(today).as('b'))
        .select([
          (eb) => eb.fn.countAll<number | string>().as('n'),
          sql<string>`sum(b.balance)`.as('balance'),
        ])
        .executeTakeFirstOrThrow(),
    ]);
    return {
      rows: rows.map((row) => ({
        organisationId: row.organisation_id,
        name: row.name,
        invoices: Number(row.invoices),
        balancePence: pence(row.balance),
        overduePence: pence(row.overdue),
        oldestDueOn: row.oldest_due_on,
      })),
      total: Number(total.n),
      balancePence: pence(total.balance),
    };
  }

  /** How many issued documents the export of `filter` holds (for its audit entry). */
  async countExported(filter: DocumentFilter): Promise<number> {
    const issued = exported(filter);
    if (!issued) return 0;
    const row = await this.matching(issued)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * The export's next batch: issued (or paid) documents by issue date, then
   * kind and number order, after the last row of the batch before (keyset
   * paging, so each batch is one indexed read however far in).
   */
  async exportBatch(
    filter: DocumentFilter,
    after: { issuedOn: string; id: number } | null,
    limit: number,
  ) {
    const issued = exported(filter);
    if (!issued) return [];
    let page = this.matching(issued).select('invoices.id');
    if (after) {
      page = page.where((eb) =>
        eb.or([
          eb('invoices.issued_on', '>', after.issuedOn),
          eb.and([eb('invoices.issued_on', '=', after.issuedOn), eb('invoices.id', '>', after.id)]),
        ]),
      );
    }
    const ids = (
      await page.orderBy('invoices.issued_on').orderBy('invoices.id').limit(limit).execute()
    ).map((row) => row.id);
    if (!ids.length) return [];
    const [rows, lines] = await Promise.all([
      this.db
        .selectFrom('invoices')
        .leftJoin('invoices as credited', 'credited.id', 'invoices.credits_invoice_id')
        .where('invoices.id', 'in', ids)
        .select([
          'invoices.id',
          'invoices.kind',
          'invoices.number',
          'invoices.issued_on',
          'invoices.due_on',
          'invoices.customer_name',
          'invoices.purchase_order',
          'invoices.reason',
          'invoices.net_pence',
          'invoices.vat_pence',
          'invoices.gross_pence',
          'credited.number as credits_number',
        ])
        .orderBy('invoices.issued_on')
        .orderBy('invoices.id')
        .execute(),
      this.db
        .selectFrom('invoice_lines')
        .where('invoice_id', 'in', ids)
        .groupBy('invoice_id')
        .select(['invoice_id', (eb) => eb.fn.countAll<number | string>().as('n')])
        .execute(),
    ]);
    const lineCounts = new Map(lines.map((line) => [line.invoice_id, Number(line.n)]));
    return rows.map((row) => ({
      ...row,
      // Every exported document is issued, so it has its number and date.
      number: row.number ?? '',
      issued_on: row.issued_on ?? '',
      lines: lineCounts.get(row.id) ?? 0,
    }));
  }
}

/**
 * The export holds issued and paid documents only, whatever the filter's
 * states: null when the filter asks only for drafts or void ones.
 */
function exported(filter: DocumentFilter): DocumentFilter | null {
  const states = (filter.states?.length ? filter.states : ISSUED_STATES).filter((state) =>
    ISSUED_STATES.includes(state),
  );
  return states.length ? { ...filter, states } : null;
}
