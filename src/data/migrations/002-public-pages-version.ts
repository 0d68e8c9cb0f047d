/**
 * A counter that goes up whenever anything shown on a public page changes:
 * the programme, bookings (places left) or the hub's settings. Triggers keep
 * it, so no write can forget to, in this process or any other. Public pages
 * are cached against it (see web/pageCache.ts).
 */
import { sql, type Kysely } from 'kysely';

import { PUBLIC_PAGE_TABLES_BY_MIGRATION } from '../publicPageTables.js';
import type { DialectName } from '../db.js';
import type { DialectMigration } from './dialectMigration.js';

// The tables as this migration watched them, whatever is added to the list later.
const WATCHED_TABLES = PUBLIC_PAGE_TABLES_BY_MIGRATION['002-public-pages-version'];

const COUNTER = 'public_pages';

export const publicPagesVersion: DialectMigration = (dialect) => ({
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('change_counters')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'bigint', (c) => c.notNull())
      .execute();
    await db.insertInto('change_counters').values({ name: COUNTER, value: 1 }).execute();

    if (dialect === 'postgres') {
      await sql
        .raw(
          `create function bump_public_pages_version() returns trigger language plpgsql as $$ ` +
            `begin update change_counters set value = value + 1 where name = '${COUNTER}'; return null; end $$`,
        )
        .execute(db);
    }
    await watchForPublicPages(db, dialect, WATCHED_TABLES);
  },

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await unwatchForPublicPages(db, dialect, WATCHED_TABLES);
    if (dialect === 'postgres') await sql.raw('drop function if exists bump_public_pages_version()').execute(db);
    await db.schema.dropTable('change_counters').execute();
  },
});

/**
 * Puts the triggers that raise the public pages counter on `tables`: for this
 * migration, and for any later one that starts watching a table (see
 * publicPageTables.ts).
 */
export async function watchForPublicPages(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  dialect: DialectName,
  tables: readonly string[],
): Promise<void> {
  if (dialect === 'sqlite') {
    // SQLite has only row triggers, one event each.
    for (const table of tables) {
      for (const event of ['insert', 'update', 'delete']) {
        await sql
          .raw(
            `create trigger ${table}_${event}_bumps_public_pages after ${event} on ${table} ` +
              `begin update change_counters set value = value + 1 where name = '${COUNTER}'; end`,
          )
          .execute(db);
      }
    }
    return;
  }
  for (const table of tables) {
    // One bump per statement, however many rows it touches.
    await sql
      .raw(
        `create trigger ${table}_bumps_public_pages after insert or update or delete on ${table} ` +
          `for each statement execute function bump_public_pages_version()`,
      )
      .execute(db);
  }
}

export async function unwatchForPublicPages(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  dialect: DialectName,
  tables: readonly string[],
): Promise<void> {
  for (const table of tables) {
    if (dialect === 'sqlite') {
      for (const event of ['insert', 'update', 'delete']) {
        await sql.raw(`drop trigger if exists ${table}_${event}_bumps_public_pages`).execute(db);
      }
    } else {
      await sql.raw(`drop trigger if exists ${table}_bumps_public_pages on ${table}`).execute(db);
    }
  }
}
