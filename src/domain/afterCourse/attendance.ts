/**
 * Attendance: whether a delegate with a confirmed place was there, marked
 * for each part of a session by a trainer or coordinator once it has begun.
 */
import type { BookingState } from '../programme/availability.js';

export const ATTENDANCE_STATUSES = ['attended', 'partial', 'absent'] as const;
export type AttendanceStatus = (typeof ATTENDANCE_STATUSES)[number];

/** The words staff see on the page and in exports, one set for both. */
export const ATTENDANCE_WORDS: Record<AttendanceStatus, string> = {
  attended: 'Attended',
  partial: 'Partly attended',
  absent: 'Did not attend',
};
export const NOT_MARKED = 'Not marked';

/** A note is a few words ("left at lunch, unwell"), not a record. */
export const ATTENDANCE_NOTE_MAX = 200;

export function isAttendanceStatus(value: unknown): value is AttendanceStatus {
  return typeof value === 'string' && (ATTENDANCE_STATUSES as readonly string[]).includes(value);
}

/**
 * Bookings that put a delegate on the register: confirmed ones, and those
 * closed with one of the attendance outcomes a booking's state also allows.
 */
export const ON_REGISTER: readonly BookingState[] = ['confirmed', 'attended', 'partial', 'did_not_attend'];

/** Marking opens when the first part starts: before that nobody can have attended. */
export function markingOpen(firstPartStartsAt: Date, now: Date): boolean {
  return now.getTime() >= firstPartStartsAt.getTime();
}

/**
 * "Smith" from "Jo Smith": registers are read by people looking for their
 * own surname. Names are free text, so this is a sort key only, never shown.
 */
export function surnameKey(name: string): string {
  const words = name.trim().toLocaleLowerCase('en-GB').split(/\s+/);
  return `${words[words.length - 1] ?? ''} ${words.join(' ')}`;
}
