/**
 * The rules of the session form (scheduling a session and changing one), as
 * pure functions: what a coordinator typed, in London wall-clock dates and
 * times, becomes checked values with instants — or a message per field
 * saying what is wrong and how to fix it.
 *
 * Checks that need the database (does the course exist, is the capacity
 * below the places already held) are the service's; everything that can be
 * decided from the form and the time is here, so it can be tested alone.
 */
import { Temporal } from 'temporal-polyfill';

import { SESSION_FORMATS, type SessionFormat } from './course.js';
import { DATE_INPUT_PARTS, readDateInput, type DateInputPart } from '../time/dateInput.js';
import {
  HUB_TIME_ZONE,
  InvalidLocalTimeError,
  formatDate,
  formatMoment,
  formatTimeOfDay,
  londonToInstant,
  readTimeOfDay,
} from '../time/time.js';
import type { SessionPartTimes } from './session.js';

/** Part rows shown on a new form: enough for most courses without JavaScript. */
export const PART_ROWS_SHOWN = 4;
/** The most part rows a form may send; more would be a mistake or an attack. */
export const MAX_PART_ROWS = 20;
export const MAX_CAPACITY = 500;
/**
 * A session's parts fall within this many days of its first part's start. A
 * longer programme is better run as several sessions; and the session list
 * relies on it to find sessions in progress on its index (see
 * SessionAdminRepository.list).
 */
export const MAX_SESSION_SPAN_DAYS = 92;
export const MAX_NOTES_LENGTH = 5_000;
export const MAX_URL_LENGTH = 500;

type PartField = 'date' | 'start' | 'end';

/**
 * Where each field's message goes: the id of the input it belongs to (for
 * the date, the id of its day, month and year boxes together).
 */
export const partFieldId = (index: number, field: PartField) => `part-${index + 1}-${field}`;
/** The name a part's input is posted under: its day, month or year box, or a time. */
export const partFieldName = (index: number, field: DateInputPart | 'start' | 'end') =>
  `parts[${index}][${field}]`;
/** The names of a booking moment's date boxes: `bookingOpensDate-day`, and so on. */
export const momentDateName = (prefix: string, part: DateInputPart) => `${prefix}Date-${part}`;

/** The date groups a form of `partRows` rows has, each with the names of its boxes. */
export function dateGroups(partRows: number): { id: string; names: Record<DateInputPart, string> }[] {
  const names = (name: (part: DateInputPart) => string) =>
    Object.fromEntries(DATE_INPUT_PARTS.map((part) => [part, name(part)])) as Record<DateInputPart, string>;
  return [
    ...Array.from({ length: partRows }, (_, index) => ({
      id: partFieldId(index, 'date'),
      names: names((part) => partFieldName(index, part)),
    })),
    ...['bookingOpens', 'bookingCloses'].map((prefix) => ({
      id: `${prefix}Date`,
      names: names((part) => momentDateName(prefix, part)),
    })),
  ];
}

/** The form's fields in page order, for the error summary. */
export function fieldOrder(partRows: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < partRows; i += 1) {
    parts.push(partFieldId(i, 'date'), partFieldId(i, 'start'), partFieldId(i, 'end'));
  }
  return [
    'courseId',
    'format',
    'venueId',
    'onlineJoiningUrl',
    'capacity',
    ...parts,
    'bookingOpensDate',
    'bookingOpensTime',
    'bookingClosesDate',
    'bookingClosesTime',
    'trainerIds',
    'notes',
  ];
}

/** What the form gives once every rule that needs no database has passed. */
export interface ScheduleValues {
  /** Null when the form does not ask (a session's course is fixed once scheduled). */
  courseId: number | null;
  format: SessionFormat;
  /** Null for an online session. */
  venueId: number | null;
  /** Null for a session only in person. */
  onlineJoiningUrl: string | null;
  capacity: number;
  parts: SessionPartTimes[];
  bookingOpensAt: Date | null;
  bookingClosesAt: Date | null;
  trainerIds: number[];
  notes: string;
}

export type ScheduleReading =
  { ok: true; values: ScheduleValues } | { ok: false; errors: Record<string, string> };

export interface ScheduleOptions {
  now: Date;
  /** Whether the form asks for the course (a new session) or not (a change). */
  asksCourse: boolean;
  /**
   * The parts the session has now, when changing one: a part left as it was
   * may be in the past (a two-day course on its second day); a new or moved
   * one may not.
   */
  existingParts?: readonly SessionPartTimes[];
}

