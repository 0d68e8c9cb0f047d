import { formatMoment, sessionView } from '../facts.js';
import type { EmailMessage, HubFacts, SessionFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface OfferExpiredFacts {
  hub: HubFacts;
  delegateName: string;
  session: SessionFacts;
  bookingReference: string;
  /** When the offer ran out. */
  expiredAt: Date;
  /** Whether the delegate keeps their place on the waiting list (the hub's policy). */
  stillWaiting: boolean;
}

/** Sent when a waiting-list offer ran out before the delegate accepted it. */
export function offerExpired(facts: OfferExpiredFacts): EmailMessage {
  const session = sessionView(facts.session);
  return {
    kind: 'offer_expired',
    ...renderEmail('offerExpired', {
      hub: facts.hub,
      subject: `Your offer of a place has ended: ${session.courseTitle}, ${session.firstDate}`,
      heading: 'Your offer of a place has ended',
      greeting: facts.delegateName,
      reason: `we offered you a place on ${session.courseTitle} from the ${facts.hub.name} waiting list`,
      session,
      reference: facts.bookingReference,
      expiredAt: formatMoment(facts.expiredAt),
      stillWaiting: facts.stillWaiting,
    }),
  };
}
