/**
 * Servers in child processes, for the benchmarks (bench/pages.ts,
 * bench/rush.ts) and for the fault tests, which kill the server
 * (test/faults/server.ts).
 *
 * A server under load runs in a process of its own so that the load
 * generator does not share its event loop, and so that it can be killed
 * outright. What each child writes is kept (its tail) because when a server
 * fails to start or dies, its last lines are the only useful error message.
 *
 * The benchmarks start their children through `startChild` and run through
 * `runBenchmark`, so that every child is stopped however the run ends: done,
 * failed, interrupted (Ctrl-C) or hung (the watchdog). A server left behind
 * would hold its port and skew the next run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: children run from here, as `npm run` starts them. */
export const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Enough of a child's output to show why it failed, without growing for as long as it runs. */
const KEPT_OUTPUT_CHARS = 8_000;

export interface ChildServerOptions {
  /**
   * How long `stop()` waits after SIGTERM before SIGKILL. A server shutting
   * down finishes its requests in flight first, which under a rush of
   * bookings can take seconds.
   */
  stopGraceMs?: number;
}

/** A Node.js server in a child process, with the tail of what it wrote kept for error messages. */
export class ChildServer {
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  private readonly stopGraceMs: number;
  private output = '';
  private listeners: Array<(chunk: string) => void> = [];

  /** Runs `node <args>` from the repository root with exactly `env`. */
  constructor(
    readonly name: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    options: ChildServerOptions = {},
  ) {
    this.stopGraceMs = options.stopGraceMs ?? 5_000;
    this.process = spawn(process.execPath, args, {
      cwd: REPOSITORY_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolveExit) => {
      this.process.once('exit', (code, signal) => resolveExit(code ?? (signal ? null : 0)));
      this.process.once('error', () => resolveExit(null));
    });
    // Always read the pipes: a child blocked on a full pipe would stall the run.
    for (const stream of [this.process.stdout, this.process.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        this.output = (this.output + chunk).slice(-KEPT_OUTPUT_CHARS);
        for (const listener of this.listeners) listener(chunk);
      });
    }
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** The last of what the child wrote, stdout and stderr together. */
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

  /** SIGTERM, as an operator stops it; SIGKILL if it has not gone within the grace period. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.process.kill('SIGTERM');
    const gone = await Promise.race([
      this.exited.then(() => true),
      delay(this.stopGraceMs).then(() => false),
    ]);
    if (!gone && this.running) {
      this.process.kill('SIGKILL');
      await this.exited;
    }
  }

  /** SIGKILL: the process ends at once, whatever it was doing, as in a crash. */
  async kill(): Promise<void> {
    if (this.running) this.process.kill('SIGKILL');
    await this.exited;
  }
}

/** Every child `startChild` started and `stopChild` has not yet stopped. */
const startedChildren = new Set<ChildServer>();

/** Starts a child that `stopAllChildren` (and so `runBenchmark`) will stop if nothing else does. */
export function startChild(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options?: ChildServerOptions,
): ChildServer {
  const child = new ChildServer(name, args, env, options);
  startedChildren.add(child);
  return child;
}

export async function stopChild(child: ChildServer): Promise<void> {
  await child.stop();
  startedChildren.delete(child);
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...startedChildren].map((child) => stopChild(child)));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolveDelay) => setTimeout(resolveDelay, ms));
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago. For servers that must
 * be told their port (and PUBLIC_URL) before they start, or that must come
 * back on the same port after a restart, so cannot be given port 0.
 */
export function freePort(): Promise<number> {
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

/**
 * Waits until `${baseUrl}/health` answers 200, failing at once if the child
 * exits first (its tail says why) rather than waiting out the timeout.
 */
export async function waitForHealth(baseUrl: string, child: ChildServer, timeoutMs: number): Promise<void> {
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

export interface BenchmarkRunOptions {
  /** The watchdog's limit: past it the run fails, so a hang never keeps a machine busy. */
  budgetMs: number;
  /** What else to undo once the children have stopped (say, databases that outlive the process). */
  cleanUp?: () => Promise<void>;
}

/**
 * Runs a benchmark's `main` so that it always ends by itself and leaves no
 * server behind: on success, on failure (exit code 1), on SIGINT or SIGTERM
 * (exit code 130), or when the watchdog fires (exit code 1). Call it once,
 * at the top level of the benchmark's entry module.
 */
export async function runBenchmark(main: () => Promise<void>, options: BenchmarkRunOptions): Promise<void> {
  const cleanUp = async () => {
    await stopAllChildren();
    await options.cleanUp?.();
  };

  const watchdog = setTimeout(() => {
    console.error(`\nBenchmark FAILED: still running after ${options.budgetMs / 1000} s`);
    void cleanUp().finally(() => process.exit(1));
  }, options.budgetMs);
  watchdog.unref();

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\nBenchmark interrupted (${signal}); stopping servers`);
      void cleanUp().finally(() => process.exit(130));
    });
  }

  try {
    await main();
  } catch (error) {
    console.error(`\nBenchmark FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } finally {
    await cleanUp();
    clearTimeout(watchdog);
  }
}

/** The baseline: bench/bareServer.ts in a child process, answering "hello" at the returned URL. */
export async function startBareServer(): Promise<{ url: string; child: ChildServer }> {
  const child = startChild(
    'bare server',
    ['--import', 'tsx', resolve(REPOSITORY_ROOT, 'bench', 'bareServer.ts')],
    {
      ...process.env,
      PORT: '0',
    },
  );
  const port = await child.waitForLine((line) => {
    try {
      const parsed = JSON.parse(line) as { port?: unknown };
      return typeof parsed.port === 'number' ? parsed.port : undefined;
    } catch {
      return undefined;
    }
  }, 30_000);
  const url = `http://127.0.0.1:${port}/`;
  const hello = await fetch(url).then((response) => response.text());
  if (hello !== 'hello') throw new Error(`bare server replied ${JSON.stringify(hello)}, not "hello"`);
  return { url, child };
}

/**
 * CPU time a process has used so far (user + system), in milliseconds, from
 * /proc: what a piece of work cost, which a busy machine changes far less
 * than how long it took. Null where there is no /proc (not Linux).
 */
export function cpuMilliseconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (USER_HZ, 100 on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}
