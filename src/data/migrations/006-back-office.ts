/**
 * The back office: attendance marked per booking and per part of a session;
 * duplicate delegates and organisations merged into the one kept; staff whose
 * password is a one-time one must choose their own first; indexes the
 * coordinator's lists and exports need at a large hub's size.
 */
import { sql, type Kysely } from 'kysely';

import { withId } from './columns.js';
import type { DialectMigration } from './dialectMigration.js';

export const backOffice: DialectMigration = (dialect) => {
  const identity = withId(dialect);

  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await identity(db.schema.createTable('attendance'))
        .addColumn('booking_id', 'integer', (c) => c.notNull().references('bookings.id').onDelete('cascade'))
        .addColumn('session_part_id', 'integer', (c) =>
          c.notNull().references('session_parts.id').onDelete('cascade'),
        )
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('attended', 'partial', 'absent')`))
        // Why a delegate was partial or absent, say; optional.
        .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('marked_by_staff_id', 'integer', (c) => c.references('staff_users.id').onDelete('set null'))
        .addColumn('marked_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('attendance_one_per_part', ['booking_id', 'session_part_id'])
        .execute();
      await db.schema.createIndex('attendance_part').on('attendance').column('session_part_id').execute();

      // A merged duplicate keeps its row (the audit log points at it) but
      // cannot sign in; its bookings belong to the delegate it was merged into.
      await db.schema
        .alterTable('delegates')
        .addColumn('merged_into_id', 'integer', (c) => c.references('delegates.id'))
        .execute();
      await db.schema
        .alterTable('organisations')
        .addColumn('merged_into_id', 'integer', (c) => c.references('organisations.id'))
        .execute();

      // Set while the password is one an administrator was given to pass on.
      await db.schema.alterTable('staff_users').addColumn('password_change_required_at', 'text').execute();

      // Lists by organisation, and the bookings export by when a booking was made.
      await db.schema.createIndex('delegates_organisation').on('delegates').column('organisation_id').execute();
      await db.schema.createIndex('bookings_created_at').on('bookings').columns(['created_at', 'id']).execute();
    },

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('bookings_created_at').execute();
      await db.schema.dropIndex('delegates_organisation').execute();
      await db.schema.alterTable('staff_users').dropColumn('password_change_required_at').execute();
      await db.schema.alterTable('organisations').dropColumn('merged_into_id').execute();
      await db.schema.alterTable('delegates').dropColumn('merged_into_id').execute();
      await db.schema.dropTable('attendance').execute();
    },
  };
};
