/**
 * Times in Trellis are always Europe/London wall-clock times, correct across
 * the clock changes. Instants are stored in UTC; this module is the one place
 * that turns one into the other, and it refuses local times that do not exist
 * (the spring gap) or exist twice (the autumn overlap) unless told which.
 */
import { Temporal } from 'temporal-polyfill';

export const HUB_TIME_ZONE = 'Europe/London';

export class InvalidLocalTimeError extends Error {
  override name = 'InvalidLocalTimeError';
}

/**
 * "2026-03-29" + "01:30" in London → the UTC instant, or an error when that
 * wall-clock time is skipped or repeated by a clock change.
 */
export function londonToInstant(date: string, time: string): Date {
  let plain: Temporal.PlainDateTime;
  try {
    plain = Temporal.PlainDateTime.from(`${date}T${time}`, { overflow: 'reject' });
  } catch {
    throw new InvalidLocalTimeError(`${date} ${time} is not a real date and time`);
  }
  try {
    const zoned = plain.toZonedDateTime(HUB_TIME_ZONE, { disambiguation: 'reject' });
    return new Date(zoned.epochMilliseconds);
  } catch {
    throw new InvalidLocalTimeError(
      `${date} ${time} does not exist or happens twice in London because the clocks change`,
    );
  }
}

/** The London calendar date ("2026-03-29") of an instant. */
export function londonDate(instant: Date): string {
  const w = wallClock(instant);
  // en-CA writes dates as YYYY-MM-DD; Intl is much faster than Temporal here.
  if (!w) return isoDateFormatter.format(instant);
  return `${w.getUTCFullYear()}-${String(w.getUTCMonth() + 1).padStart(2, '0')}-${String(w.getUTCDate()).padStart(2, '0')}`;
}

/** Adds whole days to a London calendar date. */
export function addDays(date: string, days: number): string {
  return Temporal.PlainDate.from(date).add({ days }).toString();
}

/** ISO weekday (1 = Monday) of a London calendar date. */
export function weekday(date: string): number {
  return Temporal.PlainDate.from(date).dayOfWeek;
}

/** A month of the hub's calendar, written "2026-03". */
export type MonthKey = string;

const MONTH_KEY = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonthKey(value: string): value is MonthKey {
  return MONTH_KEY.test(value);
}

export function monthKeyOf(instant: Date): MonthKey {
  return londonDate(instant).slice(0, 7);
}

/** The instants at which a London month starts and the next one starts. */
export function monthRange(month: MonthKey): { from: Date; to: Date } {
  const start = Temporal.PlainYearMonth.from(month).toPlainDate({ day: 1 });
  const next = start.add({ months: 1 });
  const midnight = (d: Temporal.PlainDate) =>
    new Date(d.toZonedDateTime({ timeZone: HUB_TIME_ZONE }).epochMilliseconds);
  return { from: midnight(start), to: midnight(next) };
}

// Intl formatters are costly to build and are used on every page: build once.
const dateFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: HUB_TIME_ZONE,
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const isoDateFormatter = new Intl.DateTimeFormat('en-CA', {
  timeZone: HUB_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const shortDateFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: HUB_TIME_ZONE,
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
const timeFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: HUB_TIME_ZONE,
  hour: 'numeric',
  minute: '2-digit',
  hourCycle: 'h23',
});
const monthFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  month: 'long',
  year: 'numeric',
});

/*
 * Back-office lists format several dates and times a row, and each Intl call
 * costs microseconds. London's offset from UTC is a whole number of hours
 * that changes only on the hour (UTC), so it is asked of Intl once per hour
 * of time and remembered; the wall-clock fields then come from arithmetic,
 * and the words from names Intl itself gave at start-up. Any hour in which
 * the offset is not whole or not constant (none since 1847) goes to Intl.
 */
const HOUR_MS = 3_600_000;
const offsets = new Map<number, number | null>();

/** London's offset from UTC (ms) during the UTC hour holding `ms`, or null to ask Intl directly. */
function londonOffset(ms: number): number | null {
  const hour = Math.floor(ms / HOUR_MS);
  let offset = offsets.get(hour);
  if (offset === undefined) {
    const start = hour * HOUR_MS;
    const at = (t: number) => {
      const [y, m, d] = isoDateFormatter.format(t).split('-').map(Number) as [number, number, number];
      const [h, min] = timeFormatter.format(t).split(':').map(Number) as [number, number];
      return Date.UTC(y, m - 1, d, h, min) - Math.floor(t / 60_000) * 60_000;
    };
    const first = at(start);
    offset = first % HOUR_MS === 0 && at(start + HOUR_MS - 1) === first ? first : null;
    if (offsets.size >= 100_000) offsets.clear();
    offsets.set(hour, offset);
  }
  return offset;
}

/** The instant's London wall clock as UTC fields of a Date, or null to ask Intl directly. */
function wallClock(instant: Date): Date | null {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) return null;
  const offset = londonOffset(ms);
  if (offset === null) return null;
  const wall = new Date(ms + offset);
  const year = wall.getUTCFullYear();
  return year >= 1000 && year <= 9999 ? wall : null;
}

/** Intl's own words for weekdays (Sunday first) and months, so the fast path writes what Intl writes. */
function namesFrom(formatter: Intl.DateTimeFormat, type: 'weekday' | 'month', dates: number[]): string[] {
  return dates.map((date) => formatter.formatToParts(date).find((part) => part.type === type)?.value ?? '');
}
// 2024-01-07 was a Sunday; noon UTC is the same day in London.
const SUNDAY_FIRST = Array.from({ length: 7 }, (_, i) => Date.UTC(2024, 0, 7 + i, 12));
const MONTHS = Array.from({ length: 12 }, (_, i) => Date.UTC(2024, i, 15, 12));
const longWeekdays = namesFrom(dateFormatter, 'weekday', SUNDAY_FIRST);
const longMonths = namesFrom(dateFormatter, 'month', MONTHS);
const shortWeekdays = namesFrom(shortDateFormatter, 'weekday', SUNDAY_FIRST);
const shortMonths = namesFrom(shortDateFormatter, 'month', MONTHS);

