/**
 * Trellis processes for `npm run bench:cluster`: the built server
 * (dist/server.js) in child processes, each on a port of its own, all on one
 * PostgreSQL database, as deploy/systemd/trellis@.service runs them. One can
 * be killed outright (SIGKILL, as a crash) and started again on its port.
 */
import { join } from 'node:path';

import {
  REPOSITORY_ROOT,
  startChild,
  stopChild,
  waitForHealth,
  type ChildServer,
} from '../support/processes.js';

export class TrellisProcess {
  readonly url: string;
  private child: ChildServer | null = null;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts the process and waits until its /health answers 200. */
  async start(): Promise<void> {
    this.child = startChild(
      this.name,
      [join(REPOSITORY_ROOT, 'dist', 'server.js')],
      { ...this.env, PORT: String(this.port) },
      // Stopped after a rush, it finishes its requests and its outbox batch first.
      { stopGraceMs: 15_000 },
    );
    await waitForHealth(this.url, this.child, 60_000);
  }

  /** SIGKILL: no shutdown, no finishing requests or the email batch in hand. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    await child.kill();
    await stopChild(child);
  }

  async stop(): Promise<void> {
    if (this.child) await stopChild(this.child);
  }

  /** What the process wrote last, for a failure's message. */
  tail(): string {
    return this.child?.tail() ?? '';
  }
}
