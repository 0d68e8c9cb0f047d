/**
 * Charges and invoices in the product's words: the kinds of charge, the
 * states a charge and an invoice go through, the reasons a delegate may give,
 * and how an organisation wants to be invoiced.
 */

/** A paid place; a late cancellation; not attending. */
export const CHARGE_KINDS = ['place', 'late_cancellation', 'non_attendance'] as const;
export type ChargeKind = (typeof CHARGE_KINDS)[number];

export const CHARGE_KIND_NAMES: Record<ChargeKind, string> = {
  place: 'Place',
  late_cancellation: 'Late cancellation',
  non_attendance: 'Did not attend',
};

/**
 * proposed: waiting for a coordinator (never invoiced);
 * confirmed: owed (the proposal or a reduced amount), invoiced by the next run;
 * waived: not owed, with a reason;
 * withdrawn: what it rested on changed (the register was corrected, say).
 */
export const CHARGE_STATES = ['proposed', 'confirmed', 'waived', 'withdrawn'] as const;
export type ChargeState = (typeof CHARGE_STATES)[number];

export const CHARGE_STATE_NAMES: Record<ChargeState, string> = {
  proposed: 'Waiting for review',
  confirmed: 'Confirmed',
  waived: 'Waived',
  withdrawn: 'Withdrawn',
};

/** What a delegate may tell the hub about a late cancellation or missed session. */
export const DELEGATE_REASONS = [
  'illness',
  'caring',
  'work_emergency',
  'personal_crisis',
  'transport',
  'other',
  'rather_not_say',
] as const;
export type DelegateReason = (typeof DELEGATE_REASONS)[number];

export const DELEGATE_REASON_NAMES: Record<DelegateReason, string> = {
  illness: 'Illness',
  caring: 'Caring responsibilities',
  work_emergency: 'A work emergency',
  personal_crisis: 'A personal crisis',
  transport: 'Transport',
  other: 'Something else',
  rather_not_say: 'I would rather not say',
};

export const INVOICE_STATES = ['draft', 'issued', 'paid', 'void'] as const;
export type InvoiceState = (typeof INVOICE_STATES)[number];

export const INVOICE_STATE_NAMES: Record<InvoiceState, string> = {
  draft: 'Draft',
  issued: 'Issued',
  paid: 'Paid',
  void: 'Void',
};

export const INVOICE_FREQUENCIES = ['monthly', 'per_booking'] as const;
export type InvoiceFrequency = (typeof INVOICE_FREQUENCIES)[number];

export const INVOICE_FREQUENCY_NAMES: Record<InvoiceFrequency, string> = {
  monthly: 'One invoice a month',
  per_booking: 'One invoice per booking',
};
