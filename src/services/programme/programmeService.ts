/**
 * Courses, venues and trainers as coordinators edit them: create, edit,
 * duplicate and archive courses; add and edit venues and trainers. Every
 * change is audited in the transaction that makes it.
 *
 * A record's slug (its public address) is made once from its title or name
 * and kept when that is reworded, so links already shared keep working.
 */
import type { Kysely, Transaction } from 'kysely';

import { recordAudit, type AuditEntry } from '../../data/repositories/auditRecords.js';
import {
  ProgrammeRepository,
  type CourseFields,
  type CourseStatusFilter,
  type TrainerFields,
  type VenueFields,
} from '../../data/repositories/programmeRepository.js';
import {
  courseFieldsOf,
  ProgrammeRecords,
  trainerFieldsOf,
  venueFieldsOf,
} from '../../data/repositories/programmeRecords.js';
import { PriceRecords } from '../../data/repositories/charges/priceRecords.js';
import type { DB, Instant } from '../../data/schema.js';
import { effectivePrices, orderedPrices, priceSummary, type Prices } from '../../domain/charges/prices.js';
import {
  COURSE_LEVEL_LABELS,
  describeCpdHours,
  SESSION_FORMAT_LABELS,
} from '../../domain/programme/course.js';
import { slugify, uniqueSlug } from '../../domain/programme/slug.js';
import { formatShortDate, formatTimeRange } from '../../domain/time/time.js';
import { ConflictError, FormError, NotFoundError } from '../../errors.js';
import type { ServiceDeps } from '../deps.js';

/** Who is making a change, for the audit log. */
export interface StaffActor {
  id: number;
}

export interface TestimonialInput {
  quote: string;
  attribution: string;
  /** The person agreed to it being published. */
  consent: boolean;
}

export interface CourseInput extends CourseFields {
  keyAreas: string[];
  learningOutcomes: string[];
  testimonials: TestimonialInput[];
  topicIds: number[];
  audienceIds: number[];
  /** What a place costs each organisation type, in pence; a type not named is free. */
  prices: Prices;
}

export type VenueInput = VenueFields;
export type TrainerInput = TrainerFields;

/** The suffix a duplicate's title gets. */
const COPY_SUFFIX = ' (copy)';
/** Course titles are at most this long (the form says so). */
export const COURSE_TITLE_LIMIT = 120;

/** Attempts at a free slug when someone else takes the one chosen at the same moment. */
const SLUG_ATTEMPTS = 3;

export class ProgrammeService {
  constructor(private readonly deps: ServiceDeps) {}

  private get repo() {
    return new ProgrammeRepository(this.deps.db);
  }

  private now(): Date {
    return this.deps.clock.now();
  }

  // ---------------------------------------------------------------- courses

  /** Courses matching the words, in the status chosen, with how many of each status match. */
  async courseList(filter: { words: string[]; status: CourseStatusFilter }) {
    const rows = await this.repo.listCourses(filter.words, this.now().toISOString());
    const courses = rows.map((row) => ({
      id: row.id,
      slug: row.slug,
      title: row.title,
      levelLabel: COURSE_LEVEL_LABELS[row.level],
      upcoming: Number(row.upcoming),
      archived: row.archived_at !== null,
    }));
    return {
      courses: courses.filter(
        (c) => filter.status === 'all' || (filter.status === 'archived' ? c.archived : !c.archived),
      ),
      counts: {
        live: courses.filter((c) => !c.archived).length,
        archived: courses.filter((c) => c.archived).length,
        all: courses.length,
      },
    };
  }

  /** The topics and audiences a course can be tagged with. */
  async courseFormOptions() {
    const [topics, audiences] = await Promise.all([this.repo.listTopics(), this.repo.listAudiences()]);
    return { topics, audiences };
  }

