/**
 * The delegate's "tell us why" link for a proposed charge: a private link
 * (services/accounts/privateLinks.ts) of its own purpose, `charge_reason`,
 * about a charge (`private_links.charge_id`). Deleting the charge deletes its
 * links, and the check that each purpose has only its own subject now allows
 * a charge's link a charge and nothing else.
 *
 * SQLite cannot change a check constraint, so the table is built again with
 * it, keeping every row and its id (links already sent keep working), as
 * migration 015 built it; PostgreSQL drops and adds the constraints.
 */
import { sql, type Kysely } from 'kysely';

import type { DialectName } from '../db.js';
import { withId } from './columns.js';
import type { DialectMigration } from './dialectMigration.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const COPIED =
  'id, token_hash, purpose, delegate_id, follow_up_request_id, email, browser_hash, return_path, created_at, expires_at, used_at';

const PURPOSES_BEFORE = sql`purpose in ('verify_email', 'reset_password', 'follow_up', 'follow_up_opt_out')`;
const PURPOSES = sql`purpose in ('verify_email', 'reset_password', 'follow_up', 'follow_up_opt_out', 'charge_reason')`;

const ONE_SUBJECT_BEFORE = sql`(purpose in ('verify_email', 'reset_password') and delegate_id is not null and follow_up_request_id is null)
  or (purpose in ('follow_up', 'follow_up_opt_out') and follow_up_request_id is not null and delegate_id is null)`;
const ONE_SUBJECT = sql`(purpose in ('verify_email', 'reset_password') and delegate_id is not null and follow_up_request_id is null and charge_id is null)
  or (purpose in ('follow_up', 'follow_up_opt_out') and follow_up_request_id is not null and delegate_id is null and charge_id is null)
  or (purpose = 'charge_reason' and charge_id is not null and delegate_id is null and follow_up_request_id is null)`;

/** SQLite's migrator runs no transaction: never a table dropped before its rows are safe in the other. */
async function atomically(dialect: DialectName, db: AnyDb, work: (db: AnyDb) => Promise<void>): Promise<void> {
  if (dialect === 'sqlite') await db.transaction().execute(work);
  else await work(db);
}

/** SQLite: private_links built afresh (as `withCharges` says), its rows and ids copied across. */
async function rebuildSqlite(db: AnyDb, withCharges: boolean): Promise<void> {
  const identity = withId('sqlite');
  let table = identity(db.schema.createTable('private_links_next'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('purpose', 'text', (c) => c.notNull().check(withCharges ? PURPOSES : PURPOSES_BEFORE))
    .addColumn('delegate_id', 'integer', (c) => c.references('delegates.id').onDelete('cascade'))
    .addColumn('follow_up_request_id', 'integer', (c) =>
      c.references('follow_up_requests.id').onDelete('cascade'),
    );
  if (withCharges) {
    table = table.addColumn('charge_id', 'integer', (c) => c.references('charges.id').onDelete('cascade'));
  }
  await table
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('browser_hash', 'text')
    .addColumn('return_path', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addCheckConstraint('private_links_one_subject', withCharges ? ONE_SUBJECT : ONE_SUBJECT_BEFORE)
    .execute();
  const copied = withCharges
    ? sql.raw(`insert into private_links_next (${COPIED}) select ${COPIED} from private_links`)
    : sql.raw(
        `insert into private_links_next (${COPIED}) select ${COPIED} from private_links where purpose <> 'charge_reason'`,
      );
  await copied.execute(db);
  await db.schema.dropTable('private_links').execute();
  await db.schema.alterTable('private_links_next').renameTo('private_links').execute();
  await db.schema.createIndex('private_links_delegate').on('private_links').column('delegate_id').execute();
  await db.schema
    .createIndex('private_links_follow_up_request')
    .on('private_links')
    .column('follow_up_request_id')
    .execute();
  if (withCharges) {
    await db.schema.createIndex('private_links_charge').on('private_links').column('charge_id').execute();
  }
}

export const chargeReasonLinks: DialectMigration = (dialect) => ({
  async up(db: AnyDb) {
    await atomically(dialect, db, async (db) => {
      if (dialect === 'sqlite') {
        await rebuildSqlite(db, true);
        return;
      }
      await db.schema
        .alterTable('private_links')
        .addColumn('charge_id', 'integer', (c) => c.references('charges.id').onDelete('cascade'))
        .execute();
      await db.schema.alterTable('private_links').dropConstraint('private_links_one_subject').execute();
      await db.schema.alterTable('private_links').dropConstraint('private_links_purpose_check').execute();
      await db.schema.alterTable('private_links').addCheckConstraint('private_links_purpose_check', PURPOSES).execute();
      await db.schema.alterTable('private_links').addCheckConstraint('private_links_one_subject', ONE_SUBJECT).execute();
      await db.schema.createIndex('private_links_charge').on('private_links').column('charge_id').execute();
    });
  },

  async down(db: AnyDb) {
    await atomically(dialect, db, async (db) => {
      if (dialect === 'sqlite') {
        await rebuildSqlite(db, false);
        return;
      }
      await db.deleteFrom('private_links').where('purpose', '=', 'charge_reason').execute();
      await db.schema.dropIndex('private_links_charge').execute();
      await db.schema.alterTable('private_links').dropConstraint('private_links_one_subject').execute();
      await db.schema.alterTable('private_links').dropConstraint('private_links_purpose_check').execute();
      await db.schema.alterTable('private_links').dropColumn('charge_id').execute();
      await db.schema
        .alterTable('private_links')
        .addCheckConstraint('private_links_purpose_check', PURPOSES_BEFORE)
        .execute();
      await db.schema
        .alterTable('private_links')
        .addCheckConstraint('private_links_one_subject', ONE_SUBJECT_BEFORE)
        .execute();
    });
  },
});
