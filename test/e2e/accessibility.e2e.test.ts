/**
 * Every public page passes axe (WCAG 2.2 AA) on a desktop screen and on a
 * 320px-wide phone, where it must also reflow without sideways scrolling
 * (WCAG 1.4.10). The sessions checked (one with places, one fully booked, one
 * in several parts) are found as a visitor would find them, in the catalogue.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';

import {
  MOBILE_VIEWPORT,
  axeViolations,
  expectNoAxeViolations,
  expectNoPageProblems,
  focusedElement,
  horizontalOverflow,
  navigateBy,
  summaryValue,
  useE2E,
  visit,
  type WatchedPage,
} from './support.js';

interface PageCase {
  name: string;
  path: () => string;
  status?: number;
  /** What must be on the page, so we know axe looked at the right thing. */
  shows: (page: Page) => Promise<void>;
}

/** Sessions and slugs found by browsing, in beforeAll. */
const found = {
  placesSession: '',
  fullSession: '',
  multiPartSession: '',
  course: '',
  venue: '',
  trainer: '',
};

const h1 = async (page: Page) => ((await page.locator('h1').textContent()) ?? '').trim();
const mainText = async (page: Page) => (await page.locator('main').textContent()) ?? '';

const PAGES: PageCase[] = [
  {
    name: 'the catalogue',
    path: () => '/courses',
    shows: async (page) => {
      expect(await h1(page)).toBe('Courses');
      expect(await page.locator('#results .trellis-session-card').count()).toBeGreaterThan(0);
    },
  },
  {
    name: 'the catalogue with filters applied',
    path: () => '/courses?q=safeguarding&format=in_person&places=1',
    shows: async (page) => {
      expect(await page.locator('#results .trellis-session-card').count()).toBeGreaterThan(0);
      expect(await page.getByLabel('Format', { exact: true }).inputValue()).toBe('in_person');
      expect(await page.getByRole('link', { name: 'Clear search and filters' }).count()).toBe(1);
    },
  },
  {
    name: 'the second page of the catalogue',
    path: () => '/courses?page=2',
    shows: async (page) => {
      expect(await page.locator('.govuk-pagination').count()).toBe(1);
      expect(await mainText(page)).toContain('Page 2 of');
    },
  },
  {
    name: 'the catalogue with nothing found',
    path: () => '/courses?q=zzzqqq',
    shows: async (page) => {
      expect(await page.locator('#results h2').textContent()).toContain('No sessions found');
    },
  },
  {
    name: 'the catalogue with a month it cannot use (400)',
    path: () => '/courses?month=2026-13',
    status: 400,
    shows: async (page) => {
      expect(await page.title()).toMatch(/^Error: /);
      expect(await page.locator('.govuk-error-summary').count()).toBe(1);
      expect(await page.locator('#month-error').textContent()).toContain('Choose a month from the list');
    },
  },
  {
    name: 'the seed session, which has finished',
    path: () => '/sessions/1',
    shows: async (page) => {
      expect(await h1(page)).toBe('Trauma Informed Co-Production');
      expect(await page.locator('.govuk-notification-banner').textContent()).toContain(
        'This session has finished.',
      );
    },
  },
  {
    name: 'a future session with places',
    path: () => found.placesSession,
    shows: async (page) => {
      expect(await summaryValue(page, 'Places available').textContent()).toMatch(/\d+ places? left/);
      expect(await page.getByRole('button', { name: 'Book a place' }).count()).toBe(1);
    },
  },
  {
    name: 'a fully booked session',
    path: () => found.fullSession,
    shows: async (page) => {
      expect(await summaryValue(page, 'Places available').textContent()).toContain('Fully booked');
      expect(await page.getByRole('button', { name: 'Join the waiting list' }).count()).toBe(1);
    },
  },
  {
    name: 'a session in several parts',
    path: () => found.multiPartSession,
    shows: async (page) => {
      expect(await summaryValue(page, 'Date and time').locator('ol li').count()).toBeGreaterThan(1);
    },
  },
  {
    name: 'a course',
    path: () => `/courses/${found.course}`,
    shows: async (page) => {
      expect(await page.locator('main h2', { hasText: 'Dates' }).count()).toBe(1);
    },
  },
  {
    name: 'the venues',
    path: () => '/venues',
    shows: async (page) => expect(await h1(page)).toBe('Venues'),
  },
  {
    name: 'a venue',
    path: () => `/venues/${found.venue}`,
    shows: async (page) => expect(await mainText(page)).toContain('Upcoming sessions here'),
  },
  {
    name: 'the trainers',
    path: () => '/trainers',
    shows: async (page) => expect(await h1(page)).toBe('Trainers'),
  },
  {
    name: 'a trainer',
    path: () => `/trainers/${found.trainer}`,
    shows: async (page) => expect(await mainText(page)).toContain('Upcoming sessions with'),
  },
  {
    name: 'booking a place',
    path: () => `${found.placesSession}/book`,
    shows: async (page) => expect(await h1(page)).toBe('Book a place'),
  },
  {
    name: 'joining a waiting list',
    path: () => `${found.fullSession}/book`,
    shows: async (page) => expect(await h1(page)).toBe('Join the waiting list'),
  },
  {
    name: 'booking a session that has finished',
    path: () => '/sessions/1/book',
    shows: async (page) => expect(await mainText(page)).toContain('no longer taking bookings'),
  },
  {
    name: 'the terms of booking',
    path: () => '/terms',
    shows: async (page) => expect(await h1(page)).toBe('Terms of booking'),
  },
  {
    name: 'the privacy notice',
    path: () => '/privacy',
    shows: async (page) => expect(await h1(page)).toBe('Privacy notice'),
  },
  {
    name: 'the accessibility statement',
    path: () => '/accessibility',
    shows: async (page) => expect(await h1(page)).toBe('Accessibility statement'),
  },
  {
    name: 'a page that does not exist (404)',
    path: () => '/sessions/999999',
    status: 404,
    shows: async (page) => {
      expect(await page.getByRole('link', { name: 'Browse all courses' }).count()).toBe(1);
    },
  },
];

