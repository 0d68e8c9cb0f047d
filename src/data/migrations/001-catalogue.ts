/**
 * The catalogue: courses, their sessions and parts, venues, trainers, and the
 * delegates and bookings that places are counted from.
 */
import { sql, type Kysely } from 'kysely';

import { withId } from './columns.js';
import type { DialectMigration } from './dialectMigration.js';

export const catalogue: DialectMigration = (dialect) => {
  // Identity columns are spelt differently by the two databases.
  const identity = withId(dialect);
  const real = dialect === 'sqlite' ? 'real' : 'double precision';

  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      for (const name of ['topics', 'audiences']) {
        await identity(db.schema.createTable(name))
          .addColumn('slug', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .execute();
      }

      await identity(db.schema.createTable('venues'))
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('address_lines', 'text', (c) => c.notNull())
        .addColumn('town', 'text', (c) => c.notNull())
        .addColumn('postcode', 'text')
        .addColumn('phone', 'text')
        .addColumn('travel_notes', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('access_notes', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await identity(db.schema.createTable('trainers'))
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role_title', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('biography', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('photo_path', 'text')
        .addColumn('employment', 'text', (c) =>
          c.notNull().check(sql`employment in ('hub', 'external')`),
        )
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await identity(db.schema.createTable('courses'))
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('audience', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('level', 'text', (c) =>
          c.notNull().check(sql`level in ('foundation', 'intermediate', 'advanced')`),
        )
        .addColumn('content_notes', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('cpd_hours', real, (c) => c.notNull().check(sql`cpd_hours >= 0`))
        .addColumn('practical_notes', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('archived_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      for (const name of ['course_key_areas', 'course_learning_outcomes']) {
        await identity(db.schema.createTable(name))
          .addColumn('course_id', 'integer', (c) =>
            c.notNull().references('courses.id').onDelete('cascade'),
          )
          .addColumn('position', 'integer', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addUniqueConstraint(`${name}_course_position`, ['course_id', 'position'])
          .execute();
      }

      await identity(db.schema.createTable('course_testimonials'))
        .addColumn('course_id', 'integer', (c) =>
          c.notNull().references('courses.id').onDelete('cascade'),
        )
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('quote', 'text', (c) => c.notNull())
        .addColumn('attribution', 'text', (c) => c.notNull())
        .addColumn('published_at', 'text')
        .execute();
      await db.schema
        .createIndex('course_testimonials_course')
        .on('course_testimonials')
        .columns(['course_id', 'position'])
        .execute();

      for (const [table, column, target] of [
        ['course_topics', 'topic_id', 'topics'],
        ['course_audiences', 'audience_id', 'audiences'],
      ] as const) {
        await db.schema
          .createTable(table)
          .addColumn('course_id', 'integer', (c) =>
            c.notNull().references('courses.id').onDelete('cascade'),
          )
          .addColumn(column, 'integer', (c) =>
            c.notNull().references(`${target}.id`).onDelete('cascade'),
          )
          .addPrimaryKeyConstraint(`${table}_pk`, ['course_id', column])
          .execute();
        await db.schema.createIndex(`${table}_${column}`).on(table).column(column).execute();
      }

      await identity(db.schema.createTable('sessions'))
        .addColumn('course_id', 'integer', (c) => c.notNull().references('courses.id'))
        .addColumn('format', 'text', (c) =>
          c.notNull().check(sql`format in ('in_person', 'online', 'hybrid')`),
        )
        .addColumn('venue_id', 'integer', (c) => c.references('venues.id'))
        .addColumn('online_joining_url', 'text')
        .addColumn('capacity', 'integer', (c) => c.notNull().check(sql`capacity > 0`))
        .addColumn('starts_at', 'text', (c) => c.notNull())
        .addColumn('ends_at', 'text', (c) => c.notNull())
        .addColumn('booking_opens_at', 'text')
        .addColumn('booking_closes_at', 'text')
        .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('cancelled_at', 'text')
        .addColumn('cancellation_reason', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addCheckConstraint('sessions_ends_after_start', sql`ends_at > starts_at`)
        .addCheckConstraint(
          'sessions_venue_for_format',
          sql`(format = 'online' and venue_id is null) or (format <> 'online' and venue_id is not null)`,
        )
        .execute();
      await db.schema.createIndex('sessions_starts_at').on('sessions').columns(['starts_at', 'id']).execute();
      await db.schema.createIndex('sessions_course').on('sessions').columns(['course_id', 'starts_at']).execute();
      await db.schema.createIndex('sessions_venue').on('sessions').columns(['venue_id', 'starts_at']).execute();

      await identity(db.schema.createTable('session_parts'))
        .addColumn('session_id', 'integer', (c) =>
          c.notNull().references('sessions.id').onDelete('cascade'),
        )
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('starts_at', 'text', (c) => c.notNull())
        .addColumn('ends_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('session_parts_session_position', ['session_id', 'position'])
        .addCheckConstraint('session_parts_ends_after_start', sql`ends_at > starts_at`)
        .execute();

      await db.schema
        .createTable('session_trainers')
        .addColumn('session_id', 'integer', (c) =>
          c.notNull().references('sessions.id').onDelete('cascade'),
        )
        .addColumn('trainer_id', 'integer', (c) => c.notNull().references('trainers.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('session_trainers_pk', ['session_id', 'trainer_id'])
        .execute();
      await db.schema
        .createIndex('session_trainers_trainer')
        .on('session_trainers')
        .column('trainer_id')
        .execute();

      await identity(db.schema.createTable('organisations'))
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) =>
          c.notNull().check(sql`type in ('partner_agency', 'voluntary', 'private', 'out_of_area')`),
        )
        .addColumn('confirmed_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await identity(db.schema.createTable('delegates'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('organisation_id', 'integer', (c) => c.references('organisations.id'))
        .addColumn('job_role', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('line_manager_name', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('line_manager_email', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await identity(db.schema.createTable('bookings'))
        .addColumn('reference', 'text', (c) => c.notNull().unique())
        .addColumn('session_id', 'integer', (c) => c.notNull().references('sessions.id'))
        .addColumn('delegate_id', 'integer', (c) => c.notNull().references('delegates.id'))
        .addColumn('state', 'text', (c) =>
          c
            .notNull()
            .check(
              sql`state in ('confirmed', 'waitlisted', 'offered', 'cancelled', 'attended', 'partial', 'did_not_attend')`,
            ),
        )
        .addColumn('offer_expires_at', 'text')
        .addColumn('cancelled_at', 'text')
        .addColumn('cancellation_reason', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('bookings_session_state')
        .on('bookings')
        .columns(['session_id', 'state'])
        .execute();
      await db.schema.createIndex('bookings_delegate').on('bookings').column('delegate_id').execute();
    },

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>) {
      for (const table of [
        'bookings',
        'delegates',
        'organisations',
        'session_trainers',
        'session_parts',
        'sessions',
        'course_audiences',
        'course_topics',
        'course_testimonials',
        'course_learning_outcomes',
        'course_key_areas',
        'courses',
        'trainers',
        'venues',
        'audiences',
        'topics',
        'settings',
      ]) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
};
