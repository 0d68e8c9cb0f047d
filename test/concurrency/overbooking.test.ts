/**
 * Many people booking, cancelling and taking up offers of the same session at
 * once. First the race is shown happening with the session lock switched off,
 * then shown prevented with it on — on both databases (ARCHITECTURE.md,
 * examples 3 and 4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Executor } from '../../src/data/schema.js';
import type { SessionLock } from '../../src/data/sessionLock.js';
import type { BookingOutcome } from '../../src/services/bookings/bookingService.js';
import { ConflictError } from '../../src/errors.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { eachDatabase } from '../support/databases.js';
import {
  allowingConflict,
  auditedHistoryProblems,
  bookingsOn,
  createCourse,
  createDelegates,
  createSession,
  DAY_MS,
  delegatesHoldingTwice,
  HOUR_MS,
  LIVE,
  placesHeld,
  seededRandom,
  SettableClock,
  type BookingRow,
} from './support.js';

const NO_NEEDS = { accessNeeds: null, dietaryNeeds: null, consent: false };

/** Far enough ahead that every delegate may still cancel their own place. */
const SESSION_STARTS_IN_MS = 60 * DAY_MS;

function byState(rows: readonly BookingRow[], state: BookingRow['state']): BookingRow[] {
  return rows.filter((row) => row.state === state);
}

