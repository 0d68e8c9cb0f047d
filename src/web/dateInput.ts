/**
 * The GOV.UK date input on Trellis's forms: the parameters for the
 * govukDateInput macro (three boxes, one message for the date, the boxes
 * with the problem highlighted), and error summary links that go to the
 * first highlighted box rather than to the group.
 */
import { DATE_INPUT_PARTS, readDateInput, type DateInputPart } from '../domain/time/dateInput.js';
import type { FormErrors } from './forms.js';

/** A date on a form: the id its message is filed under, and the names its boxes are posted under. */
export interface DateGroup {
  id: string;
  names: Record<DateInputPart, string>;
}

const LABELS: Record<DateInputPart, string> = { day: 'Day', month: 'Month', year: 'Year' };
const WIDTHS: Record<DateInputPart, string> = {
  day: 'govuk-input--width-2',
  month: 'govuk-input--width-2',
  year: 'govuk-input--width-4',
};

function typedIn(group: DateGroup, values: Record<string, string>): Record<DateInputPart, string> {
  return Object.fromEntries(
    DATE_INPUT_PARTS.map((part) => [part, values[group.names[part]] ?? '']),
  ) as Record<DateInputPart, string>;
}

/**
 * The boxes to highlight beside a date's message: the ones it is about
 * ("must include a month"), or all three when the message is about the
 * whole date ("Enter the date", "would start in the past").
 */
export function highlightedBoxes(group: DateGroup, values: Record<string, string>, message?: string) {
  if (!message) return [];
  const reading = readDateInput(typedIn(group, values), 'The date');
  return reading.kind === 'problem' ? reading.parts : [...DATE_INPUT_PARTS];
}

/** govukDateInput's parameters for a date on a form, with what was typed and any message. */
export function dateInputParams(
  group: DateGroup,
  values: Record<string, string>,
  message: string | undefined,
  options: { legend: string; legendClasses?: string; hint?: string },
) {
  const typed = typedIn(group, values);
  const marked = highlightedBoxes(group, values, message);
  return {
    id: group.id,
    fieldset: {
      legend: { html: options.legend, classes: options.legendClasses ?? 'govuk-fieldset__legend--s' },
    },
    ...(options.hint ? { hint: { text: options.hint } } : {}),
    ...(message ? { errorMessage: { text: message } } : {}),
    items: DATE_INPUT_PARTS.map((part) => ({
      id: `${group.id}-${part}`,
      name: group.names[part],
      label: LABELS[part],
      value: typed[part],
      classes: WIDTHS[part],
      error: marked.includes(part),
    })),
  };
}

/** The error summary with each date's link going to its first highlighted box. */
export function linkDateErrors(
  errors: FormErrors | null,
  groups: readonly DateGroup[],
  values: Record<string, string>,
): FormErrors | null {
  if (!errors) return errors;
  const byHref = new Map(groups.map((group) => [`#${group.id}`, group]));
  return {
    ...errors,
    list: errors.list.map((item) => {
      const group = byHref.get(item.href);
      if (!group) return item;
      const [first = 'day'] = highlightedBoxes(group, values, item.text);
      return { ...item, href: `#${group.id}-${first}` };
    }),
  };
}
