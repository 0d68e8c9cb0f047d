/**
 * Staff accounts (role, password, authenticator secret), their sign-in
 * sessions (kept apart from delegates') and their single-use recovery codes.
 */
import { sql, type Kysely } from 'kysely';

import { withId } from './columns.js';
import type { DialectMigration } from './dialectMigration.js';

export const staff: DialectMigration = (dialect) => {
  const identity = withId(dialect);

  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await identity(db.schema.createTable('staff_users'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('role', 'text', (c) =>
          c.notNull().check(sql`role in ('admin', 'coordinator', 'trainer', 'viewer')`),
        )
        // A trainer's own sessions are those of this trainer.
        .addColumn('trainer_id', 'integer', (c) => c.references('trainers.id').onDelete('set null'))
        .addColumn('password_hash', 'text', (c) => c.notNull())
        // Base32, stored as given. Encrypting it at rest is a follow-up.
        .addColumn('totp_secret', 'text')
        // Null until a code from the secret has been confirmed.
        .addColumn('totp_enrolled_at', 'text')
        // The last time step whose code was accepted: a code is used once.
        .addColumn('totp_last_step', 'integer')
        .addColumn('disabled_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('staff_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('staff_id', 'integer', (c) => c.notNull().references('staff_users.id').onDelete('cascade'))
        .addColumn('stage', 'text', (c) =>
          c.notNull().check(sql`stage in ('second_factor', 'enrol', 'signed_in')`),
        )
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema.createIndex('staff_sessions_staff').on('staff_sessions').column('staff_id').execute();

      await identity(db.schema.createTable('staff_recovery_codes'))
        .addColumn('staff_id', 'integer', (c) => c.notNull().references('staff_users.id').onDelete('cascade'))
        .addColumn('code_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await db.schema
        .createIndex('staff_recovery_codes_staff')
        .on('staff_recovery_codes')
        .column('staff_id')
        .execute();
    },

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>) {
      for (const table of ['staff_recovery_codes', 'staff_sessions', 'staff_users']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
};
