import { describe, expect, it } from 'vitest';

import { settableClock } from '../../../test/support/clock.js';
import {
  FORGET_AFTER_MS,
  FREE_FAILURES,
  LONGEST_WAIT_MS,
  SignInPausedError,
  SignInThrottle,
} from './signInThrottle.js';

function paused(throttle: SignInThrottle, account: string): number | null {
  try {
    throttle.begin(account);
    return null;
  } catch (error) {
    if (!(error instanceof SignInPausedError)) throw error;
    return error.retryAfterSeconds;
  }
}

describe('SignInThrottle', () => {
  it('lets a few wrong passwords through, then waits 1, 2, 4 … seconds, at most five minutes', () => {
    const clock = settableClock('2026-01-12T09:00:00Z');
    const throttle = new SignInThrottle(clock);
    for (let i = 0; i < FREE_FAILURES - 1; i++) expect(paused(throttle, 'delegate:1')).toBeNull();
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      expect(paused(throttle, 'delegate:1')).toBeNull();
      const wait = paused(throttle, 'delegate:1')!;
      waits.push(wait);
      clock.advance(wait * 1_000);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
    expect(LONGEST_WAIT_MS).toBe(300_000);
  });

  it('turns an attempt away only until the wait is over, and a right password starts afresh', () => {
    const clock = settableClock('2026-01-12T09:00:00Z');
    const throttle = new SignInThrottle(clock);
    for (let i = 0; i < FREE_FAILURES + 2; i++) {
      if (i) clock.advance(2_000);
      throttle.begin('staff:7');
    }
    expect(paused(throttle, 'staff:7')).toBe(4);
    clock.advance(3_999);
    expect(paused(throttle, 'staff:7')).toBe(1);
    clock.advance(1);
    // The owner, after the wait, with the right password.
    expect(paused(throttle, 'staff:7')).toBeNull();
    throttle.succeeded('staff:7');
    for (let i = 0; i < FREE_FAILURES - 1; i++) expect(paused(throttle, 'staff:7')).toBeNull();
    // Another account is not slowed by this one's wrong passwords.
    expect(paused(throttle, 'staff:8')).toBeNull();
  });

  it('counts attempts as they begin, so many at once cannot all be tried', () => {
    const throttle = new SignInThrottle(settableClock('2026-01-12T09:00:00Z'));
    const outcomes = Array.from({ length: 50 }, () => paused(throttle, 'delegate:3'));
    expect(outcomes.filter((o) => o === null)).toHaveLength(FREE_FAILURES);
  });

  it('cannot be made to forget an account by trying many others, only by an hour of quiet', () => {
    const clock = settableClock('2026-01-12T09:00:00Z');
    const throttle = new SignInThrottle(clock);
    for (let i = 0; i < FREE_FAILURES; i++) throttle.begin('delegate:1');
    for (let n = 2; n < 20_000; n++) {
      throttle.begin(`delegate:${n}`);
      if (n % 1000 === 0) clock.advance(1);
    }
    expect(paused(throttle, 'delegate:1')).toBeGreaterThan(0);
    // Entries older than an hour are forgotten, newer ones kept.
    clock.advance(FORGET_AFTER_MS - 100);
    throttle.begin('delegate:new');
    expect(throttle.size).toBeGreaterThan(1);
    clock.advance(FORGET_AFTER_MS);
    throttle.begin('delegate:newer');
    expect(throttle.size).toBe(1);
  });
});
