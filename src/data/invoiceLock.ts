/**
 * The invoice lock: every write that puts charges on invoices, numbers a
 * document, credits a line or changes an invoice's state runs in one
 * transaction that first takes it, so an invoice run and a button press at
 * once never put a charge on two drafts, and numbers are handed out one at a
 * time. SQLite: BEGIN IMMEDIATE (the database's one write lock, as the
 * session lock takes it); PostgreSQL: a transaction-scoped advisory lock,
 * released by commit or rollback.
 */
import { sql, type Kysely } from 'kysely';

import type { DialectName } from './db.js';
import type { DB, Executor } from './schema.js';

/** The advisory lock's key on PostgreSQL: any fixed number no other lock uses. */
const INVOICE_LOCK_KEY = 1_017_017;

export class InvoiceLock {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: DialectName,
  ) {}

  /**
   * Takes the invoice lock inside a transaction already open (one holding the
   * session lock, say, that withdraws a charge from a draft): PostgreSQL takes
   * the same advisory lock, held until that transaction ends; SQLite's
   * transaction began IMMEDIATE and holds the database's one write lock already.
   * Always after the session lock, never before, so the two cannot deadlock.
   */
  async holdIn(trx: Executor): Promise<void> {
    if (this.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${INVOICE_LOCK_KEY})`.execute(trx);
  }

  /** Runs `work` in one transaction holding the invoice lock; callers queue here. */
  async run<T>(work: (db: Executor) => Promise<T>): Promise<T> {
    if (this.dialect === 'postgres') {
      return this.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${INVOICE_LOCK_KEY})`.execute(trx);
        return work(trx);
      });
    }
    // A turn of the event loop first, as the session lock gives, so a queue
    // of locked work never keeps the server from answering.
    await new Promise((resolve) => setImmediate(resolve));
    return this.db.connection().execute(async (connection) => {
      await sql.raw('begin immediate').execute(connection);
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
