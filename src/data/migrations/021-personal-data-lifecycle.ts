/**
 * The life cycle of personal data (issue 11):
 *
 * - `delegates.last_active_at`: the last sign-in or booking, from which an
 *   account with none for the hub's period is warned (`closure_warned_at`)
 *   and then closed (`closed_at`). Filled from what the database already
 *   shows: the account's creation, its latest booking, its latest sign-in.
 *   `anonymised_at` marks a row whose personal details are gone (erased on
 *   request, or the anonymous holder of bookings past the retention period).
 * - `bookings.morning_reminder_sent_at`: an online session's short reminder
 *   on the morning, with the joining link, claimed once.
 * - `private_links.booking_id` and the purpose `give_up_place`: the "I can't
 *   come" link in the confirmation and reminder emails, about one booking.
 *   SQLite cannot change a check constraint, so private_links is built again
 *   (every row and id kept, as migration 018 did); PostgreSQL alters it.
 * - Indexes the retention job and the per-recipient email limit read by.
 */
import { sql, type Kysely } from 'kysely';

import type { DialectName } from '../db.js';
import { withId } from './columns.js';
import type { DialectMigration } from './dialectMigration.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const COPIED_BEFORE =
  'id, token_hash, purpose, delegate_id, follow_up_request_id, charge_id, email, browser_hash, return_path, created_at, expires_at, used_at';

const PURPOSES_BEFORE = sql`purpose in ('verify_email', 'reset_password', 'follow_up', 'follow_up_opt_out', 'charge_reason')`;
const PURPOSES = sql`purpose in ('verify_email', 'reset_password', 'follow_up', 'follow_up_opt_out', 'charge_reason', 'give_up_place')`;

const ONE_SUBJECT_BEFORE = sql`(purpose in ('verify_email', 'reset_password') and delegate_id is not null and follow_up_request_id is null and charge_id is null)
  or (purpose in ('follow_up', 'follow_up_opt_out') and follow_up_request_id is not null and delegate_id is null and charge_id is null)
  or (purpose = 'charge_reason' and charge_id is not null and delegate_id is null and follow_up_request_id is null)`;
const ONE_SUBJECT = sql`(purpose in ('verify_email', 'reset_password') and delegate_id is not null and follow_up_request_id is null and charge_id is null and booking_id is null)
  or (purpose in ('follow_up', 'follow_up_opt_out') and follow_up_request_id is not null and delegate_id is null and charge_id is null and booking_id is null)
  or (purpose = 'charge_reason' and charge_id is not null and delegate_id is null and follow_up_request_id is null and booking_id is null)
  or (purpose = 'give_up_place' and booking_id is not null and delegate_id is null and follow_up_request_id is null and charge_id is null)`;

/** SQLite's migrator runs no transaction: never a table dropped before its rows are safe in the other. */
async function atomically(dialect: DialectName, db: AnyDb, work: (db: AnyDb) => Promise<void>): Promise<void> {
  if (dialect === 'sqlite') await db.transaction().execute(work);
  else await work(db);
}

