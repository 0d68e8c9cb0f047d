import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { cleanLine, cleanValues } from './render.js';

/** What cleaning means, step by step, for every value: `cleanLine` skips the steps only where they change nothing. */
function cleanedStepByStep(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, ' ')
      .replace(/ {2,}/g, ' ')
      .trim()
  );
}

/** Strings rich in what cleaning is about: controls, line breaks, bidirectional marks, spaces. */
const awkwardText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      ' ',
      '  ',
      '\t',
      '\n',
      '\r',
      '\u0000',
      '\u0085',
      '\u00a0',
      '\u2028',
      '\u202e',
      '\u2066',
      '\ufeff',
    ),
    fc.string({ unit: 'grapheme', maxLength: 3 }),
  ),
  maxLength: 40,
});

describe('cleanLine', () => {
  it('is the same as cleaning step by step, for any text', () => {
    fc.assert(
      fc.property(awkwardText, (value) => {
        expect(cleanLine(value)).toBe(cleanedStepByStep(value));
      }),
      { numRuns: 2_000 },
    );
  });

  it('makes one safe line of a name that tries to add lines or turn text round', () => {
    expect(cleanLine(' Robin\r\nBcc: someone@example.org\u202e  Ellis ')).toBe(
      'Robin Bcc: someone@example.org Ellis',
    );
  });
});

describe('cleanValues', () => {
  it('cleans every string in objects and lists, and leaves other values alone', () => {
    const when = new Date('2027-01-04T16:40:00Z');
    expect(
      cleanValues({ name: 'Robin\nEllis', parts: [{ title: ' A ', when }], places: 3, none: null }),
    ).toEqual({
      name: 'Robin Ellis',
      parts: [{ title: 'A', when }],
      places: 3,
      none: null,
    });
  });
});
