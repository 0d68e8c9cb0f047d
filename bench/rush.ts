/**
 * The booking-rush benchmark (`npm run bench:rush`): a session of 30 places
 * opens and 2,000 signed-in delegates press "Book" at once. On SQLite and
 * then on PostgreSQL, in one run:
 *
 *   1. Setup (not timed): a fresh database, migrated; one course with two
 *      sessions of 30 places; 2,000 verified delegates, each with a signed-in
 *      session minted through Trellis's own repositories
 *      (test/support/seedDelegates.ts, shared with the fault tests).
 *   2. The built server (dist/server.js) starts in a child process, in
 *      production mode. Each delegate opens the booking page once, which
 *      gives them the CSRF cookie and the form's token, as a browser gets them.
 *   3. Warm-up (not timed): some delegates (BENCH_WARMUP, default 500) book a
 *      third session over HTTP, so the rush meets a server whose booking code
 *      has run before, as a server that has been up a while has.
 *   4. Timed: the 2,000 POST /sessions/<id>/book requests, 100 in flight at a
 *      time over keep-alive connections, each latency recorded. Every
 *      response must be the 303 redirect to a new booking.
 *   5. The server stops. The result is read from the database: exactly 30
 *      confirmed, the rest on the waiting list, one email in the outbox each.
 *   6. The raw figure: BookingService.book called in this process on the
 *      second session, same 2,000 delegates, 100 at a time (after the same
 *      warm-up, by other delegates on the third session). HTTP ÷ raw says
 *      what the web layer costs on top of the booking transaction.
 *
 * SMTP_URL points at 127.0.0.1:9, where nothing listens: emails are written
 * to the outbox inside each booking's transaction (that cost is measured);
 * delivery happens afterwards, and with nothing listening the outbox sender
 * gives up after one refused connection every 3 s, so it adds next to
 * nothing. A mail server in this process would put 2,000 deliveries into
 * the timed window, on the same two cores, and measure the mailer instead.
 *
 * Exits non-zero if a session does not end with exactly 30 confirmed, any
 * response is not the expected 303, or bookings and their emails do not
 * match the responses. All traffic is to 127.0.0.1. See docs/PERFORMANCE.md.
 *
 * Environment:
 *   BENCH_DATABASES      sqlite,postgres (default both, in that order)
 *   BENCH_POSTGRES_URL   an admin connection, to create and drop the
 *                        database (default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_DELEGATES      delegates (default 2000; for quick trial runs)
 *   BENCH_LOG_LEVEL      Trellis's LOG_LEVEL (default warn)
 *   BENCH_WARMUP         bookings before each timed run, on another session
 *                        (default 500, at most a quarter of the delegates; 0 for none)
 *   BENCH_CPU_PROF       a directory: run Trellis with --cpu-prof and write
 *                        its profile there (read it with bench/cpuProfileTop.ts;
 *                        it covers the opening of the booking pages too)
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

import { openDatabase, type Database, type DialectName } from '../src/data/db.js';
import { migrateToLatest } from '../src/data/migrations/index.js';
import { buildServices } from '../src/services/index.js';
import {
  createBookableSessions,
  createSignedInDelegates,
  type SignedInDelegate,
} from '../test/support/seedDelegates.js';
import { createHttpClient, getOnNewConnection, inPool, percentile, type HttpClient } from './rush/http.js';
import {
  delay,
  freePort,
  REPOSITORY_ROOT,
  runBenchmark,
  cpuMilliseconds,
  startChild,
  stopChild,
  waitForHealth,
} from './support/processes.js';
import { openBookingPage, type Ready } from './rush/bookingPage.js';
import { createBenchDatabase, databasesToRun, dropBenchDatabases } from './support/databases.js';
import { printMachine, printTable } from './support/report.js';

const CAPACITY = 30;
const CONCURRENCY = 100;
/** The aims for one hot session over HTTP (issue 12), in bookings/s: each run is printed as a ratio to its aim. */
const AIM_BOOKINGS_PER_SECOND: Record<DialectName, number> = { sqlite: 2_000, postgres: 1_000 };
/**
 * While the rush runs, /health is asked on a new connection this often: how
 * long a new visitor (or a load balancer's health check) waits meanwhile.
 */
const PROBE_EVERY_MS = 250;
const SESSION_SECRET = 'bench-only-secret-0123456789abcdef0123456789';
const BOOKED = /^\/bookings\/TRL-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\?new=1$/;

