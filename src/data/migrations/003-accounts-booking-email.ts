/**
 * Delegate accounts (passwords, verified email, sign-in sessions, email
 * tokens), booking details (access and dietary needs with consent, offers,
 * who cancelled), the audit log and the email outbox.
 */
import { sql, type Kysely } from 'kysely';

import { withId } from './columns.js';
import type { DialectMigration } from './dialectMigration.js';

export const accountsBookingEmail: DialectMigration = (dialect) => {
  // Identity columns are spelt differently by the two databases.
  const identity = withId(dialect);

  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      for (const [column, type] of [
        ['password_hash', 'text'],
        ['email_verified_at', 'text'],
        ['updated_at', 'text'],
      ] as const) {
        await db.schema.alterTable('delegates').addColumn(column, type).execute();
      }

      await db.schema
        .createTable('auth_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('delegate_id', 'integer', (c) => c.notNull().references('delegates.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema.createIndex('auth_sessions_delegate').on('auth_sessions').column('delegate_id').execute();

      await identity(db.schema.createTable('auth_tokens'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('delegate_id', 'integer', (c) => c.notNull().references('delegates.id').onDelete('cascade'))
        .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('verify_email', 'reset_password')`))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();

      for (const [column, type] of [
        ['access_needs', 'text'],
        ['dietary_needs', 'text'],
        ['needs_consent_at', 'text'],
        ['offered_at', 'text'],
        ['cancelled_by', 'text'],
        ['reminder_sent_at', 'text'],
      ] as const) {
        await db.schema.alterTable('bookings').addColumn(column, type).execute();
      }
      // One live place (or waiting-list entry, or offer) per delegate per
      // session, enforced by the database so a double submit cannot make two.
      await sql`create unique index bookings_one_live_per_delegate on bookings (session_id, delegate_id) where state in ('confirmed', 'waitlisted', 'offered')`.execute(
        db,
      );

      await identity(db.schema.createTable('audit_log'))
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor_type', 'text', (c) => c.notNull().check(sql`actor_type in ('delegate', 'staff', 'system')`))
        .addColumn('actor_id', 'integer')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('entity_type', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'integer', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
        .execute();
      await db.schema.createIndex('audit_log_entity').on('audit_log').columns(['entity_type', 'entity_id']).execute();

      await identity(db.schema.createTable('outbox_messages'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('to_address', 'text', (c) => c.notNull())
        .addColumn('to_name', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('text_body', 'text', (c) => c.notNull())
        .addColumn('html_body', 'text', (c) => c.notNull())
        .addColumn('attachments', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('booking_id', 'integer')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('lease_until', 'text')
        .addColumn('last_error', 'text')
        .addColumn('sent_at', 'text')
        .execute();
      await db.schema
        .createIndex('outbox_messages_due')
        .on('outbox_messages')
        .columns(['sent_at', 'next_attempt_at'])
        .execute();
    },

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>) {
      for (const table of ['outbox_messages', 'audit_log', 'auth_tokens', 'auth_sessions']) {
        await db.schema.dropTable(table).execute();
      }
      await sql`drop index bookings_one_live_per_delegate`.execute(db);
      for (const column of ['access_needs', 'dietary_needs', 'needs_consent_at', 'offered_at', 'cancelled_by', 'reminder_sent_at']) {
        await db.schema.alterTable('bookings').dropColumn(column).execute();
      }
      for (const column of ['password_hash', 'email_verified_at', 'updated_at']) {
        await db.schema.alterTable('delegates').dropColumn(column).execute();
      }
    },
  };
};
