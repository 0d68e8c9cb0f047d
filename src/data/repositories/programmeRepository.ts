/**
 * The programme as the back office reads and changes it: courses with their
 * lists, venues and trainers. New records go in through ProgrammeRecords
 * (the one way in, shared with the demo loader); this adds what only staff
 * need: lists with counts, searches, changes, archiving.
 */
import { sql, type Kysely, type Transaction } from 'kysely';

import type { DB, Instant } from '../schema.js';
import {
  courseAudiencesQuery,
  courseListTexts,
  courseTopicsQuery,
  upcomingAtVenue,
  upcomingForTrainer,
} from './catalogueRepository.js';
import {
  courseColumns,
  ProgrammeRecords,
  trainerColumns,
  venueColumns,
  type CourseFields,
  type CourseLists,
  type TrainerFields,
  type VenueFields,
} from './programmeRecords.js';
import { LIVE_STATES, partsCount, waitlistLength } from './sharedQueries.js';

type Executor = Kysely<DB> | Transaction<DB>;

export type CourseStatusFilter = 'live' | 'archived' | 'all';

export type { CourseFields, CourseLists, TrainerFields, VenueFields };

/** Words for LIKE, with its wildcards taken literally. */
function likePattern(word: string): string {
  return `%${word.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class ProgrammeRepository {
  constructor(private readonly db: Executor) {}

  within(trx: Transaction<DB>): ProgrammeRepository {
    return new ProgrammeRepository(trx);
  }

  // ---------------------------------------------------------------- courses

  /**
   * Courses whose title or summary holds every word, with how many sessions
   * each has still to run (not cancelled).
   */
  listCourses(words: string[], now: Instant) {
    let query = this.db.selectFrom('courses');
    for (const word of words) {
      const pattern = likePattern(word);
      query = query.where((eb) =>
        eb.or([
          eb(sql`lower(courses.title)`, 'like', sql`${pattern} escape '\\'`),
          eb(sql`lower(courses.summary)`, 'like', sql`${pattern} escape '\\'`),
        ]),
      );
    }
    return query
      .select(['courses.id', 'courses.slug', 'courses.title', 'courses.level', 'courses.archived_at'])
      .select((eb) =>
        eb
          .selectFrom('sessions')
          .select(sql<number>`cast(count(*) as integer)`.as('n'))
          .whereRef('sessions.course_id', '=', 'courses.id')
          .where('sessions.starts_at', '>=', now)
          .where('sessions.cancelled_at', 'is', null)
          .as('upcoming'),
      )
      .orderBy('courses.title')
      .orderBy('courses.id')
      .execute();
  }

  findCourse(id: number) {
    return this.db.selectFrom('courses').where('id', '=', id).selectAll().executeTakeFirst();
  }

  /** A course's lists, testimonials (published or not), topics and audiences. */
  async courseLists(courseId: number) {
    const [keyAreas, learningOutcomes, testimonials, topics, audiences] = await Promise.all([
      courseListTexts(this.db, 'course_key_areas', courseId),
      courseListTexts(this.db, 'course_learning_outcomes', courseId),
      this.db
        .selectFrom('course_testimonials')
        .where('course_id', '=', courseId)
        .select(['quote', 'attribution', 'published_at'])
        .orderBy('position')
        .orderBy('id')
        .execute(),
      courseTopicsQuery(this.db, courseId).select(['topics.id', 'topics.name']).execute(),
      courseAudiencesQuery(this.db, courseId).select(['audiences.id', 'audiences.name']).execute(),
    ]);
    return { keyAreas, learningOutcomes, testimonials, topics, audiences };
  }

  listTopics() {
    return this.db.selectFrom('topics').select(['id', 'name']).orderBy('name').execute();
  }

  listAudiences() {
    return this.db.selectFrom('audiences').select(['id', 'name']).orderBy('name').execute();
  }

  /** Slugs in `table` that are `base` or `base-<something>`, to choose a free one. */
  async slugsLike(table: 'courses' | 'venues' | 'trainers', base: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom(table)
      // Slugs hold only a-z, 0-9 and hyphens, so `base` has no LIKE wildcards.
      .where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${base}-%`)]))
      .select('slug')
      .execute();
    return rows.map((r) => r.slug);
  }

  /**
   * A course's sessions for staff: those still to come (cancelled ones too,
   * marked) and the most recent that have run, with bookings counted.
   */
  async courseSessions(courseId: number, now: Instant, recentLimit = 10) {
    const base = () =>
      this.db
        .selectFrom('sessions')
        .leftJoin('venues', 'venues.id', 'sessions.venue_id')
        .where('sessions.course_id', '=', courseId)
        .select([
          'sessions.id',
          'sessions.format',
          'sessions.starts_at',
          'sessions.ends_at',
          'sessions.capacity',
          'sessions.cancelled_at',
          'venues.name as venue_name',
          'venues.town as venue_town',
        ])
        .select((eb) => [
          eb
            .selectFrom('bookings')
            .select(sql<number>`cast(count(*) as integer)`.as('n'))
            .whereRef('bookings.session_id', '=', 'sessions.id')
            .where('bookings.state', '=', 'confirmed')
            .as('confirmed'),
          waitlistLength(eb).as('waitlisted'),
          partsCount(eb).as('parts'),
        ]);
    const [upcoming, recent] = await Promise.all([
      base().where('sessions.ends_at', '>', now).orderBy('sessions.starts_at').orderBy('sessions.id').execute(),
      base()
        .where('sessions.ends_at', '<=', now)
        .orderBy('sessions.starts_at', 'desc')
        .orderBy('sessions.id', 'desc')
        .limit(recentLimit)
        .execute(),
    ]);
    return { upcoming, recent };
  }

  /** The course's sessions that have not ended and are not cancelled, in id order (for their locks). */
  async unfinishedSessionIds(courseId: number, now: Instant): Promise<number[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .where('course_id', '=', courseId)
      .where('ends_at', '>', now)
      .where('cancelled_at', 'is', null)
      .select('id')
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * How many of a course's sessions have not yet ended, are not cancelled, and
   * have delegates booked, offered a place or waiting: the ones archiving would strand.
   */
  async sessionsWithDelegates(courseId: number, now: Instant): Promise<number> {
    const row = await this.db
      .selectFrom('sessions')
      .where('sessions.course_id', '=', courseId)
      .where('sessions.ends_at', '>', now)
      .where('sessions.cancelled_at', 'is', null)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('bookings')
            .whereRef('bookings.session_id', '=', 'sessions.id')
            .where('bookings.state', 'in', LIVE_STATES)
            .select(sql`1`.as('one')),
        ),
      )
      .select(sql<number>`cast(count(*) as integer)`.as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async updateCourse(
    id: number,
    fields: CourseFields & { slug: string },
    lists: CourseLists,
    now: Instant,
  ): Promise<void> {
    await this.db
      .updateTable('courses')
      .set({
        slug: fields.slug,
        ...courseColumns(fields),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    // Lists are small and ordered: replacing them is simpler than diffing and
    // leaves positions tidy.
    for (const table of [
      'course_key_areas',
      'course_learning_outcomes',
      'course_testimonials',
      'course_topics',
      'course_audiences',
    ] as const) {
      await this.db.deleteFrom(table).where('course_id', '=', id).execute();
    }
    await new ProgrammeRecords(this.db).insertCourseLists(id, lists);
  }

  async setCourseArchived(id: number, archivedAt: Instant | null, now: Instant): Promise<void> {
    await this.db
      .updateTable('courses')
      .set({ archived_at: archivedAt, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  // ----------------------------------------------------------------- venues

  /** Every venue, with how many sessions it has still to host (not cancelled). */
  listVenues(now: Instant) {
    return this.db
      .selectFrom('venues')
      .selectAll('venues')
      .select(upcomingAtVenue(now))
      .orderBy('venues.name')
      .orderBy('venues.id')
      .execute();
  }

  findVenue(id: number) {
    return this.db.selectFrom('venues').where('id', '=', id).selectAll().executeTakeFirst();
  }

  async updateVenue(id: number, venue: VenueFields, now: Instant): Promise<void> {
    await this.db
      .updateTable('venues')
      .set({
        ...venueColumns(venue),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  // --------------------------------------------------------------- trainers

  /** Every trainer, with how many sessions they have still to run (not cancelled). */
  listTrainers(now: Instant) {
    return this.db
      .selectFrom('trainers')
      .selectAll('trainers')
      .select(upcomingForTrainer(now))
      .orderBy('trainers.name')
      .orderBy('trainers.id')
      .execute();
  }

  findTrainer(id: number) {
    return this.db.selectFrom('trainers').where('id', '=', id).selectAll().executeTakeFirst();
  }

  async updateTrainer(id: number, trainer: TrainerFields, now: Instant): Promise<void> {
    await this.db
      .updateTable('trainers')
      .set({
        ...trainerColumns(trainer),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }
}
