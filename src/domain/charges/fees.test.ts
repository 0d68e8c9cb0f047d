import { describe, expect, it } from 'vitest';

import { chargesSettingsSchema, feesInUse } from './chargesSettings.js';
import { feeFor, missedParts, organisationCharged, partFee } from './fees.js';

const settings = chargesSettingsSchema.parse({ dayFeePence: 5000, halfDayFeePence: 2500 });
const part = (from: string, to: string) => ({
  startsAt: new Date(`2026-03-03T${from}:00Z`),
  endsAt: new Date(`2026-03-03T${to}:00Z`),
});
const morning = part('09:30', '12:30');
const day = part('09:30', '16:00');

describe('fees', () => {
  it('charges nothing until the hub sets a fee', () => {
    expect(feesInUse(chargesSettingsSchema.parse({}))).toBe(false);
    expect(feesInUse(settings)).toBe(true);
    expect(feesInUse(chargesSettingsSchema.parse({ feeBasis: 'session', dayFeePence: 5000 }))).toBe(false);
  });

  it("charges a day's fee for a part over four hours and a half day's for one of four hours or less", () => {
    expect(partFee(morning, settings)).toBe(2500);
    expect(partFee(part('09:00', '13:00'), settings)).toBe(2500);
    expect(partFee(day, settings)).toBe(5000);
    expect(feeFor([morning, day], settings)).toBe(7500);
    expect(feeFor([], settings)).toBe(0);
  });

  it('charges one fee a session on the per-session basis', () => {
    const perSession = chargesSettingsSchema.parse({ feeBasis: 'session', sessionFeePence: 4000 });
    expect(feeFor([morning, day, morning], perSession)).toBe(4000);
  });

  it('charges only the organisation types the hub charges, and never someone with no organisation', () => {
    expect(organisationCharged('partner_agency', settings)).toBe(true);
    expect(organisationCharged('voluntary', settings)).toBe(false);
    expect(organisationCharged(null, settings)).toBe(false);
  });

  it('counts someone who was there for some of it as attended, unless the hub says otherwise', () => {
    const marks = [
      { part: 1, mark: 'attended' as const },
      { part: 2, mark: 'absent' as const },
      { part: 3, mark: 'partial' as const },
    ];
    expect(missedParts(marks, settings)).toEqual([]);
    expect(missedParts(marks, { ...settings, partlyAttendedCountsAsAttended: false })).toEqual([2, 3]);
    const absent = marks.map((m) => ({ ...m, mark: 'absent' as const }));
    expect(missedParts(absent, settings)).toEqual([1, 2, 3]);
    // An unfinished register proposes nothing yet.
    expect(
      missedParts(
        [
          { part: 1, mark: 'absent' as const },
          { part: 2, mark: null },
        ],
        settings,
      ),
    ).toEqual([]);
  });
});
