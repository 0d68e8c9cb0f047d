import { formatMoment } from '../facts.js';
import type { EmailMessage, HubFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface AccountClosedOnRequestFacts {
  hub: HubFacts;
  name: string;
  closedAt: Date;
  /** How many future places and waiting-list places were given up in closing it. */
  cancelled: number;
  /** The hub's period for keeping who attended (domain/hub/retention.ts bookingDetailsYears). */
  bookingDetailsYears: number;
}

/**
 * Sent once when a delegate closes their own account, written to the
 * outbox before the address is removed from the account so that it still
 * goes: nobody can sign in to the account any more.
 */
export function accountClosedOnRequest(facts: AccountClosedOnRequestFacts): EmailMessage {
  return {
    kind: 'account_closed_on_request',
    ...renderEmail('accountClosedOnRequest', {
      hub: facts.hub,
      subject: `Your ${facts.hub.name} account is closed`,
      heading: 'Your account is closed',
      greeting: facts.name,
      reason: `you closed your ${facts.hub.name} account`,
      closedAt: formatMoment(facts.closedAt),
      cancelled: facts.cancelled,
      years: facts.bookingDetailsYears,
    }),
  };
}
