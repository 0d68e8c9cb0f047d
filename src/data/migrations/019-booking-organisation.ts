/**
 * The organisation a booking's price was fixed for (`bookings.organisation_id`).
 *
 * A booking's price (`price_pence`, migration 017) is fixed for the
 * delegate's organisation when the place is booked, moved or passed to a
 * colleague. Delegates may change organisation at any time, so the
 * organisation is kept beside the price: a paid place is invoiced to it, and
 * a late-cancellation or non-attendance fee proposed to it, whatever the
 * delegate's organisation is by then. Null for a delegate with none.
 * Existing bookings take their delegate's organisation as it is now.
 */
import { sql, type Kysely } from 'kysely';

import type { DialectMigration } from './dialectMigration.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const bookingOrganisation: DialectMigration = () => ({
  async up(db: AnyDb) {
    await db.schema
      .alterTable('bookings')
      .addColumn('organisation_id', 'integer', (c) => c.references('organisations.id'))
      .execute();
    await sql`update bookings set organisation_id = (select delegates.organisation_id from delegates where delegates.id = bookings.delegate_id)`.execute(
      db,
    );
    await db.schema.createIndex('bookings_organisation').on('bookings').column('organisation_id').execute();
  },

  async down(db: AnyDb) {
    await db.schema.dropIndex('bookings_organisation').execute();
    await db.schema.alterTable('bookings').dropColumn('organisation_id').execute();
  },
});
