/**
 * The invoice service's SQL: organisations' billing details, paid places
 * charged, confirmed charges gathered onto drafts, documents numbered,
 * issued, paid, voided and credited. Every write that needs it runs under
 * the invoice lock (data/invoiceLock.ts), and the ones that race anything
 * else are conditional updates that say whether they landed.
 */
import { sql } from 'kysely';

import type { InvoiceFrequency, InvoiceState } from '../../../domain/charges/charges.js';
import type { DocumentKind } from '../../../domain/charges/invoiceNumbers.js';
import type { Executor } from '../../schema.js';

export interface BillingDetails {
  billingContact: string;
  billingEmail: string;
  billingAddress: string;
  purchaseOrder: string;
  invoiceFrequency: InvoiceFrequency;
}

/** The customer as a document names it: copied from the organisation. */
export interface Customer {
  customer_name: string;
  billing_contact: string;
  billing_email: string;
  billing_address: string;
  purchase_order: string;
}

export interface NewLine {
  invoice_id: number;
  position: number;
  charge_id: number | null;
  credits_line_id: number | null;
  description: string;
  delegate_name: string;
  session_date: string;
  net_pence: number;
  vat_pence: number;
  gross_pence: number;
}

/** How many rows to write in one statement (well under both databases' parameter limits). */
const BATCH = 200;

export class InvoiceRepository {
  constructor(private readonly db: Executor) {}

  within(trx: Executor): InvoiceRepository {
    return new InvoiceRepository(trx);
  }

  organisation(id: number) {
    return this.db
      .selectFrom('organisations')
      .where('id', '=', id)
      .select([
        'id',
        'name',
        'merged_into_id',
        'billing_contact',
        'billing_email',
        'billing_address',
        'purchase_order',
        'invoice_frequency',
      ])
      .executeTakeFirst();
  }

  async updateBillingDetails(id: number, details: BillingDetails): Promise<void> {
    await this.db
      .updateTable('organisations')
      .set({
        billing_contact: details.billingContact,
        billing_email: details.billingEmail,
        billing_address: details.billingAddress,
        purchase_order: details.purchaseOrder,
        invoice_frequency: details.invoiceFrequency,
      })
      .where('id', '=', id)
      .execute();
  }

