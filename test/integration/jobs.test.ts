/**
 * The scheduler on both databases: a daily job runs once a day however many
 * schedulers share the database (each with its own connection, as separate
 * processes would), not again after a restart, catches up after a missed
 * day, and a job that throws is recorded and tried again without stopping
 * the others. The clock is set by hand: nothing waits on the wall clock.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';

import { openDatabase, type Database, type DialectName } from '../../src/data/db.js';
import { SchedulerRepository } from '../../src/data/repositories/schedulerRepository.js';
import { londonToInstant } from '../../src/domain/time/time.js';
import { jobsCommand } from '../../src/cli/jobs.js';
import type { JobContext, RecordedJob } from '../../src/jobs/job.js';
import type { JobLogger } from '../../src/jobs/outboxSender.js';
import { ABANDONED_AFTER_MS, Scheduler, startJobs } from '../../src/jobs/scheduler.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import { createTestDatabase, eachDatabase, type TestDatabase } from '../support/databases.js';

const MINUTE = 60_000;

function recorder(): JobLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (details: object, message: string) => {
    lines.push(`${level} ${message} ${JSON.stringify(details)}`);
  };
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}

/** A daily job at 3am London time that counts its runs. */
function countingJob(name = 'daily-count'): RecordedJob & { runs: number } {
  const job = {
    name,
    description: 'counts its runs',
    cadence: { dailyAt: '03:00' },
    runs: 0,
    run: async () => {
      job.runs += 1;
      // Gives a racing scheduler the chance to claim while this run is going.
      await new Promise((resolve) => setImmediate(resolve));
      return { runs: job.runs };
    },
  };
  return job;
}

const noContext = {} as JobContext;

