import type { Kysely } from 'kysely';

import type { DB } from '../schema.js';

/**
 * Settings are stored as one JSON value per key. The settings service reads
 * and changes them; the demo loader writes a new hub's first ones.
 */
export class SettingsRecords {
  constructor(private readonly db: Kysely<DB>) {}

  async all(): Promise<Record<string, unknown>> {
    const rows = await this.db.selectFrom('settings').select(['key', 'value']).execute();
    return Object.fromEntries(rows.map((row) => [row.key, JSON.parse(row.value) as unknown]));
  }

  /**
   * Saves several settings and the audit entry saying who changed what, in
   * one transaction: either all of it happens or none.
   */
  async putAudited(
    entries: Record<string, unknown>,
    audit: { staffId: number; changed: string[] },
    now: string,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const settings = new SettingsRecords(trx);
      for (const [key, value] of Object.entries(entries)) await settings.put(key, value, now);
      await trx
        .insertInto('audit_log')
        .values({
          at: now,
          actor_type: 'staff',
          actor_id: audit.staffId,
          action: 'changed_settings',
          entity_type: 'settings',
          entity_id: 0,
          details: JSON.stringify({ changed: audit.changed }),
        })
        .execute();
    });
  }

  async put(key: string, value: unknown, now: string): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ key, value: JSON.stringify(value), updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: now }))
      .execute();
  }
}
