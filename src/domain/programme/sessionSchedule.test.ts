import { describe, expect, it } from 'vitest';

import {
  clockChangeProblem,
  londonClockTime,
  parseDate,
  postedPartRows,
  readScheduleForm,
  type ScheduleOptions,
  type ScheduleReading,
} from './sessionSchedule.js';

const NOW = new Date('2026-01-12T09:00:00Z');

function form(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    courseId: '3',
    format: 'in_person',
    venueId: '2',
    capacity: '24',
    'parts[0][date]': '2026-03-10',
    'parts[0][start]': '09:30',
    'parts[0][end]': '15:30',
    ...overrides,
  };
}

/**
 * The form as posted, with dates written here as YYYY-MM-DD (`parts[0][date]`,
 * `bookingOpensDate`) put into the day, month and year boxes the form has.
 */
function boxes(body: Record<string, unknown>): Record<string, unknown> {
  const posted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const part = /^parts\[(\d+)\]\[date\]$/.exec(key);
    const moment = /^(booking(?:Opens|Closes))Date$/.exec(key);
    if ((part || moment) && typeof value === 'string') {
      const [year = '', month = '', day = ''] = value ? value.split('-') : [];
      const name = (box: string) => (part ? `parts[${part[1]}][${box}]` : `${moment![1]}Date-${box}`);
      Object.assign(posted, { [name('day')]: day, [name('month')]: month, [name('year')]: year });
    } else posted[key] = value;
  }
  return posted;
}

function readForm(body: Record<string, unknown>, options: ScheduleOptions): ScheduleReading {
  return readScheduleForm(boxes(body), options);
}

function errorsOf(reading: ScheduleReading): Record<string, string> {
  return reading.ok ? {} : reading.errors;
}

