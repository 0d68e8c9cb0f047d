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
 * password. Each process keeps its own: with several processes behind a load
 * balancer a guesser gets that many times the attempts, still slowed alike.
 */
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

interface Entry {
  failures: number;
  lastFailureAt: number;
  /** Before this instant (ms) the account is not tried. */
  nextTryAt: number;
}

export class SignInThrottle {
  /** In order of last wrong password, oldest first: forgotten entries are always at the front. */
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock) {}

  /**
   * Call before checking a password for `account`: throws SignInPausedError
   * while its wait lasts. Otherwise the attempt is counted as wrong from now
   * on, so many attempts at once cannot all slip through before any fails;
   * `succeeded` clears it when the password was right.
   */
  begin(account: string): void {
    const now = this.clock.now().getTime();
    this.forgetOld(now);
    const entry = this.entries.get(account);
    if (entry && now < entry.nextTryAt) {
      throw new SignInPausedError(Math.ceil((entry.nextTryAt - now) / 1_000));
    }
    const failures = (entry?.failures ?? 0) + 1;
    const wait =
      failures < FREE_FAILURES
        ? 0
        : Math.min(FIRST_WAIT_MS * 2 ** (failures - FREE_FAILURES), LONGEST_WAIT_MS);
    // Deleted and set again so the map stays in order of last wrong password.
    this.entries.delete(account);
    this.entries.set(account, { failures, lastFailureAt: now, nextTryAt: now + wait });
  }

  /** The password was right: the account starts afresh. */
  succeeded(account: string): void {
    this.entries.delete(account);
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
