import { afterEach, describe, expect, inject, it } from 'vitest';

import { REDIS_TEST_URL, uniqueRedisPrefix } from '../../test/support/redis.js';
import { openRedis, type SharedRedis } from './redis.js';

describe.runIf(inject('redisAvailable'))('the shared Redis, once a command has failed', () => {
  let redis: SharedRedis | undefined;
  afterEach(() => redis?.close());

  function watched() {
    const said: string[] = [];
    redis = openRedis(REDIS_TEST_URL, {
      keyPrefix: uniqueRedisPrefix(),
      onUnavailable: (error) => said.push(`unavailable: ${error.message}`),
      onRecovered: () => said.push('answers again'),
    });
    return { redis, said };
  }

  it('says it answers again at the next command that succeeds, once, though it never disconnected', async () => {
    const { redis, said } = watched();
    expect(await redis.whenReady()).toBe(true);
    // A command that timed out: the connection stays up, so no reconnection will say it.
    redis.reportUnavailable(new Error('Command timed out'));
    redis.reportAnswered();
    redis.reportAnswered();
    expect(said).toEqual(['unavailable: Command timed out', 'answers again']);
  });

  it('says nothing when every command has succeeded', async () => {
    const { redis, said } = watched();
    expect(await redis.whenReady()).toBe(true);
    redis.reportAnswered();
    expect(said).toEqual([]);
  });
});
