/**
 * Sample values for back-office route parameters, so a table of routes
 * (test/integration/admin-rules/) can be opened for real: a session the
 * sample trainer teaches (or, asked for, one they do not), and what hangs
 * off it. Used by the authorisation test and the back-office axe tour.
 */
import { TEST_NOW, type TestApp } from './app.js';

/** The trainer the "trainer" role signs in as. */
export const TRAINER_SLUG = 'lisa-cherry';

export type Samples = Record<string, string>;

/** Sample values for route parameters: a session the trainer teaches, and what hangs off it. */
export async function sampleParams(t: TestApp, teaches: boolean): Promise<Samples> {
  const db = t.database.db;
  const trainer = await db
    .selectFrom('trainers')
    .where('slug', '=', TRAINER_SLUG)
    .select('id')
    .executeTakeFirstOrThrow();
  const taughtBy = db
    .selectFrom('session_trainers')
    .where('trainer_id', '=', trainer.id)
    .select('session_id');
  const session = await db
    .selectFrom('sessions')
    .where('id', teaches ? 'in' : 'not in', taughtBy)
    .where('starts_at', '>', TEST_NOW)
    .where('cancelled_at', 'is', null)
    .where((eb) =>
      eb.exists(eb.selectFrom('bookings').whereRef('bookings.session_id', '=', 'sessions.id').select('id')),
    )
    .select(['id', 'course_id', 'venue_id'])
    .orderBy('starts_at')
    .executeTakeFirstOrThrow();
  const booking = await db
    .selectFrom('bookings')
    .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
    .where('session_id', '=', session.id)
    .select(['bookings.reference', 'delegates.id as delegateId', 'delegates.organisation_id'])
    .orderBy('bookings.id')
    .executeTakeFirstOrThrow();
  const venue = await db.selectFrom('venues').select('id').orderBy('id').executeTakeFirstOrThrow();
  const organisation = await db
    .selectFrom('organisations')
    .select('id')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  const staff = await db.selectFrom('staff_users').select('id').orderBy('id').executeTakeFirst();
  return {
    sessionId: String(session.id),
    courseId: String(session.course_id),
    venueId: String(session.venue_id ?? venue.id),
    trainerId: String(trainer.id),
    reference: booking.reference,
    delegateId: String(booking.delegateId),
    organisationId: String(booking.organisation_id ?? organisation.id),
    staffId: String(staff?.id ?? 1),
  };
}

export function pathFor(route: string, samples: Samples): string {
  return route.replace(/^[A-Z]+ /, '').replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = samples[name];
    if (value === undefined) throw new Error(`No sample value for :${name} (see admin-rules/types.ts)`);
    return encodeURIComponent(value);
  });
}
