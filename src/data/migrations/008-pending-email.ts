/**
 * A new email address waits, unconfirmed, beside the one in use: the account
 * keeps its old address until the link sent to the new one is used.
 *
 * A confirmation link sent at registration can also remember the browser that
 * registered (a hash of a secret in that browser's cookie, cleared once it has
 * signed that browser in) and the page to return to afterwards, so opening the
 * link there signs the person in and takes them back to the booking they
 * started, while any other opener (a mail scanner, another device) does not.
 */
import type { Kysely } from 'kysely';

import type { DialectMigration } from './dialectMigration.js';

export const pendingEmail: DialectMigration = () => ({
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema.alterTable('delegates').addColumn('pending_email', 'text').execute();
    await db.schema.alterTable('auth_tokens').addColumn('browser_hash', 'text').execute();
    await db.schema.alterTable('auth_tokens').addColumn('return_path', 'text').execute();
  },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await db.schema.alterTable('auth_tokens').dropColumn('return_path').execute();
    await db.schema.alterTable('auth_tokens').dropColumn('browser_hash').execute();
    await db.schema.alterTable('delegates').dropColumn('pending_email').execute();
  },
});
