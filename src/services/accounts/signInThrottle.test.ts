import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { settableClock, type SettableClock } from '../../../test/support/clock.js';
import {
  CLOSED_REDIS_URL,
  deleteRedisKeys,
  REDIS_TEST_URL,
  redisKeys,
  uniqueRedisPrefix,
} from '../../../test/support/redis.js';
import { openRedis, type SharedRedis } from '../../data/redis.js';
import type { Clock } from '../clock.js';
import {
  FORGET_AFTER_MS,
  FREE_FAILURES,
  LONGEST_WAIT_MS,
  MemorySignInThrottle,
  RedisSignInThrottle,
  SignInPausedError,
  type SignInThrottle,
} from './signInThrottle.js';

/** Null when the attempt may go ahead; the seconds to wait when it is turned away. */
async function paused(throttle: SignInThrottle, account: string): Promise<number | null> {
  try {
    await throttle.begin(account);
    return null;
  } catch (error) {
    if (!(error instanceof SignInPausedError)) throw error;
    return error.retryAfterSeconds;
  }
}

/** The same rules, whichever store keeps the entries. */
function theRules(store: string, make: (clock: Clock) => SignInThrottle) {
  describe(`SignInThrottle's rules (${store})`, () => {
    const start = () => settableClock('2026-01-12T09:00:00Z');

    it('lets a few wrong passwords through, then waits 1, 2, 4 … seconds, at most five minutes', async () => {
      const clock = start();
      const throttle = make(clock);
      for (let i = 0; i < FREE_FAILURES - 1; i++) expect(await paused(throttle, 'delegate:1')).toBeNull();
      const waits: number[] = [];
      for (let i = 0; i < 12; i++) {
        expect(await paused(throttle, 'delegate:1')).toBeNull();
        const wait = (await paused(throttle, 'delegate:1'))!;
        waits.push(wait);
        clock.advance(wait * 1_000);
      }
      expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
      expect(LONGEST_WAIT_MS).toBe(300_000);
    });

    it('turns an attempt away only until the wait is over, and a right password starts afresh', async () => {
      const clock = start();
      const throttle = make(clock);
      for (let i = 0; i < FREE_FAILURES + 2; i++) {
        if (i) clock.advance(2_000);
        await throttle.begin('staff:7');
      }
      expect(await paused(throttle, 'staff:7')).toBe(4);
      clock.advance(3_999);
      expect(await paused(throttle, 'staff:7')).toBe(1);
      clock.advance(1);
      // The owner, after the wait, with the right password.
      expect(await paused(throttle, 'staff:7')).toBeNull();
      await throttle.succeeded('staff:7');
      for (let i = 0; i < FREE_FAILURES - 1; i++) expect(await paused(throttle, 'staff:7')).toBeNull();
      // Another account is not slowed by this one's wrong passwords.
      expect(await paused(throttle, 'staff:8')).toBeNull();
    });

    it('counts attempts as they begin, so many at once cannot all be tried', async () => {
      const throttle = make(start());
      const outcomes = await Promise.all(Array.from({ length: 50 }, () => paused(throttle, 'delegate:3')));
      expect(outcomes.filter((o) => o === null)).toHaveLength(FREE_FAILURES);
    });

    it('forgets an account after an hour of quiet, not before', async () => {
      const clock = start();
      const throttle = make(clock);
      for (let i = 0; i < FREE_FAILURES; i++) await throttle.begin('delegate:9');
      clock.advance(FORGET_AFTER_MS - 1);
      // Still remembered: the wait is over, but the next wrong password doubles it.
      expect(await paused(throttle, 'delegate:9')).toBeNull();
      expect(await paused(throttle, 'delegate:9')).toBe(2);
      clock.advance(FORGET_AFTER_MS);
      for (let i = 0; i < FREE_FAILURES - 1; i++) expect(await paused(throttle, 'delegate:9')).toBeNull();
    });
  });
}

theRules('in memory', (clock) => new MemorySignInThrottle(clock));

