/**
 * Reads for the public catalogue: what visitors can browse. No writes here.
 */
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';

import type { CourseLevel, FormatFilter } from '../../domain/programme/course.js';
import { PUBLISHABLE_CONSENTS } from '../../domain/afterCourse/feedback.js';
import type { SearchTerm } from '../../domain/programme/search.js';
import type { DialectName } from '../db.js';
import type { DB, Instant } from '../schema.js';
import { partsCount, placesHeld, sessionsWithCourseAndVenue, taughtBy, waitlistLength } from './sharedQueries.js';

export interface SessionSearch {
  /**
   * Terms to find (see domain/programme/search.ts); a session matches when its search
   * document (migration 010) holds every term, and the best-matching courses
   * come first.
   */
  terms: SearchTerm[];
  from: Instant;
  to?: Instant;
  topic?: string;
  audience?: string;
  level?: CourseLevel;
  format?: FormatFilter;
  venue?: string;
  withPlacesOnly: boolean;
  limit: number;
  offset: number;
}

/**
 * SQLite's weights for the search document's parts (title, topics and
 * audiences, summary, trainers, venue, description), in the FTS5 table's
 * column order: words in a title say more about a course than words in its
 * description.
 */
const SQLITE_WEIGHTS = [10, 5, 4, 3, 3, 1];

/** One term as an FTS5 query: the joined word, or its parts as a phrase. Terms hold only letters and digits. */
function fts5Term(term: SearchTerm): string {
  const quoted = (text: string) => `"${text.replaceAll('"', '""')}"`;
  if (term.parts.length === 1) return quoted(term.joined);
  return `(${quoted(term.joined)} OR ${quoted(term.parts.join(' '))})`;
}

/** One term as a PostgreSQL tsquery, built from bound text so that nothing typed is read as syntax. */
function tsqueryTerm(term: SearchTerm) {
  const joined = sql`plainto_tsquery('english', ${term.joined})`;
  if (term.parts.length === 1) return joined;
  return sql`(${joined} || phraseto_tsquery('english', ${term.parts.join(' ')}))`;
}

/** Sessions holding every term, with a `score` for each (lower is better). */
function scoredSessions(dialect: DialectName, terms: SearchTerm[]) {
  return dialect === 'sqlite'
    ? sql`select rowid as session_id, bm25(session_search, ${sql.raw(SQLITE_WEIGHTS.join(', '))}) as score
        from session_search where session_search match ${terms.map(fts5Term).join(' AND ')}`
    : sql`select session_id, -ts_rank(document, query) as score
        from session_search, (select ${sql.join(terms.map(tsqueryTerm), sql` && `)} as query) as search
        where document @@ query`;
}

/** Sessions holding every term, as a table `matched` of `session_id`. */
function matchingSessions(dialect: DialectName, terms: SearchTerm[]) {
  return sql<{ session_id: number }>`(${scoredSessions(dialect, terms)})`.as('matched');
}

/**
 * Sessions holding every term, as a table `matched` of `session_id` and
 * `rank` (lower is better). A course ranks by its best-matching session, so
 * that its dates stay together and in order rather than being shuffled by
 * small differences such as the length of a venue's name.
 */
function rankedSessions(dialect: DialectName, terms: SearchTerm[]) {
  return sql<{ session_id: number; rank: number }>`(select scored.session_id,
      min(scored.score) over (partition by ranked.course_id) as rank
    from (${scoredSessions(dialect, terms)}) as scored join sessions as ranked on ranked.id = scored.session_id)`.as(
    'matched',
  );
}

/*
 * Reads the back office makes the same way (ProgrammeRepository): one
 * query for each, so staff and visitors count and order alike.
 */

/** A course's key areas or learning outcomes, in their order. */
export async function courseListTexts(
  db: Kysely<DB>,
  table: 'course_key_areas' | 'course_learning_outcomes',
  courseId: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom(table)
    .where('course_id', '=', courseId)
    .select('text')
    .orderBy('position')
    .execute();
  return rows.map((r) => r.text);
}

/** A course's topics by name; the caller chooses the columns. */
export function courseTopicsQuery(db: Kysely<DB>, courseId: number) {
  return db
    .selectFrom('course_topics')
    .innerJoin('topics', 'topics.id', 'course_topics.topic_id')
    .where('course_topics.course_id', '=', courseId)
    .orderBy('topics.name');
}

/** A course's audiences by name; the caller chooses the columns. */
export function courseAudiencesQuery(db: Kysely<DB>, courseId: number) {
  return db
    .selectFrom('course_audiences')
    .innerJoin('audiences', 'audiences.id', 'course_audiences.audience_id')
    .where('course_audiences.course_id', '=', courseId)
    .orderBy('audiences.name');
}

