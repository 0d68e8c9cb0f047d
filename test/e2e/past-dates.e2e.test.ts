/**
 * Past dates as a visitor and a delegate find them: a course's recent past
 * dates, every earlier one a page at a time, a finished session leading
 * back to its course and its next date, and a past booking leading to its
 * session. Each walk runs with JavaScript and without it, and axe checks
 * every page on the way (without JavaScript, on the same page rendered with
 * the app's script removed, because axe itself needs script to run).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';

import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import { ProgrammeRecords } from '../../src/data/repositories/programmeRecords.js';
import { newBookingReference } from '../../src/services/bookings/bookingReference.js';
import { TEST_NOW } from '../support/app.js';
import { createSignedInDelegates, type SignedInDelegate } from '../support/seedDelegates.js';
import {
  expectNoAxeViolations,
  expectNoPageProblems,
  expectTwinOfPagePasses,
  horizontalOverflow,
  MOBILE_VIEWPORT,
  navigateBy,
  summaryValue,
  useE2E,
  visit,
  withoutAppScripts,
  type E2E,
  type WatchedPage,
  BROWSER_HANG_TIMEOUT,
} from './support.js';

const MODES = [
  { mode: 'with JavaScript', javaScriptEnabled: true },
  { mode: 'without JavaScript', javaScriptEnabled: false },
] as const;

const WALK_TIMEOUT = BROWSER_HANG_TIMEOUT;
const COURSE = 'Trauma Informed Co-Production';
const SLUG = 'trauma-informed-co-production';
/** Weekly dates added before the test's "now", all in the last 12 months. */
const ADDED_PAST = 25;
const WEEK = 7 * 24 * 60 * 60 * 1000;

