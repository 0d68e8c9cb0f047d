/**
 * Certificates of attendance. A row holds the facts a certificate states as
 * they were when it was issued (the name as registered, the parts attended,
 * the hours), so the PDF is drawn from them on request and never stored,
 * and the number checks out at the public verification page.
 *
 * A certificate is withdrawn, never deleted, when attendance or the name is
 * corrected: its number must go on saying "withdrawn" rather than "unknown".
 * At most one certificate of a booking is valid at a time.
 */
import { sql, type Kysely } from 'kysely';

import { withId } from './columns.js';
import type { DialectMigration } from './dialectMigration.js';

export const certificates: DialectMigration = (dialect) => {
  const identity = withId(dialect);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await identity(db.schema.createTable('certificates'))
        .addColumn('number', 'text', (c) => c.notNull().unique())
        .addColumn('booking_id', 'integer', (c) => c.notNull().references('bookings.id').onDelete('cascade'))
        .addColumn('delegate_name', 'text', (c) => c.notNull())
        .addColumn('course_title', 'text', (c) => c.notNull())
        // The start of the first part attended: the date the verification page gives.
        .addColumn('attended_from', 'text', (c) => c.notNull())
        // JSON: the rest of what the certificate states (see CertificateFacts).
        .addColumn('facts', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'text', (c) => c.notNull())
        .addColumn('withdrawn_at', 'text')
        .execute();
      await sql`create unique index certificates_one_valid_per_booking on certificates (booking_id) where withdrawn_at is null`.execute(
        db,
      );
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>) {
      await db.schema.dropTable('certificates').execute();
    },
  };
};
