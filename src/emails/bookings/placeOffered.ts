import { formatMoment, sessionView, webLink } from '../facts.js';
import type { EmailMessage, HubFacts, SessionFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface PlaceOfferedFacts {
  hub: HubFacts;
  delegateName: string;
  session: SessionFacts;
  bookingReference: string;
  offerExpiresAt: Date;
  /**
   * Absolute links. They should open a page that asks the delegate to
   * confirm, not act on the GET: mail scanners follow links.
   */
  acceptUrl: string;
  declineUrl: string;
}

/** Sent when a freed place is held for someone on the waiting list. */
export function placeOffered(facts: PlaceOfferedFacts): EmailMessage {
  const session = sessionView(facts.session);
  const expires = formatMoment(facts.offerExpiresAt);
  return {
    kind: 'place_offered',
    ...renderEmail('placeOffered', {
      hub: facts.hub,
      subject: `A place is free for you: ${session.courseTitle}, ${session.firstDate} (reply by ${expires})`,
      heading: 'A place is available for you',
      greeting: facts.delegateName,
      reason: `you are on the waiting list for ${session.courseTitle} with ${facts.hub.name} and a place has become free`,
      session,
      reference: facts.bookingReference,
      expires,
      acceptUrl: webLink(facts.acceptUrl, 'the accept link'),
      declineUrl: webLink(facts.declineUrl, 'the decline link'),
    }),
  };
}
