/**
 * Policy: the hub's rules for bookings — how late a delegate may cancel their
 * own place, how long a freed place is held for someone on the waiting list,
 * when reminders go, how long access needs are kept, and which shared
 * mailboxes may not hold an account. A hub sets them in its settings; every
 * rule is shown to delegates in plain English before they commit.
 */
import { z } from 'zod';

import { addDays, londonDate, londonToInstant } from '../time/time.js';
import { subtractWorkingDays } from '../time/workingDays.js';

/**
 * Local parts of role mailboxes that many people share. A booking, its
 * certificate and its line manager's survey belong to one person, so these
 * cannot hold an account.
 */
export const DEFAULT_REFUSED_EMAIL_PREFIXES: readonly string[] = [
  'admin',
  'administrator',
  'office',
  'enquiries',
  'enquiry',
  'info',
  'information',
  'reception',
  'team',
  'hello',
  'contact',
  'mail',
  'email',
  'general',
  'help',
  'support',
  'safeguarding',
  'duty',
  'mash',
  'frontdoor',
  'referrals',
  'bookings',
  'training',
  'hr',
  'noreply',
  'no-reply',
  'postmaster',
  'webmaster',
];

const mailboxName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be the part of an email address before the @, like "office"');

export const policySchema = z.object({
  /**
   * Delegates may cancel their own place up to this many working days before
   * the session (see `selfCancellationDeadline`); 0 means until it starts.
   */
  cancellationWorkingDays: z
    .number()
    .int()
    .min(0)
    .max(30)
    .default(6)
    .describe(
      'How many working days before a session delegates can still cancel their own place. ' +
        'Weekends and bank holidays in England and Wales do not count. 0 means until the session starts.',
    ),
  /** Longest time a freed place is held for someone on the waiting list (see `offerExpiresAt`). */
  offerExpiryHours: z
    .number()
    .int()
    .min(1)
    .max(168)
    .default(48)
    .describe(
      'How many hours someone on the waiting list has to accept a place that has become free. ' +
        'Offers close sooner when the session is near.',
    ),
  /** Calendar days before the session on which the reminder is sent, at 9am. */
  reminderDaysBefore: z
    .number()
    .int()
    .min(0)
    .max(14)
    .default(2)
    .describe('How many days before a session delegates get a reminder email, sent at 9am.'),
  /** Days after the session at which delegates' access needs are deleted. */
  accessNeedsRetentionDays: z
    .number()
    .int()
    .min(0)
    .max(365)
    .default(30)
    .describe(
      'How many days after a session we keep the access needs delegates told us about, ' +
        'before deleting them. 0 means delete them when the session ends.',
    ),
  /** See `isRefusedSharedAddress`. Lower-case local parts such as "office". */
  refusedEmailPrefixes: z
    .array(mailboxName)
    .max(200)
    .default(() => [...DEFAULT_REFUSED_EMAIL_PREFIXES])
    .describe(
      'Shared mailboxes that cannot be used to book, such as office@ or admin@. ' +
        'Each place belongs to one person, so we ask for their own email address.',
    ),
  /** Whether full sessions take names on a waiting list and offer freed places. */
  waitlistEnabled: z
    .boolean()
    .default(true)
    .describe(
      'Whether people can join a waiting list when a session is full, and be offered places that become free.',
    ),
  /**
   * Whether a delegate who attended some parts of a session, not all, gets a
   * certificate for the parts they attended (see domain/afterCourse/certificate.ts).
   */
  certificatesForPartAttendance: z
    .boolean()
    .default(false)
    .describe(
      'Whether someone who attended some parts of a session, but not all, gets a certificate ' +
        'for the parts they attended, with CPD hours in proportion.',
    ),
  /**
   * Whether a certificate can be downloaded only once its delegate has
   * answered the feedback form (see domain/afterCourse/certificate.ts
   * `certificateWaitsForFeedback`). Off by default: feedback is asked, never pressed.
   */
  feedbackBeforeCertificate: z
    .boolean()
    .default(false)
    .describe(
      'Whether delegates can download their certificate only after answering the feedback form. ' +
        'The "certificate ready" email is sent when they can.',
    ),
  /** The month (1 to 12) the hub's reporting year starts in: its year reports run from it. */
  reportingYearStartMonth: z
    .number()
    .int()
    .min(1)
    .max(12)
    .default(4)
    .describe(
      'The month your reporting year starts in. Year reports for the board run from it for 12 months.',
    ),
  /** Days after a session ends that its delegates are asked whether their practice has changed. */
  followUpDays: z
    .number()
    .int()
    .min(30)
    .max(365)
    .default(90)
    .describe(
      'How many days after a session ends we ask the people who attended whether their practice has changed.',
    ),
  /**
   * Whether delegates' line managers are asked too. Off by default: delegates
   * gave their line manager's address for the training team to contact, and
   * were told when they gave it that Trellis sends their manager no emails
   * (domain/accounts/accounts.ts). A hub that turns this on changes what delegates are
   * told there (lineManagerWhy), so the promise stays true from then on.
   */
  followUpLineManagers: z
    .boolean()
    .default(false)
    .describe(
      'Whether we also ask delegates’ line managers, at the same time, whether the delegate’s practice has changed.',
    ),
  /**
   * Whether a delegate's line manager is copied, in a short email of its own
   * (src/emails/bookings/lineManagerTold.ts: the delegate's name, the course, its date
   * and what happened, nothing else), when a place is confirmed: booked,
   * an offer accepted, or booked by staff on their behalf. Off by default,
   * like the two below; only a manager whose address the delegate gave is
   * emailed, and delegates are told before they give it (domain/accounts/accounts.ts).
   */
  lineManagerToldOfBooking: z
    .boolean()
    .default(false)
    .describe('Whether we email delegates’ line managers when a place is booked for them.'),
  /** The same, when a confirmed place is cancelled: by the delegate, by the hub, or with its session. */
  lineManagerToldOfCancellation: z
    .boolean()
    .default(false)
    .describe('Whether we email delegates’ line managers when their place is cancelled.'),
  /**
   * The same, when every part of a session is marked "did not attend": at
   * most once for a booking, however the register is corrected afterwards.
   */
  lineManagerToldOfNonAttendance: z
    .boolean()
    .default(false)
    .describe('Whether we email delegates’ line managers when the delegate is marked as not attending.'),
});

