/**
 * One table of signed-in browsers for delegates and staff, in place of
 * `auth_sessions` and `staff_sessions`, so creating, checking, touching and
 * revoking a sign-in is written once (data/repositories/accounts/signInSessionRepository.ts).
 *
 * Each row says whose it is (`kind`) and points at its person through a
 * column of that kind's own, so deleting a delegate or a staff account still
 * deletes their sessions, and a row can never belong to both: the check
 * allows a delegate's row only a delegate, and a staff row only a member of
 * staff and a stage of signing in. Rows are copied, so everyone stays signed in.
 */
import { sql, type Kysely } from 'kysely';

import type { DialectName } from '../db.js';
import type { DialectMigration } from './dialectMigration.js';

const TIMES = 'created_at, last_seen_at, expires_at, revoked_at';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * PostgreSQL runs each migration in a transaction; SQLite's migrator does
 * not, so the copy and the drops are made one here: never a table dropped
 * before its rows are safe in the other.
 */
async function atomically(dialect: DialectName, db: AnyDb, work: (db: AnyDb) => Promise<void>): Promise<void> {
  if (dialect === 'sqlite') await db.transaction().execute(work);
  else await work(db);
}

export const signInSessions: DialectMigration = (dialect) => ({
  async up(db: AnyDb) {
    await atomically(dialect, db, async (db) => {
      await db.schema
        .createTable('sign_in_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('delegate', 'staff')`))
        .addColumn('delegate_id', 'integer', (c) => c.references('delegates.id').onDelete('cascade'))
        .addColumn('staff_id', 'integer', (c) => c.references('staff_users.id').onDelete('cascade'))
        .addColumn('stage', 'text', (c) => c.check(sql`stage in ('second_factor', 'enrol', 'signed_in')`))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addCheckConstraint(
          'sign_in_sessions_one_holder',
          sql`(kind = 'delegate' and delegate_id is not null and staff_id is null and stage is null)
           or (kind = 'staff' and staff_id is not null and delegate_id is null and stage is not null)`,
        )
        .execute();
      // Signing someone out everywhere finds their sessions by these.
      await db.schema.createIndex('sign_in_sessions_delegate').on('sign_in_sessions').column('delegate_id').execute();
      await db.schema.createIndex('sign_in_sessions_staff').on('sign_in_sessions').column('staff_id').execute();

      await sql
        .raw(
          `insert into sign_in_sessions (id_hash, kind, delegate_id, ${TIMES})
           select id_hash, 'delegate', delegate_id, ${TIMES} from auth_sessions`,
        )
        .execute(db);
      await sql
        .raw(
          `insert into sign_in_sessions (id_hash, kind, staff_id, stage, ${TIMES})
           select id_hash, 'staff', staff_id, stage, ${TIMES} from staff_sessions`,
        )
        .execute(db);
      await db.schema.dropTable('auth_sessions').execute();
      await db.schema.dropTable('staff_sessions').execute();
    });
  },

  async down(db: AnyDb) {
    await atomically(dialect, db, async (db) => {
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

      await sql
        .raw(
          `insert into auth_sessions (id_hash, delegate_id, ${TIMES})
           select id_hash, delegate_id, ${TIMES} from sign_in_sessions where kind = 'delegate'`,
        )
        .execute(db);
      await sql
        .raw(
          `insert into staff_sessions (id_hash, staff_id, stage, ${TIMES})
           select id_hash, staff_id, stage, ${TIMES} from sign_in_sessions where kind = 'staff'`,
        )
        .execute(db);
      await db.schema.dropTable('sign_in_sessions').execute();
    });
  },
});
