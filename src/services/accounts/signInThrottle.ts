/**
 * Slows password guessing at one account without locking its owner out.
 *
 * The first few wrong passwords cost nothing. After that the account may
 * only be tried again after a wait that doubles with each further wrong
 * password (1 second, 2, 4 … at most 5 minutes). An attempt before the wait
 * is over is turned away without the password being checked, so it cannot
 * be used to guess; once the wait is over the right password always works,
 * and clears the count.
 *
 * Entries are keyed by account id, so only real accounts have one and trying
 * thousands of made-up addresses cannot push a real account's entry out.
 * An entry is forgotten only once an hour has passed since its last wrong
 * password.
 *
 * One rule, two stores. With REDIS_URL every process keeps the entries in
 * Redis (RedisSignInThrottle), so guesses spread over several processes behind
 * a load balancer are counted as one; each step is one Lua script, so
 * attempts at once on different processes cannot slip past each other.
 * Without it (MemorySignInThrottle) each process keeps its own, and a guesser
 * gets as many times the attempts as there are processes, still slowed alike.
 * While Redis cannot be reached, RedisSignInThrottle counts in this process's
 * memory instead of failing the sign-in.
 */
import type { SharedRedis } from '../../data/redis.js';
import { UserFacingError } from '../../errors.js';
import type { Clock } from '../clock.js';

/** Wrong passwords in a row before any wait. */
export const FREE_FAILURES = 5;
const FIRST_WAIT_MS = 1_000;
export const LONGEST_WAIT_MS = 5 * 60_000;
/** An account left alone this long since its last wrong password starts afresh. */
export const FORGET_AFTER_MS = 60 * 60_000;

/** A sign-in turned away, unchecked, because the account's wait is not over. */
export class SignInPausedError extends UserFacingError {
  readonly statusCode = 429;
  readonly title = 'Wait a moment, then try again';
  constructor(readonly retryAfterSeconds: number) {
    super(
      `There have been several sign-in attempts with the wrong password for this account. For its security, wait ${waitWords(retryAfterSeconds)}, then try again.`,
    );
  }
}

