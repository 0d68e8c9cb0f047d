import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  DEFAULT_POLICY,
  DEFAULT_REFUSED_EMAIL_PREFIXES,
  WAITLIST_CLOSES_HOURS_BEFORE_START,
  canSelfCancel,
  isRefusedSharedAddress,
  morningReminderDueAt,
  offerExpiresAt,
  policySchema,
  policyWords,
  reminderDueAt,
  selfCancellationDeadline,
  selfCancellationLastDay,
} from './policy.js';
import { addDays, londonDate, londonToInstant } from '../time/time.js';
import { workingDaysBetween } from '../time/workingDays.js';

const HOUR = 3_600_000;
const policy = (cancellationWorkingDays: number) => ({ cancellationWorkingDays });

/** Instants from 2023 to 2032, to the minute. */
const instantArb = fc
  .integer({ min: 0, max: 10 * 365 * 24 * 60 })
  .map((minutes) => new Date(Date.UTC(2023, 0, 1) + minutes * 60_000));

describe('policy settings', () => {
  it('fills in every default', () => {
    expect(DEFAULT_POLICY).toEqual({
      cancellationWorkingDays: 6,
      offerExpiryHours: 48,
      reminderDaysBefore: 2,
      accessNeedsRetentionDays: 30,
      refusedEmailPrefixes: [...DEFAULT_REFUSED_EMAIL_PREFIXES],
      waitlistEnabled: true,
      certificatesForPartAttendance: false,
      feedbackBeforeCertificate: false,
      reportingYearStartMonth: 4,
      followUpDays: 90,
      followUpLineManagers: false,
      lineManagerToldOfBooking: false,
      lineManagerToldOfCancellation: false,
      lineManagerToldOfNonAttendance: false,
    });
    for (const prefix of ['admin', 'office', 'enquiries', 'info', 'reception', 'team', 'hello']) {
      expect(DEFAULT_POLICY.refusedEmailPrefixes).toContain(prefix);
    }
    for (const prefix of ['contact', 'mail', 'safeguarding', 'duty']) {
      expect(DEFAULT_POLICY.refusedEmailPrefixes).toContain(prefix);
    }
  });

  it('does not share the default list between policies', () => {
    const a = policySchema.parse({});
    a.refusedEmailPrefixes.push('changed');
    expect(policySchema.parse({}).refusedEmailPrefixes).not.toContain('changed');
  });

  it('keeps values in range', () => {
    expect(policySchema.safeParse({ cancellationWorkingDays: 31 }).success).toBe(false);
    expect(policySchema.safeParse({ cancellationWorkingDays: -1 }).success).toBe(false);
    expect(policySchema.safeParse({ cancellationWorkingDays: 2.5 }).success).toBe(false);
    expect(policySchema.safeParse({ offerExpiryHours: 0 }).success).toBe(false);
    expect(policySchema.safeParse({ offerExpiryHours: 169 }).success).toBe(false);
    expect(policySchema.safeParse({ reminderDaysBefore: 15 }).success).toBe(false);
    expect(policySchema.safeParse({ accessNeedsRetentionDays: 366 }).success).toBe(false);
    expect(policySchema.safeParse({ refusedEmailPrefixes: ['office@'] }).success).toBe(false);
    expect(policySchema.parse({ cancellationWorkingDays: 0, offerExpiryHours: 168 })).toMatchObject({
      cancellationWorkingDays: 0,
      offerExpiryHours: 168,
    });
  });

  it('stores refused mailboxes in lower case', () => {
    expect(policySchema.parse({ refusedEmailPrefixes: [' Office ', 'MASH'] }).refusedEmailPrefixes).toEqual([
      'office',
      'mash',
    ]);
  });

  it('describes every setting in plain English', () => {
    for (const [name, field] of Object.entries(policySchema.shape)) {
      expect(field.description, name).toMatch(/^[A-Z].+\.$/);
    }
  });
});

