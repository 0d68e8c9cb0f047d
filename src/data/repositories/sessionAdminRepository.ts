/**
 * Sessions as the back office reads and changes them: the list (one query for
 * a page of sessions, then one grouped count of bookings for just that page),
 * a session with everything staff see, and the writes for changing and
 * cancelling one. Creating a session goes through ProgrammeRecords, the one
 * way in for new programme records.
 */
import { sql, type Kysely, type Transaction } from 'kysely';

import { MAX_SESSION_SPAN_DAYS, type ScheduleValues } from '../../domain/programme/sessionSchedule.js';
import type { DB, Instant } from '../schema.js';
import { sessionPartsInOrder, sessionsWithCourseAndVenue, taughtBy } from './sharedQueries.js';

type Executor = Kysely<DB> | Transaction<DB>;

export type SessionListState = 'upcoming' | 'past' | 'cancelled' | 'all';

export interface SessionListFilter {
  state: SessionListState;
  /** Sessions starting at or after this instant. */
  from?: Instant;
  /** Sessions starting before this instant. */
  to?: Instant;
  courseId?: number;
  /** A venue, or 'online' for sessions with none. */
  venueId?: number | 'online';
  trainerId?: number;
  /** A trainer's own sessions only: set for trainers whatever else is asked. */
  onlyTrainerId?: number;
  /** Lower-cased words that must all appear in the course title. */
  words: string[];
  now: Instant;
  limit: number;
  offset: number;
}

export interface BookingCounts {
  confirmed: number;
  /** Offers not yet expired: places held for someone from the waiting list. */
  offered: number;
  waitlisted: number;
}

const NO_BOOKINGS: BookingCounts = { confirmed: 0, offered: 0, waitlisted: 0 };

/** `%word%` for LIKE, with the pattern characters in the word taken literally. */
function containsPattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A scheduled session's changes: what the schedule form asks, but the course (fixed once scheduled). */
export type SessionChange = Omit<ScheduleValues, 'courseId'>;

export class SessionAdminRepository {
  constructor(private readonly db: Executor) {}

  within(trx: Executor): SessionAdminRepository {
    return new SessionAdminRepository(trx);
  }