eachDatabase('Scheduled jobs', (dialect: DialectName) => {
  let database: TestDatabase;
  let opened: Database[];
  let clock: SettableClock;
  let logger: ReturnType<typeof recorder>;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    opened = [];
    clock = settableClock(londonToInstant('2026-01-12', '02:00'));
    logger = recorder();
  });

  afterEach(async () => {
    for (const other of opened) await other.close();
    await database.drop();
  });

  /** A scheduler on a connection of its own: another process, or this one restarted. */
  function newProcess(jobs: RecordedJob[]): Scheduler {
    const connection = openDatabase(database.url, { onConnectionError: () => undefined });
    opened.push(connection);
    return new Scheduler({
      runs: new SchedulerRepository(connection.db),
      context: noContext,
      clock,
      logger,
      jobs,
    });
  }

  it('runs a daily job once a day when two processes tick at the same moments', async () => {
    const job = countingJob();
    const one = newProcess([job]);
    const two = newProcess([job]);
    for (const day of ['2026-01-12', '2026-01-13', '2026-01-14', '2026-01-15']) {
      clock.set(londonToInstant(day, '02:59'));
      await Promise.all([one.tick(), two.tick()]);
      clock.set(londonToInstant(day, '03:00'));
      expect((await Promise.all([one.tick(), two.tick()])).flat()).toEqual([job.name]);
      expect((await Promise.all([two.tick(), one.tick()])).flat()).toEqual([]);
      clock.advance(7 * 60 * MINUTE);
      await Promise.all([one.tick(), two.tick()]);
    }
    // The job before 3am on the first day catches up the 11th's run; then one a day.
    expect(job.runs).toBe(1 + 4);
  });

  it('does not run a daily job again after a restart on the same day', async () => {
    const job = countingJob();
    clock.set(londonToInstant('2026-01-12', '03:00'));
    const before = newProcess([job]);
    expect(await before.tick()).toEqual([job.name]);
    await before.stop();

    clock.set(londonToInstant('2026-01-12', '11:30'));
    const after = newProcess([job]);
    expect(await after.tick()).toEqual([]);
    clock.set(londonToInstant('2026-01-13', '02:59'));
    expect(await after.tick()).toEqual([]);
    clock.set(londonToInstant('2026-01-13', '03:00'));
    expect(await after.tick()).toEqual([job.name]);
    expect(job.runs).toBe(2);
  });

  it('catches up a missed day once, then keeps to its time', async () => {
    const job = countingJob();
    clock.set(londonToInstant('2026-01-12', '03:00'));
    expect(await newProcess([job]).tick()).toEqual([job.name]);

    // Nothing ran on the 13th; on the 14th, before 3am, the 13th's run is owed.
    clock.set(londonToInstant('2026-01-14', '01:15'));
    const restarted = newProcess([job]);
    expect(await restarted.tick()).toEqual([job.name]);
    expect(await restarted.tick()).toEqual([]);
    clock.set(londonToInstant('2026-01-14', '03:00'));
    expect(await restarted.tick()).toEqual([job.name]);
    expect(job.runs).toBe(3);

    // Down at 3am on the 15th, up again at 9am: it runs then.
    clock.set(londonToInstant('2026-01-15', '09:00'));
    expect(await newProcess([job]).tick()).toEqual([job.name]);
    const [run] = await newProcess([]).lastRuns();
    expect(run?.dueAt).toEqual(londonToInstant('2026-01-15', '03:00'));
  });

  it('runs at 3am London time on the days the clocks change', async () => {
    const job = countingJob();
    const scheduler = newProcess([job]);
    clock.set('2026-03-28T03:00:00Z');
    expect(await scheduler.tick()).toEqual([job.name]);
    // 3am British Summer Time is 2am UTC.
    clock.set('2026-03-29T01:59:00Z');
    expect(await scheduler.tick()).toEqual([]);
    clock.set('2026-03-29T02:00:00Z');
    expect(await scheduler.tick()).toEqual([job.name]);
    clock.set('2026-10-25T01:00:00Z'); // 2am summer time, just before the clocks go back
    expect(await scheduler.tick()).toEqual([job.name]); // the 24th's run, caught up
    clock.set('2026-10-25T02:59:00Z');
    expect(await scheduler.tick()).toEqual([]);
    clock.set('2026-10-25T03:00:00Z');
    expect(await scheduler.tick()).toEqual([job.name]);
  });

  it('records a job that throws, carries on with the others, and tries it again later', async () => {
    let failing = true;
    const flaky: RecordedJob = {
      name: 'flaky',
      description: 'fails until told not to',
      cadence: { dailyAt: '03:00' },
      run: async () => {
        if (failing) throw new Error('could not reach helen.ward@example.org.uk');
        return { done: 1 };
      },
    };
    const steady = countingJob('steady');
    clock.set(londonToInstant('2026-01-12', '03:00'));
    const scheduler = newProcess([flaky, steady]);
    expect(await scheduler.tick()).toEqual(['flaky', 'steady']);
    expect(steady.runs).toBe(1);

    const failed = (await scheduler.lastRuns()).find((run) => run.job === 'flaky');
    expect(failed).toMatchObject({ outcome: 'failed', lastError: 'Error: could not reach [address]' });
    expect(logger.lines.join('\n')).not.toContain('helen.ward');
    expect(logger.lines.some((line) => line.startsWith('error job failed') && line.includes('flaky'))).toBe(
      true,
    );

    clock.advance(5 * MINUTE);
    expect(await scheduler.tick()).toEqual([]);
    clock.advance(5 * MINUTE);
    expect(await scheduler.tick()).toEqual(['flaky']); // still failing: tried again, recorded again
    failing = false;
    clock.advance(10 * MINUTE);
    expect(await scheduler.tick()).toEqual(['flaky']);
    expect(await scheduler.tick()).toEqual([]);
    const recovered = (await scheduler.lastRuns()).find((run) => run.job === 'flaky');
    expect(recovered).toMatchObject({ outcome: 'succeeded', result: { done: 1 }, retryAt: null });
    expect(steady.runs).toBe(1);
  });

  it('takes over a run whose process died, and the dead run cannot overwrite the record', async () => {
    const job = countingJob();
    clock.set(londonToInstant('2026-01-12', '03:00'));
    const runs = new SchedulerRepository(database.db);
    const dead = await runs.claim(job.name, clock.now(), clock.now(), new Date(0));
    expect(dead).not.toBeNull();

    const scheduler = newProcess([job]);
    clock.advance(ABANDONED_AFTER_MS - MINUTE);
    expect(await scheduler.tick()).toEqual([]);
    clock.advance(2 * MINUTE);
    expect(await scheduler.tick()).toEqual([job.name]);
    await runs.failed(dead!, clock.now(), 'too late');
    expect((await runs.all())[0]).toMatchObject({ outcome: 'succeeded', lastError: null });
  });
});

