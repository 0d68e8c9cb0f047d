/**
 * The several-processes benchmark (`npm run bench:cluster`): three Trellis
 * processes on one fresh PostgreSQL database, behind Debian's nginx
 * configured from deploy/nginx/trellis.conf, with Redis for shared limits
 * and a local mail server (bench/cluster/smtpSink.ts) counting what arrives.
 *
 *   0. One process on its own (a database of its own, same setup, no nginx):
 *      the session page's req/s, then a rush of bookings. The baseline.
 *   1. The cluster: the session page's req/s through nginx, then
 *      a. the rush of BENCH_DELEGATES (2,000) delegates for 30 places through
 *         nginx: every response the 303 to a new booking, exactly 30
 *         confirmed, and each booking's one email at the mail server once;
 *      b. the same on a fresh session with one process killed (kill -9) when
 *         half the responses are in, and started again: still exactly 30,
 *         every 303 a real booking of that delegate (read back from the
 *         database), the only other answer nginx's 502 for the requests the
 *         dead process had, and every email once (OUTBOX_LEASE_SECONDS=15,
 *         so what the dead process had claimed is sent within the run);
 *      c. the same on a fresh session with the application's database
 *         connections ended (pg_terminate_backend) a third of the way in:
 *         the only answers a 303 or Trellis's "service unavailable" 503
 *         (Retry-After, its page), every request answered within
 *         REQUEST_TIMEOUT_MS, then /health 200 again on every process by
 *         itself, and the delegates who got a 503 booking successfully when
 *         they try again.
 *
 * Each scenario waits for the outbox to empty before the next. The figures:
 * bookings/s and session-page req/s through nginx, each as a ratio to the
 * one process on its own, from this one run. See docs/PERFORMANCE.md.
 *
 * Environment:
 *   BENCH_POSTGRES_URL   an admin connection (default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_REDIS_URL      Redis for the processes' limits (default redis://127.0.0.1:6379)
 *   BENCH_DELEGATES      delegates (default 2000)
 *   BENCH_REQUEST_TIMEOUT_SECONDS  a booking not answered in this long is a hang (default 120)
 *   BENCH_PAGE_REQUESTS  session page requests measured, after 200 to warm up (default 20000)
 *   BENCH_LOG_LEVEL      Trellis's LOG_LEVEL (default warn)
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import { Redis } from 'ioredis';
import pg from 'pg';

import { openDatabase, type Database } from '../src/data/db.js';
import { migrateToLatest } from '../src/data/migrations/index.js';
import {
  createBookableSessions,
  createSignedInDelegates,
  type SignedInDelegate,
} from '../test/support/seedDelegates.js';
import {
  ALREADY_BOOKED,
  BOOKED,
  describeStatuses,
  pressBook,
  rush,
  type BookingResponse,
} from './cluster/bookings.js';
import { openBookingPage, type Ready } from './rush/bookingPage.js';
import { startNginx, stopAllNginx, type RunningNginx } from './cluster/nginx.js';
import { outcomeProblems, readOutcome, waitForOutbox, type RushOutcome } from './cluster/outcome.js';
import { SmtpSink } from './cluster/smtpSink.js';
import { TrellisProcess } from './cluster/trellis.js';
import { createHttpClient, inPool, percentile } from './rush/http.js';
import { createBenchDatabase, dropBenchDatabases, type BenchDatabase } from './support/databases.js';
import { measure, positiveNumber, type Measurement } from './support/load.js';
import { delay, freePort, runBenchmark } from './support/processes.js';
import { printMachine, printTable } from './support/report.js';

const CAPACITY = 30;
const CONCURRENCY = 100;
const PROCESSES = 3;
/**
 * A request not answered in this long is a hang, and fails the run. Generous:
 * on a busy shared machine a queue of 100 bookings for one session can take
 * half a minute to go through; a hang never ends.
 */
const REQUEST_TIMEOUT_MS = positiveNumber('BENCH_REQUEST_TIMEOUT_SECONDS', 120) * 1000;
/** How long the outbox may take to empty after a rush (a dead process's mail waits one lease). */
const OUTBOX_DRAIN_MS = 300_000;
const OUTBOX_LEASE_SECONDS = 15;
/** How long a process may take to answer /health 200 again after its connections were ended. */
const RECOVERY_MS = 60_000;
const SESSION_SECRET = 'bench-only-secret-0123456789abcdef0123456789';
const SECRETS_KEY = '5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e';
const MAIL_FROM = 'training@example.org.uk';
const MAIL_DOMAIN = 'example.org.uk';
/** The benchmark's own connections, which the outage scenario leaves alone. */
const BENCH_APPLICATION_NAME = 'trellis-cluster-bench';
const UNAVAILABLE_PAGE = 'Sorry, the service is unavailable';

