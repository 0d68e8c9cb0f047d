import { needsView, offerHeldWords, sessionView, webLink } from '../facts.js';
import type { EmailMessage, HubFacts, NeedsFacts, SessionFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface WaitlistJoinedFacts {
  hub: HubFacts;
  delegateName: string;
  session: SessionFacts;
  bookingReference: string;
  /** 1 for the first person waiting. */
  position: number;
  manageBookingUrl: string;
  /** Staff put the delegate on the list on their behalf (the delegate may not expect it). */
  bookedByHub?: boolean;
  /** The longest time a freed place is held for them, from the hub's policy. */
  offerHoldHours: number;
  needs: NeedsFacts;
}

/** Sent when a delegate joins a full session's waiting list. */
export function waitlistJoined(facts: WaitlistJoinedFacts): EmailMessage {
  const session = sessionView(facts.session);
  return {
    kind: 'waitlist_joined',
    ...renderEmail('waitlistJoined', {
      hub: facts.hub,
      subject: `You are on the waiting list: ${session.courseTitle}, ${session.firstDate}`,
      heading: 'You are on the waiting list',
      greeting: facts.delegateName,
      reason: facts.bookedByHub
        ? `${facts.hub.name} put you on the waiting list for ${session.courseTitle}`
        : `you joined the waiting list for ${session.courseTitle} with ${facts.hub.name}`,
      bookedByHub: facts.bookedByHub ?? false,
      session,
      reference: facts.bookingReference,
      position: facts.position,
      manageUrl: webLink(facts.manageBookingUrl, 'the booking link'),
      offerHeld: offerHeldWords(facts.offerHoldHours),
      needs: needsView(facts.needs),
    }),
  };
}
