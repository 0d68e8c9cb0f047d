/**
 * When a job is due. A recorded cadence divides time into periods (a minute,
 * an hour, a London day from a set time, a London month from a set time on
 * its first day) and a job runs once a period,
 * however many processes run the scheduler; the period is named by the
 * instant it became due. Catching up needs nothing more: after a stop, the
 * latest due period has not been claimed, so it runs at the first tick. One
 * run covers every period missed, as each job does all that is due by now.
 */
import { addDays, londonDate, londonToInstant, monthKeyOf } from '../domain/time/time.js';

export type RecordedCadence =
  | { every: 'minute' }
  | { every: 'hour' }
  | { dailyAt: string }
  /** The first day of each London month, at this London time. */
  | { monthlyAt: string };

/**
 * Every few seconds in every process, with no run record: for the outbox,
 * whose messages are each claimed with a lease, so any number of senders
 * share the work, and whose record is each message's own.
 */
export interface ContinuousCadence {
  everySeconds: number;
}

export type Cadence = RecordedCadence | ContinuousCadence;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAILY_AT = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isContinuous(cadence: Cadence): cadence is ContinuousCadence {
  return 'everySeconds' in cadence;
}

/**
 * Refuses a daily time that some London days do not have once: the clocks
 * go forward from 1:00am to 2:00am in March (1:00-1:59am never happens) and
 * back from 2:00am to 1:00am in October (1:00-1:59am happens twice).
 */
export function checkCadence(cadence: Cadence): void {
  if (isContinuous(cadence)) {
    if (!Number.isInteger(cadence.everySeconds) || cadence.everySeconds < 1) {
      throw new Error(`A job cannot run every ${cadence.everySeconds} seconds`);
    }
    return;
  }
  const time = 'dailyAt' in cadence ? cadence.dailyAt : 'monthlyAt' in cadence ? cadence.monthlyAt : null;
  if (time === null) return;
  const match = DAILY_AT.exec(time);
  if (!match) throw new Error(`"${time}" is not a time like 03:00`);
  if (match[1] === '01') {
    throw new Error(`${time} is skipped or repeated in London when the clocks change; choose another time`);
  }
}

/** The instant the latest period due at `now` became due. */
export function latestDue(cadence: RecordedCadence, now: Date): Date {
  if ('dailyAt' in cadence) {
    const today = londonDate(now);
    const todayAt = londonToInstant(today, cadence.dailyAt);
    return todayAt <= now ? todayAt : londonToInstant(addDays(today, -1), cadence.dailyAt);
  }
  if ('monthlyAt' in cadence) {
    const month = monthKeyOf(now);
    const thisMonthAt = londonToInstant(`${month}-01`, cadence.monthlyAt);
    return thisMonthAt <= now
      ? thisMonthAt
      : londonToInstant(`${previousMonth(month)}-01`, cadence.monthlyAt);
  }
  // London's offset from UTC is a whole number of hours, so UTC minutes and
  // hours begin with London's.
  const step = cadence.every === 'minute' ? MINUTE : HOUR;
  return new Date(Math.floor(now.getTime() / step) * step);
}

/** The month before a month written "2026-03". */
function previousMonth(month: string): string {
  const year = Number(month.slice(0, 4));
  const number = Number(month.slice(5, 7));
  return number === 1 ? `${year - 1}-12` : `${year}-${String(number - 1).padStart(2, '0')}`;
}

/** How soon a failed period is tried again (a minute job simply runs next minute). */
export function retryDelayMs(cadence: RecordedCadence): number {
  return 'every' in cadence && cadence.every === 'minute' ? MINUTE : 10 * MINUTE;
}

/** The cadence in words, for the command line and the documentation. */
export function describeCadence(cadence: Cadence): string {
  if (isContinuous(cadence)) return `every ${cadence.everySeconds} seconds, in every process`;
  if ('dailyAt' in cadence) return `daily at ${cadence.dailyAt} London time`;
  if ('monthlyAt' in cadence) return `monthly on the 1st at ${cadence.monthlyAt} London time`;
  return cadence.every === 'minute' ? 'every minute' : 'hourly';
}
