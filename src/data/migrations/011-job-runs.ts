/**
 * One row per scheduled job: the latest period it has claimed and how its
 * last run went. A run is claimed by an UPDATE that only succeeds while the
 * row still holds an earlier period, so in any number of processes, and
 * after a restart, a period's run happens once (see jobs/scheduler.ts).
 */
import type { Kysely } from 'kysely';

import type { DialectMigration } from './dialectMigration.js';

export const jobRuns: DialectMigration = () => ({
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('job_runs')
      .addColumn('job', 'text', (c) => c.primaryKey())
      .addColumn('due_at', 'text')
      .addColumn('outcome', 'text')
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .addColumn('result', 'text')
      .addColumn('last_error', 'text')
      .addColumn('last_error_at', 'text')
      .addColumn('retry_at', 'text')
      .execute();
  },

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await db.schema.dropTable('job_runs').execute();
  },
});