const DELEGATES = positiveInteger('BENCH_DELEGATES', 2_000);
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL || 'warn';
const WARMUP = Math.min(
  process.env.BENCH_WARMUP === '0' ? 0 : positiveInteger('BENCH_WARMUP', 500),
  Math.floor(DELEGATES / 4),
);
const DATABASES = databasesToRun(process.env.BENCH_DATABASES || 'sqlite,postgres');
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= CAPACITY) {
    throw new Error(`${name} must be a whole number above ${CAPACITY}, not "${raw}"`);
  }
  return value;
}

// ---------------------------------------------------------------------------
// Databases

interface SessionCounts {
  confirmed: number;
  waitlisted: number;
  other: number;
  /** Emails in the outbox about this session's bookings, by kind. */
  emails: Record<string, number>;
  /** Live bookings whose email (booking_confirmed / waitlist_joined) is not in the outbox exactly once. */
  bookingsWithoutOneEmail: number;
}

async function countSession(database: Database, sessionId: number): Promise<SessionCounts> {
  const { db } = database;
  const bookings = await db
    .selectFrom('bookings')
    .where('session_id', '=', sessionId)
    .select(['id', 'state'])
    .execute();
  const emails = await db
    .selectFrom('outbox_messages')
    .innerJoin('bookings', 'bookings.id', 'outbox_messages.booking_id')
    .where('bookings.session_id', '=', sessionId)
    .select(['outbox_messages.booking_id', 'outbox_messages.kind'])
    .execute();
  const byKind: Record<string, number> = {};
  const emailsOf = new Map<string, number>();
  for (const email of emails) {
    byKind[email.kind] = (byKind[email.kind] ?? 0) + 1;
    const key = `${email.booking_id}:${email.kind}`;
    emailsOf.set(key, (emailsOf.get(key) ?? 0) + 1);
  }
  const expectedKind = { confirmed: 'booking_confirmed', waitlisted: 'waitlist_joined' } as Record<
    string,
    string
  >;
  return {
    confirmed: bookings.filter((b) => b.state === 'confirmed').length,
    waitlisted: bookings.filter((b) => b.state === 'waitlisted').length,
    other: bookings.filter((b) => b.state !== 'confirmed' && b.state !== 'waitlisted').length,
    emails: byKind,
    bookingsWithoutOneEmail: bookings.filter(
      (b) => emailsOf.get(`${b.id}:${expectedKind[b.state] ?? '?'}`) !== 1,
    ).length,
  };
}

// ---------------------------------------------------------------------------
// The run, for one database

interface HttpResult {
  seconds: number;
  bookingsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** Responses that were not a 303 to a new booking, or requests that failed. */
  errors: number;
  statuses: Record<string, number>;
  firstErrors: string[];
  counts: SessionCounts;
  /** Sign-in sessions written to ("last seen") while booking: 0 when the rush follows sign-in closely. */
  sessionTouches: number;
  health: HealthProbe;
  /**
   * CPU time Trellis's process used per booking during the rush, in ms (null
   * off Linux): a busy machine stretches the seconds far more than this.
   */
  cpuMsPerBooking: number | null;
  /** CPU time this process (the load generator, and the /health probe) used per booking, in ms. */
  loadCpuMsPerBooking: number;
}

interface HealthProbe {
  probes: number;
  p50: number;
  max: number;
  failed: number;
}

/**
 * Until `running()` says stop: GET /health on a new connection every
 * PROBE_EVERY_MS (the next one starts when the last has answered, if later).
 */
async function probeHealth(baseUrl: string, running: () => boolean): Promise<HealthProbe> {
  const latencies: number[] = [];
  let failed = 0;
  while (running()) {
    const sent = performance.now();
    try {
      if ((await getOnNewConnection(baseUrl, '/health', 30_000)) !== 200) failed += 1;
    } catch {
      failed += 1;
    }
    const took = performance.now() - sent;
    latencies.push(took);
    if (took < PROBE_EVERY_MS) await delay(PROBE_EVERY_MS - took);
  }
  return {
    probes: latencies.length,
    p50: percentile(latencies, 50),
    max: percentile(latencies, 100),
    failed,
  };
}

interface RawResult {
  seconds: number;
  bookingsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  firstErrors: string[];
  counts: SessionCounts;
}

interface DatabaseResult {
  dialect: DialectName;
  label: string;
  setupSeconds: number;
  http: HttpResult;
  raw: RawResult;
}

