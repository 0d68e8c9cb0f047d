/**
 * The session lock: the one way to change a session's places.
 *
 * Every write that depends on a session's free places (a delegate booking,
 * staff booking on someone's behalf, a move, a capacity change, a merge)
 * runs in one transaction that first takes this lock, then re-counts, then
 * writes, so a session is never overbooked however many people book at once.
 * SQLite: BEGIN IMMEDIATE (one write lock for the whole database);
 * PostgreSQL: SELECT … FOR UPDATE on the session rows, in id order.
 *
 * Group commit. Work waiting for the same lock in this process is gathered
 * into one transaction (a batch), so a rush pays for one lock and one commit
 * (one fsync) per batch instead of one per booking. On SQLite any waiting
 * work joins, as one lock covers the whole database; on PostgreSQL, work for
 * the same session. Each piece of work runs inside its own SAVEPOINT, in the
 * order it arrived: one that throws (a session full, a price changed) is
 * rolled back alone and rejected, and the others go on. Every piece sees the
 * writes of the pieces before it, so each still re-counts the places left.
 * The pieces that succeeded are resolved only after the one COMMIT: if the
 * commit fails, every piece in the batch fails, and none is reported done.
 * Work arriving while a batch runs joins the next one, and a batch is capped
 * (`maxBatch`) so nobody waits behind an unbounded queue. On PostgreSQL,
 * work for two or more sessions at once (a move, a merge) runs alone.
 */
import { sql, type Kysely } from 'kysely';

import type { DialectName } from './db.js';
import type { DB, Executor } from './schema.js';

export interface SessionLockOptions {
  /**
   * TEST ONLY. Takes no lock (and gathers nothing: each piece of work runs
   * in a transaction of its own), to show in tests that the lock is what
   * prevents overbooking.
   */
  unsafeWithoutLock?: boolean;
  /** The most pieces of work one transaction gathers (default 100). */
  maxBatch?: number;
}

/** Default cap on a batch: long enough to pay for its commit, short enough that waiting stays bounded. */
export const DEFAULT_MAX_BATCH = 100;

type Work<T> = (db: Executor) => Promise<T>;

