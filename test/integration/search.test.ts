/**
 * The catalogue's full-text search, through the public page: the hub's own
 * words however they are spelt, stems, topic, audience, trainer and venue
 * names, ranking, the index following every kind of edit, and input that
 * would be search syntax if it reached the database as typed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sessionSearch } from '../../src/data/migrations/010-session-search.js';
import { ProgrammeRecords } from '../../src/data/repositories/programmeRecords.js';
import { londonToInstant } from '../../src/domain/time/time.js';
import { loadDemo } from '../../src/demo/loadDemo.js';
import { demoProgramme } from '../../src/demo/programme.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import type { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';

const SEED_SLUG = 'trauma-informed-co-production';

/** The sessions a catalogue page lists: their ids, in order. */
function listedIds(html: string): number[] {
  return parsePage(html)
    .links('#results .trellis-session-card__title a')
    .map((link) => Number(link.href.replace('/sessions/', '')));
}

/** Sends the form on `url` back as a browser would, with some fields changed and the given topics ticked. */
async function submitChanged(
  client: WebClient,
  url: string,
  changes: Record<string, string>,
  ticked: Record<string, string[]> = {},
) {
  const form = parsePage((await client.get(url)).body).document.querySelector(`form[action="${url}"]`);
  if (!form) throw new Error(`No form on ${url}`);
  const params = new URLSearchParams();
  for (const field of form.querySelectorAll('input, textarea')) {
    const name = field.getAttribute('name');
    const type = field.getAttribute('type');
    if (!name || name in ticked) continue;
    if ((type === 'checkbox' || type === 'radio') && !field.hasAttribute('checked')) continue;
    const shown =
      field.tagName === 'TEXTAREA' ? (field.textContent ?? '') : (field.getAttribute('value') ?? '');
    params.append(name, changes[name] ?? unescapeHtml(shown));
  }
  for (const [name, values] of Object.entries(ticked)) for (const value of values) params.append(name, value);
  return client.post(url, params as unknown as Record<string, string>);
}

/** linkedom leaves attribute and textarea text escaped; a browser sends it as shown. */
function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