describe('MemorySignInThrottle', () => {
  it('cannot be made to forget an account by trying many others, only by an hour of quiet', () => {
    const clock = settableClock('2026-01-12T09:00:00Z');
    const throttle = new MemorySignInThrottle(clock);
    for (let i = 0; i < FREE_FAILURES; i++) throttle.beginNow('delegate:1');
    for (let n = 2; n < 20_000; n++) {
      throttle.beginNow(`delegate:${n}`);
      if (n % 1000 === 0) clock.advance(1);
    }
    expect(() => throttle.beginNow('delegate:1')).toThrow(SignInPausedError);
    // Entries older than an hour are forgotten, newer ones kept.
    clock.advance(FORGET_AFTER_MS - 100);
    throttle.beginNow('delegate:new');
    expect(throttle.size).toBeGreaterThan(1);
    clock.advance(FORGET_AFTER_MS);
    throttle.beginNow('delegate:newer');
    expect(throttle.size).toBe(1);
  });
});

describe.runIf(inject('redisAvailable'))('SignInThrottle in Redis', () => {
  const prefix = uniqueRedisPrefix();
  let one: SharedRedis;
  let two: SharedRedis;
  const problems: Error[] = [];
  beforeAll(async () => {
    [one, two] = [0, 1].map(() =>
      openRedis(REDIS_TEST_URL, { keyPrefix: prefix, onUnavailable: (error) => problems.push(error) }),
    ) as [SharedRedis, SharedRedis];
    expect(await one.whenReady()).toBe(true);
    expect(await two.whenReady()).toBe(true);
  });
  afterAll(async () => {
    await Promise.all([one.close(), two.close()]);
    await deleteRedisKeys(prefix);
    // Every count above was kept in Redis, none in memory for want of it.
    expect(problems).toEqual([]);
  });

  let account = 0;
  // Each process of the rules' tests on a fresh account prefix, so they cannot meet.
  theRules('in Redis', (clock) => {
    account += 1;
    return new RedisSignInThrottle({ ...one, keyPrefix: `${prefix}rules${account}:` }, clock);
  });

  it('counts guesses from two processes as one, and keeps each entry only as long as it matters', async () => {
    const clock = settableClock('2026-01-12T09:00:00Z');
    const [first, second] = [new RedisSignInThrottle(one, clock), new RedisSignInThrottle(two, clock)];
    const statuses: Array<number | null> = [];
    for (let i = 0; i < FREE_FAILURES + 1; i++)
      statuses.push(await paused(i % 2 ? second : first, 'delegate:42'));
    expect(statuses).toEqual([null, null, null, null, null, 1]);
    const keys = await redisKeys(`${prefix}sign-in-throttle:delegate:42`);
    expect(keys).toEqual([`${prefix}sign-in-throttle:delegate:42`]);
    const ttl = await one.client.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(FORGET_AFTER_MS);
    // A right password on either clears it for both.
    clock.advance(1_000);
    await second.succeeded('delegate:42');
    expect(await redisKeys(`${prefix}sign-in-throttle:delegate:42`)).toEqual([]);
    expect(await paused(first, 'delegate:42')).toBeNull();
  });
});

describe('SignInThrottle with Redis out of reach', () => {
  let clock: SettableClock;
  let redis: SharedRedis;
  const warnings: Error[] = [];
  beforeAll(() => {
    clock = settableClock('2026-01-12T09:00:00Z');
    redis = openRedis(CLOSED_REDIS_URL, {
      keyPrefix: uniqueRedisPrefix(),
      onUnavailable: (error) => warnings.push(error),
    });
  });
  afterAll(() => redis.close());

  it('counts in this process instead, with one warning rather than one per attempt', async () => {
    expect(await redis.whenReady()).toBe(false);
    const throttle = new RedisSignInThrottle(redis, clock);
    const outcomes: Array<number | null> = [];
    for (let i = 0; i < FREE_FAILURES + 1; i++) outcomes.push(await paused(throttle, 'delegate:5'));
    expect(outcomes).toEqual([null, null, null, null, null, 1]);
    await throttle.succeeded('delegate:5');
    expect(await paused(throttle, 'delegate:5')).toBeNull();
    expect(warnings).toHaveLength(1);
  });
});
