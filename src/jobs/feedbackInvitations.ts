import type { RecordedJob } from './job.js';

export const feedbackInvitationsJob: RecordedJob = {
  name: 'feedback-invitations',
  description:
    'emails each delegate marked as at a session that has ended an invitation to give feedback, once; ' +
    'then releases any certificate no longer waiting for feedback',
  cadence: { every: 'hour' },
  run: async ({ services }) => {
    const invited = await services.feedback.sendInvitations();
    // After inviting, so a certificate is released only when no invitation can still come.
    const certificatesReleased = await services.feedback.releaseCertificatesNoLongerWaiting();
    return { invited, certificatesReleased };
  },
};