/** Presses "Book" as the delegate, with the cookies and token their booking page gave. */
function bookOver(client: HttpClient, sessionId: number, { cookie, csrfToken }: Ready) {
  return client.request('POST', `/sessions/${sessionId}/book`, {
    headers: {
      cookie,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html',
    },
    body: new URLSearchParams({ _csrf: csrfToken, accessNeeds: '', dietaryNeeds: '' }).toString(),
  });
}

async function runHttp(
  database: Database,
  dialect: DialectName,
  databaseUrl: string,
  sessionId: number,
  warmSessionId: number,
  delegates: SignedInDelegate[],
): Promise<HttpResult> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const trellis = startChild(
    `Trellis (${dialect})`,
    [
      ...(CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : []),
      join(REPOSITORY_ROOT, 'dist', 'server.js'),
    ],
    {
      ...process.env,
      NODE_ENV: 'production',
      SECRETS_KEY: '5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e',
      LOG_LEVEL,
      PUBLIC_URL: baseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      DEMO_CONTENT: 'false',
      SESSION_SECRET,
      // Nothing listens here: see the comment at the top.
      SMTP_URL: 'smtp://127.0.0.1:9',
    },
    // Stopped straight after the rush, it may still be closing the pool and the jobs; let it.
    { stopGraceMs: 15_000 },
  );
  const client = createHttpClient(baseUrl, CONCURRENCY);
  try {
    const starting = performance.now();
    await waitForHealth(baseUrl, trellis, 60_000);
    console.log(`  server ready in ${((performance.now() - starting) / 1000).toFixed(1)} s`);

    // As many at a time as the rush will send, so all its keep-alive
    // connections are open before timing starts. (Connections opened during
    // the rush on SQLite wait for seconds: see the /health probe below.)
    process.stdout.write(`  opening the booking page as each of ${delegates.length} delegates… `);
    const ready = await inPool(delegates, CONCURRENCY, (delegate) =>
      openBookingPage(client, sessionId, delegate),
    );
    console.log('done');

    if (WARMUP) {
      process.stdout.write(`  warming up: ${WARMUP} bookings on another session (not timed)… `);
      const warmed = await inPool(ready.slice(0, WARMUP), CONCURRENCY, (delegate) =>
        bookOver(client, warmSessionId, delegate),
      );
      const refused = warmed.filter((reply) => reply.status !== 303).length;
      if (refused) throw new Error(`warming up: ${refused} bookings were not a 303`);
      console.log('done');
    }

    process.stdout.write(`  ${delegates.length} bookings over HTTP, ${CONCURRENCY} at a time… `);
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    const firstErrors: string[] = [];
    let errors = 0;
    const fail = (what: string) => {
      errors += 1;
      if (firstErrors.length < 5) firstErrors.push(what);
    };
    const started = performance.now();
    const cpuBefore = cpuMilliseconds(trellis.process.pid);
    const loadCpuBefore = process.cpuUsage();
    let rushing = true;
    const probing = probeHealth(baseUrl, () => rushing);
    await inPool(ready, CONCURRENCY, async ({ delegate, cookie, csrfToken }) => {
      const sent = performance.now();
      try {
        const reply = await bookOver(client, sessionId, { delegate, cookie, csrfToken });
        latencies.push(performance.now() - sent);
        statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
        const location = String(reply.headers.location ?? '');
        if (reply.status !== 303 || !BOOKED.test(location)) {
          fail(`delegate ${delegate.id}: ${reply.status} ${location || reply.body.slice(0, 200)}`);
        }
      } catch (error) {
        latencies.push(performance.now() - sent);
        statuses.failed = (statuses.failed ?? 0) + 1;
        fail(`delegate ${delegate.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuMilliseconds(trellis.process.pid);
    const loadCpu = process.cpuUsage(loadCpuBefore);
    rushing = false;
    const health = await probing;
    console.log(`${(delegates.length / seconds).toFixed(0)} bookings/s`);

    client.close();
    const stopping = performance.now();
    await stopChild(trellis);
    console.log(`  server stopped in ${((performance.now() - stopping) / 1000).toFixed(1)} s`);
    const written = trellis.tail();
    if (written) {
      const lines = written.split('\n');
      console.log(`  Trellis wrote ${lines.length} lines (LOG_LEVEL=${LOG_LEVEL}); the last:`);
      for (const line of lines.slice(-3)) console.log(`    ${line.slice(0, 300)}`);
    }

    const counts = await countSession(database, sessionId);
    const touched = await database.db
      .selectFrom('sign_in_sessions')
      .where((eb) => eb('last_seen_at', '<>', eb.ref('created_at')))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return {
      seconds,
      bookingsPerSecond: delegates.length / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: percentile(latencies, 100),
      errors,
      statuses,
      firstErrors,
      counts,
      sessionTouches: Number(touched.n),
      health,
      cpuMsPerBooking:
        cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / delegates.length,
      loadCpuMsPerBooking: (loadCpu.user + loadCpu.system) / 1000 / delegates.length,
    };
  } finally {
    client.close();
    await stopChild(trellis);
  }
}

async function runRaw(
  database: Database,
  sessionId: number,
  warmSessionId: number,
  delegates: SignedInDelegate[],
): Promise<RawResult> {
  const services = buildServices(database, { publicUrl: 'http://127.0.0.1', secretsKey: randomBytes(32) });
  const needs = { accessNeeds: null, dietaryNeeds: null, consent: false };
  if (WARMUP) {
    // Delegates the HTTP warm-up did not use, on the same other session.
    await inPool(delegates.slice(WARMUP, 2 * WARMUP), CONCURRENCY, (delegate) =>
      services.bookings.book(delegate.id, warmSessionId, needs),
    );
  }
  process.stdout.write(`  ${delegates.length} bookings by BookingService.book in this process… `);
  const latencies: number[] = [];
  const firstErrors: string[] = [];
  let errors = 0;
  const started = performance.now();
  await inPool(delegates, CONCURRENCY, async (delegate) => {
    const sent = performance.now();
    try {
      const outcome = await services.bookings.book(delegate.id, sessionId, needs);
      if (outcome.alreadyHeld) throw new Error('already held a place');
    } catch (error) {
      errors += 1;
      if (firstErrors.length < 5) {
        firstErrors.push(
          `delegate ${delegate.id}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    latencies.push(performance.now() - sent);
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(`${(delegates.length / seconds).toFixed(0)} bookings/s`);
  return {
    seconds,
    bookingsPerSecond: delegates.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
    firstErrors,
    counts: await countSession(database, sessionId),
  };
}

/**
 * 09:30 UTC on consecutive days four weeks from `now`: far enough ahead that
 * booking is plainly open and no reminder or cut-off comes into the run.
 */
function rushSessionStarts(now: Date, count: number): Date[] {
  const DAY_MS = 86_400_000;
  return Array.from(
    { length: count },
    (_, n) => new Date(Math.ceil((now.getTime() + (28 + n) * DAY_MS) / DAY_MS) * DAY_MS + 9.5 * 3_600_000),
  );
}

async function runOn(dialect: DialectName): Promise<DatabaseResult> {
  const target = await createBenchDatabase(dialect, 'rush');
  console.log(`\n${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} (${target.label})`);
  let database: Database | undefined;
  try {
    const setupStarted = performance.now();
    database = openDatabase(target.url, { command: true, onConnectionError: () => undefined });
    await migrateToLatest(database.db, database.dialect);
    const now = new Date();
    const [httpSession, rawSession, warmSession] = await createBookableSessions(
      database.db,
      now,
      rushSessionStarts(now, 3),
      CAPACITY,
    );
    const delegates = await createSignedInDelegates(database.db, now, DELEGATES, 'rush');
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    console.log(
      `  setup: ${delegates.length} verified, signed-in delegates and three sessions of ${CAPACITY} places ` +
        `(${setupSeconds.toFixed(1)} s)`,
    );

    const http = await runHttp(database, dialect, target.url, httpSession!, warmSession!, delegates);
    const raw = await runRaw(database, rawSession!, warmSession!, delegates);
    return { dialect, label: target.label, setupSeconds, http, raw };
  } finally {
    await database?.close();
    await target.drop();
  }
}

// ---------------------------------------------------------------------------
// Report

function printRunDescription(): void {
  printMachine(
    'Booking rush benchmark',
    [
      [
        'load',
        `${DELEGATES} delegates book one session of ${CAPACITY} places, ${CONCURRENCY} requests in flight`,
      ],
      ['server', `dist/server.js, NODE_ENV=production, LOG_LEVEL=${LOG_LEVEL}, DEMO_CONTENT=false`],
    ],
    10,
  );
}

function checks(result: DatabaseResult): string[] {
  const problems: string[] = [];
  const { http, raw } = result;
  const expectWaitlisted = DELEGATES - CAPACITY;
  for (const [what, counts] of [
    ['HTTP', http.counts],
    ['raw', raw.counts],
  ] as const) {
    if (counts.confirmed !== CAPACITY)
      problems.push(`${what}: ${counts.confirmed} confirmed, not ${CAPACITY}`);
    if (counts.waitlisted !== expectWaitlisted) {
      problems.push(`${what}: ${counts.waitlisted} on the waiting list, not ${expectWaitlisted}`);
    }
    if (counts.other) problems.push(`${what}: ${counts.other} bookings in other states`);
    if (counts.bookingsWithoutOneEmail) {
      problems.push(`${what}: ${counts.bookingsWithoutOneEmail} bookings without exactly one email`);
    }
  }
  if (http.errors) problems.push(`HTTP: ${http.errors} errors (${http.firstErrors.join('; ')})`);
  if (raw.errors) problems.push(`raw: ${raw.errors} errors (${raw.firstErrors.join('; ')})`);
  return problems;
}

function printResults(results: DatabaseResult[]): void {
  const header = [
    'database',
    'confirmed',
    'waitlisted',
    'errors',
    'HTTP bookings/s',
    'p50 ms',
    'p99 ms',
    'raw bookings/s',
    'raw p50/p99 ms',
    'HTTP ÷ raw',
    'HTTP ÷ aim',
  ];
  const cells = results.map(({ dialect, http, raw }) => [
    dialect,
    String(http.counts.confirmed),
    String(http.counts.waitlisted),
    String(http.errors),
    http.bookingsPerSecond.toFixed(0),
    http.p50.toFixed(1),
    http.p99.toFixed(1),
    raw.bookingsPerSecond.toFixed(0),
    `${raw.p50.toFixed(0)} / ${raw.p99.toFixed(0)}`,
    (http.bookingsPerSecond / raw.bookingsPerSecond).toFixed(3),
    (http.bookingsPerSecond / AIM_BOOKINGS_PER_SECOND[dialect]).toFixed(2),
  ]);
  printTable(header, cells);
  console.log('');
  for (const { dialect, http, raw } of results) {
    const statuses = Object.entries(http.statuses)
      .map(([status, n]) => `${status} ×${n}`)
      .join(', ');
    const emails = Object.entries(http.counts.emails)
      .map(([kind, n]) => `${kind} ×${n}`)
      .join(', ');
    console.log(
      `  ${dialect}: (aim ${AIM_BOOKINGS_PER_SECOND[dialect]} bookings/s over HTTP with exactly ${CAPACITY} confirmed)`,
    );
    console.log(
      `    HTTP: ${http.seconds.toFixed(2)} s, responses ${statuses}, max latency ${http.max.toFixed(0)} ms`,
    );
    console.log(
      `    HTTP: outbox ${emails || 'empty'}; sign-in sessions touched while booking: ${http.sessionTouches}`,
    );
    if (http.cpuMsPerBooking !== null) {
      // All the process's threads (the event loop, garbage collection, I/O), so
      // it can use more than one core's worth.
      const cores = (http.cpuMsPerBooking * DELEGATES) / (http.seconds * 1000);
      console.log(
        `    HTTP: Trellis's process used ${http.cpuMsPerBooking.toFixed(3)} ms of CPU per booking ` +
          `(all its threads; ${cores.toFixed(2)} cores' worth during the rush)`,
      );
    }
    console.log(
      `    HTTP: the load generator (this process) used ${http.loadCpuMsPerBooking.toFixed(3)} ms of CPU per booking`,
    );
    console.log(
      `    GET /health on a new connection during the rush: ${http.health.probes} probes, ` +
        `p50 ${http.health.p50.toFixed(0)} ms, max ${http.health.max.toFixed(0)} ms, ${http.health.failed} failed`,
    );
    console.log(
      `    raw:  ${raw.seconds.toFixed(2)} s, ${raw.counts.confirmed} confirmed, ${raw.counts.waitlisted} waitlisted, ` +
        `${raw.errors} errors`,
    );
  }
}

// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  printRunDescription();
  const results: DatabaseResult[] = [];
  for (const dialect of DATABASES) results.push(await runOn(dialect));
  printResults(results);
  const problems = results.flatMap((result) => checks(result).map((p) => `${result.dialect}: ${p}`));
  console.log('');
  if (problems.length) {
    console.error(`Benchmark FAILED:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log(
      `OK: on every database exactly ${CAPACITY} confirmed, ${DELEGATES - CAPACITY} waitlisted, ` +
        'every response a 303 to a new booking, one email per booking',
    );
  }
}

// The run always ends by itself, its servers stopped and its databases
// dropped: a watchdog ends it if anything hangs.
await runBenchmark(main, { budgetMs: 20 * 60_000, cleanUp: dropBenchDatabases });
