import { describe, expect, it } from 'vitest';

import { DEFAULT_POLICY, selfCancellationDeadline } from '../hub/policy.js';
import {
  distribution,
  isLateCancellation,
  reportingYear,
  reportingYearOf,
  responseRate,
  sessionAttendance,
  tooFewToReadInto,
} from './reports.js';

describe('the reporting year', () => {
  it('runs twelve months from the hub’s start month', () => {
    expect(reportingYear(2025, 4)).toEqual({
      startYear: 2025,
      from: '2025-04-01',
      to: '2026-03-31',
      words: 'April 2025 to March 2026',
    });
    expect(reportingYear(2026, 1)).toEqual({
      startYear: 2026,
      from: '2026-01-01',
      to: '2026-12-31',
      words: '2026',
    });
    expect(reportingYear(2024, 9).to).toBe('2025-08-31');
    expect(reportingYear(2023, 3).to).toBe('2024-02-29');
  });

  it('holds the dates from its first day to its last', () => {
    expect(reportingYearOf('2026-03-31', 4).startYear).toBe(2025);
    expect(reportingYearOf('2026-04-01', 4).startYear).toBe(2026);
    expect(reportingYearOf('2026-01-01', 1).startYear).toBe(2026);
    expect(reportingYearOf('2026-12-31', 1).startYear).toBe(2026);
  });
});

describe('a delegate’s attendance at a whole session', () => {
  it('is attended or did not attend only when every part says so, and not marked while a part is unmarked', () => {
    expect(sessionAttendance(2, ['attended', 'attended'])).toBe('attended');
    expect(sessionAttendance(2, ['absent', 'absent'])).toBe('did_not_attend');
    expect(sessionAttendance(2, ['attended', 'absent'])).toBe('partial');
    expect(sessionAttendance(1, ['partial'])).toBe('partial');
    expect(sessionAttendance(2, ['attended'])).toBe('not_marked');
    expect(sessionAttendance(0, [])).toBe('not_marked');
  });
});

describe('late cancellations and small numbers', () => {
  it('are cancellations at or after the cut-off', () => {
    const startsAt = new Date('2026-03-16T09:30:00Z');
    const deadline = selfCancellationDeadline(startsAt, DEFAULT_POLICY);
    expect(isLateCancellation(startsAt, new Date(deadline.getTime() - 1), DEFAULT_POLICY)).toBe(false);
    expect(isLateCancellation(startsAt, deadline, DEFAULT_POLICY)).toBe(true);
  });

  it('marks fewer than five as too few to read into', () => {
    expect(tooFewToReadInto(4)).toBe(true);
    expect(tooFewToReadInto(5)).toBe(false);
  });
});

describe('feedback figures', () => {
  it('counts a distribution’s answers and mean, marking fewer than five answers', () => {
    expect(distribution([1, 0, 2, 0, 2])).toEqual({
      counts: [1, 0, 2, 0, 2],
      answers: 5,
      mean: (1 + 3 * 2 + 5 * 2) / 5,
      tooFew: false,
    });
    expect(distribution([0, 0, 0, 4, 0])).toMatchObject({ answers: 4, mean: 4, tooFew: true });
    expect(distribution([0, 0, 0, 0, 0])).toMatchObject({ answers: 0, mean: null, tooFew: true });
  });

  it('gives the response rate as responses over delegates invited', () => {
    expect(responseRate(3, 4)).toBe(0.75);
    expect(responseRate(0, 4)).toBe(0);
    expect(responseRate(0, 0)).toBeNull();
  });
});
