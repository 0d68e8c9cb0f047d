/**
 * Invoices and credit notes as PDF (A4, through the one page set-up in
 * pdf.ts): the hub's name, postal address and VAT status, the customer and
 * their purchase order, the number and dates, one line per delegate and
 * session with net, VAT and gross, the totals, and how to pay. A credit note
 * names the invoice it credits and why. Drawn from the document as stored,
 * so the same invoice gives the same file every time.
 */
import { DOCUMENT_NAMES, vatStatusWords, type DocumentKind } from '../domain/charges/invoiceNumbers.js';
import { formatPence } from '../domain/charges/money.js';
import { formatDate, formatShortDate } from '../domain/time/time.js';
import { brand, FONT, MARGIN, newPdf, pdfBytes } from './pdf.js';

export interface InvoiceLineContent {
  description: string;
  delegateName: string;
  /** London date, YYYY-MM-DD. */
  sessionDate: string;
  netPence: number;
  vatPence: number;
  grossPence: number;
}

export interface InvoiceContent {
  kind: DocumentKind;
  number: string;
  /** London dates, YYYY-MM-DD. */
  issuedOn: string;
  dueOn: string | null;
  customer: { name: string; contact: string; address: string; purchaseOrder: string };
  vatRateBasisPoints: number;
  lines: InvoiceLineContent[];
  totals: { netPence: number; vatPence: number; grossPence: number };
  /** A credit note's invoice, why it was issued, and whether that invoice was paid before it (a refund is due). */
  credits?: { number: string; reason: string; refundDue?: boolean };
}

export interface InvoiceHub {
  name: string;
  brandColour: string;
  /** Lines joined with "\n". */
  address: string;
  vatNumber: string;
  paymentInstructions: string;
  contactEmail: string;
}

const INK = '#0b0c0c';
const SECONDARY = '#505a5f';
const RULE = '#b1b4b6';

/** "Friday 3 April 2026" for a London date written YYYY-MM-DD. */
export function dateWords(date: string): string {
  // Midday UTC is the same calendar day in London, summer or winter.
  return formatDate(new Date(`${date}T12:00:00Z`));
}

function shortDateWords(date: string): string {
  return formatShortDate(new Date(`${date}T12:00:00Z`));
}

