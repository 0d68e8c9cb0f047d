import { safeFilename, sessionView, webLink } from '../facts.js';
import type { EmailMessage, HubFacts, SessionFacts } from '../message.js';
import { renderEmail } from '../render.js';

/** One thing that changed, as the delegate reads it: what it was, and what it is now. */
export interface SessionChangeLine {
  /** "Date and time", "Where", "Online joining link". */
  label: string;
  before: string[];
  after: string[];
}

export interface SessionChangedFacts {
  hub: HubFacts;
  delegateName: string;
  /** The session as it is now (with the joining link only for a confirmed place). */
  session: SessionFacts;
  bookingReference: string;
  /** Where the delegate stands: the wording and the calendar file follow from it. */
  bookingState: 'confirmed' | 'offered' | 'waitlisted';
  changes: SessionChangeLine[];
  manageBookingUrl: string;
  /**
   * The hub's cut-off has passed for the session as it now is: a confirmed
   * delegate is asked to contact the training team, not to cancel online.
   */
  tooLateToCancel?: boolean;
  /** The updated calendar file, for a confirmed place only (same event ids, a higher SEQUENCE). */
  calendar?: { ics: string; filename?: string };
}

const STANDING = {
  confirmed: {
    heading: 'Your session has changed',
    reason: (course: string, hub: string) => `you have a place on ${course} with ${hub}`,
  },
  offered: {
    heading: 'A session we offered you a place on has changed',
    reason: (course: string, hub: string) => `${hub} has offered you a place on ${course}`,
  },
  waitlisted: {
    heading: 'A session you are waiting for has changed',
    reason: (course: string, hub: string) => `you are on the waiting list for ${course} with ${hub}`,
  },
} as const;

/**
 * Sent when staff change a session's date, times or place: to every delegate
 * with a live booking, saying what changed from what to what. A confirmed
 * place gets the updated calendar file, which replaces the event it added.
 */
export function sessionChanged(facts: SessionChangedFacts): EmailMessage {
  if (!facts.changes.length) throw new Error('A session change email must say what changed');
  const session = sessionView(facts.session);
  const standing = STANDING[facts.bookingState];
  const confirmed = facts.bookingState === 'confirmed';
  const calendarFilename =
    confirmed && facts.calendar ? safeFilename(facts.calendar.filename ?? '', 'session.ics') : null;
  const rendered = renderEmail('sessionChanged', {
    hub: facts.hub,
    subject: `Change to ${session.courseTitle}: now ${session.firstDate}`,
    heading: standing.heading,
    greeting: facts.delegateName,
    reason: standing.reason(session.courseTitle, facts.hub.name),
    session,
    reference: facts.bookingReference,
    bookingState: facts.bookingState,
    changes: facts.changes,
    manageUrl: webLink(facts.manageBookingUrl, 'the booking link'),
    calendarFilename,
    tooLateToCancel: confirmed && facts.tooLateToCancel === true,
  });
  return {
    kind: 'session_changed',
    ...rendered,
    ...(confirmed && facts.calendar && calendarFilename
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