  /** A course as it stands, for its edit form, with the form's choices. */
  async courseForEdit(courseId: number) {
    const repo = this.repo;
    const row = await repo.findCourse(courseId);
    if (!row) throw new NotFoundError('course');
    const [lists, options, prices] = await Promise.all([
      repo.courseLists(courseId),
      this.courseFormOptions(),
      new PriceRecords(this.deps.db).coursePrices(courseId),
    ]);
    return {
      course: {
        id: row.id,
        slug: row.slug,
        ...courseFieldsOf(row),
        archived: row.archived_at !== null,
        neverPublic: neverPublic(row),
        keyAreas: lists.keyAreas,
        learningOutcomes: lists.learningOutcomes,
        testimonials: lists.testimonials.map(withConsent),
        topicIds: lists.topics.map((t) => t.id),
        audienceIds: lists.audiences.map((a) => a.id),
        prices,
      },
      options,
    };
  }

  /** A course as staff see it: every fact, every testimonial, and its sessions. */
  async course(courseId: number) {
    const repo = this.repo;
    const row = await repo.findCourse(courseId);
    if (!row) throw new NotFoundError('course');
    const now = this.now();
    const [lists, sessions, stranded, prices, { charges }] = await Promise.all([
      repo.courseLists(courseId),
      repo.courseSessions(courseId, now.toISOString()),
      repo.sessionsWithDelegates(courseId, now.toISOString()),
      new PriceRecords(this.deps.db).coursePrices(courseId),
      this.deps.context(),
    ]);
    type SessionRow = (typeof sessions.upcoming)[number];
    const sessionView = (s: SessionRow) => {
      const startsAt = new Date(s.starts_at);
      const endsAt = new Date(s.ends_at);
      const confirmed = Number(s.confirmed);
      return {
        id: s.id,
        date: formatShortDate(startsAt),
        time: formatTimeRange(startsAt, endsAt),
        parts: Number(s.parts),
        where: s.venue_name ? `${s.venue_name}, ${s.venue_town ?? ''}`.replace(/, $/, '') : 'Online',
        formatLabel: SESSION_FORMAT_LABELS[s.format],
        capacity: s.capacity,
        confirmed,
        waitlisted: Number(s.waitlisted),
        cancelled: s.cancelled_at !== null,
        full: confirmed >= s.capacity,
        inProgress: startsAt <= now && now < endsAt,
      };
    };
    return {
      id: row.id,
      slug: row.slug,
      title: row.title,
      summary: row.summary,
      description: row.description,
      audience: row.audience,
      levelLabel: COURSE_LEVEL_LABELS[row.level],
      contentNotes: row.content_notes,
      cpdHoursText: describeCpdHours(row.cpd_hours),
      /** "Free for partner agencies…; £120.00 for private organisations" (sessions may differ). */
      pricesText: priceSummary(effectivePrices(prices), charges.vatRateBasisPoints),
      practicalNotes: row.practical_notes,
      archived: row.archived_at !== null,
      archivedOn: row.archived_at ? formatShortDate(new Date(row.archived_at)) : null,
      updatedOn: formatShortDate(new Date(row.updated_at)),
      keyAreas: lists.keyAreas,
      learningOutcomes: lists.learningOutcomes,
      testimonials: lists.testimonials.map((t) => ({
        quote: t.quote,
        attribution: t.attribution,
        published: t.published_at !== null,
      })),
      topics: lists.topics.map((t) => t.name),
      audiences: lists.audiences.map((a) => a.name),
      upcomingSessions: sessions.upcoming.map(sessionView),
      recentSessions: sessions.recent.map(sessionView),
      /** Sessions still to run with delegates on them: archiving waits for these. */
      sessionsWithDelegates: stranded,
    };
  }

  async createCourse(input: CourseInput, actor: StaffActor): Promise<{ id: number }> {
    await this.checkTags(input);
    return this.withFreshSlug(async (trx, now) => {
      const slug = await this.freeSlug(trx, 'courses', slugify(input.title, 'course'));
      const id = await new ProgrammeRecords(trx).createCourse(
        {
          ...input,
          slug,
          testimonials: input.testimonials.map((t) => ({
            quote: t.quote,
            attribution: t.attribution,
            publishedAt: t.consent ? now : null,
          })),
        },
        now,
      );
      await new PriceRecords(trx).setCoursePrices(id, input.prices);
      await auditByStaff(
        trx,
        actor,
        {
          action: 'course_created',
          entityType: 'course',
          entityId: id,
          details: { title: input.title, slug, prices: orderedPrices(input.prices) },
        },
        now,
      );
      return { id };
    });
  }

