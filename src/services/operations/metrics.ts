/**
 * What Trellis tells Prometheus at /metrics, in its text format (prom-client).
 *
 * Each app has a registry of its own rather than prom-client's global one, so
 * two apps in one process (the tests build many) keep their own counts. The
 * Node.js process figures (memory, event loop lag, CPU, garbage collection)
 * belong to the process, not to an app: they are collected once per process
 * and shown by every app's /metrics.
 *
 * Counters are raised where things happen (requests, bookings, jobs, the
 * outbox sender); the outbox backlog and the database pool are read when
 * Prometheus asks. No label carries personal data or a raw address: requests
 * are labelled with their route's pattern, as paths can carry emailed tokens.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import type { Database, PoolStats } from '../../data/db.js';
import type { OutboxBacklog, OutboxRecords } from '../../data/repositories/outboxRecords.js';
import type { Clock } from '../clock.js';
import { oneAtATime, settleWithin } from './deadlines.js';

/** What became of a delegate's "Book a place". */
export type BookingOutcome = 'confirmed' | 'waitlisted' | 'already_held' | 'refused';
const BOOKING_OUTCOMES: readonly BookingOutcome[] = ['confirmed', 'waitlisted', 'already_held', 'refused'];

/** What an outbox run did with each message it claimed (OutboxSender's result). */
export interface OutboxRunCounts {
  sent: number;
  failed: number;
  deferred: number;
}
const OUTBOX_OUTCOMES = ['sent', 'failed', 'deferred'] as const;

/** The label of a request no route matched (a 404): never its path. */
export const NO_ROUTE = '(no route)';

/** How long a scrape waits for the outbox's figures before leaving them out. */
export const SCRAPE_READ_TIMEOUT_MS = 2_000;

/** From 1 ms (a cached page) to 10 s (a large export, or a request waiting on a busy session). */
const REQUEST_SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

let processRegistry: Registry | undefined;

