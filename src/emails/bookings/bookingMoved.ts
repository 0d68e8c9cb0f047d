import { formatDeadline, offerHeldWords, safeFilename, sessionView, webLink } from '../facts.js';
import type { EmailMessage, HubFacts, PriceFacts, SessionFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface BookingMovedFacts {
  hub: HubFacts;
  delegateName: string;
  /** The session the booking was on. */
  from: SessionFacts;
  /** The session it is on now (with the joining link only for a confirmed place). */
  session: SessionFacts;
  bookingReference: string;
  manageBookingUrl: string;
  /** The private link to give up the place without signing in (services/bookings/giveUpPlace.ts). */
  giveUpUrl?: string | null;
  /**
   * What the delegate holds on the new date: a confirmed place (with the
   * new calendar file and the cancellation cut-off), or a place on its
   * waiting list.
   */
  place:
    | {
        state: 'confirmed';
        calendar: { ics: string; filename?: string };
        cancelBy?: Date | null;
        tooLateToCancel?: boolean;
      }
    | { state: 'waitlisted'; position: number; offerHoldHours: number };
  /** What a place on the new date costs and its charging terms, when there is anything to say about money. */
  price?: PriceFacts | null;
}

/** Sent when staff move a booking to another session of the same course. */
export function bookingMoved(facts: BookingMovedFacts): EmailMessage {
  const session = sessionView(facts.session);
  const from = sessionView(facts.from);
  const confirmed = facts.place.state === 'confirmed';
  const calendarFilename =
    facts.place.state === 'confirmed'
      ? safeFilename(facts.place.calendar.filename ?? '', 'session.ics')
      : null;
  const rendered = renderEmail('bookingMoved', {
    hub: facts.hub,
    subject: `Your booking has moved: ${session.courseTitle}, now ${session.firstDate}`,
    heading: 'Your booking has moved to another date',
    greeting: facts.delegateName,
    reason: `${facts.hub.name} moved your booking for ${session.courseTitle} to another date`,
    session,
    fromWhen: from.when,
    reference: facts.bookingReference,
    confirmed,
    position: facts.place.state === 'waitlisted' ? facts.place.position : null,
    offerHeld: facts.place.state === 'waitlisted' ? offerHeldWords(facts.place.offerHoldHours) : null,
    cancelBy:
      facts.place.state === 'confirmed' && facts.place.cancelBy ? formatDeadline(facts.place.cancelBy) : null,
    tooLateToCancel: facts.place.state === 'confirmed' && (facts.place.tooLateToCancel ?? false),
    calendarFilename,
    manageUrl: webLink(facts.manageBookingUrl, 'the booking link'),
    giveUpUrl:
      facts.giveUpUrl && facts.place.state === 'confirmed'
        ? webLink(facts.giveUpUrl, 'the give-up link')
        : null,
    price: facts.price ?? null,
  });
  return {
    kind: 'booking_moved',
    ...rendered,
    ...(facts.place.state === 'confirmed'
      ? {
          attachments: [
            {
              filename: calendarFilename ?? 'session.ics',
              contentType: 'text/calendar; charset=utf-8',
              content: facts.place.calendar.ics,
            },
          ],
        }
      : {}),
  };
}
