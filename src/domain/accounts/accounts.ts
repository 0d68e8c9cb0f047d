/**
 * Delegate: a person with an account — name, individual email,
 * organisation, job role, line manager's name and email.
 *
 * Signed-in sessions end after an hour without activity and, however active,
 * twelve hours after sign-in. Emailed links are single use.
 */
import { lineManagerEvents, type LineManagerEvent, type Policy } from '../hub/policy.js';
import type { SessionLimits } from './signInSessions.js';

export const SESSION_IDLE_MINUTES = 60;
export const SESSION_ABSOLUTE_HOURS = 12;
/** A delegate's sign-in, as the session store is given it. */
export const DELEGATE_SESSION_LIMITS: SessionLimits = {
  idleMinutes: SESSION_IDLE_MINUTES,
  absoluteMinutes: SESSION_ABSOLUTE_HOURS * 60,
};
export const VERIFY_EMAIL_LINK_HOURS = 72;
export const PASSWORD_RESET_LINK_MINUTES = 60;
export const MIN_PASSWORD_LENGTH = 10;

/** Why each thing is asked, shown beside the field (the hub asks only what it needs). */
export const WHY_WE_ASK = {
  name: 'For your place and the session’s register.',
  email: 'Your own work email, not a shared one: we send your bookings, joining details and reminders here.',
  organisation:
    'The hub reports which agencies have been trained, and some places depend on it. If you volunteer, choose the organisation you volunteer with. If you have no employer, choose “I do not have an employer”.',
  jobRole: 'So the trainer knows who is in the room.',
  lineManager:
    'Optional: leave this blank if you do not have one, for example if you volunteer. The training team can see it with your details, so they can contact your line manager about your training if they need to. We do not send your line manager any emails.',
} as const;

/** What a line manager is told of a confirmed charge, in the words delegates read before they give the address. */
const CHARGE_TOLD =
  'If a charge for your place is confirmed (after a late cancellation or a missed session, and only once a person in the training team has looked at it), we email your line manager to say so: your name, the course, its date and the amount, nothing else.';

/** When a line manager is told of each event, in words that finish "We email your line manager …". */
const EVENT_WORDS: Record<LineManagerEvent, string> = {
  booked: 'when a place is booked for you',
  cancelled: 'when your place is cancelled',
  not_attended: 'when you are marked as not attending a session',
};

/** "when a place is booked for you and when your place is cancelled" (empty for none). */
export function lineManagerEventWords(events: readonly LineManagerEvent[]): string {
  const words = events.map((e) => EVENT_WORDS[e]);
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** What a line manager is told of the delegate's places, when the hub tells them of any. */
export function placesToldWords(events: readonly LineManagerEvent[]): string {
  if (!events.length) return '';
  return `We email your line manager ${lineManagerEventWords(events)}: your name, the course, its date and what happened, nothing else. Before you book, the booking page shows you the email.`;
}

/**
 * Why the line manager is asked, true to the hub's policy: when line managers
 * are asked about the follow-up, told of a confirmed charge
 * (`tellLineManagerOfConfirmedCharges`, domain/charges/chargesSettings.ts),
 * or told of a place booked, cancelled or not attended (`events`, from
 * domain/hub/policy.ts `lineManagerEvents`), delegates are told before they give
 * the address.
 */
export function lineManagerWhy(
  followUpLineManagers: boolean,
  followUpDays: number,
  chargesTold = false,
  events: readonly LineManagerEvent[] = [],
): string {
  if (!followUpLineManagers && !chargesTold && !events.length) return WHY_WE_ASK.lineManager;
  const start =
    'Optional: leave this blank if you do not have one, for example if you volunteer. The training team can see it with your details, so they can contact your line manager about your training if they need to.';
  const places = events.length ? ` ${placesToldWords(events)}` : '';
  const followUp = followUpLineManagers
    ? ` About ${followUpDays} days after a course you attended, we email your line manager once (and remind them once) to ask whether your practice has changed. They can opt out of these emails.`
    : '';
  return `${start}${places}${followUp}${chargesTold ? ` ${CHARGE_TOLD}` : ''}`;
}

/** What the registration and details pages say about each detail, under the hub's policy. */
export function whyWeAsk(
  policy: Pick<
    Policy,
    | 'followUpLineManagers'
    | 'followUpDays'
    | 'lineManagerToldOfBooking'
    | 'lineManagerToldOfCancellation'
    | 'lineManagerToldOfNonAttendance'
  >,
  charges: { tellLineManagerOfConfirmedCharges: boolean } = { tellLineManagerOfConfirmedCharges: false },
) {
  return {
    ...WHY_WE_ASK,
    lineManager: lineManagerWhy(
      policy.followUpLineManagers,
      policy.followUpDays,
      charges.tellLineManagerOfConfirmedCharges,
      lineManagerEvents(policy),
    ),
  };
}

/**
 * An account someone registered (with a password) whose address has not been
 * confirmed: whoever made it may not own the mailbox, so it can sign in only to
 * confirm or change its address, and staff never book a place on it. A record
 * staff created has no password, and is not one of these.
 */
export function isUnconfirmedAccount(delegate: {
  hasPassword: boolean;
  emailVerifiedAt: string | null;
}): boolean {
  return delegate.hasPassword && delegate.emailVerifiedAt === null;
}

/** What staff are told when the address they would book belongs to such an account. */
export const UNCONFIRMED_ACCOUNT_MESSAGE =
  'This address belongs to an account whose owner has not confirmed it yet, so no place can be booked on it. Ask them to use the link we emailed them, or “Forgot your password”, which also confirms the address. Then try again';

export const SHARED_ADDRESS_MESSAGE =
  'Enter your own work email address, not a shared one like office@ or admin@: your booking details are sent to it';

/** How a delegate row with no name (erased on request, or the anonymous holder of old bookings) is shown. */
export const ANONYMISED_DELEGATE = 'Anonymised delegate';

/** A delegate's name as pages and exports list it: never a blank. */
export function delegateNameOrAnonymised(name: string | null | undefined): string {
  return name ? name : ANONYMISED_DELEGATE;
}
