import type { Clock } from '../../src/services/clock.js';

/** A clock a test moves on by hand, to see timeouts and expiries happen. */
export interface SettableClock extends Clock {
  advance(milliseconds: number): void;
  set(at: Date | string): void;
}

export function settableClock(start: Date | string): SettableClock {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    advance: (milliseconds) => {
      now += milliseconds;
    },
    set: (at) => {
      now = new Date(at).getTime();
    },
  };
}
