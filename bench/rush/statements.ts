/**
 * What the booking rush costs per booking, counted rather than timed, so the
 * figures hold on a loaded machine: the statements run and the commits made
 * (each an fsync) per booking, when BENCH_DELEGATES delegates (default 300)
 * book one session of 30 places, 100 at a time, through BookingService.book
 * in this process. Statements are counted by a Kysely plugin on the
 * database the services use (begin, savepoints and commit included). It also
 * prints how many bookings each transaction held and how long the session's
 * lock was held per booking (the services' own figures for /metrics), which
 * bounds one hot session however many processes serve it.
 *
 *   node --import tsx bench/rush/statements.ts     (BENCH_DATABASES as bench:rush)
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  RootOperationNode,
} from 'kysely';

import { openDatabase, type DialectName } from '../../src/data/db.js';
import { migrateToLatest } from '../../src/data/migrations/index.js';
import { buildServices } from '../../src/services/index.js';
import { createBookableSessions, createSignedInDelegates } from '../../test/support/seedDelegates.js';
import { createBenchDatabase, databasesToRun, dropBenchDatabases } from '../support/databases.js';
import { runBenchmark } from '../support/processes.js';
import { inPool } from './http.js';

const DELEGATES = Number(process.env.BENCH_DELEGATES || 300);
const CAPACITY = 30;

/** Counts every statement the services send, and the commits among them. */
class StatementCounter implements KyselyPlugin {
  statements = 0;
  commits = 0;
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    this.statements += 1;
    if (node.kind === 'RawNode' && /^\s*commit\b/i.test(node.sqlFragments.join(''))) this.commits += 1;
    return node;
  }
  async transformResult({ result }: PluginTransformResultArgs) {
    return result;
  }
}

async function countOn(dialect: DialectName): Promise<string> {
  const target = await createBenchDatabase(dialect, 'statements');
  const database = openDatabase(target.url, { command: true, onConnectionError: () => undefined });
  try {
    await migrateToLatest(database.db, database.dialect);
    const now = new Date();
    const starts = new Date(Math.ceil((now.getTime() + 28 * 86_400_000) / 86_400_000) * 86_400_000);
    const [sessionId] = await createBookableSessions(database.db, now, [starts], CAPACITY);
    const delegates = await createSignedInDelegates(database.db, now, DELEGATES, 'statements');
    const counter = new StatementCounter();
    const counted = { ...database, db: database.db.withPlugin(counter) };
    const services = buildServices(counted, { publicUrl: 'http://127.0.0.1', secretsKey: randomBytes(32) });
    const needs = { accessNeeds: null, dietaryNeeds: null, consent: false };
    const started = performance.now();
    await inPool(delegates, 100, (delegate) => services.bookings.book(delegate.id, sessionId!, needs));
    const seconds = (performance.now() - started) / 1000;
    const figures = (await services.metrics.render()).body;
    const figure = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(figures)?.[1] ?? NaN);
    const batches = figure('trellis_session_lock_batch_pieces_count');
    const heldMs = figure('trellis_session_lock_held_seconds_sum') * 1000;
    return (
      `${dialect}: ${DELEGATES} bookings, ${(counter.statements / DELEGATES).toFixed(2)} statements and ` +
      `${(counter.commits / DELEGATES).toFixed(3)} commits per booking (${counter.commits} commits), ` +
      `${(DELEGATES / seconds).toFixed(0)} bookings/s; ${batches} transactions under the lock, ` +
      `${(figure('trellis_session_lock_batch_pieces_sum') / batches).toFixed(1)} bookings each, the lock held ` +
      `${(heldMs / DELEGATES).toFixed(3)} ms per booking (at most ${(DELEGATES / (heldMs / 1000)).toFixed(0)} ` +
      'bookings/s for one session, however many processes)'
    );
  } finally {
    await database.close();
    await target.drop();
  }
}

async function main(): Promise<void> {
  for (const dialect of databasesToRun(process.env.BENCH_DATABASES || 'sqlite,postgres')) {
    console.log(await countOn(dialect));
  }
}

await runBenchmark(main, { budgetMs: 10 * 60_000, cleanUp: dropBenchDatabases });