type Body = Record<string, unknown>;

function text(body: Body, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value.trim() : '';
}

/** How many part rows the posted form had (at least the usual number shown). */
export function postedPartRows(body: Body): number {
  let rows = 0;
  for (const key of Object.keys(body)) {
    const match = /^parts\[(\d{1,2})\]\[(day|month|year|start|end)\]$/.exec(key);
    if (match) rows = Math.max(rows, Number(match[1]) + 1);
  }
  return Math.min(MAX_PART_ROWS, rows);
}

/** The posted trainer ids (checkboxes: none, one or many). */
export function postedTrainerIds(body: Body): string[] {
  const value = body.trainerIds;
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' && value !== '' ? [value] : [];
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f]/;

/** Reads and checks the session form. */
export function readScheduleForm(body: Body, options: ScheduleOptions): ScheduleReading {
  const errors: Record<string, string> = {};

  // Course.
  let courseId: number | null = null;
  if (options.asksCourse) {
    courseId = positiveId(text(body, 'courseId'));
    if (courseId === null) errors.courseId = 'Choose the course this session is a date of';
  }

  // Format, venue and joining link.
  const formatText = text(body, 'format');
  const format = (SESSION_FORMATS as readonly string[]).includes(formatText)
    ? (formatText as SessionFormat)
    : null;
  if (!format) errors.format = 'Choose whether the session is in person, online, or both';

  let venueId: number | null = null;
  if (format && format !== 'online') {
    const venueText = text(body, 'venueId');
    venueId = positiveId(venueText);
    if (venueId === null) {
      errors.venueId = venueText
        ? 'Choose a venue from the list'
        : 'Choose the venue, or choose online if the session has no venue';
    }
  }

  let onlineJoiningUrl: string | null = null;
  if (format && format !== 'in_person') {
    const url = text(body, 'onlineJoiningUrl');
    if (!url) {
      errors.onlineJoiningUrl =
        format === 'online'
          ? 'Enter the online joining link: an online session needs one'
          : 'Enter the online joining link: a session in person and online needs one';
    } else if (url.length > MAX_URL_LENGTH || CONTROL_OR_BREAK.test(url) || !isHttpsUrl(url)) {
      errors.onlineJoiningUrl =
        'Enter the joining link as a full web address starting https://, like https://meet.example.com/abc';
    } else {
      onlineJoiningUrl = url;
    }
  }

  // Capacity.
  const capacityText = text(body, 'capacity').replace(/,/g, '');
  let capacity = 0;
  if (!capacityText) errors.capacity = 'Enter how many delegates the session can take';
  else if (!/^-?\d+$/.test(capacityText)) errors.capacity = 'Enter the capacity as a whole number, like 24';
  else {
    capacity = Number(capacityText);
    if (capacity < 1) errors.capacity = 'The capacity must be at least 1';
    else if (capacity > MAX_CAPACITY) errors.capacity = `The capacity must be ${MAX_CAPACITY} or fewer`;
  }

  // Parts.
  const parts = readParts(body, options, errors);

  // Booking window.
  const opens = readMoment(body, 'bookingOpens', 'booking opens', errors);
  const closes = readMoment(body, 'bookingCloses', 'booking closes', errors);
  const firstStart = parts?.[0]?.startsAt;
  if (opens && closes && closes <= opens) {
    errors.bookingClosesDate ??= 'Booking must close after it opens: change when it opens or closes';
  }
  if (firstStart && closes && closes > firstStart) {
    errors.bookingClosesDate ??= `Booking must close by the time the session starts (${formatMoment(firstStart)}). Leave it blank to close at the start`;
  }
  if (firstStart && opens && opens >= firstStart) {
    errors.bookingOpensDate ??= `Booking must open before the session starts (${formatMoment(firstStart)})`;
  }

  // Trainers.
  const trainerIds: number[] = [];
  for (const value of postedTrainerIds(body)) {
    const id = positiveId(value.trim());
    if (id === null) errors.trainerIds = 'Choose trainers from the list';
    else if (!trainerIds.includes(id)) trainerIds.push(id);
  }

  // Notes.
  const notes = typeof body.notes === 'string' ? body.notes.replace(/\r\n/g, '\n').trim() : '';
  if (notes.length > MAX_NOTES_LENGTH)
    errors.notes = `Notes must be ${MAX_NOTES_LENGTH.toLocaleString('en-GB')} characters or fewer`;
  else if (CONTROL.test(notes)) errors.notes = 'Remove the special characters from the notes';

  if (Object.keys(errors).length || !format || !parts) return { ok: false, errors };
  return {
    ok: true,
    values: {
      courseId,
      format,
      venueId,
      onlineJoiningUrl,
      capacity,
      parts,
      bookingOpensAt: opens ?? null,
      bookingClosesAt: closes ?? null,
      trainerIds,
      notes,
    },
  };
}

