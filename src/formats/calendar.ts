/**
 * A session as an iCalendar file: one event per part, in Europe/London with
 * its VTIMEZONE, so calendars place it right on both sides of a clock change.
 */
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { Temporal } from 'temporal-polyfill';

import { HUB_TIME_ZONE } from '../domain/time/time.js';
import type { HubSettings } from '../domain/hub/hub.js';

/** What a calendar file needs of a session (a SessionDetail has it all). */
export interface CalendarSession {
  id: number;
  course: { title: string; summary: string };
  venue: { name: string; fullAddress: string[] } | null;
  parts: { startsAt: Date; endsAt: Date }[];
  cancelled: boolean;
  /**
   * The revision: calendars keep the event with the highest SEQUENCE, so each
   * change to a session must send a higher one than before (the session's
   * `updated_at` in seconds does). Omitted: 0, the first version.
   */
  sequence?: number;
  /**
   * Parts the session no longer has (it had three, now two): sent as
   * cancelled events with their old ids, so calendars remove them.
   */
  withdrawnParts?: { startsAt: Date; endsAt: Date }[];
}

export function sessionCalendar(
  session: CalendarSession,
  hub: Pick<HubSettings, 'name' | 'contactEmail'>,
  publicUrl: string,
): string {
  const url = `${publicUrl}/sessions/${session.id}`;
  const host = new URL(publicUrl).host;
  const calendar = ical({
    prodId: { company: 'Trellis', product: 'Trellis', language: 'EN' },
    name: session.course.title,
    method: ICalCalendarMethod.PUBLISH,
    timezone: { name: HUB_TIME_ZONE, generator: getVtimezoneComponent },
  });
  const location = session.venue
    ? [session.venue.name, ...session.venue.fullAddress].join(', ')
    : 'Online (the joining link is sent to confirmed delegates)';
  session.parts.forEach((part, index) => {
    const partLabel = session.parts.length > 1 ? ` (part ${index + 1} of ${session.parts.length})` : '';
    calendar.createEvent({
      // Stable per session part, so an updated file replaces the old event.
      id: `session-${session.id}-part-${index + 1}@${host}`,
      // Zoned times, not Dates: given a Date, ical-generator writes the UTC
      // clock time under the London TZID, an hour out in summer.
      start: inLondon(part.startsAt),
      end: inLondon(part.endsAt),
      timezone: HUB_TIME_ZONE,
      summary: `${session.course.title}${partLabel}`,
      description: `${session.course.summary}\n\nDetails: ${url}`,
      location,
      url,
      organizer: { name: hub.name, email: hub.contactEmail },
      status: session.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      ...(session.sequence !== undefined ? { sequence: session.sequence } : {}),
    });
  });
  (session.withdrawnParts ?? []).forEach((part, index) => {
    const number = session.parts.length + index + 1;
    calendar.createEvent({
      id: `session-${session.id}-part-${number}@${host}`,
      start: inLondon(part.startsAt),
      end: inLondon(part.endsAt),
      timezone: HUB_TIME_ZONE,
      summary: `${session.course.title} (part ${number}, no longer part of the session)`,
      description: `This part of the session has been removed.\n\nDetails: ${url}`,
      location,
      url,
      organizer: { name: hub.name, email: hub.contactEmail },
      status: ICalEventStatus.CANCELLED,
      ...(session.sequence !== undefined ? { sequence: session.sequence } : {}),
    });
  });
  return calendar.toString();
}

function inLondon(instant: Date): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(HUB_TIME_ZONE);
}
