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
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import autocannon from 'autocannon';

const CONNECTIONS = 50;
const AIM_SESSION_RATIO = 0.25;
const AIM_SESSION_P99_MS = 20;
const SEED_COURSE = 'trauma-informed-co-production';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
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
// Child processes

/** A server in a child process, with the tail of what it wrote kept for error messages. */
class Child {
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  private output = '';
  private listeners: Array<(chunk: string) => void> = [];

  constructor(
    readonly name: string,
    args: string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.process = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolveExit) => {
      this.process.once('exit', (code, signal) => resolveExit(code ?? (signal ? null : 0)));
      this.process.once('error', () => resolveExit(null));
    });
    // Always read the pipes: a child blocked on a full pipe would stall the benchmark.
    for (const stream of [this.process.stdout, this.process.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        this.output = (this.output + chunk).slice(-8_000);
        for (const listener of this.listeners) listener(chunk);
      });
    }
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  tail(): string {
    return this.output.trim();
  }

  /** Resolves with the first stdout line that `match` accepts. */
  waitForLine<T>(match: (line: string) => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise((resolveLine, reject) => {
      let buffered = '';
      const timer = setTimeout(
        () => finish(new Error(`${this.name} did not start in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const listener = (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const value = match(line.trim());
          if (value !== undefined) return finish(undefined, value);
        }
      };
      const finish = (error?: Error, value?: T) => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
        if (error) reject(error);
        else resolveLine(value as T);
      };
      this.listeners.push(listener);
      void this.exited.then((code) =>
        finish(new Error(`${this.name} exited (code ${code}) before it was ready:\n${this.tail()}`)),
      );
    });
  }

  /** SIGTERM, then SIGKILL if it has not gone after a few seconds. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.process.kill('SIGTERM');
    const gone = await Promise.race([this.exited.then(() => true), delay(5_000).then(() => false)]);
    if (!gone && this.running) {
      this.process.kill('SIGKILL');
      await this.exited;
    }
  }
}

const children = new Set<Child>();

function startChild(name: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const child = new Child(name, args, env);
  children.add(child);
  return child;
}

async function stopChild(child: Child): Promise<void> {
  await child.stop();
  children.delete(child);
}

async function stopAllChildren(): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child)));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolveDelay) => setTimeout(resolveDelay, ms));
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = address && typeof address === 'object' ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('no free port'))));
    });
  });
}

async function waitForHealth(baseUrl: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!child.running) throw new Error(`${child.name} exited before /health answered:\n${child.tail()}`);
    try {
      const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await delay(200);
  }
  throw new Error(`${child.name}: /health did not answer 200 in ${timeoutMs} ms (${last}):\n${child.tail()}`);
}

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

function printMachine(): void {
  const cpus = os.cpus();
  const loadAverage = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const rows = [
    ['date', new Date().toISOString()],
    [
      'machine',
      `${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown model'}), ${os.platform()} ${os.release()}`,
    ],
    ['memory', `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${loadAverage} before the run`],
    ['node', process.version],
    [
      'load',
      `autocannon, ${CONNECTIONS} connections, warm-up ${WARMUP_SECONDS} s, measured ${SECONDS} s per target`,
    ],
    ['latency', 'autocannon records whole milliseconds (0 means under 1 ms)'],
  ];
  console.log('Page benchmark');
  for (const [name, value] of rows) console.log(`  ${`${name}:`.padEnd(12)} ${value}`);
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
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (values: string[]) =>
    values.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join('  ');
  console.log('');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells) console.log(line(row));
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
  printMachine();

  // 1. The bare Fastify route.
  console.log('Bare Fastify "hello"');
  const bareServer = startChild('bare server', ['--import', 'tsx', join(ROOT, 'bench', 'bareServer.ts')], {
    ...process.env,
    PORT: '0',
  });
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
    const trellis = startChild('Trellis', [...nodeArgs, join(ROOT, 'dist', 'server.js')], {
      ...process.env,
      NODE_ENV: 'production',
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

// The benchmark always stops by itself: a watchdog ends it if anything hangs.
const budgetMs = (3 * (WARMUP_SECONDS + SECONDS) + 180) * 1000;
const watchdog = setTimeout(() => {
  console.error(`\nBenchmark FAILED: still running after ${budgetMs / 1000} s`);
  void stopAllChildren().finally(() => process.exit(1));
}, budgetMs);
watchdog.unref();

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nBenchmark interrupted (${signal}); stopping servers`);
    void stopAllChildren().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  console.error(`\nBenchmark FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await stopAllChildren();
  clearTimeout(watchdog);
}
