import type { CompiledQuery, Kysely } from 'kysely';

import type { DB } from '../schema.js';

/**
 * Reads the counters that triggers keep: `public_pages` (migration 002),
 * which the public page cache asks whether anything a public page shows
 * changed, and `settings` (migration 022), which the settings service asks
 * whether the hub's settings changed.
 */
export class ChangeCounterRecords {
  private readonly publicPages: SharedCounterRead;
  private readonly settings: SharedCounterRead;

  constructor(db: Kysely<DB>) {
    this.publicPages = new SharedCounterRead(db, 'public_pages');
    this.settings = new SharedCounterRead(db, 'settings');
  }

  /** Goes up whenever anything a public page shows changes (the settings too). */
  publicPagesVersion(): Promise<number> {
    return this.publicPages.read();
  }

  /** Goes up whenever the hub's settings change, and with nothing else. */
  settingsVersion(): Promise<number> {
    return this.settings.read();
  }
}

/**
 * One counter's reads, shared by the callers asking at once.
 *
 * Every public page (and every booking, for the settings) asks, so under load
 * fifty requests at once would make fifty identical queries. Callers share
 * reads instead, but only a read that starts after they asked: one already in
 * flight may have begun before a change the caller has just seen committed,
 * and would hide it. So a caller arriving while a read is in flight waits for
 * the next one, which starts when that one ends and serves everyone who
 * arrived in between: at most two reads are pending at any moment, however
 * many requests.
 */
class SharedCounterRead {
  // Asked on every request: compiled once, not rebuilt each time.
  private readonly query: CompiledQuery<{ value: number | string }>;
  /** The read in flight, if any. */
  private inFlight?: Promise<number>;
  /** The read that starts once the one in flight is done, shared by everyone who asked meanwhile. */
  private next?: Promise<number>;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly name: string,
  ) {
    this.query = db.selectFrom('change_counters').select('value').where('name', '=', name).compile();
  }

  read(): Promise<number> {
    if (!this.inFlight) return this.start();
    this.next ??= this.inFlight.then(settled, settled).then(() => {
      this.next = undefined;
      return this.start();
    });
    return this.next;
  }

  private start(): Promise<number> {
    const read = this.readNow();
    this.inFlight = read;
    const clear = () => {
      if (this.inFlight === read) this.inFlight = undefined;
    };
    read.then(clear, clear);
    return read;
  }

  private async readNow(): Promise<number> {
    const { rows } = await this.db.executeQuery(this.query);
    if (!rows[0]) throw new Error(`The ${this.name} counter is missing: run the migrations`);
    return Number(rows[0].value);
  }
}

/** Waiting for a read to end, whether it succeeded or not. */
function settled(): void {}
