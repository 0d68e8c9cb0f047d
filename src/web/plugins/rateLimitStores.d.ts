// @fastify/rate-limit ships no types for its stores' own modules; these are
// the parts rateLimitStore.ts uses.
declare module '@fastify/rate-limit/store/RedisStore.js' {
  import type { Redis } from 'ioredis';

  export default class RedisStore {
    constructor(continueExceeding: boolean, exponentialBackoff: boolean, redis: Redis, key?: string);
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow?: number,
      max?: number,
    ): void;
    child(options: object): RedisStore;
  }
}

declare module '@fastify/rate-limit/store/LocalStore.js' {
  import type RedisStore from '@fastify/rate-limit/store/RedisStore.js';

  /** Counts in this process's memory; it takes and answers a count as the Redis store does. */
  export default class LocalStore {
    constructor(continueExceeding: boolean, exponentialBackoff: boolean, cache?: number);
    incr(key: string, callback: Parameters<RedisStore['incr']>[1], timeWindow?: number, max?: number): void;
    child(options: object): LocalStore;
  }
}
