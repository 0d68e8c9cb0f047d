import { paragraphs, safeFilename, sessionView, webLink } from '../facts.js';
import type { EmailMessage, HubFacts, SessionFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface SessionCancelledFacts {
  hub: HubFacts;
  delegateName: string;
  session: SessionFacts;
  bookingReference: string;
  /** What the delegate had: a place, an offer of one, or a place on the waiting list. */
  bookingState: 'confirmed' | 'offered' | 'waitlisted';
  /** Why the hub cancelled the session, as staff wrote it for delegates. */
  reason: string;
  /** The course's other dates that still take bookings, soonest first. */
  otherDates: { when: string; url: string }[];
  /** The course's page (or the catalogue), for when there are no other dates. */
  courseUrl: string;
  /** For a confirmed place: a calendar file marking the event cancelled. */
  calendar?: { ics: string; filename?: string };
}

const HAD = {
  confirmed: 'your place',
  offered: 'the place we offered you',
  waitlisted: 'your place on the waiting list',
} as const;

const STOOD = {
  confirmed: 'you had a place on it',
  offered: 'we had offered you a place on it',
  waitlisted: 'you were on its waiting list',
} as const;

/**
 * Sent to every delegate with a live booking when the hub cancels a whole
 * session: why, and where to find another date.
 */
export function sessionCancelled(facts: SessionCancelledFacts): EmailMessage {
  const session = sessionView(facts.session);
  const reason = paragraphs(facts.reason);
  if (!reason.length) throw new Error('A cancelled session email must say why');
  const calendarFilename =
    facts.bookingState === 'confirmed' && facts.calendar
      ? safeFilename(facts.calendar.filename ?? '', 'session.ics')
      : null;
  const rendered = renderEmail('sessionCancelled', {
    hub: facts.hub,
    subject: `Cancelled: ${session.courseTitle}, ${session.firstDate}`,
    heading: 'This session has been cancelled',
    greeting: facts.delegateName,
    reason: `${facts.hub.name} cancelled ${session.courseTitle} on ${session.firstDate}, and ${STOOD[facts.bookingState]}`,
    session,
    reference: facts.bookingReference,
    had: HAD[facts.bookingState],
    cancellationReason: reason,
    otherDates: facts.otherDates.map((date) => ({
      when: date.when,
      url: webLink(date.url, 'the link to another date'),
    })),
    courseUrl: webLink(facts.courseUrl, 'the course link'),
    calendarFilename,
  });
  return {
    kind: 'session_cancelled',
    ...rendered,
    ...(facts.calendar && calendarFilename
      ? {
          attachments: [
            {
              filename: calendarFilename,
              contentType: 'text/calendar; charset=utf-8',
              content: facts.calendar.ics,
            },
          ],
        }
      : {}),
  };
}
