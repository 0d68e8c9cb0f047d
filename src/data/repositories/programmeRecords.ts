/**
 * Writes to the programme: courses, sessions, venues and trainers. Used by the
 * demo loader and by the back office, so there is one way in for each kind of
 * record, and one mapping of each record's facts to its columns.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';

import type { CourseLevel, SessionFormat } from '../../domain/programme/course.js';
import { sessionSpan, type SessionPartTimes } from '../../domain/programme/session.js';
import type { CoursesTable, DB, Instant, TrainerEmployment, TrainersTable, VenuesTable } from '../schema.js';

type Executor = Kysely<DB> | Transaction<DB>;

/** A venue's own facts: what adding one and editing one both write. */
export interface VenueFields {
  name: string;
  addressLines: string[];
  town: string;
  postcode: string | null;
  phone: string | null;
  travelNotes: string;
  accessNotes: string;
}

export interface NewVenue extends VenueFields {
  slug: string;
}

/** A trainer's own facts: what adding one and editing one both write. */
export interface TrainerFields {
  name: string;
  roleTitle: string;
  biography: string;
  employment: TrainerEmployment;
}

export interface NewTrainer extends TrainerFields {
  slug: string;
  photoPath: string | null;
}

/** A course's own facts, without its lists: what creating one and editing one both write. */
export interface CourseFields {
  title: string;
  summary: string;
  description: string;
  audience: string;
  level: CourseLevel;
  contentNotes: string;
  cpdHours: number;
  practicalNotes: string;
}

/** A course's lists, each kept in its own table in the order given. */
export interface CourseLists {
  keyAreas: string[];
  learningOutcomes: string[];
  testimonials: { quote: string; attribution: string; publishedAt: Instant | null }[];
  topicIds: number[];
  audienceIds: number[];
}

export interface NewCourse extends CourseFields {
  slug: string;
  keyAreas: string[];
  learningOutcomes: string[];
  testimonials: { quote: string; attribution: string; publishedAt: Date | null }[];
  topicIds: number[];
  audienceIds: number[];
}

/** The venues row's columns for a venue's facts, shared by insert and update. */
export function venueColumns(venue: VenueFields) {
  return {
    name: venue.name,
    address_lines: venue.addressLines.join('\n'),
    town: venue.town,
    postcode: venue.postcode,
    phone: venue.phone,
    travel_notes: venue.travelNotes,
    access_notes: venue.accessNotes,
  };
}

/** The trainers row's columns for a trainer's facts, shared by insert and update. */
export function trainerColumns(trainer: TrainerFields) {
  return {
    name: trainer.name,
    role_title: trainer.roleTitle,
    biography: trainer.biography,
    employment: trainer.employment,
  };
}

/** A venue's facts as its row holds them (the inverse of venueColumns). */
export function venueFieldsOf(row: Selectable<VenuesTable>): VenueFields {
  return {
    name: row.name,
    addressLines: row.address_lines.split('\n').filter(Boolean),
    town: row.town,
    postcode: row.postcode,
    phone: row.phone,
    travelNotes: row.travel_notes,
    accessNotes: row.access_notes,
  };
}

/** A trainer's facts as its row holds them (the inverse of trainerColumns). */
export function trainerFieldsOf(row: Selectable<TrainersTable>): TrainerFields {
  return {
    name: row.name,
    roleTitle: row.role_title,
    biography: row.biography,
    employment: row.employment,
  };
}

/** A course's facts as its row holds them (the inverse of courseColumns). */
export function courseFieldsOf(row: Selectable<CoursesTable>): CourseFields {
  return {
    title: row.title,
    summary: row.summary,
    description: row.description,
    audience: row.audience,
    level: row.level,
    contentNotes: row.content_notes,
    cpdHours: row.cpd_hours,
    practicalNotes: row.practical_notes,
  };
}

/** The courses row's columns for a course's facts, shared by insert and update. */
export function courseColumns(course: CourseFields) {
  return {
    title: course.title,
    summary: course.summary,
    description: course.description,
    audience: course.audience,
    level: course.level,
    content_notes: course.contentNotes,
    cpd_hours: course.cpdHours,
    practical_notes: course.practicalNotes,
  };
}

