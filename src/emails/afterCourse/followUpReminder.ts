import { followUpView, type FollowUpRequestFacts } from './followUpRequest.js';
import type { EmailMessage } from '../message.js';
import { renderEmail } from '../render.js';

/** The one gentle reminder, a week after a follow-up request nobody has answered yet. */
export function followUpReminder(facts: FollowUpRequestFacts): EmailMessage {
  return { kind: 'follow_up_reminder', ...renderEmail('followUpRequest', followUpView(facts, true)) };
}
