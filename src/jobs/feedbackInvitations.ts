import type { RecordedJob } from './job.js';

export const feedbackInvitationsJob: RecordedJob = {
  name: 'feedback-invitations',
  description:
    'emails each delegate marked as at a session that has ended an invitation to give feedback, once',
  cadence: { every: 'hour' },
  run: async ({ services }) => ({ invited: await services.feedback.sendInvitations() }),
};
