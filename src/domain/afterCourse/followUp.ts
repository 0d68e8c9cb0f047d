/**
 * The three-month follow-up: whether practice has changed in each of a
 * course's key areas, asked of the delegate and (where the hub's policy says)
 * their line manager. The scale in words, the limits on what can be typed,
 * and how long the links and the reminder wait.
 */

export type FollowUpRespondent = 'delegate' | 'line_manager';

/** The scale, in the order the page shows it; "not applicable" is an answer, not a blank. */
export const PRACTICE_CHANGES = ['not_at_all', 'a_little', 'somewhat', 'a_lot', 'not_applicable'] as const;
export type PracticeChange = (typeof PRACTICE_CHANGES)[number];

export const PRACTICE_CHANGE_WORDS: Record<PracticeChange, string> = {
  not_at_all: 'Not at all',
  a_little: 'A little',
  somewhat: 'Somewhat',
  a_lot: 'A lot',
  not_applicable: 'Not applicable',
};

export const FOLLOW_UP_TEXT_MAX = 2_000;

/** A follow-up link works for this long after it is sent (the reminder's until the same day). */
export const FOLLOW_UP_LINK_DAYS = 30;

/** One reminder, this long after the request, to those who have not answered. */
export const FOLLOW_UP_REMINDER_DAYS = 7;

/**
 * Sessions that ended longer ago than the follow-up's days and this many more
 * are not followed up: turning the follow-up on, or changing its days, must not
 * email people about courses long past.
 */
export const FOLLOW_UP_CATCH_UP_DAYS = 14;

/** A manager's opt-out link lasts a year: opting out should not be hurried. */
export const OPT_OUT_LINK_DAYS = 365;

export interface FollowUpInput {
  keyAreas: { keyAreaId: number; change: PracticeChange | null }[];
  example: string;
  obstacles: string;
}

export type FollowUpReading =
  { ok: true; input: FollowUpInput } | { ok: false; fields: Record<string, string> };

/** The form's field names, in the order the page shows them. */
export function followUpFieldOrder(keyAreaIds: readonly number[]): string[] {
  return [...keyAreaIds.map((id) => `area-${id}`), 'example', 'obstacles'];
}

/**
 * Reads the posted form. Every question may be skipped; an answer given must
 * be one of the choices offered, and text no longer than the limit.
 */
export function readFollowUpForm(
  body: Record<string, unknown>,
  keyAreaIds: readonly number[],
): FollowUpReading {
  const fields: Record<string, string> = {};
  const keyAreas = keyAreaIds.map((id) => {
    const raw = body[`area-${id}`];
    if (raw === undefined || raw === '') return { keyAreaId: id, change: null };
    if (typeof raw === 'string' && (PRACTICE_CHANGES as readonly string[]).includes(raw)) {
      return { keyAreaId: id, change: raw as PracticeChange };
    }
    fields[`area-${id}`] = 'Choose one of the answers, or leave it empty';
    return { keyAreaId: id, change: null };
  });

  function freeText(name: string, what: string): string {
    const raw = body[name];
    if (raw !== undefined && typeof raw !== 'string') {
      fields[name] = `Enter ${what} as text`;
      return '';
    }
    const value = typeof raw === 'string' ? raw.replace(/\r\n/g, '\n').trim() : '';
    if (value.length > FOLLOW_UP_TEXT_MAX) {
      fields[name] =
        `${what[0]!.toUpperCase()}${what.slice(1)} must be ${FOLLOW_UP_TEXT_MAX.toLocaleString('en-GB')} characters or fewer`;
    }
    return value;
  }
  const example = freeText('example', 'the example');
  const obstacles = freeText('obstacles', 'what got in the way');

  if (Object.keys(fields).length) return { ok: false, fields };
  return { ok: true, input: { keyAreas, example, obstacles } };
}
