/**
 * A counter that goes up whenever anything shown on a public page changes:
 * the programme, bookings (places left) or the hub's settings. Triggers keep
 * it, so no write can forget to, in this process or any other. Public pages
 * are cached against it (see web/pageCache.ts).
 */
import { sql, type Kysely } from 'kysely';

import type { DialectMigration } from './dialectMigration.js';

export const WATCHED_TABLES = [
  'settings',
  'topics',
  'audiences',
  'venues',
  'trainers',
  'courses',
  'course_key_areas',
  'course_learning_outcomes',
  'course_testimonials',
  'course_topics',
  'course_audiences',
  'sessions',
  'session_parts',
  'session_trainers',
  'bookings',
] as const;

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

    if (dialect === 'sqlite') {
      // SQLite has only row triggers, one event each.
      for (const table of WATCHED_TABLES) {
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
    await sql
      .raw(
        `create function bump_public_pages_version() returns trigger language plpgsql as $$ ` +
          `begin update change_counters set value = value + 1 where name = '${COUNTER}'; return null; end $$`,
      )
      .execute(db);
    for (const table of WATCHED_TABLES) {
      // One bump per statement, however many rows it touches.
      await sql
        .raw(
          `create trigger ${table}_bumps_public_pages after insert or update or delete on ${table} ` +
            `for each statement execute function bump_public_pages_version()`,
        )
        .execute(db);
    }
  },

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    for (const table of WATCHED_TABLES) {
      if (dialect === 'sqlite') {
        for (const event of ['insert', 'update', 'delete']) {
          await sql.raw(`drop trigger if exists ${table}_${event}_bumps_public_pages`).execute(db);
        }
      } else {
        await sql.raw(`drop trigger if exists ${table}_bumps_public_pages on ${table}`).execute(db);
      }
    }
    if (dialect === 'postgres') await sql.raw('drop function if exists bump_public_pages_version()').execute(db);
    await db.schema.dropTable('change_counters').execute();
  },
});
