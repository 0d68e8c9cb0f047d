import { formatMoment, webLink } from '../facts.js';
import type { EmailMessage, HubFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface PasswordResetFacts {
  hub: HubFacts;
  name: string;
  resetUrl: string;
  expiresAt: Date;
}

/** Sent when someone asks to reset an account's password. */
export function passwordReset(facts: PasswordResetFacts): EmailMessage {
  return {
    kind: 'password_reset',
    ...renderEmail('passwordReset', {
      hub: facts.hub,
      subject: `Reset your password for ${facts.hub.name}`,
      heading: 'Reset your password',
      greeting: facts.name,
      reason: `someone asked to reset the password of the ${facts.hub.name} account that uses this email address`,
      notYou: 'If that was not you, you can ignore this email: your password has not been changed.',
      resetUrl: webLink(facts.resetUrl, 'the reset link'),
      expires: formatMoment(facts.expiresAt),
    }),
  };
}
