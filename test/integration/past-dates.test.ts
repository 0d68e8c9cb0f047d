/**
 * Past dates stay findable: a course page lists the dates it ran in the last
 * 12 months and links to the rest, a page at a time; a session that has
 * started leaves the upcoming dates by the clock alone, though pages are
 * cached; and a delegate's past bookings lead back to their session.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import { ProgrammeRecords } from '../../src/data/repositories/programmeRecords.js';
import { seedLargeHub } from '../../src/demo/largeHub.js';
import { newBookingReference } from '../../src/services/bookings/bookingReference.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { createSignedInDelegates } from '../support/seedDelegates.js';

const SEED_COURSE = 'trauma-informed-co-production';
const DAY = 24 * 60 * 60 * 1000;
const MINUTE = 60 * 1000;

/** The session ids a list of session cards links to, in order. */
function sessionIds(html: string, selector: string): number[] {
  return parsePage(html)
    .links(`${selector} .trellis-session-card__title a`)
    .map((link) => Number(link.href.replace('/sessions/', '')));
}

/** The course page's upcoming dates: the list under the "Dates" heading. */
function upcomingIds(html: string): number[] {
  const { document } = parsePage(html);
  const heading = [...document.querySelectorAll('main h2')].find((h) => h.textContent?.trim() === 'Dates');
  const list = heading?.nextElementSibling;
  if (!list?.matches('ul')) return [];
  return [...list.querySelectorAll('.trellis-session-card__title a')].map((a) =>
    Number(a.getAttribute('href')!.replace('/sessions/', '')),
  );
}

/** The course page's past dates, the list after the "Past dates" heading. */
function pastIds(html: string): number[] {
  const { document } = parsePage(html);
  const heading = document.querySelector('#past-dates');
  if (!heading) return [];
  let element = heading.nextElementSibling;
  while (element && !element.matches('ul') && !element.matches('h2')) element = element.nextElementSibling;
  if (!element?.matches('ul')) return [];
  return [...element.querySelectorAll('.trellis-session-card__title a')].map((a) =>
    Number(a.getAttribute('href')!.replace('/sessions/', '')),
  );
}