const DELEGATES = positiveNumber('BENCH_DELEGATES', 2_000);
const PAGE_REQUESTS = positiveNumber('BENCH_PAGE_REQUESTS', 20_000);
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL || 'warn';
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
/** Keys of this run only, removed afterwards (Redis is shared with other runs and tests). */
const REDIS_KEY_PREFIX = `trellis-bench-cluster-${randomBytes(4).toString('hex')}:`;
const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

if (!Number.isInteger(DELEGATES) || DELEGATES <= CAPACITY) {
  throw new Error(`BENCH_DELEGATES must be a whole number above ${CAPACITY}`);
}

// ---------------------------------------------------------------------------
// Set-up

interface Prepared {
  target: BenchDatabase;
  database: Database;
  sessions: number[];
  delegates: SignedInDelegate[];
}

/** 09:30 UTC on consecutive days four weeks ahead: booking plainly open, no reminder in the run. */
function sessionStarts(now: Date, count: number): Date[] {
  const DAY_MS = 86_400_000;
  return Array.from(
    { length: count },
    (_, n) => new Date(Math.ceil((now.getTime() + (28 + n) * DAY_MS) / DAY_MS) * DAY_MS + 9.5 * 3_600_000),
  );
}

async function prepare(name: string, sessionCount: number): Promise<Prepared> {
  const started = performance.now();
  const target = await createBenchDatabase('postgres', name);
  const url = new URL(target.url);
  url.searchParams.set('application_name', BENCH_APPLICATION_NAME);
  const database = openDatabase(url.toString(), { command: true, onConnectionError: () => undefined });
  await migrateToLatest(database.db, database.dialect);
  const now = new Date();
  const sessions = await createBookableSessions(database.db, now, sessionStarts(now, sessionCount), CAPACITY);
  const delegates = await createSignedInDelegates(database.db, now, DELEGATES, name);
  console.log(
    `  ${target.label}: ${delegates.length} signed-in delegates, ${sessionCount} sessions of ${CAPACITY} places ` +
      `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  return { target, database, sessions, delegates };
}

function trellisEnv(databaseUrl: string, publicUrl: string, sinkUrl: string, proxies: number) {
  return {
    ...process.env,
    NODE_ENV: 'production',
    SECRETS_KEY,
    SESSION_SECRET,
    LOG_LEVEL,
    HOST: '127.0.0.1',
    PUBLIC_URL: publicUrl,
    DATABASE_URL: databaseUrl,
    DEMO_CONTENT: 'false',
    SMTP_URL: sinkUrl,
    MAIL_FROM,
    REDIS_URL,
    // Read by Trellis once shared limits have a key prefix; ignored before.
    REDIS_KEY_PREFIX,
    TRUST_PROXY_HOPS: String(proxies),
    OUTBOX_LEASE_SECONDS: String(OUTBOX_LEASE_SECONDS),
  };
}

// ---------------------------------------------------------------------------
// One rush, its answers and what it left

interface ScenarioResult {
  name: string;
  responses: BookingResponse[];
  seconds: number;
  outcome: RushOutcome;
  drainSeconds: number;
  notes: string[];
  problems: string[];
}

async function openPages(baseUrl: string, sessionId: number, delegates: SignedInDelegate[]) {
  const client = createHttpClient(baseUrl, CONCURRENCY);
  try {
    return await inPool(delegates, CONCURRENCY, (delegate) => openBookingPage(client, sessionId, delegate));
  } finally {
    client.close();
  }
}

function latencyNote(responses: readonly BookingResponse[]): string {
  const ms = responses.map((response) => response.ms);
  return (
    `latency p50 ${percentile(ms, 50).toFixed(0)} ms, p99 ${percentile(ms, 99).toFixed(0)} ms, ` +
    `max ${percentile(ms, 100).toFixed(0)} ms (bound ${REQUEST_TIMEOUT_MS / 1000} s)`
  );
}

/** Answers that are not what `allowed` accepts, described for the report. */
function unexpectedAnswers(
  responses: readonly BookingResponse[],
  allowed: (response: BookingResponse) => boolean,
): string[] {
  return responses
    .filter((response) => !allowed(response))
    .map(
      (response) =>
        `delegate ${response.ready.delegate.id}: ${response.status || response.error} ` +
        `${response.location || response.body.replace(/\s+/g, ' ').slice(0, 160)}`,
    );
}

async function finishScenario(
  name: string,
  database: Database,
  sessionId: number,
  sink: SmtpSink,
  responses: BookingResponse[],
  seconds: number,
  notes: string[],
  problems: string[],
): Promise<ScenarioResult> {
  process.stdout.write(`  waiting for the outbox to send every email about the session… `);
  const drain = await waitForOutbox(database, sessionId, OUTBOX_DRAIN_MS);
  console.log(`${drain.seconds.toFixed(1)} s`);
  if (drain.unsent)
    problems.push(`outbox not empty after ${drain.seconds.toFixed(0)} s: ${drain.stuck.join('; ')}`);
  // The last message marked sent has been accepted by the sink before it was marked.
  const outcome = await readOutcome(database, sessionId, responses, sink, MAIL_DOMAIN);
  problems.push(...outcomeProblems(outcome, CAPACITY));
  const hung = responses.filter((response) => response.status === 0 && /timed out/.test(response.error));
  if (hung.length)
    problems.push(`${hung.length} requests not answered within ${REQUEST_TIMEOUT_MS / 1000} s`);
  return { name, responses, seconds, outcome, drainSeconds: drain.seconds, notes, problems };
}

// ---------------------------------------------------------------------------
// The scenarios

async function sessionPage(label: string, baseUrl: string, sessionId: number): Promise<Measurement> {
  return measure(label, `${baseUrl}/sessions/${sessionId}`, {
    connections: 50,
    warmupSeconds: 0,
    seconds: 0,
    // A number of requests, not seconds: on a loaded machine a timed warm-up can end before one answer.
    requests: { warmup: 200, measured: PAGE_REQUESTS },
  });
}

async function plainRush(
  name: string,
  baseUrl: string,
  prepared: Prepared,
  sessionId: number,
  sink: SmtpSink,
): Promise<ScenarioResult> {
  console.log(`\n${name}`);
  const ready = await openPages(baseUrl, sessionId, prepared.delegates);
  const client = createHttpClient(baseUrl, CONCURRENCY);
  process.stdout.write(`  ${ready.length} bookings, ${CONCURRENCY} at a time… `);
  const result = await rush(client, sessionId, ready, {
    concurrency: CONCURRENCY,
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  client.close();
  console.log(
    `${(ready.length / result.seconds).toFixed(0)} bookings/s (${describeStatuses(result.responses)})`,
  );
  const problems = unexpectedAnswers(result.responses, (r) => r.status === 303 && BOOKED.test(r.location));
  const summary = problems.length
    ? [`${problems.length} answers not a 303 to a new booking: ${problems.slice(0, 3).join('; ')}`]
    : [];
  return finishScenario(
    name,
    prepared.database,
    sessionId,
    sink,
    result.responses,
    result.seconds,
    [latencyNote(result.responses)],
    summary,
  );
}

async function killedMidway(
  nginx: RunningNginx,
  prepared: Prepared,
  sessionId: number,
  sink: SmtpSink,
  processes: TrellisProcess[],
): Promise<ScenarioResult> {
  const name = 'b. the rush with one process killed (kill -9) halfway and restarted';
  console.log(`\n${name}`);
  const ready = await openPages(nginx.url, sessionId, prepared.delegates);
  const victim = processes[1]!;
  const notes: string[] = [];
  const client = createHttpClient(nginx.url, CONCURRENCY);
  const started = performance.now();
  process.stdout.write(
    `  ${ready.length} bookings, ${CONCURRENCY} at a time; ${victim.name} killed halfway… `,
  );
  const result = await rush(client, sessionId, ready, {
    concurrency: CONCURRENCY,
    timeoutMs: REQUEST_TIMEOUT_MS,
    midway: {
      after: Math.floor(ready.length / 2),
      act: async () => {
        const killedAt = performance.now();
        await victim.kill();
        notes.push(`${victim.name} killed ${((killedAt - started) / 1000).toFixed(2)} s into the rush`);
        await victim.start();
        notes.push(
          `${victim.name} answering /health again ${((performance.now() - killedAt) / 1000).toFixed(1)} s after`,
        );
      },
    },
  });
  await result.midwayDone;
  client.close();
  console.log(
    `${(ready.length / result.seconds).toFixed(0)} bookings/s (${describeStatuses(result.responses)})`,
  );
  // nginx answers 502 for the requests the dead process had taken: it does
  // not send a POST on to another (it may have been booked).
  const unexpected = unexpectedAnswers(
    result.responses,
    (r) => (r.status === 303 && BOOKED.test(r.location)) || r.status === 502,
  );
  const problems = unexpected.length
    ? [
        `${unexpected.length} answers neither a 303 to a new booking nor nginx's 502: ${unexpected.slice(0, 3).join('; ')}`,
      ]
    : [];
  notes.push(latencyNote(result.responses));
  return finishScenario(
    name,
    prepared.database,
    sessionId,
    sink,
    result.responses,
    result.seconds,
    notes,
    problems,
  );
}