describe('self-cancellation', () => {
  it('runs to the end of the day 6 working days before: Monday 16 March → end of Friday 6 March', () => {
    const session = londonToInstant('2026-03-16', '09:30');
    expect(selfCancellationLastDay(session, policy(6))).toBe('2026-03-06');
    expect(selfCancellationDeadline(session, policy(6)).toISOString()).toBe('2026-03-07T00:00:00.000Z');
    expect(canSelfCancel(session, londonToInstant('2026-03-06', '23:59'), policy(6))).toBe(true);
    expect(canSelfCancel(session, londonToInstant('2026-03-07', '00:00'), policy(6))).toBe(false);
    expect(canSelfCancel(session, londonToInstant('2026-03-09', '09:00'), policy(6))).toBe(false);
  });

  it('skips Easter, and ends at midnight British Summer Time', () => {
    // Tuesday 14 April 2026: back past Easter Monday and Good Friday to Thursday 2 April.
    const session = londonToInstant('2026-04-14', '10:00');
    expect(selfCancellationLastDay(session, policy(6))).toBe('2026-04-02');
    expect(selfCancellationDeadline(session, policy(6)).toISOString()).toBe('2026-04-02T23:00:00.000Z');
  });

  it('skips Easter across the clock change', () => {
    // Tuesday 7 April 2026 → Thursday 26 March, before the clocks go forward on the 29th.
    const session = londonToInstant('2026-04-07', '10:00');
    expect(selfCancellationDeadline(session, policy(6)).toISOString()).toBe('2026-03-27T00:00:00.000Z');
  });

  it('skips Christmas, New Year and substitute days', () => {
    // Monday 4 January 2027 → back past 1 January, 28 and 25 December to Tuesday 22 December.
    const january = londonToInstant('2027-01-04', '09:30');
    expect(selfCancellationLastDay(january, policy(6))).toBe('2026-12-22');
    expect(selfCancellationDeadline(january, policy(6)).toISOString()).toBe('2026-12-23T00:00:00.000Z');
    // Wednesday 29 December 2027 → back past both substitute days to Wednesday 22 December.
    const christmas = londonToInstant('2027-12-29', '09:30');
    expect(selfCancellationLastDay(christmas, policy(3))).toBe('2027-12-22');
  });

  it('runs until the session starts when the policy is 0 working days', () => {
    const session = londonToInstant('2026-03-16', '09:30');
    expect(selfCancellationLastDay(session, policy(0))).toBeNull();
    expect(selfCancellationDeadline(session, policy(0))).toEqual(session);
    expect(canSelfCancel(session, londonToInstant('2026-03-16', '09:29'), policy(0))).toBe(true);
    expect(canSelfCancel(session, session, policy(0))).toBe(false);
  });

  it('uses the London date of a session that starts just after midnight', () => {
    // 00:30 on Tuesday 16 June in London is still Monday in UTC.
    const session = londonToInstant('2026-06-16', '00:30'); // 23:30 UTC on Monday 15 June
    expect(selfCancellationLastDay(session, policy(1))).toBe('2026-06-15');
    expect(selfCancellationDeadline(session, policy(1)).toISOString()).toBe('2026-06-15T23:00:00.000Z');
  });

  it('is never after the session starts, and never later for more working days', () => {
    fc.assert(
      fc.property(instantArb, fc.integer({ min: 0, max: 29 }), (start, n) => {
        const deadline = selfCancellationDeadline(start, policy(n));
        const stricter = selfCancellationDeadline(start, policy(n + 1));
        expect(deadline.getTime()).toBeLessThanOrEqual(start.getTime());
        expect(stricter.getTime()).toBeLessThanOrEqual(deadline.getTime());
        // Each extra working day moves it back at least a day, except from 0 to 1
        // for a session that starts at midnight.
        if (n >= 1) expect(stricter.getTime()).toBeLessThan(deadline.getTime());
      }),
    );
  });

  it('allows cancelling on a day exactly when N working days remain before the session day', () => {
    fc.assert(
      fc.property(
        instantArb,
        fc.integer({ min: 0, max: 40 * 24 * 60 }),
        fc.integer({ min: 1, max: 30 }),
        (start, minutesBefore, n) => {
          const now = new Date(start.getTime() - minutesBefore * 60_000);
          const remaining = workingDaysBetween(londonDate(now), londonDate(start));
          expect(canSelfCancel(start, now, policy(n))).toBe(remaining >= n);
        },
      ),
    );
  });

  it('ends at a London midnight', () => {
    fc.assert(
      fc.property(instantArb, fc.integer({ min: 1, max: 30 }), (start, n) => {
        const deadline = selfCancellationDeadline(start, policy(n));
        expect(deadline).toEqual(londonToInstant(londonDate(deadline), '00:00'));
        expect(londonDate(new Date(deadline.getTime() - 1))).toBe(selfCancellationLastDay(start, policy(n)));
      }),
    );
  });
});

