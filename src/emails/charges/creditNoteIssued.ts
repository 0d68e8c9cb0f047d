import { safeFilename } from '../facts.js';
import type { EmailMessage, HubFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface CreditNoteIssuedFacts {
  hub: HubFacts;
  contactName: string;
  customerName: string;
  number: string;
  /** The invoice it credits. */
  invoiceNumber: string;
  total: string;
  issuedOn: string;
  reason: string;
  pdf: Buffer;
}

/**
 * Sent to an organisation's billing contact when a credit note puts one of
 * its invoices right, with the credit note attached as a PDF.
 */
export function creditNoteIssued(facts: CreditNoteIssuedFacts): EmailMessage {
  const filename = safeFilename(`${facts.number}.pdf`, 'credit-note.pdf');
  return {
    kind: 'credit_note_issued',
    ...renderEmail('creditNoteIssued', {
      hub: facts.hub,
      subject: `Credit note ${facts.number} from ${facts.hub.name}: ${facts.total} against ${facts.invoiceNumber}`,
      heading: `Credit note ${facts.number}`,
      greeting: facts.contactName,
      reason: `${facts.customerName} asked for invoices from ${facts.hub.name} to be sent to this address`,
      customerName: facts.customerName,
      number: facts.number,
      invoiceNumber: facts.invoiceNumber,
      total: facts.total,
      issuedOn: facts.issuedOn,
      creditReason: facts.reason,
      filename,
    }),
    attachments: [
      { filename, contentType: 'application/pdf', content: facts.pdf.toString('base64'), encoding: 'base64' },
    ],
  };
}
