/**
 * A rush's writes, as the public page cache sees them: raises the public
 * pages counter (change_counters.public_pages) BUMPS_PER_SECOND times a
 * second in the SQLite database at DATABASE_PATH, one transaction each, as
 * the triggers do on every booking. For bench/pages.ts's "during a rush"
 * measurement, which runs it in a child process of its own so its writes do
 * not share an event loop with the load generator or Trellis.
 *
 * Prints `{"ready":true}` on one line once it writes, and stops on SIGTERM.
 */
import SQLite from 'better-sqlite3';

const path = process.env.DATABASE_PATH;
const perSecond = Number(process.env.BUMPS_PER_SECOND ?? 500);
if (!path) throw new Error('counter bumper: DATABASE_PATH is not set');
if (!Number.isFinite(perSecond) || perSecond <= 0)
  throw new Error('counter bumper: BUMPS_PER_SECOND must be > 0');

const connection = new SQLite(path);
// Not FULL, as Trellis has it: the pages only see that the counter moved, and
// without a disk flush per write the bumper keeps its rate on a loaded machine.
connection.pragma('journal_mode = WAL');
connection.pragma('synchronous = NORMAL');
connection.pragma('busy_timeout = 5000');
const bump = connection.prepare("update change_counters set value = value + 1 where name = 'public_pages'");

const started = performance.now();
let done = 0;
let stopping = false;

/** Catches up with the schedule (so a late timer does not lower the rate), then waits a millisecond. */
function tick(): void {
  if (stopping) return;
  const owed = Math.floor(((performance.now() - started) / 1000) * perSecond);
  for (; done < owed; done += 1) bump.run();
  setTimeout(tick, 1);
}

console.log(JSON.stringify({ ready: true }));
tick();

process.once('SIGTERM', () => {
  stopping = true;
  connection.close();
  process.exit(0);
});
