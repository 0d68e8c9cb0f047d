/**
 * The demo loader's second set of queries: charges and invoices put in as
 * they are, so a newcomer's charge queue and finance pages have figures on
 * the first start (src/demo/demoCharges.ts says what). Nothing here keeps
 * the invoicing rules (the run's lock, issuing under it): invoices made
 * while Trellis runs go through the invoice service. It keeps what every
 * writer of an issued document must: the next number of its kind and
 * financial year from `invoice_sequences`, totals that are the sums of its
 * lines, and a credit note's amounts counted on the lines it credits.
 * Tests use `insertDocument` to set up invoices and credit notes too.
 */
import type { Kysely, Transaction } from 'kysely';

import type { ChargeKind, ChargeState, DelegateReason, InvoiceFrequency } from '../../../domain/charges/charges.js';
import { documentNumber, documentTotals, type DocumentKind } from '../../../domain/charges/invoiceNumbers.js';
import type { DB, Instant, OrganisationType } from '../../schema.js';

type Executor = Kysely<DB> | Transaction<DB>;

export interface BillingDetails {
  contact: string;
  email: string;
  /** Lines joined with "\n". */
  address: string;
  purchaseOrder: string;
  frequency: InvoiceFrequency;
}

export interface DemoCharge {
  bookingId: number;
  organisationId: number;
  kind: ChargeKind;
  state: Exclude<ChargeState, 'withdrawn'>;
  proposedPence: number;
  /** What is owed once confirmed; null while proposed (and for a waived charge). */
  amountPence: number | null;
  createdAt: Instant;
  delegateReason?: DelegateReason | null;
  delegateNote?: string;
  delegateAnsweredAt?: Instant | null;
  decidedAt?: Instant | null;
  waiverReason?: string | null;
  decisionNote?: string;
}

export interface NewDocumentLine {
  chargeId?: number | null;
  /** A credit note's line: the invoice line it credits (its `credited_pence` goes up by this line's gross). */
  creditsLineId?: number | null;
  description: string;
  delegateName: string;
  /** London date, YYYY-MM-DD. */
  sessionDate: string;
  /** Positive pence, on a credit note as on an invoice. */
  netPence: number;
  vatPence: number;
  grossPence: number;
}

/** An invoice or credit note as issued (or paid): numbered in its financial year. */
export interface NewDocument {
  kind: DocumentKind;
  state: 'issued' | 'paid';
  organisationId: number;
  bookingId?: number | null;
  creditsInvoiceId?: number | null;
  customerName: string;
  billingContact?: string;
  billingEmail?: string;
  billingAddress?: string;
  purchaseOrder?: string;
  vatRateBasisPoints?: number;
  reason?: string;
  financialYear: number;
  issuedAt: Instant;
  /** London dates, YYYY-MM-DD. */
  issuedOn: string;
  dueOn: string | null;
  paidOn?: string | null;
  paidReference?: string | null;
  lines: readonly NewDocumentLine[];
}

export class DemoChargesRepository {
  constructor(private readonly db: Executor) {}

  async setBillingDetails(organisationId: number, details: BillingDetails) {
    await this.db
      .updateTable('organisations')
      .set({
        billing_contact: details.contact,
        billing_email: details.email.toLowerCase(),
        billing_address: details.address,
        purchase_order: details.purchaseOrder,
        invoice_frequency: details.frequency,
      })
      .where('id', '=', organisationId)
      .execute();
  }

  /**
   * A course's price for some organisation types, and the price agreed on
   * its confirmed places already booked by delegates of those types (the
   * price they were shown).
   */
  async priceCourse(courseSlug: string, prices: readonly { type: OrganisationType; pence: number }[]) {
    const course = await this.db
      .selectFrom('courses')
      .where('slug', '=', courseSlug)
      .select('id')
      .executeTakeFirstOrThrow();
    if (!prices.length) return;
    await this.db
      .insertInto('course_prices')
      .values(prices.map((p) => ({ course_id: course.id, organisation_type: p.type, amount_pence: p.pence })))
      .execute();
    for (const price of prices) {
      await this.db
        .updateTable('bookings')
        .set({ price_pence: price.pence })
        .where('session_id', 'in', this.db.selectFrom('sessions').where('course_id', '=', course.id).select('id'))
        .where('state', '=', 'confirmed')
        .where(
          'delegate_id',
          'in',
          this.db
            .selectFrom('delegates')
            .innerJoin('organisations', 'organisations.id', 'delegates.organisation_id')
            .where('organisations.type', '=', price.type)
            .select('delegates.id'),
        )
        .execute();
    }
  }

