/**
 * Query pieces several repositories use, so that a rule such as "places held"
 * or "organisations a person may choose" is written once and read alike by
 * the public pages, the back office and the register.
 */
import { sql, type ExpressionBuilder, type Kysely, type Transaction } from 'kysely';

import { ON_REGISTER } from '../../domain/afterCourse/attendance.js';
import type { DB, Instant } from '../schema.js';

type Executor = Kysely<DB> | Transaction<DB>;

/** Booking states that hold a place or wait for one: a delegate has at most one such booking per session. */
export const LIVE_STATES = ['confirmed', 'offered', 'waitlisted'] as const;
export type LiveState = (typeof LIVE_STATES)[number];

/** Places held now: confirmed bookings and offers that have not expired. */
export function placesHeld(now: Instant) {
  return (eb: ExpressionBuilder<DB, 'sessions'>) =>
    eb
      .selectFrom('bookings')
      .select(sql<number>`cast(count(*) as integer)`.as('held'))
      .whereRef('bookings.session_id', '=', 'sessions.id')
      .where((b) =>
        b.or([
          b('bookings.state', '=', 'confirmed'),
          b.and([b('bookings.state', '=', 'offered'), b('bookings.offer_expires_at', '>', now)]),
        ]),
      );
}

export function waitlistLength(eb: ExpressionBuilder<DB, 'sessions'>) {
  return eb
    .selectFrom('bookings')
    .select(sql<number>`cast(count(*) as integer)`.as('waiting'))
    .whereRef('bookings.session_id', '=', 'sessions.id')
    .where('bookings.state', '=', 'waitlisted');
}

export function partsCount(eb: ExpressionBuilder<DB, 'sessions'>) {
  return eb
    .selectFrom('session_parts')
    .select(sql<number>`cast(count(*) as integer)`.as('parts'))
    .whereRef('session_parts.session_id', '=', 'sessions.id');
}

/** Whether `trainerId` teaches the session; null (not a trainer) is never true. */
export function taughtBy(trainerId: number | null) {
  return (eb: ExpressionBuilder<DB, 'sessions'>) =>
    eb.exists(
      eb
        .selectFrom('session_trainers')
        .whereRef('session_trainers.session_id', '=', 'sessions.id')
        .where('session_trainers.trainer_id', '=', trainerId ?? -1)
        .select(sql`1`.as('one')),
    );
}

/** Sessions with their course and, for sessions in a venue, the venue (online ones have none). */
export function sessionsWithCourseAndVenue(db: Executor) {
  return db
    .selectFrom('sessions')
    .innerJoin('courses', 'courses.id', 'sessions.course_id')
    .leftJoin('venues', 'venues.id', 'sessions.venue_id');
}

/** A session's parts in order (attendance is marked per part). */
export function sessionPartsInOrder(db: Executor, sessionId: number) {
  return db
    .selectFrom('session_parts')
    .where('session_id', '=', sessionId)
    .select(['id', 'position', 'starts_at', 'ends_at'])
    .orderBy('position')
    .execute();
}

/** The parts of several sessions, each session's in order: for reading many bookings' attendance at once. */
export function partsOfSessions(db: Executor, sessionIds: readonly number[]) {
  if (!sessionIds.length) return Promise.resolve([]);
  return db
    .selectFrom('session_parts')
    .where('session_id', 'in', sessionIds)
    .select(['id', 'session_id', 'position', 'starts_at', 'ends_at'])
    .orderBy('session_id')
    .orderBy('position')
    .execute();
}

/**
 * Places on sessions that ended between `endedAfter` and `endedBy`, not
 * cancelled, whose delegate was marked attended or partly attended at some
 * part: the places asked for feedback, and followed up months later.
 */
export function attendedPlacesEnded(db: Executor, endedAfter: Instant, endedBy: Instant) {
  return db
    .selectFrom('bookings')
    .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
    .where('sessions.ends_at', '<=', endedBy)
    .where('sessions.ends_at', '>', endedAfter)
    .where('sessions.cancelled_at', 'is', null)
    .where('bookings.state', 'in', ON_REGISTER)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('attendance')
          .select('attendance.id')
          .whereRef('attendance.booking_id', '=', 'bookings.id')
          .where('attendance.status', 'in', ['attended', 'partial']),
      ),
    );
}

/** Bookings with their delegate and the delegate's organisation (a delegate may have none). */
export function bookingsWithDelegates(db: Executor) {
  return db
    .selectFrom('bookings')
    .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
    .leftJoin('organisations', 'organisations.id', 'delegates.organisation_id');
}

/** The organisations a person may choose from a list: confirmed, and not merged into another. */
export function choosableOrganisations(db: Executor) {
  return db.selectFrom('organisations').where('confirmed_at', 'is not', null).where('merged_into_id', 'is', null);
}