/** The process's own figures, started once however many apps the process builds. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export interface MetricsSources {
  database: Pick<Database, 'poolStats'>;
  outbox: Pick<OutboxRecords, 'backlog'>;
  clock: Clock;
}

export class Metrics {
  private readonly registry = new Registry();
  private readonly processRegistry = processMetrics();
  private readonly clock: Clock;
  /** One scrape-time read at a time: while the database hangs, scrapes share it. */
  private readonly readBacklog: () => Promise<OutboxBacklog>;

  private readonly requestDuration = new Histogram({
    name: 'trellis_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: REQUEST_SECONDS_BUCKETS,
    registers: [this.registry],
  });

  private readonly bookings = new Counter({
    name: 'trellis_bookings_total',
    help: 'Delegates booking a place, by outcome: confirmed, waitlisted, already_held (they had one), refused (full, closed, price changed, address not confirmed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly lockBatchPieces = new Histogram({
    name: 'trellis_session_lock_batch_pieces',
    help: "Pieces of work (bookings, cancellations, staff changes) done in one transaction under a session's lock",
    buckets: [1, 2, 5, 10, 25, 50, 100],
    registers: [this.registry],
  });

  private readonly lockHeld = new Histogram({
    name: 'trellis_session_lock_held_seconds',
    help: "How long each transaction held a session's lock (SQLite: the database's write lock), from BEGIN to the end of COMMIT",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  private readonly jobRuns = new Counter({
    name: 'trellis_job_runs_total',
    help: 'Background job runs in this process, by job, whether they succeeded or failed',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });

  private readonly jobFailures = new Counter({
    name: 'trellis_job_failures_total',
    help: 'Background job runs in this process that failed, by job',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });

  private readonly outboxMessages = new Counter({
    name: 'trellis_outbox_messages_total',
    help: "Emails this process's outbox sender handled, by outcome: sent, failed (retried later with backoff), deferred (handed back or held for the recipient's hourly limit)",
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly outboxBacklog = new Gauge({
    name: 'trellis_outbox_backlog_messages',
    help: 'Unsent emails due now, waiting for a sender (read at scrape time; left out when the database did not answer)',
    registers: [],
  });

  private readonly outboxOldestAge = new Gauge({
    name: 'trellis_outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest unsent email, due or waiting for a retry; 0 when all are sent (read at scrape time; left out when the database did not answer)',
    registers: [],
  });

  private readonly databaseUp = new Gauge({
    name: 'trellis_database_up',
    help: "1 when the database answered this scrape's outbox read within 2 seconds, 0 when it did not",
    registers: [this.registry],
  });

  constructor(sources: MetricsSources) {
    this.clock = sources.clock;
    this.readBacklog = oneAtATime(() => sources.outbox.backlog(this.clock.now()));
    for (const outcome of BOOKING_OUTCOMES) this.bookings.inc({ outcome }, 0);
    for (const outcome of OUTBOX_OUTCOMES) this.outboxMessages.inc({ outcome }, 0);
    if (sources.database.poolStats()) this.watchPool(sources.database);
  }

  /** A request answered: `route` is the matched route's pattern, undefined when none matched. */
  requestFinished(method: string, route: string | undefined, statusCode: number, milliseconds: number): void {
    this.requestDuration.observe(
      { method, route: route ?? NO_ROUTE, status_code: String(statusCode) },
      milliseconds / 1000,
    );
  }

  bookingMade(outcome: BookingOutcome): void {
    this.bookings.inc({ outcome });
  }

  /** A batch under the session lock ended (SessionLockOptions.onBatch). */
  sessionLockBatch(pieces: number, heldMs: number): void {
    this.lockBatchPieces.observe(pieces);
    this.lockHeld.observe(heldMs / 1000);
  }

  /** Shows a job at 0 runs before its first, so rates work from the start. */
  jobKnown(job: string): void {
    this.jobRuns.inc({ job }, 0);
    this.jobFailures.inc({ job }, 0);
  }

  jobRan(job: string, succeeded: boolean): void {
    this.jobRuns.inc({ job });
    if (!succeeded) this.jobFailures.inc({ job });
  }

  outboxRan(counts: OutboxRunCounts): void {
    for (const outcome of OUTBOX_OUTCOMES) {
      if (counts[outcome] > 0) this.outboxMessages.inc({ outcome }, counts[outcome]);
    }
  }

  /** The text Prometheus reads, with the figures read now from the database. */
  async render(): Promise<{ contentType: string; body: string }> {
    const scrape = new Registry();
    const read = await settleWithin(this.readBacklog(), SCRAPE_READ_TIMEOUT_MS);
    this.databaseUp.set(read.status === 'done' ? 1 : 0);
    if (read.status === 'done') {
      // Registered for this scrape only: a figure the database did not give is left out, not shown as 0.
      const { due, oldestUnsentAt } = read.value;
      this.outboxBacklog.set(due);
      const age = oldestUnsentAt ? (this.clock.now().getTime() - oldestUnsentAt.getTime()) / 1000 : 0;
      this.outboxOldestAge.set(Math.max(0, age));
      scrape.registerMetric(this.outboxBacklog);
      scrape.registerMetric(this.outboxOldestAge);
    }
    const merged = Registry.merge([this.processRegistry, this.registry, scrape]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }

  /** PostgreSQL's connection pool, read at scrape time (SQLite has no pool to show). */
  private watchPool(database: Pick<Database, 'poolStats'>): void {
    const gauge = (name: string, help: string, read: (stats: PoolStats) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const stats = database.poolStats();
          if (stats) this.set(read(stats));
        },
      });
    gauge(
      'trellis_database_pool_max_connections',
      'Connections the pool may open (DATABASE_POOL_SIZE)',
      (s) => s.max,
    );
    gauge('trellis_database_pool_connections', 'Connections open now, in use or idle', (s) => s.total);
    gauge('trellis_database_pool_idle_connections', 'Open connections not in use', (s) => s.idle);
    gauge(
      'trellis_database_pool_waiting_requests',
      'Pieces of work waiting for a connection because every one is in use',
      (s) => s.waiting,
    );
  }
}
