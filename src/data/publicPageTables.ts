/**
 * The tables whose rows a public page shows. A trigger on each raises the
 * public pages counter (see migration 002 and web/pageCache.ts), so a cached
 * page is never older than the last change to any of them.
 *
 * Grouped by the migration that put the triggers on them. A migration that
 * has run never runs again, so adding a table to an existing group would
 * watch it only in new databases: a table that starts showing on a public
 * page goes in a new group here, read by a new migration that calls
 * `watchForPublicPages` with it. test/integration/public-page-tables.test.ts
 * fails while a table read for a public page is missing here, or a table
 * here has no trigger.
 */
export const PUBLIC_PAGE_TABLES_BY_MIGRATION = {
  '002-public-pages-version': [
    'settings',
    'topics',
    'audiences',
    'venues',
    'trainers',
    'courses',
    'course_key_areas',
    'course_learning_outcomes',
    'course_testimonials',
    'course_topics',
    'course_audiences',
    'sessions',
    'session_parts',
    'session_trainers',
    'bookings',
  ],
  // Quotes from feedback on course pages, attributed with the delegate's name and job role as they are now.
  '016-quote-publications': ['quote_publications', 'feedback_responses', 'delegates'],
  // Prices on session and course pages, and the organisation type that picks a signed-in delegate's price.
  '017-charges-invoices': ['course_prices', 'session_prices'],
} as const satisfies Record<string, readonly string[]>;

/** Every table a public page shows, whichever migration began watching it. */
export const PUBLIC_PAGE_TABLES: readonly string[] = Object.values(PUBLIC_PAGE_TABLES_BY_MIGRATION).flat();

/**
 * Tables public pages read that only triggers on the tables above write (the
 * search index, migration 010), in the same statement as the change they
 * follow: they cannot change unless a watched table does, so need no trigger
 * of their own. Nothing else may write to them.
 */
export const KEPT_FROM_PUBLIC_PAGE_TABLES: readonly string[] = ['session_search'];