/** "Monday 25 November 2024" (GOV.UK style: no comma). */
export function formatDate(instant: Date): string {
  const w = wallClock(instant);
  if (!w) return dateFormatter.format(instant).replace(',', '');
  return `${longWeekdays[w.getUTCDay()]} ${w.getUTCDate()} ${longMonths[w.getUTCMonth()]} ${w.getUTCFullYear()}`;
}

/** "Mon 25 Nov 2024". */
export function formatShortDate(instant: Date): string {
  const w = wallClock(instant);
  if (!w) return shortDateFormatter.format(instant).replace(',', '');
  return `${shortWeekdays[w.getUTCDay()]} ${w.getUTCDate()} ${shortMonths[w.getUTCMonth()]} ${w.getUTCFullYear()}`;
}

/** "9:30am", "3:30pm", "midday", "midnight" (GOV.UK style). */
export function formatTime(instant: Date): string {
  const w = wallClock(instant);
  const [hourText, minute] = w
    ? [String(w.getUTCHours()), String(w.getUTCMinutes()).padStart(2, '0')]
    : (timeFormatter.format(instant).split(':') as [string, string]);
  return clockWords(Number(hourText), minute);
}

/** An hour (0-23) and minute ("05") as people say them: "9:05am", "2pm", "midday". */
function clockWords(hour: number, minute: string): string {
  if (minute === '00' && hour === 12) return 'midday';
  if (minute === '00' && hour === 0) return 'midnight';
  const suffix = hour < 12 ? 'am' : 'pm';
  const twelve = hour % 12 === 0 ? 12 : hour % 12;
  return minute === '00' ? `${twelve}${suffix}` : `${twelve}:${minute}${suffix}`;
}

/** "9:30am to 3:30pm" on one day, or both dates when a part runs past midnight. */
export function formatTimeRange(start: Date, end: Date): string {
  if (londonDate(start) === londonDate(end)) return `${formatTime(start)} to ${formatTime(end)}`;
  return `${formatDate(start)} ${formatTime(start)} to ${formatDate(end)} ${formatTime(end)}`;
}

/** "3:30pm on Friday 6 March 2026": an exact moment, in London time. */
export function formatMoment(instant: Date): string {
  return `${formatTime(instant)} on ${formatDate(instant)}`;
}

/**
 * "11:59pm on Friday 6 March 2026" for a deadline that is exclusive and falls
 * at midnight: people read "midnight on Saturday" as the wrong end of the
 * day, so the last minute before it is shown instead.
 */
export function formatDeadline(deadline: Date): string {
  return formatMoment(new Date(deadline.getTime() - 60_000));
}

/** "March 2026". */
export function formatMonth(month: MonthKey): string {
  return monthFormatter.format(new Date(`${month}-01T00:00:00Z`));
}

/** The instant as an ISO string with London's offset, e.g. "2024-11-25T09:30:00+00:00". */
export function toLondonIso(instant: Date): string {
  return toZoned(instant).toString({ timeZoneName: 'never', smallestUnit: 'second' });
}

function toZoned(instant: Date): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(HUB_TIME_ZONE);
}

/**
 * A time of day as typed, read the way people say it: "9:30am", "9.30am",
 * "9am", "09:30", "14:00", "2pm", "2:00 pm", "930", "noon", "midday",
 * "midnight". A bare hour ("9") is refused as ambiguous (morning or
 * evening?); impossible times ("13pm", "25:00", "9:75") as unreadable.
 */
export type TimeOfDayReading =
  | { ok: true; /** "HH:MM", 24-hour. */ time: string }
  | { ok: false; problem: 'ambiguous'; hour: number }
  | { ok: false; problem: 'unreadable' };

const TIME_OF_DAY = /^(\d{1,2})(?:[:.]?(\d{2}))?(am|pm)?$/;

export function readTimeOfDay(text: string): TimeOfDayReading {
  const v = text
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/([ap])\.?m\.?$/, '$1m');
  if (v === 'midday' || v === 'noon' || v === '12noon' || v === '12midday')
    return { ok: true, time: '12:00' };
  if (v === 'midnight' || v === '12midnight') return { ok: true, time: '00:00' };
  const match = TIME_OF_DAY.exec(v);
  if (!match) return { ok: false, problem: 'unreadable' };
  let hour = Number(match[1]);
  const minute = match[2] === undefined ? 0 : Number(match[2]);
  const suffix = match[3];
  if (minute > 59) return { ok: false, problem: 'unreadable' };
  if (suffix) {
    if (hour < 1 || hour > 12) return { ok: false, problem: 'unreadable' };
    hour = (hour % 12) + (suffix === 'pm' ? 12 : 0);
  } else if (match[2] === undefined) {
    // "9" alone could be morning or evening; "14" alone is unusual enough to ask again.
    return hour >= 1 && hour <= 12
      ? { ok: false, problem: 'ambiguous', hour }
      : { ok: false, problem: 'unreadable' };
  } else if (hour > 23) {
    return { ok: false, problem: 'unreadable' };
  }
  return { ok: true, time: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}` };
}

/** "09:30" (24-hour) as people say it and as forms show it back: "9:30am", "2pm", "midday". */
export function formatTimeOfDay(time: string): string {
  const match = /^(\d{2}):(\d{2})$/.exec(time);
  if (!match) return time;
  return clockWords(Number(match[1]), match[2]!);
}