describe('waiting list offers', () => {
  const now = londonToInstant('2026-03-02', '09:00');
  const offer = (hoursLeft: number, settings = { offerExpiryHours: 48, waitlistEnabled: true }) =>
    offerExpiresAt(now, new Date(now.getTime() + hoursLeft * HOUR), settings);

  it('holds a place for the full expiry when the session is far off', () => {
    expect(offer(14 * 24)).toEqual(new Date(now.getTime() + 48 * HOUR));
    expect(offer(14 * 24, { offerExpiryHours: 24, waitlistEnabled: true })).toEqual(
      new Date(now.getTime() + 24 * HOUR),
    );
  });

  it('holds it for half the time left when that is shorter', () => {
    expect(offer(50)).toEqual(new Date(now.getTime() + 25 * HOUR));
    expect(offer(10)).toEqual(new Date(now.getTime() + 5 * HOUR));
  });

  it('closes offers 2 hours before the start', () => {
    expect(offer(3)).toEqual(new Date(now.getTime() + 1 * HOUR));
    expect(offer(2.5)).toEqual(new Date(now.getTime() + 0.5 * HOUR));
  });

  it('makes no offer with 2 hours or less to go, once started, or with no waiting list', () => {
    expect(offer(2)).toBeNull();
    expect(offer(1)).toBeNull();
    expect(offer(0)).toBeNull();
    expect(offer(-1)).toBeNull();
    expect(offer(14 * 24, { offerExpiryHours: 48, waitlistEnabled: false })).toBeNull();
  });

  it('always expires after now, before the start and within the expiry hours', () => {
    fc.assert(
      fc.property(
        instantArb,
        fc.integer({ min: -60 * 60_000, max: 30 * 24 * HOUR }),
        fc.integer({ min: 1, max: 168 }),
        (at, msLeft, offerExpiryHours) => {
          const start = new Date(at.getTime() + msLeft);
          const expiry = offerExpiresAt(at, start, { offerExpiryHours, waitlistEnabled: true });
          if (msLeft <= WAITLIST_CLOSES_HOURS_BEFORE_START * HOUR) {
            expect(expiry).toBeNull();
            return;
          }
          expect(expiry).not.toBeNull();
          const t = expiry!.getTime();
          expect(t).toBeGreaterThan(at.getTime());
          expect(t).toBeLessThan(start.getTime());
          expect(t).toBeLessThanOrEqual(at.getTime() + offerExpiryHours * HOUR);
          expect(t).toBeLessThanOrEqual(at.getTime() + msLeft / 2);
          expect(t).toBeLessThanOrEqual(start.getTime() - 2 * HOUR);
        },
      ),
    );
  });
});

describe('shared mailboxes', () => {
  const refused = (email: string) => isRefusedSharedAddress(email, DEFAULT_POLICY);

  it('refuses role mailboxes, in any case and with a +tag', () => {
    expect(refused('office@council.gov.uk')).toBe(true);
    expect(refused('Admin@nhs.net')).toBe(true);
    expect(refused('SAFEGUARDING@school.sch.uk')).toBe(true);
    expect(refused('enquiries+training@charity.org.uk')).toBe(true);
    expect(refused(' duty@council.gov.uk')).toBe(true);
  });

  it('refuses a role mailbox followed only by a number', () => {
    expect(refused('admin1@nhs.net')).toBe(true);
    expect(refused('office.2@council.gov.uk')).toBe(true);
    expect(refused('reception-01@surgery.nhs.uk')).toBe(true);
    expect(refused('team_3@charity.org.uk')).toBe(true);
  });

  it("allows people's own addresses, even when they contain a role word", () => {
    expect(refused('jane.smith@council.gov.uk')).toBe(false);
    expect(refused('info.kent@charity.org.uk')).toBe(false);
    expect(refused('office.jones@council.gov.uk')).toBe(false);
    expect(refused('jane.admin@nhs.net')).toBe(false);
    expect(refused('teamwork@charity.org.uk')).toBe(false);
    expect(refused('mailin@charity.org.uk')).toBe(false);
    expect(refused('sam+office@council.gov.uk')).toBe(false);
  });

  it('leaves what is not an email address to validation', () => {
    expect(refused('office')).toBe(false);
    expect(refused('@council.gov.uk')).toBe(false);
    expect(refused('+office@council.gov.uk')).toBe(false);
  });

  it('uses the hub’s own list', () => {
    const settings = policySchema.parse({ refusedEmailPrefixes: ['safeguarding.adults'] });
    expect(isRefusedSharedAddress('Safeguarding.Adults@council.gov.uk', settings)).toBe(true);
    expect(isRefusedSharedAddress('office@council.gov.uk', settings)).toBe(false);
  });

  it('ignores case and +tags', () => {
    const localPart = fc.stringMatching(/^[a-z][a-z0-9.]{0,15}$/);
    fc.assert(
      fc.property(
        fc.oneof(localPart, fc.constantFrom(...DEFAULT_REFUSED_EMAIL_PREFIXES)),
        fc.stringMatching(/^[a-z0-9]{1,8}$/),
        (local, tag) => {
          expect(refused(`${local.toUpperCase()}+${tag}@example.org`)).toBe(refused(`${local}@example.org`));
        },
      ),
    );
  });
});

