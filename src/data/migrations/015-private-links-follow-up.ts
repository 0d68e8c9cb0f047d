/**
 * One table of private links, in place of `auth_tokens`: every emailed link
 * that acts without signing in (confirming an address, resetting a password,
 * the three-month follow-up, a line manager opting out) is issued, checked,
 * used and cancelled by one service (services/accounts/privateLinks.ts). Rows are
 * copied with their ids, so links already sent keep working.
 *
 * A link points at what it is about through a column of that kind's own, so
 * deleting a delegate or a follow-up request deletes its links, and the
 * check allows each purpose only its own: an account's links a delegate, a
 * follow-up's links a follow-up request.
 *
 * The follow-up: one request per booking and respondent (the delegate, or
 * their line manager), claimed by inserting it, so the unique constraint
 * keeps it to one however many processes run the job. Answers are kept per
 * key area with the key area's words as asked (editing a course replaces its
 * list), like feedback_outcome_answers. A request and its answers go with
 * the booking, as feedback does. Opting out is recorded by address only.
 */
import { sql, type Kysely } from 'kysely';

import type { DialectName } from '../db.js';
import { withId } from './columns.js';
import type { DialectMigration } from './dialectMigration.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const COPIED = 'id, token_hash, delegate_id, purpose, browser_hash, return_path, created_at, expires_at, used_at';

/** SQLite's migrator runs no transaction: never a table dropped before its rows are safe in the other. */
async function atomically(dialect: DialectName, db: AnyDb, work: (db: AnyDb) => Promise<void>): Promise<void> {
  if (dialect === 'sqlite') await db.transaction().execute(work);
  else await work(db);
}

export const privateLinksFollowUp: DialectMigration = (dialect) => {
  const identity = withId(dialect);
  return {
    async up(db: AnyDb) {
      await atomically(dialect, db, async (db) => {
        await identity(db.schema.createTable('follow_up_requests'))
          .addColumn('booking_id', 'integer', (c) => c.notNull().references('bookings.id').onDelete('cascade'))
          .addColumn('respondent', 'text', (c) => c.notNull().check(sql`respondent in ('delegate', 'line_manager')`))
          // Who it was sent to, for the reminder and for honouring an opt-out.
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('sent_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('reminded_at', 'text')
          .addColumn('answered_at', 'text')
          .addColumn('outcome', 'text', (c) => c.check(sql`outcome in ('answered', 'no_longer_works_with')`))
          .addColumn('example', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('obstacles', 'text', (c) => c.notNull().defaultTo(''))
          .addUniqueConstraint('follow_up_requests_once', ['booking_id', 'respondent'])
          .execute();
        // The reminder job reads requests sent a week ago and not answered.
        await db.schema.createIndex('follow_up_requests_sent').on('follow_up_requests').column('sent_at').execute();

        await db.schema
          .createTable('follow_up_answers')
          .addColumn('request_id', 'integer', (c) =>
            c.notNull().references('follow_up_requests.id').onDelete('cascade'),
          )
          .addColumn('key_area_id', 'integer', (c) => c.notNull())
          .addColumn('key_area_text', 'text', (c) => c.notNull())
          .addColumn('practice_change', 'text', (c) =>
            c.notNull().check(sql`practice_change in ('not_at_all', 'a_little', 'somewhat', 'a_lot', 'not_applicable')`),
          )
          .addPrimaryKeyConstraint('follow_up_answers_pk', ['request_id', 'key_area_id'])
          .execute();

        await db.schema
          .createTable('follow_up_opt_outs')
          .addColumn('email', 'text', (c) => c.primaryKey())
          .addColumn('opted_out_at', 'text', (c) => c.notNull())
          .execute();

        await identity(db.schema.createTable('private_links'))
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('purpose', 'text', (c) =>
            c.notNull().check(sql`purpose in ('verify_email', 'reset_password', 'follow_up', 'follow_up_opt_out')`),
          )
          .addColumn('delegate_id', 'integer', (c) => c.references('delegates.id').onDelete('cascade'))
          .addColumn('follow_up_request_id', 'integer', (c) =>
            c.references('follow_up_requests.id').onDelete('cascade'),
          )
          // The address it was sent to: an account's link works only while the account has it.
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('browser_hash', 'text')
          .addColumn('return_path', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('used_at', 'text')
          .addCheckConstraint(
            'private_links_one_subject',
            sql`(purpose in ('verify_email', 'reset_password') and delegate_id is not null and follow_up_request_id is null)
             or (purpose in ('follow_up', 'follow_up_opt_out') and follow_up_request_id is not null and delegate_id is null)`,
          )
          .execute();
        await db.schema.createIndex('private_links_delegate').on('private_links').column('delegate_id').execute();
        await db.schema
          .createIndex('private_links_follow_up_request')
          .on('private_links')
          .column('follow_up_request_id')
          .execute();

        // Links sent before migration 004 kept no address; '' matches no account, as null did.
        await sql
          .raw(
            `insert into private_links (${COPIED}, email)
             select ${COPIED}, coalesce(email, '') from auth_tokens`,
          )
          .execute(db);
        if (dialect === 'postgres') {
          // Copied ids were given, not generated: the next one follows them.
          await sql
            .raw(
              `select setval(pg_get_serial_sequence('private_links', 'id'), coalesce((select max(id) from private_links), 0) + 1, false)`,
            )
            .execute(db);
        }
        await db.schema.dropTable('auth_tokens').execute();
      });
    },

    async down(db: AnyDb) {
      await atomically(dialect, db, async (db) => {
        await identity(db.schema.createTable('auth_tokens'))
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('delegate_id', 'integer', (c) => c.notNull().references('delegates.id').onDelete('cascade'))
          .addColumn('purpose', 'text', (c) =>
            c.notNull().check(sql`purpose in ('verify_email', 'reset_password')`),
          )
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('used_at', 'text')
          .addColumn('email', 'text')
          .addColumn('browser_hash', 'text')
          .addColumn('return_path', 'text')
          .execute();
        await sql
          .raw(
            `insert into auth_tokens (${COPIED}, email)
             select ${COPIED}, nullif(email, '') from private_links
             where purpose in ('verify_email', 'reset_password')`,
          )
          .execute(db);
        if (dialect === 'postgres') {
          await sql
            .raw(
              `select setval(pg_get_serial_sequence('auth_tokens', 'id'), coalesce((select max(id) from auth_tokens), 0) + 1, false)`,
            )
            .execute(db);
        }
        await db.schema.dropTable('private_links').execute();
        await db.schema.dropTable('follow_up_opt_outs').execute();
        await db.schema.dropTable('follow_up_answers').execute();
        await db.schema.dropTable('follow_up_requests').execute();
      });
    },
  };
};
