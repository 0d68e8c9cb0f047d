import { formatMoment, webLink } from '../facts.js';
import type { EmailMessage, HubFacts } from '../message.js';
import { renderEmail } from '../render.js';

export type AccountDetail = 'email' | 'password';

export interface DetailsChangedFacts {
  hub: HubFacts;
  name: string;
  /** What changed; at least one. */
  changed: AccountDetail[];
  changedAt: Date;
  /** Absolute link to start a password reset, for someone whose account was taken over. */
  resetPasswordUrl?: string | null;
}

/**
 * A security notice, sent to the address the account had before the change
 * (so after an email change it goes to the old address), so that a person
 * learns if someone else changed their details.
 */
export function detailsChanged(facts: DetailsChangedFacts): EmailMessage {
  const emailChanged = facts.changed.includes('email');
  const passwordChanged = facts.changed.includes('password');
  if (!emailChanged && !passwordChanged) throw new Error('Say which account detail changed');
  const what =
    emailChanged && passwordChanged
      ? 'email address and password'
      : emailChanged
        ? 'email address'
        : 'password';
  return {
    kind: 'details_changed',
    ...renderEmail('detailsChanged', {
      hub: facts.hub,
      subject: `Your ${what} for ${facts.hub.name} ${emailChanged && passwordChanged ? 'have' : 'has'} been changed`,
      heading: `Your ${what} ${emailChanged && passwordChanged ? 'have' : 'has'} been changed`,
      greeting: facts.name,
      reason: `the ${what} of your ${facts.hub.name} account changed, and we always tell you when that happens in case it was not you`,
      what,
      changedBoth: emailChanged && passwordChanged,
      emailChanged,
      changedAt: formatMoment(facts.changedAt),
      resetUrl: facts.resetPasswordUrl ? webLink(facts.resetPasswordUrl, 'the reset link') : null,
    }),
  };
}
