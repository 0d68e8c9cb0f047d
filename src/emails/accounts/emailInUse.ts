import { webLink } from '../facts.js';
import type { EmailMessage, HubFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface EmailInUseFacts {
  hub: HubFacts;
  /** The name on the account that already uses this address. */
  name: string;
  signInUrl: string;
  resetPasswordUrl: string;
}

/**
 * Sent instead of a confirmation link when another account asks to move to
 * an address that already has an account: the person who asked sees the same
 * page as for any address, so it cannot be used to find out who has one.
 */
export function emailInUse(facts: EmailInUseFacts): EmailMessage {
  return {
    kind: 'email_in_use',
    ...renderEmail('emailInUse', {
      hub: facts.hub,
      subject: `Someone tried to move another ${facts.hub.name} account to this email address`,
      heading: 'This email address already has an account',
      greeting: facts.name,
      reason: `this email address was given as the new address of another account with ${facts.hub.name}`,
      notYou: 'If that was not you, you can ignore this email: nothing has changed.',
      signInUrl: webLink(facts.signInUrl, 'the sign-in link'),
      resetUrl: webLink(facts.resetPasswordUrl, 'the reset link'),
    }),
  };
}