  /**
   * Saves a course. Its slug stays as it was, so public links keep working;
   * only a copy that has never been public takes a new one from its new
   * title (it would otherwise keep "-copy" for ever). Returns the fields that
   * changed (none: nothing written).
   */
  async updateCourse(
    courseId: number,
    input: CourseInput,
    actor: StaffActor,
  ): Promise<{ changed: string[] }> {
    await this.checkTags(input);
    return this.withFreshSlug(async (trx, now) => {
      const repo = this.repo.within(trx);
      const row = await repo.findCourse(courseId);
      if (!row) throw new NotFoundError('course');
      const lists = await repo.courseLists(courseId);
      const before = {
        ...courseFieldsOf(row),
        keyAreas: lists.keyAreas,
        learningOutcomes: lists.learningOutcomes,
        testimonials: lists.testimonials.map(withConsent),
        topicIds: lists.topics.map((t) => t.id).sort((a, b) => a - b),
        audienceIds: lists.audiences.map((a) => a.id).sort((a, b) => a - b),
        prices: await new PriceRecords(trx).coursePrices(courseId),
      };
      const after = {
        ...input,
        testimonials: input.testimonials.map((t) => ({
          quote: t.quote,
          attribution: t.attribution,
          consent: t.consent,
        })),
        topicIds: [...new Set(input.topicIds)].sort((a, b) => a - b),
        audienceIds: [...new Set(input.audienceIds)].sort((a, b) => a - b),
        prices: orderedPrices(input.prices),
      };
      const changed = changedFields(before, after);
      if (!changed.length) return { changed };

      // A testimonial already published keeps the date consent was first recorded.
      const publishedBefore = new Map(
        lists.testimonials
          .filter((t) => t.published_at !== null)
          .map((t) => [`${t.quote}\n${t.attribution}`, t.published_at as Instant]),
      );
      const slug =
        neverPublic(row) && changed.includes('title')
          ? await this.freeSlug(trx, 'courses', slugify(input.title, 'course'), row.slug)
          : row.slug;
      await repo.updateCourse(
        courseId,
        { ...input, slug },
        {
          keyAreas: input.keyAreas,
          learningOutcomes: input.learningOutcomes,
          testimonials: input.testimonials.map((t) => ({
            quote: t.quote,
            attribution: t.attribution,
            publishedAt: t.consent
              ? (publishedBefore.get(`${t.quote}\n${t.attribution}`) ?? now.toISOString())
              : null,
          })),
          topicIds: after.topicIds,
          audienceIds: after.audienceIds,
        },
        now.toISOString(),
      );
      if (changed.includes('prices')) await new PriceRecords(trx).setCoursePrices(courseId, after.prices);
      // Short facts (prices among them, in pence) are recorded before and after; long text and lists by name only.
      const SHORT = ['title', 'summary', 'audience', 'level', 'cpdHours', 'prices'] as const;
      const shortChanged = SHORT.filter((field) => changed.includes(field));
      await auditByStaff(
        trx,
        actor,
        {
          action: 'course_updated',
          entityType: 'course',
          entityId: courseId,
          details: {
            changed,
            ...(slug !== row.slug ? { slug: { before: row.slug, after: slug } } : {}),
            ...(shortChanged.length ? beforeAndAfter(shortChanged, before, after) : {}),
          },
        },
        now,
      );
      return { changed };
    });
  }