describe('the session form', () => {
  it('reads a good form into instants in London time', () => {
    const reading = readForm(
      form({
        'parts[1][date]': '',
        'parts[2][date]': '2026-04-14',
        'parts[2][start]': '9.30am',
        'parts[2][end]': '1pm',
        bookingOpensDate: '2026-02-01',
        bookingOpensTime: '09:00',
        trainerIds: ['4', '4', '7'],
        notes: '  Room 2\r\n\r\nBring lunch  ',
      }),
      { now: NOW, asksCourse: true },
    );
    expect(reading.ok).toBe(true);
    if (!reading.ok) return;
    expect(reading.values).toEqual({
      courseId: 3,
      format: 'in_person',
      venueId: 2,
      onlineJoiningUrl: null,
      capacity: 24,
      parts: [
        { startsAt: new Date('2026-03-10T09:30:00Z'), endsAt: new Date('2026-03-10T15:30:00Z') },
        // British Summer Time: an hour ahead of UTC.
        { startsAt: new Date('2026-04-14T08:30:00Z'), endsAt: new Date('2026-04-14T12:00:00Z') },
      ],
      bookingOpensAt: new Date('2026-02-01T09:00:00Z'),
      bookingClosesAt: null,
      trainerIds: [4, 7],
      notes: 'Room 2\n\nBring lunch',
    });
  });

  it('needs a venue in person, a link online, and both for hybrid; ignores what a format does not use', () => {
    expect(errorsOf(readForm(form({ venueId: '' }), { now: NOW, asksCourse: true }))).toHaveProperty(
      'venueId',
    );
    const online = readForm(form({ format: 'online', venueId: '2' }), { now: NOW, asksCourse: true });
    expect(errorsOf(online)).toEqual({
      onlineJoiningUrl: 'Enter the online joining link: an online session needs one',
    });
    const hybrid = readForm(form({ format: 'hybrid', venueId: '', onlineJoiningUrl: 'http://x.example' }), {
      now: NOW,
      asksCourse: true,
    });
    expect(Object.keys(errorsOf(hybrid)).sort()).toEqual(['onlineJoiningUrl', 'venueId']);
    const good = readForm(
      form({ format: 'online', venueId: '2', onlineJoiningUrl: 'https://meet.example/j/1' }),
      {
        now: NOW,
        asksCourse: true,
      },
    );
    expect(good.ok && good.values.venueId).toBeNull();
    const inPerson = readForm(form({ onlineJoiningUrl: 'https://meet.example/j/1' }), {
      now: NOW,
      asksCourse: true,
    });
    expect(inPerson.ok && inPerson.values.onlineJoiningUrl).toBeNull();
  });

  it.each([
    ['0', 'The capacity must be at least 1'],
    ['-3', 'The capacity must be at least 1'],
    ['501', 'The capacity must be 500 or fewer'],
    ['10000000', 'The capacity must be 500 or fewer'],
    ['12.5', 'Enter the capacity as a whole number, like 24'],
    ['lots', 'Enter the capacity as a whole number, like 24'],
    ['', 'Enter how many delegates the session can take'],
  ])('refuses capacity %j', (capacity, message) => {
    expect(errorsOf(readForm(form({ capacity }), { now: NOW, asksCourse: true })).capacity).toBe(message);
  });

  it('refuses parts that end before they start, overlap, are out of order or in the past', () => {
    const read = (extra: Record<string, unknown>) =>
      errorsOf(readForm(form(extra), { now: NOW, asksCourse: true }));
    expect(read({ 'parts[0][end]': '09:30' })).toHaveProperty('part-1-end');
    expect(
      read({ 'parts[1][date]': '2026-03-10', 'parts[1][start]': '15:00', 'parts[1][end]': '16:00' })[
        'part-2-start'
      ],
    ).toMatch(/^Part 2 overlaps part 1/);
    expect(
      read({ 'parts[1][date]': '2026-03-09', 'parts[1][start]': '09:30', 'parts[1][end]': '12:00' })[
        'part-2-date'
      ],
    ).toBe('Part 2 is before part 1: list the parts in date order');
    expect(read({ 'parts[0][date]': '2026-01-12', 'parts[0][start]': '08:00' })['part-1-date']).toMatch(
      /^Part 1 would start in the past/,
    );
    expect(read({ 'parts[0][date]': '', 'parts[0][start]': '', 'parts[0][end]': '' })).toEqual({
      'part-1-date': 'Enter the date and times of the session (at least one part)',
    });
  });

  it('keeps a session’s parts within three months of its first', () => {
    const errors = errorsOf(
      readForm(
        form({ 'parts[1][date]': '2026-06-11', 'parts[1][start]': '09:30', 'parts[1][end]': '12:00' }),
        { now: NOW, asksCourse: true },
      ),
    );
    expect(errors['part-2-date']).toMatch(/^Part 2 is more than 3 months after part 1/);
  });

  it('lets a part already in the past stay as it was when changing a session, but not move into the past', () => {
    const existing = [
      { startsAt: new Date('2026-01-12T08:00:00Z'), endsAt: new Date('2026-01-12T12:00:00Z') },
      { startsAt: new Date('2026-01-13T08:00:00Z'), endsAt: new Date('2026-01-13T12:00:00Z') },
    ];
    const body = form({
      'parts[0][date]': '2026-01-12',
      'parts[0][start]': '08:00',
      'parts[0][end]': '12:00',
      'parts[1][date]': '2026-01-13',
      'parts[1][start]': '08:00',
      'parts[1][end]': '13:00',
    });
    expect(readForm(body, { now: NOW, asksCourse: false, existingParts: existing }).ok).toBe(true);
    const moved = { ...body, 'parts[0][start]': '07:00' };
    expect(
      errorsOf(readForm(moved, { now: NOW, asksCourse: false, existingParts: existing })),
    ).toHaveProperty('part-1-date');
  });

  it('explains the clock changes in words', () => {
    expect(clockChangeProblem('2026-03-29', '01:30')).toBe(
      '1:30am on Sunday 29 March 2026 does not exist in the UK: clocks go forward from 1am to 2am. Choose another time',
    );
    expect(clockChangeProblem('2026-10-25', '01:30')).toBe(
      '1:30am on Sunday 25 October 2026 happens twice in the UK: clocks go back from 2am to 1am. Choose another time',
    );
    const gap = readForm(
      form({ 'parts[0][date]': '2026-03-29', 'parts[0][start]': '01:30', 'parts[0][end]': '03:00' }),
      { now: NOW, asksCourse: true },
    );
    expect(errorsOf(gap)['part-1-start']).toMatch(/does not exist in the UK/);
  });

  it('keeps booking inside its window: closing after opening and by the start', () => {
    const read = (extra: Record<string, unknown>) =>
      errorsOf(readForm(form(extra), { now: NOW, asksCourse: true }));
    expect(
      read({
        bookingOpensDate: '2026-03-01',
        bookingOpensTime: '09:00',
        bookingClosesDate: '2026-02-01',
        bookingClosesTime: '09:00',
      }).bookingClosesDate,
    ).toMatch(/must close after it opens/);
    expect(read({ bookingClosesDate: '2026-03-10', bookingClosesTime: '10:00' }).bookingClosesDate).toMatch(
      /must close by the time the session starts \(9:30am on Tuesday 10 March 2026\)/,
    );
    expect(read({ bookingOpensDate: '2026-03-11', bookingOpensTime: '09:00' }).bookingOpensDate).toMatch(
      /must open before the session starts/,
    );
    expect(read({ bookingOpensDate: '2026-03-01' })).toEqual({
      bookingOpensTime: 'Enter the time booking opens, like 9am',
    });
  });

  it('refuses ids that are not ids', () => {
    const errors = errorsOf(
      readForm(form({ courseId: '1; drop table', venueId: '0', trainerIds: ['x'] }), {
        now: NOW,
        asksCourse: true,
      }),
    );
    expect(Object.keys(errors).sort()).toEqual(['courseId', 'trainerIds', 'venueId']);
  });
});

describe('dates and times as typed', () => {
  it.each([
    ['2026-03-27', '2026-03-27'],
    ['27/3/2026', '2026-03-27'],
    ['27.03.2026', '2026-03-27'],
    ['2026-02-31', null],
    ['31/02/2026', null],
    ['2026-13-01', null],
    ['tomorrow', null],
  ])('date %j → %j', (typed, expected) => expect(parseDate(typed)).toBe(expected));

  it('writes an instant as the form shows it, in London time', () => {
    expect(londonClockTime(new Date('2026-06-15T08:30:00Z'))).toBe('09:30');
    expect(londonClockTime(new Date('2026-01-15T13:05:00Z'))).toBe('13:05');
  });

  it('counts the part rows posted, up to a limit', () => {
    expect(postedPartRows({ 'parts[0][day]': '', 'parts[5][end]': '' })).toBe(6);
    expect(postedPartRows({ 'parts[99][year]': '' })).toBe(20);
  });
});
