/**
 * An emailed link is good only for the address it was sent to: a link sent
 * before someone changed their email must not confirm the new address.
 */
import type { Kysely } from 'kysely';

import type { DialectMigration } from './dialectMigration.js';

export const tokenAddress: DialectMigration = () => ({
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema.alterTable('auth_tokens').addColumn('email', 'text').execute();
  },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await db.schema.alterTable('auth_tokens').dropColumn('email').execute();
  },
});
