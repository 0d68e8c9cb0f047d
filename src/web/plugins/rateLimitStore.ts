/**
 * Where the rate limits count when there is a Redis (REDIS_URL):
 * @fastify/rate-limit's own Redis store (its script counts each request and
 * times the window), one key per limit and whose count it is,
 * `<REDIS_KEY_PREFIX>rate-limit:<key>`, the key being the one `keyedByRoute`
 * (accounts.ts) makes: the limit's route, then whose count it is
 * (`POST:/sign-in:delegate-sign-in-address:203.0.113.77`).
 *
 * One thing differs from giving the library `redis` and `nameSpace`: its
 * store's child(), which makes each limit's store, puts the method and path
 * of the route the limit was declared on before every key. Trellis's limits
 * are made with `app.rateLimit(…)`, declared on no route, so that wrote
 * `undefinedundefined-` into every key. Here a limit's store keeps the
 * namespace alone; the route is in the key already.
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import LibraryRedisStore from '@fastify/rate-limit/store/RedisStore.js';
import type { Redis } from 'ioredis';

/** What the store reads of a limit's options (the library passes them all). */
interface LimitOptions {
  continueExceeding?: boolean;
  exponentialBackoff?: boolean;
}

/** The store to give @fastify/rate-limit (`store`): every count in `client`, each key after `keyPrefix`. */
export function redisRateLimitStore(client: Redis, keyPrefix: string) {
  class RedisRateLimitStore extends LibraryRedisStore implements FastifyRateLimitStore {
    constructor(options: object) {
      const { continueExceeding = false, exponentialBackoff = false } = options as LimitOptions;
      super(continueExceeding, exponentialBackoff, client, keyPrefix);
    }

    /** Each `app.rateLimit(…)`'s store: the library's, with the same namespace. */
    override child(options: object): RedisRateLimitStore {
      return new RedisRateLimitStore(options);
    }
  }

  return RedisRateLimitStore satisfies FastifyRateLimitStoreCtor;
}