/** How many sessions a venue has still to start, not cancelled, as `upcoming`. */
export function upcomingAtVenue(now: Instant) {
  return (eb: ExpressionBuilder<DB, 'venues'>) =>
    eb
      .selectFrom('sessions')
      .select(sql<number>`cast(count(*) as integer)`.as('n'))
      .whereRef('sessions.venue_id', '=', 'venues.id')
      .where('sessions.starts_at', '>', now)
      .where('sessions.cancelled_at', 'is', null)
      .as('upcoming');
}

/** How many sessions a trainer has still to start, not cancelled, as `upcoming`. */
export function upcomingForTrainer(now: Instant) {
  return (eb: ExpressionBuilder<DB, 'trainers'>) =>
    eb
      .selectFrom('session_trainers')
      .innerJoin('sessions', 'sessions.id', 'session_trainers.session_id')
      .select(sql<number>`cast(count(*) as integer)`.as('n'))
      .whereRef('session_trainers.trainer_id', '=', 'trainers.id')
      .where('sessions.starts_at', '>', now)
      .where('sessions.cancelled_at', 'is', null)
      .as('upcoming');
}

export const sessionListingColumns = [
  'sessions.id',
  'sessions.format',
  'sessions.capacity',
  'sessions.starts_at',
  'sessions.ends_at',
  'sessions.cancelled_at',
  'courses.slug as course_slug',
  'courses.title as course_title',
  'courses.summary as course_summary',
  'courses.level as course_level',
  'venues.slug as venue_slug',
  'venues.name as venue_name',
  'venues.town as venue_town',
] as const;

export type SessionListingRow = Awaited<ReturnType<CatalogueRepository['searchSessions']>>['rows'][number];

