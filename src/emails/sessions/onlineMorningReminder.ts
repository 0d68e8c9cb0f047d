import { sessionView, webLink } from '../facts.js';
import type { EmailMessage, HubFacts, SessionFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface OnlineMorningReminderFacts {
  hub: HubFacts;
  delegateName: string;
  /** An online session, with its joining link. */
  session: SessionFacts;
  bookingReference: string;
  manageBookingUrl: string;
  /** The private link to give up the place without signing in. */
  giveUpUrl?: string | null;
}

/**
 * Sent on the morning of an online session (domain/hub/policy.ts
 * `morningReminderDueAt`) to each confirmed delegate: short, with the joining link.
 */
export function onlineMorningReminder(facts: OnlineMorningReminderFacts): EmailMessage {
  const session = sessionView(facts.session);
  return {
    kind: 'online_morning_reminder',
    ...renderEmail('onlineMorningReminder', {
      hub: facts.hub,
      subject: `Today: ${session.courseTitle}, how to join`,
      heading: 'Your online session is today',
      greeting: facts.delegateName,
      reason: `you have a place on ${session.courseTitle} with ${facts.hub.name}, online today`,
      session,
      reference: facts.bookingReference,
      manageUrl: webLink(facts.manageBookingUrl, 'the booking link'),
      giveUpUrl: facts.giveUpUrl ? webLink(facts.giveUpUrl, 'the give-up link') : null,
    }),
  };
}