describe.runIf(inject('chromiumAvailable'))('accessibility of the public pages', () => {
  const e2e = useE2E();
  let desktop: WatchedPage;
  let mobile: WatchedPage;

  beforeAll(async () => {
    desktop = await e2e.newPage();
    mobile = await e2e.newPage({ viewport: MOBILE_VIEWPORT });
    await findPagesToCheck(desktop.page, (path) => e2e.url(path));
  });

  describe.each(PAGES)('$name', ({ path, status = 200, shows }) => {
    it('has no axe violations on a desktop screen', async () => {
      const { page, problems } = desktop;
      problems.clear();
      await visit(page, e2e.url(path()), status);
      await shows(page);
      expect(await page.locator('iframe').count()).toBe(0);
      await expectNoAxeViolations(page, `${path()} (desktop)`);
      expectNoPageProblems(problems, path());
    });

    it('has no axe violations at 320px wide, and does not scroll sideways', async () => {
      const { page, problems } = mobile;
      problems.clear();
      await visit(page, e2e.url(path()), status);
      const { scrollWidth, innerWidth } = await horizontalOverflow(page);
      expect(innerWidth).toBe(MOBILE_VIEWPORT.width);
      expect(
        scrollWidth,
        `${path()} is ${scrollWidth}px wide in a ${innerWidth}px window`,
      ).toBeLessThanOrEqual(innerWidth);
      await expectNoAxeViolations(page, `${path()} (320px)`);
      expectNoPageProblems(problems, `${path()} (320px)`);
    });
  });

  it('finds what axe should find: a real page with its faults planted is not passed', async () => {
    // The checker the other tests rely on (axe-core loaded with each document)
    // must fail a page that is wrong, or every "no violations" above means nothing.
    const { page } = desktop;
    await visit(page, e2e.url('/courses'));
    await page.evaluate(() => {
      type Element = { setAttribute(name: string, value: string): void; removeAttribute(name: string): void };
      const { document } = globalThis as unknown as {
        document: {
          documentElement: Element;
          querySelector(selector: string): { append(child: Element): void } | null;
          createElement(tag: string): Element;
        };
      };
      document.documentElement.removeAttribute('lang');
      // An image with no text alternative, in the page's main content.
      const image = document.createElement('img');
      image.setAttribute('src', '/favicon.ico');
      document.querySelector('main')?.append(image);
    });
    const found = (await axeViolations(page)).map((violation) => violation.id);
    expect(found).toEqual(expect.arrayContaining(['html-has-lang', 'image-alt']));
  });

  it('the error summary takes keyboard and mouse users to the field at fault', async () => {
    const { page, problems } = desktop;
    problems.clear();
    await visit(page, e2e.url('/courses?month=2026-13'), 400);
    const summary = page.locator('.govuk-error-summary');
    const link = summary.getByRole('link', {
      name: 'Choose a month from the list, or write it like 2026-03',
    });
    expect(await link.getAttribute('href')).toBe('#month');
    // The field says what is wrong, and says it to screen readers too.
    expect(await page.locator('#month').getAttribute('aria-describedby')).toContain('month-error');

    // GOV.UK Frontend moves focus to the summary when the page loads.
    await expect.poll(() => summary.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);

    // Keyboard: Tab reaches the link, Enter moves focus to the month field.
    await page.keyboard.press('Tab');
    expect((await focusedElement(page))?.href).toBe('#month');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focusedElement(page))?.id).toBe('month');

    // Mouse: clicking the link does the same.
    await visit(page, e2e.url('/courses?month=2026-13'), 400);
    await link.click();
    await expect.poll(async () => (await focusedElement(page))?.id).toBe('month');
    expectNoPageProblems(problems, '/courses?month=2026-13');

    // Without JavaScript the link is a plain jump to the field, which focuses it.
    const noScript = await e2e.newPage({ javaScriptEnabled: false });
    await visit(noScript.page, e2e.url('/courses?month=2026-13'), 400);
    await noScript.page.locator('.govuk-error-summary a[href="#month"]').click();
    await expect.poll(async () => (await focusedElement(noScript.page))?.id).toBe('month');
    expectNoPageProblems(noScript.problems, '/courses?month=2026-13 without JavaScript');
  });
});