  /** Places on past sessions, with who, their organisation (and its billing details), the session and its parts. */
  async places(bookingIds: readonly number[]) {
    if (!bookingIds.length) return [];
    const [rows, parts] = await Promise.all([
      this.db
        .selectFrom('bookings')
        .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
        .innerJoin('organisations', 'organisations.id', 'delegates.organisation_id')
        .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
        .innerJoin('courses', 'courses.id', 'sessions.course_id')
        .where('bookings.id', 'in', bookingIds)
        .select([
          'bookings.id as booking_id',
          'bookings.session_id',
          'delegates.name as delegate_name',
          'organisations.id as organisation_id',
          'organisations.name as organisation_name',
          'organisations.type as organisation_type',
          'organisations.billing_contact',
          'organisations.billing_email',
          'organisations.billing_address',
          'organisations.purchase_order',
          'organisations.invoice_frequency',
          'sessions.starts_at',
          'sessions.ends_at',
          'courses.title as course_title',
        ])
        .orderBy('sessions.starts_at')
        .orderBy('bookings.id')
        .execute(),
      this.db
        .selectFrom('session_parts')
        .innerJoin('bookings', 'bookings.session_id', 'session_parts.session_id')
        .where('bookings.id', 'in', bookingIds)
        .select(['session_parts.session_id', 'session_parts.starts_at', 'session_parts.ends_at'])
        .distinct()
        .orderBy('session_parts.session_id')
        .orderBy('session_parts.starts_at')
        .execute(),
    ]);
    return rows.map((row) => ({
      ...row,
      parts: parts.filter((part) => part.session_id === row.session_id),
    }));
  }

  async insertCharge(charge: DemoCharge): Promise<number> {
    const row = await this.db
      .insertInto('charges')
      .values({
        booking_id: charge.bookingId,
        organisation_id: charge.organisationId,
        kind: charge.kind,
        state: charge.state,
        proposed_pence: charge.proposedPence,
        amount_pence: charge.amountPence,
        created_at: charge.createdAt,
        delegate_reason: charge.delegateReason ?? null,
        delegate_note: charge.delegateNote ?? '',
        delegate_answered_at: charge.delegateAnsweredAt ?? null,
        decided_at: charge.decidedAt ?? null,
        decided_by_staff_id: null,
        waiver_reason: charge.waiverReason ?? null,
        decision_note: charge.decisionNote ?? '',
        invoice_id: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /**
   * An issued (or paid) invoice or credit note with its lines: the next
   * number of its kind in its financial year, totals the sums of its lines,
   * its charges marked as on it, and a credit note's lines counted as
   * credited on the invoice lines they credit.
   */
  async insertDocument(document: NewDocument): Promise<{ id: number; number: string; lineIds: number[] }> {
    const sequence = await this.nextSequence(document.kind, document.financialYear);
    const number = documentNumber(document.kind, document.financialYear, sequence);
    const totals = documentTotals(document.lines);
    const { id } = await this.db
      .insertInto('invoices')
      .values({
        kind: document.kind,
        state: document.state,
        organisation_id: document.organisationId,
        booking_id: document.bookingId ?? null,
        credits_invoice_id: document.creditsInvoiceId ?? null,
        number,
        financial_year: document.financialYear,
        sequence,
        customer_name: document.customerName,
        billing_contact: document.billingContact ?? '',
        billing_email: document.billingEmail ?? '',
        billing_address: document.billingAddress ?? '',
        purchase_order: document.purchaseOrder ?? '',
        vat_rate_basis_points: document.vatRateBasisPoints ?? 0,
        net_pence: totals.netPence,
        vat_pence: totals.vatPence,
        gross_pence: totals.grossPence,
        reason: document.reason ?? '',
        created_at: document.issuedAt,
        created_by_staff_id: null,
        issued_at: document.issuedAt,
        issued_by_staff_id: null,
        issued_on: document.issuedOn,
        due_on: document.dueOn,
        paid_on: document.state === 'paid' ? (document.paidOn ?? document.issuedOn) : null,
        paid_reference: document.state === 'paid' ? (document.paidReference ?? '') : null,
        voided_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const lineIds: number[] = [];
    for (const [index, line] of document.lines.entries()) {
      const row = await this.db
        .insertInto('invoice_lines')
        .values({
          invoice_id: id,
          position: index + 1,
          charge_id: line.chargeId ?? null,
          credits_line_id: line.creditsLineId ?? null,
          description: line.description,
          delegate_name: line.delegateName,
          session_date: line.sessionDate,
          net_pence: line.netPence,
          vat_pence: line.vatPence,
          gross_pence: line.grossPence,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      lineIds.push(row.id);
      if (line.chargeId && document.kind === 'invoice') {
        await this.db.updateTable('charges').set({ invoice_id: id }).where('id', '=', line.chargeId).execute();
      }
      if (line.creditsLineId) {
        await this.db
          .updateTable('invoice_lines')
          .set((eb) => ({ credited_pence: eb('credited_pence', '+', line.grossPence) }))
          .where('id', '=', line.creditsLineId)
          .execute();
      }
    }
    return { id, number, lineIds };
  }

  /** The next number in a kind's sequence for a financial year, counted in `invoice_sequences`. */
  private async nextSequence(kind: DocumentKind, financialYear: number): Promise<number> {
    const current = await this.db
      .selectFrom('invoice_sequences')
      .where('kind', '=', kind)
      .where('financial_year', '=', financialYear)
      .select('last_sequence')
      .executeTakeFirst();
    const next = (current?.last_sequence ?? 0) + 1;
    if (current) {
      await this.db
        .updateTable('invoice_sequences')
        .set({ last_sequence: next })
        .where('kind', '=', kind)
        .where('financial_year', '=', financialYear)
        .execute();
    } else {
      await this.db
        .insertInto('invoice_sequences')
        .values({ kind, financial_year: financialYear, last_sequence: next })
        .execute();
    }
    return next;
  }
}
