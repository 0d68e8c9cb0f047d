/**
 * Where the rate limits count when there is a Redis (REDIS_URL): one key per
 * limit and whose count it is, `<REDIS_KEY_PREFIX>rate-limit:<key>`, the key
 * being the one `keyedByRoute` (accounts.ts) makes: the limit's route, then
 * whose count it is (`POST:/sign-in:delegate-sign-in-address:203.0.113.77`).
 *
 * Why not @fastify/rate-limit's own Redis store: it puts the method and path
 * of the route a limit was declared on before every key, and Trellis's limits
 * are made with `app.rateLimit(…)`, declared on no route, so that store wrote
 * `undefinedundefined-` into every key. This one adds nothing to the key.
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Redis } from 'ioredis';

/**
 * Counts one request and returns the count and the milliseconds left in its
 * window. The first request starts the window (as does one finding a count
 * somehow left with no end, so it cannot count forever).
 */
const COUNT_SCRIPT = `
local current = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  ttl = tonumber(ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return {current, ttl}
`;

type CountCommand = (key: string, windowMs: number) => Promise<[number, number]>;

/** What this store reads of a limit's options (the library passes them all, typed as the route's). */
interface LimitOptions {
  continueExceeding?: boolean;
  exponentialBackoff?: boolean;
}

/** The store to give @fastify/rate-limit (`store`): every count in `client`, each key after `keyPrefix`. */
export function redisRateLimitStore(client: Redis, keyPrefix: string) {
  const withCommand = client as Redis & { trellisRateLimitCount?: CountCommand };
  if (!withCommand.trellisRateLimitCount) {
    withCommand.defineCommand('trellisRateLimitCount', { numberOfKeys: 1, lua: COUNT_SCRIPT });
  }
  const count = withCommand.trellisRateLimitCount!.bind(client);

  class RedisRateLimitStore implements FastifyRateLimitStore {
    constructor(options: object) {
      const { continueExceeding, exponentialBackoff } = options as LimitOptions;
      // Only the plain window is counted here: a limit asking for more would silently get less.
      if (continueExceeding || exponentialBackoff) {
        throw new Error('Rate limits in Redis do not support continueExceeding or exponentialBackoff');
      }
    }

    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow?: number,
    ): void {
      // The library always passes the limit's window; a minute is its own default.
      count(keyPrefix + key, timeWindow ?? 60_000).then(
        ([current, ttl]) => callback(null, { current, ttl }),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }

    /** Each `app.rateLimit(…)`'s store: the same keys, since the route is in the key already. */
    child(options: object): RedisRateLimitStore {
      return new RedisRateLimitStore(options);
    }
  }

  return RedisRateLimitStore satisfies FastifyRateLimitStoreCtor;
}
