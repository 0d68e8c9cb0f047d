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
  const header = /(\d+) 0 obj\s*/g;
  let match: RegExpExecArray | null;
  while ((match = header.exec(text))) {
    const bodyStart = match.index + match[0].length;
    const end = text.indexOf('endobj', bodyStart);
    const streamAt = text.slice(bodyStart, end).search(/stream\r?\n/);
    if (streamAt < 0) {
      found.set(Number(match[1]), { dictionary: text.slice(bodyStart, end), stream: null });
      header.lastIndex = end;
      continue;
    }
    // A stream's bytes are measured by its /Length, never searched for: compressed data may hold
    // any byte, "endobj" or a trailing carriage return included.
    const dictionary = text.slice(bodyStart, bodyStart + streamAt);
    const length = /\/Length (\d+)(?! \d+ R)/.exec(dictionary);
    if (!length) throw new Error(`object ${match[1]} has a stream without a direct /Length`);
    const dataStart = bodyStart + streamAt + (text.startsWith('stream\r\n', bodyStart + streamAt) ? 8 : 7);
    let data = pdf.subarray(dataStart, dataStart + Number(length[1]));
    if (/\/FlateDecode/.test(dictionary)) data = inflateSync(data);
    found.set(Number(match[1]), { dictionary, stream: data });
    header.lastIndex = text.indexOf('endobj', dataStart + Number(length[1]));
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