/** Ends every connection to the bench database but the benchmark's own; returns how many. */
async function terminateTrellisConnections(
  databaseName: string,
): Promise<{ ended: number; names: string[] }> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await admin.connect();
  try {
    const result = await admin.query<{ application_name: string; ended: boolean }>(
      `select application_name, pg_terminate_backend(pid) as ended
         from pg_stat_activity
        where datname = $1 and pid <> pg_backend_pid() and coalesce(application_name, '') <> $2`,
      [databaseName, BENCH_APPLICATION_NAME],
    );
    const names = [...new Set(result.rows.map((row) => row.application_name || '(none)'))];
    return { ended: result.rows.filter((row) => row.ended).length, names };
  } finally {
    await admin.end();
  }
}

async function waitUntilHealthy(trellis: TrellisProcess): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < RECOVERY_MS) {
    try {
      const response = await fetch(`${trellis.url}/health`, { signal: AbortSignal.timeout(5_000) });
      if (response.status === 200) return (performance.now() - started) / 1000;
    } catch {
      // Not yet.
    }
    await delay(250);
  }
  return null;
}

function isClearUnavailable(response: BookingResponse): boolean {
  return response.status === 503 && response.retryAfter !== '' && response.body.includes(UNAVAILABLE_PAGE);
}

async function databaseOutage(
  nginx: RunningNginx,
  prepared: Prepared,
  sessionId: number,
  sink: SmtpSink,
  processes: TrellisProcess[],
): Promise<ScenarioResult> {
  const name = "c. the rush with the application's database connections ended a third of the way in";
  console.log(`\n${name}`);
  const ready = await openPages(nginx.url, sessionId, prepared.delegates);
  const databaseName = new URL(prepared.target.url).pathname.slice(1);
  const notes: string[] = [];
  const problems: string[] = [];
  const client = createHttpClient(nginx.url, CONCURRENCY);
  const started = performance.now();
  process.stdout.write(
    `  ${ready.length} bookings, ${CONCURRENCY} at a time; connections ended a third in… `,
  );
  const result = await rush(client, sessionId, ready, {
    concurrency: CONCURRENCY,
    timeoutMs: REQUEST_TIMEOUT_MS,
    midway: {
      after: Math.floor(ready.length / 3),
      act: async () => {
        const at = performance.now();
        const { ended, names } = await terminateTrellisConnections(databaseName);
        notes.push(
          `${ended} connections ended ${((at - started) / 1000).toFixed(2)} s into the rush ` +
            `(application_name: ${names.join(', ')})`,
        );
      },
    },
  });
  await result.midwayDone;
  console.log(
    `${(ready.length / result.seconds).toFixed(0)} bookings/s (${describeStatuses(result.responses)})`,
  );
  notes.push(latencyNote(result.responses));

  const unexpected = unexpectedAnswers(
    result.responses,
    (r) => (r.status === 303 && BOOKED.test(r.location)) || isClearUnavailable(r),
  );
  if (unexpected.length) {
    problems.push(
      `${unexpected.length} answers neither a 303 to a new booking nor a clear 503: ${unexpected.slice(0, 3).join('; ')}`,
    );
  }
  const unavailable = result.responses.filter(isClearUnavailable);
  if (!unavailable.length) problems.push('no request met the outage (no 503): nothing was tested');

  // Every process recovers by itself: nothing is restarted.
  for (const trellis of processes) {
    const seconds = await waitUntilHealthy(trellis);
    if (seconds === null) problems.push(`${trellis.name}: /health not 200 within ${RECOVERY_MS / 1000} s`);
    else notes.push(`${trellis.name}: /health 200 after ${seconds.toFixed(1)} s`);
  }

  // Those who were told to try again do, through nginx: each must now book.
  const retried: BookingResponse[] = await inPool(
    unavailable.map((response) => response.ready as Ready),
    CONCURRENCY,
    (one) => pressBook(client, sessionId, one, REQUEST_TIMEOUT_MS),
  );
  client.close();
  const failedRetries = unexpectedAnswers(
    retried,
    (r) => r.status === 303 && (BOOKED.test(r.location) || ALREADY_BOOKED.test(r.location)),
  );
  notes.push(`${retried.length} delegates who got a 503 tried again: ${describeStatuses(retried) || 'none'}`);
  if (failedRetries.length) {
    problems.push(
      `${failedRetries.length} retries after recovery did not book: ${failedRetries.slice(0, 3).join('; ')}`,
    );
  }
  return finishScenario(
    name,
    prepared.database,
    sessionId,
    sink,
    [...result.responses, ...retried],
    result.seconds,
    notes,
    problems,
  );
}