/**
 * Browses the catalogue for a session with places, a fully booked one and
 * one in several parts (following the pages of results if need be), then
 * takes a course, a venue and a trainer from the pages that list them.
 */
async function findPagesToCheck(page: Page, url: (path: string) => string): Promise<void> {
  await visit(page, url('/courses'));
  for (let pages = 0; pages < 20; pages++) {
    for (const card of await page.locator('#results .trellis-session-card').all()) {
      const href = (await card.locator('.trellis-session-card__title a').getAttribute('href')) ?? '';
      const tag = (await card.locator('.govuk-tag').textContent()) ?? '';
      const time = (await card.locator('div:has(> dt:text-is("Time")) > dd').textContent()) ?? '';
      if (!found.fullSession && tag.includes('Fully booked')) found.fullSession = href;
      if (!found.placesSession && /places? left/.test(tag)) found.placesSession = href;
      if (!found.multiPartSession && /\(\d+ parts\)/.test(time)) found.multiPartSession = href;
    }
    if (found.fullSession && found.placesSession && found.multiPartSession) break;
    const next = page.locator('.govuk-pagination__next a');
    if ((await next.count()) === 0) break;
    await navigateBy(page, () => next.click());
  }
  expect(found.placesSession, 'a session with places in the catalogue').toMatch(/^\/sessions\/\d+$/);
  expect(found.fullSession, 'a "Fully booked" session in the catalogue').toMatch(/^\/sessions\/\d+$/);
  expect(found.multiPartSession, 'a session in several parts in the catalogue').toMatch(/^\/sessions\/\d+$/);

  await visit(page, url(found.placesSession));
  const courseHref = await page.locator('.govuk-breadcrumbs a[href^="/courses/"]').getAttribute('href');
  found.course = courseHref?.replace('/courses/', '') ?? '';
  await visit(page, url('/venues'));
  found.venue = ((await page.locator('main h2 a').first().getAttribute('href')) ?? '').replace(
    '/venues/',
    '',
  );
  await visit(page, url('/trainers'));
  found.trainer = ((await page.locator('main h2 a').first().getAttribute('href')) ?? '').replace(
    '/trainers/',
    '',
  );
  for (const slug of [found.course, found.venue, found.trainer]) expect(slug).toMatch(/^[a-z0-9-]+$/);
}
