/**
 * The text of a PDF as Trellis writes it (pdfkit, embedded fonts), for
 * tests: streams are inflated, each font's ToUnicode map read, and every
 * text fragment decoded through the map of the font it is drawn in. Enough
 * to read back what a page says; not a general PDF reader.
 */
import { inflateSync } from 'node:zlib';

interface PdfObject {
  dictionary: string;
  stream: Buffer | null;
}

function objects(pdf: Buffer): Map<number, PdfObject> {
  const text = pdf.toString('latin1');
  const found = new Map<number, PdfObject>();
  const pattern = /(\d+) 0 obj\s*([\s\S]*?)endobj/g;
  for (const match of text.matchAll(pattern)) {
    const body = match[2]!;
    const start = body.search(/stream\r?\n/);
    if (start < 0) {
      found.set(Number(match[1]), { dictionary: body, stream: null });
      continue;
    }
    const dictionary = body.slice(0, start);
    const dataStart = start + (body.slice(start).startsWith('stream\r\n') ? 8 : 7);
    const dataEnd = body.lastIndexOf('endstream');
    let data = Buffer.from(body.slice(dataStart, dataEnd).replace(/\r?\n$/, ''), 'latin1');
    if (/\/FlateDecode/.test(dictionary)) data = inflateSync(data);
    found.set(Number(match[1]), { dictionary, stream: data });
  }
  return found;
}

/** Glyph code (4 hex digits) → the characters it stands for. */
function toUnicode(cmap: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const range of cmap.matchAll(/<([0-9a-fA-F]{4})>\s*<[0-9a-fA-F]{4}>\s*\[([^\]]*)\]/g)) {
    let code = parseInt(range[1]!, 16);
    for (const entry of range[2]!.matchAll(/<([0-9a-fA-F ]+)>/g)) {
      const units = entry[1]!
        .trim()
        .split(/\s+/)
        .map((unit) => parseInt(unit, 16));
      map.set(code.toString(16).padStart(4, '0'), String.fromCharCode(...units));
      code += 1;
    }
  }
  return map;
}

/** Each page's text fragments, in the order drawn. */
export function pdfPages(pdf: Buffer): string[][] {
  const all = objects(pdf);
  const fontMaps = new Map<number, Map<string, string>>();
  for (const [id, object] of all) {
    const ref = /\/ToUnicode (\d+) 0 R/.exec(object.dictionary);
    const cmap = ref ? all.get(Number(ref[1]))?.stream : null;
    if (cmap) fontMaps.set(id, toUnicode(cmap.toString('latin1')));
  }
  const pages: string[][] = [];
  for (const object of all.values()) {
    if (!/\/Type \/Page\b/.test(object.dictionary)) continue;
    const contents = /\/Contents (\d+) 0 R/.exec(object.dictionary);
    const resources = /\/Resources (\d+) 0 R/.exec(object.dictionary);
    const resourceText = resources ? all.get(Number(resources[1]))!.dictionary : object.dictionary;
    const fonts = new Map<string, number>();
    for (const font of resourceText.matchAll(/\/(F\d+) (\d+) 0 R/g)) fonts.set(font[1]!, Number(font[2]));
    const stream = contents ? all.get(Number(contents[1]))?.stream : null;
    const fragments: string[] = [];
    let map = new Map<string, string>();
    for (const op of (stream?.toString('latin1') ?? '').matchAll(
      /\/(F\d+) [\d.]+ Tf|(\[[^\]]*\]) TJ|(<[0-9a-fA-F]*>) Tj/g,
    )) {
      if (op[1]) {
        map = fontMaps.get(fonts.get(op[1]) ?? -1) ?? new Map();
        continue;
      }
      const hex = [...(op[2] ?? op[3] ?? '').matchAll(/<([0-9a-fA-F]*)>/g)].map((m) => m[1]!).join('');
      let text = '';
      for (let i = 0; i < hex.length; i += 4) text += map.get(hex.slice(i, i + 4).toLowerCase()) ?? '?';
      fragments.push(text);
    }
    pages.push(fragments);
  }
  return pages;
}

/** All the PDF's text, fragments joined by spaces and runs of space made one. */
export function pdfText(pdf: Buffer): string {
  return pdfPages(pdf)
    .map((page) => page.join(' '))
    .join('\n')
    .replace(/[ \t]+/g, ' ');
}
