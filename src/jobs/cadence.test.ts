import { describe, expect, it } from 'vitest';

import { checkCadence, describeCadence, latestDue } from './cadence.js';

const at = (iso: string) => new Date(iso);

describe('latestDue', () => {
  it('is the start of the minute or hour', () => {
    expect(latestDue({ every: 'minute' }, at('2026-01-12T09:00:59.999Z'))).toEqual(
      at('2026-01-12T09:00:00Z'),
    );
    expect(latestDue({ every: 'hour' }, at('2026-07-12T09:59:00Z'))).toEqual(at('2026-07-12T09:00:00Z'));
  });

  it('is today at the London time once it has passed, and yesterday before', () => {
    const daily = { dailyAt: '03:00' };
    expect(latestDue(daily, at('2026-01-12T03:00:00Z'))).toEqual(at('2026-01-12T03:00:00Z'));
    expect(latestDue(daily, at('2026-01-12T02:59:59Z'))).toEqual(at('2026-01-11T03:00:00Z'));
    // Summer: 3am London is 2am UTC.
    expect(latestDue(daily, at('2026-07-12T02:00:00Z'))).toEqual(at('2026-07-12T02:00:00Z'));
    expect(latestDue(daily, at('2026-07-12T01:59:00Z'))).toEqual(at('2026-07-11T02:00:00Z'));
    // Just after midnight in London, still the previous UTC day.
    expect(latestDue({ dailyAt: '23:30' }, at('2026-07-11T23:15:00Z'))).toEqual(at('2026-07-11T22:30:00Z'));
  });

  it('keeps to the London time on the days the clocks change', () => {
    const daily = { dailyAt: '03:00' };
    // 29 March 2026: the clocks go forward at 1am GMT, so that day has 23 hours.
    expect(latestDue(daily, at('2026-03-29T01:59:00Z'))).toEqual(at('2026-03-28T03:00:00Z'));
    expect(latestDue(daily, at('2026-03-29T02:00:00Z'))).toEqual(at('2026-03-29T02:00:00Z'));
    // 25 October 2026: back at 2am summer time, so that day has 25 hours.
    expect(latestDue(daily, at('2026-10-25T02:59:00Z'))).toEqual(at('2026-10-24T02:00:00Z'));
    expect(latestDue(daily, at('2026-10-25T03:00:00Z'))).toEqual(at('2026-10-25T03:00:00Z'));
  });
});

describe('latestDue, monthly', () => {
  const monthly = { monthlyAt: '06:00' };

  it('is the first of this month at the London time once it has passed, and of last month before', () => {
    expect(latestDue(monthly, at('2026-01-01T06:00:00Z'))).toEqual(at('2026-01-01T06:00:00Z'));
    expect(latestDue(monthly, at('2026-01-01T05:59:59Z'))).toEqual(at('2025-12-01T06:00:00Z'));
    expect(latestDue(monthly, at('2026-01-31T23:00:00Z'))).toEqual(at('2026-01-01T06:00:00Z'));
    // Summer: 6am London is 5am UTC.
    expect(latestDue(monthly, at('2026-07-01T05:00:00Z'))).toEqual(at('2026-07-01T05:00:00Z'));
    expect(latestDue(monthly, at('2026-07-01T04:59:00Z'))).toEqual(at('2026-06-01T05:00:00Z'));
  });

  it('keeps to the London time across the clock changes and the London month', () => {
    // The clocks went forward on 29 March: April's run is at 5am UTC, March's was at 6am.
    expect(latestDue(monthly, at('2026-04-01T04:59:00Z'))).toEqual(at('2026-03-01T06:00:00Z'));
    expect(latestDue(monthly, at('2026-04-01T05:00:00Z'))).toEqual(at('2026-04-01T05:00:00Z'));
    // Back on 25 October: November's run is at 6am UTC again.
    expect(latestDue(monthly, at('2026-11-01T05:30:00Z'))).toEqual(at('2026-10-01T05:00:00Z'));
    expect(latestDue(monthly, at('2026-11-01T06:00:00Z'))).toEqual(at('2026-11-01T06:00:00Z'));
    // 11:30pm UTC on 31 July is already 1 August in London.
    expect(latestDue({ monthlyAt: '00:30' }, at('2026-07-31T23:45:00Z'))).toEqual(at('2026-07-31T23:30:00Z'));
  });
});

describe('checkCadence', () => {
  it('refuses daily times that clock changes skip or repeat, and times that are not times', () => {
    expect(() => checkCadence({ dailyAt: '01:30' })).toThrow(/clocks change/);
    expect(() => checkCadence({ dailyAt: '3:00' })).toThrow(/not a time/);
    expect(() => checkCadence({ dailyAt: '24:00' })).toThrow(/not a time/);
    expect(() => checkCadence({ everySeconds: 0 })).toThrow();
    expect(() => checkCadence({ monthlyAt: '01:15' })).toThrow(/clocks change/);
    expect(() => checkCadence({ monthlyAt: '6am' })).toThrow(/not a time/);
    expect(() => checkCadence({ monthlyAt: '06:00' })).not.toThrow();
    for (const time of ['00:59', '02:00', '03:00', '23:59'])
      expect(() => checkCadence({ dailyAt: time })).not.toThrow();
  });
});

describe('describeCadence', () => {
  it('says how often in words', () => {
    expect(describeCadence({ every: 'minute' })).toBe('every minute');
    expect(describeCadence({ every: 'hour' })).toBe('hourly');
    expect(describeCadence({ dailyAt: '03:00' })).toBe('daily at 03:00 London time');
    expect(describeCadence({ everySeconds: 3 })).toBe('every 3 seconds, in every process');
    expect(describeCadence({ monthlyAt: '06:00' })).toBe('monthly on the 1st at 06:00 London time');
  });
});
