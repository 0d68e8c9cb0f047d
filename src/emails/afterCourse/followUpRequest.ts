import { formatDate } from '../../domain/time/time.js';
import { webLink } from '../facts.js';
import type { EmailMessage, HubFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface FollowUpRequestFacts {
  hub: HubFacts;
  /** Who it is to: the delegate, or their line manager (`managerName`, possibly blank). */
  respondent: 'delegate' | 'line_manager';
  delegateName: string;
  managerName: string;
  courseTitle: string;
  sessionDate: Date;
  /** Days after the session that the follow-up is sent (the hub's policy). */
  followUpDays: number;
  followUpUrl: string;
  /** Managers only: a link to stop all such emails. */
  optOutUrl: string | null;
  expiresAt: Date;
}

/** The view both the request and its reminder render. */
export function followUpView(facts: FollowUpRequestFacts, reminder: boolean) {
  const toManager = facts.respondent === 'line_manager';
  const date = formatDate(facts.sessionDate);
  const subject = toManager
    ? `Has ${facts.delegateName}’s practice changed since ${facts.courseTitle}?`
    : `Has your practice changed since ${facts.courseTitle}?`;
  return {
    hub: facts.hub,
    subject: reminder ? `Reminder: ${subject}` : subject,
    heading: toManager
      ? `How has ${facts.delegateName}’s practice changed?`
      : 'How has your practice changed?',
    greeting: toManager ? facts.managerName : facts.delegateName,
    reason: toManager
      ? `${facts.delegateName} gave your email address as their line manager’s when they registered with ${facts.hub.name}, and ${facts.hub.name} asks line managers once, ${facts.followUpDays} days after a course, whether practice has changed${reminder ? '. This is the one reminder: we will not send another' : ''}`
      : `you attended ${facts.courseTitle} with ${facts.hub.name} on ${date}, and we ask everyone who attended once, ${facts.followUpDays} days later, whether their practice has changed${reminder ? '. This is the one reminder: we will not send another' : ''}`,
    toManager,
    reminder,
    delegateName: facts.delegateName,
    courseTitle: facts.courseTitle,
    date,
    followUpUrl: webLink(facts.followUpUrl, 'the follow-up link'),
    optOutUrl: facts.optOutUrl ? webLink(facts.optOutUrl, 'the opt-out link') : null,
    expires: formatDate(facts.expiresAt),
  };
}

/** Sent once, the hub's number of days after a session, to a delegate who attended or their line manager. */
export function followUpRequest(facts: FollowUpRequestFacts): EmailMessage {
  return { kind: 'follow_up_request', ...renderEmail('followUpRequest', followUpView(facts, false)) };
}