// ---------------------------------------------------------------------------
// The run

interface Baseline {
  page: Measurement;
  rush: ScenarioResult;
}

async function runAlone(sink: SmtpSink): Promise<Baseline> {
  console.log('\n0. One process on its own (no nginx), on a database of its own');
  const prepared = await prepare('cluster_alone', 2);
  try {
    const [rushSession, pageSession] = prepared.sessions as [number, number];
    const port = await freePort();
    const alone = new TrellisProcess(
      'Trellis (alone)',
      port,
      trellisEnv(prepared.target.url, `http://127.0.0.1:${port}`, sink.url, 0),
    );
    await alone.start();
    try {
      const page = await sessionPage('session page, one process', alone.url, pageSession);
      const result = await plainRush(
        '0. the rush, one process on its own',
        alone.url,
        prepared,
        rushSession,
        sink,
      );
      return { page, rush: result };
    } finally {
      await alone.stop();
    }
  } finally {
    await prepared.database.close();
    await prepared.target.drop();
  }
}

async function runCluster(sink: SmtpSink): Promise<{ page: Measurement; scenarios: ScenarioResult[] }> {
  console.log(`\n1. ${PROCESSES} processes behind nginx, one database`);
  const prepared = await prepare('cluster', 4);
  let nginx: RunningNginx | undefined;
  const processes: TrellisProcess[] = [];
  try {
    const [sessionA, sessionB, sessionC, pageSession] = prepared.sessions as [number, number, number, number];
    const ports = await Promise.all(Array.from({ length: PROCESSES }, () => freePort()));
    const nginxPort = await freePort();
    const publicUrl = `http://127.0.0.1:${nginxPort}`;
    for (const [index, port] of ports.entries()) {
      processes.push(
        new TrellisProcess(
          `Trellis ${index + 1} (:${port})`,
          port,
          trellisEnv(prepared.target.url, publicUrl, sink.url, 1),
        ),
      );
    }
    const starting = performance.now();
    await Promise.all(processes.map((trellis) => trellis.start()));
    nginx = await startNginx(ports, nginxPort);
    console.log(
      `  ${PROCESSES} processes and nginx (${nginx.url}) ready in ${((performance.now() - starting) / 1000).toFixed(1)} s`,
    );

    const page = await sessionPage('session page, through nginx', nginx.url, pageSession);
    const scenarios: ScenarioResult[] = [];
    scenarios.push(await plainRush('a. the rush through nginx', nginx.url, prepared, sessionA, sink));
    scenarios.push(await killedMidway(nginx, prepared, sessionB, sink, processes));
    scenarios.push(await databaseOutage(nginx, prepared, sessionC, sink, processes));
    const errors = await nginx.errorLog();
    if (errors) console.log(`\n  nginx's error log, last lines:\n    ${errors.split('\n').join('\n    ')}`);
    return { page, scenarios };
  } catch (error) {
    const log = await nginx?.errorLog();
    for (const trellis of processes) {
      const tail = trellis.tail();
      if (tail) console.error(`\n${trellis.name} wrote last:\n${tail.split('\n').slice(-5).join('\n')}`);
    }
    if (log) console.error(`\nnginx's error log:\n${log}`);
    throw error;
  } finally {
    await nginx?.stop();
    await Promise.all(processes.map((trellis) => trellis.stop()));
    await prepared.database.close();
    await prepared.target.drop();
  }
}