eachDatabase('catalogue search', (dialect) => {
  let t: TestApp;
  let seedCourseId: number;
  /** The seed course's upcoming sessions, soonest first. */
  let seedUpcoming: number[];

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const db = t.database.db;
    seedCourseId = (
      await db.selectFrom('courses').where('slug', '=', SEED_SLUG).select('id').executeTakeFirstOrThrow()
    ).id;
    seedUpcoming = await upcomingOf(seedCourseId);
  });
  afterAll(() => t.close());

  async function upcomingOf(courseId: number): Promise<number[]> {
    const rows = await t.database.db
      .selectFrom('sessions')
      .where('course_id', '=', courseId)
      .where('starts_at', '>=', TEST_NOW)
      .where('cancelled_at', 'is', null)
      .select('id')
      .orderBy('starts_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async function courseId(slug: string): Promise<number> {
    const row = await t.database.db
      .selectFrom('courses')
      .where('slug', '=', slug)
      .select('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Every session a search lists, over all its pages, in order. */
  async function search(q: string): Promise<number[]> {
    const ids: number[] = [];
    for (let page = 1; page < 20; page++) {
      const response = await t.app.inject(`/courses?q=${encodeURIComponent(q)}&page=${page}`);
      expect(response.statusCode).toBe(200);
      const listed = listedIds(response.body);
      ids.push(...listed);
      if (listed.length < 20) break;
    }
    return ids;
  }

  it.each([
    'trauma-informed',
    'trauma informed',
    'Trauma Informed',
    'coproduction',
    'co-production',
    'co production',
    // The seed course's topic "Safeguarding practice skills": the hub's own word, by its stem.
    'safeguard',
  ])('finds the seed course when searching for %s', async (q) => {
    expect(seedUpcoming.length).toBeGreaterThan(0);
    expect(await search(q)).toEqual(expect.arrayContaining(seedUpcoming));
  });

  it('finds a word typed joined up where the hub hyphenates it', async () => {
    // The seed course's topic is "Trauma-informed practice".
    expect(await search('traumainformed')).toEqual(expect.arrayContaining(seedUpcoming));
  });

  it.each(['safeguard', 'safeguards', 'SAFEGUARDED'])(
    'finds every form of a word from its stem: %s finds safeguarding courses',
    async (q) => {
      const careAct = await upcomingOf(await courseId('adult-safeguarding-care-act'));
      expect(careAct.length).toBeGreaterThan(0);
      expect(await search(q)).toEqual(expect.arrayContaining(careAct));
    },
  );

  it('ranks the course that is about the words above one that only mentions them, keeping each course’s dates together and in order', async () => {
    const mentions = demoProgramme.courses.find(
      (c) => !/trauma/i.test(c.title) && /trauma/i.test(c.description),
    );
    expect(mentions).toBeDefined();
    const mentionsId = await courseId(mentions!.slug);
    // A session of that course sooner than any of the seed course's, so date order alone would put it first.
    const sooner = await new ProgrammeRecords(t.database.db).createSession(
      {
        courseId: mentionsId,
        format: 'online',
        venueId: null,
        onlineJoiningUrl: null,
        capacity: 10,
        parts: [
          {
            startsAt: londonToInstant('2026-01-13', '10:00'),
            endsAt: londonToInstant('2026-01-13', '12:00'),
          },
        ],
        trainerIds: [],
        notes: '',
        bookingOpensAt: null,
        bookingClosesAt: null,
      },
      new Date(TEST_NOW),
    );
    try {
      const listed = await search('trauma');
      expect(listed).toContain(sooner);
      expect(listed.slice(0, seedUpcoming.length)).toEqual(seedUpcoming);

      const courses = await t.database.db
        .selectFrom('sessions')
        .where('id', 'in', listed)
        .select(['id', 'course_id', 'starts_at'])
        .execute();
      const byId = new Map(courses.map((c) => [c.id, c]));
      const order = listed.map((id) => byId.get(id)!);
      // Each course's sessions are listed one after another, soonest first.
      const seen = new Set<number>();
      order.forEach((row, i) => {
        const previous = order[i - 1];
        if (previous && previous.course_id === row.course_id) {
          expect(row.starts_at >= previous.starts_at).toBe(true);
        } else {
          expect(seen.has(row.course_id)).toBe(false);
          seen.add(row.course_id);
        }
      });
    } finally {
      await t.database.db.deleteFrom('session_parts').where('session_id', '=', sooner).execute();
      await t.database.db.deleteFrom('sessions').where('id', '=', sooner).execute();
    }
    expect(await search('trauma')).not.toContain(sooner);
  });

  it('lists sessions soonest first when there are no words to rank by', async () => {
    const response = await t.app.inject('/courses?topic=trauma-informed-practice');
    const listed = listedIds(response.body);
    const rows = await t.database.db
      .selectFrom('sessions')
      .where('id', 'in', listed)
      .select(['id', 'starts_at'])
      .execute();
    const starts = listed.map((id) => rows.find((r) => r.id === id)!.starts_at);
    expect(starts).toEqual([...starts].sort());
  });

  it('searches the names of a course’s topics and audiences and of a session’s trainers', async () => {
    // "Safeguarding practice skills" is one of the seed course's topics; its own text never says "skills".
    const byTopic = await search('practice skills');
    expect(byTopic).toEqual(expect.arrayContaining(seedUpcoming));

    const policeCourses = demoProgramme.courses.filter((c) => c.audiences.includes('police'));
    expect(policeCourses.length).toBeGreaterThan(0);
    const byAudience = await search('criminal justice');
    for (const course of policeCourses) {
      expect(byAudience).toEqual(expect.arrayContaining(await upcomingOf(await courseId(course.slug))));
    }

    expect(await search('Lisa Cherry')).toEqual(seedUpcoming);
    expect(await search('cherry co-production')).toEqual(seedUpcoming);
  });

  describe('input that is search syntax elsewhere', () => {
    it.each([
      '"',
      '*',
      'AND',
      '(',
      '-',
      'OR',
      'NOT',
      'NEAR(',
      ')',
      ':',
      '^',
      '{}',
      "'",
      '\\',
      '&',
      '|',
      '!',
      '<->',
      '""""',
    ])('%s is searched for as typed, finds nothing and is not an error', async (q) => {
      const response = await t.app.inject(`/courses?q=${encodeURIComponent(q)}`);
      expect(response.statusCode).toBe(200);
      const page = parsePage(response.body);
      expect(page.text('#results h2')).toBe('No sessions found');
      expect(page.document.querySelector('input#q')?.getAttribute('value')).toBe(q);
    });

    it.each([
      'trauma AND (',
      '"trauma',
      'trauma*',
      '-trauma',
      'trauma OR',
      'co-production NOT',
      'trauma:informed',
      '(trauma informed)',
      'trauma & | ! co-production',
      "trauma' --",
    ])('%s still finds the seed course by its words', async (q) => {
      expect(await search(q)).toEqual(expect.arrayContaining(seedUpcoming));
    });
  });

  // Last: these change the programme.
  describe('after edits', () => {
    let coordinator: WebClient;
    beforeAll(async () => {
      coordinator = await signedInStaff(t, 'coordinator');
    });

    it('follows a course edited in the back office: its title and its topics', async () => {
      expect(await search('storytelling')).toEqual([]);
      const editUrl = `/admin/courses/${seedCourseId}/edit`;
      const topics = await t.database.db
        .selectFrom('topics')
        .where('slug', '=', 'trauma-informed-practice')
        .select('id')
        .execute();
      const response = await submitChanged(
        coordinator,
        editUrl,
        { title: 'Trauma Informed Co-Production and Storytelling' },
        { topics: topics.map((topic) => String(topic.id)) },
      );
      expect(response.statusCode).toBe(303);
      expect(await search('storytelling')).toEqual(seedUpcoming);
      // "Safeguarding practice skills" was taken off the course.
      expect(await search('practice skills')).not.toEqual(expect.arrayContaining(seedUpcoming));
    });

    it('follows a renamed trainer, topic, audience and venue', async () => {
      const db = t.database.db;
      await db
        .updateTable('trainers')
        .set({ name: 'Lisa Marigold' })
        .where('slug', '=', 'lisa-cherry')
        .execute();
      expect(await search('marigold')).toEqual(seedUpcoming);

      await db
        .updateTable('topics')
        .set({ name: 'Trauma-informed lighthouse' })
        .where('slug', '=', 'trauma-informed-practice')
        .execute();
      expect(await search('lighthouse')).toEqual(expect.arrayContaining(seedUpcoming));

      await db
        .updateTable('audiences')
        .set({ name: 'Health and lantern staff' })
        .where('slug', '=', 'health')
        .execute();
      expect(await search('lantern')).toEqual(expect.arrayContaining(seedUpcoming));

      const venue = await db
        .selectFrom('sessions')
        .where('id', '=', seedUpcoming[0]!)
        .select('venue_id')
        .executeTakeFirstOrThrow();
      if (venue.venue_id !== null) {
        await db
          .updateTable('venues')
          .set({ town: 'Portmeirion' })
          .where('id', '=', venue.venue_id)
          .execute();
        expect(await search('portmeirion')).toContain(seedUpcoming[0]);
      }
    });

    it('follows a session’s trainers changing, and a session moving to another course', async () => {
      const db = t.database.db;
      const [first, ...rest] = seedUpcoming;
      await db.deleteFrom('session_trainers').where('session_id', '=', first!).execute();
      expect(await search('marigold')).toEqual(rest);

      const other = await courseId('adult-safeguarding-care-act');
      await db.updateTable('sessions').set({ course_id: other }).where('id', '=', first!).execute();
      expect(await search('storytelling')).not.toContain(first);
      expect(await search('care act')).toContain(first);
    });
  });
});

eachDatabase('catalogue search, on a database from before it', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: false });
  });
  afterAll(() => t.close());

  it('indexes the sessions already there when the migration runs', async () => {
    const db = t.database.db;
    // As a hub that was running before: the programme written with no index to keep.
    await sessionSearch(dialect).down!(db);
    await loadDemo(db, demoProgramme, new Date(TEST_NOW));
    await sessionSearch(dialect).up(db);

    const course = await db
      .selectFrom('courses')
      .where('slug', '=', SEED_SLUG)
      .select('id')
      .executeTakeFirstOrThrow();
    const upcoming = await db
      .selectFrom('sessions')
      .where('course_id', '=', course.id)
      .where('starts_at', '>=', TEST_NOW)
      .select('id')
      .orderBy('starts_at')
      .orderBy('id')
      .execute();
    expect(upcoming.length).toBeGreaterThan(0);
    const response = await t.app.inject('/courses?q=coproduction');
    expect(listedIds(response.body)).toEqual(upcoming.map((s) => s.id));
  });
});
