/**
 * Whether Trellis can do its work: for /health, which load balancers and
 * monitoring ask every few seconds. Honest both ways: unhealthy while the
 * database cannot be reached or does not answer in time, healthy again by
 * itself as soon as it answers (each check asks afresh; nothing is latched).
 */
import type { Database } from '../../data/db.js';
import { oneAtATime, settleWithin } from './deadlines.js';

/**
 * How long a check waits for the database. Load balancers give a check a few
 * seconds; a database slower than this to say `select 1` cannot serve pages.
 */
export const DATABASE_CHECK_TIMEOUT_MS = 2_000;

export type DatabaseHealth =
  | { state: 'ok' }
  /** The ping failed: refused, dropped, closed. The error is for the log, never the response. */
  | { state: 'unreachable'; error: unknown }
  /** The ping did not finish within the timeout: the database, or the way to it, hangs. */
  | { state: 'not answering' };

export class HealthService {
  private readonly ping: () => Promise<void>;

  constructor(
    database: Pick<Database, 'ping'>,
    private readonly timeoutMs = DATABASE_CHECK_TIMEOUT_MS,
  ) {
    // Shared while it runs: checks arriving during a hang wait on one ping
    // (holding one pooled connection), not a new stuck query each.
    this.ping = oneAtATime(() => database.ping());
  }

  async database(): Promise<DatabaseHealth> {
    const settled = await settleWithin(this.ping(), this.timeoutMs);
    if (settled.status === 'done') return { state: 'ok' };
    if (settled.status === 'failed') return { state: 'unreachable', error: settled.error };
    return { state: 'not answering' };
  }
}
