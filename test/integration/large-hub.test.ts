/**
 * The large-hub generator (`npm run seed:large`, the back-office benchmark)
 * at a small size: the counts it promises, and data the app itself could
 * have written (no session over capacity, attendance only for the past).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';

import { seedLargeHub } from '../../src/demo/largeHub.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { eachDatabase } from '../support/databases.js';

const SMALL = {
  sessions: 60,
  bookings: 1_500,
  delegates: 400,
  organisations: 12,
  courses: 6,
  venues: 3,
  trainers: 4,
};

eachDatabase('large hub generator', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: false });
  });
  afterAll(() => t.close());

  it('adds what it says, without overbooking a session or marking the future', async () => {
    const result = await seedLargeHub(t.database.db, new Date(TEST_NOW), SMALL);
    const db = t.database.db;
    const count = async (table: 'sessions' | 'bookings' | 'delegates' | 'attendance') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count('sessions')).toBe(SMALL.sessions);
    expect(await count('bookings')).toBe(SMALL.bookings);
    expect(await count('delegates')).toBe(SMALL.delegates);
    expect(await count('attendance')).toBe(result.attendance);
    expect(result.attendance).toBeGreaterThan(0);

    const overbooked = await db
      .selectFrom('sessions')
      .where('capacity', '<', (eb) =>
        eb
          .selectFrom('bookings')
          .whereRef('bookings.session_id', '=', 'sessions.id')
          .where('state', '=', 'confirmed')
          .select(eb.fn.countAll<number>().as('n')),
      )
      .select('id')
      .execute();
    expect(overbooked).toEqual([]);

    const futureMarks = await db
      .selectFrom('attendance')
      .innerJoin('session_parts', 'session_parts.id', 'attendance.session_part_id')
      .where('session_parts.starts_at', '>', TEST_NOW)
      .select('attendance.id')
      .execute();
    expect(futureMarks).toEqual([]);
  });
});
