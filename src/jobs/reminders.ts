import type { RecordedJob } from './job.js';

export const remindersJob: RecordedJob = {
  name: 'reminders',
  description:
    'emails each confirmed delegate a reminder at 9am, the set number of days before their session, ' +
    'and a short one with the joining link on the morning of an online session',
  // Every minute, not at 9am, so a place booked after 9am on its reminder day is reminded at once.
  cadence: { every: 'minute' },
  run: async ({ services }) => ({
    sent: await services.bookings.sendReminders(),
    morning: await services.bookings.sendMorningReminders(),
  }),
};
