/**
 * The session lock: the one way to change a session's places.
 *
 * Every write that depends on a session's free places (a delegate booking,
 * staff booking on someone's behalf, a move, a capacity change, a merge)
 * runs in one transaction that first takes this lock, then re-counts, then
 * writes, so a session is never overbooked however many people book at once.
 * SQLite: BEGIN IMMEDIATE (one write lock for the whole database);
 * PostgreSQL: SELECT … FOR UPDATE on the session rows, in id order.
 */
import { sql, type Kysely } from 'kysely';

import type { DialectName } from './db.js';
import type { DB, Executor } from './schema.js';

export interface SessionLockOptions {
  /**
   * TEST ONLY. Takes no lock, to show in tests that the lock is what
   * prevents overbooking.
   */
  unsafeWithoutLock?: boolean;
}

export class SessionLock {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: DialectName,
    private readonly options: SessionLockOptions = {},
  ) {}

  /**
   * Runs `work` holding the session's lock, in one transaction. Concurrent
   * callers for the same session queue here.
   */
  async forSession<T>(sessionId: number, work: (db: Executor) => Promise<T>): Promise<T> {
    return this.forSessions([sessionId], work);
  }

  /**
   * As forSession, holding several sessions' locks at once (moving a booking
   * changes the places of two). PostgreSQL locks the rows in id order, so two
   * moves in opposite directions cannot deadlock.
   */
  async forSessions<T>(sessionIds: number[], work: (db: Executor) => Promise<T>): Promise<T> {
    const ids = [...new Set(sessionIds)].sort((a, b) => a - b);
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
    // SQLite: one connection, and BEGIN IMMEDIATE takes the write lock before
    // anything is read, so no other process can book between count and write
    // (one lock covers every session).
    // better-sqlite3 is synchronous: without a turn of the event loop between
    // transactions, a queue of bookings would keep the server from accepting
    // new connections (or answering health checks) until it drained.
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
