/**
 * The page benchmark (`npm run bench:pages`). In one run it measures, with
 * autocannon at 50 connections, one target after another:
 *
 *   1. a bare Fastify "hello" route (bench/bareServer.ts), the baseline;
 *   2. Trellis's page for a future session of the seed course;
 *   3. Trellis's catalogue page, /courses.
 *
 * Each server runs in its own child process, so autocannon does not share its
 * event loop. Trellis is the built server (dist/server.js) in production mode
 * with a fresh SQLite database holding the demo programme. Every response must
 * be 2xx, or the run fails. Results are reported as ratios to the bare route
 * as well as absolute figures, because absolute figures on a shared machine
 * move from run to run. See docs/PERFORMANCE.md.
 *
 * Environment:
 *   BENCH_SECONDS         measured seconds per target (default 10)
 *   BENCH_WARMUP_SECONDS  warm-up seconds per target (default 2)
 *   BENCH_CPU_PROF        a directory: run Trellis with --cpu-prof and write
 *                         its profile there (read it with bench/cpuProfileTop.ts)
 *   BENCH_LOG_LEVEL       Trellis's LOG_LEVEL (default warn; info logs every request)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';

import autocannon from 'autocannon';

import {
  freePort,
  REPOSITORY_ROOT,
  runBenchmark,
  startChild,
  stopAllChildren,
  stopChild,
  waitForHealth,
} from './support/processes.js';
import { printMachine, printTable } from './support/report.js';

const CONNECTIONS = 50;
const AIM_SESSION_RATIO = 0.25;
const AIM_SESSION_P99_MS = 20;
const SEED_COURSE = 'trauma-informed-co-production';

const SECONDS = positiveNumber('BENCH_SECONDS', 10);
const WARMUP_SECONDS = positiveNumber('BENCH_WARMUP_SECONDS', 2, true);
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL || 'warn';

function positiveNumber(name: string, fallback: number, zeroAllowed = false): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new Error(`${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number, not "${raw}"`);
  }
  return value;
}

// ---------------------------------------------------------------------------
// Checking a target before it is measured

/** One GET that must be 200 with the expected content type; returns the body. */
async function fetchOk(url: string, contentType: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  const type = response.headers.get('content-type') ?? '';
  if (response.status !== 200 || !type.startsWith(contentType)) {
    throw new Error(`GET ${url} gave ${response.status} ${type}, expected 200 ${contentType}`);
  }
  return body;
}

// ---------------------------------------------------------------------------
// Measuring

interface Measurement {
  target: string;
  url: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  responses: number;
  bytesPerRequest: number;
}

const BROWSER_HEADERS = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-encoding': 'gzip, deflate, br',
  'accept-language': 'en-GB,en;q=0.9',
};

async function cannon(title: string, url: string, seconds: number): Promise<autocannon.Result> {
  const result = await autocannon({
    title,
    url,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 10,
    // What every browser sends; the same for every target, bare included.
    headers: BROWSER_HEADERS,
  });
  const statusCounts = `1xx ${result['1xx']}, 2xx ${result['2xx']}, 3xx ${result['3xx']}, 4xx ${result['4xx']}, 5xx ${result['5xx']}`;
  if (result.errors > 0 || result.non2xx > 0 || result['2xx'] === 0) {
    throw new Error(
      `${title}: not every response was 2xx (${statusCounts}; ` +
        `errors ${result.errors}, timeouts ${result.timeouts}) for ${url}`,
    );
  }
  return result;
}

async function measure(target: string, url: string): Promise<Measurement> {
  process.stdout.write(`  ${target}: `);
  if (WARMUP_SECONDS > 0) {
    process.stdout.write(`warm-up ${WARMUP_SECONDS} s, `);
    await cannon(`${target} (warm-up)`, url, WARMUP_SECONDS);
  }
  process.stdout.write(`measuring ${SECONDS} s… `);
  const result = await cannon(target, url, SECONDS);
  const measurement: Measurement = {
    target,
    url,
    requestsPerSecond: result.requests.mean,
    p50: result.latency.p50,
    p99: result.latency.p99,
    responses: result['2xx'],
    bytesPerRequest: result.requests.total ? result.throughput.total / result.requests.total : 0,
  };
  console.log(`${Math.round(measurement.requestsPerSecond)} req/s`);
  return measurement;
}

// ---------------------------------------------------------------------------
// Report

function printRunDescription(): void {
  printMachine(
    'Page benchmark',
    [
      [
        'load',
        `autocannon, ${CONNECTIONS} connections, warm-up ${WARMUP_SECONDS} s, measured ${SECONDS} s per target`,
      ],
      ['latency', 'autocannon records whole milliseconds (0 means under 1 ms)'],
    ],
    12,
  );
  console.log('');
}

