import { describe, expect, it } from 'vitest';

import { csvStream, neutraliseCell, safeFilename, type CsvColumn } from './csv.js';

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * RFC 4180 read back by hand (no CSV parser is installed): fields separated
 * by commas, records by CRLF, quoted fields with doubled quotes inside and
 * any character, CR and LF included.
 */
function parseCsv(input: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  while (i < input.length) {
    if (input[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= input.length) throw new Error('Unterminated quoted field');
        if (input[i] === '"') {
          if (input[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += input[i];
        i += 1;
      }
    }
    if (input.startsWith('\r\n', i)) {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else if (input[i] === ',') {
      record.push(field);
      field = '';
      i += 1;
    } else if (i < input.length) {
      // Unquoted text: only safe characters may appear outside quotes.
      if (/["\r\n]/.test(input[i]!)) throw new Error(`Stray ${JSON.stringify(input[i])} at ${i}`);
      field += input[i];
      i += 1;
    }
  }
  if (field || record.length) throw new Error('The last record has no CRLF');
  return records;
}

describe('neutraliseCell', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","x")', `'=HYPERLINK("http://evil.example","x")`],
    ['+SUM(1)', "'+SUM(1)"],
    ['-1', "'-1"],
    ['@cmd', "'@cmd"],
    ['\t=1+1', "'\t=1+1"],
    ['\rsomething', "'\rsomething"],
    ['\ttab first', "'\ttab first"],
    // Behind leading white space too, for imports that trim it first.
    ['  =1+1', "'  =1+1"],
    ['\u00a0@SUM(A1)', "'\u00a0@SUM(A1)"],
    ['\n-2', "'\n-2"],
  ])('puts a quote before %j', (value, expected) => {
    expect(neutraliseCell(value)).toBe(expected);
  });

  it.each([
    'Jo Smith',
    'Zoë O’Brien-Hughes',
    'a=b',
    'Social worker - children',
    '',
    ' leading space',
    '07700 900123',
  ])('leaves %j as it is', (value) => {
    expect(neutraliseCell(value)).toBe(value);
  });
});

describe('csvStream', () => {
  interface Row {
    name: string;
    organisation: string | null;
  }
  const columns: CsvColumn<Row>[] = [
    { header: 'Delegate name', value: (row) => row.name },
    { header: 'Organisation', value: (row) => row.organisation },
  ];

  async function* slowly(rows: Row[]): AsyncGenerator<Row> {
    for (const row of rows) {
      await new Promise((resolve) => setImmediate(resolve));
      yield row;
    }
  }

  it('writes a BOM, a header row and CRLF records that read back exactly, with formulas neutralised', async () => {
    const rows: Row[] = [
      { name: '=HYPERLINK("http://evil.example","x")', organisation: '+SUM(1)' },
      { name: '-1', organisation: '@cmd' },
      { name: '\tTabbed', organisation: '\rCarriage' },
      { name: 'Zoë "Zo" O’Brien, MBE', organisation: 'Line one\nLine two' },
      { name: 'No organisation', organisation: null },
    ];
    const output = await text(csvStream(columns, slowly(rows)));

    expect(output.startsWith('\ufeff')).toBe(true);
    expect(output.endsWith('\r\n')).toBe(true);
    // The raw text: every cell quoted, so a comma or quote cannot split it.
    expect(output).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")","'+SUM(1)"\r\n`);
    expect(output).toContain(`"'-1","'@cmd"\r\n`);

    const records = parseCsv(output.slice(1));
    expect(records).toEqual([
      ['Delegate name', 'Organisation'],
      [`'=HYPERLINK("http://evil.example","x")`, "'+SUM(1)"],
      ["'-1", "'@cmd"],
      ["'\tTabbed", "'\rCarriage"],
      ['Zoë "Zo" O’Brien, MBE', 'Line one\nLine two'],
      ['No organisation', ''],
    ]);
    // No cell, read back, begins with a character a spreadsheet would run.
    for (const record of records) {
      for (const cell of record) expect(cell).not.toMatch(/^(?:[=+\-@\t\r]|\s*[=+\-@])/);
    }
  });

  it('keeps a plain decimal in an amount column as a number, and neutralises anything else there', async () => {
    const amounts: CsvColumn<{ amount: string }>[] = [
      { header: 'Gross', value: (row) => row.amount, amount: true },
      { header: 'Note', value: (row) => row.amount },
    ];
    const output = await text(
      csvStream(amounts, [{ amount: '-50.00' }, { amount: '1250.5' }, { amount: '-1+2' }, { amount: '=1' }]),
    );
    expect(parseCsv(output.slice(1))).toEqual([
      ['Gross', 'Note'],
      ['-50.00', "'-50.00"],
      ['1250.5', '1250.5'],
      ["'-1+2", "'-1+2"],
      ["'=1", "'=1"],
    ]);
  });

  it('writes just the header row when there are no rows', async () => {
    expect(await text(csvStream(columns, []))).toBe('\ufeff"Delegate name","Organisation"\r\n');
  });

  it('fails the stream, rather than ending it early, when reading rows fails part-way', async () => {
    async function* failing(): AsyncGenerator<Row> {
      yield { name: 'First', organisation: null };
      throw new Error('the database went away');
    }
    const errors: Error[] = [];
    await expect(text(csvStream(columns, failing(), (error) => errors.push(error)))).rejects.toThrow(
      'the database went away',
    );
    expect(errors).toHaveLength(1);
  });
});

describe('safeFilename', () => {
  it('keeps letters, digits and hyphens, lower case', () => {
    expect(safeFilename(['register', 'trauma-informed-co-production', '2026-02-16'])).toBe(
      'register-trauma-informed-co-production-2026-02-16.csv',
    );
  });

  it('drops anything that could break out of the header or the folder', () => {
    expect(safeFilename(['../../etc/passwd"; x=y', 'Café Ünïcode\r\n'])).toBe(
      'etc-passwd-x-y-cafe-unicode.csv',
    );
    expect(safeFilename(['"""'])).toBe('export.csv');
  });
});
