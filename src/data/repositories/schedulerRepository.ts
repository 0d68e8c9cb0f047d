import type { Kysely, Selectable } from 'kysely';

import type { DB, JobRunsTable } from '../schema.js';

/** A run this process holds: finish it with `succeeded` or `failed`. */
export interface JobClaim {
  job: string;
  startedAt: string;
}

export interface JobRun {
  job: string;
  /** The latest period claimed: when it became due. */
  dueAt: Date | null;
  outcome: 'running' | 'succeeded' | 'failed' | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  result: Record<string, number> | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  retryAt: Date | null;
}

/**
 * The record of scheduled jobs' runs. Every claim is one UPDATE whose WHERE
 * says when the run may start; the database lets one of any number of
 * racing processes change the row (SQLite writes one at a time; PostgreSQL
 * re-checks the WHERE against the row another transaction just changed), so
 * the caller that sees one row changed is the only one that runs.
 */
export class SchedulerRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * Claims the period that became due at `due`, unless it (or a later one)
   * was claimed already. A failed period may be claimed again from its
   * `retry_at`. No claim is made while another run of the job is going,
   * unless that run started before `staleBefore` (its process died).
   */
  async claim(job: string, due: Date, now: Date, staleBefore: Date): Promise<JobClaim | null> {
    await this.ensure(job);
    const dueAt = due.toISOString();
    const startedAt = now.toISOString();
    const result = await this.db
      .updateTable('job_runs')
      .set({ due_at: dueAt, outcome: 'running', started_at: startedAt, finished_at: null, retry_at: null })
      .where('job', '=', job)
      .where((eb) =>
        eb.and([
          eb.or([
            eb('outcome', 'is', null),
            eb('outcome', '!=', 'running'),
            eb('started_at', '<', staleBefore.toISOString()),
          ]),
          eb.or([
            eb('due_at', 'is', null),
            eb('due_at', '<', dueAt),
            eb.and([eb('outcome', '=', 'failed'), eb('retry_at', '<=', startedAt)]),
            // Still "running" here means the run was abandoned (see above).
            eb('outcome', '=', 'running'),
          ]),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1 ? { job, startedAt } : null;
  }

  /**
   * Starts a run now, outside the job's cadence (an operator asked for it),
   * leaving the claimed period alone; null while another run is going.
   */
  async begin(job: string, now: Date, staleBefore: Date): Promise<JobClaim | null> {
    await this.ensure(job);
    const startedAt = now.toISOString();
    const result = await this.db
      .updateTable('job_runs')
      .set({ outcome: 'running', started_at: startedAt, finished_at: null })
      .where('job', '=', job)
      .where((eb) =>
        eb.or([
          eb('outcome', 'is', null),
          eb('outcome', '!=', 'running'),
          eb('started_at', '<', staleBefore.toISOString()),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1 ? { job, startedAt } : null;
  }

  async succeeded(claim: JobClaim, now: Date, result: Record<string, number>): Promise<void> {
    await this.finish(claim, { outcome: 'succeeded', finished_at: now.toISOString(), result: JSON.stringify(result) });
  }

  /**
   * Records a failure. `error` must hold no personal data. With `retryAt`
   * the same period may be claimed again from then; without, any retry
   * already set stays as it was.
   */
  async failed(claim: JobClaim, now: Date, error: string, retryAt?: Date): Promise<void> {
    await this.finish(claim, {
      outcome: 'failed',
      finished_at: now.toISOString(),
      last_error: error,
      last_error_at: now.toISOString(),
      ...(retryAt ? { retry_at: retryAt.toISOString() } : {}),
    });
  }

  async all(): Promise<JobRun[]> {
    const rows = await this.db.selectFrom('job_runs').selectAll().orderBy('job').execute();
    return rows.map(toJobRun);
  }

  private async ensure(job: string): Promise<void> {
    await this.db
      .insertInto('job_runs')
      .values({ job })
      .onConflict((oc) => oc.column('job').doNothing())
      .execute();
  }

  // Only the run that claimed the row may finish it: a run taken over after
  // its process seemed dead must not overwrite the newer run's record.
  private async finish(
    claim: JobClaim,
    values: Partial<Omit<Selectable<JobRunsTable>, 'job' | 'due_at' | 'started_at'>>,
  ): Promise<void> {
    await this.db
      .updateTable('job_runs')
      .set(values)
      .where('job', '=', claim.job)
      .where('started_at', '=', claim.startedAt)
      .where('outcome', '=', 'running')
      .execute();
  }
}

function toJobRun(row: Selectable<JobRunsTable>): JobRun {
  const date = (value: string | null) => (value ? new Date(value) : null);
  return {
    job: row.job,
    dueAt: date(row.due_at),
    outcome: row.outcome,
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
    result: row.result ? (JSON.parse(row.result) as Record<string, number>) : null,
    lastError: row.last_error,
    lastErrorAt: date(row.last_error_at),
    retryAt: date(row.retry_at),
  };
}