/** A piece of work waiting for its batch, and the caller waiting for its answer. */
interface Piece {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** What became of a piece inside its batch, told to its caller once the batch has ended. */
type Outcome = { done: true; value: unknown } | { done: false; error: unknown };

/**
 * The batch's transaction can no longer be used (a savepoint could not be
 * rolled back to, the connection went): nothing in it can be committed.
 */
class BatchBroken extends Error {
  constructor(readonly reason: unknown) {
    super('the transaction of a batch of session work broke');
  }
}

/** SQLite: every piece of work queues for the database's one write lock. */
const WHOLE_DATABASE = 'database';

export class SessionLock {
  /** Pieces waiting for the next batch, per lock (a session id, or the whole SQLite database). */
  private readonly waiting = new Map<number | string, Piece[]>();
  private readonly maxBatch: number;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: DialectName,
    private readonly options: SessionLockOptions = {},
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? DEFAULT_MAX_BATCH);
  }

  /**
   * Runs `work` holding the session's lock, in one transaction (shared with
   * other work waiting for the same lock, each piece in its own savepoint).
   * Concurrent callers for the same session queue here. The answer comes
   * once the transaction has committed.
   */
  async forSession<T>(sessionId: number, work: Work<T>): Promise<T> {
    return this.forSessions([sessionId], work);
  }

  /**
   * As forSession, holding several sessions' locks at once (moving a booking
   * changes the places of two). PostgreSQL locks the rows in id order, so two
   * moves in opposite directions cannot deadlock.
   */
  async forSessions<T>(sessionIds: number[], work: Work<T>): Promise<T> {
    const ids = [...new Set(sessionIds)].sort((a, b) => a - b);
    if (this.options.unsafeWithoutLock) return this.alone(ids, work);
    if (this.dialect === 'sqlite') return this.join(WHOLE_DATABASE, [], work);
    if (ids.length === 1) return this.join(ids[0]!, ids, work);
    return this.alone(ids, work);
  }

  /** Queues `work` for the next batch under `key`, starting the batches if none is running. */
  private join<T>(key: number | string, lockIds: number[], work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const queue = this.waiting.get(key);
      const piece: Piece = { work, resolve: resolve as (value: unknown) => void, reject };
      if (queue) {
        queue.push(piece);
        return;
      }
      this.waiting.set(key, [piece]);
      void this.drain(key, lockIds);
    });
  }

  /** Runs batches under `key` until nothing is waiting. Never throws: every piece is settled. */
  private async drain(key: number | string, lockIds: number[]): Promise<void> {
    for (;;) {
      // better-sqlite3 is synchronous: without a turn of the event loop
      // between transactions, a queue of bookings would keep the server from
      // accepting new connections (or answering health checks) until it
      // drained. The turn also lets the work that arrives meanwhile join.
      await new Promise((resolve) => setImmediate(resolve));
      const queue = this.waiting.get(key)!;
      const batch = queue.splice(0, this.maxBatch);
      if (batch.length === 0) {
        this.waiting.delete(key);
        return;
      }
      await this.runBatch(lockIds, batch);
    }
  }

  /** One transaction for the batch: lock, each piece in its savepoint, one commit, then the answers. */
  private async runBatch(lockIds: number[], batch: Piece[]): Promise<void> {
    const outcomes: Outcome[] = [];
    let failure: unknown;
    try {
      await this.db.connection().execute(async (connection) => {
        await this.begin(connection);
        try {
          await this.lockRows(connection, lockIds);
          await this.runPieces(connection, batch, outcomes);
          await this.commit(connection);
        } catch (error) {
          await sql
            .raw('rollback')
            .execute(connection)
            .catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      failure = error instanceof BatchBroken ? error.reason : error;
    }
    batch.forEach((piece, index) => {
      const outcome = outcomes[index];
      // A piece refused on its own keeps its own reason, whatever became of the batch.
      if (outcome && !outcome.done) piece.reject(outcome.error);
      else if (failure !== undefined) piece.reject(failure);
      else piece.resolve(outcome!.done ? outcome!.value : undefined);
    });
  }

  /**
   * Opens the batch's transaction. SQLite: BEGIN IMMEDIATE takes the write
   * lock before anything is read, so no other process can book between
   * count and write.
   */
  private async begin(connection: Executor): Promise<void> {
    await sql.raw(this.dialect === 'sqlite' ? 'begin immediate' : 'begin').execute(connection);
  }

  /** PostgreSQL: the session row's lock, inside the transaction (held until it ends). */
  private async lockRows(connection: Executor, lockIds: number[]): Promise<void> {
    for (const id of lockIds) {
      await connection.selectFrom('sessions').where('id', '=', id).select('id').forUpdate().execute();
    }
  }

  /**
   * Commits the batch. A method of its own so that a test can make it fail,
   * and show that then no piece is reported done.
   */
  protected async commit(connection: Executor): Promise<void> {
    await sql.raw('commit').execute(connection);
  }

  /**
   * Runs each piece in its own savepoint, in arrival order, recording what
   * became of it in `outcomes`. A piece that throws is rolled back to its
   * savepoint alone. Throws BatchBroken when the transaction cannot go on.
   */
  private async runPieces(connection: Executor, batch: Piece[], outcomes: Outcome[]): Promise<void> {
    // The savepoint to open before the next piece, when the last statement
    // sent has not opened it already.
    let opened = false;
    for (const [index, piece] of batch.entries()) {
      const savepoint = `piece_${index}`;
      if (!opened) await sql.raw(`savepoint ${savepoint}`).execute(connection);
      opened = false;
      try {
        const value = await piece.work(connection);
        // Releasing also shows whether the piece left the transaction usable
        // (on PostgreSQL, a failed statement whose error it caught does not).
        await this.release(connection, savepoint, index + 1 < batch.length ? `piece_${index + 1}` : null);
        opened = this.dialect === 'postgres' && index + 1 < batch.length;
        outcomes.push({ done: true, value });
      } catch (error) {
        try {
          await sql.raw(`rollback to savepoint ${savepoint}`).execute(connection);
          await sql.raw(`release savepoint ${savepoint}`).execute(connection);
        } catch (broken) {
          outcomes.push({ done: false, error });
          throw new BatchBroken(broken);
        }
        outcomes.push({ done: false, error });
      }
    }
  }

  /**
   * Releases a piece's savepoint. On PostgreSQL the next piece's savepoint
   * goes in the same round trip (a query without parameters may hold two
   * statements), one wait fewer per booking while the lock is held. SQLite
   * runs one statement at a time, and has no round trip to save.
   */
  private async release(connection: Executor, savepoint: string, next: string | null): Promise<void> {
    const both = this.dialect === 'postgres' && next !== null;
    await sql
      .raw(both ? `release savepoint ${savepoint}; savepoint ${next}` : `release savepoint ${savepoint}`)
      .execute(connection);
  }

  /** One piece of work in a transaction of its own (PostgreSQL, several sessions; or without the lock). */
  private async alone<T>(ids: number[], work: Work<T>): Promise<T> {
    if (this.dialect === 'postgres') {
      return this.db.transaction().execute(async (trx) => {
        if (!this.options.unsafeWithoutLock) {
          for (const id of ids) {
            await trx.selectFrom('sessions').where('id', '=', id).select('id').forUpdate().execute();
          }
        }
        return work(trx);
      });
    }
    await new Promise((resolve) => setImmediate(resolve));
    return this.db.connection().execute(async (connection) => {
      await sql.raw(this.options.unsafeWithoutLock ? 'begin' : 'begin immediate').execute(connection);
      try {
        const result = await work(connection);
        await sql.raw('commit').execute(connection);
        return result;
      } catch (error) {
        await sql.raw('rollback').execute(connection);
        throw error;
      }
    });
  }
}
