import { sessionView } from '../facts.js';
import type { EmailMessage, HubFacts, SessionFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface PlacePassedFacts {
  hub: HubFacts;
  /** The person who held the booking until now. */
  delegateName: string;
  /** The colleague who holds it now. */
  colleagueName: string;
  session: SessionFacts;
  bookingReference: string;
  /** It was a place on the waiting list (or an offer), not a confirmed place. */
  wasWaiting: boolean;
}

/** Sent to a delegate whose booking staff passed to a colleague. */
export function placePassed(facts: PlacePassedFacts): EmailMessage {
  const session = sessionView(facts.session);
  return {
    kind: 'place_passed',
    ...renderEmail('placePassed', {
      hub: facts.hub,
      subject: `Your place has passed to a colleague: ${session.courseTitle}, ${session.firstDate}`,
      heading: 'Your place has passed to a colleague',
      greeting: facts.delegateName,
      reason: `${facts.hub.name} passed your ${facts.wasWaiting ? 'place on the waiting list' : 'place'} on ${session.courseTitle} to a colleague`,
      session,
      reference: facts.bookingReference,
      colleagueName: facts.colleagueName,
      what: facts.wasWaiting ? 'place on the waiting list' : 'place',
    }),
  };
}
