import { amountWords } from '../../domain/charges/invoiceNumbers.js';
import { formatDate } from '../../domain/time/time.js';
import type { EmailMessage, HubFacts } from '../message.js';
import { renderEmail } from '../render.js';

/** The least a line manager needs: who, which course and date, and how much. Never why, never needs. */
export interface ChargeLineManagerFacts {
  hub: HubFacts;
  managerName: string;
  delegateName: string;
  courseTitle: string;
  sessionDate: Date;
  amountPence: number;
  /** The hub's VAT rate in basis points: above 0, amounts say "plus VAT at 20%". */
  vatRateBasisPoints?: number;
}

/** Sent to a delegate's line manager when a charge for their place is confirmed, where the hub's policy says. */
export function chargeLineManager(facts: ChargeLineManagerFacts): EmailMessage {
  const date = formatDate(facts.sessionDate);
  return {
    kind: 'charge_line_manager',
    ...renderEmail('chargeLineManager', {
      hub: facts.hub,
      subject: `A charge for ${facts.delegateName}’s place on ${facts.courseTitle}`,
      heading: 'A charge has been confirmed',
      greeting: facts.managerName,
      reason: `${facts.delegateName} gave your email address as their line manager’s when they registered with ${facts.hub.name}, and ${facts.hub.name} tells line managers when a charge for a place is confirmed`,
      delegateName: facts.delegateName,
      courseTitle: facts.courseTitle,
      date,
      amount: amountWords(facts.amountPence, facts.vatRateBasisPoints ?? 0),
    }),
  };
}
