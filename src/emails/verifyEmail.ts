import { formatMoment, webLink } from './facts.js';
import type { EmailMessage, HubFacts } from './message.js';
import { renderEmail } from './render.js';

export interface VerifyEmailFacts {
  hub: HubFacts;
  name: string;
  verifyUrl: string;
  expiresAt: Date;
}

/** Sent to confirm that a new account's email address belongs to the person. */
export function verifyEmail(facts: VerifyEmailFacts): EmailMessage {
  return {
    kind: 'verify_email',
    ...renderEmail('verifyEmail', {
      hub: facts.hub,
      subject: `Confirm your email address for ${facts.hub.name}`,
      heading: 'Confirm your email address',
      greeting: facts.name,
      reason: `this email address was given when an account was set up with ${facts.hub.name}`,
      notYou: 'If that was not you, you can ignore this email: nothing happens unless the link is used.',
      verifyUrl: webLink(facts.verifyUrl, 'the confirmation link'),
      expires: formatMoment(facts.expiresAt),
    }),
  };
}
