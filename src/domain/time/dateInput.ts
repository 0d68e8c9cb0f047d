/**
 * Dates typed into the GOV.UK date input: day, month and year in three
 * boxes. One message for the whole date, saying what to do, and which of the
 * boxes to highlight (the GOV.UK Design System's rules for date input
 * errors: "Enter the date", "must include a month", "must be a real date").
 */
import { Temporal } from 'temporal-polyfill';

export const DATE_INPUT_PARTS = ['day', 'month', 'year'] as const;
export type DateInputPart = (typeof DATE_INPUT_PARTS)[number];

export type DateInputValues = Record<DateInputPart, string>;

export type DateInputReading =
  | { kind: 'empty' }
  | { kind: 'date'; /** YYYY-MM-DD */ date: string }
  | {
      kind: 'problem';
      message: string;
      /** The boxes to highlight, in page order. */ parts: DateInputPart[];
    };

const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** A month as typed: 3, 03, "Mar", "march" or "Sept"; null otherwise. */
function readMonth(text: string): number | null {
  if (/^\d{1,2}$/.test(text)) {
    const month = Number(text);
    return month >= 1 && month <= 12 ? month : null;
  }
  const word = text.toLowerCase().replace(/\.$/, '');
  if (word.length < 3) return null;
  const index = MONTH_NAMES.findIndex(
    (name) => name.startsWith(word) || (word === 'sept' && name === 'september'),
  );
  return index === -1 ? null : index + 1;
}

function listed(parts: DateInputPart[]): string {
  const words = parts.map((part) => `a ${part}`);
  return words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/**
 * Reads the three boxes of a date input. `name` starts its messages: "Date
 * of part 1". Nothing typed at all is `empty`: whether that is allowed is the
 * caller's to say ("Enter the date of part 1").
 */
export function readDateInput(values: Partial<DateInputValues>, name: string): DateInputReading {
  const typed = {
    day: (values.day ?? '').trim(),
    month: (values.month ?? '').trim(),
    year: (values.year ?? '').trim(),
  };
  const missing = DATE_INPUT_PARTS.filter((part) => !typed[part]);
  if (missing.length === 3) return { kind: 'empty' };
  if (missing.length) {
    return { kind: 'problem', message: `${name} must include ${listed(missing)}`, parts: missing };
  }
  const wrong: DateInputPart[] = [];
  const day = /^\d{1,2}$/.test(typed.day) ? Number(typed.day) : NaN;
  if (!(day >= 1 && day <= 31)) wrong.push('day');
  const month = readMonth(typed.month);
  if (month === null) wrong.push('month');
  if (!wrong.length && !/^\d{4}$/.test(typed.year)) {
    return {
      kind: 'problem',
      message: `${name} must include a year with 4 numbers, like 2026`,
      parts: ['year'],
    };
  }
  const year = Number(typed.year);
  if (!wrong.length && year < 1900) wrong.push('year');
  if (wrong.length || month === null) {
    return { kind: 'problem', message: `${name} must be a real date`, parts: wrong };
  }
  try {
    const date = Temporal.PlainDate.from({ year, month, day }, { overflow: 'reject' });
    return { kind: 'date', date: date.toString() };
  } catch {
    // A day the month does not have: 30 February, 31 April.
    return { kind: 'problem', message: `${name} must be a real date`, parts: ['day'] };
  }
}

/** A YYYY-MM-DD date as the three boxes show it: "5", "3", "2026". */
export function dateInputValues(date: string): DateInputValues {
  const [year = '', month = '', day = ''] = date.split('-');
  return { day: String(Number(day)), month: String(Number(month)), year };
}