export type Policy = z.output<typeof policySchema>;

/** What a delegate's line manager can be told of their place, each by a policy setting of its own. */
export type LineManagerEvent = 'booked' | 'cancelled' | 'not_attended';

const LINE_MANAGER_SETTINGS = {
  booked: 'lineManagerToldOfBooking',
  cancelled: 'lineManagerToldOfCancellation',
  not_attended: 'lineManagerToldOfNonAttendance',
} as const satisfies Record<LineManagerEvent, keyof Policy>;

type LineManagerPolicy = Pick<Policy, (typeof LINE_MANAGER_SETTINGS)[LineManagerEvent]>;

/** Whether the hub tells line managers of this event. */
export function tellsLineManager(policy: LineManagerPolicy, event: LineManagerEvent): boolean {
  return policy[LINE_MANAGER_SETTINGS[event]];
}

/** The events the hub tells line managers of, in the order a place goes through them. */
export function lineManagerEvents(policy: LineManagerPolicy): LineManagerEvent[] {
  return (['booked', 'cancelled', 'not_attended'] as const).filter((e) => tellsLineManager(policy, e));
}
/** A policy as typed or stored, before defaults are filled in. */
export type PolicyInput = z.input<typeof policySchema>;

export const DEFAULT_POLICY: Policy = policySchema.parse({});

/**
 * The last London date on which a delegate may cancel their own place: the
 * day `cancellationWorkingDays` working days before the session's London date,
 * counted back from the day before the session (the session day never
 * counts). A session on Monday 16 March 2026 with 6 working days → Friday 6
 * March 2026. Null when the policy is 0 working days: they may cancel until
 * the session starts.
 *
 * Use this, not the deadline instant, to tell people the rule: the deadline is
 * the midnight that *starts* the next day and would print as that day.
 */
