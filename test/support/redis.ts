/**
 * Redis for tests: the shared one at 127.0.0.1:6379 (or TRELLIS_TEST_REDIS_URL),
 * used under a key prefix of the test's own so runs side by side never meet,
 * and its keys deleted afterwards.
 */
import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';

import { REDIS_TEST_URL } from './environment.js';

export { REDIS_TEST_URL };

/** A prefix no other test run uses. */
export function uniqueRedisPrefix(): string {
  return `trellis-test:${randomBytes(6).toString('hex')}:`;
}

/** The keys under `prefix`, for a test to look at. */
export async function redisKeys(prefix: string): Promise<string[]> {
  const client = new Redis(REDIS_TEST_URL, { maxRetriesPerRequest: 1 });
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    return keys;
  } finally {
    client.disconnect();
  }
}

/** Deletes every key under `prefix`. */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const keys = await redisKeys(prefix);
  if (!keys.length) return;
  const client = new Redis(REDIS_TEST_URL, { maxRetriesPerRequest: 1 });
  try {
    await client.del(...keys);
  } finally {
    client.disconnect();
  }
}

/** A loopback port nothing listens on: Redis "down". */
export const CLOSED_REDIS_URL = 'redis://127.0.0.1:1';
