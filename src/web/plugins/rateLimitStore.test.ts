import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import {
  CLOSED_REDIS_URL,
  deleteRedisKeys,
  REDIS_TEST_URL,
  redisKeys,
  uniqueRedisPrefix,
} from '../../../test/support/redis.js';
import { openRedis, type SharedRedis } from '../../data/redis.js';
import { redisRateLimitStore } from './rateLimitStore.js';

type Store = InstanceType<ReturnType<typeof redisRateLimitStore>>;

/** One request counted, as @fastify/rate-limit counts it (it always passes the window and the limit). */
function count(
  store: Store,
  key: string,
  windowMs: number,
  max = 10,
): Promise<{ current: number; ttl: number }> {
  return new Promise((resolve, reject) => {
    store.incr(key, (error, result) => (error ? reject(error) : resolve(result!)), windowMs, max);
  });
}

describe.runIf(inject('redisAvailable'))('the rate limits’ Redis store', () => {
  const prefix = uniqueRedisPrefix();
  let redis: SharedRedis;
  let store: Store;

  beforeAll(async () => {
    redis = openRedis(REDIS_TEST_URL, { keyPrefix: prefix });
    expect(await redis.whenReady()).toBe(true);
    const Store = redisRateLimitStore(redis);
    // As `app.rateLimit(…)` makes each limit's store: a child of the plugin's.
    store = new Store({}).child({} as never);
  });

  afterAll(async () => {
    await redis.close();
    await deleteRedisKeys(prefix);
  });

  it('keeps each count under the prefix and the key it is given, and nothing else', async () => {
    const key = 'POST:/sign-in:delegate-sign-in-address:203.0.113.77';
    expect(await count(store, key, 60_000)).toMatchObject({ current: 1, ttl: 60_000 });
    const second = await count(store, key, 60_000);
    expect(second.current).toBe(2);
    expect(second.ttl).toBeGreaterThan(55_000);
    expect(second.ttl).toBeLessThanOrEqual(60_000);
    expect(await count(store, 'POST:/register:address:203.0.113.77', 60_000)).toMatchObject({ current: 1 });
    expect((await redisKeys(prefix)).sort()).toEqual([
      `${prefix}rate-limit:POST:/register:address:203.0.113.77`,
      `${prefix}rate-limit:POST:/sign-in:delegate-sign-in-address:203.0.113.77`,
    ]);
  });

  it('starts counting afresh once the window has passed', async () => {
    const key = 'GET:/certificates/:number:address:198.51.100.1';
    await count(store, key, 100);
    expect((await count(store, key, 100)).current).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await count(store, key, 100)).current).toBe(1);
  });

  it('is the library’s store: a limit’s own options still apply', async () => {
    // continueExceeding: each request over the limit starts the window again.
    const Store = redisRateLimitStore(redis);
    const exceeding = new Store({}).child({ continueExceeding: true } as never);
    const key = 'POST:/sign-in:address:198.51.100.2';
    await count(exceeding, key, 60_000, 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const over = await count(exceeding, key, 60_000, 1);
    expect(over.current).toBe(2);
    expect(over.ttl).toBe(60_000);
    expect(await redisKeys(`${prefix}rate-limit:POST:/sign-in:address:`)).toEqual([
      `${prefix}rate-limit:${key}`,
    ]);
  });
});

describe('the rate limits’ Redis store with Redis out of reach', () => {
  it('counts in this process’s memory instead, and says Redis cannot be used', async () => {
    const redis = openRedis(CLOSED_REDIS_URL, { keyPrefix: uniqueRedisPrefix() });
    const unavailable: unknown[] = [];
    try {
      const Store = redisRateLimitStore({ ...redis, reportUnavailable: (error) => unavailable.push(error) });
      const store = new Store({}).child({} as never);
      const key = 'POST:/sign-in:address:203.0.113.77';
      expect(await count(store, key, 60_000)).toMatchObject({ current: 1, ttl: 60_000 });
      expect((await count(store, key, 60_000)).current).toBe(2);
      // Counted per key, as in Redis.
      expect((await count(store, 'POST:/register:address:203.0.113.77', 60_000)).current).toBe(1);
      expect(unavailable).toHaveLength(3);
      expect(unavailable.every((error) => error instanceof Error)).toBe(true);
    } finally {
      await redis.close();
    }
  });
});
