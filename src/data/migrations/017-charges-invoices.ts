/**
 * Fair charges and invoices (domain/charges/).
 *
 * - `course_prices` and `session_prices`: what a place costs, per
 *   organisation type, in whole pence; no row means free. A session's own
 *   price for a type replaces its course's. Both show on public pages, so they
 *   are watched for the page cache.
 * - `bookings.price_pence`: the price the delegate was shown and agreed to
 *   when the place was booked (for their organisation's type), kept so a
 *   later change of price never changes what they agreed.
 * - `organisations` gain billing details: who receives invoices, where, the
 *   purchase-order number, and whether they want one invoice a month or one
 *   per booking.
 * - `charges`: one row per thing an organisation may pay for: a paid place,
 *   or a proposed late-cancellation or non-attendance fee, which stays
 *   `proposed` until a coordinator confirms, reduces or waives it. Only one
 *   live (not withdrawn) charge of each kind per booking. `invoice_id` is the
 *   live invoice it is on (a voided draft lets it go again).
 * - `invoices`: invoices and credit notes alike (`kind`). A number is given
 *   only at issue, from `invoice_sequences` (one counter per kind and
 *   financial year), so numbers have no gaps; the unique constraints make a
 *   duplicate impossible whatever the concurrency. The customer's details are
 *   copied onto the invoice, because an issued invoice never changes.
 * - `invoice_lines`: one line per delegate and session; a credit note's line
 *   credits an invoice line (`credits_line_id`), whose `credited_pence` keeps
 *   the running total so credit can never exceed what it credits.
 *
 * Money is whole pence in integer columns, never a float.
 */
import { sql, type Kysely } from 'kysely';

import { PUBLIC_PAGE_TABLES_BY_MIGRATION } from '../publicPageTables.js';
import { watchForPublicPages, unwatchForPublicPages } from './002-public-pages-version.js';
import { withId } from './columns.js';
import type { DialectMigration } from './dialectMigration.js';

// The tables as this migration watched them, whatever is added to the list later.
const WATCHED_TABLES = PUBLIC_PAGE_TABLES_BY_MIGRATION['017-charges-invoices'];