eachDatabase('booking under concurrency', (dialect) => {
  describe('with the session lock switched off', () => {
    const clock = new SettableClock(TEST_NOW);
    let t: TestApp;
    let courseId: number;

    beforeAll(async () => {
      t = await createTestApp(dialect, { demo: false, clock, booking: { unsafeWithoutLock: true } });
      courseId = await createCourse(t.database.db, 'race-unlocked', clock.now());
    });
    afterAll(() => t.close());

    it('confirms more people than there are places when many book at once', async () => {
      const capacity = 3;
      const contenders = 25;
      // The unlocked path counts places before its transaction. On SQLite
      // every count is queued on the one connection ahead of any transaction,
      // so the race shows every time. On PostgreSQL it depends on how the pool
      // schedules the counts against the commits; here all 25 counts have
      // always come before the first commit, but a few rounds are allowed in
      // case a slower machine commits sooner, and the race must show in at
      // least one of them.
      const rounds: number[] = [];
      for (let round = 0; round < 5; round += 1) {
        const sessionId = await createSession(
          t.database.db,
          courseId,
          capacity,
          new Date(clock.peek().getTime() + SESSION_STARTS_IN_MS),
          clock.peek(),
        );
        const delegates = await createDelegates(t.database.db, contenders, clock.peek());
        const outcomes = await Promise.all(
          delegates.map((delegateId) => t.services.bookings.book(delegateId, sessionId, NO_NEEDS)),
        );
        const rows = await bookingsOn(t.database.db, sessionId);
        const confirmed = byState(rows, 'confirmed').length;
        expect(outcomes.filter((o) => o.state === 'confirmed')).toHaveLength(confirmed);
        rounds.push(confirmed);
        if (confirmed > capacity) break;
      }
      expect(Math.max(...rounds), `confirmed per round: ${rounds.join(', ')}`).toBeGreaterThan(capacity);
    });
  });

  describe('with the session lock', () => {
    const clock = new SettableClock(TEST_NOW);
    let t: TestApp;
    let courseId: number;

    beforeAll(async () => {
      t = await createTestApp(dialect, { demo: false, clock });
      courseId = await createCourse(t.database.db, 'race-locked', clock.now());
    });
    afterAll(() => t.close());

    async function newSession(capacity: number): Promise<number> {
      const now = clock.peek();
      return createSession(
        t.database.db,
        courseId,
        capacity,
        new Date(now.getTime() + SESSION_STARTS_IN_MS),
        now,
      );
    }

    it('gives 5 places to 5 of 200 people booking at once and queues the other 195 in the order they were committed', async () => {
      const sessionId = await newSession(5);
      const delegates = await createDelegates(t.database.db, 200, clock.peek());
      const outcomes = await Promise.all(
        delegates.map((delegateId) => t.services.bookings.book(delegateId, sessionId, NO_NEEDS)),
      );

      expect(outcomes.filter((o) => o.state === 'confirmed')).toHaveLength(5);
      expect(outcomes.filter((o) => o.state === 'waitlisted')).toHaveLength(195);
      expect(outcomes.every((o) => !o.alreadyHeld)).toBe(true);

      const rows = await bookingsOn(t.database.db, sessionId);
      expect(rows).toHaveLength(200);
      expect(byState(rows, 'confirmed')).toHaveLength(5);
      expect(byState(rows, 'waitlisted')).toHaveLength(195);
      expect(queueProblems(rows, outcomes)).toEqual([]);
    });

    it('keeps the waiting list in commit order when the clock moves on between one request and the next', async () => {
      // Real time moves on while a request waits for the lock. Each reading of
      // this clock is a millisecond after the last, so a request that started
      // earlier but was committed later carries an earlier time. On SQLite
      // requests queue in order on the one connection, so they commit in the
      // order they began; on PostgreSQL the pool interleaves them, so a
      // booking timed before the lock is taken would get a created_at out of
      // commit order, and people would be told positions that do not hold.
      clock.tickMs = 1;
      try {
        const found: string[] = [];
        // Every round must be right; the pool decides the interleaving, so
        // one round alone might happen to commit in the order requests began.
        for (let round = 1; round <= 3; round += 1) {
          const sessionId = await newSession(2);
          const delegates = await createDelegates(t.database.db, 40, clock.peek());
          const outcomes = await Promise.all(
            delegates.map((delegateId) => t.services.bookings.book(delegateId, sessionId, NO_NEEDS)),
          );
          const rows = await bookingsOn(t.database.db, sessionId);
          expect(byState(rows, 'confirmed')).toHaveLength(2);
          found.push(...queueProblems(rows, outcomes).map((problem) => `round ${round}: ${problem}`));
        }
        expect(found).toEqual([]);
      } finally {
        clock.tickMs = 0;
      }
    });

    it('keeps one booking when the same person books the same session twice at once', async () => {
      const sessionId = await newSession(2);
      const [delegateId] = await createDelegates(t.database.db, 1, clock.peek());
      const [first, second] = await Promise.all([
        t.services.bookings.book(delegateId!, sessionId, NO_NEEDS),
        t.services.bookings.book(delegateId!, sessionId, NO_NEEDS),
      ]);
      const fresh = [first!, second!].filter((o) => !o.alreadyHeld);
      const again = [first!, second!].filter((o) => o.alreadyHeld);
      expect(fresh).toHaveLength(1);
      expect(again).toHaveLength(1);
      expect(again[0]!.reference).toBe(fresh[0]!.reference);
      expect(again[0]!.state).toBe('confirmed');
      const rows = await bookingsOn(t.database.db, sessionId);
      expect(rows.map((r) => r.reference)).toEqual([fresh[0]!.reference]);
    });

    it('keeps one booking each when several people each submit three times at once, on a full session too', async () => {
      const sessionId = await newSession(2);
      const delegates = await createDelegates(t.database.db, 6, clock.peek());
      const outcomes = await Promise.all(
        delegates.flatMap((delegateId) =>
          [1, 2, 3].map(async () => ({
            delegateId,
            outcome: await t.services.bookings.book(delegateId, sessionId, NO_NEEDS),
          })),
        ),
      );
      const rows = await bookingsOn(t.database.db, sessionId);
      expect(rows).toHaveLength(6);
      expect(byState(rows, 'confirmed')).toHaveLength(2);
      expect(byState(rows, 'waitlisted')).toHaveLength(4);
      for (const delegateId of delegates) {
        const theirs = outcomes.filter((o) => o.delegateId === delegateId).map((o) => o.outcome);
        const row = rows.find((r) => r.delegate_id === delegateId)!;
        expect(theirs.filter((o) => !o.alreadyHeld)).toHaveLength(1);
        expect(new Set(theirs.map((o) => o.reference))).toEqual(new Set([row.reference]));
        expect(new Set(theirs.map((o) => o.state))).toEqual(new Set([row.state]));
      }
    });

    it('never holds more than capacity while cancellations, offers, acceptances and declines race', async () => {
      // A fixed seed by default, so every run covers the same paths (the
      // coverage check below would otherwise fail on an unlucky draw); set
      // TRELLIS_CONCURRENCY_SEED to explore others.
      const seed = Number(process.env.TRELLIS_CONCURRENCY_SEED ?? 20261127);
      const random = seededRandom(seed);
      const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];
      const capacity = 4;
      const sessionId = await newSession(capacity);
      const delegates = await createDelegates(t.database.db, 16, clock.peek());
      const bookings = t.services.bookings;

      // A full session with a waiting list of 12.
      await Promise.all(delegates.map((d) => bookings.book(d, sessionId, NO_NEEDS)));
      let before = await bookingsOn(t.database.db, sessionId);
      expect(byState(before, 'confirmed')).toHaveLength(capacity);

      const seen = { cancelled: 0, accepted: 0, declined: 0, refused: 0, expired: 0, rebooked: 0 };
      for (let round = 1; round <= 16; round += 1) {
        const context = `seed ${seed} (TRELLIS_CONCURRENCY_SEED), round ${round}`;
        const live = new Set(before.filter((r) => LIVE.includes(r.state)).map((r) => r.delegate_id));
        const work: (() => Promise<unknown>)[] = [];

        // One or two people give up their places; now and then (and always in
        // the first round) one clicks twice.
        const confirmed = byState(before, 'confirmed');
        for (let n = 1 + Math.floor(random() * 2); n > 0 && confirmed.length; n -= 1) {
          const [row] = confirmed.splice(Math.floor(random() * confirmed.length), 1);
          const cancel = async () => {
            await bookings.cancel(row!.delegate_id, row!.reference);
            seen.cancelled += 1;
          };
          work.push(cancel);
          if (random() < 0.2 || round === 1) work.push(cancel);
        }
        // Each person with an offer accepts, declines, does both at once, or waits.
        for (const row of byState(before, 'offered')) {
          const accept = async () => {
            await bookings.acceptOffer(row.delegate_id, row.reference);
            seen.accepted += 1;
          };
          const decline = async () => {
            await bookings.declineOffer(row.delegate_id, row.reference);
            seen.declined += 1;
          };
          const choice = random();
          if (choice < 0.45) work.push(accept);
          else if (choice < 0.7) work.push(decline);
          else if (choice < 0.85) work.push(accept, decline);
        }
        // Someone leaves the waiting list; someone who left books again.
        const waiting = pick(byState(before, 'waitlisted'));
        if (waiting && random() < 0.4)
          work.push(() => bookings.cancel(waiting.delegate_id, waiting.reference));
        const gone = pick(delegates.filter((d) => !live.has(d)));
        if (gone !== undefined) {
          work.push(async () => {
            await bookings.book(gone, sessionId, NO_NEEDS);
            seen.rebooked += 1;
          });
        }
        // The waiting-list job runs alongside, sometimes twice.
        const job = async () => {
          seen.expired += (await bookings.processWaitlists()).expired;
        };
        work.push(job);
        if (random() < 0.5) work.push(job);

        shuffle(work, random);
        const results = await Promise.all(work.map((w) => allowingConflict(w)));
        seen.refused += results.filter((r) => r instanceof ConflictError).length;

        const now = clock.peek();
        const after = await bookingsOn(t.database.db, sessionId);
        expect(placesHeld(after, now), context).toBeLessThanOrEqual(capacity);
        expect(delegatesHoldingTwice(after), context).toEqual([]);
        expect(await auditedHistoryProblems(t.database.db, after), context).toEqual([]);
        expectOffersAheadOfTheWaitingList(after, context);

        // Now and then offers are left to run out before the next round.
        clock.advance(random() < 0.35 ? 49 * HOUR_MS : HOUR_MS);
        before = after;
      }

      // Once everything settles, a waiting list means the session is full.
      await bookings.processWaitlists();
      const settled = await bookingsOn(t.database.db, sessionId);
      if (byState(settled, 'waitlisted').length > 0) {
        expect(placesHeld(settled, clock.peek()), `seed ${seed}`).toBe(capacity);
      }
      // The rounds did exercise every path.
      expect(seen.cancelled, JSON.stringify(seen)).toBeGreaterThan(0);
      expect(seen.accepted, JSON.stringify(seen)).toBeGreaterThan(0);
      expect(seen.refused, JSON.stringify(seen)).toBeGreaterThan(0);
    });
  });

  describe('offers that run out while the session is busy', () => {
    const clock = new SettableClock(TEST_NOW);
    let t: TestApp;
    let courseId: number;

    beforeAll(async () => {
      t = await createTestApp(dialect, { demo: false, clock });
      courseId = await createCourse(t.database.db, 'offer-expiry', clock.now());
    });
    afterAll(() => t.close());

    /**
     * Holds the next call that asks for the session's lock just before it
     * asks, standing in for the wait behind other bookings that a busy
     * session has. Test-only instrumentation of the lock; the services
     * themselves are unchanged.
     */
    function holdNextLock() {
      type Locking = Pick<SessionLock, 'forSession'>;
      const lock: Locking = t.services.sessionLock;
      const original = lock.forSession;
      let release!: () => void;
      let reached!: () => void;
      const opened = new Promise<void>((resolve) => (release = resolve));
      const waiting = new Promise<void>((resolve) => (reached = resolve));
      const held: Locking['forSession'] = async function <T>(
        this: Locking,
        sessionId: number,
        work: (db: Executor) => Promise<T>,
      ): Promise<T> {
        restore();
        reached();
        await opened;
        return original.call(this, sessionId, work) as Promise<T>;
      };
      const restore = () => Reflect.deleteProperty(lock, 'forSession');
      lock.forSession = held;
      return { waiting, release, restore };
    }

    it('does not confirm an offer accepted in its last minute once the place has gone to someone else', async () => {
      const bookings = t.services.bookings;
      const start = clock.peek();
      const sessionId = await createSession(
        t.database.db,
        courseId,
        1,
        new Date(start.getTime() + SESSION_STARTS_IN_MS),
        start,
      );
      const [amira, ben, chloe] = (await createDelegates(t.database.db, 3, start)) as [
        number,
        number,
        number,
      ];
      const first = await bookings.book(amira, sessionId, NO_NEEDS);
      const second = await bookings.book(ben, sessionId, NO_NEEDS);
      expect([first.state, second.state]).toEqual(['confirmed', 'waitlisted']);
      await bookings.cancel(amira, first.reference);
      const offer = (await bookingsOn(t.database.db, sessionId)).find((r) => r.delegate_id === ben)!;
      expect(offer.state).toBe('offered');
      const expiresAt = new Date(offer.offer_expires_at!).getTime();

      // Ben accepts a minute before his offer runs out, and waits for the lock…
      clock.set(expiresAt - 60_000);
      const lock = holdNextLock();
      let late: BookingOutcome;
      let accepted: unknown;
      try {
        const accepting = allowingConflict(() => bookings.acceptOffer(ben, offer.reference));
        await lock.waiting;
        // …while his offer runs out, and Chloe, booking now, finds the place free.
        clock.set(expiresAt + 60_000);
        late = await bookings.book(chloe, sessionId, NO_NEEDS);
        lock.release();
        accepted = await accepting;
      } finally {
        lock.release();
        lock.restore();
      }

      const rows = await bookingsOn(t.database.db, sessionId);
      const confirmed = byState(rows, 'confirmed').map((r) => r.delegate_id);
      expect(
        confirmed,
        `Chloe ${late.state}; Ben's acceptance ${accepted instanceof ConflictError ? 'refused' : 'went through'}`,
      ).toHaveLength(1);
      expect(placesHeld(rows, clock.peek())).toBeLessThanOrEqual(1);
    });

    it('offers a place freed by an expired offer to the next on the waiting list, not to someone who books before the job runs', async () => {
      const bookings = t.services.bookings;
      const start = clock.peek();
      const sessionId = await createSession(
        t.database.db,
        courseId,
        1,
        new Date(start.getTime() + SESSION_STARTS_IN_MS),
        start,
      );
      const [amira, ben, chloe, dev] = (await createDelegates(t.database.db, 4, start)) as [
        number,
        number,
        number,
        number,
      ];
      const first = await bookings.book(amira, sessionId, NO_NEEDS);
      await bookings.book(ben, sessionId, NO_NEEDS);
      const chloesPlace = await bookings.book(chloe, sessionId, NO_NEEDS);
      expect(chloesPlace).toMatchObject({ state: 'waitlisted', position: 2 });
      await bookings.cancel(amira, first.reference);
      const offer = (await bookingsOn(t.database.db, sessionId)).find((r) => r.delegate_id === ben)!;
      expect(offer.state).toBe('offered');

      // Ben's offer runs out; the waiting-list job (every minute) has not run yet.
      clock.set(new Date(offer.offer_expires_at!).getTime() + 1_000);
      const newcomer = await bookings.book(dev, sessionId, NO_NEEDS);

      // Chloe has waited longest: the place is hers to be offered, and Dev
      // joins the waiting list behind her.
      expect(newcomer.state).toBe('waitlisted');
      await bookings.processWaitlists();
      const rows = await bookingsOn(t.database.db, sessionId);
      expect(rows.find((r) => r.delegate_id === chloe)!.state).toBe('offered');
    });
  });
});

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/**
 * What is wrong with a session's bookings after everyone booked at once, as
 * plain sentences (empty when nothing is). Ids are handed out inside the
 * locked transaction, so id order is the order the service committed them:
 * the places go to the first committed, the waiting list — in the order it
 * will be offered places, (created_at, id) — is the rest in commit order, and
 * the positions people were told are 1, 2, 3… in that order.
 */
