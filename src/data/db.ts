/**
 * Opens Trellis's database: the embedded SQLite file by default, or
 * PostgreSQL when DATABASE_URL says so. Everything above this file speaks
 * Kysely and does not care which.
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import pg from 'pg';

import type { DB } from './schema.js';
import { checkpointInBackground } from './walCheckpoints.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  dialect: DialectName;
  /** Checks the connection answers; used by the health endpoint. */
  ping(): Promise<void>;
  /**
   * How the PostgreSQL connection pool is used right now, for /metrics; null
   * on SQLite, whose one connection is used in turn and has nothing to tell.
   */
  poolStats(): PoolStats | null;
  close(): Promise<void>;
}

export interface PoolStats {
  /** Connections the pool may open (DATABASE_POOL_SIZE). */
  max: number;
  /** Connections open now, in use or idle. */
  total: number;
  idle: number;
  /** Pieces of work waiting for a connection because all `max` are in use. */
  waiting: number;
}

export interface DatabaseOptions {
  /**
   * Told when PostgreSQL drops a connection (a restart, a failover), whether
   * it was idle in the pool or in use by a request. The pool replaces it.
   */
  onConnectionError?: (error: Error) => void;
  /** PostgreSQL: connections this process may hold at once (DATABASE_POOL_SIZE, default 10). */
  poolSize?: number;
  /**
   * PostgreSQL: this process is a command (the CLI, a benchmark), not a
   * server: its connections are named `trellis-command/…`, so servers
   * counting each other for the shared-limits warning do not count it
   * (data/processCount.ts). An operator's backup while Trellis runs is not a
   * second server.
   */
  command?: boolean;
  /**
   * SQLite: checkpoint the WAL from a worker thread rather than in the commit
   * that fills it (data/walCheckpoints.ts). For the server, which answers
   * requests while it writes; a command that runs and ends has no need.
   */
  checkpointInBackground?: boolean;
}

/**
 * The database could not be reached, or dropped the connection a piece of
 * work was using. Nothing is wrong with the request: it can be tried again.
 */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
  constructor(readonly reason: unknown) {
    super(`the database could not be reached: ${reason instanceof Error ? reason.message : String(reason)}`);
  }
}

/** PostgreSQL's codes for a connection ended or refused by the server (a restart, a failover, too many). */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', 'SQLITE_BUSY']);
const UNAVAILABLE_SYSTEM_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
/** What node-postgres says (with no code) when a connection it was using has gone. */
const UNAVAILABLE_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect)/;

/**
 * Whether this error means the database was unreachable rather than that the
 * work itself was wrong: such a request fails with "try again", never as a bug.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNAVAILABLE_CODES.has(code) || UNAVAILABLE_SYSTEM_CODES.has(code) || code.startsWith('08')) return true;
  }
  return UNAVAILABLE_MESSAGES.test(error.message);
}

export function openDatabase(url: string, options: DatabaseOptions = {}): Database {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), options);
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options);
  throw new Error('DATABASE_URL must start with sqlite: or postgres://');
}

function openSqlite(path: string, options: DatabaseOptions): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const connection = new SQLite(path);
  // WAL lets pages be read while a booking writes; FULL makes a committed
  // booking survive a power cut, which matters more here than write speed.
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = FULL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  const checkpoints =
    options.checkpointInBackground && path !== ':memory:' ? checkpointInBackground(connection, path) : null;
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) });
  return {
    db,
    dialect: 'sqlite',
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    poolStats: () => null,
    close: async () => {
      await checkpoints?.stop();
      await db.destroy();
    },
  };
}

/**
 * Kysely asks SQLite to prepare every query afresh, which costs more than
 * running it. The same few query texts recur on every page, so prepared
 * statements are kept and reused (better-sqlite3 statements are reusable).
 */
function withStatementCache(connection: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => connection.close(),
    prepare: (text: string) => {
      let statement = statements.get(text);
      if (!statement) {
        // Queries built from user input (a search's words) make new texts;
        // a bound keeps the cache from growing without end.
        if (statements.size >= 1_000) statements.clear();
        statement = connection.prepare(text);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

/** What every Trellis server's connections to PostgreSQL are called, before its host and process. */
export const APPLICATION_NAME_PREFIX = 'trellis/';
/** What a command's are called (`npm run trellis -- …`, a benchmark): not a server, not counted as one. */
export const COMMAND_APPLICATION_NAME_PREFIX = 'trellis-command/';

/**
 * This process's name for its PostgreSQL connections, `trellis/<host>/<pid>`
 * for a server (`trellis-command/…` for a command), as pg_stat_activity shows
 * it: one name per process, so Trellis can count how many servers share the
 * database (see data/processCount.ts). PostgreSQL keeps 63 bytes of it, so a
 * long host name is cut, never the pid.
 */
export function applicationName(prefix = APPLICATION_NAME_PREFIX, host = hostname(), pid = process.pid): string {
  const tail = `/${pid}`;
  const room = 63 - prefix.length - tail.length;
  const safeHost = host.replace(/[^\x20-\x7e]/g, '?').slice(0, room);
  return `${prefix}${safeHost}${tail}`;
}

/** How long opening a PostgreSQL connection may take before the request gets a 503. */
const CONNECT_TIMEOUT_MS = 5_000;

function openPostgres(url: string, options: DatabaseOptions): Database {
  // A database that does not answer fails a request in seconds rather than
  // holding it (and a load balancer's health check) for ever. The limit is the
  // client's, on opening a connection only: the pool's own option would also
  // fail requests queued for a free connection during a booking rush.
  class ClientGivingUpOnConnect extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    Client: ClientGivingUpOnConnect,
    application_name: applicationName(options.command ? COMMAND_APPLICATION_NAME_PREFIX : APPLICATION_NAME_PREFIX),
    // No just-in-time compilation of queries: Trellis's statements are short, and
    // for the few large ones (a year report at a large hub) PostgreSQL spent more
    // time compiling (1.9 s) than running them (0.5 s). An `options` parameter in
    // DATABASE_URL still wins, for anyone who wants otherwise.
    ...(/[?&]options=/.test(url) ? {} : { options: '-c jit=off' }),
  });
  const reportDropped = (error: Error) => options.onConnectionError?.(error);
  // A connection in use by a request has no listener of the pool's: without
  // this one, its being dropped would be an uncaught error that ends the
  // process. The query using it fails, and the pool discards it on release.
  pool.on('connect', (client) => client.on('error', reportDropped));
  // The pool's own event for an idle connection, already reported above.
  pool.on('error', () => undefined);
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({
      pool: {
        connect: () =>
          pool.connect().catch((error: unknown) => {
            throw new DatabaseUnavailableError(error);
          }),
        end: () => pool.end(),
      },
    }),
  });
  return {
    db,
    dialect: 'postgres',
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    poolStats: () => ({
      // Always set above; pg's type allows it to be missing.
      max: pool.options.max ?? 10,
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }),
    close: () => db.destroy(),
  };
}
