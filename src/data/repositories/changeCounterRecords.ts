import type { CompiledQuery, Kysely } from 'kysely';

import type { DB } from '../schema.js';

/**
 * Reads the counters that triggers keep (see migration 002): the settings
 * service and the public page cache both ask them whether anything changed.
 */
export class ChangeCounterRecords {
  // Read on every public page: compiled once, not rebuilt per request.
  private readonly publicPagesQuery: CompiledQuery<{ value: number | string }>;

  constructor(private readonly db: Kysely<DB>) {
    this.publicPagesQuery = db
      .selectFrom('change_counters')
      .select('value')
      .where('name', '=', 'public_pages')
      .compile();
  }

  /** Goes up whenever anything a public page shows changes. */
  async publicPagesVersion(): Promise<number> {
    const { rows } = await this.db.executeQuery(this.publicPagesQuery);
    if (!rows[0]) throw new Error('The public pages counter is missing: run the migrations');
    return Number(rows[0].value);
  }
}
