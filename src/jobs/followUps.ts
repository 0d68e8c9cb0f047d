import type { RecordedJob } from './job.js';

export const followUpsJob: RecordedJob = {
  name: 'follow-ups',
  description:
    'asks each delegate who attended (and their line manager, where the policy says) whether practice has changed, once, the set number of days after a session; one reminder a week later',
  cadence: { every: 'hour' },
  run: async ({ services }) => services.followUp.run(),
};