export function selfCancellationLastDay(
  sessionStartsAt: Date,
  policy: Pick<Policy, 'cancellationWorkingDays'>,
): string | null {
  if (policy.cancellationWorkingDays === 0) return null;
  return subtractWorkingDays(londonDate(sessionStartsAt), policy.cancellationWorkingDays);
}

/**
 * The instant until which a delegate may cancel their own place ("up to N
 * working days before the session"): the end, at London midnight, of
 * `selfCancellationLastDay`; with 0 working days, the session's start. The
 * deadline is exclusive: cancelling is allowed while now < deadline.
 *
 * Working days are Monday to Friday except bank holidays in England and Wales
 * (see workingDays.ts). It is never after the session starts, and a larger N
 * never gives a later deadline. Equivalently, for N ≥ 1, a delegate may cancel
 * on London date D exactly when `workingDaysBetween(D, sessionDate) >= N`.
 */
export function selfCancellationDeadline(
  sessionStartsAt: Date,
  policy: Pick<Policy, 'cancellationWorkingDays'>,
): Date {
  const lastDay = selfCancellationLastDay(sessionStartsAt, policy);
  if (lastDay === null) return new Date(sessionStartsAt.getTime());
  // Midnight always exists in London: the clocks change at 1am.
  return londonToInstant(addDays(lastDay, 1), '00:00');
}

/** Whether a delegate may still cancel their own place at `now`. */
export function canSelfCancel(
  sessionStartsAt: Date,
  now: Date,
  policy: Pick<Policy, 'cancellationWorkingDays'>,
): boolean {
  return now.getTime() < selfCancellationDeadline(sessionStartsAt, policy).getTime();
}

/** The waiting list closes this long before a session starts. */
export const WAITLIST_CLOSES_HOURS_BEFORE_START = 2;

const MS_PER_HOUR = 3_600_000;

/**
 * When an offer of a freed place, made at `now`, expires. It holds the place
 * for `offerExpiryHours`, but closes sooner when the session is near: never
 * later than half the time left before the session starts (so someone further
 * down the list still has a chance), and never later than 2 hours before the
 * start (so the delegate can get there). The expiry is exclusive: the offer can
 * be accepted while now < expiry.
 *
 * Null means make no offer: 2 hours or less remain (or the session has
 * started), so the waiting list is closed; or the hub has no waiting list.
 * Otherwise now < result < session start, result ≤ now + offerExpiryHours and
 * result ≤ session start − 2 hours. The result keeps its milliseconds; show it
 * to the minute.
 */
export function offerExpiresAt(
  now: Date,
  sessionStartsAt: Date,
  policy: Pick<Policy, 'offerExpiryHours' | 'waitlistEnabled'>,
): Date | null {
  if (!policy.waitlistEnabled) return null;
  const start = sessionStartsAt.getTime();
  const from = now.getTime();
  const latest = start - WAITLIST_CLOSES_HOURS_BEFORE_START * MS_PER_HOUR;
  if (latest <= from) return null;
  const halfTimeLeft = from + Math.floor((start - from) / 2);
  const expiry = Math.min(from + policy.offerExpiryHours * MS_PER_HOUR, halfTimeLeft, latest);
  return new Date(expiry);
}

/**
 * Whether an email address is a shared role mailbox the hub refuses, such as
 * office@ or admin@. The local part (before the last @) is lower-cased and a
 * +tag is dropped ("Admin+training@" → "admin"); it is refused when it is
 * exactly one of `refusedEmailPrefixes`, or one followed only by digits,
 * optionally after a dot, hyphen or underscore ("admin1", "office.2",
 * "reception-01"). Anything else passes, so "info.kent" and "office.jones"
 * are allowed: refusing a person's own address would stop them booking,
 * whereas missing a shared one only costs tidiness. To refuse a longer name,
 * add it to the list ("safeguarding.adults").
 */
