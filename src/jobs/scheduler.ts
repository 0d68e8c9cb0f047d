/**
 * Runs the jobs in jobs/registry.ts in the web process. Every few seconds a
 * tick works out each recorded job's latest due period (cadence.ts) and
 * claims it in `job_runs`; only the process whose claim lands runs it, so a
 * daily job runs once a day however many processes there are, and not again
 * after a restart. A job that throws is recorded (the reason, without email
 * addresses) and logged, and its period is claimed again after a pause; the
 * other jobs and later ticks carry on.
 *
 * The outbox is the exception: it runs every few seconds in every process on
 * its sender's own loop (outboxSender.ts), which claims each message with a
 * lease and retries it with backoff, so it needs no run record.
 */
import type { Config } from '../config.js';
import { SchedulerRepository, type JobClaim, type JobRun } from '../data/repositories/schedulerRepository.js';
import type { Clock } from '../services/clock.js';
import type { Metrics } from '../services/operations/metrics.js';
import {
  createDevelopmentMailbox,
  createSmtpMailer,
  describeSendError,
  type Mailer,
} from '../services/email/mailer.js';
import type { Services } from '../services/index.js';
import { isContinuous, latestDue, retryDelayMs } from './cadence.js';
import type { Job, JobContext, JobResult, RecordedJob } from './job.js';
import { outboxJob } from './outbox.js';
import { OutboxSender, type JobLogger, type OutboxRunResult } from './outboxSender.js';
import { JOBS, findJob } from './registry.js';

/** How often the scheduler looks for due jobs: a minute job starts within this of its minute. */
const TICK_EVERY_MS = 15_000;

/**
 * A run still "running" after this long is taken to have died with its
 * process, and its period may be claimed again.
 */
export const ABANDONED_AFTER_MS = 30 * 60_000;

export type RunOutcome =
  | { status: 'succeeded'; result: JobResult }
  | { status: 'failed'; error: string }
  /** Another process is running it now. */
  | { status: 'busy' };

export interface SchedulerOptions {
  runs: SchedulerRepository;
  context: JobContext;
  clock: Clock;
  logger: JobLogger;
  /** The registry's jobs unless a test brings its own. */
  jobs?: readonly Job[];
  /** Counts each recorded job's runs and failures for /metrics. */
  metrics?: Metrics;
}

export class Scheduler {
  readonly jobs: readonly Job[];
  private readonly runs: SchedulerRepository;
  private readonly context: JobContext;
  private readonly clock: Clock;
  private readonly logger: JobLogger;
  private readonly metrics: Metrics | undefined;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<string[]> | null = null;

  constructor(options: SchedulerOptions) {
    this.jobs = options.jobs ?? JOBS;
    this.runs = options.runs;
    this.context = options.context;
    this.clock = options.clock;
    this.logger = options.logger;
    this.metrics = options.metrics;
    for (const job of this.jobs) if (!isContinuous(job.cadence)) this.metrics?.jobKnown(job.name);
  }

