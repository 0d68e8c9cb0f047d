import { describe, expect, it } from 'vitest';

import { pdfPages, pdfText } from '../../test/support/pdfText.js';
import { invoicePdf, type InvoiceContent, type InvoiceHub } from './invoicePdf.js';

const hub: InvoiceHub = {
  name: 'Northshire Safeguarding Partnership',
  brandColour: '#1d4f4a',
  address: 'Town Hall\nMarket Square\nNorthtown NT1 1AA',
  vatNumber: 'GB123456789',
  paymentInstructions: 'Bank transfer: sort code 12-34-56, account 12345678.',
  contactEmail: 'training@northshire.example.org.uk',
};

function invoice(lines: number, overrides: Partial<InvoiceContent> = {}): InvoiceContent {
  const all = Array.from({ length: lines }, (_, i) => ({
    description: `Trauma-informed co-production — Tue 3 Mar 2026 — Did not attend`,
    delegateName: `Zoë Ŵyn-Łukasz ${i + 1}`,
    sessionDate: '2026-03-03',
    netPence: 5000,
    vatPence: 1000,
    grossPence: 6000,
  }));
  return {
    kind: 'invoice',
    number: 'INV-2026-0007',
    issuedOn: '2026-04-02',
    dueOn: '2026-05-02',
    customer: {
      name: 'Brightwell Care Ltd',
      contact: 'Accounts payable',
      address: '2 Mill Lane\nBanbury',
      purchaseOrder: 'PO-77',
    },
    vatRateBasisPoints: 2000,
    lines: all,
    totals: { netPence: 5000 * lines, vatPence: 1000 * lines, grossPence: 6000 * lines },
    ...overrides,
  };
}

describe('invoicePdf', () => {
  it('says who, what, how much and how to pay', async () => {
    const text = pdfText(await invoicePdf(invoice(2), hub, { compress: false }));
    for (const words of [
      'Invoice INV-2026-0007',
      'Northshire Safeguarding Partnership',
      'Market Square',
      'VAT at 20%',
      'VAT registration number: GB123456789',
      'Brightwell Care Ltd',
      'For the attention of Accounts payable',
      'PO-77',
      'Thursday 2 April 2026',
      'Saturday 2 May 2026',
      'Zoë Ŵyn-Łukasz 2',
      'Tue 3 Mar 2026',
      '£50.00',
      '£10.00',
      '£120.00',
      'Total to pay',
      'sort code 12-34-56',
      'Please quote INV-2026-0007',
    ])
      expect(text, words).toContain(words);
  });

  it('carries a long invoice over pages, every line and the totals', async () => {
    const pdf = await invoicePdf(invoice(80), hub);
    const pages = pdfPages(pdf);
    expect(pages.length).toBeGreaterThan(1);
    const text = pdfText(pdf);
    expect(text).toContain('Zoë Ŵyn-Łukasz 80');
    expect(text).toContain('£4,800.00');
  });

  it('names the invoice a credit note credits, and why', async () => {
    const text = pdfText(
      await invoicePdf(
        invoice(1, {
          kind: 'credit_note',
          number: 'CN-2026-0002',
          dueOn: null,
          credits: { number: 'INV-2026-0007', reason: 'Ill on the day' },
        }),
        { ...hub, vatNumber: '' },
      ),
    );
    for (const words of [
      'Credit note CN-2026-0002',
      'Credits invoice',
      'INV-2026-0007',
      'Ill on the day',
      'Total credited',
    ])
      expect(text, words).toContain(words);
    expect(text).not.toContain('How to pay');
  });
});
