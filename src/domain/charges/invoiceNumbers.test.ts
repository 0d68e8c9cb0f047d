import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  amountWords,
  documentNumber,
  documentTotals,
  financialYearOf,
  lineAmounts,
  plusVatWords,
  vatOn,
  vatStatusWords,
} from './invoiceNumbers.js';

describe('invoice numbers, financial years and VAT', () => {
  it('names the financial year by the year it starts in', () => {
    expect(financialYearOf('2027-03-31', 4)).toBe(2026);
    expect(financialYearOf('2027-04-01', 4)).toBe(2027);
    expect(financialYearOf('2026-12-05', 1)).toBe(2026);
    expect(financialYearOf('2026-08-31', 9)).toBe(2025);
  });

  it('numbers documents in four digits at least, with their own prefix', () => {
    expect(documentNumber('invoice', 2026, 1)).toBe('INV-2026-0001');
    expect(documentNumber('credit_note', 2026, 42)).toBe('CN-2026-0042');
    expect(documentNumber('invoice', 2026, 12_345)).toBe('INV-2026-12345');
    expect(() => documentNumber('invoice', 2026, 0)).toThrow(RangeError);
  });

  it('works out VAT per line in whole pence, halves rounded up', () => {
    expect(vatOn(5000, 0)).toBe(0);
    expect(vatOn(5000, 2000)).toBe(1000);
    expect(vatOn(1, 5000)).toBe(1); // half a penny rounds up
    expect(vatOn(-1, 5000)).toBe(-1);
    expect(vatOn(333, 2000)).toBe(67); // 66.6
    expect(() => vatOn(10.5, 2000)).toThrow(RangeError);
  });

  it("keeps a document's totals the sums of its lines", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000_000 }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 10_000 }),
        (nets, rate) => {
          const lines = nets.map((net) => lineAmounts(net, rate));
          const totals = documentTotals(lines);
          expect(totals.netPence).toBe(nets.reduce((a, b) => a + b, 0));
          expect(totals.grossPence).toBe(totals.netPence + totals.vatPence);
          for (const line of lines) expect(Number.isSafeInteger(line.vatPence)).toBe(true);
        },
      ),
    );
  });

  it('says the VAT status in words', () => {
    expect(vatStatusWords(0)).toBe('Outside the scope of VAT');
    expect(vatStatusWords(2000)).toBe('VAT at 20%');
    expect(vatStatusWords(1750)).toBe('VAT at 17.5%');
    expect(vatStatusWords(525)).toBe('VAT at 5.25%');
  });
});

describe('amounts with VAT in words', () => {
  it('says "plus VAT at 20%" after an amount when VAT is charged, and nothing at 0 or on £0.00', () => {
    expect(amountWords(5000, 2000)).toBe('£50.00 plus VAT at 20%');
    expect(amountWords(5000, 0)).toBe('£50.00');
    expect(amountWords(0, 2000)).toBe('£0.00');
    expect(plusVatWords(500)).toBe('plus VAT at 5%');
    expect(plusVatWords(0)).toBe('');
  });
});