export class CatalogueRepository {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: DialectName,
  ) {}

  private listingBase() {
    return sessionsWithCourseAndVenue(this.db);
  }

  async searchSessions(search: SessionSearch, now: Instant) {
    type Base = ReturnType<CatalogueRepository['listingBase']>;
    type Matches = ReturnType<typeof matchingSessions> | ReturnType<typeof rankedSessions>;
    const filtered = (query: Base, matched?: Matches): Base => {
      let q = query
        .$if(matched !== undefined, (qb) => qb.innerJoin(matched!, 'matched.session_id', 'sessions.id'))
        .where('sessions.starts_at', '>=', search.from)
        // A session has started at its start time (domain/programme/availability.ts), so is no longer listed then.
        .where('sessions.starts_at', '>', now)
        .where('sessions.cancelled_at', 'is', null)
        .where('courses.archived_at', 'is', null);
      if (search.to) q = q.where('sessions.starts_at', '<', search.to);
      if (search.level) q = q.where('courses.level', '=', search.level);
      if (search.format) q = q.where('sessions.format', 'in', [search.format, 'hybrid']);
      if (search.venue) q = q.where('venues.slug', '=', search.venue);
      if (search.topic) {
        const topic = search.topic;
        q = q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('course_topics')
              .innerJoin('topics', 'topics.id', 'course_topics.topic_id')
              .whereRef('course_topics.course_id', '=', 'courses.id')
              .where('topics.slug', '=', topic)
              .select(sql`1`.as('one')),
          ),
        );
      }
      if (search.audience) {
        const audience = search.audience;
        q = q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('course_audiences')
              .innerJoin('audiences', 'audiences.id', 'course_audiences.audience_id')
              .whereRef('course_audiences.course_id', '=', 'courses.id')
              .where('audiences.slug', '=', audience)
              .select(sql`1`.as('one')),
          ),
        );
      }
      if (search.withPlacesOnly) {
        q = q.where((eb) => eb('sessions.capacity', '>', placesHeld(now)(eb)));
      }
      return q;
    };

    const listing = (query: Base) =>
      query
        .select(sessionListingColumns)
        .select((eb) => [placesHeld(now)(eb).as('places_held'), waitlistLength(eb).as('waitlisted'), partsCount(eb).as('parts_count')]);
    const terms = search.terms.length ? search.terms : undefined;
    const [rows, total] = await Promise.all([
      terms ? this.rankedPage(filtered(this.listingBase(), rankedSessions(this.dialect, terms)), search, listing)
        : listing(filtered(this.listingBase()))
            .orderBy('sessions.starts_at')
            .orderBy('sessions.id')
            .limit(search.limit)
            .offset(search.offset)
            .execute(),
      filtered(this.listingBase(), terms && matchingSessions(this.dialect, terms))
        .select(sql<number>`cast(count(*) as integer)`.as('total'))
        .executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.total) };
  }

  /**
   * One page of ranked matches: the page's sessions are chosen first, and
   * only they are counted (places, waiting list, parts), rather than every
   * session that matched a common word.
   */
  private async rankedPage<Row extends { id: number }>(
    ranked: ReturnType<CatalogueRepository['listingBase']>,
    search: SessionSearch,
    listing: (query: ReturnType<CatalogueRepository['listingBase']>) => { execute(): Promise<Row[]> },
  ): Promise<Row[]> {
    const page = await ranked
      .select('sessions.id')
      .orderBy(sql`matched.rank`)
      .orderBy('sessions.course_id')
      .orderBy('sessions.starts_at')
      .orderBy('sessions.id')
      .limit(search.limit)
      .offset(search.offset)
      .execute();
    if (page.length === 0) return [];
    const order = new Map(page.map((row, i) => [row.id, i]));
    const rows = await listing(this.listingBase().where('sessions.id', 'in', [...order.keys()])).execute();
    return rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  }

  /** Start instants of every upcoming session, for the month filter's choices. */
  async upcomingStarts(now: Instant): Promise<Instant[]> {
    const rows = await this.listingBase()
      .where('sessions.starts_at', '>', now)
      .where('sessions.cancelled_at', 'is', null)
      .where('courses.archived_at', 'is', null)
      .select('sessions.starts_at')
      .orderBy('sessions.starts_at')
      .execute();
    return rows.map((r) => r.starts_at);
  }

  listTopics() {
    return this.db.selectFrom('topics').select(['slug', 'name']).orderBy('name').execute();
  }

  listAudiences() {
    return this.db.selectFrom('audiences').select(['slug', 'name']).orderBy('name').execute();
  }

  listVenues() {
    return this.db
      .selectFrom('venues')
      .select(['slug', 'name', 'town'])
      .orderBy('name')
      .execute();
  }

  async findSession(id: number, now: Instant) {
    return this.listingBase()
      .where('sessions.id', '=', id)
      .select(sessionListingColumns)
      .select([
        'sessions.course_id',
        'sessions.venue_id',
        'sessions.booking_opens_at',
        'sessions.booking_closes_at',
        'sessions.notes',
        'sessions.cancellation_reason',
      ])
      .select((eb) => [placesHeld(now)(eb).as('places_held'), waitlistLength(eb).as('waitlisted')])
      .executeTakeFirst();
  }

  sessionParts(sessionId: number) {
    return this.db
      .selectFrom('session_parts')
      .where('session_id', '=', sessionId)
      .select(['starts_at', 'ends_at'])
      .orderBy('position')
      .execute();
  }

  sessionTrainers(sessionId: number) {
    return this.db
      .selectFrom('session_trainers')
      .innerJoin('trainers', 'trainers.id', 'session_trainers.trainer_id')
      .where('session_trainers.session_id', '=', sessionId)
      .select(['trainers.slug', 'trainers.name', 'trainers.role_title'])
      .orderBy('session_trainers.position')
      .execute();
  }

  findCourseBySlug(slug: string) {
    return this.db
      .selectFrom('courses')
      .where('slug', '=', slug)
      .where('archived_at', 'is', null)
      .selectAll()
      .executeTakeFirst();
  }

  findCourseById(id: number) {
    return this.db.selectFrom('courses').where('id', '=', id).selectAll().executeTakeFirst();
  }

  async courseDetails(courseId: number) {
    const [keyAreas, learningOutcomes, testimonials, topics, audiences, feedbackQuotes] = await Promise.all([
      courseListTexts(this.db, 'course_key_areas', courseId),
      courseListTexts(this.db, 'course_learning_outcomes', courseId),
      this.db
        .selectFrom('course_testimonials')
        .where('course_id', '=', courseId)
        .where('published_at', 'is not', null)
        .select(['quote', 'attribution'])
        .orderBy('position')
        .execute(),
      courseTopicsQuery(this.db, courseId).select(['topics.slug', 'topics.name']).execute(),
      courseAudiencesQuery(this.db, courseId).select(['audiences.slug', 'audiences.name']).execute(),
      // Quotes from feedback a coordinator chose, while the delegate's consent stands; signed
      // with their name and job role as they are now. Oldest choice first, as testimonials are kept.
      this.db
        .selectFrom('quote_publications')
        .innerJoin('feedback_responses', 'feedback_responses.id', 'quote_publications.response_id')
        .innerJoin('bookings', 'bookings.id', 'feedback_responses.booking_id')
        .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
        .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
        .where('sessions.course_id', '=', courseId)
        .where('feedback_responses.quote_consent', 'in', PUBLISHABLE_CONSENTS)
        .where('feedback_responses.quote', '!=', '')
        .select([
          'feedback_responses.quote',
          'feedback_responses.quote_consent',
          'delegates.name as delegate_name',
          'delegates.job_role',
        ])
        .orderBy('quote_publications.published_at')
        .orderBy('quote_publications.id')
        .execute(),
    ]);
    return { keyAreas, learningOutcomes, testimonials, topics, audiences, feedbackQuotes };
  }

  /** Upcoming, not cancelled sessions matching one of: a course, a venue or a trainer. */
  upcomingSessionsOf(of: { courseId?: number; venueId?: number; trainerId?: number }, now: Instant, limit = 50) {
    let q = this.listingBase()
      .where('sessions.starts_at', '>', now)
      .where('sessions.cancelled_at', 'is', null)
      .where('courses.archived_at', 'is', null);
    if (of.courseId !== undefined) q = q.where('sessions.course_id', '=', of.courseId);
    if (of.venueId !== undefined) q = q.where('sessions.venue_id', '=', of.venueId);
    if (of.trainerId !== undefined) q = q.where(taughtBy(of.trainerId));
    return q
      .select(sessionListingColumns)
      .select((eb) => [placesHeld(now)(eb).as('places_held'), waitlistLength(eb).as('waitlisted'), partsCount(eb).as('parts_count')])
      .orderBy('sessions.starts_at')
      .orderBy('sessions.id')
      .limit(limit)
      .execute();
  }

  /** A course's sessions that have started and were not cancelled: the dates it has run. */
  private pastOfCourse(courseId: number, now: Instant) {
    return this.listingBase()
      .where('sessions.course_id', '=', courseId)
      .where('sessions.starts_at', '<=', now)
      .where('sessions.cancelled_at', 'is', null);
  }

  /**
   * One page of a course's past dates, latest first (on the course and start
   * index, so a course that has run hundreds of times costs one page of rows).
   * `since` keeps only those started at or after it.
   */
  pastSessionsOfCourse(courseId: number, now: Instant, page: { since?: Instant; limit: number; offset: number }) {
    return this.pastOfCourse(courseId, now)
      .$if(page.since !== undefined, (q) => q.where('sessions.starts_at', '>=', page.since!))
      .select(sessionListingColumns)
      .select((eb) => partsCount(eb).as('parts_count'))
      .orderBy('sessions.starts_at', 'desc')
      .orderBy('sessions.id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
  }

  async countPastSessionsOfCourse(courseId: number, now: Instant): Promise<number> {
    const row = await this.pastOfCourse(courseId, now)
      .select(sql<number>`cast(count(*) as integer)`.as('total'))
      .executeTakeFirstOrThrow();
    return Number(row.total);
  }

  findVenueBySlug(slug: string) {
    return this.db.selectFrom('venues').where('slug', '=', slug).selectAll().executeTakeFirst();
  }

  findVenueById(id: number) {
    return this.db.selectFrom('venues').where('id', '=', id).selectAll().executeTakeFirst();
  }

  /** Every venue, with how many upcoming sessions it hosts. */
  venuesWithUpcoming(now: Instant) {
    return this.db
      .selectFrom('venues')
      .selectAll('venues')
      .select(upcomingAtVenue(now))
      .orderBy('venues.name')
      .execute();
  }

  /** Every trainer, with how many upcoming sessions they run. */
  trainersWithUpcoming(now: Instant) {
    return this.db
      .selectFrom('trainers')
      .select(['trainers.slug', 'trainers.name', 'trainers.role_title'])
      .select(upcomingForTrainer(now))
      .orderBy('trainers.name')
      .execute();
  }

  findTrainerBySlug(slug: string) {
    return this.db.selectFrom('trainers').where('slug', '=', slug).selectAll().executeTakeFirst();
  }

  /** Everything a sitemap lists. */
  async sitemap(now: Instant) {
    const [courses, sessions, venues, trainers] = await Promise.all([
      this.db
        .selectFrom('courses')
        .where('archived_at', 'is', null)
        .select(['slug', 'updated_at'])
        .orderBy('slug')
        .execute(),
      this.db
        .selectFrom('sessions')
        .innerJoin('courses', 'courses.id', 'sessions.course_id')
        .where('sessions.starts_at', '>', now)
        .where('courses.archived_at', 'is', null)
        .select(['sessions.id', 'sessions.updated_at'])
        .orderBy('sessions.starts_at')
        .execute(),
      this.db.selectFrom('venues').select(['slug', 'updated_at']).orderBy('slug').execute(),
      this.db.selectFrom('trainers').select(['slug', 'updated_at']).orderBy('slug').execute(),
    ]);
    return { courses, sessions, venues, trainers };
  }
}
