/**
 * Every background job, one file each. The scheduler runs these, the command
 * line lists and runs them by name, and docs/ARCHITECTURE.md describes them
 * (a test checks it names each with its cadence).
 */
import { checkCadence } from './cadence.js';
import { feedbackInvitationsJob } from './feedbackInvitations.js';
import { followUpsJob } from './followUps.js';
import { invoiceRunJob } from './invoiceRun.js';
import type { Job } from './job.js';
import { needsDeletionJob } from './needsDeletion.js';
import { outboxJob } from './outbox.js';
import { remindersJob } from './reminders.js';
import { retentionJob } from './retention.js';
import { waitingListsJob } from './waitingLists.js';

export const JOBS: readonly Job[] = [
  outboxJob,
  waitingListsJob,
  remindersJob,
  needsDeletionJob,
  feedbackInvitationsJob,
  followUpsJob,
  invoiceRunJob,
  retentionJob,
];

for (const job of JOBS) checkCadence(job.cadence);

export function findJob(name: string): Job | undefined {
  return JOBS.find((job) => job.name === name);
}
