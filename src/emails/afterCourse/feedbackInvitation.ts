import { sessionView, webLink } from '../facts.js';
import type { EmailMessage, HubFacts, SessionFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface FeedbackInvitationFacts {
  hub: HubFacts;
  delegateName: string;
  session: SessionFacts;
  feedbackUrl: string;
  /** How many days answers can be changed after they are given. */
  changeDays: number;
  /**
   * What the email says of the delegate's certificate: that it is held until
   * they send the form (the hub's policy asks for feedback first, and theirs
   * is held); that answering never affects it (the policy is off); or
   * nothing (the policy is on, but nothing of theirs is held).
   */
  certificate: 'waits_for_feedback' | 'never_affected' | null;
}

/** Sent once after a session to each delegate marked as there, asking how it went. */
export function feedbackInvitation(facts: FeedbackInvitationFacts): EmailMessage {
  const session = sessionView(facts.session);
  return {
    kind: 'feedback_invitation',
    ...renderEmail('feedbackInvitation', {
      hub: facts.hub,
      subject: `How was ${session.courseTitle}?`,
      heading: 'Tell us how the course went',
      greeting: facts.delegateName,
      reason: `you were at ${session.courseTitle} with ${facts.hub.name} on ${session.firstDate}, and we ask everyone who came for feedback once`,
      session,
      feedbackUrl: webLink(facts.feedbackUrl, 'the feedback link'),
      changeDays: facts.changeDays,
      certificate: facts.certificate,
    }),
  };
}
