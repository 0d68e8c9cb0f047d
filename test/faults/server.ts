/**
 * The real Trellis server (`node --import tsx src/server.ts`) in a child
 * process, as production runs it, so a test can kill it outright (SIGKILL:
 * no shutdown hooks, no finishing requests in flight) and start it again on
 * the same database and port. The child process itself is the benchmarks'
 * (bench/support/processes.ts): one way to run a server in a child, keep its
 * output for error messages and wait for /health.
 */
import { join } from 'node:path';

import { ChildServer, REPOSITORY_ROOT, waitForHealth } from '../../bench/support/processes.js';

export const SERVER_SESSION_SECRET = 'fault-test-secret-0123456789abcdef0123456789';

export class ServerProcess {
  readonly baseUrl: string;
  /** The server last started; a restart is a new child process on the same port. */
  private child: ChildServer | null = null;

  constructor(
    readonly port: number,
    private readonly databaseUrl: string,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  /** Starts the server and waits until /health answers 200. */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.running) throw new Error('the server is already running');
    this.child = new ChildServer(
      'the server',
      ['--import', 'tsx', join(REPOSITORY_ROOT, 'src', 'server.ts')],
      {
        ...process.env,
        NODE_ENV: 'production',
        SECRETS_KEY: '5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e',
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
      // As an operator's SIGTERM is waited for: the server finishes its requests in flight first.
      { stopGraceMs: 15_000 },
    );
    await waitForHealth(this.baseUrl, this.child, timeoutMs);
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  /** What the server last started wrote last (stdout and stderr). */
  tail(): string {
    return this.child?.tail() ?? '';
  }

  /** SIGKILL: the process ends at once, whatever it was doing. */
  async kill(): Promise<void> {
    await this.child?.kill();
  }

  /** SIGTERM, as an operator stops it; SIGKILL if it has not gone in 15 s. */
  async stop(): Promise<void> {
    await this.child?.stop();
  }
}
