/**
 * Group commit (data/sessionLock.ts): bookings waiting for the same lock
 * share one transaction, each in its own savepoint. One that is refused is
 * rolled back alone; the others are answered only after the one commit, and
 * a failed commit fails them all. On both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Executor } from '../../src/data/schema.js';
import { SessionLock, type Together } from '../../src/data/sessionLock.js';
import { ConflictError } from '../../src/errors.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { eachDatabase } from '../support/databases.js';
import {
  bookingsOn,
  createCourse,
  createDelegates,
  createSession,
  DAY_MS,
  SettableClock,
} from './support.js';

const NO_NEEDS = { accessNeeds: null, dietaryNeeds: null, consent: false };

/** The test app's session lock, with its protected commit reachable for instrumentation. */
type Instrumented = {
  forSession: SessionLock['forSession'];
  forSessionTogether: SessionLock['forSessionTogether'];
  commit: (db: Executor) => Promise<void>;
};

eachDatabase('group commit under the session lock', (dialect) => {
  const clock = new SettableClock(TEST_NOW);
  let t: TestApp;
  let courseId: number;

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: false, clock });
    courseId = await createCourse(t.database.db, 'group-commit', clock.now());
  });
  afterAll(() => t.close());

  async function newSession(capacity: number): Promise<number> {
    const now = clock.peek();
    return createSession(t.database.db, courseId, capacity, new Date(now.getTime() + 30 * DAY_MS), now);
  }

  /**
   * Lets `count` callers of forSession through together, in one turn, so
   * they join one batch (as a rush's bookings do when they arrive while the
   * lock is busy); and counts commits, or makes them fail. Test-only
   * instrumentation of the app's lock; the services themselves are unchanged.
   */
  function gather(count: number, options: { failCommit?: boolean } = {}) {
    const lock = t.services.sessionLock as unknown as Instrumented;
    const forSession = lock.forSession;
    const forSessionTogether = lock.forSessionTogether;
    const commit = lock.commit;
    const arrived: Array<() => void> = [];
    let commits = 0;
    /** The length of each list of work handed over together, in order. */
    const lists: number[] = [];
    // One wrapper per kind, so the lock still sees neighbours as the same kind.
    const wrappers = new Map<unknown, Together<unknown, unknown>>();
    const counted = <I, T>(kind: Together<I, T>): Together<I, T> => {
      let wrapper = wrappers.get(kind);
      if (!wrapper) {
        wrapper = {
          all: (db, inputs) => {
            lists.push(inputs.length);
            return kind.all(db, inputs as I[]);
          },
        };
        wrappers.set(kind, wrapper);
      }
      return wrapper as Together<I, T>;
    };
    const allArrived = () =>
      new Promise<void>((resolve) => {
        arrived.push(resolve);
        if (arrived.length === count) for (const go of arrived) go();
      });
    lock.forSession = async function <T>(
      this: unknown,
      sessionId: number,
      work: (db: Executor) => Promise<T>,
    ) {
      await allArrived();
      return forSession.call(this, sessionId, work) as Promise<T>;
    };
    lock.forSessionTogether = async function <I, T>(
      this: unknown,
      sessionId: number,
      kind: Together<I, T>,
      input: I,
    ) {
      await allArrived();
      return forSessionTogether.call(this, sessionId, counted(kind), input) as Promise<T>;
    };
    lock.commit = async function (this: unknown, db: Executor) {
      commits += 1;
      if (options.failCommit) throw new Error('the commit failed (simulated by the test)');
      return commit.call(this, db);
    };
    return {
      commits: () => commits,
      lists: () => lists,
      restore: () => {
        Reflect.deleteProperty(lock, 'forSession');
        Reflect.deleteProperty(lock, 'forSessionTogether');
        Reflect.deleteProperty(lock, 'commit');
      },
    };
  }

  async function capacityOf(sessionId: number): Promise<number> {
    const row = await t.database.db
      .selectFrom('sessions')
      .where('id', '=', sessionId)
      .select('capacity')
      .executeTakeFirstOrThrow();
    return row.capacity;
  }

  async function auditActionsOn(bookingIds: number[]) {
    if (!bookingIds.length) return [];
    return t.database.db
      .selectFrom('audit_log')
      .where('entity_type', '=', 'booking')
      .where('entity_id', 'in', bookingIds)
      .select(['entity_id', 'action'])
      .execute();
  }

  async function emailsOn(bookingIds: number[]) {
    if (!bookingIds.length) return [];
    return t.database.db
      .selectFrom('outbox_messages')
      .where('booking_id', 'in', bookingIds)
      .select(['booking_id', 'kind'])
      .execute();
  }

  it('commits the others of a batch when one booking in it is refused (a price changed), and rolls back only that one', async () => {
    const sessionId = await newSession(2);
    const delegates = await createDelegates(t.database.db, 5, clock.peek());
    const changed = delegates[2]!;
    const gathered = gather(delegates.length);
    let results: PromiseSettledResult<unknown>[];
    try {
      results = await Promise.allSettled(
        delegates.map((delegateId) =>
          // Everyone saw a free place; the third was shown a price that is no longer the price.
          t.services.bookings.book(delegateId, sessionId, NO_NEEDS, {
            pricePence: delegateId === changed ? 2_500 : 0,
          }),
        ),
      );
    } finally {
      gathered.restore();
    }

    // One transaction for all five.
    expect(gathered.commits()).toBe(1);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect(results[2]!.status).toBe('rejected');

    const rows = await bookingsOn(t.database.db, sessionId);
    expect(rows.map((r) => r.delegate_id).sort()).toEqual(delegates.filter((d) => d !== changed).sort());
    // The refused booking took no place: both places went to people who were not refused.
    expect(rows.filter((r) => r.state === 'confirmed')).toHaveLength(2);
    expect(rows.filter((r) => r.state === 'waitlisted')).toHaveLength(2);
    const ids = rows.map((r) => r.id);
    expect(await auditActionsOn(ids)).toHaveLength(4);
    expect(await emailsOn(ids)).toHaveLength(4);
    // Nothing written for the refused one: not its booking, audit entry or email.
    const all = await t.database.db
      .selectFrom('bookings')
      .where('delegate_id', '=', changed)
      .select('id')
      .execute();
    expect(all).toEqual([]);
  });

  it('fails every booking in a batch whose commit fails, and reports none of them done', async () => {
    const sessionId = await newSession(2);
    const delegates = await createDelegates(t.database.db, 4, clock.peek());
    const gathered = gather(delegates.length, { failCommit: true });
    let results: PromiseSettledResult<unknown>[];
    try {
      results = await Promise.allSettled(
        delegates.map((delegateId) => t.services.bookings.book(delegateId, sessionId, NO_NEEDS)),
      );
    } finally {
      gathered.restore();
    }

    expect(gathered.commits()).toBe(1);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    for (const result of results) {
      expect(String((result as PromiseRejectedResult).reason)).toContain('the commit failed');
    }
    // Rolled back: no booking, and the session's places are all still free.
    expect(await bookingsOn(t.database.db, sessionId)).toEqual([]);
    const emails = await t.database.db
      .selectFrom('outbox_messages')
      .innerJoin('bookings', 'bookings.id', 'outbox_messages.booking_id')
      .where('bookings.session_id', '=', sessionId)
      .select('outbox_messages.id')
      .execute();
    expect(emails).toEqual([]);

    // The lock works again afterwards: the same people can book.
    const again = await Promise.all(
      delegates.map((delegateId) => t.services.bookings.book(delegateId, sessionId, NO_NEEDS)),
    );
    expect(again.filter((o) => o.state === 'confirmed')).toHaveLength(2);
  });

  it('gives exactly C places to N people booking at once, the rest waiting in booking order, with one email and one audit entry each', async () => {
    const capacity = 7;
    const sessionId = await newSession(capacity);
    const delegates = await createDelegates(t.database.db, 60, clock.peek());
    const outcomes = await Promise.all(
      delegates.map((delegateId) => t.services.bookings.book(delegateId, sessionId, NO_NEEDS)),
    );

    expect(outcomes.filter((o) => o.state === 'confirmed')).toHaveLength(capacity);
    expect(outcomes.filter((o) => o.state === 'waitlisted')).toHaveLength(60 - capacity);
    const rows = await bookingsOn(t.database.db, sessionId);
    expect(rows.filter((r) => r.state === 'confirmed')).toHaveLength(capacity);
    expect(rows.filter((r) => r.state === 'waitlisted')).toHaveLength(60 - capacity);

    // Waiting-list positions, as told, are 1, 2, 3… in the order the list is kept.
    const told = new Map(outcomes.map((o) => [o.reference, o.position]));
    const waiting = rows.filter((r) => r.state === 'waitlisted');
    expect(waiting.map((r) => told.get(r.reference))).toEqual(waiting.map((_, index) => index + 1));
    // The list is in booking order: ids (handed out under the lock) rise along it.
    expect(waiting.map((r) => r.id)).toEqual([...waiting.map((r) => r.id)].sort((a, b) => a - b));

    const ids = rows.map((r) => r.id);
    const audit = await auditActionsOn(ids);
    const emails = await emailsOn(ids);
    for (const row of rows) {
      expect(audit.filter((a) => Number(a.entity_id) === row.id).map((a) => a.action)).toEqual([
        row.state === 'confirmed' ? 'booked' : 'joined_waitlist',
      ]);
      const own = emails.filter((e) => Number(e.booking_id) === row.id).map((e) => e.kind);
      // One email to the delegate each (a confirmed place also tells the line manager, as the hub's policy says).
      expect(own.filter((kind) => kind === 'booking_confirmed' || kind === 'waitlist_joined')).toEqual([
        row.state === 'confirmed' ? 'booking_confirmed' : 'waitlist_joined',
      ]);
    }
  });

  it('places a batch of bookings together, as one list: a few statements for all of them, not a few each', async () => {
    const sessionId = await newSession(3);
    const delegates = await createDelegates(t.database.db, 12, clock.peek());
    const gathered = gather(delegates.length);
    let outcomes: Awaited<ReturnType<TestApp['services']['bookings']['book']>>[];
    try {
      outcomes = await Promise.all(
        delegates.map((delegateId) => t.services.bookings.book(delegateId, sessionId, NO_NEEDS)),
      );
    } finally {
      gathered.restore();
    }
    // All twelve were handed over in one list, in one transaction.
    expect(gathered.lists()).toEqual([12]);
    expect(gathered.commits()).toBe(1);
    // Decided in arrival order, each seeing the places taken before it: three
    // places, then the waiting list 1 to 9 in the order the list is kept.
    expect(outcomes.filter((o) => o.state === 'confirmed')).toHaveLength(3);
    const waiting = (await bookingsOn(t.database.db, sessionId)).filter((r) => r.state === 'waitlisted');
    const told = new Map(outcomes.map((o) => [o.reference, o.position]));
    expect(waiting.map((r) => told.get(r.reference))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const rows = await bookingsOn(t.database.db, sessionId);
    expect(new Map(rows.map((r) => [r.delegate_id, r.reference]))).toEqual(
      new Map(outcomes.map((o, index) => [delegates[index]!, o.reference])),
    );
    const ids = rows.map((r) => r.id);
    expect(await auditActionsOn(ids)).toHaveLength(12);
    // Twelve emails to delegates, and the line managers of the three with a place.
    const emails = await emailsOn(ids);
    expect(emails.filter((e) => e.kind === 'booking_confirmed')).toHaveLength(3);
    expect(emails.filter((e) => e.kind === 'waitlist_joined')).toHaveLength(9);
  });

  it('gives a delegate who presses "Book" twice in one batch the one booking, not two', async () => {
    const sessionId = await newSession(5);
    const [twice, other] = await createDelegates(t.database.db, 2, clock.peek());
    const gathered = gather(3);
    let outcomes: Awaited<ReturnType<TestApp['services']['bookings']['book']>>[];
    try {
      outcomes = await Promise.all(
        [twice!, other!, twice!].map((delegateId) =>
          t.services.bookings.book(delegateId, sessionId, NO_NEEDS),
        ),
      );
    } finally {
      gathered.restore();
    }
    expect(gathered.lists()).toEqual([3]);
    expect(outcomes[0]!.alreadyHeld).toBe(false);
    expect(outcomes[2]).toEqual({ ...outcomes[0], alreadyHeld: true });
    const rows = await bookingsOn(t.database.db, sessionId);
    expect(rows.filter((r) => r.delegate_id === twice)).toHaveLength(1);
    expect(rows).toHaveLength(2);
    // One "your place is booked" each: the second press wrote no email.
    const emails = await emailsOn(rows.map((r) => r.id));
    expect(emails.filter((e) => e.kind === 'booking_confirmed')).toHaveLength(2);
  });

  describe('the lock on its own', () => {
    it('hands neighbouring work of one kind for one session over as one list, and runs each alone again when the list fails', async () => {
      const sessionId = await newSession(1);
      const lock = new SessionLock(t.database.db, dialect);
      const lists: number[][] = [];
      // Adds each input to the capacity; a list holding 13 fails as a whole
      // (an unforeseen error), and 13 alone is refused.
      const raise: Together<number, number> = {
        async all(db, inputs) {
          lists.push([...inputs]);
          if (inputs.length > 1 && inputs.includes(13)) throw new Error('a list with 13 in it fails');
          const outcomes = [];
          for (const by of inputs) {
            if (by === 13) {
              outcomes.push({ ok: false as const, error: new ConflictError('13 is refused') });
              continue;
            }
            await db
              .updateTable('sessions')
              .set((eb) => ({ capacity: eb('capacity', '+', by) }))
              .where('id', '=', sessionId)
              .execute();
            outcomes.push({ ok: true as const, value: by });
          }
          return outcomes;
        },
      };
      // A first piece holds the lock while the rest arrive, so they share the next batch.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const first = lock.forSession(sessionId, () => held);
      await new Promise((resolve) => setImmediate(resolve));
      const together = [1, 2, 4].map((by) => lock.forSessionTogether(sessionId, raise, by));
      const failing = [8, 13, 16].map((by) => lock.forSessionTogether(sessionId + 1_000_000, raise, by));
      // Watched from now: the other session's lock is free, so 13 can be refused
      // before `first` ends, and a rejection nobody watched yet is an unhandled one.
      const settled = Promise.allSettled([...together, ...failing]);
      release();
      await first;
      const results = await settled;
      expect(results.map((r) => r.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      expect((results[4] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      // Work for another session is never in the same list (on PostgreSQL, the
      // two sessions' batches run side by side, in either order).
      expect(lists.filter((list) => list.includes(1))).toEqual([[1, 2, 4]]);
      expect(lists.filter((list) => !list.includes(1))).toEqual([[8, 13, 16], [8], [13], [16]]);
      // 1 to start, + 1 + 2 + 4 together, + 8 and 16 alone after their list failed; 13 refused.
      expect(await capacityOf(sessionId)).toBe(32);
    });

    it('gathers waiting work into batches of at most maxBatch, each piece seeing the writes of those before it', async () => {
      const sessionId = await newSession(10);
      let commits = 0;
      class CountingLock extends SessionLock {
        protected override async commit(db: Executor): Promise<void> {
          commits += 1;
          await super.commit(db);
        }
      }
      const lock = new CountingLock(t.database.db, dialect, { maxBatch: 3 });
      const seen: number[] = [];
      const results = await Promise.all(
        Array.from({ length: 7 }, (_, n) =>
          lock.forSession(sessionId, async (db) => {
            // Each piece reads the count the pieces before it left, then adds one.
            const row = await db
              .selectFrom('sessions')
              .where('id', '=', sessionId)
              .select('capacity')
              .executeTakeFirstOrThrow();
            seen.push(row.capacity);
            await db
              .updateTable('sessions')
              .set({ capacity: row.capacity + 1 })
              .where('id', '=', sessionId)
              .execute();
            return n;
          }),
        ),
      );
      expect(results).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(seen).toEqual([10, 11, 12, 13, 14, 15, 16]);
      // 7 pieces, at most 3 a batch: 3 commits (3 + 3 + 1).
      expect(commits).toBe(3);
    });

    it('rolls back a piece that throws to its own savepoint and keeps the writes of the rest', async () => {
      const sessionId = await newSession(10);
      const lock = new SessionLock(t.database.db, dialect);
      const raise = (by: number, fail = false) =>
        lock.forSession(sessionId, async (db) => {
          await db
            .updateTable('sessions')
            .set((eb) => ({ capacity: eb('capacity', '+', by) }))
            .where('id', '=', sessionId)
            .execute();
          if (fail) throw new ConflictError('refused after writing');
          return by;
        });
      const results = await Promise.allSettled([raise(1), raise(100, true), raise(10)]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await capacityOf(sessionId)).toBe(21);
    });
  });
});
