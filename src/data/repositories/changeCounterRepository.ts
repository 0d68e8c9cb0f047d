import type { Kysely } from 'kysely';

import type { DB } from '../schema.js';

/** Reads the counters that triggers keep (see migration 002). */
export class ChangeCounterRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Goes up whenever anything a public page shows changes. */
  async publicPagesVersion(): Promise<number> {
    const row = await this.db
      .selectFrom('change_counters')
      .select('value')
      .where('name', '=', 'public_pages')
      .executeTakeFirstOrThrow();
    return Number(row.value);
  }
}
