/**
 * Sessions in the back office, as a coordinator uses them: the list and its
 * filter, a session's page, scheduling one (and every way the form refuses
 * bad input), changing one (capacity rules, emails with an updated calendar
 * file) and cancelling one (everyone told, with the reason and other dates).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import type { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';

const NO_NEEDS = { accessNeeds: null, dietaryNeeds: null, consent: false };

let delegateCount = 0;

/**
 * The form as posted, with dates written here as YYYY-MM-DD (`parts[0][date]`,
 * `bookingOpensDate`) put into the day, month and year boxes the form has.
 */
function boxes(fields: Record<string, string>): Record<string, string> {
  const posted: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    const part = /^parts\[(\d+)\]\[date\]$/.exec(key);
    const moment = /^(booking(?:Opens|Closes))Date$/.exec(key);
    if (part || moment) {
      const [year = '', month = '', day = ''] = value ? value.split('-') : [];
      const name = (box: string) => (part ? `parts[${part[1]}][${box}]` : `${moment![1]}Date-${box}`);
      Object.assign(posted, { [name('day')]: day, [name('month')]: month, [name('year')]: year });
    } else posted[key] = value;
  }
  return posted;
}

/** A form as the new-session page would send it, with one part unless told otherwise. */
function sessionForm(courseId: number, venueId: number, overrides: Record<string, string> = {}) {
  return boxes({
    courseId: String(courseId),
    format: 'in_person',
    venueId: String(venueId),
    onlineJoiningUrl: '',
    capacity: '2',
    'parts[0][date]': '2026-03-10',
    'parts[0][start]': '09:30',
    'parts[0][end]': '12:30',
    'parts[1][date]': '',
    'parts[1][start]': '',
    'parts[1][end]': '',
    'parts[2][date]': '',
    'parts[2][start]': '',
    'parts[2][end]': '',
    'parts[3][date]': '',
    'parts[3][start]': '',
    'parts[3][end]': '',
    bookingOpensDate: '',
    bookingOpensTime: '',
    bookingClosesDate: '',
    bookingClosesTime: '',
    notes: '',
    ...overrides,
  });
}

