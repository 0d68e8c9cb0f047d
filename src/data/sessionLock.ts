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
 *
 * Work done together. Pieces of the same kind for the same session that sit
 * next to each other in a batch (delegates' bookings in a rush: see
 * `Together` and services/bookings/placeBookings.ts) are handed over as one
 * list, in arrival order, inside one savepoint: their work reads and writes
 * with a few statements for the whole list instead of a few for each. Should
 * that list's work throw, its savepoint is rolled back and each piece runs
 * again alone, so one unforeseen failure fails only its own piece.
 */
import { performance } from 'node:perf_hooks';

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
  /**
   * Told of every batch once it has ended: how many pieces it held and how
   * long its transaction held the lock, from BEGIN to the end of COMMIT (or
   * ROLLBACK), in milliseconds (for /metrics).
   */
  onBatch?: (pieces: number, heldMs: number) => void;
}

/** Default cap on a batch: long enough to pay for its commit, short enough that waiting stays bounded. */
export const DEFAULT_MAX_BATCH = 100;

type Work<T> = (db: Executor) => Promise<T>;

/** What became of one caller's part of work done together. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Work of one kind that can be done for several callers at once, under one
 * session's lock (see the header). `all` gets every caller's input, in
 * arrival order, and gives back one outcome each, in the same order. It
 * must write nothing for a caller it refuses (an outcome with `ok: false`),
 * and throws only when it can say nothing for any of them: then each caller
 * is run again alone, through `all` with a list of one.
 */
export interface Together<I, T> {
  all(db: Executor, inputs: I[]): Promise<Array<Settled<T>>>;
}

/** A piece of work waiting for its batch, and the caller waiting for its answer. */
interface Piece {
  work: Work<unknown>;
  /** Set when the piece may be done together with its neighbours of the same kind and session. */
  together?: { kind: Together<unknown, unknown>; sessionId: number; input: unknown };
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

  /**
   * As forSession, for work that may be done together with the same kind of
   * work for the same session waiting next to it in the batch (see
   * `Together`): `kind.all` is called with this caller's `input` among others.
   */
  async forSessionTogether<I, T>(sessionId: number, kind: Together<I, T>, input: I): Promise<T> {
    const alone: Work<T> = async (db) => {
      const [outcome] = await kind.all(db, [input]);
      if (!outcome) throw new Error('work done together gave no outcome');
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    };
    if (this.options.unsafeWithoutLock) return this.alone([sessionId], alone);
    const key = this.dialect === 'sqlite' ? WHOLE_DATABASE : sessionId;
    const lockIds = this.dialect === 'sqlite' ? [] : [sessionId];
    return this.join(key, lockIds, alone, {
      kind: kind as Together<unknown, unknown>,
      sessionId,
      input,
    });
  }

  /** Queues `work` for the next batch under `key`, starting the batches if none is running. */
  private join<T>(
    key: number | string,
    lockIds: number[],
    work: Work<T>,
    together?: Piece['together'],
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const queue = this.waiting.get(key);
      const piece: Piece = {
        work,
        ...(together ? { together } : {}),
        resolve: resolve as (value: unknown) => void,
        reject,
      };
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
    const started = performance.now();
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
    this.options.onBatch?.(batch.length, performance.now() - started);
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
   * Runs the batch in arrival order, recording what became of each piece in
   * `outcomes`: each piece in its own savepoint, or a run of neighbours done
   * together (see `Together`) in one. Work that throws is rolled back to its
   * savepoint alone. Throws BatchBroken when the transaction cannot go on.
   */
  private async runPieces(connection: Executor, batch: Piece[], outcomes: Outcome[]): Promise<void> {
    // The savepoint opened by the last statement sent, if any (see release).
    let opened: string | null = null;
    let index = 0;
    while (index < batch.length) {
      const run = this.runOfNeighbours(batch, index);
      const savepoint = `piece_${index}`;
      const next = index + run.length < batch.length ? `piece_${index + run.length}` : null;
      if (opened !== savepoint) await sql.raw(`savepoint ${savepoint}`).execute(connection);
      opened = null;
      try {
        let settled: Outcome[];
        if (run.length === 1) {
          settled = [{ done: true, value: await run[0]!.work(connection) }];
        } else {
          const first = run[0]!.together!;
          const answers = await first.kind.all(
            connection,
            run.map((piece) => piece.together!.input),
          );
          if (answers.length !== run.length) throw new Error('work done together gave the wrong number of outcomes');
          settled = answers.map((a) => (a.ok ? { done: true, value: a.value } : { done: false, error: a.error }));
        }
        // Releasing also shows whether the work left the transaction usable
        // (on PostgreSQL, a failed statement whose error it caught does not).
        await this.release(connection, savepoint, next);
        if (this.dialect === 'postgres') opened = next;
        outcomes.push(...settled);
      } catch (error) {
        await this.rollBackTo(connection, savepoint, () => outcomes.push({ done: false, error }));
        if (run.length === 1) outcomes.push({ done: false, error });
        // Done together, it failed as a whole: each piece is run again alone.
        else await this.runAlone(connection, run, index, outcomes);
      }
      index += run.length;
    }
  }

  /** The pieces from `index` that can be done together: its neighbours of the same kind and session (at least the one). */
  private runOfNeighbours(batch: Piece[], index: number): Piece[] {
    const first = batch[index]!;
    let end = index + 1;
    if (first.together) {
      while (
        end < batch.length &&
        batch[end]!.together?.kind === first.together.kind &&
        batch[end]!.together?.sessionId === first.together.sessionId
      ) {
        end += 1;
      }
    }
    return batch.slice(index, end);
  }

  /** Each piece of a failed run, alone, in its own savepoint. */
  private async runAlone(connection: Executor, run: Piece[], from: number, outcomes: Outcome[]): Promise<void> {
    for (const [offset, piece] of run.entries()) {
      const savepoint = `alone_${from + offset}`;
      await sql.raw(`savepoint ${savepoint}`).execute(connection);
      try {
        const value = await piece.work(connection);
        await this.release(connection, savepoint, null);
        outcomes.push({ done: true, value });
      } catch (error) {
        await this.rollBackTo(connection, savepoint, () => outcomes.push({ done: false, error }));
        outcomes.push({ done: false, error });
      }
    }
  }

  /**
   * Undoes the work since `savepoint`. When even that fails, the transaction
   * is lost: `onBroken` records the piece's failure and BatchBroken is thrown.
   */
  private async rollBackTo(connection: Executor, savepoint: string, onBroken: () => void): Promise<void> {
    try {
      await sql.raw(`rollback to savepoint ${savepoint}`).execute(connection);
      await sql.raw(`release savepoint ${savepoint}`).execute(connection);
    } catch (broken) {
      onBroken();
      throw new BatchBroken(broken);
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
