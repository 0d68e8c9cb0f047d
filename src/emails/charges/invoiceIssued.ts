import { safeFilename } from '../facts.js';
import type { EmailMessage, HubFacts } from '../message.js';
import { renderEmail } from '../render.js';

export interface InvoiceIssuedFacts {
  hub: HubFacts;
  /** Who receives it: the billing contact, or the organisation when none is named. */
  contactName: string;
  customerName: string;
  number: string;
  /** "£150.00". */
  total: string;
  /** "Friday 3 April 2026". */
  issuedOn: string;
  /** "Sunday 3 May 2026", or null when payment is due on receipt. */
  dueOn: string | null;
  purchaseOrder: string;
  lineCount: number;
  paymentInstructions: string;
  /** The invoice as a PDF. */
  pdf: Buffer;
}

/**
 * Sent to an organisation's billing contact when an invoice is issued, with
 * the invoice attached as a PDF. It says what the invoice is for and how to
 * pay; nothing in it acts on anything.
 */
export function invoiceIssued(facts: InvoiceIssuedFacts): EmailMessage {
  const filename = safeFilename(`${facts.number}.pdf`, 'invoice.pdf');
  return {
    kind: 'invoice_issued',
    ...renderEmail('invoiceIssued', {
      hub: facts.hub,
      subject: `Invoice ${facts.number} from ${facts.hub.name}: ${facts.total}`,
      heading: `Invoice ${facts.number}`,
      greeting: facts.contactName,
      reason: `${facts.customerName} asked for invoices from ${facts.hub.name} to be sent to this address`,
      customerName: facts.customerName,
      number: facts.number,
      total: facts.total,
      issuedOn: facts.issuedOn,
      dueOn: facts.dueOn,
      purchaseOrder: facts.purchaseOrder,
      places: facts.lineCount === 1 ? 'one line' : `${facts.lineCount} lines`,
      paymentInstructions: facts.paymentInstructions.split(/\r?\n/).filter((line) => line.trim()),
      filename,
    }),
    attachments: [
      { filename, contentType: 'application/pdf', content: facts.pdf.toString('base64'), encoding: 'base64' },
    ],
  };
}
