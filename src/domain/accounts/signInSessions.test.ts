import { describe, expect, it } from 'vitest';

import { DELEGATE_SESSION_LIMITS } from './accounts.js';
import { absoluteEnd, sessionState } from './signInSessions.js';
import { STAFF_PART_WAY_LIMITS, STAFF_SESSION_LIMITS, staffSessionLimits } from './staff.js';

const start = new Date('2026-01-12T09:00:00Z');
const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);

describe('sign-in session limits', () => {
  it('gives delegates 60 idle minutes and 12 hours, staff 30 and 10 hours, and part-way staff 10 minutes', () => {
    expect(DELEGATE_SESSION_LIMITS).toEqual({ idleMinutes: 60, absoluteMinutes: 12 * 60 });
    expect(STAFF_SESSION_LIMITS).toEqual({ idleMinutes: 30, absoluteMinutes: 10 * 60 });
    expect(STAFF_PART_WAY_LIMITS).toEqual({ idleMinutes: 10, absoluteMinutes: 10 });
    expect(staffSessionLimits('signed_in')).toBe(STAFF_SESSION_LIMITS);
    expect(staffSessionLimits('second_factor')).toBe(STAFF_PART_WAY_LIMITS);
    expect(staffSessionLimits('enrol')).toBe(STAFF_PART_WAY_LIMITS);
  });

  it('ends a session when revoked, at its absolute end, or when idle past the limit given', () => {
    const session = {
      last_seen_at: start.toISOString(),
      expires_at: absoluteEnd(start, DELEGATE_SESSION_LIMITS).toISOString(),
      revoked_at: null,
    };
    expect(session.expires_at).toBe(at(12 * 60).toISOString());
    expect(sessionState(session, DELEGATE_SESSION_LIMITS, at(60))).toBe('active');
    expect(sessionState(session, DELEGATE_SESSION_LIMITS, at(61))).toBe('idle');
    expect(sessionState(session, STAFF_SESSION_LIMITS, at(31))).toBe('idle');
    const seenLate = { ...session, last_seen_at: at(12 * 60 - 1).toISOString() };
    expect(sessionState(seenLate, DELEGATE_SESSION_LIMITS, at(12 * 60 - 1))).toBe('active');
    expect(sessionState(seenLate, DELEGATE_SESSION_LIMITS, at(12 * 60))).toBe('expired');
    expect(
      sessionState({ ...session, revoked_at: at(1).toISOString() }, DELEGATE_SESSION_LIMITS, at(2)),
    ).toBe('revoked');
  });
});
