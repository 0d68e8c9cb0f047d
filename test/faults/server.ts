/**
 * The real Trellis server (`node --import tsx src/server.ts`) in a child
 * process, as production runs it, so a test can kill it outright (SIGKILL:
 * no shutdown hooks, no finishing requests in flight) and start it again on
 * the same database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SERVER_SESSION_SECRET = 'fault-test-secret-0123456789abcdef0123456789';

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

export class ServerProcess {
  readonly baseUrl: string;
  private child: ChildProcess | null = null;
  private exitedPromise: Promise<void> = Promise.resolve();
  private output = '';

  constructor(
    readonly port: number,
    private readonly databaseUrl: string,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  /** Starts the server and waits until /health answers 200. */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.running) throw new Error('the server is already running');
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'server.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(this.port),
        PUBLIC_URL: this.baseUrl,
        DATABASE_URL: this.databaseUrl,
        DEMO_CONTENT: 'false',
        SESSION_SECRET: SERVER_SESSION_SECRET,
        // Nothing listens here: emails stay in the outbox, which is what is checked.
        SMTP_URL: 'smtp://127.0.0.1:9',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exitedPromise = new Promise((resolveExit) => child.once('exit', () => resolveExit()));
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        this.output = (this.output + chunk).slice(-8_000);
      });
    }
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`the server exited while starting:\n${this.output}`);
      try {
        const response = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
        if (response.status === 200) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the server did not answer /health in ${timeoutMs} ms:\n${this.output}`);
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What the server wrote last (stdout and stderr). */
  tail(): string {
    return this.output.trim();
  }

  /** SIGKILL: the process ends at once, whatever it was doing. */
  async kill(): Promise<void> {
    if (this.running) this.child?.kill('SIGKILL');
    await this.exitedPromise;
  }

  /** SIGTERM, as an operator stops it; SIGKILL if it has not gone in 15 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 15_000);
    await this.exitedPromise;
    clearTimeout(timer);
  }
}
