import { describe, expect, it } from 'vitest';

import { certificateDue, certificateWaitsForFeedback, describeMinutes } from './certificate.js';

const part = (id: number, start: string, end: string) => ({
  id,
  startsAt: new Date(`2026-03-0${id}T${start}:00Z`),
  endsAt: new Date(`2026-03-0${id}T${end}:00Z`),
});
// Two mornings: three hours, then two.
const parts = [part(1, '09:00', '12:00'), part(2, '09:00', '11:00')];
const never = { certificatesForPartAttendance: false };
const partly = { certificatesForPartAttendance: true };

describe('certificateDue', () => {
  it('gives the whole session and the course’s CPD hours when every part was attended', () => {
    const marks = new Map([
      [1, 'attended' as const],
      [2, 'attended' as const],
    ]);
    expect(certificateDue(parts, marks, 4.5, never)).toEqual({
      parts,
      whole: true,
      minutes: 300,
      cpdHours: 4.5,
    });
  });

  it('gives none until every part is marked', () => {
    expect(certificateDue(parts, new Map([[1, 'attended' as const]]), 4.5, partly)).toBeNull();
    expect(certificateDue([], new Map(), 4.5, partly)).toBeNull();
  });

  it('gives none for did not attend, nor for parts only partly attended', () => {
    const absent = new Map([
      [1, 'absent' as const],
      [2, 'absent' as const],
    ]);
    const partial = new Map([
      [1, 'partial' as const],
      [2, 'partial' as const],
    ]);
    expect(certificateDue(parts, absent, 4.5, partly)).toBeNull();
    expect(certificateDue(parts, partial, 4.5, partly)).toBeNull();
  });

  it('gives the parts attended only where the policy says so, CPD hours in proportion, rounded down to the half hour', () => {
    const marks = new Map([
      [1, 'attended' as const],
      [2, 'absent' as const],
    ]);
    expect(certificateDue(parts, marks, 4.5, never)).toBeNull();
    // 180 of 300 minutes of 4.5 hours is 2.7 hours: 2.5.
    expect(certificateDue(parts, marks, 4.5, partly)).toEqual({
      parts: [parts[0]],
      whole: false,
      minutes: 180,
      cpdHours: 2.5,
    });
  });
});

describe('describeMinutes', () => {
  it('says hours and minutes as people do', () => {
    expect(describeMinutes(360)).toBe('6 hours');
    expect(describeMinutes(150)).toBe('2 hours 30 minutes');
    expect(describeMinutes(60)).toBe('1 hour');
    expect(describeMinutes(45)).toBe('45 minutes');
  });
});

describe('certificates waiting for feedback', () => {
  const now = new Date('2026-01-12T09:00:00.000Z');
  const yesterday = new Date('2026-01-11T16:00:00.000Z');
  const monthAgo = new Date('2025-12-12T16:00:00.000Z');
  const on = { feedbackBeforeCertificate: true };

  it('waits only while the hub asks for feedback first and it has not been given', () => {
    const facts = { feedbackGiven: false, invited: true, sessionEndsAt: yesterday };
    expect(certificateWaitsForFeedback(facts, on, now)).toBe(true);
    expect(certificateWaitsForFeedback(facts, { feedbackBeforeCertificate: false }, now)).toBe(false);
    expect(certificateWaitsForFeedback({ ...facts, feedbackGiven: true }, on, now)).toBe(false);
  });

  it('never waits for feedback that will never be asked for', () => {
    expect(
      certificateWaitsForFeedback({ feedbackGiven: false, invited: false, sessionEndsAt: monthAgo }, on, now),
    ).toBe(false);
    // Not yet invited, but the invitation job will ask.
    expect(
      certificateWaitsForFeedback(
        { feedbackGiven: false, invited: false, sessionEndsAt: yesterday },
        on,
        now,
      ),
    ).toBe(true);
  });
});