/** SQLite: private_links built afresh (with or without bookings' links), its rows and ids copied across. */
async function rebuildPrivateLinksSqlite(db: AnyDb, withBookings: boolean): Promise<void> {
  const identity = withId('sqlite');
  let table = identity(db.schema.createTable('private_links_next'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('purpose', 'text', (c) => c.notNull().check(withBookings ? PURPOSES : PURPOSES_BEFORE))
    .addColumn('delegate_id', 'integer', (c) => c.references('delegates.id').onDelete('cascade'))
    .addColumn('follow_up_request_id', 'integer', (c) =>
      c.references('follow_up_requests.id').onDelete('cascade'),
    )
    .addColumn('charge_id', 'integer', (c) => c.references('charges.id').onDelete('cascade'));
  if (withBookings) {
    table = table.addColumn('booking_id', 'integer', (c) => c.references('bookings.id').onDelete('cascade'));
  }
  await table
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('browser_hash', 'text')
    .addColumn('return_path', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addCheckConstraint('private_links_one_subject', withBookings ? ONE_SUBJECT : ONE_SUBJECT_BEFORE)
    .execute();
  const where = withBookings ? '' : ` where purpose <> 'give_up_place'`;
  await sql
    .raw(`insert into private_links_next (${COPIED_BEFORE}) select ${COPIED_BEFORE} from private_links${where}`)
    .execute(db);
  await db.schema.dropTable('private_links').execute();
  await db.schema.alterTable('private_links_next').renameTo('private_links').execute();
  await db.schema.createIndex('private_links_delegate').on('private_links').column('delegate_id').execute();
  await db.schema
    .createIndex('private_links_follow_up_request')
    .on('private_links')
    .column('follow_up_request_id')
    .execute();
  await db.schema.createIndex('private_links_charge').on('private_links').column('charge_id').execute();
  if (withBookings) {
    await db.schema.createIndex('private_links_booking').on('private_links').column('booking_id').execute();
  }
}

const DELEGATE_COLUMNS = ['last_active_at', 'closure_warned_at', 'closed_at', 'anonymised_at'] as const;

export const personalDataLifecycle: DialectMigration = (dialect) => ({
  async up(db: AnyDb) {
    await atomically(dialect, db, async (db) => {
      for (const column of DELEGATE_COLUMNS) {
        await db.schema.alterTable('delegates').addColumn(column, 'text').execute();
      }
      // Last active: the latest of the account's creation, its bookings and its sign-ins.
      await sql`update delegates set last_active_at = created_at`.execute(db);
      await sql`update delegates set last_active_at = (
          select max(bookings.created_at) from bookings where bookings.delegate_id = delegates.id)
        where exists (select 1 from bookings
          where bookings.delegate_id = delegates.id and bookings.created_at > delegates.last_active_at)`.execute(db);
      await sql`update delegates set last_active_at = (
          select max(sign_in_sessions.last_seen_at) from sign_in_sessions
          where sign_in_sessions.delegate_id = delegates.id)
        where exists (select 1 from sign_in_sessions where sign_in_sessions.delegate_id = delegates.id
          and sign_in_sessions.last_seen_at > delegates.last_active_at)`.execute(db);
      await db.schema.createIndex('delegates_last_active').on('delegates').column('last_active_at').execute();

      await db.schema.alterTable('bookings').addColumn('morning_reminder_sent_at', 'text').execute();

      if (dialect === 'sqlite') {
        await rebuildPrivateLinksSqlite(db, true);
      } else {
        await db.schema
          .alterTable('private_links')
          .addColumn('booking_id', 'integer', (c) => c.references('bookings.id').onDelete('cascade'))
          .execute();
        await db.schema.alterTable('private_links').dropConstraint('private_links_one_subject').execute();
        await db.schema.alterTable('private_links').dropConstraint('private_links_purpose_check').execute();
        await db.schema.alterTable('private_links').addCheckConstraint('private_links_purpose_check', PURPOSES).execute();
        await db.schema.alterTable('private_links').addCheckConstraint('private_links_one_subject', ONE_SUBJECT).execute();
        await db.schema.createIndex('private_links_booking').on('private_links').column('booking_id').execute();
      }
      await db.schema.createIndex('private_links_expires').on('private_links').column('expires_at').execute();

      // The per-recipient limit counts what one address was sent in the last hour; retention clears by age.
      await db.schema
        .createIndex('outbox_messages_recipient_sent')
        .on('outbox_messages')
        .columns(['to_address', 'sent_at'])
        .execute();
      await db.schema.createIndex('outbox_messages_sent').on('outbox_messages').column('sent_at').execute();
      await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
      await db.schema.createIndex('sign_in_sessions_expires').on('sign_in_sessions').column('expires_at').execute();
    });
  },

  async down(db: AnyDb) {
    await atomically(dialect, db, async (db) => {
      await db.schema.dropIndex('sign_in_sessions_expires').execute();
      await db.schema.dropIndex('audit_log_at').execute();
      await db.schema.dropIndex('outbox_messages_sent').execute();
      await db.schema.dropIndex('outbox_messages_recipient_sent').execute();
      await db.schema.dropIndex('private_links_expires').execute();
      if (dialect === 'sqlite') {
        await rebuildPrivateLinksSqlite(db, false);
      } else {
        await db.deleteFrom('private_links').where('purpose', '=', 'give_up_place').execute();
        await db.schema.dropIndex('private_links_booking').execute();
        await db.schema.alterTable('private_links').dropConstraint('private_links_one_subject').execute();
        await db.schema.alterTable('private_links').dropConstraint('private_links_purpose_check').execute();
        await db.schema.alterTable('private_links').dropColumn('booking_id').execute();
        await db.schema
          .alterTable('private_links')
          .addCheckConstraint('private_links_purpose_check', PURPOSES_BEFORE)
          .execute();
        await db.schema
          .alterTable('private_links')
          .addCheckConstraint('private_links_one_subject', ONE_SUBJECT_BEFORE)
          .execute();
      }
      await db.schema.alterTable('bookings').dropColumn('morning_reminder_sent_at').execute();
      await db.schema.dropIndex('delegates_last_active').execute();
      for (const column of DELEGATE_COLUMNS) {
        await db.schema.alterTable('delegates').dropColumn(column).execute();
      }
    });
  },
});