export async function invoicePdf(
  content: InvoiceContent,
  hub: InvoiceHub,
  options: { compress?: boolean } = {},
): Promise<Buffer> {
  const title = `${DOCUMENT_NAMES[content.kind]} ${content.number}`;
  const doc = newPdf({ title, author: hub.name, compress: options.compress });
  doc.addPage();
  const { width, height } = doc.page;
  const inner = width - 2 * MARGIN;
  const colours = brand(hub.brandColour);

  doc.rect(0, 0, width, 80).fill(colours.background);
  doc
    .font(FONT.bold)
    .fontSize(16)
    .fillColor(colours.text)
    .text(hub.name, MARGIN, 32, { width: inner, lineBreak: false, ellipsis: true });

  doc.fillColor(INK).font(FONT.bold).fontSize(22).text(title, MARGIN, 104, { width: inner });
  doc.moveDown(0.6);

  // From and to, side by side.
  const half = (inner - 24) / 2;
  const top = doc.y;
  const block = (x: number, heading: string, lines: string[]) => {
    doc.font(FONT.bold).fontSize(10).fillColor(SECONDARY).text(heading, x, top, { width: half });
    doc.font(FONT.regular).fontSize(10).fillColor(INK);
    for (const line of lines) doc.text(line, x, doc.y, { width: half });
    return doc.y;
  };
  const fromEnd = block(MARGIN, 'From', [
    hub.name,
    ...splitLines(hub.address),
    vatStatusWords(content.vatRateBasisPoints),
    ...(hub.vatNumber ? [`VAT registration number: ${hub.vatNumber}`] : []),
  ]);
  const toEnd = block(MARGIN + half + 24, 'To', [
    content.customer.name,
    ...(content.customer.contact ? [`For the attention of ${content.customer.contact}`] : []),
    ...splitLines(content.customer.address),
  ]);
  doc.y = Math.max(fromEnd, toEnd) + 14;

  const fact = (label: string, value: string) => {
    doc.font(FONT.bold).fontSize(10).fillColor(INK).text(`${label}: `, MARGIN, doc.y, { continued: true });
    doc.font(FONT.regular).text(value, { width: inner });
  };
  fact(`${DOCUMENT_NAMES[content.kind]} number`, content.number);
  fact('Date', dateWords(content.issuedOn));
  if (content.dueOn) fact('Please pay by', dateWords(content.dueOn));
  if (content.customer.purchaseOrder) fact('Your purchase order', content.customer.purchaseOrder);
  if (content.credits) {
    fact('Credits invoice', content.credits.number);
    fact('Reason', content.credits.reason);
  }
  doc.moveDown(1);

  // The lines, as a table that carries on over pages.
  const columns = [
    { label: 'Delegate', width: 0.2, align: 'left' as const },
    { label: 'Session', width: 0.14, align: 'left' as const },
    { label: 'Description', width: 0.33, align: 'left' as const },
    { label: 'Net', width: 0.11, align: 'right' as const },
    { label: 'VAT', width: 0.1, align: 'right' as const },
    { label: 'Total', width: 0.12, align: 'right' as const },
  ].map((c) => ({ ...c, width: c.width * inner }));
  const bottom = height - MARGIN;
  const drawRow = (cells: string[], bold: boolean) => {
    doc
      .font(bold ? FONT.bold : FONT.regular)
      .fontSize(9)
      .fillColor(INK);
    const rowHeight = Math.max(
      ...cells.map((cell, i) => doc.heightOfString(cell, { width: columns[i]!.width - 6 })),
    );
    if (doc.y + rowHeight + 8 > bottom) {
      doc.addPage();
      doc.y = MARGIN;
    }
    const y = doc.y;
    let x = MARGIN;
    cells.forEach((cell, i) => {
      const column = columns[i]!;
      doc.text(cell, x, y, { width: column.width - 6, align: column.align });
      x += column.width;
    });
    doc.y = y + rowHeight + 4;
    doc
      .moveTo(MARGIN, doc.y - 2)
      .lineTo(MARGIN + inner, doc.y - 2)
      .lineWidth(0.5)
      .strokeColor(RULE)
      .stroke();
    doc.y += 2;
  };
  drawRow(
    columns.map((c) => c.label),
    true,
  );
  for (const line of content.lines) {
    drawRow(
      [
        line.delegateName,
        shortDateWords(line.sessionDate),
        line.description,
        formatPence(line.netPence),
        formatPence(line.vatPence),
        formatPence(line.grossPence),
      ],
      false,
    );
  }

  doc.moveDown(0.6);
  const totalsWidth = columns.slice(3).reduce((sum, c) => sum + c.width, 0);
  const totalsX = MARGIN + inner - totalsWidth - columns[2]!.width;
  const total = (label: string, pence: number, bold = false) => {
    if (doc.y + 20 > bottom) {
      doc.addPage();
      doc.y = MARGIN;
    }
    const y = doc.y;
    doc
      .font(bold ? FONT.bold : FONT.regular)
      .fontSize(10)
      .fillColor(INK)
      .text(label, totalsX, y, { width: columns[2]!.width, align: 'right' });
    doc.text(formatPence(pence), MARGIN + inner - totalsWidth, y, { width: totalsWidth - 6, align: 'right' });
    doc.moveDown(0.2);
  };
  const credit = content.kind === 'credit_note';
  total(credit ? 'Net credited' : 'Net', content.totals.netPence);
  total('VAT', content.totals.vatPence);
  total(credit ? 'Total credited' : 'Total to pay', content.totals.grossPence, true);

  doc.moveDown(1.2);
  if (doc.y + 60 > bottom) {
    doc.addPage();
    doc.y = MARGIN;
  }
  if (!credit) {
    doc.font(FONT.bold).fontSize(11).fillColor(INK).text('How to pay', MARGIN, doc.y, { width: inner });
    doc.font(FONT.regular).fontSize(10);
    const instructions = splitLines(hub.paymentInstructions);
    for (const line of instructions.length
      ? instructions
      : [`Contact ${hub.contactEmail} to arrange payment.`])
      doc.text(line, MARGIN, doc.y, { width: inner });
    doc
      .moveDown(0.4)
      .text(`Please quote ${content.number} with your payment.`, MARGIN, doc.y, { width: inner });
  } else {
    doc
      .font(FONT.regular)
      .fontSize(10)
      .fillColor(INK)
      .text(
        content.credits?.refundDue
          ? `Invoice ${content.credits.number} has been paid, so ${hub.name} will refund ${formatPence(content.totals.grossPence)} to you.`
          : `This credit note reduces what is owed on invoice ${content.credits?.number ?? ''} by ${formatPence(content.totals.grossPence)}.`,
        MARGIN,
        doc.y,
        { width: inner },
      );
  }
  doc
    .moveDown(0.6)
    .fillColor(SECONDARY)
    .fontSize(9)
    .text(
      `Questions about this ${DOCUMENT_NAMES[content.kind].toLowerCase()}: ${hub.contactEmail}`,
      MARGIN,
      doc.y,
      {
        width: inner,
      },
    );
  return pdfBytes(doc);
}

function splitLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}