  /**
   * A copy to start a similar course from: every fact, list, topic and
   * audience, no sessions, and testimonials unpublished (consent was given
   * for the original). It starts archived, so nothing half-edited is public.
   */
  async duplicateCourse(courseId: number, actor: StaffActor): Promise<{ id: number }> {
    return this.withFreshSlug(async (trx, now) => {
      const repo = this.repo.within(trx);
      const row = await repo.findCourse(courseId);
      if (!row) throw new NotFoundError('course');
      const lists = await repo.courseLists(courseId);
      const title = `${row.title.slice(0, COURSE_TITLE_LIMIT - COPY_SUFFIX.length).trimEnd()}${COPY_SUFFIX}`;
      const slug = await this.freeSlug(trx, 'courses', slugify(title, 'course'));
      const id = await new ProgrammeRecords(trx).createCourse(
        {
          ...courseFieldsOf(row),
          slug,
          title,
          keyAreas: lists.keyAreas,
          learningOutcomes: lists.learningOutcomes,
          testimonials: lists.testimonials.map((t) => ({
            quote: t.quote,
            attribution: t.attribution,
            publishedAt: null,
          })),
          topicIds: lists.topics.map((t) => t.id),
          audienceIds: lists.audiences.map((a) => a.id),
        },
        now,
      );
      await repo.setCourseArchived(id, now.toISOString(), now.toISOString());
      await new PriceRecords(trx).copyCoursePrices(courseId, id);
      await auditByStaff(
        trx,
        actor,
        {
          action: 'course_duplicated',
          entityType: 'course',
          entityId: id,
          details: { fromCourseId: courseId, fromTitle: row.title, title, slug },
        },
        now,
      );
      return { id };
    });
  }

  /**
   * Takes a course out of the public catalogue. Refused while any of its
   * sessions still to run has delegates booked, offered a place or waiting:
   * those sessions must be cancelled first (which tells the delegates), so no
   * one is stranded on a course that has silently disappeared.
   * Returns false when it was archived already.
   */
  async archiveCourse(courseId: number, actor: StaffActor): Promise<boolean> {
    // Under the locks of the sessions still to run, so the count of their
    // delegates cannot change between counting and archiving.
    const sessionIds = await this.repo.unfinishedSessionIds(courseId, this.now().toISOString());
    return this.deps.sessionLock.forSessions(sessionIds, async (db) => {
      const now = this.now();
      const repo = new ProgrammeRepository(db);
      const row = await repo.findCourse(courseId);
      if (!row) throw new NotFoundError('course');
      if (row.archived_at !== null) return false;
      const stranded = await repo.sessionsWithDelegates(courseId, now.toISOString());
      if (stranded > 0) throw new ConflictError(archiveRefusal(stranded));
      await repo.setCourseArchived(courseId, now.toISOString(), now.toISOString());
      await auditByStaff(
        db,
        actor,
        {
          action: 'course_archived',
          entityType: 'course',
          entityId: courseId,
          details: { title: row.title },
        },
        now,
      );
      return true;
    });
  }

  /** Puts an archived course back in the catalogue. Returns false when it was live already. */
  async restoreCourse(courseId: number, actor: StaffActor): Promise<boolean> {
    return this.deps.db.transaction().execute(async (trx) => {
      const now = this.now();
      const repo = this.repo.within(trx);
      const row = await repo.findCourse(courseId);
      if (!row) throw new NotFoundError('course');
      if (row.archived_at === null) return false;
      await repo.setCourseArchived(courseId, null, now.toISOString());
      await auditByStaff(
        trx,
        actor,
        {
          action: 'course_restored',
          entityType: 'course',
          entityId: courseId,
          details: { title: row.title, archivedAt: row.archived_at },
        },
        now,
      );
      return true;
    });
  }

  /** Topics and audiences must be ones that exist: a stale form could name a deleted one. */
  private async checkTags(input: { topicIds: number[]; audienceIds: number[] }): Promise<void> {
    const { topics, audiences } = await this.courseFormOptions();
    const fields: Record<string, string> = {};
    const topicIds = new Set(topics.map((t) => t.id));
    const audienceIds = new Set(audiences.map((a) => a.id));
    if (input.topicIds.some((id) => !topicIds.has(id))) fields.topics = 'Choose topics from the list';
    if (input.audienceIds.some((id) => !audienceIds.has(id)))
      fields.audiences = 'Choose audiences from the list';
    if (Object.keys(fields).length) throw new FormError(fields);
  }

