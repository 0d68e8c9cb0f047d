import { formatDate } from '../../domain/time/time.js';
import { webLink } from '../facts.js';
import type { EmailMessage, HubFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface AccountClosingFacts {
  hub: HubFacts;
  name: string;
  /** How long without a sign-in or a booking closes an account (the hub's setting). */
  inactiveMonths: number;
  /** The account's last sign-in or booking (or when it was made, if neither). */
  lastActiveAt: Date;
  /** The first moment the account may be closed (domain/hub/retention.ts closesFrom). */
  closesFrom: Date;
  /** Whether the account has a password; without one, the owner is told how to set one. */
  hasPassword: boolean;
  signInUrl: string;
  forgotPasswordUrl: string;
}

/** Sent by the retention job before it closes an account nobody has used. */
export function accountClosing(facts: AccountClosingFacts): EmailMessage {
  const months = `${facts.inactiveMonths} month${facts.inactiveMonths === 1 ? '' : 's'}`;
  return {
    kind: 'account_closing',
    ...renderEmail('accountClosing', {
      hub: facts.hub,
      subject: `Your ${facts.hub.name} account will be closed unless you sign in`,
      heading: 'Your account will be closed unless you sign in',
      greeting: facts.name,
      reason: `you have an account with ${facts.hub.name} that has not been used for a long time`,
      months,
      lastActive: formatDate(facts.lastActiveAt),
      closesOn: formatDate(facts.closesFrom),
      hasPassword: facts.hasPassword,
      signInUrl: webLink(facts.signInUrl, 'the sign-in link'),
      forgotPasswordUrl: webLink(facts.forgotPasswordUrl, 'the password link'),
    }),
  };
}