  /**
   * Runs each recorded job whose latest period nobody has claimed yet, one
   * after another; returns the names of those it ran. Never throws.
   */
  tick(): Promise<string[]> {
    this.ticking ??= this.runDue().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  /** Runs one job now, whatever its cadence, unless a run of it is going already. */
  async runNow(job: Job): Promise<RunOutcome> {
    if (isContinuous(job.cadence)) {
      try {
        return { status: 'succeeded', result: await job.run(this.context) };
      } catch (error) {
        return { status: 'failed', error: describeSendError(error) };
      }
    }
    const claim = await this.runs.begin(job.name, this.clock.now(), this.abandonedBefore());
    if (!claim) return { status: 'busy' };
    return this.execute(job as RecordedJob, claim, false);
  }

  /** Each recorded job's latest claimed period and last run. */
  lastRuns(): Promise<JobRun[]> {
    return this.runs.all();
  }

  /** Ticks now and then every `everyMs` until `stop()`. */
  start(everyMs = TICK_EVERY_MS): void {
    if (this.timer) return;
    const loop = () => {
      void this.tick().finally(() => {
        if (!this.timer) return;
        this.timer = setTimeout(loop, everyMs);
        // A waiting timer does not keep the process alive; the server does.
        this.timer.unref();
      });
    };
    this.timer = setTimeout(loop, 0);
    this.timer.unref();
  }

  /** Stops ticking and waits for a run in progress to end. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
  }

  private async runDue(): Promise<string[]> {
    const ran: string[] = [];
    for (const job of this.jobs) {
      if (isContinuous(job.cadence)) continue;
      const now = this.clock.now();
      let claim: JobClaim | null;
      try {
        claim = await this.runs.claim(job.name, latestDue(job.cadence, now), now, this.abandonedBefore());
      } catch (error) {
        // The database may be down; the next tick tries again.
        this.logger.error({ job: job.name, reason: describeSendError(error) }, 'job: could not claim a run');
        continue;
      }
      if (!claim) continue;
      await this.execute(job as RecordedJob, claim, true);
      ran.push(job.name);
    }
    return ran;
  }

  private async execute(job: RecordedJob, claim: JobClaim, scheduled: boolean): Promise<RunOutcome> {
    let outcome: RunOutcome;
    try {
      const result = await job.run(this.context);
      outcome = { status: 'succeeded', result };
      // Quiet when there was nothing to do.
      if (Object.values(result).some((n) => n > 0)) this.logger.info({ job: job.name, result }, 'job ran');
    } catch (error) {
      outcome = { status: 'failed', error: describeSendError(error) };
      this.logger.error({ job: job.name, reason: outcome.error }, 'job failed; it will be tried again');
    }
    this.metrics?.jobRan(job.name, outcome.status === 'succeeded');
    const now = this.clock.now();
    try {
      if (outcome.status === 'succeeded') await this.runs.succeeded(claim, now, outcome.result);
      else {
        const retryAt = scheduled ? new Date(now.getTime() + retryDelayMs(job.cadence)) : undefined;
        await this.runs.failed(claim, now, outcome.error, retryAt);
      }
    } catch (error) {
      // Left "running", the period is claimed again once the run counts as abandoned.
      this.logger.error({ job: job.name, reason: describeSendError(error) }, 'job: could not record a run');
    }
    return outcome;
  }

  private abandonedBefore(): Date {
    return new Date(this.clock.now().getTime() - ABANDONED_AFTER_MS);
  }
}

/**
 * The outbox sender, its runs counted for /metrics from what each returns
 * (messages sent, failed, deferred; a run that could not read the outbox is
 * a failed run of the "outbox" job). It runs on its own loop, not the
 * scheduler's, and a wake-up joining a run in progress shares that run's
 * result: each run is counted once.
 */
class CountedOutboxSender extends OutboxSender {
  private lastCounted: Promise<OutboxRunResult> | null = null;

  constructor(
    private readonly metrics: Metrics,
    options: ConstructorParameters<typeof OutboxSender>[0],
  ) {
    super(options);
    metrics.jobKnown(outboxJob.name);
  }

  override runOnce(): Promise<OutboxRunResult> {
    const run = super.runOnce();
    if (run !== this.lastCounted) {
      this.lastCounted = run;
      void run.then(
        (result) => {
          this.metrics.jobRan(outboxJob.name, true);
          this.metrics.outboxRan(result);
        },
        () => this.metrics.jobRan(outboxJob.name, false),
      );
    }
    return run;
  }
}

export interface Jobs {
  scheduler: Scheduler;
  /** Runs the job with this name now (the command line's `jobs run`); undefined for no such job. */
  runNow(name: string): Promise<RunOutcome | undefined>;
  stop(): Promise<void>;
}

export function createMailer(config: Config, services: Pick<Services, 'settings'>): Mailer {
  if (!config.smtpUrl) {
    return createDevelopmentMailbox({ messageIdDomain: new URL(config.publicUrl).hostname });
  }
  // Names and the reply address are read when sending, so a change in the
  // hub's settings shows in the next email.
  return createSmtpMailer({
    url: config.smtpUrl,
    poolSize: config.smtpPoolSize,
    // Each wait on the server (connecting, its greeting, each reply) ends well
    // inside the outbox lease, so a hung server cannot outlast it.
    timeoutMs: Math.min(30_000, Math.floor(config.outboxLeaseMs / 3)),
    from: async () => ({ address: config.mailFrom, name: (await services.settings.hub()).name }),
    replyTo: async () => {
      const hub = await services.settings.hub();
      return { address: hub.contactEmail, name: hub.name };
    },
  });
}

/**
 * The process's jobs: with `start`, the scheduler ticks and the outbox sends
 * until `stop()`; without, nothing runs until asked (the command line).
 */
export function startJobs(
  services: Services,
  config: Config,
  logger: JobLogger,
  options: { start: boolean } = { start: true },
): Jobs {
  let mailer: Mailer | undefined;
  let sender: OutboxSender | undefined;
  const context: JobContext = {
    services,
    outboxSender() {
      if (sender) return sender;
      mailer = createMailer(config, services);
      sender = new CountedOutboxSender(services.metrics, {
        outbox: services.outbox,
        mailer,
        clock: services.clock,
        logger,
        leaseMs: config.outboxLeaseMs,
        // As many at once as the mailer has SMTP connections.
        concurrency: config.smtpPoolSize,
      });
      return sender;
    },
  };
  const scheduler = new Scheduler({
    runs: new SchedulerRepository(services.database.db),
    context,
    clock: services.clock,
    logger,
    metrics: services.metrics,
  });

  if (options.start) {
    context.outboxSender().start(outboxJob.cadence.everySeconds * 1000);
    scheduler.start();
  }
  return {
    scheduler,
    async runNow(name) {
      const job = findJob(name);
      return job ? scheduler.runNow(job) : undefined;
    },
    async stop() {
      await scheduler.stop();
      await sender?.stop();
      await mailer?.close();
    },
  };
}
