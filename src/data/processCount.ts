/**
 * How many Trellis servers use this database, as PostgreSQL sees them: each
 * names its connections `trellis/<host>/<pid>` (data/db.ts), so the distinct
 * names among the database's connections are the processes. Commands (the
 * CLI, benchmarks) name theirs `trellis-command/…` and are not counted.
 * Client address and port would not do: processes on one host share the
 * address, and each connection has its own port.
 *
 * SQLite cannot tell: it keeps no list of who has the file open.
 */
import { sql, type Kysely } from 'kysely';

import { APPLICATION_NAME_PREFIX, type DialectName } from './db.js';
import type { DB } from './schema.js';

/**
 * The number of Trellis processes with a connection to this database now
 * (this one included, its own connection being the one asking), or null on
 * SQLite, which cannot say.
 */
export async function trellisProcessesOnDatabase(db: Kysely<DB>, dialect: DialectName): Promise<number | null> {
  if (dialect !== 'postgres') return null;
  const { rows } = await sql<{ processes: string | number }>`
    select count(distinct application_name) as processes
    from pg_stat_activity
    where datname = current_database()
      and application_name like ${`${APPLICATION_NAME_PREFIX}%`}
  `.execute(db);
  return Number(rows[0]?.processes ?? 0);
}

/** How often a process without a shared store looks again: a process started later is then noticed by this one too. */
export const RECHECK_EVERY_MS = 5 * 60_000;

export const SEVERAL_PROCESSES_WARNING =
  'Several Trellis processes share this database but not a Redis: each counts its own rate limits and ' +
  'sign-in throttle, so a guesser gets that many times the attempts. Set REDIS_URL (the same on every process) ' +
  'to count them across all of them.';

/**
 * Without a shared store (no REDIS_URL): looks now and every RECHECK_EVERY_MS
 * for other Trellis processes on this database, and calls `warn` once, the
 * first time there are. Returns a function that stops looking. A failed look
 * (the database briefly away) is tried again at the next.
 */
export function watchForOtherProcesses(
  db: Kysely<DB>,
  dialect: DialectName,
  warn: (message: string, processes: number) => void,
  everyMs = RECHECK_EVERY_MS,
): { stop(): void; checked: Promise<void> } {
  if (dialect !== 'postgres') return { stop: () => undefined, checked: Promise.resolve() };
  let warned = false;
  const look = async () => {
    const processes = await trellisProcessesOnDatabase(db, dialect).catch(() => null);
    if (warned || processes === null || processes < 2) return;
    warned = true;
    clearInterval(timer);
    warn(SEVERAL_PROCESSES_WARNING, processes);
  };
  // Set before the first look can finish (it waits for the database), so that look can stop it.
  const timer = setInterval(() => void look(), everyMs);
  timer.unref();
  const checked = look();
  return { stop: () => clearInterval(timer), checked };
}
