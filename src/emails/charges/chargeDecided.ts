import type { ChargeKind } from '../../domain/charges/charges.js';
import { amountWords } from '../../domain/charges/invoiceNumbers.js';
import { formatDate } from '../../domain/time/time.js';
import { webLink } from '../facts.js';
import type { EmailMessage, HubFacts } from '../message.js';
import { renderEmail } from '../render.js';

/** What became of a proposed charge. */
export type ChargeOutcome = 'confirmed' | 'reduced' | 'waived' | 'withdrawn';

/** Why a charge was withdrawn, which the email says. */
export type ChargeWithdrawnBecause =
  'register_corrected' | 'session_cancelled' | 'booking_cancelled' | 'booking_moved' | 'booking_substituted';

/** The words after "no longer applies: ", by why it was withdrawn. */
const WITHDRAWN_BECAUSE: Record<ChargeWithdrawnBecause, string> = {
  register_corrected: 'the register has been corrected',
  session_cancelled: 'the session was cancelled by the training team',
  booking_cancelled: 'the booking was cancelled',
  booking_moved: 'your booking was moved to another date',
  booking_substituted: 'your place was passed to a colleague',
};

export interface ChargeDecidedFacts {
  hub: HubFacts;
  delegateName: string;
  courseTitle: string;
  sessionDate: Date;
  kind: Exclude<ChargeKind, 'place'>;
  outcome: ChargeOutcome;
  /** Why, when it was withdrawn. */
  because?: ChargeWithdrawnBecause;
  proposedPence: number;
  /** What is owed now: the amount confirmed, or reduced to; 0 when waived or withdrawn. */
  amountPence: number;
  /** The hub's VAT rate in basis points: above 0, amounts say "plus VAT at 20%". */
  vatRateBasisPoints?: number;
  organisationName: string;
  bookingUrl: string;
}

/** Sent when a person has decided a proposed charge (or it was withdrawn): the outcome, kindly. */
export function chargeDecided(facts: ChargeDecidedFacts): EmailMessage {
  const date = formatDate(facts.sessionDate);
  const owed = facts.outcome === 'confirmed' || facts.outcome === 'reduced';
  const subjects: Record<ChargeOutcome, string> = {
    confirmed: `The charge for ${facts.courseTitle} has been confirmed`,
    reduced: `The charge for ${facts.courseTitle} has been reduced`,
    waived: `No charge for ${facts.courseTitle}: it has been waived`,
    withdrawn: `No charge for ${facts.courseTitle}`,
  };
  return {
    kind: 'charge_decided',
    ...renderEmail('chargeDecided', {
      hub: facts.hub,
      subject: subjects[facts.outcome],
      heading: owed ? 'What we decided about the charge' : 'There is nothing to pay',
      greeting: facts.delegateName,
      reason: `we told you a charge might apply for your place on ${facts.courseTitle} on ${date}, and said we would tell you what was decided`,
      outcome: facts.outcome,
      because: facts.outcome === 'withdrawn' && facts.because ? WITHDRAWN_BECAUSE[facts.because] : null,
      late: facts.kind === 'late_cancellation',
      courseTitle: facts.courseTitle,
      date,
      amount: amountWords(facts.amountPence, facts.vatRateBasisPoints ?? 0),
      proposed: amountWords(facts.proposedPence, facts.vatRateBasisPoints ?? 0),
      organisationName: facts.organisationName,
      bookingUrl: webLink(facts.bookingUrl, 'the booking link'),
    }),
  };
}