function printResults(bare: Measurement, session: Measurement, catalogue: Measurement): void {
  const rows = [bare, session, catalogue];
  const header = ['target', 'req/s (mean)', 'p50 ms', 'p99 ms', '÷ bare', '2xx responses', 'KiB/resp'];
  const cells = rows.map((row) => [
    row.target,
    row.requestsPerSecond.toFixed(0),
    String(row.p50),
    String(row.p99),
    row === bare ? '1' : (row.requestsPerSecond / bare.requestsPerSecond).toFixed(3),
    String(row.responses),
    (row.bytesPerRequest / 1024).toFixed(1),
  ]);
  printTable(header, cells);
  console.log('');
  console.log(`  session page:   ${session.url}`);
  console.log(`  catalogue page: ${catalogue.url}`);

  const sessionRatio = session.requestsPerSecond / bare.requestsPerSecond;
  const catalogueRatio = catalogue.requestsPerSecond / bare.requestsPerSecond;
  console.log('');
  console.log(`  session ÷ bare (req/s):   ${sessionRatio.toFixed(3)} (${(sessionRatio * 100).toFixed(1)}%)`);
  console.log(
    `  catalogue ÷ bare (req/s): ${catalogueRatio.toFixed(3)} (${(catalogueRatio * 100).toFixed(1)}%)`,
  );
  const ratioMet = sessionRatio >= AIM_SESSION_RATIO;
  const p99Met = session.p99 < AIM_SESSION_P99_MS;
  const aim = `session page ≥ ${AIM_SESSION_RATIO * 100}% of bare req/s with p99 < ${AIM_SESSION_P99_MS} ms at ${CONNECTIONS} connections`;
  console.log('');
  console.log(
    ratioMet && p99Met
      ? `AIM MET: ${aim} (${(sessionRatio * 100).toFixed(1)}%, p99 ${session.p99} ms)`
      : `AIM NOT MET: ${aim} (${(sessionRatio * 100).toFixed(1)}% ${ratioMet ? 'ok' : 'too low'}, ` +
          `p99 ${session.p99} ms ${p99Met ? 'ok' : 'too high'})`,
  );
}

// ---------------------------------------------------------------------------
// The run

async function main(): Promise<void> {
  printRunDescription();

  // 1. The bare Fastify route.
  console.log('Bare Fastify "hello"');
  const bareServer = startChild(
    'bare server',
    ['--import', 'tsx', join(REPOSITORY_ROOT, 'bench', 'bareServer.ts')],
    {
      ...process.env,
      PORT: '0',
    },
  );
  const barePort = await bareServer.waitForLine((line) => {
    try {
      const parsed = JSON.parse(line) as { port?: unknown };
      return typeof parsed.port === 'number' ? parsed.port : undefined;
    } catch {
      return undefined;
    }
  }, 30_000);
  const bareUrl = `http://127.0.0.1:${barePort}/`;
  const hello = await fetchOk(bareUrl, 'text/plain');
  if (hello !== 'hello') throw new Error(`bare server replied ${JSON.stringify(hello)}, not "hello"`);
  const bare = await measure('bare hello', bareUrl);
  await stopChild(bareServer);

  // 2 and 3. Trellis, built, in production, with a fresh demo database.
  console.log(
    `Trellis (dist/server.js, NODE_ENV=production, LOG_LEVEL=${LOG_LEVEL}, fresh SQLite with the demo)`,
  );
  const dataDir = await mkdtemp(join(os.tmpdir(), 'trellis-bench-'));
  try {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const nodeArgs = CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : [];
    const trellis = startChild('Trellis', [...nodeArgs, join(REPOSITORY_ROOT, 'dist', 'server.js')], {
      ...process.env,
      NODE_ENV: 'production',
      SECRETS_KEY: '5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e',
      LOG_LEVEL,
      PUBLIC_URL: baseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: `sqlite:${join(dataDir, 'bench.sqlite')}`,
      DEMO_CONTENT: 'true',
      SESSION_SECRET: 'bench-only-secret-0123456789abcdef0123456789',
      // Production needs SMTP; this benchmark sends no email, so nothing listens here.
      SMTP_URL: 'smtp://127.0.0.1:9',
    });
    await waitForHealth(baseUrl, trellis, 60_000);

    const coursePage = await fetchOk(`${baseUrl}/courses/${SEED_COURSE}`, 'text/html');
    const sessionId = /href="\/sessions\/([^"/?#]+)"/.exec(coursePage)?.[1];
    if (!sessionId) throw new Error(`no /sessions/<id> link on /courses/${SEED_COURSE}`);
    const sessionUrl = `${baseUrl}/sessions/${sessionId}`;
    await fetchOk(sessionUrl, 'text/html');
    const catalogueUrl = `${baseUrl}/courses`;
    await fetchOk(catalogueUrl, 'text/html');

    const session = await measure('session page', sessionUrl);
    const catalogue = await measure('catalogue /courses', catalogueUrl);
    await stopChild(trellis);

    printResults(bare, session, catalogue);
    const written = trellis.tail().split('\n').slice(-10).join('\n');
    if (written) console.log(`\nThe last lines Trellis wrote (LOG_LEVEL=${LOG_LEVEL}):\n${written}`);
    if (CPU_PROF_DIR) console.log(`\nCPU profile of Trellis written to ${CPU_PROF_DIR}`);
  } finally {
    await stopAllChildren();
    await rm(dataDir, { recursive: true, force: true });
  }
}

// The run always ends by itself, its servers stopped: a watchdog ends it if anything hangs.
await runBenchmark(main, { budgetMs: (3 * (WARMUP_SECONDS + SECONDS) + 180) * 1000 });
