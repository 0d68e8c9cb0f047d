import type { RecordedJob } from './job.js';

export const needsDeletionJob: RecordedJob = {
  name: 'needs-deletion',
  description: 'deletes access and dietary needs the set number of days after a session',
  cadence: { dailyAt: '03:00' },
  run: async ({ services }) => ({ deleted: await services.bookings.purgeNeeds() }),
};
