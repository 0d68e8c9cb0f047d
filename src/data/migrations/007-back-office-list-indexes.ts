/**
 * Covering indexes for the back office's session list at a large hub's size:
 * the count of each page's bookings by state (which also reads when an offer
 * ends) and the count of matching sessions (which also reads when a session
 * ends and whether it was cancelled) are answered from the index alone,
 * without reading a table row for every booking or session counted. The
 * bookings index replaces bookings(session_id, state), which it begins with.
 */
import type { Kysely } from 'kysely';

import type { DialectMigration } from './dialectMigration.js';

export const backOfficeListIndexes: DialectMigration = () => ({
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema
      .createIndex('bookings_session_state_offer')
      .on('bookings')
      .columns(['session_id', 'state', 'offer_expires_at'])
      .execute();
    await db.schema.dropIndex('bookings_session_state').execute();
    await db.schema
      .createIndex('sessions_span')
      .on('sessions')
      .columns(['starts_at', 'ends_at', 'cancelled_at'])
      .execute();
  },

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('sessions_span').execute();
    await db.schema
      .createIndex('bookings_session_state')
      .on('bookings')
      .columns(['session_id', 'state'])
      .execute();
    await db.schema.dropIndex('bookings_session_state_offer').execute();
  },
});
