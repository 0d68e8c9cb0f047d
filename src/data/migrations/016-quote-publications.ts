/**
 * Quotes from feedback on course pages, and certificates held until feedback.
 *
 * A coordinator chooses which quotes delegates agreed to publish are shown
 * on the course page: `quote_publications` holds that choice, one row per
 * feedback response. The course page reads the quote, the delegate's consent
 * and their name and job role as they are now, so those tables are watched
 * for the public pages from here on: a withdrawal, a changed name or a
 * stopped publication clears the cached pages in the same transaction.
 *
 * `feedback_responses.quote_withdrawn_at` says a quote was withdrawn (its
 * consent is then "no"), so staff see it as withdrawn rather than never
 * offered. `certificates.released_at` is when a certificate became
 * downloadable and was announced by email: at once, unless the hub holds
 * certificates until feedback is given. Certificates issued before this
 * migration were all announced when issued.
 */
import { sql, type Kysely } from 'kysely';

import { PUBLIC_PAGE_TABLES_BY_MIGRATION } from '../publicPageTables.js';
import { watchForPublicPages, unwatchForPublicPages } from './002-public-pages-version.js';
import { withId } from './columns.js';
import type { DialectMigration } from './dialectMigration.js';

// The tables as this migration watched them, whatever is added to the list later.
const WATCHED_TABLES = PUBLIC_PAGE_TABLES_BY_MIGRATION['016-quote-publications'];

export const quotePublications: DialectMigration = (dialect) => ({
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('quote_publications')
      .$call(withId(dialect))
      .addColumn('response_id', 'integer', (c) =>
        c.notNull().unique().references('feedback_responses.id').onDelete('cascade'),
      )
      .addColumn('published_at', 'text', (c) => c.notNull())
      .addColumn('published_by_staff_id', 'integer', (c) => c.references('staff_users.id').onDelete('set null'))
      .execute();
    await db.schema.alterTable('feedback_responses').addColumn('quote_withdrawn_at', 'text').execute();
    await db.schema.alterTable('certificates').addColumn('released_at', 'text').execute();
    await sql`update certificates set released_at = issued_at`.execute(db);
    await watchForPublicPages(db, dialect, WATCHED_TABLES);
  },

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await unwatchForPublicPages(db, dialect, WATCHED_TABLES);
    await db.schema.alterTable('certificates').dropColumn('released_at').execute();
    await db.schema.alterTable('feedback_responses').dropColumn('quote_withdrawn_at').execute();
    await db.schema.dropTable('quote_publications').execute();
  },
});
