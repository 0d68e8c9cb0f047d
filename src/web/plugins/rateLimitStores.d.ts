// @fastify/rate-limit ships no types for its stores' own modules; these are
// the parts rateLimitStore.ts uses.
type RateLimitCounted = (error: Error | null, result?: { current: number; ttl: number }) => void;

declare module '@fastify/rate-limit/store/RedisStore.js' {
  import type { Redis } from 'ioredis';

  export default class RedisStore {
    constructor(continueExceeding: boolean, exponentialBackoff: boolean, redis: Redis, key?: string);
    incr(key: string, callback: RateLimitCounted, timeWindow?: number, max?: number): void;
    child(options: object): RedisStore;
  }
}

declare module '@fastify/rate-limit/store/LocalStore.js' {
  export default class LocalStore {
    constructor(continueExceeding: boolean, exponentialBackoff: boolean, cache?: number);
    incr(key: string, callback: RateLimitCounted, timeWindow?: number, max?: number): void;
    child(options: object): LocalStore;
  }
}