eachDatabase('past dates', (dialect) => {
  let t: TestApp;
  let clock: SettableClock;
  let seedCourseId: number;
  let seedSessionId: number;
  let venueId: number;

  beforeAll(async () => {
    clock = settableClock(TEST_NOW);
    t = await createTestApp(dialect, { clock });
    const sessions = await t.database.db
      .selectFrom('sessions')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('courses.slug', '=', SEED_COURSE)
      .select(['sessions.id', 'sessions.course_id', 'sessions.venue_id'])
      .orderBy('sessions.starts_at')
      .execute();
    seedSessionId = sessions[0]!.id;
    seedCourseId = sessions[0]!.course_id;
    venueId = sessions[0]!.venue_id!;
  });
  afterAll(() => t.close());
  beforeEach(() => clock.set(TEST_NOW));

  /** A session of the seed course, one part from `startsAt`, three hours long. */
  async function addSession(startsAt: Date, options: { cancelled?: boolean } = {}): Promise<number> {
    const id = await new ProgrammeRecords(t.database.db).createSession(
      {
        courseId: seedCourseId,
        format: 'in_person',
        venueId,
        onlineJoiningUrl: null,
        capacity: 20,
        parts: [{ startsAt, endsAt: new Date(startsAt.getTime() + 3 * 60 * MINUTE) }],
        trainerIds: [],
        notes: '',
        bookingOpensAt: null,
        bookingClosesAt: null,
      },
      new Date(TEST_NOW),
    );
    if (options.cancelled) {
      await t.database.db
        .updateTable('sessions')
        .set({ cancelled_at: TEST_NOW, cancellation_reason: 'The trainer was unwell.' })
        .where('id', '=', id)
        .execute();
    }
    return id;
  }

  describe('a course that last ran more than 12 months ago', () => {
    it('says so on its page and links to the date it ran, which links to its session', async () => {
      const response = await t.app.inject(`/courses/${SEED_COURSE}`);
      expect(response.statusCode).toBe(200);
      const page = parsePage(response.body);
      expect(page.text()).toContain('Past dates');
      expect(page.text()).toContain('This course has not run in the last 12 months.');
      expect(pastIds(response.body)).toEqual([]);
      expect(page.links()).toContainEqual({
        text: 'See the date it ran before (Trauma Informed Co-Production)',
        href: `/courses/${SEED_COURSE}/past`,
      });

      const past = await t.app.inject(`/courses/${SEED_COURSE}/past`);
      expect(past.statusCode).toBe(200);
      const pastPage = parsePage(past.body);
      expect(pastPage.h1()).toBe('Past dates');
      expect(pastPage.text()).toContain('1 past date, latest first.');
      expect(pastPage.text()).toContain('Monday 25 November 2024');
      expect(pastPage.text()).toContain('Finished');
      expect(sessionIds(past.body, 'main')).toEqual([seedSessionId]);
      expect(pastPage.links()).toContainEqual({
        text: 'Read about Trauma Informed Co-Production and its upcoming dates',
        href: `/courses/${SEED_COURSE}`,
      });
      // No places and nothing to book on a date that has gone.
      expect(pastPage.text()).not.toMatch(/places? left|Fully booked|waiting list/);
    });
  });

  describe('a course that ran in the last 12 months', () => {
    let recent: number;
    let cancelled: number;
    let older: number;
    beforeAll(async () => {
      recent = await addSession(new Date(new Date(TEST_NOW).getTime() - 40 * DAY));
      cancelled = await addSession(new Date(new Date(TEST_NOW).getTime() - 20 * DAY), { cancelled: true });
      older = await addSession(new Date(new Date(TEST_NOW).getTime() - 200 * DAY));
    });
    afterAll(async () => {
      await t.database.db
        .deleteFrom('session_parts')
        .where('session_id', 'in', [recent, cancelled, older])
        .execute();
      await t.database.db.deleteFrom('sessions').where('id', 'in', [recent, cancelled, older]).execute();
    });

    it('lists those dates latest first, without cancelled ones, and links to every past date', async () => {
      const response = await t.app.inject(`/courses/${SEED_COURSE}`);
      const page = parsePage(response.body);
      expect(pastIds(response.body)).toEqual([recent, older]);
      expect(page.text()).toContain('In the last 12 months, latest first.');
      expect(page.links()).toContainEqual({
        text: 'See all 3 past dates of Trauma Informed Co-Production',
        href: `/courses/${SEED_COURSE}/past`,
      });

      const past = await t.app.inject(`/courses/${SEED_COURSE}/past`);
      expect(sessionIds(past.body, 'main')).toEqual([recent, older, seedSessionId]);
      expect(past.body).not.toContain(`/sessions/${cancelled}"`);
    });

    it('keeps the catalogue to upcoming sessions', async () => {
      const catalogue = await t.app.inject('/courses');
      const everyPage = [catalogue.body];
      const pages = Number(/Page 1 of (\d+)/.exec(parsePage(catalogue.body).text())?.[1] ?? 1);
      for (let n = 2; n <= pages; n++) everyPage.push((await t.app.inject(`/courses?page=${n}`)).body);
      const listed = everyPage.flatMap((html) => sessionIds(html, '#results'));
      expect(listed.length).toBeGreaterThan(0);
      for (const id of [recent, older, seedSessionId]) expect(listed).not.toContain(id);
    });
  });

  it('moves a session from upcoming to past when it starts, by the clock alone, though the page is cached', async () => {
    const next = await t.database.db
      .selectFrom('sessions')
      .where('course_id', '=', seedCourseId)
      .where('starts_at', '>', TEST_NOW)
      .select(['id', 'starts_at', 'ends_at'])
      .orderBy('starts_at')
      .executeTakeFirstOrThrow();
    const startsAt = new Date(next.starts_at).getTime();
    const path = `/courses/${SEED_COURSE}`;

    clock.set(new Date(startsAt - 30 * 1000));
    const before = await t.app.inject(path);
    expect(upcomingIds(before.body)[0]).toBe(next.id);
    expect(pastIds(before.body)).not.toContain(next.id);
    expect(sessionIds((await t.app.inject('/courses')).body, '#results')).toContain(next.id);
    // Served again from the cache while nothing has changed.
    expect((await t.app.inject(path)).body).toBe(before.body);

    // No write to the database: only time passes.
    clock.set(new Date(startsAt));
    const started = await t.app.inject(path);
    expect(upcomingIds(started.body)).not.toContain(next.id);
    expect(pastIds(started.body)[0]).toBe(next.id);
    expect(sessionIds((await t.app.inject('/courses')).body, '#results')).not.toContain(next.id);
    const card = parsePage(started.body).listItems('#past-dates ~ ul li')[0];
    expect(card).toContain('In progress');

    clock.set(new Date(next.ends_at));
    const ended = await t.app.inject(path);
    expect(parsePage(ended.body).listItems('#past-dates ~ ul li')[0]).toContain('Finished');

    const sessionPage = parsePage((await t.app.inject(`/sessions/${next.id}`)).body);
    expect(sessionPage.text()).toContain('This session has finished.');
    expect(sessionPage.text()).not.toContain('Book a place');
    // Nothing left to put in a calendar.
    expect(sessionPage.text()).not.toContain('Add this session to your calendar');
  });

  describe('the session page of a finished session', () => {
    it('links to the course and to its next date', async () => {
      const page = parsePage((await t.app.inject(`/sessions/${seedSessionId}`)).body);
      const banner = page.links('.govuk-notification-banner a');
      expect(banner).toContainEqual({
        text: 'See all dates for Trauma Informed Co-Production',
        href: `/courses/${SEED_COURSE}`,
      });
      expect(banner.some((l) => /^\/sessions\/\d+$/.test(l.href))).toBe(true);
    });

    it('says there are no future dates yet when there are none', async () => {
      const last = await t.database.db
        .selectFrom('sessions')
        .where('course_id', '=', seedCourseId)
        .select(['id', 'ends_at'])
        .orderBy('ends_at', 'desc')
        .executeTakeFirstOrThrow();
      clock.set(new Date(new Date(last.ends_at).getTime() + DAY));
      const page = parsePage((await t.app.inject(`/sessions/${last.id}`)).body);
      expect(page.text()).toContain('This session has finished.');
      expect(page.text()).toContain('There are no future dates yet.');
      expect(page.links('.govuk-notification-banner a')).toContainEqual({
        text: 'See all dates for Trauma Informed Co-Production',
        href: `/courses/${SEED_COURSE}`,
      });
      expect(page.links('.govuk-notification-banner a').some((l) => l.href.startsWith('/sessions/'))).toBe(
        false,
      );
    });
  });

  it("links a delegate's past bookings to their session", async () => {
    const [delegate] = await createSignedInDelegates(t.database.db, new Date(TEST_NOW), 1, 'past dates');
    const reference = newBookingReference();
    await new DemoRepository(t.database.db).insertBookings(
      [
        {
          reference,
          sessionId: seedSessionId,
          delegateId: delegate!.id,
          state: 'attended',
          offerExpiresAt: null,
        },
      ],
      new Date(TEST_NOW),
    );
    const response = await t.app.inject({
      url: '/bookings',
      headers: { cookie: `__Host-trellis_session=${delegate!.sessionSecret}` },
    });
    expect(response.statusCode).toBe(200);
    const page = parsePage(response.body);
    expect(page.links()).toContainEqual({
      text: 'See the session page for Trauma Informed Co-Production, Monday 25 November 2024',
      href: `/sessions/${seedSessionId}`,
    });
  });

  describe('a course that has run hundreds of times', () => {
    let slug: string;
    let allPast: { id: number; starts_at: string }[];
    beforeAll(async () => {
      await seedLargeHub(t.database.db, new Date(TEST_NOW), {
        sessions: 400,
        bookings: 800,
        delegates: 40,
        organisations: 2,
        courses: 1,
        venues: 2,
        trainers: 2,
      });
      const course = await t.database.db
        .selectFrom('courses')
        .where('slug', 'like', 'large-course-%')
        .select(['id', 'slug'])
        .executeTakeFirstOrThrow();
      slug = course.slug;
      allPast = await t.database.db
        .selectFrom('sessions')
        .where('course_id', '=', course.id)
        .where('starts_at', '<', TEST_NOW)
        .where('cancelled_at', 'is', null)
        .select(['id', 'starts_at'])
        .orderBy('starts_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      expect(allPast.length).toBeGreaterThan(200);
    });

    it('shows the latest ten on the course page, all from the last 12 months', async () => {
      const response = await t.app.inject(`/courses/${slug}`);
      expect(response.statusCode).toBe(200);
      expect(pastIds(response.body)).toEqual(allPast.slice(0, 10).map((s) => s.id));
      const yearAgo = new Date(new Date(TEST_NOW).getTime() - 365 * DAY).toISOString();
      for (const session of allPast.slice(0, 10)) expect(session.starts_at >= yearAgo).toBe(true);
      expect(parsePage(response.body).links()).toContainEqual({
        text: `See all ${allPast.length} past dates of ${parsePage(response.body).h1()}`,
        href: `/courses/${slug}/past`,
      });
    });

    it('pages through every past date, twenty at a time, latest first', async () => {
      const pageCount = Math.ceil(allPast.length / 20);
      const seen: number[] = [];
      for (let n = 1; n <= pageCount; n++) {
        const response = await t.app.inject(`/courses/${slug}/past${n > 1 ? `?page=${n}` : ''}`);
        expect(response.statusCode).toBe(200);
        const ids = sessionIds(response.body, 'main');
        expect(ids.length).toBe(n < pageCount ? 20 : allPast.length - 20 * (pageCount - 1));
        seen.push(...ids);
        const page = parsePage(response.body);
        expect(page.text()).toContain(`Page ${n} of ${pageCount}.`);
        const pagination = page.links('.govuk-pagination a').map((l) => l.href);
        if (n < pageCount) expect(pagination).toContain(`/courses/${slug}/past?page=${n + 1}`);
        if (n > 1)
          expect(pagination).toContain(
            n === 2 ? `/courses/${slug}/past` : `/courses/${slug}/past?page=${n - 1}`,
          );
      }
      expect(seen).toEqual(allPast.map((s) => s.id));
    });

    it('answers a page that is not there with not found, and a page that is not a number with a 400', async () => {
      const pageCount = Math.ceil(allPast.length / 20);
      expect((await t.app.inject(`/courses/${slug}/past?page=${pageCount + 1}`)).statusCode).toBe(404);
      for (const bad of ['0', 'two', '-1', '1.5', '99999999999']) {
        const response = await t.app.inject(`/courses/${slug}/past?page=${bad}`);
        expect(response.statusCode, bad).toBe(400);
        expect(parsePage(response.body).text()).toContain(
          'The page number must be a whole number, 1 or more.',
        );
      }
      expect((await t.app.inject('/courses/no-such-course/past')).statusCode).toBe(404);
    });
  });
});
