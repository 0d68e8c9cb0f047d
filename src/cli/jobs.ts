/**
 * `trellis jobs`: the background jobs from the registry with their cadence
 * and last run, and `trellis jobs run <name>` (or `all`) to run them now.
 */
import type { JobRun } from '../data/repositories/schedulerRepository.js';
import { formatMoment } from '../domain/time/time.js';
import { describeCadence, isContinuous } from '../jobs/cadence.js';
import { JOBS } from '../jobs/registry.js';
import type { Jobs, RunOutcome } from '../jobs/scheduler.js';

export const JOBS_USAGE = `  jobs           list the background jobs, how often each runs and how its last run went
  jobs run NAME  run one job now (NAME is one of: ${JOBS.map((job) => job.name).join(', ')}), or "all"`;

/** Prints what was asked for and returns the exit code. */
export async function jobsCommand(
  args: string[],
  jobs: Jobs,
  print: (line: string) => void,
): Promise<number> {
  if (args.length === 0) {
    const runs = new Map((await jobs.scheduler.lastRuns()).map((run) => [run.job, run]));
    for (const job of JOBS) {
      print(`${job.name}: ${job.description}`);
      print(`  runs ${describeCadence(job.cadence)}`);
      print(
        `  ${isContinuous(job.cadence) ? 'each email records its own sending (see "outbox")' : lastRun(runs.get(job.name))}`,
      );
    }
    return 0;
  }
  if (args[0] !== 'run' || args.length !== 2) {
    print(`Usage: npm run trellis -- <command>\n\n${JOBS_USAGE}`);
    return 2;
  }
  const names = args[1] === 'all' ? JOBS.map((job) => job.name) : [args[1] ?? ''];
  let code = 0;
  for (const name of names) {
    const outcome = await jobs.runNow(name);
    if (!outcome) {
      print(`There is no job called "${name}". The jobs are: ${JOBS.map((job) => job.name).join(', ')}.`);
      return 2;
    }
    print(`${name}: ${describeOutcome(outcome)}`);
    if (outcome.status !== 'succeeded') code = 1;
  }
  return code;
}

function describeOutcome(outcome: RunOutcome): string {
  if (outcome.status === 'busy')
    return 'not run: it is running in another process now; try again when that run ends';
  if (outcome.status === 'failed') return `failed: ${outcome.error}`;
  return `done (${counts(outcome.result)})`;
}

function counts(result: Record<string, number>): string {
  const entries = Object.entries(result);
  return entries.length ? entries.map(([what, n]) => `${what} ${n}`).join(', ') : 'nothing to report';
}

function lastRun(run: JobRun | undefined): string {
  if (!run?.startedAt) return 'last run: never';
  const when = formatMoment(run.startedAt);
  let line: string;
  if (run.outcome === 'running') line = `running since ${when}`;
  else if (run.outcome === 'failed') {
    line = `last run ${when} failed: ${run.lastError ?? 'no reason recorded'}`;
    if (run.retryAt) line += `; tried again from ${formatMoment(run.retryAt)}`;
  } else line = `last run ${when}: ${run.result ? counts(run.result) : 'done'}`;
  return line;
}
