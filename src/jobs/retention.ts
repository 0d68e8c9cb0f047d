import type { RecordedJob } from './job.js';

export const retentionJob: RecordedJob = {
  name: 'retention',
  description:
    'applies the retention schedule: warns and closes unused accounts, anonymises old bookings, clears old emails, sign-ins, links, audit entries and financial names',
  cadence: { dailyAt: '02:30' },
  run: async ({ services }) => ({ ...(await services.retention.run(services.clock.now())) }),
};
