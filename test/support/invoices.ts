/**
 * Issued invoices and credit notes for tests, put straight into the
 * database (numbered in their financial year, totals the sums of their
 * lines), as the invoice service would have left them: for tests of what
 * reads them (finance pages, the export) without running the invoice run.
 */
import type { Kysely } from 'kysely';

import { DemoChargesRepository } from '../../src/data/repositories/charges/demoChargesRepository.js';
import type { DB, OrganisationType } from '../../src/data/schema.js';
import { financialYearOf, lineAmounts } from '../../src/domain/charges/invoiceNumbers.js';
import { addDays } from '../../src/domain/time/time.js';

export interface TestInvoice {
  id: number;
  number: string;
  lineIds: number[];
  organisationId: number;
}

/** An organisation with billing details, named as the test likes (formulas and all). */
export async function billedOrganisation(
  db: Kysely<DB>,
  name: string,
  options: { type?: OrganisationType; purchaseOrder?: string } = {},
): Promise<number> {
  const row = await db
    .insertInto('organisations')
    .values({
      name,
      type: options.type ?? 'partner_agency',
      confirmed_at: '2025-01-01T00:00:00.000Z',
      created_at: '2025-01-01T00:00:00.000Z',
      billing_contact: 'Accounts payable',
      billing_email: 'invoices@example.org.uk',
      billing_address: '1 High Street\nTown\nAB1 2CD',
      purchase_order: options.purchaseOrder ?? '',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * An issued (or paid) invoice with a line per amount (net pence), VAT at
 * `vatRateBasisPoints`, due 30 days after issue.
 */
export async function issuedInvoice(
  db: Kysely<DB>,
  options: {
    organisationId: number;
    issuedOn: string;
    netPence: readonly number[];
    vatRateBasisPoints?: number;
    paidOn?: string;
    purchaseOrder?: string;
    financialYearStartMonth?: number;
  },
): Promise<TestInvoice> {
  const organisation = await db
    .selectFrom('organisations')
    .where('id', '=', options.organisationId)
    .selectAll()
    .executeTakeFirstOrThrow();
  const rate = options.vatRateBasisPoints ?? 0;
  const document = await new DemoChargesRepository(db).insertDocument({
    kind: 'invoice',
    state: options.paidOn ? 'paid' : 'issued',
    organisationId: organisation.id,
    customerName: organisation.name,
    billingContact: organisation.billing_contact,
    billingEmail: organisation.billing_email,
    billingAddress: organisation.billing_address,
    purchaseOrder: options.purchaseOrder ?? organisation.purchase_order,
    vatRateBasisPoints: rate,
    financialYear: financialYearOf(options.issuedOn, options.financialYearStartMonth ?? 4),
    issuedAt: `${options.issuedOn}T10:00:00.000Z`,
    issuedOn: options.issuedOn,
    dueOn: addDays(options.issuedOn, 30),
    ...(options.paidOn ? { paidOn: options.paidOn, paidReference: 'BACS 123' } : {}),
    lines: options.netPence.map((net, index) => ({
      description: `Training course — line ${index + 1}`,
      delegateName: `Delegate ${index + 1}`,
      sessionDate: options.issuedOn,
      ...lineAmounts(net, rate),
    })),
  });
  return { ...document, organisationId: organisation.id };
}

/** A credit note against an invoice: `grossPence[i]` credited on its line i (VAT at the invoice's rate). */
export async function issuedCreditNote(
  db: Kysely<DB>,
  invoice: TestInvoice,
  options: {
    issuedOn: string;
    netPence: readonly number[];
    reason: string;
    financialYearStartMonth?: number;
  },
): Promise<TestInvoice> {
  const row = await db
    .selectFrom('invoices')
    .where('id', '=', invoice.id)
    .selectAll()
    .executeTakeFirstOrThrow();
  const document = await new DemoChargesRepository(db).insertDocument({
    kind: 'credit_note',
    state: 'issued',
    organisationId: row.organisation_id,
    creditsInvoiceId: row.id,
    customerName: row.customer_name,
    purchaseOrder: row.purchase_order,
    vatRateBasisPoints: row.vat_rate_basis_points,
    reason: options.reason,
    financialYear: financialYearOf(options.issuedOn, options.financialYearStartMonth ?? 4),
    issuedAt: `${options.issuedOn}T10:00:00.000Z`,
    issuedOn: options.issuedOn,
    dueOn: null,
    lines: options.netPence.map((net, index) => ({
      creditsLineId: invoice.lineIds[index]!,
      description: `Credit: line ${index + 1}`,
      delegateName: `Delegate ${index + 1}`,
      sessionDate: options.issuedOn,
      ...lineAmounts(net, row.vat_rate_basis_points),
    })),
  });
  return { ...document, organisationId: row.organisation_id };
}