/** The filled part rows as instants, in order and not overlapping; null with errors set otherwise. */
function readParts(
  body: Body,
  options: ScheduleOptions,
  errors: Record<string, string>,
): SessionPartTimes[] | null {
  const rows = postedPartRows(body);
  const parts: { index: number; number: number; startsAt: Date; endsAt: Date }[] = [];
  let failed = false;
  let filled = 0;
  for (let index = 0; index < rows; index += 1) {
    const dateTyped = Object.fromEntries(
      DATE_INPUT_PARTS.map((part) => [part, text(body, partFieldName(index, part))]),
    );
    const startText = text(body, partFieldName(index, 'start'));
    const endText = text(body, partFieldName(index, 'end'));
    if (!Object.values(dateTyped).some(Boolean) && !startText && !endText) continue;
    filled += 1;
    // Numbered as the coordinator sees them: the first filled row is part 1.
    const label = `part ${filled}`;
    const fail = (field: 'date' | 'start' | 'end', message: string) => {
      errors[partFieldId(index, field)] ??= message;
      failed = true;
    };
    const dateReading = readDateInput(dateTyped, `The date of ${label}`);
    let date: string | null = null;
    if (dateReading.kind === 'empty') fail('date', `Enter the date of ${label}`);
    else if (dateReading.kind === 'problem') fail('date', dateReading.message);
    else date = dateReading.date;
    const start = readTime(startText, `${label} starts`, (message) => fail('start', message));
    const end = readTime(endText, `${label} ends`, (message) => fail('end', message));
    if (!date || !start || !end) continue;
    const startsAt = toInstant(date, start, (message) => fail('start', message));
    const endsAt = toInstant(date, end, (message) => fail('end', message));
    if (!startsAt || !endsAt) continue;
    if (endsAt <= startsAt) {
      fail(
        'end',
        `${capitalise(label)} must end after it starts: enter an end time later than ${formatTimeOfDay(start)}`,
      );
      continue;
    }
    parts.push({ index, number: filled, startsAt, endsAt });
  }
  if (filled === 0) {
    errors[partFieldId(0, 'date')] = 'Enter the date and times of the session (at least one part)';
    return null;
  }
  if (failed) return null;

  parts.forEach((part, i) => {
    const previous = parts[i - 1];
    if (previous && part.startsAt < previous.startsAt) {
      errors[partFieldId(part.index, 'date')] ??=
        `Part ${part.number} is before part ${previous.number}: list the parts in date order`;
      failed = true;
    } else if (previous && part.startsAt < previous.endsAt) {
      errors[partFieldId(part.index, 'start')] ??=
        `Part ${part.number} overlaps part ${previous.number}: it must start after part ${previous.number} ends (${formatMoment(previous.endsAt)})`;
      failed = true;
    }
    const unchanged = options.existingParts?.some(
      (old) =>
        old.startsAt.getTime() === part.startsAt.getTime() && old.endsAt.getTime() === part.endsAt.getTime(),
    );
    if (!unchanged && part.startsAt <= options.now) {
      errors[partFieldId(part.index, 'date')] ??=
        `Part ${part.number} would start in the past: choose a date and time after ${formatMoment(options.now)}`;
      failed = true;
    }
  });
  const first = parts[0];
  const tooLate = parts.find(
    (part) => first && part.endsAt.getTime() - first.startsAt.getTime() > MAX_SESSION_SPAN_DAYS * 86_400_000,
  );
  if (!failed && tooLate) {
    errors[partFieldId(tooLate.index, 'date')] =
      `Part ${tooLate.number} is more than 3 months after part 1: a session’s parts must fall within 3 months. For a longer programme, schedule a session for each block`;
    failed = true;
  }
  return failed ? null : parts.map(({ startsAt, endsAt }) => ({ startsAt, endsAt }));
}

