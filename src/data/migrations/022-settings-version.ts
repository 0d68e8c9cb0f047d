/**
 * A counter of its own for the hub's settings, kept by triggers on
 * `settings` alone. The settings service caches the parsed settings against
 * it (services/settingsService.ts). Before, it used the public pages
 * counter, which every booking raises: in a booking rush each request then
 * read and parsed the settings afresh, on PostgreSQL up to three times a
 * booking, and those reads queued for the pool with the bookings themselves.
 */
import { sql, type Kysely } from 'kysely';

import type { DialectMigration } from './dialectMigration.js';

export const SETTINGS_COUNTER = 'settings';
const EVENTS = ['insert', 'update', 'delete'] as const;

export const settingsVersion: DialectMigration = (dialect) => ({
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.insertInto('change_counters').values({ name: SETTINGS_COUNTER, value: 1 }).execute();
    const bump = `update change_counters set value = value + 1 where name = '${SETTINGS_COUNTER}'`;
    if (dialect === 'sqlite') {
      for (const event of EVENTS) {
        await sql
          .raw(`create trigger settings_${event}_bumps_settings after ${event} on settings begin ${bump}; end`)
          .execute(db);
      }
      return;
    }
    await sql
      .raw(
        `create function bump_settings_version() returns trigger language plpgsql as $$ ` +
          `begin ${bump}; return null; end $$`,
      )
      .execute(db);
    await sql
      .raw(
        'create trigger settings_bumps_settings after insert or update or delete on settings ' +
          'for each statement execute function bump_settings_version()',
      )
      .execute(db);
  },

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    if (dialect === 'sqlite') {
      for (const event of EVENTS) await sql.raw(`drop trigger if exists settings_${event}_bumps_settings`).execute(db);
    } else {
      await sql.raw('drop trigger if exists settings_bumps_settings on settings').execute(db);
      await sql.raw('drop function if exists bump_settings_version()').execute(db);
    }
    await db.deleteFrom('change_counters').where('name', '=', SETTINGS_COUNTER).execute();
  },
});