  // ----------------------------------------------------------------- venues

  async venueList() {
    const rows = await this.repo.listVenues(this.now().toISOString());
    return rows.map((row) => ({
      id: row.id,
      slug: row.slug,
      name: row.name,
      address: [...row.address_lines.split('\n'), row.town, row.postcode].filter(Boolean).join(', '),
      phone: row.phone,
      upcoming: Number(row.upcoming),
    }));
  }

  async venue(venueId: number) {
    const row = await this.repo.findVenue(venueId);
    if (!row) throw new NotFoundError('venue');
    return { id: row.id, slug: row.slug, ...venueFieldsOf(row) };
  }

  async createVenue(input: VenueInput, actor: StaffActor): Promise<{ id: number }> {
    return this.createNamed('venue', input.name, actor, (repo, slug, now) =>
      repo.createVenue({ ...input, slug }, now),
    );
  }

  async updateVenue(venueId: number, input: VenueInput, actor: StaffActor): Promise<{ changed: string[] }> {
    return this.saveFacts('venue', venueId, input, actor, {
      // Notes are long: recorded by name only.
      longFields: ['travelNotes', 'accessNotes'],
      find: async (repo) => {
        const row = await repo.findVenue(venueId);
        return row && venueFieldsOf(row);
      },
      write: (repo, now) => repo.updateVenue(venueId, input, now),
    });
  }

  // --------------------------------------------------------------- trainers

  async trainerList() {
    const rows = await this.repo.listTrainers(this.now().toISOString());
    return rows.map((row) => ({
      id: row.id,
      slug: row.slug,
      name: row.name,
      roleTitle: row.role_title,
      external: row.employment === 'external',
      upcoming: Number(row.upcoming),
    }));
  }

  async trainer(trainerId: number) {
    const row = await this.repo.findTrainer(trainerId);
    if (!row) throw new NotFoundError('trainer');
    return { id: row.id, slug: row.slug, ...trainerFieldsOf(row) };
  }

  async createTrainer(input: TrainerInput, actor: StaffActor): Promise<{ id: number }> {
    return this.createNamed('trainer', input.name, actor, (repo, slug, now) =>
      // Photos are added outside the back office for now.
      repo.createTrainer({ ...input, slug, photoPath: null }, now),
    );
  }

  async updateTrainer(
    trainerId: number,
    input: TrainerInput,
    actor: StaffActor,
  ): Promise<{ changed: string[] }> {
    return this.saveFacts('trainer', trainerId, input, actor, {
      // A biography is long: recorded by name only.
      longFields: ['biography'],
      find: async (repo) => {
        const row = await repo.findTrainer(trainerId);
        return row && trainerFieldsOf(row);
      },
      write: (repo, now) => repo.updateTrainer(trainerId, input, now),
    });
  }

  // ---------------------------------------------------------------- helpers

  /** Adds a venue or trainer under a free slug made from its name, audited. */
  private async createNamed(
    entityType: 'venue' | 'trainer',
    name: string,
    actor: StaffActor,
    insert: (repo: ProgrammeRecords, slug: string, now: Date) => Promise<number>,
  ): Promise<{ id: number }> {
    return this.withFreshSlug(async (trx, now) => {
      const slug = await this.freeSlug(trx, `${entityType}s`, slugify(name, entityType));
      const id = await insert(new ProgrammeRecords(trx), slug, now);
      await auditByStaff(
        trx,
        actor,
        { action: `${entityType}_created`, entityType, entityId: id, details: { name, slug } },
        now,
      );
      return { id };
    });
  }

