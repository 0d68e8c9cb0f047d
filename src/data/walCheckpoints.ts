/**
 * SQLite's checkpoints, moved off the event loop for the server.
 *
 * In WAL mode each commit appends to the `-wal` file, and a checkpoint copies
 * those pages back into the database file. By default the commit that takes
 * the WAL past 1,000 pages runs the checkpoint itself, and better-sqlite3 is
 * synchronous, so the whole process stops while the pages are copied and the
 * file is flushed to disk, for every request in flight: several times in a
 * booking rush of 2,000. Here a worker
 * thread with a connection of its own checkpoints a little and often instead,
 * while the event loop goes on answering.
 *
 * The checkpoints are PASSIVE: they copy what no reader still needs and never
 * wait for, or block, the server's connection. Bookings are as durable as
 * before (each commit still waits for the WAL to reach the disk); only the
 * copying moves. Should the worker stop, the server's own connection still
 * checkpoints, later (`FALLBACK_AUTOCHECKPOINT_PAGES`), so the WAL cannot grow
 * without end.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

import type SQLite from 'better-sqlite3';

/** How often the worker checkpoints. A checkpoint with nothing to copy costs next to nothing. */
export const CHECKPOINT_EVERY_MS = 250;

/**
 * The server's own connection checkpoints only once the WAL holds this many
 * pages (about 40 MB at SQLite's 4 KiB pages): a safety net, ten times
 * SQLite's default, that the worker keeps it from reaching.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

export interface WalCheckpoints {
  /** Stops the worker after the checkpoint it may be running, and closes its connection. */
  stop(): Promise<void>;
}

/**
 * The worker's whole program. It is given as source rather than as a file of
 * its own so that it runs the same from `dist/` and from the TypeScript the
 * tests load; better-sqlite3 is found from here and handed over.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.sqliteModule);
const connection = new SQLite(workerData.path, { fileMustExist: true });
connection.pragma('busy_timeout = 0');
const report = workerData.report ? (outcome) => parentPort.postMessage(outcome) : () => {};
const checkpoint = () => {
  try {
    const [result] = connection.pragma('wal_checkpoint(PASSIVE)');
    report({ checkpointed: result.checkpointed, log: result.log });
  } catch (error) {
    // Busy or locked: the next turn tries again.
    report({ failed: String(error && error.message) });
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  connection.close();
  parentPort.close();
});
`;

export interface WalCheckpointOptions {
  everyMs?: number;
  /** Told after each of the worker's checkpoints (tests). */
  onCheckpoint?: (outcome: { checkpointed: number; log: number } | { failed: string }) => void;
}

/**
 * Starts checkpointing `path` (an SQLite database in WAL mode, already open
 * through `connection`) from a worker thread, and leaves `connection`'s own
 * checkpoints as the fallback only.
 */
export function checkpointInBackground(
  connection: SQLite.Database,
  path: string,
  options: WalCheckpointOptions = {},
): WalCheckpoints {
  connection.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      path,
      everyMs: options.everyMs ?? CHECKPOINT_EVERY_MS,
      // Messages only for someone listening: the server's event loop is not woken four times a second.
      report: options.onCheckpoint !== undefined,
      sqliteModule: createRequire(import.meta.url).resolve('better-sqlite3'),
    },
  });
  // Never what keeps the process running.
  worker.unref();
  worker.on('message', (outcome) => options.onCheckpoint?.(outcome));
  // A worker that fails to start, or dies, leaves the fallback: the server goes on.
  worker.on('error', () => connection.pragma('wal_autocheckpoint = 1000'));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      worker.postMessage('stop');
      await exited;
    },
  };
}
