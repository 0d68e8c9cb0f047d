/**
 * CSV files that open safely and correctly in a spreadsheet (the web layer
 * sends them as downloads: web/formats/csvDownload.ts).
 *
 * Formula injection: a spreadsheet treats a cell that begins with `=`, `+`,
 * `-` or `@` as a formula, so a delegate who typed `=HYPERLINK(…)` as their
 * name could put a live link (or worse) in a coordinator's spreadsheet.
 * Following OWASP's advice on CSV injection, every such cell is given a
 * leading single quote, which makes spreadsheets read it as text; so is a
 * cell beginning with a tab or a carriage return (characters some
 * spreadsheets skip before deciding). We also neutralise a cell where one of
 * `= + - @` follows leading white space, because some imports trim spaces
 * first ("Trim spaces" in LibreOffice) and would then see a formula. The cost
 * is that an honest value like "-1" or " +44 20…" shows with a quote mark in
 * front: a small price for a file full of free text typed by the public.
 * Money a finance system imports is the exception: a column marked `amount`
 * keeps a cell that is exactly a plain decimal ("-25.00" for a credit note)
 * as it is, since a decimal alone is never a formula; anything else in it is
 * neutralised as usual.
 * Every cell is also quoted, and quotes inside doubled, by csv-stringify.
 *
 * Excel needs a byte order mark to read UTF-8 (otherwise "Zoë" arrives as
 * "ZoÃ«"), and lines end CRLF as RFC 4180 says.
 */
import { Readable, pipeline } from 'node:stream';

import { stringify } from 'csv-stringify';

import { HUB_TIME_ZONE, londonDate } from '../domain/time/time.js';

export interface CsvColumn<T> {
  /** The column's heading, in words a coordinator uses. */
  header: string;
  value: (row: T) => string | null | undefined;
  /**
   * An amount a finance system reads as a number ("-12.50" for a credit):
   * a cell that is exactly a plain decimal is written as it is, since a
   * quote mark in front would make it text; anything else in the column is
   * neutralised as usual.
   */
  amount?: boolean;
}

const FORMULA_START = /^(?:[\t\r]|\s*[=+\-@])/;

/** A plain decimal, and nothing else: a minus sign, digits, at most one point. Never a formula. */
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** A cell's text, made safe to open in a spreadsheet (see above). */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** An amount column's cell: a plain decimal as it is, anything else neutralised. */
export function amountCell(value: string): string {
  return PLAIN_DECIMAL.test(value) ? value : neutraliseCell(value);
}

/**
 * The rows as a CSV byte stream: a header row, then one line per row,
 * read from `rows` only as fast as the stream is consumed.
 */
export function csvStream<T>(
  columns: readonly CsvColumn<T>[],
  rows: AsyncIterable<T> | Iterable<T>,
  onError?: (error: Error) => void,
): Readable {
  const output = stringify({
    bom: true,
    record_delimiter: 'windows',
    quoted: true,
    header: false,
  });
  async function* records() {
    yield columns.map((column) => neutraliseCell(column.header));
    for await (const row of rows) {
      yield columns.map((column) => {
        const value = column.value(row) ?? '';
        return column.amount ? amountCell(value) : neutraliseCell(value);
      });
    }
  }
  // An error part-way (the database gone, say) destroys the output, so the
  // download fails visibly rather than ending early as if complete.
  return pipeline(Readable.from(records()), output, (error) => {
    if (error && onError) onError(error);
  });
}

// Spreadsheets read "2026-03-01 09:30" as a date and time they can sort and
// filter, so exports use the 24-hour clock and ISO dates (pages say "9:30am").
const clockFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: HUB_TIME_ZONE,
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "09:30", London time. */
export function spreadsheetTime(instant: Date): string {
  return clockFormatter.format(instant);
}

/** "2026-03-01 09:30", London time. */
export function spreadsheetDateTime(instant: Date): string {
  return `${londonDate(instant)} ${spreadsheetTime(instant)}`;
}

/** A filename safe in a header and on any disk: lower-case letters, digits and hyphens. */
export function safeFilename(parts: readonly string[], extension = 'csv'): string {
  const base = parts
    .join('-')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 120)
    .replace(/-+$/, '');
  return `${base || 'export'}.${extension}`;
}