export interface NewSessionInput {
  courseId: number;
  format: SessionFormat;
  venueId: number | null;
  onlineJoiningUrl: string | null;
  capacity: number;
  parts: SessionPartTimes[];
  trainerIds: number[];
  notes: string;
  bookingOpensAt: Date | null;
  bookingClosesAt: Date | null;
}

export class ProgrammeRecords {
  constructor(private readonly db: Executor) {}

  /** The same repository working inside a transaction. */
  within(trx: Transaction<DB>): ProgrammeRecords {
    return new ProgrammeRecords(trx);
  }

  async createTopic(slug: string, name: string): Promise<number> {
    const row = await this.db.insertInto('topics').values({ slug, name }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  async createAudience(slug: string, name: string): Promise<number> {
    const row = await this.db
      .insertInto('audiences')
      .values({ slug, name })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async createVenue(venue: NewVenue, now: Date): Promise<number> {
    const at = now.toISOString();
    const row = await this.db
      .insertInto('venues')
      .values({
        slug: venue.slug,
        ...venueColumns(venue),
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async createTrainer(trainer: NewTrainer, now: Date): Promise<number> {
    const at = now.toISOString();
    const row = await this.db
      .insertInto('trainers')
      .values({
        slug: trainer.slug,
        ...trainerColumns(trainer),
        photo_path: trainer.photoPath,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async createCourse(course: NewCourse, now: Date): Promise<number> {
    const at = now.toISOString();
    const { id } = await this.db
      .insertInto('courses')
      .values({
        slug: course.slug,
        ...courseColumns(course),
        archived_at: null,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await this.insertCourseLists(id, {
      ...course,
      testimonials: course.testimonials.map((t) => ({ ...t, publishedAt: t.publishedAt?.toISOString() ?? null })),
    });
    return id;
  }

  /** Writes a course's lists, positions in the order given; the course has none yet. */
  async insertCourseLists(courseId: number, lists: CourseLists): Promise<void> {
    const listRows = (items: string[]) => items.map((text, position) => ({ course_id: courseId, position, text }));
    if (lists.keyAreas.length) {
      await this.db.insertInto('course_key_areas').values(listRows(lists.keyAreas)).execute();
    }
    if (lists.learningOutcomes.length) {
      await this.db.insertInto('course_learning_outcomes').values(listRows(lists.learningOutcomes)).execute();
    }
    if (lists.testimonials.length) {
      await this.db
        .insertInto('course_testimonials')
        .values(
          lists.testimonials.map((t, position) => ({
            course_id: courseId,
            position,
            quote: t.quote,
            attribution: t.attribution,
            published_at: t.publishedAt,
          })),
        )
        .execute();
    }
    if (lists.topicIds.length) {
      await this.db
        .insertInto('course_topics')
        .values(lists.topicIds.map((topic_id) => ({ course_id: courseId, topic_id })))
        .execute();
    }
    if (lists.audienceIds.length) {
      await this.db
        .insertInto('course_audiences')
        .values(lists.audienceIds.map((audience_id) => ({ course_id: courseId, audience_id })))
        .execute();
    }
  }

  /** Creates a session with its parts and trainers; its span is taken from the parts. */
  async createSession(session: NewSessionInput, now: Date): Promise<number> {
    const span = sessionSpan(session.parts);
    const at = now.toISOString();
    const { id } = await this.db
      .insertInto('sessions')
      .values({
        course_id: session.courseId,
        format: session.format,
        venue_id: session.venueId,
        online_joining_url: session.onlineJoiningUrl,
        capacity: session.capacity,
        starts_at: span.startsAt.toISOString(),
        ends_at: span.endsAt.toISOString(),
        booking_opens_at: session.bookingOpensAt?.toISOString() ?? null,
        booking_closes_at: session.bookingClosesAt?.toISOString() ?? null,
        notes: session.notes,
        cancelled_at: null,
        cancellation_reason: null,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await this.db
      .insertInto('session_parts')
      .values(
        session.parts.map((part, position) => ({
          session_id: id,
          position,
          starts_at: part.startsAt.toISOString(),
          ends_at: part.endsAt.toISOString(),
        })),
      )
      .execute();
    if (session.trainerIds.length) {
      await this.db
        .insertInto('session_trainers')
        .values(session.trainerIds.map((trainer_id, position) => ({ session_id: id, trainer_id, position })))
        .execute();
    }
    return id;
  }
}
