/**
 * Feedback on the learning outcomes. A booking records when its delegate was
 * invited, so the invitation job claims each one with a conditional update
 * and never sends it twice, however many processes run.
 *
 * Answers are kept by learning outcome id, with the outcome's words as they
 * were asked: editing a course replaces its list of outcomes, and what the
 * delegate answered must still read true afterwards. So there is no foreign
 * key to the outcomes.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

import type { DialectMigration } from './dialectMigration.js';
import { withId } from './columns.js';

export const feedback: DialectMigration = (dialect) => ({
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema.alterTable('bookings').addColumn('feedback_invited_at', 'text').execute();

    await db.schema
      .createTable('feedback_responses')
      .$call(withId(dialect))
      .addColumn('booking_id', 'integer', (c) =>
        c.notNull().unique().references('bookings.id').onDelete('cascade'),
      )
      .addColumn('usefulness', 'integer', (c) => c.check(sql`usefulness between 1 and 5`))
      .addColumn('do_differently', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('hub_should_change', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('quote', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('quote_consent', 'text', (c) =>
        c.check(sql`quote_consent in ('no', 'anonymous', 'job_role', 'name')`),
      )
      .addColumn('submitted_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('feedback_outcome_answers')
      .addColumn('response_id', 'integer', (c) =>
        c.notNull().references('feedback_responses.id').onDelete('cascade'),
      )
      .addColumn('learning_outcome_id', 'integer', (c) => c.notNull())
      .addColumn('outcome_text', 'text', (c) => c.notNull())
      .addColumn('confidence_before', 'integer', (c) => c.check(sql`confidence_before between 1 and 5`))
      .addColumn('confidence_after', 'integer', (c) => c.check(sql`confidence_after between 1 and 5`))
      .addPrimaryKeyConstraint('feedback_outcome_answers_pk', ['response_id', 'learning_outcome_id'])
      .execute();
    // Reports read answers by outcome.
    await db.schema
      .createIndex('feedback_outcome_answers_outcome')
      .on('feedback_outcome_answers')
      .column('learning_outcome_id')
      .execute();
  },

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await db.schema.dropTable('feedback_outcome_answers').execute();
    await db.schema.dropTable('feedback_responses').execute();
    await db.schema.alterTable('bookings').dropColumn('feedback_invited_at').execute();
  },
});
