/**
 * Where the rate limits count when there is a Redis (REDIS_URL):
 * @fastify/rate-limit's own Redis store (its script counts each request and
 * times the window), one key per limit and whose count it is,
 * `<REDIS_KEY_PREFIX>rate-limit:<key>`, the key being the one `keyedByRoute`
 * (accounts.ts) makes: the limit's route, then whose count it is
 * (`POST:/sign-in:delegate-sign-in-address:203.0.113.77`).
 *
 * Two things differ from giving the library `redis` and `nameSpace`:
 *
 * - Its store's child(), which makes each limit's store, puts the method and
 *   path of the route the limit was declared on before every key. Trellis's
 *   limits are made with `app.rateLimit(…)`, declared on no route, so that
 *   wrote `undefinedundefined-` into every key. Here a limit's store keeps the
 *   namespace alone; the route is in the key already.
 * - While Redis cannot be used, a limit counts in this process's memory (the
 *   library's own in-memory store) instead of letting every request through
 *   uncounted: a password sprayer or a runaway booking script is still slowed,
 *   each process allowing the limit on its own, as without REDIS_URL. The
 *   sign-in throttle does the same (services/accounts/signInThrottle.ts).
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import LibraryLocalStore from '@fastify/rate-limit/store/LocalStore.js';
import LibraryRedisStore from '@fastify/rate-limit/store/RedisStore.js';

import type { SharedRedis } from '../../data/redis.js';

/** What the stores read of a limit's options (the library passes them all). */
interface LimitOptions {
  continueExceeding?: boolean;
  exponentialBackoff?: boolean;
}

/** What a store tells the library once it has counted (the library's own type). */
type Counted = Parameters<LibraryRedisStore['incr']>[1];

/** The store to give @fastify/rate-limit (`store`): every count in `redis`, each key after its prefix. */
export function redisRateLimitStore(
  redis: Pick<SharedRedis, 'client' | 'keyPrefix' | 'reportUnavailable' | 'reportAnswered'>,
) {
  const namespace = `${redis.keyPrefix}rate-limit:`;

  class RedisRateLimitStore extends LibraryRedisStore implements FastifyRateLimitStore {
    /** Where this limit counts while Redis cannot be used. */
    private readonly inMemory: LibraryLocalStore;

    constructor(options: object) {
      const { continueExceeding = false, exponentialBackoff = false } = options as LimitOptions;
      super(continueExceeding, exponentialBackoff, redis.client, namespace);
      this.inMemory = new LibraryLocalStore(continueExceeding, exponentialBackoff);
    }

    override incr(key: string, callback: Counted, timeWindow?: number, max?: number): void {
      super.incr(
        key,
        (error, result) => {
          if (!error) {
            redis.reportAnswered();
            return callback(null, result);
          }
          // Warns (at most once a minute) that this process counts on its own for now.
          redis.reportUnavailable(error);
          this.inMemory.incr(key, callback, timeWindow, max);
        },
        timeWindow,
        max,
      );
    }

    /** Each `app.rateLimit(…)`'s store: the library's, with the same namespace. */
    override child(options: object): RedisRateLimitStore {
      return new RedisRateLimitStore(options);
    }
  }

  return RedisRateLimitStore satisfies FastifyRateLimitStoreCtor;
}