export function isRefusedSharedAddress(email: string, policy: Pick<Policy, 'refusedEmailPrefixes'>): boolean {
  const at = email.lastIndexOf('@');
  if (at <= 0) return false;
  const local = email.slice(0, at).trim().toLowerCase().split('+', 1)[0] ?? '';
  if (local === '') return false;
  const withoutNumber = local.replace(/[._-]?\d+$/, '');
  return policy.refusedEmailPrefixes.some((prefix) => prefix === local || prefix === withoutNumber);
}

/**
 * When the reminder for a session is due: 9am London time on the calendar day
 * `reminderDaysBefore` days before the session's London date (weekends and
 * bank holidays count). The result can be in the past for a late booking, or
 * after the start when the reminder is on the day of a session that starts
 * before 9am; callers send no reminder then.
 */
export function reminderDueAt(sessionStartsAt: Date, policy: Pick<Policy, 'reminderDaysBefore'>): Date {
  return londonToInstant(addDays(londonDate(sessionStartsAt), -policy.reminderDaysBefore), '09:00');
}

/** An online session's morning reminder is sent at this London time on the session's day. */
export const MORNING_REMINDER_TIME = '07:00';

/**
 * When an online session's short morning reminder (with its joining link) is
 * due: 7am London time on the session's London date, or an hour before the
 * start for a session that starts before 8am. A place booked after that time
 * but before the start is reminded at once (callers send while due ≤ now <
 * start). Null when the ordinary reminder already goes on the day itself
 * before the start (`reminderDaysBefore` 0 and a start after 9am): one
 * reminder that morning is enough.
 */
export function morningReminderDueAt(
  sessionStartsAt: Date,
  policy: Pick<Policy, 'reminderDaysBefore'>,
): Date | null {
  if (policy.reminderDaysBefore === 0 && reminderDueAt(sessionStartsAt, policy) < sessionStartsAt)
    return null;
  const sevenAm = londonToInstant(londonDate(sessionStartsAt), MORNING_REMINDER_TIME);
  const hourBefore = new Date(sessionStartsAt.getTime() - MS_PER_HOUR);
  return sevenAm < hourBefore ? sevenAm : hourBefore;
}

/**
 * The policy as delegates read it, so every page and email that states a rule
 * says the hub's real setting, not a number written into a template.
 */
export interface PolicyWords {
  /** "30 days after the session ends", or "when the session ends". */
  needsDeleted: string;
  /** Hours a freed place is held at most for someone on the waiting list. */
  offerHoldHours: number;
  /** "up to 48 hours", said with why it may be less. */
  offerHeld: string;
  /** "6 working days before the session", or null when delegates may cancel until it starts. */
  cancelUntil: string | null;
  waitlistEnabled: boolean;
  /** The waiting list stops offering places this many hours before the start. */
  waitlistClosesHours: number;
  reminderDaysBefore: number;
}

/** "for up to 48 hours (less when the session is close)": see `offerExpiresAt`. */
export function offerHeldWords(hours: number): string {
  return `for up to ${hours} ${hours === 1 ? 'hour' : 'hours'} (less when the session is close)`;
}

export function policyWords(policy: Policy): PolicyWords {
  const days = policy.accessNeedsRetentionDays;
  const hours = policy.offerExpiryHours;
  const working = policy.cancellationWorkingDays;
  return {
    needsDeleted:
      days === 0 ? 'when the session ends' : `${days} ${days === 1 ? 'day' : 'days'} after the session ends`,
    offerHoldHours: hours,
    offerHeld: offerHeldWords(hours),
    cancelUntil:
      working === 0 ? null : `${working} working ${working === 1 ? 'day' : 'days'} before the session`,
    waitlistEnabled: policy.waitlistEnabled,
    waitlistClosesHours: WAITLIST_CLOSES_HOURS_BEFORE_START,
    reminderDaysBefore: policy.reminderDaysBefore,
  };
}