/** An optional moment (booking opens or closes): both a date and a time, or neither. */
function readMoment(
  body: Body,
  prefix: string,
  what: string,
  errors: Record<string, string>,
): Date | undefined {
  const dateTyped = Object.fromEntries(
    DATE_INPUT_PARTS.map((part) => [part, text(body, momentDateName(prefix, part))]),
  );
  const timeText = text(body, `${prefix}Time`);
  const dateField = `${prefix}Date`;
  const timeField = `${prefix}Time`;
  const reading = readDateInput(dateTyped, `The date ${what}`);
  if (reading.kind === 'empty' && !timeText) return undefined;
  let date: string | null = null;
  if (reading.kind === 'empty') errors[dateField] = `Enter the date ${what}, or leave the time blank too`;
  else if (reading.kind === 'problem') errors[dateField] = reading.message;
  else date = reading.date;
  const time = timeText
    ? readTime(timeText, what, (message) => (errors[timeField] = message))
    : ((errors[timeField] = `Enter the time ${what}, like 9am`), null);
  if (!date || !time) return undefined;
  return toInstant(date, time, (message) => (errors[timeField] = message)) ?? undefined;
}

/**
 * A time as typed, or null with a message saying how to write it. `what`
 * finishes "Enter the time …": "part 1 starts", "booking opens".
 */
function readTime(typed: string, what: string, fail: (message: string) => void): string | null {
  if (!typed) {
    fail(`Enter the time ${what}`);
    return null;
  }
  const reading = readTimeOfDay(typed);
  if (reading.ok) return reading.time;
  fail(
    reading.problem === 'ambiguous'
      ? `Enter the time ${what} with am or pm, like ${reading.hour}am or ${reading.hour}pm`
      : `Enter the time ${what} as a real time, like 9:30am or 14:00`,
  );
  return null;
}

function toInstant(date: string, time: string, fail: (message: string) => void): Date | null {
  try {
    return londonToInstant(date, time);
  } catch (error) {
    if (!(error instanceof InvalidLocalTimeError)) throw error;
    fail(clockChangeProblem(date, time));
    return null;
  }
}

/**
 * Why a real date and time cannot be used: in spring the clocks skip an
 * hour, in autumn they repeat one.
 */
export function clockChangeProblem(date: string, time: string): string {
  const plain = Temporal.PlainDateTime.from(`${date}T${time}`);
  const day = formatDate(new Date(plain.toZonedDateTime(HUB_TIME_ZONE).epochMilliseconds));
  const earlier = plain.toZonedDateTime(HUB_TIME_ZONE, { disambiguation: 'earlier' });
  const later = plain.toZonedDateTime(HUB_TIME_ZONE, { disambiguation: 'later' });
  // In the spring gap the time is moved to a different wall-clock time; in the autumn overlap it is not.
  const skipped = earlier.toPlainDateTime().toString() !== plain.toString();
  const skippedToo = later.toPlainDateTime().toString() !== plain.toString();
  const said = formatTimeOfDay(time);
  if (skipped || skippedToo) {
    return `${said} on ${day} does not exist in the UK: clocks go forward from 1am to 2am. Choose another time`;
  }
  return `${said} on ${day} happens twice in the UK: clocks go back from 2am to 1am. Choose another time`;
}

/**
 * A date as typed: 2026-03-27 (what date pickers send), or 27/3/2026,
 * 27-03-2026 or 27.3.2026 (what people type). Returned as YYYY-MM-DD when it
 * is a real date, or null.
 */
export function parseDate(value: string): string | null {
  const v = value.trim();
  let year: number, month: number, day: number;
  let match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(v);
  if (match) [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else {
    match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v);
    if (!match) return null;
    [day, month, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  }
  if (year < 2000 || year > 2200) return null;
  try {
    return Temporal.PlainDate.from({ year, month, day }, { overflow: 'reject' }).toString();
  } catch {
    return null;
  }
}

function positiveId(value: string): number | null {
  if (!/^[1-9]\d{0,9}$/.test(value)) return null;
  const id = Number(value);
  return id <= 2_147_483_647 ? id : null;
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && Boolean(url.hostname) && !url.username && !url.password;
  } catch {
    return false;
  }
}

function capitalise(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

const clockFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: HUB_TIME_ZONE,
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** An instant's London wall-clock time as the form shows it: "09:30". */
export function londonClockTime(instant: Date): string {
  return clockFormatter.format(instant);
}
