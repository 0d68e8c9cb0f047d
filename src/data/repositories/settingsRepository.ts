import type { Kysely } from 'kysely';

import type { DB } from '../schema.js';

/** Settings are stored as one JSON value per key. */
export class SettingsRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async all(): Promise<Record<string, unknown>> {
    const rows = await this.db.selectFrom('settings').select(['key', 'value']).execute();
    return Object.fromEntries(rows.map((row) => [row.key, JSON.parse(row.value) as unknown]));
  }

  async put(key: string, value: unknown, now: string): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ key, value: JSON.stringify(value), updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: now }))
      .execute();
  }
}
