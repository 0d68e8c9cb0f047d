import { paragraphs, sessionView, webLink } from '../facts.js';
import type { EmailMessage, HubFacts, SessionFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface BookingCancelledFacts {
  hub: HubFacts;
  delegateName: string;
  session: SessionFacts;
  bookingReference: string;
  /** Who cancelled: the delegate themselves, or the hub, which always says why. */
  cancelledBy: { by: 'delegate' } | { by: 'hub'; reason: string };
  /** Where to find another date: the course page or the catalogue. */
  findAnotherUrl: string;
}

/** Sent when a booking is cancelled, by the delegate or by the hub. */
export function bookingCancelled(facts: BookingCancelledFacts): EmailMessage {
  const session = sessionView(facts.session);
  const byHub = facts.cancelledBy.by === 'hub';
  const reason = facts.cancelledBy.by === 'hub' ? paragraphs(facts.cancelledBy.reason) : [];
  if (byHub && !reason.length) throw new Error('A cancellation by the hub must say why');
  return {
    kind: 'booking_cancelled',
    ...renderEmail('bookingCancelled', {
      hub: facts.hub,
      subject: `Your booking has been cancelled: ${session.courseTitle}, ${session.firstDate}`,
      heading: 'Your booking has been cancelled',
      greeting: facts.delegateName,
      reason: byHub
        ? `${facts.hub.name} cancelled your place on ${session.courseTitle}`
        : `you cancelled your place on ${session.courseTitle} with ${facts.hub.name}`,
      session,
      reference: facts.bookingReference,
      byHub,
      cancellationReason: reason,
      findUrl: webLink(facts.findAnotherUrl, 'the link to other dates'),
    }),
  };
}
