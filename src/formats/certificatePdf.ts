/**
 * Certificates of attendance as PDF: one A4 page each, in the hub's colours,
 * saying what the register says (the parts attended, their hours, the CPD
 * hours), with the number and a QR code for the public verification page.
 * Drawn on request from the facts stored when the certificate was issued.
 */
import QRCode from 'qrcode';

import { describeMinutes } from '../domain/afterCourse/certificate.js';
import { describeCpdHours } from '../domain/programme/course.js';
import { formatDate, formatTimeRange, londonDate } from '../domain/time/time.js';
import { brand, FONT, MARGIN, newPdf, pdfBytes } from './pdf.js';

export interface CertificateContent {
  number: string;
  delegateName: string;
  courseTitle: string;
  /** The parts attended. */
  parts: { startsAt: Date; endsAt: Date }[];
  /** Every part of the session was attended. */
  whole: boolean;
  /** How many parts the session had. */
  sessionParts: number;
  minutes: number;
  cpdHours: number;
  trainers: string[];
  learningOutcomes: string[];
  issuedAt: Date;
  /** The public page that confirms it. */
  verifyUrl: string;
}

export interface CertificateHub {
  name: string;
  brandColour: string;
}

/** "Monday 25 November 2024, 9:30am to 3:30pm", one line per part attended. */
export function whenAttended(parts: readonly { startsAt: Date; endsAt: Date }[]): string[] {
  return parts.map((part) =>
    londonDate(part.startsAt) === londonDate(part.endsAt)
      ? `${formatDate(part.startsAt)}, ${formatTimeRange(part.startsAt, part.endsAt)}`
      : formatTimeRange(part.startsAt, part.endsAt),
  );
}

/**
 * A PDF of the certificates given, a page each (a session's in one file for
 * staff to print). With none, one page says there are none yet.
 */
export async function certificatesPdf(
  certificates: readonly CertificateContent[],
  hub: CertificateHub,
  options: { title: string; compress?: boolean },
): Promise<Buffer> {
  const doc = newPdf({ title: options.title, author: hub.name, compress: options.compress });
  if (!certificates.length) {
    doc.addPage();
    doc.font(FONT.bold).fontSize(20).fillColor('#0b0c0c').text(options.title);
    doc
      .moveDown()
      .font(FONT.regular)
      .fontSize(12)
      .text('No certificates have been issued for this session yet.');
  }
  for (const certificate of certificates) drawCertificate(doc, certificate, hub);
  return pdfBytes(doc);
}

const INK = '#0b0c0c';
const SECONDARY = '#505a5f';

function drawCertificate(doc: PDFKit.PDFDocument, c: CertificateContent, hub: CertificateHub): void {
  doc.addPage();
  const { width, height } = doc.page;
  const colours = brand(hub.brandColour);
  const inner = width - 2 * MARGIN;

  // The hub's band across the top.
  doc.rect(0, 0, width, 96).fill(colours.background);
  doc
    .font(FONT.bold)
    .fontSize(18)
    .fillColor(colours.text)
    .text(hub.name, MARGIN, 38, { width: inner, lineBreak: false, ellipsis: true });

  doc
    .fillColor(INK)
    .font(FONT.bold)
    .fontSize(26)
    .text('Certificate of attendance', MARGIN, 130, { width: inner });
  doc.moveDown(0.8).font(FONT.regular).fontSize(12).fillColor(SECONDARY).text('This is to certify that');
  doc.moveDown(0.3).font(FONT.bold).fontSize(22).fillColor(INK).text(c.delegateName, { width: inner });
  doc
    .moveDown(0.3)
    .font(FONT.regular)
    .fontSize(12)
    .fillColor(SECONDARY)
    .text(c.whole ? 'attended' : `attended ${c.parts.length} of the ${c.sessionParts} parts of`);
  doc.moveDown(0.3).font(FONT.bold).fontSize(18).fillColor(INK).text(c.courseTitle, { width: inner });

  doc.moveDown(0.8);
  const fact = (label: string, value: string) => {
    doc.font(FONT.bold).fontSize(11).fillColor(INK).text(`${label}: `, { continued: true });
    doc.font(FONT.regular).text(value, { width: inner });
    doc.moveDown(0.2);
  };
  const when = whenAttended(c.parts);
  fact(when.length === 1 ? 'Date' : 'Dates', when.join('; '));
  fact('Hours attended', describeMinutes(c.minutes));
  fact('CPD hours', describeCpdHours(c.cpdHours));
  if (c.trainers.length) fact(c.trainers.length === 1 ? 'Trainer' : 'Trainers', c.trainers.join(', '));

  // The footer is drawn at a fixed place, so the outcomes stop above it.
  const footerTop = height - MARGIN - 110;
  if (c.learningOutcomes.length) {
    doc
      .moveDown(0.6)
      .font(FONT.bold)
      .fontSize(11)
      .text('By the end of the course, delegates will be able to:');
    doc.moveDown(0.2);
    const top = doc.y;
    doc
      .font(FONT.regular)
      .fontSize(9.5)
      .fillColor(INK)
      .list(c.learningOutcomes, MARGIN, top, {
        width: inner,
        height: Math.max(0, footerTop - top - 16),
        ellipsis: true,
        bulletRadius: 1.6,
        textIndent: 10,
      });
  }

  // The number and where to check it, with a QR code of that address.
  const qrSize = 96;
  const qrLeft = width - MARGIN - qrSize;
  const textWidth = inner - qrSize - 16;
  doc
    .moveTo(MARGIN, footerTop)
    .lineTo(width - MARGIN, footerTop)
    .lineWidth(0.75)
    .strokeColor('#b1b4b6')
    .stroke();
  doc
    .font(FONT.bold)
    .fontSize(11)
    .fillColor(INK)
    .text(`Certificate number: ${c.number}`, MARGIN, footerTop + 14, {
      width: textWidth,
    });
  doc
    .font(FONT.regular)
    .fontSize(9.5)
    .fillColor(INK)
    .text(`Issued ${formatDate(c.issuedAt)} by ${hub.name}.`, { width: textWidth })
    .moveDown(0.3)
    .text('Check that this certificate is genuine at:', { width: textWidth })
    .fillColor('#1d70b8')
    .text(c.verifyUrl, { width: textWidth, link: c.verifyUrl, underline: true });
  drawQrCode(doc, c.verifyUrl, qrLeft, footerTop + 10, qrSize);
}

/** A QR code drawn as squares, so it stays sharp at any print size. */
function drawQrCode(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const cell = size / modules.size;
  doc.save().fillColor(INK);
  for (let row = 0; row < modules.size; row++) {
    for (let column = 0; column < modules.size; column++) {
      if (modules.get(row, column)) doc.rect(x + column * cell, y + row * cell, cell, cell);
    }
  }
  doc.fill().restore();
}
