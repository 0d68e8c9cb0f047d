/**
 * What the after-course tests start from: a session of a demo course that
 * has finished, and delegates with a place on it, marked attended or not.
 * Put straight into the database, as the demo loader does, so each test
 * walks only the part of the journey it is about.
 */
import type { Kysely } from 'kysely';

import type { DB } from '../../src/data/schema.js';
import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import { ProgrammeRecords } from '../../src/data/repositories/programmeRecords.js';
import { newBookingReference } from '../../src/services/bookings/bookingReference.js';
import { createSignedInDelegates, type SignedInDelegate } from './seedDelegates.js';

const HOUR = 60 * 60 * 1000;

/** The demo's real course listing, which every after-course test uses. */
export const SEED_COURSE_SLUG = 'trauma-informed-co-production';

export interface FinishedSession {
  sessionId: number;
  courseId: number;
  courseTitle: string;
  startsAt: Date;
}

/** A one-part, six-hour session of the demo course `slug`, starting at `startsAt`. */
export async function finishedSession(
  db: Kysely<DB>,
  startsAt: Date,
  now: Date,
  slug = SEED_COURSE_SLUG,
): Promise<FinishedSession> {
  const course = await db
    .selectFrom('sessions')
    .innerJoin('courses', 'courses.id', 'sessions.course_id')
    .where('courses.slug', '=', slug)
    .select(['sessions.course_id', 'sessions.venue_id', 'courses.title'])
    .executeTakeFirstOrThrow();
  const sessionId = await new ProgrammeRecords(db).createSession(
    {
      courseId: course.course_id,
      format: 'in_person',
      venueId: course.venue_id,
      onlineJoiningUrl: null,
      capacity: 20,
      parts: [{ startsAt, endsAt: new Date(startsAt.getTime() + 6 * HOUR) }],
      trainerIds: [],
      notes: '',
      bookingOpensAt: null,
      bookingClosesAt: null,
    },
    now,
  );
  return { sessionId, courseId: course.course_id, courseTitle: course.title, startsAt };
}

export interface PlaceTaken {
  delegate: SignedInDelegate;
  reference: string;
  bookingId: number;
}

/**
 * A new signed-in delegate (named after `label`) with a confirmed place on
 * the session, marked attended on its one part when `attended` says so.
 */
export async function placeTaken(
  db: Kysely<DB>,
  sessionId: number,
  now: Date,
  label: string,
  { attended }: { attended: boolean },
): Promise<PlaceTaken> {
  const [delegate] = await createSignedInDelegates(db, now, 1, label);
  const reference = newBookingReference();
  await new DemoRepository(db).insertBookings(
    [{ reference, sessionId, delegateId: delegate!.id, state: 'confirmed', offerExpiresAt: null }],
    now,
  );
  const booking = await db
    .selectFrom('bookings')
    .where('reference', '=', reference)
    .select('id')
    .executeTakeFirstOrThrow();
  if (attended) {
    const part = await db
      .selectFrom('session_parts')
      .where('session_id', '=', sessionId)
      .select('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('attendance')
      .values({
        booking_id: booking.id,
        session_part_id: part.id,
        status: 'attended',
        note: '',
        marked_by_staff_id: null,
        marked_at: now.toISOString(),
      })
      .execute();
  }
  return { delegate: delegate!, reference, bookingId: booking.id };
}