const ORGANISATION_TYPE = sql`organisation_type in ('partner_agency', 'voluntary', 'private', 'out_of_area')`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const chargesInvoices: DialectMigration = (dialect) => {
  const identity = withId(dialect);
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('course_prices')
        .addColumn('course_id', 'integer', (c) => c.notNull().references('courses.id').onDelete('cascade'))
        .addColumn('organisation_type', 'text', (c) => c.notNull().check(ORGANISATION_TYPE))
        .addColumn('amount_pence', 'integer', (c) => c.notNull().check(sql`amount_pence >= 0`))
        .addPrimaryKeyConstraint('course_prices_pk', ['course_id', 'organisation_type'])
        .execute();
      await db.schema
        .createTable('session_prices')
        .addColumn('session_id', 'integer', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('organisation_type', 'text', (c) => c.notNull().check(ORGANISATION_TYPE))
        .addColumn('amount_pence', 'integer', (c) => c.notNull().check(sql`amount_pence >= 0`))
        .addPrimaryKeyConstraint('session_prices_pk', ['session_id', 'organisation_type'])
        .execute();

      await db.schema
        .alterTable('bookings')
        .addColumn('price_pence', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();

      for (const column of ['billing_contact', 'billing_email', 'billing_address', 'purchase_order']) {
        await db.schema
          .alterTable('organisations')
          .addColumn(column, 'text', (c) => c.notNull().defaultTo(''))
          .execute();
      }
      await db.schema
        .alterTable('organisations')
        .addColumn('invoice_frequency', 'text', (c) =>
          c.notNull().defaultTo('monthly').check(sql`invoice_frequency in ('monthly', 'per_booking')`),
        )
        .execute();

      await identity(db.schema.createTable('invoices'))
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('invoice', 'credit_note')`))
        .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('draft', 'issued', 'paid', 'void')`))
        .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
        // A per-booking invoice names its booking; a monthly one does not.
        .addColumn('booking_id', 'integer', (c) => c.references('bookings.id'))
        // A credit note's invoice.
        .addColumn('credits_invoice_id', 'integer', (c) => c.references('invoices.id'))
        .addColumn('number', 'text', (c) => c.unique())
        .addColumn('financial_year', 'integer')
        .addColumn('sequence', 'integer')
        // The customer as invoiced: copied from the organisation, fixed at issue.
        .addColumn('customer_name', 'text', (c) => c.notNull())
        .addColumn('billing_contact', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('billing_email', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('billing_address', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('purchase_order', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('vat_rate_basis_points', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('net_pence', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('vat_pence', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('gross_pence', 'integer', (c) => c.notNull().defaultTo(0))
        // A credit note's reason, said on it.
        .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by_staff_id', 'integer', (c) => c.references('staff_users.id').onDelete('set null'))
        .addColumn('issued_at', 'text')
        .addColumn('issued_by_staff_id', 'integer', (c) => c.references('staff_users.id').onDelete('set null'))
        // London dates (YYYY-MM-DD).
        .addColumn('issued_on', 'text')
        .addColumn('due_on', 'text')
        .addColumn('paid_on', 'text')
        .addColumn('paid_reference', 'text')
        .addColumn('voided_at', 'text')
        .addUniqueConstraint('invoices_sequence_once', ['kind', 'financial_year', 'sequence'])
        .addCheckConstraint(
          'invoices_numbered_when_issued',
          sql`(state in ('draft', 'void') and number is null) or (state in ('issued', 'paid') and number is not null)`,
        )
        .execute();
      await db.schema.createIndex('invoices_organisation').on('invoices').columns(['organisation_id', 'state']).execute();
      await db.schema.createIndex('invoices_state_issued').on('invoices').columns(['state', 'issued_on']).execute();
      await db.schema.createIndex('invoices_credits').on('invoices').column('credits_invoice_id').execute();

      await db.schema
        .createTable('invoice_sequences')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('financial_year', 'integer', (c) => c.notNull())
        .addColumn('last_sequence', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('invoice_sequences_pk', ['kind', 'financial_year'])
        .execute();

      await identity(db.schema.createTable('charges'))
        .addColumn('booking_id', 'integer', (c) => c.notNull().references('bookings.id'))
        .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
        .addColumn('kind', 'text', (c) =>
          c.notNull().check(sql`kind in ('place', 'late_cancellation', 'non_attendance')`),
        )
        .addColumn('state', 'text', (c) =>
          c.notNull().check(sql`state in ('proposed', 'confirmed', 'waived', 'withdrawn')`),
        )
        .addColumn('proposed_pence', 'integer', (c) => c.notNull().check(sql`proposed_pence >= 0`))
        // What is owed once confirmed (the proposal, or less); null while proposed.
        .addColumn('amount_pence', 'integer', (c) => c.check(sql`amount_pence >= 0`))
        .addColumn('created_at', 'text', (c) => c.notNull())
        // The delegate's side, from the emailed link: a reason from the list (or "rather not say") and a note.
        .addColumn('delegate_reason', 'text')
        .addColumn('delegate_note', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('delegate_answered_at', 'text')
        .addColumn('decided_at', 'text')
        .addColumn('decided_by_staff_id', 'integer', (c) => c.references('staff_users.id').onDelete('set null'))
        .addColumn('waiver_reason', 'text')
        .addColumn('decision_note', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('invoice_id', 'integer', (c) => c.references('invoices.id'))
        .execute();
      await db.schema
        .createIndex('charges_live_once')
        .on('charges')
        .columns(['booking_id', 'kind'])
        .unique()
        .where(sql.ref('state'), '<>', 'withdrawn')
        .execute();
      await db.schema.createIndex('charges_state').on('charges').columns(['state', 'created_at']).execute();
      await db.schema.createIndex('charges_organisation').on('charges').column('organisation_id').execute();
      await db.schema.createIndex('charges_invoice').on('charges').column('invoice_id').execute();

      await identity(db.schema.createTable('invoice_lines'))
        .addColumn('invoice_id', 'integer', (c) => c.notNull().references('invoices.id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('charge_id', 'integer', (c) => c.references('charges.id'))
        .addColumn('credits_line_id', 'integer', (c) => c.references('invoice_lines.id'))
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('delegate_name', 'text', (c) => c.notNull())
        // The session's London date (YYYY-MM-DD).
        .addColumn('session_date', 'text', (c) => c.notNull())
        .addColumn('net_pence', 'integer', (c) => c.notNull())
        .addColumn('vat_pence', 'integer', (c) => c.notNull())
        .addColumn('gross_pence', 'integer', (c) => c.notNull())
        .addColumn('credited_pence', 'integer', (c) =>
          c.notNull().defaultTo(0).check(sql`credited_pence >= 0 and credited_pence <= gross_pence`),
        )
        .execute();
      await db.schema.createIndex('invoice_lines_invoice').on('invoice_lines').columns(['invoice_id', 'position']).execute();
      await db.schema.createIndex('invoice_lines_charge').on('invoice_lines').column('charge_id').execute();
      await db.schema.createIndex('invoice_lines_credits').on('invoice_lines').column('credits_line_id').execute();

      await watchForPublicPages(db, dialect, WATCHED_TABLES);
    },

    async down(db: AnyDb) {
      await unwatchForPublicPages(db, dialect, WATCHED_TABLES);
      await db.schema.dropTable('invoice_lines').execute();
      await db.schema.dropTable('charges').execute();
      await db.schema.dropTable('invoice_sequences').execute();
      await db.schema.dropTable('invoices').execute();
      for (const column of ['invoice_frequency', 'purchase_order', 'billing_address', 'billing_email', 'billing_contact']) {
        await db.schema.alterTable('organisations').dropColumn(column).execute();
      }
      await db.schema.alterTable('bookings').dropColumn('price_pence').execute();
      await db.schema.dropTable('session_prices').execute();
      await db.schema.dropTable('course_prices').execute();
    },
  };
};
