/**
 * The Redis that several Trellis processes share (REDIS_URL): rate limits and
 * the sign-in throttle keep their counts there, so they count across every
 * process rather than in each one.
 *
 * Redis is a helper, never a dependency of a request: a Redis that is down,
 * slow or not there yet must not give anyone an error page or keep them
 * waiting. Every command fails within about a second rather than waiting or
 * queueing (no offline queue, one try, a command time limit); its callers then
 * count in this process for the while. The client reconnects by itself, and
 * says so once, when it is back.
 */
import { Redis } from 'ioredis';

/** How long opening a connection, and then any one command, may take. */
const CONNECT_TIMEOUT_MS = 1_000;
const COMMAND_TIMEOUT_MS = 500;
/** At most one warning in this long: an outage during a rush must not write a line per request. */
const WARN_EVERY_MS = 60_000;
/** Longest pause between tries to reconnect. */
const LONGEST_RECONNECT_WAIT_MS = 2_000;

export interface SharedRedisOptions {
  /** Before every key (REDIS_KEY_PREFIX): several hubs, or test runs, can share one Redis. */
  keyPrefix: string;
  /**
   * Told, at most once a minute, that Redis could not be used and this process
   * is counting on its own; `missed` is how many more times that happened since
   * the last warning.
   */
  onUnavailable?: (error: Error, missed: number) => void;
  /** Told once when Redis answers again after being unavailable. */
  onRecovered?: () => void;
}

export interface SharedRedis {
  client: Redis;
  /** Put before every key Trellis writes, with the name of what keeps it (`rate-limit:`, `sign-in-throttle:`). */
  keyPrefix: string;
  /** A command failed: warns (rate-limited) that this process counts on its own for now. */
  reportUnavailable(error: unknown): void;
  /**
   * A command succeeded: if Redis had been unavailable, says (once) that it
   * answers again. A reconnection says so too, but a command that only timed
   * out leaves the connection up, and no reconnection follows.
   */
  reportAnswered(): void;
  /** Resolves true once connected, false if the first try fails or `timeoutMs` passes first. */
  whenReady(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export function openRedis(url: string, options: SharedRedisOptions): SharedRedis {
  const client = new Redis(url, {
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    // A command sent while disconnected fails at once instead of waiting for a reconnection.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, LONGEST_RECONNECT_WAIT_MS),
  });

  let lastWarningAt = -Infinity;
  let missed = 0;
  let unavailable = false;
  const reportUnavailable = (error: unknown) => {
    unavailable = true;
    const now = Date.now();
    if (now - lastWarningAt < WARN_EVERY_MS) {
      missed += 1;
      return;
    }
    lastWarningAt = now;
    options.onUnavailable?.(error instanceof Error ? error : new Error(String(error)), missed);
    missed = 0;
  };
  // Without a listener ioredis prints every failed reconnection to the console.
  client.on('error', reportUnavailable);
  const reportAnswered = () => {
    if (!unavailable) return;
    unavailable = false;
    options.onRecovered?.();
  };
  client.on('ready', reportAnswered);

  let closed = false;
  return {
    client,
    keyPrefix: options.keyPrefix,
    reportUnavailable,
    reportAnswered,
    whenReady: (timeoutMs = 2 * CONNECT_TIMEOUT_MS) =>
      new Promise<boolean>((resolve) => {
        if (client.status === 'ready') return resolve(true);
        const settle = (ready: boolean) => {
          clearTimeout(timer);
          client.off('ready', onReady);
          client.off('error', onError);
          resolve(ready);
        };
        const onReady = () => settle(true);
        const onError = () => settle(false);
        const timer = setTimeout(() => settle(false), timeoutMs);
        client.once('ready', onReady);
        client.once('error', onError);
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      // quit() waits for Redis to answer, which a Redis that is down never does.
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}
