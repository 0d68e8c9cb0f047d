/** Finding the demo data a test needs, by what it is rather than by its id. */
import type { Kysely } from 'kysely';

import type { DB } from '../../src/data/schema.js';

/** An upcoming session with every place confirmed (the latest one, or the first). */
export function fullUpcomingSession(db: Kysely<DB>, after: string, which: 'first' | 'last' = 'first') {
  return db
    .selectFrom('sessions')
    .where('starts_at', '>', after)
    .where((eb) =>
      eb(
        'capacity',
        '=',
        eb
          .selectFrom('bookings')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('bookings.session_id', '=', 'sessions.id')
          .where('state', '=', 'confirmed'),
      ),
    )
    .select(['id', 'capacity'])
    .orderBy('starts_at', which === 'first' ? 'asc' : 'desc')
    .executeTakeFirstOrThrow();
}
