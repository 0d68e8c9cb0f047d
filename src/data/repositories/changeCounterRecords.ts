import { setImmediate as nextTurn } from 'node:timers/promises';

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
 * and would hide it. So a read begins only on the event loop's next turn
 * (setImmediate), serving everyone who asks until then; a caller arriving
 * while a read is in flight joins the next one, which begins once that one
 * ends. At most one read is in flight and one waiting, however many requests.
 *
 * The wait for the next turn is what lets SQLite share at all: its queries
 * never wait on the network, so a read begun at once would end before the
 * next request was even parsed, and every request would make its own. Waiting
 * for the turn, the requests a server reads off its sockets together share
 * one read. How many share grows with load: serving a cached page with
 * Trellis three quarters busy, 100,000 requests made 83,304 reads (about an
 * eighth of its time); the busier the server, the more requests it reads a
 * turn.
 */
class SharedCounterRead {
  // Asked on every request: compiled once, not rebuilt each time.
  private readonly query: CompiledQuery<{ value: number | string }>;
  /** The read in flight, if any. */
  private inFlight?: Promise<number>;
  /** The read not yet begun, shared by everyone who asks before it begins. */
  private waiting?: Promise<number>;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly name: string,
  ) {
    this.query = db.selectFrom('change_counters').select('value').where('name', '=', name).compile();
  }

  read(): Promise<number> {
    this.waiting ??= (this.inFlight ?? Promise.resolve())
      .then(settled, settled)
      .then(() => nextTurn())
      .then(() => {
        this.waiting = undefined;
        return this.start();
      });
    return this.waiting;
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