describe('reminders', () => {
  it('are due at 9am London time, N days before the session date', () => {
    const session = londonToInstant('2026-01-14', '13:00');
    expect(reminderDueAt(session, { reminderDaysBefore: 2 }).toISOString()).toBe('2026-01-12T09:00:00.000Z');
    expect(reminderDueAt(session, { reminderDaysBefore: 0 }).toISOString()).toBe('2026-01-14T09:00:00.000Z');
  });

  it('follow the clock change', () => {
    // Sunday 29 March 2026: clocks go forward at 1am, so 9am is 08:00 UTC.
    const session = londonToInstant('2026-03-31', '10:00');
    expect(reminderDueAt(session, { reminderDaysBefore: 2 }).toISOString()).toBe('2026-03-29T08:00:00.000Z');
    expect(reminderDueAt(session, { reminderDaysBefore: 3 }).toISOString()).toBe('2026-03-28T09:00:00.000Z');
  });

  it('fall on the London date N days before, at 9am', () => {
    fc.assert(
      fc.property(instantArb, fc.integer({ min: 0, max: 14 }), (start, n) => {
        const due = reminderDueAt(start, { reminderDaysBefore: n });
        expect(londonDate(due)).toBe(addDays(londonDate(start), -n));
        expect(due).toEqual(londonToInstant(londonDate(due), '09:00'));
      }),
    );
  });
});

describe('policyWords', () => {
  it('says each rule from the setting, so a changed setting changes the words', () => {
    const words = policyWords(DEFAULT_POLICY);
    expect(words.needsDeleted).toBe('30 days after the session ends');
    expect(words.offerHeld).toBe('for up to 48 hours (less when the session is close)');
    expect(words.cancelUntil).toBe('6 working days before the session');
    const changed = policyWords({
      ...DEFAULT_POLICY,
      accessNeedsRetentionDays: 1,
      offerExpiryHours: 1,
      cancellationWorkingDays: 1,
    });
    expect(changed.needsDeleted).toBe('1 day after the session ends');
    expect(changed.offerHeld).toBe('for up to 1 hour (less when the session is close)');
    expect(changed.cancelUntil).toBe('1 working day before the session');
    const none = policyWords({ ...DEFAULT_POLICY, accessNeedsRetentionDays: 0, cancellationWorkingDays: 0 });
    expect(none.needsDeleted).toBe('when the session ends');
    expect(none.cancelUntil).toBeNull();
    expect(none.waitlistClosesHours).toBe(WAITLIST_CLOSES_HOURS_BEFORE_START);
  });
});

describe('morningReminderDueAt', () => {
  const days = { reminderDaysBefore: 2 };

  it('is 7am London time on the day of the session, in winter and in summer', () => {
    expect(morningReminderDueAt(new Date('2026-01-14T10:00:00Z'), days)?.toISOString()).toBe(
      '2026-01-14T07:00:00.000Z',
    );
    // British Summer Time: 7am London is 6am UTC.
    expect(morningReminderDueAt(new Date('2026-06-10T09:30:00Z'), days)?.toISOString()).toBe(
      '2026-06-10T06:00:00.000Z',
    );
  });

  it('is an hour before a session that starts before 8am', () => {
    expect(morningReminderDueAt(new Date('2026-01-14T07:30:00Z'), days)?.toISOString()).toBe(
      '2026-01-14T06:30:00.000Z',
    );
  });

  it('is none when the ordinary reminder already goes that morning, before the start', () => {
    expect(morningReminderDueAt(new Date('2026-01-14T10:00:00Z'), { reminderDaysBefore: 0 })).toBeNull();
    // A session before 9am gets no ordinary reminder on the day, so it keeps its morning one.
    expect(
      morningReminderDueAt(new Date('2026-01-14T08:30:00Z'), { reminderDaysBefore: 0 })?.toISOString(),
    ).toBe('2026-01-14T07:00:00.000Z');
  });

  it('is always before the start, on the London day of the session or the hour before it', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2025-01-01T00:00:00Z'),
          max: new Date('2030-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 1, max: 14 }),
        (start, reminderDaysBefore) => {
          const due = morningReminderDueAt(start, { reminderDaysBefore });
          expect(due).not.toBeNull();
          expect(due!.getTime()).toBeLessThan(start.getTime());
          const sevenAm = londonToInstant(londonDate(start), '07:00').getTime();
          expect([sevenAm, start.getTime() - HOUR]).toContain(due!.getTime());
          expect(due!.getTime()).toBeLessThanOrEqual(start.getTime() - HOUR);
        },
      ),
    );
  });
});
