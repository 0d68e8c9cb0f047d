/**
 * Page set-up every PDF Trellis writes shares: A4, the margins, an embedded
 * font with the letters of real names (accents, Welsh ŵ and ŷ, Polish ł,
 * Turkish ğ and ı…), and the hub's colour with text that contrasts with it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { create as readFont, type Font } from 'fontkit';
import PDFDocument from 'pdfkit';

import { textColourOn } from '../domain/hub/hub.js';
import { PROJECT_ROOT } from '../paths.js';

const FONTS_DIR = join(PROJECT_ROOT, 'node_modules', 'dejavu-fonts-ttf', 'ttf');

/**
 * The fonts, read and parsed once per process. pdfkit takes a parsed font as
 * well as a file, and subsets it afresh for each document; parsing the files
 * for every certificate was most of the time a certificate took.
 */
let parsedFonts: { regular: Font; bold: Font } | undefined;

function fonts(): { regular: Font; bold: Font } {
  const parse = (file: string) => readFont(readFileSync(join(FONTS_DIR, file))) as Font;
  parsedFonts ??= { regular: parse('DejaVuSans.ttf'), bold: parse('DejaVuSans-Bold.ttf') };
  return parsedFonts;
}

/** The font names documents made here use. */
export const FONT = { regular: 'Trellis', bold: 'Trellis-Bold' } as const;

/** 2 cm, in points. */
export const MARGIN = 57;

export interface PdfSetup {
  title: string;
  /** The hub's name, as the document's author. */
  author: string;
  /** Off only where the text must be readable in the file as written. */
  compress?: boolean;
}

/** A new A4 document with the fonts registered; add pages with `addPage`. */
export function newPdf(setup: PdfSetup): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    autoFirstPage: false,
    compress: setup.compress ?? true,
    info: { Title: setup.title, Author: setup.author, Creator: 'Trellis' },
    lang: 'en-GB',
    displayTitle: true,
  });
  const { regular, bold } = fonts();
  // pdfkit's types name only files and bytes, but it embeds a parsed fontkit font as it is.
  doc.registerFont(FONT.regular, regular as unknown as PDFKit.Mixins.PDFFontSource);
  doc.registerFont(FONT.bold, bold as unknown as PDFKit.Mixins.PDFFontSource);
  return doc;
}

/** The hub's colour, and the text colour that reads on it (see domain/hub/hub.ts). */
export function brand(colour: string): { background: string; text: string } {
  return { background: colour, text: textColourOn(colour) };
}

/** Ends the document and gives its bytes. */
export function pdfBytes(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
