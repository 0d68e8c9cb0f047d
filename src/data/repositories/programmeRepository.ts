/**
 * Writes to the programme: courses, sessions, venues and trainers. Used by the
 * demo loader now and by the back office later, so there is one way in for
 * each kind of record.
 */
import type { Kysely, Transaction } from 'kysely';

import type { CourseLevel, SessionFormat } from '../../domain/course.js';
import { sessionSpan, type SessionPartTimes } from '../../domain/session.js';
import type { DB, TrainerEmployment } from '../schema.js';

type Executor = Kysely<DB> | Transaction<DB>;

export interface NewVenue {
  slug: string;
  name: string;
  addressLines: string[];
  town: string;
  postcode: string | null;
  phone: string | null;
  travelNotes: string;
  accessNotes: string;
}

export interface NewTrainer {
  slug: string;
  name: string;
  roleTitle: string;
  biography: string;
  photoPath: string | null;
  employment: TrainerEmployment;
}

export interface NewCourse {
  slug: string;
  title: string;
  summary: string;
  description: string;
  audience: string;
  level: CourseLevel;
  contentNotes: string;
  cpdHours: number;
  practicalNotes: string;
  keyAreas: string[];
  learningOutcomes: string[];
  testimonials: { quote: string; attribution: string; publishedAt: Date | null }[];
  topicIds: number[];
  audienceIds: number[];
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

export class ProgrammeRepository {
  constructor(private readonly db: Executor) {}

  /** The same repository working inside a transaction. */
  within(trx: Transaction<DB>): ProgrammeRepository {
    return new ProgrammeRepository(trx);
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
        name: venue.name,
        address_lines: venue.addressLines.join('\n'),
        town: venue.town,
        postcode: venue.postcode,
        phone: venue.phone,
        travel_notes: venue.travelNotes,
        access_notes: venue.accessNotes,
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
        name: trainer.name,
        role_title: trainer.roleTitle,
        biography: trainer.biography,
        photo_path: trainer.photoPath,
        employment: trainer.employment,
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
        title: course.title,
        summary: course.summary,
        description: course.description,
        audience: course.audience,
        level: course.level,
        content_notes: course.contentNotes,
        cpd_hours: course.cpdHours,
        practical_notes: course.practicalNotes,
        archived_at: null,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const listRows = (items: string[]) => items.map((text, position) => ({ course_id: id, position, text }));
    if (course.keyAreas.length) {
      await this.db.insertInto('course_key_areas').values(listRows(course.keyAreas)).execute();
    }
    if (course.learningOutcomes.length) {
      await this.db.insertInto('course_learning_outcomes').values(listRows(course.learningOutcomes)).execute();
    }
    if (course.testimonials.length) {
      await this.db
        .insertInto('course_testimonials')
        .values(
          course.testimonials.map((t, position) => ({
            course_id: id,
            position,
            quote: t.quote,
            attribution: t.attribution,
            published_at: t.publishedAt?.toISOString() ?? null,
          })),
        )
        .execute();
    }
    if (course.topicIds.length) {
      await this.db
        .insertInto('course_topics')
        .values(course.topicIds.map((topic_id) => ({ course_id: id, topic_id })))
        .execute();
    }
    if (course.audienceIds.length) {
      await this.db
        .insertInto('course_audiences')
        .values(course.audienceIds.map((audience_id) => ({ course_id: id, audience_id })))
        .execute();
    }
    return id;
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
