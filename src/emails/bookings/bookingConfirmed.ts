import { formatDeadline, needsView, safeFilename, sessionView, webLink } from '../facts.js';
import type { EmailMessage, HubFacts, NeedsFacts, PriceFacts, SessionFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface BookingConfirmedFacts {
  hub: HubFacts;
  delegateName: string;
  session: SessionFacts;
  bookingReference: string;
  /** Absolute link to the delegate's booking, where they can cancel. */
  manageBookingUrl: string;
  /** The private link to give up the place without signing in (services/bookings/giveUpPlace.ts). */
  giveUpUrl?: string | null;
  /** The session's iCalendar file, made by the caller (see web/formats/calendar.ts). */
  calendar: { ics: string; filename?: string };
  /** The self-cancellation cut-off, when the hub's policy has one. */
  cancelBy?: Date | null;
  /** The cut-off has passed: the delegate can no longer cancel online and must contact the hub. */
  tooLateToCancel?: boolean;
  /** Staff booked it on the delegate's behalf (the delegate may not expect it). */
  bookedByHub?: boolean;
  /** What the delegate told us they need, shown back so that they can check or change it. */
  needs: NeedsFacts;
  /** What the place costs and the charging terms, when there is anything to say about money. */
  price?: PriceFacts | null;
}

/** Sent when a delegate's place is confirmed, with the session attached once as a calendar file. */
export function bookingConfirmed(facts: BookingConfirmedFacts): EmailMessage {
  const session = sessionView(facts.session);
  const calendarFilename = safeFilename(facts.calendar.filename ?? '', 'session.ics');
  const rendered = renderEmail('bookingConfirmed', {
    hub: facts.hub,
    subject: `Your place is confirmed: ${session.courseTitle}, ${session.firstDate}`,
    heading: 'Your place is confirmed',
    greeting: facts.delegateName,
    reason: facts.bookedByHub
      ? `${facts.hub.name} booked a place for you on ${session.courseTitle}`
      : `you booked a place on ${session.courseTitle} with ${facts.hub.name}`,
    bookedByHub: facts.bookedByHub ?? false,
    session,
    reference: facts.bookingReference,
    manageUrl: webLink(facts.manageBookingUrl, 'the booking link'),
    giveUpUrl: facts.giveUpUrl ? webLink(facts.giveUpUrl, 'the give-up link') : null,
    cancelBy: facts.cancelBy ? formatDeadline(facts.cancelBy) : null,
    tooLateToCancel: facts.tooLateToCancel ?? false,
    calendarFilename,
    needs: needsView(facts.needs),
    price: facts.price ?? null,
  });
  return {
    kind: 'booking_confirmed',
    ...rendered,
    attachments: [
      {
        filename: calendarFilename,
        contentType: 'text/calendar; charset=utf-8',
        content: facts.calendar.ics,
      },
    ],
  };
}
