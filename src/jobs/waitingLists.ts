import type { RecordedJob } from './job.js';

export const waitingListsJob: RecordedJob = {
  name: 'waiting-lists',
  description: 'closes offers whose time is up and offers free places to the next people waiting',
  cadence: { every: 'minute' },
  run: ({ services }) => services.bookings.processWaitlists(),
};