function report(
  baseline: Baseline,
  cluster: { page: Measurement; scenarios: ScenarioResult[] },
  sink: SmtpSink,
) {
  const all = [baseline.rush, ...cluster.scenarios];
  printTable(
    [
      'scenario',
      'answers (c: retries too)',
      'bookings/s',
      'confirmed',
      'waiting',
      'emails',
      'at sink once',
      'twice',
      'outbox empty after',
    ],
    all.map((s) => [
      s.name.slice(0, 2),
      describeStatuses(s.responses),
      (s.responses.length / s.seconds).toFixed(0),
      String(s.outcome.confirmed),
      String(s.outcome.waitlisted),
      String(s.outcome.emails),
      String(s.outcome.emails - s.outcome.emailsLost - s.outcome.emailsTwice),
      String(s.outcome.emailsTwice),
      `${s.drainSeconds.toFixed(1)} s`,
    ]),
  );
  console.log('');
  for (const s of all) {
    console.log(`  ${s.name}:`);
    for (const note of s.notes) console.log(`    ${note}`);
  }
  const clusterRush = cluster.scenarios[0]!;
  const bookingRatio =
    clusterRush.responses.length /
    clusterRush.seconds /
    (baseline.rush.responses.length / baseline.rush.seconds);
  const pageRatio = cluster.page.requestsPerSecond / baseline.page.requestsPerSecond;
  console.log('');
  console.log(
    `  bookings/s through nginx (a) ÷ one process on its own: ${bookingRatio.toFixed(2)} ` +
      `(${(clusterRush.responses.length / clusterRush.seconds).toFixed(0)} ÷ ` +
      `${(baseline.rush.responses.length / baseline.rush.seconds).toFixed(0)})`,
  );
  console.log(
    `  session page req/s through nginx ÷ one process on its own: ${pageRatio.toFixed(2)} ` +
      `(${cluster.page.requestsPerSecond.toFixed(0)} ÷ ${baseline.page.requestsPerSecond.toFixed(0)}; ` +
      `p99 ${cluster.page.p99} ms against ${baseline.page.p99} ms)`,
  );
  console.log(
    `  the mail server saw ${sink.deliveries.length} messages over ${sink.connections} connections`,
  );
}

