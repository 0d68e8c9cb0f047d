import { describe, expect, it } from 'vitest';

import {
  closesFrom,
  DEFAULT_RETENTION,
  lastExpiredFinancialYear,
  monthsBefore,
  readRetentionForm,
  RETENTION_FIELDS,
  retentionCutoffs,
  retentionProblems,
  retentionSchema,
  retentionWords,
} from './retention.js';

const form = (changes: Record<string, string> = {}) => ({
  ...Object.fromEntries(RETENTION_FIELDS.map((f) => [f.name, String(DEFAULT_RETENTION[f.name])])),
  ...changes,
});

describe('the retention schedule', () => {
  it('goes back whole calendar months, ending a shorter month on its last day', () => {
    expect(monthsBefore(new Date('2026-03-31T10:00:00Z'), 1).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(monthsBefore(new Date('2026-01-15T10:00:00Z'), 12).toISOString()).toBe('2025-01-15T10:00:00.000Z');
    expect(monthsBefore(new Date('2026-01-15T10:00:00Z'), -2).toISOString()).toBe('2026-03-15T10:00:00.000Z');
  });

  it('draws each line from the settings: the warning the set days inside the inactive period', () => {
    const now = new Date('2026-06-15T01:30:00Z');
    const lines = retentionCutoffs(DEFAULT_RETENTION, now);
    expect(lines.closeActiveBefore.toISOString()).toBe('2025-06-15T01:30:00.000Z');
    expect(lines.warnActiveBefore.toISOString()).toBe('2025-07-15T01:30:00.000Z');
    expect(lines.warnedBefore.toISOString()).toBe('2026-05-16T01:30:00.000Z');
    expect(lines.sessionsEndedBefore.toISOString()).toBe('2020-06-15T01:30:00.000Z');
    expect(lines.emailWordsSentBefore.toISOString()).toBe('2026-05-16T01:30:00.000Z');
    expect(lines.emailRecordsSentBefore.toISOString()).toBe('2025-06-15T01:30:00.000Z');
    expect(lines.spentBefore.toISOString()).toBe('2026-06-08T01:30:00.000Z');
    expect(lines.auditBefore.toISOString()).toBe('2020-06-15T01:30:00.000Z');
  });

  it('never deletes the record of an email before its words are due to go', () => {
    const settings = { ...DEFAULT_RETENTION, sentEmailBodyDays: 30, sentEmailRecordMonths: 1 };
    const lines = retentionCutoffs(settings, new Date('2026-03-01T00:00:00Z'));
    expect(lines.emailRecordsSentBefore.getTime()).toBeLessThanOrEqual(lines.emailWordsSentBefore.getTime());
  });

  it('keeps financial records six years after the end of their financial year', () => {
    // An April year: 2019-20 ends on 31 March 2020, so it is kept to 31 March 2026.
    expect(lastExpiredFinancialYear('2026-03-31', 4)).toBe(2018);
    expect(lastExpiredFinancialYear('2026-04-01', 4)).toBe(2019);
    expect(lastExpiredFinancialYear('2026-12-31', 1)).toBe(2019);
  });

  it('closes a warned account no sooner than its period and its warning both allow', () => {
    const settings = { ...DEFAULT_RETENTION, inactiveAccountMonths: 12, closureWarningDays: 30 };
    const lastActive = new Date('2025-01-10T12:00:00Z');
    expect(closesFrom(lastActive, new Date('2025-12-11T12:00:00Z'), settings).toISOString()).toBe(
      '2026-01-10T12:00:00.000Z',
    );
    // Warned late (the job was not running): the warning's days still run in full.
    expect(closesFrom(lastActive, new Date('2026-03-01T12:00:00Z'), settings).toISOString()).toBe(
      '2026-03-31T12:00:00.000Z',
    );
  });

  it('refuses a warning no sooner than the closing, and email records kept less long than their words', () => {
    expect(retentionProblems(DEFAULT_RETENTION)).toEqual({});
    expect(
      retentionProblems({ ...DEFAULT_RETENTION, inactiveAccountMonths: 2, closureWarningDays: 60 }),
    ).toHaveProperty('closureWarningDays');
    expect(
      retentionProblems({ ...DEFAULT_RETENTION, sentEmailBodyDays: 90, sentEmailRecordMonths: 2 }),
    ).toHaveProperty('sentEmailRecordMonths');
  });

  it('reads the form: whole numbers in each field’s range, as the schema allows', () => {
    expect(readRetentionForm(form())).toEqual({ ok: true, settings: DEFAULT_RETENTION });
    for (const field of RETENTION_FIELDS) {
      expect(retentionSchema.safeParse({ [field.name]: field.min }).success).toBe(true);
      expect(retentionSchema.safeParse({ [field.name]: field.min - 1 }).success).toBe(false);
      expect(retentionSchema.safeParse({ [field.name]: field.max }).success).toBe(true);
      expect(retentionSchema.safeParse({ [field.name]: field.max + 1 }).success).toBe(false);
      const tooBig = readRetentionForm(form({ [field.name]: String(field.max + 1) }));
      expect(tooBig.ok ? null : tooBig.errors[field.name]).toContain(`from ${field.min} to ${field.max}`);
    }
    for (const typed of ['', 'twelve', '1.5', '-3']) {
      const reading = readRetentionForm(form({ bookingDetailsYears: typed }));
      expect(reading.ok).toBe(false);
    }
    const mismatch = readRetentionForm(form({ sentEmailBodyDays: '365', sentEmailRecordMonths: '3' }));
    expect(mismatch.ok ? null : Object.keys(mismatch.errors)).toEqual(['sentEmailRecordMonths']);
  });

  it('says the periods in words, from the settings', () => {
    const words = retentionWords({
      ...DEFAULT_RETENTION,
      inactiveAccountMonths: 18,
      closureWarningDays: 14,
      bookingDetailsYears: 1,
      sentEmailBodyDays: 45,
      sentEmailRecordMonths: 1,
      auditLogYears: 3,
    });
    expect(words.accounts).toContain('do not sign in or book for 18 months');
    expect(words.accounts).toContain('We email you 14 days before');
    expect(words.bookings).toMatch(/^1 year after a session/);
    expect(words.sentEmails).toContain('45 days after sending');
    expect(words.sentEmails).toContain('after 1 month.');
    expect(words.auditLog).toContain('for 3 years');
    expect(words.spent).toContain('7 days later');
    expect(words.financial).toContain('6 years after the end of the financial year');
    expect(words.signInAttempts).toContain('never stored');
  });
});
