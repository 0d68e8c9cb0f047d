import { formatMoment, webLink } from '../facts.js';
import type { EmailMessage, HubFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface EmailChangeRequestedFacts {
  hub: HubFacts;
  name: string;
  /** The address the account asked to move to. */
  newEmail: string;
  requestedAt: Date;
  /** Absolute link to start a password reset, which also cancels the change. */
  resetPasswordUrl: string;
}

/**
 * A security notice to the address an account uses now, when someone signed
 * in to it asks to move it to another address: nothing has changed yet, and
 * the owner can stop it.
 */
export function emailChangeRequested(facts: EmailChangeRequestedFacts): EmailMessage {
  return {
    kind: 'email_change_requested',
    ...renderEmail('emailChangeRequested', {
      hub: facts.hub,
      subject: `Someone asked to change the email address of your ${facts.hub.name} account`,
      heading: 'Someone asked to change your email address',
      greeting: facts.name,
      reason: `someone asked to change the email address of the ${facts.hub.name} account that uses this address, and we always tell you when that happens in case it was not you`,
      newEmail: facts.newEmail,
      requestedAt: formatMoment(facts.requestedAt),
      resetUrl: webLink(facts.resetPasswordUrl, 'the reset link'),
    }),
  };
}