async function removeRedisKeys(): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_KEY_PREFIX}*`, 'COUNT', 1_000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch (error) {
    console.error(`  could not remove this run's Redis keys (${REDIS_KEY_PREFIX}*): ${String(error)}`);
  } finally {
    redis.disconnect();
  }
}

const sink = new SmtpSink();

async function main(): Promise<void> {
  printMachine(
    'Several processes benchmark',
    [
      [
        'load',
        `${DELEGATES} delegates book a session of ${CAPACITY} places, ${CONCURRENCY} requests in flight; ` +
          `session page by autocannon, 50 connections, ${PAGE_REQUESTS} requests`,
      ],
      [
        'servers',
        `${PROCESSES} × dist/server.js (NODE_ENV=production, LOG_LEVEL=${LOG_LEVEL}, TRUST_PROXY_HOPS=1, ` +
          `OUTBOX_LEASE_SECONDS=${OUTBOX_LEASE_SECONDS}, REDIS_URL=${REDIS_URL}) behind nginx from ` +
          'deploy/nginx/trellis.conf, PostgreSQL, a mail server in this process',
      ],
    ],
    10,
  );
  await sink.start();
  const baseline = await runAlone(sink);
  const cluster = await runCluster(sink);
  report(baseline, cluster, sink);

  const problems = [baseline.rush, ...cluster.scenarios].flatMap((s) =>
    s.problems.map((problem) => `${s.name.slice(0, 2)} ${problem}`),
  );
  console.log('');
  if (problems.length) {
    console.error(`Benchmark FAILED:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log(
      `OK: in every scenario exactly ${CAPACITY} confirmed, every 303 a real booking, every email ` +
        'at the mail server once; no hang; after the outage every process recovered by itself',
    );
  }
}

await runBenchmark(main, {
  budgetMs: 30 * 60_000,
  cleanUp: async () => {
    await stopAllNginx();
    await sink.stop();
    await dropBenchDatabases();
    await removeRedisKeys();
  },
});
