import { formatMoment, webLink } from '../facts.js';
import type { EmailMessage, HubFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface VerifyEmailFacts {
  hub: HubFacts;
  name: string;
  verifyUrl: string;
  expiresAt: Date;
  /** A new account's address (the default), or the new address an existing account asked to move to. */
  purpose?: 'register' | 'change';
}

/** Sent to confirm that an email address belongs to the person: a new account's, or an account's new one. */
export function verifyEmail(facts: VerifyEmailFacts): EmailMessage {
  const change = facts.purpose === 'change';
  return {
    kind: 'verify_email',
    ...renderEmail('verifyEmail', {
      hub: facts.hub,
      subject: change
        ? `Confirm your new email address for ${facts.hub.name}`
        : `Confirm your email address for ${facts.hub.name}`,
      heading: change ? 'Confirm your new email address' : 'Confirm your email address',
      greeting: facts.name,
      reason: change
        ? `this email address was given as the new address of an account with ${facts.hub.name}`
        : `this email address was given when an account was set up with ${facts.hub.name}`,
      notYou: 'If that was not you, you can ignore this email: nothing happens unless the link is used.',
      change,
      verifyUrl: webLink(facts.verifyUrl, 'the confirmation link'),
      expires: formatMoment(facts.expiresAt),
    }),
  };
}
