import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { dateInputValues, readDateInput } from './dateInput.js';

const read = (day: string, month: string, year: string) =>
  readDateInput({ day, month, year }, 'The date of part 1');

describe('the GOV.UK date input', () => {
  it('reads a real date, with the month as a number or a name', () => {
    expect(read('10', '3', '2026')).toEqual({ kind: 'date', date: '2026-03-10' });
    expect(read(' 01 ', '03', '2026')).toEqual({ kind: 'date', date: '2026-03-01' });
    expect(read('10', 'Mar', '2026')).toEqual({ kind: 'date', date: '2026-03-10' });
    expect(read('10', 'september', '2026')).toEqual({ kind: 'date', date: '2026-09-10' });
    expect(read('10', 'Sept', '2026')).toEqual({ kind: 'date', date: '2026-09-10' });
    expect(read('29', '2', '2028')).toEqual({ kind: 'date', date: '2028-02-29' });
  });

  it('is empty when nothing is typed, for the caller to say whether that is allowed', () => {
    expect(read('', ' ', '')).toEqual({ kind: 'empty' });
  });

  it('says which part is missing, and highlights only those boxes', () => {
    expect(read('10', '', '2026')).toEqual({
      kind: 'problem',
      message: 'The date of part 1 must include a month',
      parts: ['month'],
    });
    expect(read('', '', '2026')).toEqual({
      kind: 'problem',
      message: 'The date of part 1 must include a day and a month',
      parts: ['day', 'month'],
    });
    expect(read('10', '3', '')).toMatchObject({ parts: ['year'] });
  });

  it('says when the date is not a real one, highlighting the box that is wrong', () => {
    expect(read('30', '2', '2026')).toEqual({
      kind: 'problem',
      message: 'The date of part 1 must be a real date',
      parts: ['day'],
    });
    expect(read('10', '13', '2026')).toMatchObject({
      message: 'The date of part 1 must be a real date',
      parts: ['month'],
    });
    expect(read('32', '13', '2026')).toMatchObject({ parts: ['day', 'month'] });
    expect(read('x', '3', '2026')).toMatchObject({ parts: ['day'] });
    expect(read('10', 'Ma', '2026')).toMatchObject({ parts: ['month'] });
    expect(read('10', '3', '26')).toEqual({
      kind: 'problem',
      message: 'The date of part 1 must include a year with 4 numbers, like 2026',
      parts: ['year'],
    });
    expect(read('10', '3', '0999')).toMatchObject({ parts: ['year'] });
  });

  it('shows a date in the boxes as it reads it back', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1950-01-01'), max: new Date('2200-12-31'), noInvalidDate: true }),
        (d) => {
          const date = d.toISOString().slice(0, 10);
          expect(readDateInput(dateInputValues(date), 'The date')).toEqual({ kind: 'date', date });
        },
      ),
    );
    expect(dateInputValues('2026-03-05')).toEqual({ day: '5', month: '3', year: '2026' });
  });
});
