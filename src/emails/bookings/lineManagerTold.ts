import type { LineManagerEvent } from '../../domain/hub/policy.js';
import { formatDate } from '../../domain/time/time.js';
import type { EmailKind, EmailMessage, HubFacts } from '../message.js';
import { renderEmail } from '../render.js';

/**
 * The least a line manager needs: who, which course, its date and what
 * happened. Never needs, notes, reasons, prices or links: the booking is the
 * delegate's, and the manager can ask them.
 */
export interface LineManagerToldFacts {
  hub: HubFacts;
  /** Empty when the delegate gave an address but no name. */
  managerName: string;
  delegateName: string;
  courseTitle: string;
  /** When the session starts. */
  sessionDate: Date;
  event: LineManagerEvent;
}

export const LINE_MANAGER_EMAIL_KINDS: Record<LineManagerEvent, EmailKind> = {
  booked: 'line_manager_booked',
  cancelled: 'line_manager_cancelled',
  not_attended: 'line_manager_not_attended',
};

/** Why the manager gets it, in the words the reason line finishes with. */
const TOLD_WHEN: Record<LineManagerEvent, string> = {
  booked: 'a place is booked',
  cancelled: 'a place is cancelled',
  not_attended: 'someone is marked as not attending',
};

/** To a delegate's line manager: a place booked, cancelled, or not attended. */
export function lineManagerTold(facts: LineManagerToldFacts): EmailMessage {
  const { delegateName: who, courseTitle: course } = facts;
  const date = formatDate(facts.sessionDate);
  const words = {
    booked: {
      subject: `${who} has booked a place on ${course}`,
      heading: `${who} has booked a place`,
      line: `${who} has a confirmed place on ${course} on ${date}.`,
    },
    cancelled: {
      subject: `${who}’s place on ${course} has been cancelled`,
      heading: `${who}’s place has been cancelled`,
      line: `${who}’s place on ${course} on ${date} has been cancelled.`,
    },
    not_attended: {
      subject: `${who} was marked as not attending ${course}`,
      heading: `${who} was marked as not attending`,
      line: `${who} was marked as not attending ${course} on ${date}.`,
    },
  }[facts.event];
  return {
    kind: LINE_MANAGER_EMAIL_KINDS[facts.event],
    ...renderEmail('lineManagerTold', {
      hub: facts.hub,
      subject: words.subject,
      heading: words.heading,
      greeting: facts.managerName || 'line manager',
      reason: `${who}’s details with ${facts.hub.name} give your email address as their line manager’s, and ${facts.hub.name} tells line managers when ${TOLD_WHEN[facts.event]}`,
      line: words.line,
      delegateName: who,
    }),
  };
}