  /**
   * The sessions a filter matches. Every state bounds `starts_at`, so the
   * sessions(starts_at, id) index finds them in order without reading the
   * whole table: a session not yet finished started at most
   * MAX_SESSION_SPAN_DAYS ago (the form keeps parts within that), and one
   * that has finished started before now.
   */
  private listBase(filter: SessionListFilter) {
    const longestAgo = new Date(Date.parse(filter.now) - MAX_SESSION_SPAN_DAYS * 86_400_000).toISOString();
    let q = this.db.selectFrom('sessions');
    if (filter.state === 'upcoming') {
      q = q
        .where('sessions.starts_at', '>', longestAgo)
        .where('sessions.ends_at', '>', filter.now)
        .where('sessions.cancelled_at', 'is', null);
    } else if (filter.state === 'past') {
      q = q
        .where('sessions.starts_at', '<', filter.now)
        .where('sessions.ends_at', '<=', filter.now)
        .where('sessions.cancelled_at', 'is', null);
    } else if (filter.state === 'cancelled') {
      q = q.where('sessions.cancelled_at', 'is not', null);
    }
    if (filter.from) q = q.where('sessions.starts_at', '>=', filter.from);
    if (filter.to) q = q.where('sessions.starts_at', '<', filter.to);
    if (filter.courseId !== undefined) q = q.where('sessions.course_id', '=', filter.courseId);
    if (filter.venueId === 'online') q = q.where('sessions.venue_id', 'is', null);
    else if (filter.venueId !== undefined) q = q.where('sessions.venue_id', '=', filter.venueId);
    for (const trainerId of [filter.trainerId, filter.onlyTrainerId]) {
      if (trainerId === undefined) continue;
      q = q.where(taughtBy(trainerId));
    }
    if (filter.words.length) {
      // A subquery rather than a join, so counting needs no join at all.
      const words = filter.words;
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('courses')
            .whereRef('courses.id', '=', 'sessions.course_id')
            .where((c) =>
              c.and(
                words.map((word) => sql<boolean>`lower(${sql.ref('courses.title')}) like ${containsPattern(word)} escape '\\'`),
              ),
            )
            .select(sql`1`.as('one')),
        ),
      );
    }
    return q;
  }

  /** One page of sessions, and how many match in all. */
  async list(filter: SessionListFilter) {
    // Past sessions read most recent first; everything else soonest first.
    const direction = filter.state === 'past' ? 'desc' : 'asc';
    const [rows, total] = await Promise.all([
      this.listBase(filter)
        .innerJoin('courses', 'courses.id', 'sessions.course_id')
        .leftJoin('venues', 'venues.id', 'sessions.venue_id')
        .select([
          'sessions.id',
          'sessions.format',
          'sessions.capacity',
          'sessions.starts_at',
          'sessions.ends_at',
          'sessions.cancelled_at',
          'courses.title as course_title',
          'venues.name as venue_name',
          'venues.town as venue_town',
        ])
        .orderBy('sessions.starts_at', direction)
        .orderBy('sessions.id', direction)
        .limit(filter.limit)
        .offset(filter.offset)
        .execute(),
      this.listBase(filter)
        .select(sql<number>`cast(count(*) as integer)`.as('total'))
        .executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.total) };
  }

  /**
   * Live bookings of the given sessions, counted by state in one grouped
   * query on bookings(session_id, state). Expired offers not yet closed by
   * the waiting-list job hold no place, so they are not counted.
   */
  async bookingCounts(sessionIds: readonly number[], now: Instant): Promise<Map<number, BookingCounts>> {
    const counts = new Map<number, BookingCounts>();
    if (!sessionIds.length) return counts;
    const rows = await this.db
      .selectFrom('bookings')
      .where('session_id', 'in', sessionIds)
      .where((eb) =>
        eb.or([
          eb('state', 'in', ['confirmed', 'waitlisted']),
          eb.and([eb('state', '=', 'offered'), eb('offer_expires_at', '>', now)]),
        ]),
      )
      .select(['session_id', 'state', sql<number>`cast(count(*) as integer)`.as('n')])
      .groupBy(['session_id', 'state'])
      .execute();
    for (const row of rows) {
      const entry = counts.get(row.session_id) ?? { ...NO_BOOKINGS };
      if (row.state === 'confirmed' || row.state === 'offered' || row.state === 'waitlisted') {
        entry[row.state] = Number(row.n);
      }
      counts.set(row.session_id, entry);
    }
    return counts;
  }

  /** The trainers of the given sessions, in their order, in one query. */
  async trainersOf(sessionIds: readonly number[]): Promise<Map<number, { id: number; name: string }[]>> {
    const trainers = new Map<number, { id: number; name: string }[]>();
    if (!sessionIds.length) return trainers;
    const rows = await this.db
      .selectFrom('session_trainers')
      .innerJoin('trainers', 'trainers.id', 'session_trainers.trainer_id')
      .where('session_trainers.session_id', 'in', sessionIds)
      .select(['session_trainers.session_id', 'trainers.id', 'trainers.name'])
      .orderBy('session_trainers.session_id')
      .orderBy('session_trainers.position')
      .execute();
    for (const row of rows) {
      const list = trainers.get(row.session_id) ?? [];
      list.push({ id: row.id, name: row.name });
      trainers.set(row.session_id, list);
    }
    return trainers;
  }

  /** Courses for choosing: every course for filters, or only live ones for scheduling. */
  courses(liveOnly: boolean) {
    let q = this.db.selectFrom('courses').select(['id', 'title', 'slug', 'archived_at']).orderBy('title');
    if (liveOnly) q = q.where('archived_at', 'is', null);
    return q.execute();
  }

  venues() {
    return this.db.selectFrom('venues').select(['id', 'name', 'town']).orderBy('name').execute();
  }

  trainers() {
    return this.db.selectFrom('trainers').select(['id', 'name', 'role_title']).orderBy('name').execute();
  }

  async liveCourseExists(id: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('courses')
      .where('id', '=', id)
      .where('archived_at', 'is', null)
      .select('id')
      .executeTakeFirst();
    return Boolean(row);
  }

  async venueExists(id: number): Promise<boolean> {
    return Boolean(await this.db.selectFrom('venues').where('id', '=', id).select('id').executeTakeFirst());
  }

  /** Those of `ids` that are trainers. */
  async existingTrainerIds(ids: readonly number[]): Promise<number[]> {
    if (!ids.length) return [];
    const rows = await this.db.selectFrom('trainers').where('id', 'in', ids).select('id').execute();
    return rows.map((r) => r.id);
  }

  /** A session with its course and venue, as staff see it. */
  session(id: number) {
    return sessionsWithCourseAndVenue(this.db)
      .where('sessions.id', '=', id)
      .select([
        'sessions.id',
        'sessions.course_id',
        'sessions.format',
        'sessions.venue_id',
        'sessions.online_joining_url',
        'sessions.capacity',
        'sessions.starts_at',
        'sessions.ends_at',
        'sessions.booking_opens_at',
        'sessions.booking_closes_at',
        'sessions.notes',
        'sessions.cancelled_at',
        'sessions.cancellation_reason',
        'sessions.updated_at',
        'courses.title as course_title',
        'courses.slug as course_slug',
        'courses.summary as course_summary',
        'courses.archived_at as course_archived_at',
        'venues.name as venue_name',
        'venues.address_lines as venue_address_lines',
        'venues.town as venue_town',
        'venues.postcode as venue_postcode',
        'venues.phone as venue_phone',
        'venues.travel_notes as venue_travel_notes',
      ])
      .executeTakeFirst();
  }

  parts(sessionId: number) {
    return sessionPartsInOrder(this.db, sessionId);
  }

  async teaches(sessionId: number, trainerId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('session_trainers')
      .where('session_id', '=', sessionId)
      .where('trainer_id', '=', trainerId)
      .select('trainer_id')
      .executeTakeFirst();
    return Boolean(row);
  }

  /** Every live booking of a session (offers whether or not they have run out), oldest first. */
  liveBookings(sessionId: number) {
    return this.db
      .selectFrom('bookings')
      .where('session_id', '=', sessionId)
      .where('state', 'in', ['confirmed', 'offered', 'waitlisted'])
      .select(['id', 'state', 'delegate_id'])
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  /** Parts that have attendance marked, by id: such a part cannot be removed. */
  async partsWithAttendance(partIds: readonly number[]): Promise<number[]> {
    if (!partIds.length) return [];
    const rows = await this.db
      .selectFrom('attendance')
      .where('session_part_id', 'in', partIds)
      .select('session_part_id')
      .distinct()
      .execute();
    return rows.map((r) => r.session_part_id);
  }

  /**
   * Writes a session's changed details. Parts are updated in place by
   * position (attendance already marked on a part stays with it), extra ones
   * added and missing ones removed; the span is written with them.
   */
  async update(sessionId: number, change: SessionChange, updatedAt: Instant): Promise<void> {
    const first = change.parts[0];
    const last = change.parts[change.parts.length - 1];
    if (!first || !last) throw new Error('A session needs at least one part');
    await this.db
      .updateTable('sessions')
      .set({
        format: change.format,
        venue_id: change.venueId,
        online_joining_url: change.onlineJoiningUrl,
        capacity: change.capacity,
        starts_at: first.startsAt.toISOString(),
        ends_at: last.endsAt.toISOString(),
        booking_opens_at: change.bookingOpensAt?.toISOString() ?? null,
        booking_closes_at: change.bookingClosesAt?.toISOString() ?? null,
        notes: change.notes,
        updated_at: updatedAt,
      })
      .where('id', '=', sessionId)
      .execute();
    const existing = await this.parts(sessionId);
    for (const [position, part] of change.parts.entries()) {
      const values = { starts_at: part.startsAt.toISOString(), ends_at: part.endsAt.toISOString() };
      const current = existing.find((p) => p.position === position);
      if (current) {
        if (current.starts_at !== values.starts_at || current.ends_at !== values.ends_at) {
          await this.db.updateTable('session_parts').set(values).where('id', '=', current.id).execute();
        }
      } else {
        await this.db
          .insertInto('session_parts')
          .values({ session_id: sessionId, position, ...values })
          .execute();
      }
    }
    const removed = existing.filter((p) => p.position >= change.parts.length).map((p) => p.id);
    if (removed.length) await this.db.deleteFrom('session_parts').where('id', 'in', removed).execute();

    await this.db.deleteFrom('session_trainers').where('session_id', '=', sessionId).execute();
    if (change.trainerIds.length) {
      await this.db
        .insertInto('session_trainers')
        .values(change.trainerIds.map((trainer_id, position) => ({ session_id: sessionId, trainer_id, position })))
        .execute();
    }
  }

  async trainerIdsOf(sessionId: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('session_trainers')
      .where('session_id', '=', sessionId)
      .select('trainer_id')
      .orderBy('position')
      .execute();
    return rows.map((r) => r.trainer_id);
  }

  /** Marks the session cancelled; false when it already was. */
  async cancel(sessionId: number, reason: string, now: Instant, updatedAt: Instant): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({ cancelled_at: now, cancellation_reason: reason, updated_at: updatedAt })
      .where('id', '=', sessionId)
      .where('cancelled_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The course's other dates that still take bookings (or will), soonest first. */
  otherDates(courseId: number, exceptSessionId: number, now: Instant, limit = 5) {
    return this.db
      .selectFrom('sessions')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('sessions.course_id', '=', courseId)
      .where('sessions.id', '!=', exceptSessionId)
      .where('sessions.cancelled_at', 'is', null)
      .where('courses.archived_at', 'is', null)
      .where('sessions.starts_at', '>', now)
      .where((eb) => eb.or([eb('sessions.booking_closes_at', 'is', null), eb('sessions.booking_closes_at', '>', now)]))
      .select(['sessions.id', 'sessions.starts_at', 'sessions.ends_at'])
      .orderBy('sessions.starts_at')
      .orderBy('sessions.id')
      .limit(limit)
      .execute();
  }
}
