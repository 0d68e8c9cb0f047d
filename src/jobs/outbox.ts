import type { ContinuousJob } from './job.js';

export const outboxJob: ContinuousJob = {
  name: 'outbox',
  description: 'sends the emails waiting in the outbox, retrying failures with backoff',
  cadence: { everySeconds: 3 },
  run: async (context) => ({ ...(await context.outboxSender().runOnce()) }),
};