eachDatabase('back office: sessions', (dialect) => {
  let t: TestApp;
  let coordinator: WebClient;
  let course: { id: number; title: string; slug: string };
  let venue: { id: number; name: string };
  let trainer: { id: number; name: string };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    coordinator = await signedInStaff(t, 'coordinator');
    const db = t.database.db;
    course = await db
      .selectFrom('courses')
      .where('slug', '=', 'trauma-informed-co-production')
      .select(['id', 'title', 'slug'])
      .executeTakeFirstOrThrow();
    venue = await db.selectFrom('venues').select(['id', 'name']).orderBy('id').executeTakeFirstOrThrow();
    trainer = await db
      .selectFrom('trainers')
      .where('slug', '=', 'lisa-cherry')
      .select(['id', 'name'])
      .executeTakeFirstOrThrow();
  });
  afterAll(() => t.close());

  const sessionCount = async () =>
    Number(
      (
        await t.database.db
          .selectFrom('sessions')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  async function newDelegate(): Promise<number> {
    delegateCount += 1;
    return new DemoRepository(t.database.db).createDelegate(
      {
        name: `Delegate ${delegateCount}`,
        email: `delegate.${delegateCount}.${dialect}@example.org.uk`,
        organisationId: null,
        jobRole: 'Social worker',
        lineManagerName: 'Manager',
        lineManagerEmail: 'manager@example.org.uk',
      },
      new Date(TEST_NOW),
    );
  }

  /** Schedules a session through the form and returns its id. */
  async function schedule(overrides: Record<string, string> = {}): Promise<number> {
    const response = await coordinator.submit(
      '/admin/sessions/new',
      sessionForm(course.id, venue.id, overrides),
    );
    expect(response.statusCode, response.body.slice(0, 500)).toBe(303);
    const match = /^\/admin\/sessions\/(\d+)\?done=scheduled$/.exec(response.headers.location as string);
    expect(match).not.toBeNull();
    return Number(match![1]);
  }

  /** Everything the session's edit form holds now, as a browser would send it, with `overrides`. */
  async function change(sessionId: number, overrides: Record<string, string>) {
    const { document } = parsePage((await coordinator.get(`/admin/sessions/${sessionId}/edit`)).body);
    const form = document.querySelector(`form[action="/admin/sessions/${sessionId}/edit"]`)!;
    const fields: Record<string, string> = {};
    for (const input of form.querySelectorAll('input[name]')) {
      const type = input.getAttribute('type');
      if ((type === 'radio' || type === 'checkbox') && !input.hasAttribute('checked')) continue;
      fields[input.getAttribute('name')!] = input.getAttribute('value') ?? '';
    }
    for (const select of form.querySelectorAll('select[name]')) {
      fields[select.getAttribute('name')!] =
        select.querySelector('option[selected]')?.getAttribute('value') ?? '';
    }
    for (const area of form.querySelectorAll('textarea[name]'))
      fields[area.getAttribute('name')!] = area.textContent ?? '';
    return coordinator.post(`/admin/sessions/${sessionId}/edit`, { ...fields, ...boxes(overrides) });
  }

  const outbox = (sessionBookingIds: number[], kind: string) =>
    t.database.db
      .selectFrom('outbox_messages')
      .where('kind', '=', kind)
      .where('booking_id', 'in', sessionBookingIds.length ? sessionBookingIds : [-1])
      .selectAll()
      .orderBy('id')
      .execute();

  const bookingsOf = (sessionId: number) =>
    t.database.db
      .selectFrom('bookings')
      .where('session_id', '=', sessionId)
      .select(['id', 'state', 'cancelled_by', 'cancellation_reason'])
      .orderBy('id')
      .execute();

  const auditOf = (action: string, entityId: number) =>
    t.database.db
      .selectFrom('audit_log')
      .where('action', '=', action)
      .where('entity_id', '=', entityId)
      .selectAll()
      .execute();

  describe('the list', () => {
    it('shows upcoming sessions soonest first, with places, offers and waiting lists', async () => {
      const response = await coordinator.get('/admin/sessions');
      expect(response.statusCode).toBe(200);
      const page = parsePage(response.body);
      expect(page.h1()).toBe('Sessions');
      const rows = page.document.querySelectorAll('main table tbody tr');
      expect(rows.length).toBeGreaterThan(5);
      const ids = [...page.document.querySelectorAll('main table tbody tr td:first-child a')].map((a) =>
        Number(/\/admin\/sessions\/(\d+)$/.exec(a.getAttribute('href') ?? '')?.[1]),
      );
      const starts = await t.database.db
        .selectFrom('sessions')
        .where('id', 'in', ids)
        .select(['id', 'starts_at'])
        .execute();
      const order = ids.map((id) => starts.find((s) => s.id === id)!.starts_at);
      expect(order).toEqual([...order].sort());
      expect(order.every((start) => start > TEST_NOW)).toBe(true);
      expect(page.text('main table')).toMatch(/\d+ of \d+/);
      expect(page.listItems('main table thead th')).toEqual(['Session', 'Places']);
      expect(page.listItems('main table tbody tr td:nth-child(2)')[0]).toMatch(
        /^\d+ of \d+ booked\s?\d+ offers? open\s?\d+ waiting$/,
      );
    });

    it('filters by course, words, venue, dates and state, and says what could not be used', async () => {
      const byCourse = parsePage((await coordinator.get(`/admin/sessions?course=${course.id}`)).body);
      const titles = byCourse.listItems('main table tbody tr td:first-child a');
      expect(titles.length).toBeGreaterThan(0);
      for (const title of titles) expect(title).toContain(course.title);

      const byWords = parsePage((await coordinator.get('/admin/sessions?words=TRAUMA%20informed')).body);
      for (const title of byWords.listItems('main table tbody tr td:first-child a'))
        expect(title).toContain('Trauma Informed');

      const nothing = parsePage((await coordinator.get('/admin/sessions?words=zzzqqq')).body);
      expect(nothing.text()).toContain('0 sessions');
      expect(nothing.text()).toContain('No sessions match this filter');

      const online = parsePage((await coordinator.get('/admin/sessions?venue=online&state=all')).body);
      const onlineRows = online.listItems('main table tbody tr td:first-child');
      expect(onlineRows.length).toBeGreaterThan(0);
      for (const row of onlineRows) expect(row).toMatch(/(am|pm|midday)\s?Online/);

      const march = parsePage((await coordinator.get('/admin/sessions?from=2026-03-01&to=2026-03-31')).body);
      for (const row of march.listItems('main table tbody tr td:first-child'))
        expect(row).toMatch(/Mar 2026/);

      const bad = await coordinator.get('/admin/sessions?from=2026-02-31&course=abc&state=soon');
      expect(bad.statusCode).toBe(400);
      const badPage = parsePage(bad.body);
      expect(
        badPage
          .links('.govuk-error-summary a')
          .map((l) => l.href)
          .sort(),
      ).toEqual(['#course', '#from', '#state']);
      expect(badPage.document.querySelector('input#from')?.getAttribute('value')).toBe('2026-02-31');

      const backwards = await coordinator.get('/admin/sessions?from=2026-03-31&to=2026-03-01');
      expect(backwards.statusCode).toBe(400);
      expect(parsePage(backwards.body).text('.govuk-error-summary')).toContain(
        'The last date must be the same as or after the first date',
      );
    });

    it('pages through every session, 50 a page', async () => {
      const first = parsePage((await coordinator.get('/admin/sessions?state=all')).body);
      const total = Number(/(\d+) sessions/.exec(first.text())?.[1]);
      expect(first.document.querySelectorAll('main table tbody tr').length).toBe(Math.min(50, total));
      if (total > 50) {
        const next = first.document.querySelector('.govuk-pagination__next a')?.getAttribute('href');
        expect(next).toBe('/admin/sessions?state=all&page=2');
        const second = parsePage((await coordinator.get(next!)).body);
        expect(second.document.querySelectorAll('main table tbody tr').length).toBe(Math.min(50, total - 50));
      }
    });

    it('shows a trainer only their own sessions, whatever the filter asks', async () => {
      const lisa = await signedInStaff(t, 'trainer', 'lisa-cherry');
      const own = parsePage((await lisa.get('/admin/sessions?state=all')).body);
      expect(own.h1()).toBe('Your sessions');
      const rows = own.listItems('main table tbody tr');
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row).toContain(trainer.name);
      const other = await t.database.db
        .selectFrom('trainers')
        .where('id', '!=', trainer.id)
        .select('id')
        .executeTakeFirstOrThrow();
      const widened = parsePage((await lisa.get(`/admin/sessions?state=all&trainer=${other.id}`)).body);
      for (const row of widened.listItems('main table tbody tr')) expect(row).toContain(trainer.name);
      expect(own.document.querySelector('select#trainer')).toBeNull();
      expect(own.text()).not.toContain('Schedule a session');
    });
  });

  describe('scheduling', () => {
    it('schedules a session with two parts, in person and online, with trainers, audited', async () => {
      const form = parsePage((await coordinator.get(`/admin/sessions/new?courseId=${course.id}`)).body);
      expect(form.h1()).toBe('Schedule a session');
      expect(
        form.document.querySelector(`select#courseId option[value="${course.id}"]`)?.hasAttribute('selected'),
      ).toBe(true);
      // Four rows of date and times without JavaScript: GOV.UK date inputs, times typed as text.
      expect(form.document.querySelectorAll('input[name^="parts["][name$="[day]"]').length).toBe(4);
      expect(form.document.querySelectorAll('main input[type="date"], main input[type="time"]')).toHaveLength(
        0,
      );
      for (const box of ['day', 'month', 'year']) {
        expect(form.document.querySelector(`label[for="part-1-date-${box}"]`)).not.toBeNull();
      }
      expect(form.document.querySelector('input#part-1-start')?.getAttribute('type')).toBe('text');

      const id = await schedule({
        format: 'hybrid',
        onlineJoiningUrl: 'https://meet.example.com/abc',
        capacity: '24',
        'parts[0][date]': '2026-03-10',
        'parts[0][start]': '09:30',
        'parts[0][end]': '12:30',
        // A blank row in between is ignored.
        'parts[2][date]': '2026-03-11',
        'parts[2][start]': '9.30am',
        'parts[2][end]': '12:30',
        bookingClosesDate: '2026-03-09',
        bookingClosesTime: '17:00',
        trainerIds: String(trainer.id),
        notes: 'Bring a **packed lunch**.',
      });
      const row = await t.database.db
        .selectFrom('sessions')
        .where('id', '=', id)
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(row.starts_at).toBe('2026-03-10T09:30:00.000Z');
      expect(row.ends_at).toBe('2026-03-11T12:30:00.000Z');
      expect(row.format).toBe('hybrid');
      expect(row.capacity).toBe(24);
      expect(row.booking_opens_at).toBeNull();
      expect(row.booking_closes_at).toBe('2026-03-09T17:00:00.000Z');
      const parts = await t.database.db
        .selectFrom('session_parts')
        .where('session_id', '=', id)
        .select(['position', 'starts_at', 'ends_at'])
        .orderBy('position')
        .execute();
      expect(parts).toEqual([
        { position: 0, starts_at: '2026-03-10T09:30:00.000Z', ends_at: '2026-03-10T12:30:00.000Z' },
        { position: 1, starts_at: '2026-03-11T09:30:00.000Z', ends_at: '2026-03-11T12:30:00.000Z' },
      ]);
      const [audit] = await auditOf('session_scheduled', id);
      expect(audit?.actor_type).toBe('staff');
      expect(JSON.parse(audit!.details)).toMatchObject({
        courseId: course.id,
        capacity: 24,
        onlineJoiningLink: '(a link)',
      });

      const page = parsePage((await coordinator.get(`/admin/sessions/${id}?done=scheduled`)).body);
      expect(page.text('.govuk-notification-banner')).toContain('Session scheduled');
      expect(page.h1()).toBe(course.title);
      const text = page.text();
      expect(text).toMatch(/Part 1 Tuesday 10 March 2026\s*9:30am to 12:30pm/);
      expect(text).toMatch(/Part 2 Wednesday 11 March 2026\s*9:30am to 12:30pm/);
      expect(text).toContain('In person or online');
      expect(text).toContain('https://meet.example.com/abc');
      expect(text).toContain(trainer.name);
      expect(text).toContain('5pm on Monday 9 March 2026');
      expect([...page.document.querySelectorAll('main p strong')].map((el) => el.textContent)).toContain(
        'packed lunch',
      );
      const links = page.links().map((l) => l.href);
      expect(links).toContain(`/admin/sessions/${id}/bookings`);
      expect(links).toContain(`/admin/sessions/${id}/register`);
      expect(links).toContain(`/admin/sessions/${id}/edit`);
      expect(links).toContain(`/admin/sessions/${id}/cancel`);

      // Summer time: 09:30 in London is 08:30 UTC.
      const summer = await schedule({ 'parts[0][date]': '2026-06-15' });
      const summerRow = await t.database.db
        .selectFrom('sessions')
        .where('id', '=', summer)
        .select('starts_at')
        .executeTakeFirstOrThrow();
      expect(summerRow.starts_at).toBe('2026-06-15T08:30:00.000Z');
    });

    it('reads dates from the three boxes and times as people say them', async () => {
      const id = await schedule({
        'parts[0][day]': '10',
        'parts[0][month]': 'March',
        'parts[0][year]': '2026',
        'parts[0][start]': '9.30am',
        'parts[0][end]': '2:00 pm',
        'bookingOpensDate-day': '2',
        'bookingOpensDate-month': '3',
        'bookingOpensDate-year': '2026',
        bookingOpensTime: 'noon',
      });
      const row = await t.database.db
        .selectFrom('sessions')
        .where('id', '=', id)
        .select(['starts_at', 'ends_at', 'booking_opens_at'])
        .executeTakeFirstOrThrow();
      expect(row).toEqual({
        starts_at: '2026-03-10T09:30:00.000Z',
        ends_at: '2026-03-10T14:00:00.000Z',
        booking_opens_at: '2026-03-02T12:00:00.000Z',
      });
      const form = parsePage((await coordinator.get(`/admin/sessions/${id}/edit`)).body);
      const value = (name: string) =>
        form.document.querySelector(`input[name="${name}"]`)?.getAttribute('value');
      expect(value('bookingOpensTime')).toBe('midday');
      expect(value('parts[0][end]')).toBe('2pm');
      expect(['day', 'month', 'year'].map((box) => value(`bookingOpensDate-${box}`))).toEqual([
        '2',
        '3',
        '2026',
      ]);
    });

    const refusals: {
      name: string;
      fields: Record<string, string>;
      field: string;
      message: string | RegExp;
    }[] = [
      {
        name: 'an end time before the start',
        fields: { 'parts[0][end]': '09:00' },
        field: 'part-1-end',
        message: 'Part 1 must end after it starts: enter an end time later than 9:30am',
      },
      {
        name: 'an end time equal to the start',
        fields: { 'parts[0][end]': '09:30' },
        field: 'part-1-end',
        message: /must end after it starts/,
      },
      {
        name: 'capacity 0',
        fields: { capacity: '0' },
        field: 'capacity',
        message: 'The capacity must be at least 1',
      },
      {
        name: 'a negative capacity',
        fields: { capacity: '-4' },
        field: 'capacity',
        message: 'The capacity must be at least 1',
      },
      {
        name: 'capacity 10 000 000',
        fields: { capacity: '10000000' },
        field: 'capacity',
        message: 'The capacity must be 500 or fewer',
      },
      {
        name: 'a capacity that is not a number',
        fields: { capacity: 'twelve' },
        field: 'capacity',
        message: 'Enter the capacity as a whole number, like 24',
      },
      {
        name: 'parts out of order',
        fields: {
          'parts[0][date]': '2026-03-12',
          'parts[1][date]': '2026-03-10',
          'parts[1][start]': '09:30',
          'parts[1][end]': '12:30',
        },
        field: 'part-2-date-day',
        message: 'Part 2 is before part 1: list the parts in date order',
      },
      {
        name: 'overlapping parts',
        fields: { 'parts[1][date]': '2026-03-10', 'parts[1][start]': '11:00', 'parts[1][end]': '15:00' },
        field: 'part-2-start',
        message:
          /Part 2 overlaps part 1: it must start after part 1 ends \(12:30pm on Tuesday 10 March 2026\)/,
      },
      {
        name: 'a part in the past',
        fields: { 'parts[0][date]': '2026-01-05' },
        field: 'part-1-date-day',
        message: /Part 1 would start in the past/,
      },
      {
        name: '31 February',
        fields: { 'parts[0][date]': '2026-02-31' },
        field: 'part-1-date-day',
        message: 'The date of part 1 must be a real date',
      },
      {
        name: 'a date without its month',
        fields: { 'parts[0][month]': '' },
        field: 'part-1-date-month',
        message: 'The date of part 1 must include a month',
      },
      {
        name: 'a two-number year',
        fields: { 'parts[0][year]': '26' },
        field: 'part-1-date-year',
        message: 'The date of part 1 must include a year with 4 numbers, like 2026',
      },
      {
        name: '25:00',
        fields: { 'parts[0][start]': '25:00' },
        field: 'part-1-start',
        message: 'Enter the time part 1 starts as a real time, like 9:30am or 14:00',
      },
      {
        name: '13pm',
        fields: { 'parts[0][end]': '13pm' },
        field: 'part-1-end',
        message: 'Enter the time part 1 ends as a real time, like 9:30am or 14:00',
      },
      {
        name: 'a bare hour, morning or evening',
        fields: { 'parts[0][start]': '9' },
        field: 'part-1-start',
        message: 'Enter the time part 1 starts with am or pm, like 9am or 9pm',
      },
      {
        name: 'a time the spring clock change skips',
        fields: { 'parts[0][date]': '2026-03-29', 'parts[0][start]': '01:30', 'parts[0][end]': '04:00' },
        field: 'part-1-start',
        message:
          '1:30am on Sunday 29 March 2026 does not exist in the UK: clocks go forward from 1am to 2am. Choose another time',
      },
      {
        name: 'a time the autumn clock change repeats',
        fields: { 'parts[0][date]': '2026-10-25', 'parts[0][start]': '01:30', 'parts[0][end]': '04:00' },
        field: 'part-1-start',
        message:
          '1:30am on Sunday 25 October 2026 happens twice in the UK: clocks go back from 2am to 1am. Choose another time',
      },
      {
        name: 'booking closing before it opens',
        fields: {
          bookingOpensDate: '2026-02-10',
          bookingOpensTime: '09:00',
          bookingClosesDate: '2026-02-01',
          bookingClosesTime: '09:00',
        },
        field: 'bookingClosesDate-day',
        message: 'Booking must close after it opens: change when it opens or closes',
      },
      {
        name: 'booking closing after the session starts',
        fields: { bookingClosesDate: '2026-03-11', bookingClosesTime: '09:00' },
        field: 'bookingClosesDate-day',
        message: /Booking must close by the time the session starts \(9:30am on Tuesday 10 March 2026\)/,
      },
      {
        name: 'online without a link',
        fields: { format: 'online', venueId: '' },
        field: 'onlineJoiningUrl',
        message: 'Enter the online joining link: an online session needs one',
      },
      {
        name: 'a joining link that is not https',
        fields: { format: 'online', onlineJoiningUrl: 'javascript:alert(1)' },
        field: 'onlineJoiningUrl',
        message: /starting https:\/\//,
      },
      {
        name: 'in person without a venue',
        fields: { venueId: '' },
        field: 'venueId',
        message: 'Choose the venue, or choose online if the session has no venue',
      },
      {
        name: 'no parts at all',
        fields: { 'parts[0][date]': '', 'parts[0][start]': '', 'parts[0][end]': '' },
        field: 'part-1-date-day',
        message: /at least one part/,
      },
      {
        name: 'an unknown course',
        fields: { courseId: '999999' },
        field: 'courseId',
        message: /Choose a course from the list/,
      },
      {
        name: 'an unknown venue',
        fields: { venueId: '999999' },
        field: 'venueId',
        message: 'Choose a venue from the list',
      },
      {
        name: 'an unknown trainer',
        fields: { trainerIds: '999999' },
        field: 'trainerIds',
        message: 'Choose trainers from the list',
      },
    ];

    for (const refusal of refusals) {
      it(`refuses ${refusal.name} by the field, keeping what was typed and saving nothing`, async () => {
        const before = await sessionCount();
        const fields = sessionForm(course.id, venue.id, { capacity: '20', ...boxes(refusal.fields) });
        const response = await coordinator.submit('/admin/sessions/new', fields);
        expect(response.statusCode).toBe(400);
        const page = parsePage(response.body);
        const summary = page.links('.govuk-error-summary a');
        const entry = summary.find((link) => link.href === `#${refusal.field}`);
        expect(entry, JSON.stringify(summary)).toBeDefined();
        if (typeof refusal.message === 'string') expect(entry!.text).toBe(refusal.message);
        else expect(entry!.text).toMatch(refusal.message);
        // The message is by the field (a date's by its three boxes), and the field is there to link to.
        expect(page.document.getElementById(refusal.field)).not.toBeNull();
        const group = refusal.field.replace(/-(day|month|year)$/, '');
        expect(page.document.querySelector(`#${group}-error`)?.textContent).toContain(entry!.text);
        if (group !== refusal.field) {
          // Only the boxes the message is about are highlighted.
          const marked = [...page.document.querySelectorAll(`#${group} .govuk-input--error`)].map(
            (i) => i.id,
          );
          expect(marked).toContain(refusal.field);
          if (/must include a (month|year)/.test(entry!.text)) expect(marked).toEqual([refusal.field]);
        }
        // Everything typed is kept.
        for (const [name, value] of Object.entries(fields)) {
          if (['courseId', 'venueId', 'format', 'notes', 'trainerIds'].includes(name) || !value) continue;
          expect(page.document.querySelector(`input[name="${name}"]`)?.getAttribute('value'), name).toBe(
            value,
          );
        }
        expect(await sessionCount()).toBe(before);
      });
    }

    it('keeps the chosen course, format, venue and trainers when the form is refused', async () => {
      const response = await coordinator.submit(
        '/admin/sessions/new',
        sessionForm(course.id, venue.id, {
          capacity: '0',
          format: 'hybrid',
          trainerIds: String(trainer.id),
          notes: 'Kept',
        }),
      );
      expect(response.statusCode).toBe(400);
      const { document } = parsePage(response.body);
      expect(
        document.querySelector(`select#courseId option[value="${course.id}"]`)?.hasAttribute('selected'),
      ).toBe(true);
      expect(
        document.querySelector(`select#venueId option[value="${venue.id}"]`)?.hasAttribute('selected'),
      ).toBe(true);
      expect(document.querySelector('input[name="format"][value="hybrid"]')?.hasAttribute('checked')).toBe(
        true,
      );
      expect(
        document.querySelector(`input[name="trainerIds"][value="${trainer.id}"]`)?.hasAttribute('checked'),
      ).toBe(true);
      expect(document.querySelector('textarea#notes')?.textContent).toBe('Kept');
    });

    it('is only for those who run the programme', async () => {
      const viewer = await signedInStaff(t, 'viewer');
      expect((await viewer.get('/admin/sessions/new')).statusCode).toBe(404);
      const lisa = await signedInStaff(t, 'trainer', 'lisa-cherry');
      expect((await lisa.get('/admin/sessions/new')).statusCode).toBe(404);
    });
  });

  describe('a session’s page', () => {
    it('is read-only for a viewer, and a trainer sees only the sessions they teach', async () => {
      const taught = await schedule({ trainerIds: String(trainer.id) });
      const notTaught = await schedule();
      const viewer = await signedInStaff(t, 'viewer');
      const viewed = parsePage((await viewer.get(`/admin/sessions/${taught}`)).body);
      expect(viewed.h1()).toBe(course.title);
      expect(viewed.links().map((l) => l.href)).not.toContain(`/admin/sessions/${taught}/edit`);
      expect(viewed.text()).not.toContain('Cancel this session');

      const lisa = await signedInStaff(t, 'trainer', 'lisa-cherry');
      expect((await lisa.get(`/admin/sessions/${taught}`)).statusCode).toBe(200);
      expect((await lisa.get(`/admin/sessions/${notTaught}`)).statusCode).toBe(404);
      expect((await coordinator.get('/admin/sessions/999999')).statusCode).toBe(404);
      expect((await coordinator.get('/admin/sessions/abc')).statusCode).toBe(404);
    });
  });

  describe('changing a session', () => {
    it('refuses a capacity below the places held, and offers a raised one to the waiting list at once', async () => {
      const id = await schedule({ capacity: '2' });
      const [a, b, c] = [await newDelegate(), await newDelegate(), await newDelegate()];
      for (const delegate of [a, b, c]) await t.services.bookings.book(delegate, id, NO_NEEDS);
      expect((await bookingsOf(id)).map((x) => x.state)).toEqual(['confirmed', 'confirmed', 'waitlisted']);

      const form = parsePage((await coordinator.get(`/admin/sessions/${id}/edit`)).body);
      expect(form.h1()).toBe('Change this session');
      expect(form.document.querySelector('input#capacity')?.getAttribute('value')).toBe('2');
      // The date in its three boxes, and times as people say them.
      const value = (id: string) => form.document.querySelector(`input#${id}`)?.getAttribute('value');
      expect(['day', 'month', 'year'].map((box) => value(`part-1-date-${box}`))).toEqual(['10', '3', '2026']);
      expect(value('part-1-start')).toBe('9:30am');
      expect(value('part-1-end')).toBe('12:30pm');

      const raised = await change(id, { capacity: '3' });
      expect(raised.statusCode).toBe(303);
      expect(raised.headers.location).toBe(`/admin/sessions/${id}?done=changed`);
      const after = await bookingsOf(id);
      expect(after.map((x) => x.state)).toEqual(['confirmed', 'confirmed', 'offered']);
      expect(await outbox([after[2]!.id], 'place_offered')).toHaveLength(1);
      // Capacity alone is not news to delegates.
      expect(
        await outbox(
          after.map((x) => x.id),
          'session_changed',
        ),
      ).toHaveLength(0);
      const [audit] = await auditOf('session_changed', id);
      expect(JSON.parse(audit!.details)).toEqual({
        changed: ['capacity'],
        before: { capacity: 2 },
        after: { capacity: 3 },
      });

      const lowered = await change(id, { capacity: '2' });
      expect(lowered.statusCode).toBe(400);
      const page = parsePage(lowered.body);
      expect(page.document.querySelector('#capacity-error')?.textContent).toContain(
        '2 delegates have confirmed places and 1 has an offer open, so the capacity cannot be less than 3. Cancel or move bookings first.',
      );
      expect(page.document.querySelector('input#capacity')?.getAttribute('value')).toBe('2');
      const row = await t.database.db
        .selectFrom('sessions')
        .where('id', '=', id)
        .select('capacity')
        .executeTakeFirstOrThrow();
      expect(row.capacity).toBe(3);
    });

    it('emails everyone booked a new date and time: an updated calendar file to confirmed places, the notice to the rest', async () => {
      const id = await schedule({ capacity: '1' });
      const [a, b] = [await newDelegate(), await newDelegate()];
      await t.services.bookings.book(a, id, NO_NEEDS);
      await t.services.bookings.book(b, id, NO_NEEDS);
      const [confirmed, waiting] = await bookingsOf(id);
      const original = await t.database.db
        .selectFrom('sessions')
        .where('id', '=', id)
        .select('updated_at')
        .executeTakeFirstOrThrow();

      const changed = await change(id, {
        'parts[0][date]': '2026-03-17',
        'parts[0][start]': '10:00',
        'parts[0][end]': '13:00',
      });
      expect(changed.statusCode).toBe(303);
      expect(changed.headers.location).toBe(`/admin/sessions/${id}?done=changed&told=2`);
      expect(
        parsePage((await coordinator.get(changed.headers.location as string)).body).text(
          '.govuk-notification-banner',
        ),
      ).toContain('Changes saved. 2 delegates are being emailed what changed.');
      const session = await t.database.db
        .selectFrom('sessions')
        .where('id', '=', id)
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(session.starts_at).toBe('2026-03-17T10:00:00.000Z');
      expect(session.ends_at).toBe('2026-03-17T13:00:00.000Z');

      const [toConfirmed] = await outbox([confirmed!.id], 'session_changed');
      expect(toConfirmed!.text_body).toContain('WHAT HAS CHANGED');
      expect(toConfirmed!.text_body).toContain('Tuesday 10 March 2026, 9:30am to 12:30pm');
      expect(toConfirmed!.text_body).toContain('Tuesday 17 March 2026, 10am to 1pm');
      expect(toConfirmed!.subject).toBe(`Change to ${course.title}: now Tuesday 17 March 2026`);
      expect(toConfirmed!.html_body).toContain('What has changed');
      const attachments = JSON.parse(toConfirmed!.attachments) as { filename: string; content: string }[];
      expect(attachments).toHaveLength(1);
      const ics = attachments[0]!.content;
      expect(ics).toContain(`UID:session-${id}-part-1@training.example.org.uk`);
      expect(ics).toMatch(/DTSTART;TZID=Europe\/London:20260317T100000/);
      const sequence = Number(/SEQUENCE:(\d+)/.exec(ics)?.[1]);
      expect(sequence).toBeGreaterThan(Math.floor(Date.parse(original.updated_at) / 1000));

      const [toWaiting] = await outbox([waiting!.id], 'session_changed');
      expect(toWaiting!.text_body).toContain('the session you are on the waiting list for');
      expect(JSON.parse(toWaiting!.attachments)).toEqual([]);

      const [audit] = await auditOf('session_changed', id);
      const details = JSON.parse(audit!.details);
      expect(details.changed).toEqual(['parts']);
      expect(details.before.parts).toEqual([
        { startsAt: '2026-03-10T09:30:00.000Z', endsAt: '2026-03-10T12:30:00.000Z' },
      ]);
      expect(details.after.parts).toEqual([
        { startsAt: '2026-03-17T10:00:00.000Z', endsAt: '2026-03-17T13:00:00.000Z' },
      ]);

      // A second change, in the same second, still raises the calendar's sequence.
      const other = await t.database.db
        .selectFrom('venues')
        .where('id', '!=', venue.id)
        .select(['id', 'name'])
        .executeTakeFirstOrThrow();
      expect((await change(id, { venueId: String(other.id) })).statusCode).toBe(303);
      const moved = await outbox([confirmed!.id], 'session_changed');
      expect(moved).toHaveLength(2);
      expect(moved[1]!.text_body).toContain('Where');
      expect(moved[1]!.text_body).toContain(venue.name);
      expect(moved[1]!.text_body).toContain(other.name);
      const nextIcs = (JSON.parse(moved[1]!.attachments) as { content: string }[])[0]!.content;
      expect(Number(/SEQUENCE:(\d+)/.exec(nextIcs)?.[1])).toBeGreaterThan(sequence);
    });

    it('tells only confirmed places of a new joining link, and withdraws a removed part from calendars', async () => {
      const id = await schedule({
        format: 'online',
        venueId: '',
        onlineJoiningUrl: 'https://meet.example.com/old',
        capacity: '1',
        'parts[1][date]': '2026-03-11',
        'parts[1][start]': '09:30',
        'parts[1][end]': '12:30',
      });
      await t.services.bookings.book(await newDelegate(), id, NO_NEEDS);
      await t.services.bookings.book(await newDelegate(), id, NO_NEEDS);
      const [confirmed, waiting] = await bookingsOf(id);

      expect((await change(id, { onlineJoiningUrl: 'https://meet.example.com/new' })).statusCode).toBe(303);
      const [linkEmail] = await outbox([confirmed!.id], 'session_changed');
      expect(linkEmail!.text_body).toContain('Online joining link');
      expect(linkEmail!.text_body).toContain('https://meet.example.com/new');
      expect(await outbox([waiting!.id], 'session_changed')).toHaveLength(0);
      const [audit] = await auditOf('session_changed', id);
      // The link may carry a passcode: the log says it changed, not what it is.
      expect(JSON.parse(audit!.details)).toEqual({
        changed: ['onlineJoiningUrl'],
        before: { onlineJoiningUrl: '(a link)' },
        after: { onlineJoiningUrl: '(a link)' },
      });

      expect(
        (await change(id, { 'parts[1][date]': '', 'parts[1][start]': '', 'parts[1][end]': '' })).statusCode,
      ).toBe(303);
      const parts = await t.database.db
        .selectFrom('session_parts')
        .where('session_id', '=', id)
        .selectAll()
        .execute();
      expect(parts).toHaveLength(1);
      const emails = await outbox([confirmed!.id], 'session_changed');
      expect(emails).toHaveLength(2);
      const ics = (JSON.parse(emails[1]!.attachments) as { content: string }[])[0]!.content;
      const events = ics.split('BEGIN:VEVENT').slice(1);
      expect(events).toHaveLength(2);
      expect(events[1]).toContain(`UID:session-${id}-part-2@training.example.org.uk`);
      expect(events[1]).toContain('STATUS:CANCELLED');
      expect(events[0]).toContain('STATUS:CONFIRMED');
      expect(await outbox([waiting!.id], 'session_changed')).toHaveLength(1);
    });

    it('saves nothing when nothing changed, and refuses changes to a cancelled or finished session', async () => {
      const id = await schedule();
      const same = await change(id, {});
      expect(same.headers.location).toBe(`/admin/sessions/${id}?done=unchanged`);
      expect(await auditOf('session_changed', id)).toHaveLength(0);

      await coordinator.submit(`/admin/sessions/${id}/cancel`, { reason: 'venue' });
      expect((await coordinator.get(`/admin/sessions/${id}/edit`)).statusCode).toBe(409);

      const past = await t.database.db
        .selectFrom('sessions')
        .where('ends_at', '<', TEST_NOW)
        .where('cancelled_at', 'is', null)
        .select('id')
        .executeTakeFirst();
      if (past) {
        expect((await coordinator.get(`/admin/sessions/${past.id}/edit`)).statusCode).toBe(409);
        expect((await coordinator.get(`/admin/sessions/${past.id}/cancel`)).statusCode).toBe(409);
      }
    });
  });

  describe('cancelling a session', () => {
    it('cancels every live booking with the reason, tells each delegate with other dates, and audits it', async () => {
      const id = await schedule({ capacity: '2' });
      // Sooner than the demo's dates, so it is among the dates the email lists.
      const another = await schedule({ 'parts[0][date]': '2026-01-20' });
      const delegates = [await newDelegate(), await newDelegate(), await newDelegate(), await newDelegate()];
      for (const delegate of delegates) await t.services.bookings.book(delegate, id, NO_NEEDS);
      // Three places, so one offer: two confirmed, one offered, one waiting.
      await change(id, { capacity: '3' });
      expect((await bookingsOf(id)).map((b) => b.state)).toEqual([
        'confirmed',
        'confirmed',
        'offered',
        'waitlisted',
      ]);

      const confirm = parsePage((await coordinator.get(`/admin/sessions/${id}/cancel`)).body);
      expect(confirm.h1()).toBe('Cancel this session');
      const said = confirm.text();
      expect(said).toContain('2 delegates with a confirmed place are told');
      expect(said).toContain('1 delegate with an offer of a place is told');
      expect(said).toContain('1 delegate on the waiting list is told');

      const noReason = await coordinator.submit(`/admin/sessions/${id}/cancel`, {});
      expect(noReason.statusCode).toBe(400);
      expect(
        parsePage(noReason.body)
          .links('.govuk-error-summary a')
          .map((l) => l.href),
      ).toEqual(['#reason']);
      const otherWithoutWords = await coordinator.submit(`/admin/sessions/${id}/cancel`, { reason: 'other' });
      expect(otherWithoutWords.statusCode).toBe(400);
      expect(
        parsePage(otherWithoutWords.body)
          .links('.govuk-error-summary a')
          .map((l) => l.href),
      ).toEqual(['#reasonDetails']);
      expect((await bookingsOf(id)).every((b) => b.state !== 'cancelled')).toBe(true);

      const done = await coordinator.submit(`/admin/sessions/${id}/cancel`, {
        reason: 'trainer',
        reasonDetails: 'We will add a new date soon.',
      });
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe(`/admin/sessions/${id}?done=cancelled`);

      const session = await t.database.db
        .selectFrom('sessions')
        .where('id', '=', id)
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(session.cancelled_at).toBe(TEST_NOW);
      const reason = 'The trainer is unavailable.\n\nWe will add a new date soon.';
      expect(session.cancellation_reason).toBe(reason);
      const bookings = await bookingsOf(id);
      for (const booking of bookings) {
        expect(booking).toMatchObject({
          state: 'cancelled',
          cancelled_by: 'hub',
          cancellation_reason: reason,
        });
      }
      const emails = await outbox(
        bookings.map((b) => b.id),
        'session_cancelled',
      );
      expect(emails).toHaveLength(4);
      for (const email of emails) {
        expect(email.subject).toBe(`Cancelled: ${course.title}, Tuesday 10 March 2026`);
        expect(email.text_body).toContain('The trainer is unavailable.');
        expect(email.text_body).toContain('We will add a new date soon.');
        expect(email.text_body).toContain(`https://training.example.org.uk/sessions/${another}`);
        expect(email.html_body).toContain(`href="https://training.example.org.uk/sessions/${another}"`);
      }
      expect(emails[0]!.text_body).toContain('so your place has been cancelled too');
      expect(emails[3]!.text_body).toContain('so your place on the waiting list has been cancelled too');
      const calendar = JSON.parse(emails[0]!.attachments) as { content: string }[];
      expect(calendar[0]!.content).toContain('STATUS:CANCELLED');
      expect(JSON.parse(emails[3]!.attachments)).toEqual([]);

      const [sessionAudit] = await auditOf('session_cancelled', id);
      expect(JSON.parse(sessionAudit!.details)).toMatchObject({
        reason,
        bookingsCancelled: 4,
        confirmed: 2,
        offered: 1,
        waitlisted: 1,
      });
      for (const booking of bookings) {
        const [entry] = await t.database.db
          .selectFrom('audit_log')
          .where('action', '=', 'booking_cancelled')
          .where('entity_type', '=', 'booking')
          .where('entity_id', '=', booking.id)
          .selectAll()
          .execute();
        expect(entry?.actor_type).toBe('staff');
      }

      const page = parsePage((await coordinator.get(done.headers.location as string)).body);
      expect(page.text('.govuk-notification-banner')).toContain('Session cancelled');
      expect(page.text()).toContain('We will add a new date soon.');
      expect(page.text()).not.toContain('Change this session');

      // Twice: a friendly redirect, nothing more done.
      const again = await coordinator.post(`/admin/sessions/${id}/cancel`, {
        _csrf: parsePage((await coordinator.get(`/admin/sessions/${another}/cancel`)).body)
          .document.querySelector('input[name="_csrf"]')!
          .getAttribute('value')!,
        reason: 'bookings',
      });
      expect(again.statusCode).toBe(303);
      expect(again.headers.location).toBe(`/admin/sessions/${id}?done=already-cancelled`);
      expect((await coordinator.get(`/admin/sessions/${id}/cancel`)).headers.location).toBe(
        `/admin/sessions/${id}?done=already-cancelled`,
      );
      expect(await auditOf('session_cancelled', id)).toHaveLength(1);
      expect(
        await outbox(
          bookings.map((b) => b.id),
          'session_cancelled',
        ),
      ).toHaveLength(4);

      // It shows as cancelled in the list.
      const list = parsePage((await coordinator.get('/admin/sessions?state=cancelled')).body);
      expect(list.listItems('main table tbody tr').some((row) => row.includes('Cancelled'))).toBe(true);
    });

    it('links to the course page when no other date takes bookings', async () => {
      const lonely = await t.database.db
        .selectFrom('courses')
        .where('archived_at', 'is', null)
        .where('id', '!=', course.id)
        .select(['id', 'slug'])
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      await t.database.db
        .updateTable('sessions')
        .set({ cancelled_at: TEST_NOW, cancellation_reason: 'Tidying for the test' })
        .where('course_id', '=', lonely.id)
        .execute();
      const id = await schedule({ courseId: String(lonely.id) });
      const delegate = await newDelegate();
      await t.services.bookings.book(delegate, id, NO_NEEDS);
      await coordinator.submit(`/admin/sessions/${id}/cancel`, { reason: 'bookings' });
      const [booking] = await bookingsOf(id);
      const [email] = await outbox([booking!.id], 'session_cancelled');
      expect(email!.text_body).toContain('There are no other dates');
      expect(email!.text_body).toContain(`https://training.example.org.uk/courses/${lonely.slug}`);
    });
  });
});
