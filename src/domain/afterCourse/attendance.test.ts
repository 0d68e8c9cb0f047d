import { describe, expect, it } from 'vitest';

import { isAttendanceStatus, markingOpen, surnameKey } from './attendance.js';

describe('surnameKey', () => {
  it('sorts a register by the last word of the name, then the whole name', () => {
    const names = ['Zofia Ahmed', 'amira brown', 'Ben Ahmed', 'Ana de la Cruz', '  Cher  '];
    const sorted = [...names].sort((a, b) => surnameKey(a).localeCompare(surnameKey(b), 'en-GB'));
    expect(sorted).toEqual(['Ben Ahmed', 'Zofia Ahmed', 'amira brown', '  Cher  ', 'Ana de la Cruz']);
  });
});

describe('markingOpen', () => {
  const start = new Date('2026-02-16T09:30:00.000Z');
  it('opens when the first part starts, not a moment before', () => {
    expect(markingOpen(start, new Date('2026-02-16T09:29:59.999Z'))).toBe(false);
    expect(markingOpen(start, start)).toBe(true);
    expect(markingOpen(start, new Date('2027-01-01T00:00:00.000Z'))).toBe(true);
  });
});

describe('isAttendanceStatus', () => {
  it('knows only the three marks', () => {
    for (const status of ['attended', 'partial', 'absent']) expect(isAttendanceStatus(status)).toBe(true);
    for (const other of ['ATTENDED', 'present', '', null, 1, 'did_not_attend']) {
      expect(isAttendanceStatus(other)).toBe(false);
    }
  });
});
