/**
 * Certificates per second in one process: one delegate's certificate (one
 * A4 page, as "Your bookings" downloads it) rendered again and again by
 * src/formats/certificatePdf.ts, against the same number of plain pdfkit
 * one-page documents rendered the same way in the same process.
 *
 * The baseline is pdfkit, not the bare HTTP route: a certificate costs CPU
 * in the PDF library (fonts subset and embedded, the QR code, compression),
 * not in the HTTP stack, so the ratio says how much Trellis's certificate
 * adds to the least a PDF costs on this machine at this moment, and moves
 * with what Trellis draws rather than with the network code.
 */
import { performance } from 'node:perf_hooks';

import PDFDocument from 'pdfkit';

import { DEFAULT_HUB_SETTINGS } from '../../src/domain/hub/hub.js';
import { certificatesPdf, type CertificateContent } from '../../src/formats/certificatePdf.js';
import { pdfBytes } from '../../src/formats/pdf.js';

export interface CertificateRate {
  documents: number;
  /** Certificates (one-page documents) per second. */
  perSecond: number;
  /** Plain pdfkit one-page documents per second, measured alongside. */
  plainPerSecond: number;
  /** Mean bytes of one certificate. */
  bytes: number;
}

/** A full certificate: a long name with letters beyond Latin-1, two parts, several outcomes and trainers. */
const CERTIFICATE: CertificateContent = {
  number: 'TRC-7K4P-QX9M-2HRT-W8CD',
  delegateName: 'Siân Wójcik-Öztürk O’Connor',
  courseTitle: 'Working with resistant families: respectful challenge',
  parts: [
    { startsAt: new Date('2026-03-03T09:30:00Z'), endsAt: new Date('2026-03-03T16:00:00Z') },
    { startsAt: new Date('2026-03-10T09:30:00Z'), endsAt: new Date('2026-03-10T16:00:00Z') },
  ],
  whole: true,
  sessionParts: 2,
  minutes: 780,
  cpdHours: 11,
  trainers: ['Ruth Adeyemi', 'Callum Fraser'],
  learningOutcomes: [
    'Recognise disguised compliance and the rule of optimism',
    'Plan and hold a conversation that challenges respectfully',
    'Use the partnership’s escalation policy when agencies disagree',
    'Record decisions and the reasons for them',
    'Look after themselves after a difficult visit',
  ],
  issuedAt: new Date('2026-03-10T17:00:00Z'),
  verifyUrl: 'https://training.example.org.uk/certificates/TRC-7K4P-QX9M-2HRT-W8CD',
};

function plainPdf(): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', compress: true });
  doc.fontSize(20).text('Certificate of attendance');
  doc.fontSize(12).text(CERTIFICATE.delegateName.normalize('NFKD').replace(/[^\x20-\x7e]/g, ''));
  return pdfBytes(doc);
}

async function perSecond(
  documents: number,
  render: () => Promise<Buffer>,
): Promise<{ rate: number; bytes: number }> {
  let bytes = 0;
  const started = performance.now();
  for (let i = 0; i < documents; i++) bytes += (await render()).length;
  return { rate: documents / ((performance.now() - started) / 1000), bytes: bytes / documents };
}

/**
 * Renders `documents` of each after a warm-up (the first documents load the
 * fonts and let the JIT settle), alternating halves so that a burst of other
 * work on a shared machine falls on both.
 */
export async function certificateRate(documents: number): Promise<CertificateRate> {
  const certificate = () =>
    certificatesPdf([CERTIFICATE], DEFAULT_HUB_SETTINGS, { title: 'Certificate of attendance' });
  await perSecond(Math.min(20, documents), certificate);
  await perSecond(Math.min(20, documents), plainPdf);
  const half = Math.max(1, Math.floor(documents / 2));
  const a = await perSecond(half, certificate);
  const b = await perSecond(half, plainPdf);
  const c = await perSecond(half, certificate);
  const d = await perSecond(half, plainPdf);
  const harmonic = (x: number, y: number) => 2 / (1 / x + 1 / y);
  return {
    documents: half * 2,
    perSecond: harmonic(a.rate, c.rate),
    plainPerSecond: harmonic(b.rate, d.rate),
    bytes: (a.bytes + c.bytes) / 2,
  };
}
