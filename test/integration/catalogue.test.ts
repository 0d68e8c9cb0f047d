import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { londonToInstant, monthKeyOf } from '../../src/domain/time/time.js';
import { ProgrammeRecords } from '../../src/data/repositories/programmeRecords.js';
import { demoProgramme } from '../../src/demo/programme.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';

/** The sessions listed on a catalogue page: their ids, in order. */
function listedSessionIds(html: string): number[] {
  return parsePage(html)
    .links('#results .trellis-session-card__title a')
    .map((link) => Number(link.href.replace('/sessions/', '')));
}

/** A session link reads "Course title, Monday 2 March 2026". */
function withoutDate(linkText: string): string {
  return linkText.replace(/, \w+day \d+ \w+ \d{4}$/, '');
}

eachDatabase('catalogue', (dialect) => {
  let t: TestApp;
  let upcoming: { id: number; starts_at: string; format: string; course_id: number }[];

  beforeAll(async () => {
    t = await createTestApp(dialect);
    upcoming = await t.database.db
      .selectFrom('sessions')
      .where('starts_at', '>=', TEST_NOW)
      .select(['id', 'starts_at', 'format', 'course_id'])
      .orderBy('starts_at')
      .orderBy('id')
      .execute();
  });
  afterAll(() => t.close());

  const get = (query: string) => t.app.inject(`/courses${query}`);

  it('lists upcoming sessions soonest first, twenty to a page', async () => {
    const response = await get('');
    expect(response.statusCode).toBe(200);
    const page = parsePage(response.body);
    expect(page.h1()).toBe('Courses');
    expect(page.text('#results h2')).toBe(`${upcoming.length} upcoming sessions`);
    expect(listedSessionIds(response.body)).toEqual(upcoming.slice(0, 20).map((s) => s.id));

    const second = await get('?page=2');
    expect(listedSessionIds(second.body)).toEqual(upcoming.slice(20, 40).map((s) => s.id));
    expect(
      parsePage(second.body)
        .links('.govuk-pagination a')
        .map((l) => l.href),
    ).toContain('/courses');
  });

  it('never lists past sessions', async () => {
    const past = await t.database.db
      .selectFrom('sessions')
      .where('starts_at', '<', TEST_NOW)
      .select('id')
      .execute();
    expect(past.length).toBeGreaterThan(0);
    const all = [
      ...listedSessionIds((await get('')).body),
      ...listedSessionIds((await get('?page=2')).body),
      ...listedSessionIds((await get('?page=3')).body),
    ];
    for (const { id } of past) expect(all).not.toContain(id);
  });

  it('finds sessions by words in the title, description, trainer or town, whatever the case', async () => {
    const seed = listedSessionIds((await get('?q=CO-PRODUCTION')).body);
    const seedCourse = await t.database.db
      .selectFrom('courses')
      .where('slug', '=', 'trauma-informed-co-production')
      .select('id')
      .executeTakeFirstOrThrow();
    const seedUpcoming = upcoming.filter((s) => s.course_id === seedCourse.id).map((s) => s.id);
    expect(seed).toEqual(expect.arrayContaining(seedUpcoming));

    const byTrainer = listedSessionIds((await get('?q=lisa+cherry')).body);
    expect(byTrainer).toEqual(seedUpcoming);

    const byTown = parsePage((await get('?q=banbury')).body);
    expect(byTown.listItems('#results .trellis-session-card').length).toBeGreaterThan(0);
    for (const card of byTown.listItems('#results .trellis-session-card')) expect(card).toMatch(/Banbury/);
  });

  it('takes LIKE wildcards in a search literally', async () => {
    const response = await get('?q=%25');
    expect(response.statusCode).toBe(200);
    expect(parsePage(response.body).text('#results h2')).toBe('No sessions found');
    expect(listedSessionIds((await get('?q=_')).body)).toEqual([]);
  });

  it('filters by month in London time', async () => {
    const month = monthKeyOf(new Date(upcoming[10]!.starts_at));
    const expected = upcoming.filter((s) => monthKeyOf(new Date(s.starts_at)) === month).map((s) => s.id);
    const ids = listedSessionIds((await get(`?month=${month}`)).body);
    expect(ids).toEqual(expected.slice(0, 20));
    expect(ids.length).toBeGreaterThan(0);
  });

  it('puts a session just after midnight on the 1st in that month, across British Summer Time', async () => {
    const course = await t.database.db.selectFrom('courses').select('id').executeTakeFirstOrThrow();
    // 00:30 on 1 July in London is 23:30 on 30 June in UTC.
    const id = await new ProgrammeRecords(t.database.db).createSession(
      {
        courseId: course.id,
        format: 'online',
        venueId: null,
        onlineJoiningUrl: null,
        capacity: 10,
        parts: [
          {
            startsAt: londonToInstant('2026-07-01', '00:30'),
            endsAt: londonToInstant('2026-07-01', '01:30'),
          },
        ],
        trainerIds: [],
        notes: '',
        bookingOpensAt: null,
        bookingClosesAt: null,
      },
      new Date(TEST_NOW),
    );
    expect(listedSessionIds((await get('?month=2026-07&format=online')).body)).toContain(id);
    expect(listedSessionIds((await get('?month=2026-06&format=online')).body)).not.toContain(id);
    await t.database.db.deleteFrom('sessions').where('id', '=', id).execute();
  });

  it('filters by topic, audience, level, format and venue', async () => {
    const topic = demoProgramme.topics[0]!.slug;
    const withTopic = demoProgramme.courses.filter((c) => c.topics.includes(topic)).map((c) => c.title);
    const topicPage = parsePage((await get(`?topic=${topic}`)).body);
    const titles = topicPage.links('#results .trellis-session-card__title a').map((l) => withoutDate(l.text));
    expect(titles.length).toBeGreaterThan(0);
    for (const title of titles) expect(withTopic).toContain(title);

    const audience = demoProgramme.audiences[1]!.slug;
    const forAudience = demoProgramme.courses
      .filter((c) => c.audiences.includes(audience))
      .map((c) => c.title);
    for (const link of parsePage((await get(`?audience=${audience}`)).body).links(
      '#results .trellis-session-card__title a',
    )) {
      expect(forAudience).toContain(withoutDate(link.text));
    }

    const foundation = parsePage((await get('?level=foundation')).body);
    expect(foundation.listItems('#results .trellis-session-card').length).toBeGreaterThan(0);
    for (const card of foundation.listItems('#results .trellis-session-card'))
      expect(card).toContain('LevelFoundation');

    const online = listedSessionIds((await get('?format=online')).body);
    const onlineOrHybrid = upcoming.filter((s) => s.format !== 'in_person').map((s) => s.id);
    expect(online).toEqual(onlineOrHybrid.slice(0, 20));

    const inPerson = listedSessionIds((await get('?format=in_person')).body);
    expect(inPerson).toEqual(
      upcoming
        .filter((s) => s.format !== 'online')
        .map((s) => s.id)
        .slice(0, 20),
    );

    const venuePage = parsePage((await get('?venue=westgate-collaboration-space')).body);
    for (const card of venuePage.listItems('#results .trellis-session-card'))
      expect(card).toContain('Westgate Collaboration Space, Oxford');
  });

  it('shows only sessions with places when asked, and says when a session is full', async () => {
    const all = parsePage((await get('?level=&places=')).body);
    expect(all.text('#results')).toContain('Fully booked');
    const pages = await Promise.all([1, 2, 3].map((p) => get(`?places=1&page=${p}`)));
    for (const response of pages)
      expect(parsePage(response.body).text('#results')).not.toContain('Fully booked');
    const fullCard = all
      .listItems('#results .trellis-session-card')
      .find((card) => card.includes('Fully booked'));
    expect(fullCard).toContain('Join the waiting list');
  });

  it('combines filters and says when nothing matches', async () => {
    const response = await get('?q=nothing-like-this-exists');
    const page = parsePage(response.body);
    expect(page.text('#results h2')).toBe('No sessions found');
    expect(page.links('#results a')).toContainEqual({
      text: 'clear your search and filters',
      href: '/courses',
    });
  });

  describe('bad input', () => {
    it.each([
      ['?month=2026-13', 'month', 'Choose a month from the list'],
      ['?month=March', 'month', 'Choose a month from the list'],
      ['?page=-1', 'page', 'The page number must be a whole number'],
      ['?page=abc', 'page', 'The page number must be a whole number'],
      ['?page=99999999', 'page', 'There are not that many pages'],
      ['?level=expert', 'level', 'Choose a level from the list'],
      ['?format=carrier-pigeon', 'format', 'Choose in person or online'],
      ['?topic=%3Cscript%3E', 'topic', 'Choose a topic from the list'],
      ['?month=2026-01&month=2026-02', 'month', 'Choose only one month'],
      [`?q=${'a'.repeat(10_000)}`, 'q', 'Search words must be 200 characters or fewer'],
    ])(
      '%s gives a 400 page that says what to change and still shows sessions',
      async (query, field, message) => {
        const response = await get(query);
        expect(response.statusCode).toBe(400);
        const page = parsePage(response.body);
        expect(page.document.title).toMatch(/^Error: /);
        const summary = page.links('.govuk-error-summary a');
        expect(summary[0]?.text).toContain(message);
        expect(summary[0]?.href).toBe(field === 'page' ? '#results' : `#${field}`);
        if (field !== 'page') expect(page.text(`#${field}-error`)).toContain(message);
        expect(listedSessionIds(response.body)).toEqual(upcoming.slice(0, 20).map((s) => s.id));
        expect(response.body).not.toContain('<script>');
      },
    );

    it('ignores unknown parameters and a page past the end', async () => {
      expect((await get('?utm_source=newsletter')).statusCode).toBe(200);
      const beyond = await get('?page=50');
      expect(beyond.statusCode).toBe(200);
      expect(listedSessionIds(beyond.body)).toEqual([]);
    });

    it('keeps what was typed in the search box, escaped', async () => {
      const response = await get('?q=%22%3E%3Cb%3Ebold');
      const input = parsePage(response.body).document.querySelector('input#q');
      expect(input?.getAttribute('value')).toBe('"><b>bold');
      expect(response.body).not.toContain('<b>bold');
    });
  });
});