function waitWords(seconds: number): string {
  if (seconds <= 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/**
 * The wait (ms) after an account's `failures`-th wrong password in a row:
 * none for the first few, then 1 second, doubling, at most LONGEST_WAIT_MS.
 */
export function waitAfterFailures(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(FIRST_WAIT_MS * 2 ** (failures - FREE_FAILURES), LONGEST_WAIT_MS);
}

export interface SignInThrottle {
  /**
   * Call before checking a password for `account`: throws SignInPausedError
   * while its wait lasts. Otherwise the attempt is counted as wrong from now
   * on, so many attempts at once cannot all slip through before any fails;
   * `succeeded` clears it when the password was right.
   */
  begin(account: string): Promise<void>;
  /** The password was right: the account starts afresh. */
  succeeded(account: string): Promise<void>;
}

interface Entry {
  failures: number;
  lastFailureAt: number;
  /** Before this instant (ms) the account is not tried. */
  nextTryAt: number;
}

/** Entries in this process's memory: one process, or Redis out of reach. */
export class MemorySignInThrottle implements SignInThrottle {
  /** In order of last wrong password, oldest first: forgotten entries are always at the front. */
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock) {}

  begin(account: string): Promise<void> {
    try {
      this.beginNow(account);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** `begin` at once, for the tests of the rule and for Redis's fallback. */
  beginNow(account: string): void {
    const now = this.clock.now().getTime();
    this.forgetOld(now);
    const entry = this.entries.get(account);
    if (entry && now < entry.nextTryAt) {
      throw new SignInPausedError(Math.ceil((entry.nextTryAt - now) / 1_000));
    }
    const failures = (entry?.failures ?? 0) + 1;
    // Deleted and set again so the map stays in order of last wrong password.
    this.entries.delete(account);
    this.entries.set(account, {
      failures,
      lastFailureAt: now,
      nextTryAt: now + waitAfterFailures(failures),
    });
  }

  succeeded(account: string): Promise<void> {
    this.entries.delete(account);
    return Promise.resolve();
  }

  /** How many accounts are remembered (for tests). */
  get size(): number {
    return this.entries.size;
  }

  private forgetOld(now: number): void {
    for (const [account, entry] of this.entries) {
      if (now - entry.lastFailureAt < FORGET_AFTER_MS) break;
      this.entries.delete(account);
    }
  }
}

/**
 * One attempt begun, atomically: the entry (a hash) is read, the attempt
 * turned away while its wait lasts (returning the ms left), or counted as
 * wrong with its wait taken from ARGV (waitAfterFailures, so the rule is
 * written once, in TypeScript). An entry quiet for FORGET_AFTER_MS is as
 * none; the key's expiry removes it from Redis too.
 *
 * KEYS[1] the entry; ARGV: now (ms), FORGET_AFTER_MS, then the waits after
 * 1, 2, 3 … wrong passwords, the last repeating.
 */
const BEGIN_SCRIPT = `
local now = tonumber(ARGV[1])
local forgetAfter = tonumber(ARGV[2])
local entry = redis.call('HMGET', KEYS[1], 'failures', 'lastFailureAt', 'nextTryAt')
local failures = 0
if entry[1] and now - tonumber(entry[2]) < forgetAfter then
  failures = tonumber(entry[1])
  local nextTryAt = tonumber(entry[3])
  if now < nextTryAt then return nextTryAt - now end
end
failures = failures + 1
local waits = #ARGV - 2
local wait = tonumber(ARGV[2 + math.min(failures, waits)])
redis.call('HSET', KEYS[1], 'failures', failures, 'lastFailureAt', now, 'nextTryAt', now + wait)
redis.call('PEXPIRE', KEYS[1], forgetAfter)
return 0
`;

/** Waits after 1, 2, 3 … wrong passwords, up to the first that is the longest. */
const WAITS: number[] = [];
for (let failures = 1; WAITS.at(-1) !== LONGEST_WAIT_MS; failures++) WAITS.push(waitAfterFailures(failures));

type ThrottleCommand = (key: string, ...args: Array<string | number>) => Promise<number>;

/** Entries in Redis, shared by every process; this process's memory while Redis is out of reach. */
export class RedisSignInThrottle implements SignInThrottle {
  private readonly keyPrefix: string;
  private readonly beginCommand: ThrottleCommand;
  /** Counts while Redis is out of reach; emptied of an account whenever its password is right. */
  private readonly fallback: MemorySignInThrottle;

  constructor(
    private readonly redis: SharedRedis,
    private readonly clock: Clock,
  ) {
    this.keyPrefix = `${redis.keyPrefix}sign-in-throttle:`;
    this.fallback = new MemorySignInThrottle(clock);
    const client = redis.client as typeof redis.client & { trellisSignInThrottleBegin?: ThrottleCommand };
    if (!client.trellisSignInThrottleBegin) {
      client.defineCommand('trellisSignInThrottleBegin', { numberOfKeys: 1, lua: BEGIN_SCRIPT });
    }
    this.beginCommand = client.trellisSignInThrottleBegin!.bind(client);
  }

  async begin(account: string): Promise<void> {
    let waitMs: number;
    try {
      waitMs = await this.beginCommand(
        this.keyPrefix + account,
        this.clock.now().getTime(),
        FORGET_AFTER_MS,
        ...WAITS,
      );
    } catch (error) {
      this.redis.reportUnavailable(error);
      return this.fallback.begin(account);
    }
    this.redis.reportAnswered();
    if (waitMs > 0) throw new SignInPausedError(Math.ceil(waitMs / 1_000));
  }

  async succeeded(account: string): Promise<void> {
    await this.fallback.succeeded(account);
    try {
      await this.redis.client.del(this.keyPrefix + account);
    } catch (error) {
      this.redis.reportUnavailable(error);
    }
  }
}

/** The throttle for this process: shared through Redis when there is one, else its own. */
export function createSignInThrottle(clock: Clock, redis: SharedRedis | null): SignInThrottle {
  return redis ? new RedisSignInThrottle(redis, clock) : new MemorySignInThrottle(clock);
}
