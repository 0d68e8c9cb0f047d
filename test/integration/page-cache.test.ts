/**
 * The public page cache under concurrent requests (src/web/pageCache.ts,
 * src/data/repositories/changeCounterRecords.ts): a page out of date is
 * rendered once for everyone asking at the same time, the counter is read
 * once for many requests, and neither ever hides a change committed before
 * the request was made.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

import { ChangeCounterRecords } from '../../src/data/repositories/changeCounterRecords.js';
import type { DB } from '../../src/data/schema.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';

type Executed = Awaited<ReturnType<Kysely<DB>['executeQuery']>>;

/** `db` with its executeQuery (how ChangeCounterRecords reads) passed through `around`. */
function aroundQueries(
  db: Kysely<DB>,
  around: (run: () => Promise<Executed>) => Promise<Executed>,
): Kysely<DB> {
  return new Proxy(db, {
    get(target, property) {
      if (property === 'executeQuery') {
        return (...args: Parameters<Kysely<DB>['executeQuery']>) =>
          around(() => target.executeQuery(...args));
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

eachDatabase('page cache under concurrent requests', (dialect) => {
  let t: TestApp;
  let sessionIds: number[];

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const rows = await t.database.db
      .selectFrom('sessions')
      .where('starts_at', '>', TEST_NOW)
      .where('cancelled_at', 'is', null)
      .select('id')
      .orderBy('id')
      .limit(2)
      .execute();
    sessionIds = rows.map((row) => row.id);
  });
  afterAll(() => t.close());

  const counter = () =>
    t.database.db
      .selectFrom('change_counters')
      .where('name', '=', 'public_pages')
      .select('value')
      .executeTakeFirstOrThrow()
      .then((row) => Number(row.value));

  it('reads the counter once for many callers at once, each read begun after its caller asked', async () => {
    let reads = 0;
    const records = new ChangeCounterRecords(
      aroundQueries(t.database.db, (run) => {
        reads += 1;
        return run();
      }),
    );
    const versions = await Promise.all(Array.from({ length: 50 }, () => records.publicPagesVersion()));
    expect(new Set(versions)).toEqual(new Set([await counter()]));
    // One read, begun on the next turn of the event loop, after all 50 asked.
    expect(reads).toBe(1);
    // Asked again after that answer: a read of its own, not the one before.
    await records.publicPagesVersion();
    expect(reads).toBe(2);
  });

  it('does not answer a caller with a read begun before a change it has seen committed', async () => {
    // The first read runs at once but its answer is held back, as a slow
    // round trip would: it is still in flight when the change commits.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let reads = 0;
    const slowFirstRead = aroundQueries(t.database.db, async (run) => {
      reads += 1;
      const first = reads === 1;
      const result = await run();
      if (first) await held;
      return result;
    });
    const records = new ChangeCounterRecords(slowFirstRead);
    const before = await counter();
    const inFlight = records.publicPagesVersion();
    // Let the first read reach the database before the change.
    while (reads === 0) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await t.database.db
      .updateTable('change_counters')
      .set({ value: sql<number>`value + 1` })
      .where('name', '=', 'public_pages')
      .execute();
    // Asked after the change committed, while the earlier read is still in flight.
    const after = records.publicPagesVersion();
    release();
    expect(await inFlight).toBe(before);
    expect(await after).toBe(before + 1);
    expect(reads).toBe(2);
  });

  it('renders a page many visitors miss at once only once, and shows a change to the next request after', async () => {
    const [sessionId] = sessionIds;
    const path = `/sessions/${sessionId}`;
    const builds = vi.spyOn(t.services.catalogue, 'session');
    try {
      // Nobody has asked for this page yet: all wait for one render.
      const first = await Promise.all(Array.from({ length: 20 }, () => t.app.inject(path)));
      expect(first.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
      expect(new Set(first.map((r) => r.body)).size).toBe(1);
      expect(builds).toHaveBeenCalledTimes(1);

      const title = parsePage(first[0]!.body).h1();
      await t.database.db
        .updateTable('courses')
        .set({ title: `${title} (renamed)` })
        .where('id', '=', (qb) => qb.selectFrom('sessions').select('course_id').where('id', '=', sessionId!))
        .execute();

      // Out of date now: one render again, whoever asks meanwhile gets the page it replaces.
      const during = await Promise.all(Array.from({ length: 20 }, () => t.app.inject(path)));
      const titles = during.map((r) => parsePage(r.body).h1());
      expect(titles.every((h1) => h1 === title || h1 === `${title} (renamed)`)).toBe(true);
      expect(titles).toContain(`${title} (renamed)`);
      expect(builds).toHaveBeenCalledTimes(2);

      // Made after that render: the change, from the cache.
      expect(parsePage((await t.app.inject(path)).body).h1()).toBe(`${title} (renamed)`);
      expect(builds).toHaveBeenCalledTimes(2);

      await t.database.db
        .updateTable('courses')
        .set({ title: title })
        .where('id', '=', (qb) => qb.selectFrom('sessions').select('course_id').where('id', '=', sessionId!))
        .execute();
      expect(parsePage((await t.app.inject(path)).body).h1()).toBe(title);
    } finally {
      builds.mockRestore();
    }
  });

  it('renders different pages side by side, each once', async () => {
    const builds = vi.spyOn(t.services.catalogue, 'session');
    try {
      await t.database.db
        .updateTable('change_counters')
        .set({ value: sql<number>`value + 1` })
        .where('name', '=', 'public_pages')
        .execute();
      const replies = await Promise.all(
        sessionIds.flatMap((id) => Array.from({ length: 10 }, () => t.app.inject(`/sessions/${id}`))),
      );
      expect(replies.every((r) => r.statusCode === 200)).toBe(true);
      expect(builds).toHaveBeenCalledTimes(sessionIds.length);
    } finally {
      builds.mockRestore();
    }
  });
});
