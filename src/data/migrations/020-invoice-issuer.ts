/**
 * An issued invoice or credit note never changes, its PDF included:
 *
 * - `invoices.issuer`: the hub as the document prints it (name, postal
 *   address, VAT registration number, payment instructions, contact address
 *   and colour), as JSON text, copied in the transaction that issues it. Null
 *   on drafts, which show the hub's settings as they are now. Documents
 *   issued before this migration are given the hub's settings as they are at
 *   the migration (the best record there is of what they printed), so from
 *   now on they never change either.
 * - `invoices.paid_at`: the instant an invoice was recorded paid, so a credit
 *   note issued before the payment reduces what was paid and one issued after
 *   it is a refund due. Null before this migration: `paid_on` stands in.
 */
import type { Kysely } from 'kysely';

import type { DialectMigration } from './dialectMigration.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** The hub's defaults as they were when this migration was written (domain/hub/hub.ts may change later). */
const HUB_DEFAULTS = {
  name: 'Safeguarding Training Hub',
  brandColour: '#1d4f4a',
  contactEmail: 'training@example.org.uk',
};

function stored(rows: { key: string; value: string }[], key: string): Record<string, unknown> {
  const row = rows.find((r) => r.key === key);
  if (!row) return {};
  try {
    const value: unknown = JSON.parse(row.value);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const text = (value: unknown, fallback = '') => (typeof value === 'string' ? value : fallback);

export const invoiceIssuer: DialectMigration = () => ({
  async up(db: AnyDb) {
    await db.schema.alterTable('invoices').addColumn('issuer', 'text').execute();
    await db.schema.alterTable('invoices').addColumn('paid_at', 'text').execute();

    const rows = (await db
      .selectFrom('settings')
      .where('key', 'in', ['hub', 'charges'])
      .select(['key', 'value'])
      .execute()) as { key: string; value: string }[];
    const hub = stored(rows, 'hub');
    const charges = stored(rows, 'charges');
    const issuer = JSON.stringify({
      name: text(hub.name, HUB_DEFAULTS.name),
      brandColour: text(hub.brandColour, HUB_DEFAULTS.brandColour),
      contactEmail: text(hub.contactEmail, HUB_DEFAULTS.contactEmail),
      address: text(charges.billingAddress),
      vatNumber: text(charges.vatNumber),
      paymentInstructions: text(charges.paymentInstructions),
    });
    await db
      .updateTable('invoices')
      .set({ issuer })
      .where('state', 'in', ['issued', 'paid'])
      .where('issuer', 'is', null)
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.alterTable('invoices').dropColumn('paid_at').execute();
    await db.schema.alterTable('invoices').dropColumn('issuer').execute();
  },
});
