import type { CompiledQuery, Kysely } from 'kysely';

import type { DB } from '../schema.js';

/**
 * Reads the counters that triggers keep (see migration 002): the settings
 * service and the public page cache both ask them whether anything changed.
 */
export class ChangeCounterRecords {
  // Read on every public page: compiled once, not rebuilt per request.
  private readonly publicPagesQuery: CompiledQuery<{ value: number | string }>;
  /** The read of the public pages counter in flight, if any. */
  private readInFlight?: Promise<number>;
  /** The read that starts once the one in flight is done, shared by everyone who asked meanwhile. */
  private nextRead?: Promise<number>;

  constructor(private readonly db: Kysely<DB>) {
    this.publicPagesQuery = db
      .selectFrom('change_counters')
      .select('value')
      .where('name', '=', 'public_pages')
      .compile();
  }

  /**
   * Goes up whenever anything a public page shows changes.
   *
   * Every public page asks, so under load fifty requests at once would make
   * fifty identical queries. Callers share reads instead, but only a read
   * that starts after they asked: one already in flight may have begun before
   * a change the caller has just seen committed, and would hide it. So a
   * caller arriving while a read is in flight waits for the next one, which
   * starts when that one ends and serves everyone who arrived in between:
   * at most two reads are pending at any moment, however many requests.
   */
  publicPagesVersion(): Promise<number> {
    if (!this.readInFlight) return this.startRead();
    this.nextRead ??= this.readInFlight.then(settled, settled).then(() => {
      this.nextRead = undefined;
      return this.startRead();
    });
    return this.nextRead;
  }

  private startRead(): Promise<number> {
    const read = this.readPublicPagesVersion();
    this.readInFlight = read;
    const clear = () => {
      if (this.readInFlight === read) this.readInFlight = undefined;
    };
    read.then(clear, clear);
    return read;
  }

  private async readPublicPagesVersion(): Promise<number> {
    const { rows } = await this.db.executeQuery(this.publicPagesQuery);
    if (!rows[0]) throw new Error('The public pages counter is missing: run the migrations');
    return Number(rows[0].value);
  }
}

/** Waiting for a read to end, whether it succeeded or not. */
function settled(): void {}
