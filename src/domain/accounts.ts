/**
 * Delegate: a person with an account — name, individual email,
 * organisation, job role, line manager's name and email.
 *
 * Signed-in sessions end after an hour without activity and, however active,
 * twelve hours after sign-in. Emailed links are single use.
 */
export const SESSION_IDLE_MINUTES = 60;
export const SESSION_ABSOLUTE_HOURS = 12;
export const VERIFY_EMAIL_LINK_HOURS = 72;
export const PASSWORD_RESET_LINK_MINUTES = 60;
export const MIN_PASSWORD_LENGTH = 10;

/** Why each thing is asked, shown beside the field (the hub asks only what it needs). */
export const WHY_WE_ASK = {
  name: 'For your place, the sign-in sheet and your certificate.',
  email: 'Your own work email, not a shared one: we send your bookings, joining details and reminders here.',
  organisation: 'The hub reports which agencies have been trained, and some places depend on it.',
  jobRole: 'So the trainer knows who is in the room.',
  lineManager:
    'Your line manager is told if you do not attend, and is asked three months later how the training helped.',
} as const;

export type SessionEnd = 'active' | 'idle' | 'expired' | 'revoked';

export function sessionState(
  session: { last_seen_at: string; expires_at: string; revoked_at: string | null },
  now: Date,
): SessionEnd {
  if (session.revoked_at) return 'revoked';
  if (now >= new Date(session.expires_at)) return 'expired';
  if (now.getTime() - new Date(session.last_seen_at).getTime() > SESSION_IDLE_MINUTES * 60_000) return 'idle';
  return 'active';
}

export const SHARED_ADDRESS_MESSAGE =
  'Enter your own work email address, not a shared one like office@ or admin@: your booking details are sent to it';
