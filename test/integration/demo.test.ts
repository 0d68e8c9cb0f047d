import { afterAll, beforeAll, expect, it } from 'vitest';

import { loadDemoIfNew } from '../../src/demo/loadDemo.js';
import { londonDate } from '../../src/domain/time.js';
import { isWorkingDay } from '../../src/domain/workingDays.js';
import { demoProgramme } from '../../src/demo/programme.js';
import { TEST_NOW } from '../support/app.js';
import { createTestDatabase, eachDatabase, type TestDatabase } from '../support/databases.js';

eachDatabase('demo programme', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(() => database.drop());

  it('loads into a new database, with sessions in the future and the seed in the past', async () => {
    const result = await loadDemoIfNew(database.db, demoProgramme, new Date(TEST_NOW));
    expect(result.loaded).toBe(true);
    const courses = await database.db.selectFrom('courses').select('slug').execute();
    expect(courses.length).toBeGreaterThanOrEqual(13);
    const upcoming = await database.db
      .selectFrom('sessions')
      .where('starts_at', '>', TEST_NOW)
      .select('id')
      .execute();
    expect(upcoming.length).toBeGreaterThanOrEqual(20);
    const seed = await database.db
      .selectFrom('sessions')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('courses.slug', '=', 'trauma-informed-co-production')
      .select(['sessions.starts_at', 'sessions.ends_at'])
      .orderBy('sessions.starts_at')
      .executeTakeFirstOrThrow();
    expect(seed).toEqual({ starts_at: '2024-11-25T09:30:00.000Z', ends_at: '2024-11-25T15:30:00.000Z' });
  });

  it('never overfills a session and never books one delegate twice on a session', async () => {
    const overfull = await database.db
      .selectFrom('sessions')
      .where((eb) =>
        eb(
          'capacity',
          '<',
          eb
            .selectFrom('bookings')
            .select(eb.fn.countAll<number>().as('n'))
            .whereRef('bookings.session_id', '=', 'sessions.id')
            .where('state', '=', 'confirmed'),
        ),
      )
      .select('id')
      .execute();
    expect(overfull).toEqual([]);
    const doubles = await database.db
      .selectFrom('bookings')
      .select(['session_id', 'delegate_id'])
      .groupBy(['session_id', 'delegate_id'])
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    expect(doubles).toEqual([]);
  });

  it('does not load twice, even after its courses are removed', async () => {
    expect((await loadDemoIfNew(database.db, demoProgramme, new Date(TEST_NOW))).loaded).toBe(false);
    await database.db.deleteFrom('bookings').execute();
    await database.db.deleteFrom('sessions').execute();
    await database.db.deleteFrom('courses').execute();
    expect((await loadDemoIfNew(database.db, demoProgramme, new Date(TEST_NOW))).loaded).toBe(false);
  });
});

eachDatabase('demo programme loaded over Christmas', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(() => database.drop());

  it('never puts a session on a weekend or a bank holiday', async () => {
    // Loaded on 27 November 2026: five weeks on is Monday 28 December, a bank holiday.
    await loadDemoIfNew(database.db, demoProgramme, new Date('2026-11-27T10:00:00Z'));
    const starts = await database.db
      .selectFrom('sessions')
      .select('starts_at')
      .where('starts_at', '>', '2026-11-27')
      .execute();
    expect(starts.length).toBeGreaterThan(20);
    for (const { starts_at } of starts)
      expect(isWorkingDay(londonDate(new Date(starts_at))), starts_at).toBe(true);
  });
});
