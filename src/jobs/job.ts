/** What a job file declares; jobs/registry.ts lists them all. */
import type { Services } from '../services/index.js';
import type { Cadence, ContinuousCadence, RecordedCadence } from './cadence.js';
import type { OutboxSender } from './outboxSender.js';

export interface JobContext {
  services: Services;
  /** The process's one outbox sender, made when first asked for. */
  outboxSender(): OutboxSender;
}

/** Counts of what a run did, logged and recorded: never who it was done for. */
export type JobResult = Record<string, number>;

interface JobBase<C extends Cadence> {
  /** How the command line names it: `npm run trellis -- jobs run <name>`. */
  name: string;
  /** What it does, in a line. */
  description: string;
  cadence: C;
  /** Does what is due now. The rules are the services'; a job only calls them. */
  run(context: JobContext): Promise<JobResult>;
}

export type RecordedJob = JobBase<RecordedCadence>;
export type ContinuousJob = JobBase<ContinuousCadence>;
export type Job = RecordedJob | ContinuousJob;