eachDatabase('The jobs in the registry', (dialect: DialectName) => {
  let t: TestApp;
  let clock: SettableClock;

  beforeEach(async () => {
    clock = settableClock('2026-01-12T09:00:20.000Z');
    t = await createTestApp(dialect, { clock });
  });

  afterEach(async () => {
    await t.close();
  });

  it('runs each recorded job at its cadence, and the command line lists and runs them', async () => {
    const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const jobs = startJobs(t.services, t.config, logger, { start: false });
    try {
      expect(await jobs.scheduler.tick()).toEqual([
        'waiting-lists',
        'reminders',
        'needs-deletion',
        'feedback-invitations',
        'follow-ups',
        'invoice-run',
        'retention',
      ]);
      expect(await jobs.scheduler.tick()).toEqual([]);
      clock.advance(MINUTE);
      expect(await jobs.scheduler.tick()).toEqual(['waiting-lists', 'reminders']);

      const printed: string[] = [];
      expect(await jobsCommand([], jobs, (line) => printed.push(line))).toBe(0);
      const listing = printed.join('\n');
      expect(listing).toContain('needs-deletion: deletes access and dietary needs');
      expect(listing).toContain('runs daily at 03:00 London time');
      expect(listing).toContain('last run 9am on Monday 12 January 2026: deleted 0');
      expect(listing).toContain('last run 9:01am on Monday 12 January 2026: sent 0');
      expect(listing).toContain('runs every 3 seconds, in every process');
      expect(listing).toContain('runs daily at 02:30 London time');

      printed.length = 0;
      clock.advance(MINUTE);
      expect(await jobsCommand(['run', 'needs-deletion'], jobs, (line) => printed.push(line))).toBe(0);
      expect(printed).toEqual(['needs-deletion: done (deleted 0)']);
      const record = (await jobs.scheduler.lastRuns()).find((run) => run.job === 'needs-deletion');
      // Run by hand at 9:02am; the period it ran for on schedule is unchanged.
      expect(record?.startedAt).toEqual(new Date('2026-01-12T09:02:20.000Z'));
      expect(record?.dueAt).toEqual(londonToInstant('2026-01-12', '03:00'));

      printed.length = 0;
      expect(await jobsCommand(['run', 'nightly'], jobs, (line) => printed.push(line))).toBe(2);
      expect(printed[0]).toContain('There is no job called "nightly"');
    } finally {
      await jobs.stop();
    }
  });

  it('refuses to run a job by hand while another process is running it', async () => {
    const runs = new SchedulerRepository(t.database.db);
    await runs.claim('reminders', clock.now(), clock.now(), new Date(0));
    const jobs = startJobs(t.services, t.config, { info() {}, warn() {}, error() {} }, { start: false });
    try {
      const printed: string[] = [];
      expect(await jobsCommand(['run', 'reminders'], jobs, (line) => printed.push(line))).toBe(1);
      expect(printed[0]).toContain('reminders: not run: it is running in another process now');
    } finally {
      await jobs.stop();
    }
  });
});