describe.runIf(inject('chromiumAvailable'))('past dates', () => {
  const e2e = useE2E();
  let seedSessionId: number;
  let delegate: SignedInDelegate;

  beforeAll(async () => {
    const db = e2e.testApp.database.db;
    const seed = await db
      .selectFrom('sessions')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('courses.slug', '=', SLUG)
      .select(['sessions.id', 'sessions.course_id', 'sessions.venue_id'])
      .orderBy('sessions.starts_at')
      .executeTakeFirstOrThrow();
    seedSessionId = seed.id;
    const programme = new ProgrammeRecords(db);
    for (let week = 1; week <= ADDED_PAST; week++) {
      const startsAt = new Date(new Date(TEST_NOW).getTime() + 30 * 60 * 1000 - week * WEEK);
      await programme.createSession(
        {
          courseId: seed.course_id,
          format: 'in_person',
          venueId: seed.venue_id,
          onlineJoiningUrl: null,
          capacity: 20,
          parts: [{ startsAt, endsAt: new Date(startsAt.getTime() + 6 * 60 * 60 * 1000) }],
          trainerIds: [],
          notes: '',
          bookingOpensAt: null,
          bookingClosesAt: null,
        },
        new Date(TEST_NOW),
      );
    }
    [delegate] = (await createSignedInDelegates(db, new Date(TEST_NOW), 1, 'past dates')) as [
      SignedInDelegate,
    ];
    await new DemoRepository(db).insertBookings(
      [
        {
          reference: newBookingReference(),
          sessionId: seedSessionId,
          delegateId: delegate.id,
          state: 'attended',
          offerExpiresAt: null,
        },
      ],
      new Date(TEST_NOW),
    );
  });

  it('fits a phone screen: the course page and a page of past dates', async () => {
    const { page, problems } = await e2e.newPage({ viewport: MOBILE_VIEWPORT });
    for (const path of [`/courses/${SLUG}`, `/courses/${SLUG}/past`, `/courses/${SLUG}/past?page=2`]) {
      await visit(page, e2e.url(path));
      const { scrollWidth, innerWidth } = await horizontalOverflow(page);
      expect(scrollWidth, `${path} scrolls sideways at 320px`).toBeLessThanOrEqual(innerWidth);
      await expectNoAxeViolations(page, `${path} at 320px`);
    }
    expectNoPageProblems(problems, 'past dates at 320px');
  });

  describe.each(MODES)('$mode', ({ javaScriptEnabled }) => {
    async function start(signedIn = false): Promise<Walk> {
      const visitor = await e2e.newPage({ javaScriptEnabled });
      const twin = javaScriptEnabled ? null : await e2e.newPage();
      if (twin) await withoutAppScripts(twin.page);
      if (signedIn) {
        for (const context of [visitor.context, twin?.context]) if (context) await signIn(context);
      }
      return new Walk(e2e, visitor, twin, javaScriptEnabled);
    }

    /** The app's public address is https, so its sign-in cookie has the __Host- prefix. */
    async function signIn(context: BrowserContext) {
      await context.addCookies([
        {
          name: '__Host-trellis_session',
          value: delegate.sessionSecret,
          // Chromium sends secure cookies to 127.0.0.1 over http, but only sets them for an https address.
          url: e2e.baseUrl.replace(/^http:/, 'https:'),
        },
      ]);
    }

    it(
      'finds every past date of a course, a page at a time, and goes from the oldest to the next date',
      async () => {
        const walk = await start();
        const { page } = walk.visitor;

        await visit(page, e2e.url(`/courses/${SLUG}`));
        expect(await page.getByRole('heading', { level: 2, name: 'Past dates', exact: true }).count()).toBe(
          1,
        );
        const recent = page.locator('#past-dates ~ ul .trellis-session-card');
        expect(await recent.count()).toBe(10);
        // A date that has gone has no places to offer.
        expect(await recent.locator('.govuk-tag').allTextContents()).toEqual(Array(10).fill('Finished'));
        await walk.check();

        const total = ADDED_PAST + 1;
        await walk.follow(page.getByRole('link', { name: `See all ${total} past dates of ${COURSE}` }));
        expect(new URL(page.url()).pathname).toBe(`/courses/${SLUG}/past`);
        expect(await h1(page)).toBe('Past dates');
        expect(await page.locator('main .trellis-session-card').count()).toBe(20);
        expect(await page.locator('main').textContent()).toContain('Page 1 of 2.');
        await walk.check();

        await walk.follow(
          page.getByRole('navigation', { name: 'Pages of past dates' }).getByRole('link', { name: /Next/ }),
        );
        expect(new URL(page.url()).search).toBe('?page=2');
        const older = page.locator('main .trellis-session-card');
        expect(await older.count()).toBe(total - 20);
        const oldest = older.last().locator('.trellis-session-card__title a');
        expect((await oldest.textContent())?.trim()).toBe('Monday 25 November 2024');
        await walk.check();

        await walk.follow(oldest);
        expect(new URL(page.url()).pathname).toBe(`/sessions/${seedSessionId}`);
        const banner = page.locator('.govuk-notification-banner');
        expect((await banner.locator('.govuk-notification-banner__heading').textContent())?.trim()).toBe(
          'This session has finished.',
        );
        expect(await page.locator('#book a.govuk-button').count()).toBe(0);
        await walk.check();

        // "The next date is …" leads to a date that can be booked.
        const next = banner.locator('a[href^="/sessions/"]');
        const nextDate = ((await next.textContent()) ?? '').trim();
        await walk.follow(next);
        expect(await summaryValue(page, 'Date and time').textContent()).toContain(nextDate);
        expect(await page.locator('#book a.govuk-button').count()).toBe(1);
        await walk.check();

        // And back: the finished session links to its course.
        await visit(page, e2e.url(`/sessions/${seedSessionId}`));
        await walk.follow(banner.getByRole('link', { name: `See all dates for ${COURSE}` }));
        expect(new URL(page.url()).pathname).toBe(`/courses/${SLUG}`);
        expect(await h1(page)).toBe(COURSE);
      },
      WALK_TIMEOUT,
    );

    it(
      "goes from a delegate's past booking to its session",
      async () => {
        const walk = await start(true);
        const { page } = walk.visitor;
        await visit(page, e2e.url('/bookings'));
        expect(await h1(page)).toBe('Your bookings');
        await walk.check();
        await walk.follow(
          page.getByRole('link', { name: `See the session page for ${COURSE}, Monday 25 November 2024` }),
        );
        expect(new URL(page.url()).pathname).toBe(`/sessions/${seedSessionId}`);
        expect(await h1(page)).toBe(COURSE);
        await walk.check();
      },
      WALK_TIMEOUT,
    );
  });
});

async function h1(page: Page): Promise<string> {
  return ((await page.locator('h1').textContent()) ?? '').trim();
}

/** A person's page, and how every page it reaches is checked. */
class Walk {
  constructor(
    private readonly e2e: E2E,
    readonly visitor: WatchedPage,
    /** Without JavaScript: a page that renders the same URL scriptless for axe. */
    private readonly twin: WatchedPage | null,
    private readonly javaScriptEnabled: boolean,
  ) {}

  /** Follows a link as a person would, expecting the page it leads to. */
  async follow(link: ReturnType<Page['locator']>): Promise<void> {
    expect(await link.count()).toBe(1);
    expect(await navigateBy(this.visitor.page, () => link.click())).toBe(200);
  }

  async check(): Promise<void> {
    const { page, problems } = this.visitor;
    const url = new URL(page.url());
    const where = url.pathname + url.search;
    const bodyClass = (await page.locator('body').getAttribute('class')) ?? '';
    if (this.javaScriptEnabled) {
      expect(bodyClass).toContain('govuk-frontend-supported');
      expectNoPageProblems(problems, where);
      await expectNoAxeViolations(page, where);
      return;
    }
    expect(bodyClass).not.toContain('js-enabled');
    expectNoPageProblems(problems, where);
    await expectTwinOfPagePasses(
      page,
      this.twin,
      this.e2e.url(where),
      `${where} (as shown without JavaScript)`,
    );
  }
}
