/**
 * An issued invoice or credit note never changes, its PDF included:
 *
 * - `invoices.issuer`: the hub as the document prints it (name, postal
 *   address, VAT registration number, payment instructions, contact address
 *   and colour), as JSON text, copied in the transaction that issues it. Null
 *   on drafts (they show the hub's settings as they are now) and on documents
 *   issued before this migration (which go on showing the current settings).
 * - `invoices.paid_at`: the instant an invoice was recorded paid, so a credit
 *   note issued before the payment reduces what was paid and one issued after
 *   it is a refund due. Null before this migration: `paid_on` stands in.
 */
import type { Kysely } from 'kysely';

import type { DialectMigration } from './dialectMigration.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const invoiceIssuer: DialectMigration = () => ({
  async up(db: AnyDb) {
    await db.schema.alterTable('invoices').addColumn('issuer', 'text').execute();
    await db.schema.alterTable('invoices').addColumn('paid_at', 'text').execute();
  },
  async down(db: AnyDb) {
    await db.schema.alterTable('invoices').dropColumn('paid_at').execute();
    await db.schema.alterTable('invoices').dropColumn('issuer').execute();
  },
});
