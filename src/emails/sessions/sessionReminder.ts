import { sessionView, webLink } from '../facts.js';
import type { EmailMessage, HubFacts, SessionFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface SessionReminderFacts {
  hub: HubFacts;
  delegateName: string;
  /** With the venue's travel notes, or the online joining link. */
  session: SessionFacts;
  bookingReference: string;
  /** How many days before the session this is sent (0 is the same day). */
  daysBefore: number;
  manageBookingUrl: string;
  /** The private link to give up the place without signing in (services/bookings/giveUpPlace.ts). */
  giveUpUrl?: string | null;
  /** The cut-off has passed: the delegate can no longer cancel online and must contact the hub. */
  tooLateToCancel?: boolean;
}

/** Sent a few days before a session to each confirmed delegate, with how to get there or join. */
export function sessionReminder(facts: SessionReminderFacts): EmailMessage {
  const session = sessionView(facts.session);
  const startsWhen =
    facts.daysBefore <= 0
      ? `today, ${session.firstDate}`
      : facts.daysBefore === 1
        ? `tomorrow, ${session.firstDate}`
        : `in ${facts.daysBefore} days, on ${session.firstDate}`;
  const heading =
    facts.daysBefore <= 0
      ? 'Your session is today'
      : facts.daysBefore === 1
        ? 'Your session is tomorrow'
        : `Your session is in ${facts.daysBefore} days`;
  return {
    kind: 'session_reminder',
    ...renderEmail('sessionReminder', {
      hub: facts.hub,
      subject: `Reminder: ${session.courseTitle}, ${session.firstDate}`,
      heading,
      greeting: facts.delegateName,
      reason: `you have a place on ${session.courseTitle} with ${facts.hub.name}, which starts ${startsWhen}`,
      session,
      reference: facts.bookingReference,
      startsWhen,
      manageUrl: webLink(facts.manageBookingUrl, 'the booking link'),
      giveUpUrl: facts.giveUpUrl ? webLink(facts.giveUpUrl, 'the give-up link') : null,
      tooLateToCancel: facts.tooLateToCancel ?? false,
    }),
  };
}