function queueProblems(rows: readonly BookingRow[], outcomes: readonly BookingOutcome[]): string[] {
  const problems: string[] = [];
  const commitOrder = [...rows].sort((a, b) => a.id - b.id);
  const confirmed = byState(rows, 'confirmed').length;
  const waitlisted = byState(rows, 'waitlisted');
  if (commitOrder.slice(0, confirmed).some((r) => r.state !== 'confirmed')) {
    problems.push('the places did not go to the first people committed');
  }
  const laterConfirmed = rows.slice(confirmed).filter((r) => r.state === 'confirmed');
  if (laterConfirmed.length) {
    problems.push(
      `${laterConfirmed.length} confirmed booking(s) have a created_at later than someone on the waiting list`,
    );
  }
  const queueIds = waitlisted.map((r) => r.id);
  const commitIds = commitOrder.filter((r) => r.state === 'waitlisted').map((r) => r.id);
  const misplaced = queueIds.filter((id, index) => id !== commitIds[index]).length;
  if (misplaced)
    problems.push(`${misplaced} of ${queueIds.length} on the waiting list are out of commit order`);
  const told = new Map(outcomes.map((o) => [o.reference, o.position]));
  const positions = waitlisted.map((row) => told.get(row.reference) ?? null);
  const distinct = new Set(positions).size;
  if (distinct !== positions.length) {
    problems.push(
      `${positions.length - distinct} waiting-list position(s) were told to more than one person`,
    );
  }
  const wrong = positions.filter((position, index) => position !== index + 1).length;
  if (wrong)
    problems.push(
      `${wrong} of ${positions.length} people were told a position that is not their place in the queue`,
    );
  return problems;
}

/** First come, first served: whoever holds an offer joined the list before everyone still waiting. */
function expectOffersAheadOfTheWaitingList(rows: readonly BookingRow[], context: string) {
  const order = new Map(rows.map((r, index) => [r.id, index]));
  const lastOffer = Math.max(-1, ...byState(rows, 'offered').map((r) => order.get(r.id)!));
  const firstWaiting = Math.min(rows.length, ...byState(rows, 'waitlisted').map((r) => order.get(r.id)!));
  expect(lastOffer, `${context}: an offer went to someone behind a person still waiting`).toBeLessThan(
    firstWaiting,
  );
}
