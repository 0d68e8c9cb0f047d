import type { ChargeKind } from '../../domain/charges/charges.js';
import { amountWords } from '../../domain/charges/invoiceNumbers.js';
import { formatDate } from '../../domain/time/time.js';
import { webLink } from '../facts.js';
import type { EmailMessage, HubFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface ChargeProposedFacts {
  hub: HubFacts;
  delegateName: string;
  courseTitle: string;
  sessionDate: Date;
  /** A late cancellation, or not attending (all or part of the session). */
  kind: Exclude<ChargeKind, 'place'>;
  /** The place's own price, rather than a fee: a paid place cancelled late. */
  paidPlace: boolean;
  proposedPence: number;
  /** The hub's VAT rate in basis points: above 0, amounts say "plus VAT at 20%". */
  vatRateBasisPoints?: number;
  organisationName: string;
  /** The private link to tell the hub why, and when it stops working. */
  reasonUrl: string;
  expiresAt: Date;
}

/**
 * Sent when a late cancellation or a "did not attend" mark proposes a charge:
 * what happened, that a charge *may* apply, that a person looks at it first,
 * and a link to say why. Never a bill.
 */
export function chargeProposed(facts: ChargeProposedFacts): EmailMessage {
  const date = formatDate(facts.sessionDate);
  const late = facts.kind === 'late_cancellation';
  return {
    kind: 'charge_proposed',
    ...renderEmail('chargeProposed', {
      hub: facts.hub,
      subject: `A charge may apply: ${facts.courseTitle}, ${date}`,
      heading: late ? 'You cancelled after the cut-off' : 'We missed you at the session',
      greeting: facts.delegateName,
      reason: late
        ? `you cancelled your place on ${facts.courseTitle} with ${facts.hub.name} after its cut-off for cancelling`
        : `the register for ${facts.courseTitle} with ${facts.hub.name} on ${date} shows you did not attend all of it`,
      late,
      paidPlace: facts.paidPlace,
      courseTitle: facts.courseTitle,
      date,
      amount: amountWords(facts.proposedPence, facts.vatRateBasisPoints ?? 0),
      organisationName: facts.organisationName,
      reasonUrl: webLink(facts.reasonUrl, 'the link to tell us why'),
      expires: formatDate(facts.expiresAt),
    }),
  };
}