  /**
   * A confirmed `place` charge for each paid place whose session has started
   * (and was not cancelled), on a booking still confirmed, with the
   * organisation its price was fixed for (`bookings.organisation_id`, not the
   * delegate's now), and no live charge of any kind yet: one statement, so
   * running it twice adds nothing the second time. Returns how many were added.
   */
  async chargePaidPlaces(now: string): Promise<number> {
    const result = await this.db
      .insertInto('charges')
      .columns([
        'booking_id',
        'organisation_id',
        'kind',
        'state',
        'proposed_pence',
        'amount_pence',
        'created_at',
        'decided_at',
      ])
      .expression((eb) =>
        eb
          .selectFrom('bookings')
          .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
          .where('bookings.state', '=', 'confirmed')
          .where('bookings.price_pence', '>', 0)
          .where('sessions.starts_at', '<=', now)
          .where('sessions.cancelled_at', 'is', null)
          .where('bookings.organisation_id', 'is not', null)
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('charges as live')
                  .whereRef('live.booking_id', '=', 'bookings.id')
                  .where('live.state', '<>', 'withdrawn')
                  .select('live.id'),
              ),
            ),
          )
          .select([
            'bookings.id',
            sql<number>`bookings.organisation_id`.as('organisation_id'),
            sql.lit('place').as('kind'),
            sql.lit('confirmed').as('state'),
            'bookings.price_pence as proposed_pence',
            'bookings.price_pence as amount_pence',
            sql<string>`cast(${now} as text)`.as('created_at'),
            sql<string>`cast(${now} as text)`.as('decided_at'),
          ]),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0);
  }

  /**
   * Confirmed charges with something owed and on no invoice, with what their
   * lines say. A charge of an organisation since merged into another is
   * invoiced to the one it was merged into, as it wants to be invoiced.
   * Nothing on a cancelled session, and no place on a cancelled booking (a
   * late cancellation's fee is on a cancelled booking, and is owed): those
   * are withdrawn by the cancellation, and never invoiced meanwhile.
   */
  dueCharges() {
    return this.db
      .selectFrom('charges')
      .innerJoin('bookings', 'bookings.id', 'charges.booking_id')
      .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .innerJoin('organisations', 'organisations.id', 'charges.organisation_id')
      .leftJoin('organisations as kept', 'kept.id', 'organisations.merged_into_id')
      .where('charges.state', '=', 'confirmed')
      .where('charges.invoice_id', 'is', null)
      .where('charges.amount_pence', '>', 0)
      .where('sessions.cancelled_at', 'is', null)
      .where((eb) => eb.or([eb('charges.kind', '<>', 'place'), eb('bookings.state', '<>', 'cancelled')]))
      .select((eb) => [
        'charges.id',
        'charges.kind',
        'charges.booking_id',
        eb.fn.coalesce('kept.id', 'organisations.id').as('organisation_id'),
        eb.fn.coalesce('kept.invoice_frequency', 'organisations.invoice_frequency').as('invoice_frequency'),
        'delegates.name as delegate_name',
        'sessions.starts_at',
        'courses.title as course_title',
      ])
      .orderBy('charges.organisation_id')
      .orderBy('sessions.starts_at')
      .orderBy('charges.id')
      .execute();
  }

  /** Customers' details, for the organisations given. */
  async customers(organisationIds: readonly number[]): Promise<Map<number, Customer>> {
    const found = new Map<number, Customer>();
    for (let i = 0; i < organisationIds.length; i += BATCH) {
      const rows = await this.db
        .selectFrom('organisations')
        .where('id', 'in', organisationIds.slice(i, i + BATCH))
        .select([
          'id',
          'name as customer_name',
          'billing_contact',
          'billing_email',
          'billing_address',
          'purchase_order',
        ])
        .execute();
      for (const { id, ...customer } of rows) found.set(id, customer);
    }
    return found;
  }

  /** Open drafts of invoices (not credit notes) for the organisations given. */
  async drafts(organisationIds: readonly number[]) {
    const rows: {
      id: number;
      organisation_id: number;
      booking_id: number | null;
      vat_rate_basis_points: number;
    }[] = [];
    for (let i = 0; i < organisationIds.length; i += BATCH) {
      rows.push(
        ...(await this.db
          .selectFrom('invoices')
          .where('kind', '=', 'invoice')
          .where('state', '=', 'draft')
          .where('organisation_id', 'in', organisationIds.slice(i, i + BATCH))
          .select(['id', 'organisation_id', 'booking_id', 'vat_rate_basis_points'])
          .orderBy('id')
          .execute()),
      );
    }
    return rows;
  }

  async createDocument(values: {
    kind: DocumentKind;
    state: InvoiceState;
    organisation_id: number;
    booking_id: number | null;
    credits_invoice_id: number | null;
    customer: Customer;
    vat_rate_basis_points: number;
    reason: string;
    created_at: string;
    created_by_staff_id: number | null;
  }): Promise<number> {
    const { customer, ...rest } = values;
    const row = await this.db
      .insertInto('invoices')
      .values({ ...rest, ...customer })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /**
   * The organisation a merged one's invoices now go to: its `merged_into_id`
   * followed to the end (the organisation itself when it was never merged).
   */
  async keptOrganisation(organisationId: number): Promise<number> {
    let id = organisationId;
    const seen = new Set<number>();
    while (!seen.has(id)) {
      seen.add(id);
      const row = await this.db
        .selectFrom('organisations')
        .where('id', '=', id)
        .select('merged_into_id')
        .executeTakeFirst();
      if (!row || row.merged_into_id === null) return id;
      id = Number(row.merged_into_id);
    }
    return id;
  }

  /** Moves a draft to another organisation (the one its own was merged into); only while a draft. */
  async moveDraft(invoiceId: number, organisationId: number): Promise<void> {
    await this.db
      .updateTable('invoices')
      .set({ organisation_id: organisationId })
      .where('id', '=', invoiceId)
      .where('state', '=', 'draft')
      .execute();
  }

  /**
   * Open drafts of organisations since merged, moved to the organisation each
   * was merged into (one step a pass; the caller repeats until none are left):
   * the ones moved, each with where it went.
   */
  async moveDraftsOfMerged(): Promise<{ id: number; organisation_id: number }[]> {
    const result = await this.db
      .updateTable('invoices')
      .set((eb) => ({
        organisation_id: eb
          .selectFrom('organisations')
          .whereRef('organisations.id', '=', 'invoices.organisation_id')
          .select(sql<number>`organisations.merged_into_id`.as('kept')),
      }))
      .where('state', '=', 'draft')
      .where('kind', '=', 'invoice')
      .where('organisation_id', 'in', (eb) =>
        eb.selectFrom('organisations').where('merged_into_id', 'is not', null).select('organisations.id'),
      )
      .returning(['id', 'organisation_id'])
      .execute();
    return result.map((row) => ({ id: Number(row.id), organisation_id: Number(row.organisation_id) }));
  }

  /** Deletes a draft made a moment ago that nothing went on. */
  async deleteEmptyDraft(invoiceId: number): Promise<void> {
    await this.db.deleteFrom('invoices').where('id', '=', invoiceId).where('state', '=', 'draft').execute();
  }

  /**
   * Puts charges on an invoice, each only if it is still confirmed and on no
   * invoice (a coordinator may have waived it a moment ago): the ones that
   * landed, with what they are owed.
   */
  async claimCharges(invoiceId: number, chargeIds: readonly number[]) {
    const claimed: { id: number; amount_pence: number }[] = [];
    for (let i = 0; i < chargeIds.length; i += BATCH) {
      const rows = await this.db
        .updateTable('charges')
        .set({ invoice_id: invoiceId })
        .where('id', 'in', chargeIds.slice(i, i + BATCH))
        .where('state', '=', 'confirmed')
        .where('invoice_id', 'is', null)
        .returning(['id', 'amount_pence'])
        .execute();
      for (const row of rows) claimed.push({ id: Number(row.id), amount_pence: Number(row.amount_pence) });
    }
    return claimed;
  }

  async nextPosition(invoiceId: number): Promise<number> {
    const row = await this.db
      .selectFrom('invoice_lines')
      .where('invoice_id', '=', invoiceId)
      .select((eb) => eb.fn.max('position').as('last'))
      .executeTakeFirst();
    return Number(row?.last ?? 0) + 1;
  }

  async insertLines(lines: readonly NewLine[]): Promise<void> {
    for (let i = 0; i < lines.length; i += BATCH) {
      await this.db
        .insertInto('invoice_lines')
        .values(lines.slice(i, i + BATCH))
        .execute();
    }
  }

  /** Each line's amounts, for the document's totals. */
  async lineAmounts(invoiceId: number) {
    const rows = await this.db
      .selectFrom('invoice_lines')
      .where('invoice_id', '=', invoiceId)
      .select(['net_pence', 'vat_pence', 'gross_pence'])
      .execute();
    return rows.map((r) => ({
      netPence: Number(r.net_pence),
      vatPence: Number(r.vat_pence),
      grossPence: Number(r.gross_pence),
    }));
  }

  async setTotals(
    invoiceId: number,
    totals: { netPence: number; vatPence: number; grossPence: number },
    extra: Partial<Customer> = {},
  ): Promise<void> {
    await this.db
      .updateTable('invoices')
      .set({
        net_pence: totals.netPence,
        vat_pence: totals.vatPence,
        gross_pence: totals.grossPence,
        ...extra,
      })
      .where('id', '=', invoiceId)
      .execute();
  }

  /** A document with its organisation's name and, for a credit note, the number of the invoice it credits. */
  document(id: number) {
    return this.db
      .selectFrom('invoices')
      .leftJoin('invoices as credited', 'credited.id', 'invoices.credits_invoice_id')
      .where('invoices.id', '=', id)
      .selectAll('invoices')
      .select([
        'credited.number as credits_number',
        'credited.state as credits_state',
        'credited.paid_at as credits_paid_at',
        'credited.paid_on as credits_paid_on',
      ])
      .executeTakeFirst();
  }

  lines(invoiceId: number) {
    return this.db
      .selectFrom('invoice_lines')
      .leftJoin('charges', 'charges.id', 'invoice_lines.charge_id')
      .where('invoice_lines.invoice_id', '=', invoiceId)
      .selectAll('invoice_lines')
      .select(['charges.kind as charge_kind', 'charges.state as charge_state'])
      .orderBy('invoice_lines.position')
      .orderBy('invoice_lines.id')
      .execute();
  }

  /** The credit notes against an invoice, oldest first. */
  creditNotes(invoiceId: number) {
    return this.db
      .selectFrom('invoices')
      .where('credits_invoice_id', '=', invoiceId)
      .where('kind', '=', 'credit_note')
      .select(['id', 'number', 'issued_on', 'issued_at', 'gross_pence', 'reason'])
      .orderBy('id')
      .execute();
  }

  /** Drafts, oldest first, with their customer and how many lines. */
  draftList() {
    return this.db
      .selectFrom('invoices')
      .where('kind', '=', 'invoice')
      .where('state', '=', 'draft')
      .select((eb) => [
        'invoices.id',
        'invoices.customer_name',
        'invoices.booking_id',
        'invoices.gross_pence',
        'invoices.created_at',
        eb
          .selectFrom('invoice_lines')
          .whereRef('invoice_lines.invoice_id', '=', 'invoices.id')
          .select((e) => e.fn.countAll<number>().as('n'))
          .as('line_count'),
      ])
      .orderBy('invoices.id')
      .execute();
  }

  /** The latest issued documents, newest first. */
  recentlyIssued(limit: number) {
    return this.db
      .selectFrom('invoices')
      .where('state', 'in', ['issued', 'paid'])
      .select(['id', 'kind', 'state', 'number', 'customer_name', 'issued_on', 'gross_pence'])
      .orderBy('issued_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  draftIds() {
    return this.db
      .selectFrom('invoices')
      .where('kind', '=', 'invoice')
      .where('state', '=', 'draft')
      .select('id')
      .orderBy('id')
      .execute();
  }

  /** Voids a draft (only while a draft) and lets its charges go; false when it was not a draft. */
  async voidDraft(invoiceId: number, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable('invoices')
      .set({ state: 'void', voided_at: now })
      .where('id', '=', invoiceId)
      .where('state', '=', 'draft')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    await this.db.updateTable('charges').set({ invoice_id: null }).where('invoice_id', '=', invoiceId).execute();
    return true;
  }

  /** The next number in a kind's sequence for a financial year: the row made if need be, then raised. */
  async nextSequence(kind: DocumentKind, financialYear: number): Promise<number> {
    await this.db
      .insertInto('invoice_sequences')
      .values({ kind, financial_year: financialYear, last_sequence: 0 })
      .onConflict((oc) => oc.columns(['kind', 'financial_year']).doNothing())
      .execute();
    const row = await this.db
      .updateTable('invoice_sequences')
      .set((eb) => ({ last_sequence: eb('last_sequence', '+', 1) }))
      .where('kind', '=', kind)
      .where('financial_year', '=', financialYear)
      .returning('last_sequence')
      .executeTakeFirstOrThrow();
    return Number(row.last_sequence);
  }

  /** Issues a draft with its number: only if it is still a draft (the caller rolls back otherwise). */
  async issue(
    invoiceId: number,
    values: Customer & {
      number: string;
      financial_year: number;
      sequence: number;
      issued_at: string;
      issued_by_staff_id: number | null;
      issued_on: string;
      due_on: string | null;
      /** The hub as the document prints it, JSON: fixed at issue with the rest. */
      issuer: string;
    },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('invoices')
      .set({ ...values, state: 'issued' })
      .where('id', '=', invoiceId)
      .where('state', '=', 'draft')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Net already credited against an invoice line by credit notes. */
  async creditedNet(lineIds: readonly number[]): Promise<Map<number, number>> {
    const found = new Map<number, number>();
    if (!lineIds.length) return found;
    const rows = await this.db
      .selectFrom('invoice_lines')
      .where('credits_line_id', 'in', lineIds)
      .groupBy('credits_line_id')
      .select((eb) => ['credits_line_id', eb.fn.sum<number>('net_pence').as('net')])
      .execute();
    for (const row of rows) found.set(Number(row.credits_line_id), Number(row.net));
    return found;
  }

  /**
   * Raises a line's credited amount, only if it stays within the line's
   * gross: false when that much is no longer left (another credit note got
   * there first), and nothing changes.
   */
  async creditLine(invoiceId: number, lineId: number, grossPence: number): Promise<boolean> {
    const result = await this.db
      .updateTable('invoice_lines')
      .set((eb) => ({ credited_pence: eb('credited_pence', '+', grossPence) }))
      .where('id', '=', lineId)
      .where('invoice_id', '=', invoiceId)
      .where(sql<boolean>`credited_pence + ${grossPence} <= gross_pence`)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Waives confirmed charges put right by a credit note: the ones that were waived. */
  /**
   * Waives confirmed charges a credit note put right, as the review queue
   * waives one: nothing owed (no amount) and the decision's note replaced.
   * Returns each waived charge with its kind, for the delegate's email.
   */
  async waiveCharges(ids: readonly number[], reason: string, staffId: number, now: string) {
    if (!ids.length) return [];
    const rows = await this.db
      .updateTable('charges')
      .set({
        state: 'waived',
        amount_pence: null,
        waiver_reason: reason,
        decision_note: '',
        decided_at: now,
        decided_by_staff_id: staffId,
      })
      .where('id', 'in', ids)
      .where('state', '=', 'confirmed')
      .returning(['id', 'kind'])
      .execute();
    return rows.map((r) => ({ id: Number(r.id), kind: r.kind }));
  }

  /** What credit notes have taken off an invoice so far, in pence. */
  async creditedTotal(invoiceId: number): Promise<number> {
    const row = await this.db
      .selectFrom('invoices')
      .where('credits_invoice_id', '=', invoiceId)
      .where('kind', '=', 'credit_note')
      .where('state', 'in', ['issued', 'paid'])
      .select((eb) => eb.fn.sum<number | string>('gross_pence').as('credited'))
      .executeTakeFirst();
    return Number(row?.credited ?? 0);
  }

  /** Records an issued invoice paid; false unless it was issued (not a draft, not paid already). */
  async markPaid(invoiceId: number, paidOn: string, reference: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable('invoices')
      .set({ state: 'paid', paid_on: paidOn, paid_reference: reference, paid_at: now })
      .where('id', '=', invoiceId)
      .where('kind', '=', 'invoice')
      .where('state', '=', 'issued')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
