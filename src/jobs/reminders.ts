import type { RecordedJob } from './job.js';

export const remindersJob: RecordedJob = {
  name: 'reminders',
  description:
    'emails each confirmed delegate a reminder at 9am, the set number of days before their session',
  // Every minute, not at 9am, so a place booked after 9am on its reminder day is reminded at once.
  cadence: { every: 'minute' },
  run: async ({ services }) => ({ sent: await services.bookings.sendReminders() }),
};