  /**
   * Saves a venue's or trainer's facts if any changed, and records which:
   * short facts before and after, long text by name only. Returns the fields
   * that changed (none: nothing written).
   */
  private async saveFacts<F extends object>(
    entityType: 'venue' | 'trainer',
    entityId: number,
    input: F,
    actor: StaffActor,
    record: {
      longFields: readonly (keyof F & string)[];
      find: (repo: ProgrammeRepository) => Promise<F | undefined>;
      write: (repo: ProgrammeRepository, now: Instant) => Promise<void>;
    },
  ): Promise<{ changed: string[] }> {
    return this.deps.db.transaction().execute(async (trx) => {
      const now = this.now();
      const repo = this.repo.within(trx);
      const before = await record.find(repo);
      if (!before) throw new NotFoundError(entityType);
      const changed = changedFields(before, input);
      if (!changed.length) return { changed };
      await record.write(repo, now.toISOString());
      const short = changed.filter((field) => !record.longFields.includes(field));
      await auditByStaff(
        trx,
        actor,
        {
          action: `${entityType}_updated`,
          entityType,
          entityId,
          details: { changed, ...beforeAndAfter(short, before, input) },
        },
        now,
      );
      return { changed };
    });
  }

  /** The first free slug from `base`; `own` is the record's current slug, which it may keep. */
  private async freeSlug(
    trx: Transaction<DB>,
    table: 'courses' | 'venues' | 'trainers',
    base: string,
    own?: string,
  ) {
    const taken = await this.repo.within(trx).slugsLike(table, base);
    return uniqueSlug(
      base,
      taken.filter((slug) => slug !== own),
    );
  }

  /**
   * Runs a write that chooses a free slug. Two people saving the same title
   * at once could choose the same one; the unique index refuses the second,
   * which then tries again and gets the next number.
   */
  private async withFreshSlug<T>(write: (trx: Transaction<DB>, now: Date) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.deps.db.transaction().execute((trx) => write(trx, this.now()));
      } catch (error) {
        if (attempt >= SLUG_ATTEMPTS || !isUniqueViolation(error)) throw error;
      }
    }
  }
}

/** Why a course cannot be archived yet, naming how many sessions are in the way. */
export function archiveRefusal(sessions: number): string {
  const these = sessions === 1 ? 'that session' : 'those sessions';
  return (
    `This course cannot be archived yet: ${sessions} ${sessions === 1 ? 'session' : 'sessions'} still to run ` +
    `${sessions === 1 ? 'has' : 'have'} delegates booked, offered a place or on the waiting list. ` +
    `Cancel ${these} first (the delegates are told why and shown other dates), ` +
    `or archive the course once ${these} ${sessions === 1 ? 'has' : 'have'} run.`
  );
}

/**
 * A course archived the moment it was made (a copy) and never restored has
 * never been in the public catalogue, so no one can have a link to it yet.
 */
export function neverPublic(course: { archived_at: Instant | null; created_at: Instant }): boolean {
  return course.archived_at !== null && course.archived_at === course.created_at;
}

/** The fields whose values differ, by name. */
function changedFields<T extends object>(before: T, after: T): (keyof T & string)[] {
  return (Object.keys(before) as (keyof T & string)[]).filter(
    (field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]),
  );
}

/** Short fields' values before and after a change, for the audit log. */
function beforeAndAfter<T extends object>(fields: readonly (keyof T & string)[], before: T, after: T) {
  return {
    before: Object.fromEntries(fields.map((f) => [f, before[f]])),
    after: Object.fromEntries(fields.map((f) => [f, after[f]])),
  };
}

/** A testimonial as the form has it: published means consent was given. */
function withConsent(t: { quote: string; attribution: string; published_at: Instant | null }) {
  return { quote: t.quote, attribution: t.attribution, consent: t.published_at !== null };
}

/** Records a staff member's change, in the transaction that makes it. */
function auditByStaff(
  db: Kysely<DB>,
  actor: StaffActor,
  entry: Omit<AuditEntry, 'actorType' | 'actorId'>,
  now: Date,
): Promise<void> {
  return recordAudit(db, { actorType: 'staff', actorId: actor.id, ...entry }, now);
}

/** A unique constraint refused a row: SQLite and PostgreSQL say it differently. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
