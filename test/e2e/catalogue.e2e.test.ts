/**
 * The catalogue as a visitor uses it: filter the courses, open a session,
 * meet its trainer, and find the next date of a session that has finished.
 * Every walk runs twice, with JavaScript and without it: every page must work
 * with JavaScript off. axe checks each page on the way (without JavaScript,
 * on the same page rendered with the app's script removed, because axe itself
 * needs script to run).
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';

import { createSignedInDelegates } from '../support/seedDelegates.js';
import {
  DESKTOP_VIEWPORT,
  expectNoAxeViolations,
  expectNoAxeViolationsOnce,
  expectNoPageProblems,
  expectScriptlessTwinPasses,
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

/** A walk visits several pages and runs axe on each: more than the default 20s on a busy machine. */
const WALK_TIMEOUT = BROWSER_HANG_TIMEOUT;

describe.runIf(inject('chromiumAvailable'))('catalogue, as a visitor', () => {
  const e2e = useE2E();

  describe.each(MODES)('$mode', ({ javaScriptEnabled }) => {
    /** Opens a page in the mode, with what checks every page it reaches. */
    async function start(): Promise<Walk> {
      const visitor = await e2e.newPage({ javaScriptEnabled });
      const twin = javaScriptEnabled ? null : await e2e.newPage();
      if (twin) await withoutAppScripts(twin.page);
      return new Walk(e2e, visitor, twin, javaScriptEnabled);
    }

    it(
      'filters to online sessions, opens one and then its trainer',
      async () => {
        const walk = await start();
        const { page } = walk.visitor;

        await visit(page, e2e.url('/courses'));
        await walk.check();
        const allCount = await resultCount(page);
        expect(allCount).toBeGreaterThan(0);

        await page.getByLabel('Format', { exact: true }).selectOption({ label: 'Online' });
        const status = await navigateBy(page, () =>
          page.getByRole('button', { name: 'Search courses' }).click(),
        );
        expect(status).toBe(200);
        const url = new URL(page.url());
        expect(url.pathname).toBe('/courses');
        expect(url.searchParams.get('format')).toBe('online');
        await expect.poll(() => page.getByLabel('Format', { exact: true }).inputValue()).toBe('online');
        await walk.check();

        // Online sessions only: each is online, or in person with an online option (hybrid).
        const onlineCount = await resultCount(page);
        expect(onlineCount).toBeGreaterThan(0);
        expect(onlineCount).toBeLessThan(allCount);
        const cards = page.locator('#results .trellis-session-card');
        const where = await cards.locator('div:has(> dt:text-is("Where")) > dd').allTextContents();
        expect(where.length).toBe(await cards.count());
        for (const text of where) expect(text.trim()).toMatch(/^Online$| or online$/);

        // The first session: its title and date, as the card shows them.
        const first = cards.first();
        const link = first.locator('.trellis-session-card__title a');
        const hiddenDate = (await link.locator('.govuk-visually-hidden').textContent()) ?? '';
        const title = ((await link.textContent()) ?? '').replace(hiddenDate, '').trim();
        const date = (await first.locator('div:has(> dt:text-is("Date")) > dd').textContent())?.trim() ?? '';
        const href = (await link.getAttribute('href')) ?? '';
        expect(title).not.toBe('');
        expect(date).toMatch(/^[A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ 20\d\d$/);
        expect(href).toMatch(/^\/sessions\/\d+$/);

        expect(await navigateBy(page, () => link.click())).toBe(200);
        expect(new URL(page.url()).pathname).toBe(href);
        await expect.poll(async () => ((await page.locator('h1').textContent()) ?? '').trim()).toBe(title);
        expect(await page.title()).toContain(title);
        expect(await page.locator('.govuk-caption-l').textContent()).toMatch(/Online|In person or online/);
        expect(await summaryValue(page, 'Date and time').textContent()).toContain(date);
        const whereFact = (await summaryValue(page, 'Where').count())
          ? summaryValue(page, 'Where')
          : summaryValue(page, 'Venue');
        expect(await whereFact.textContent()).toMatch(/Online|join online/);
        expect(await summaryValue(page, 'Places available').textContent()).toMatch(
          /\d+ places? left|Fully booked/,
        );
        expect(await summaryValue(page, 'Level').textContent()).toMatch(/Foundation|Intermediate|Advanced/);
        await expect
          .poll(() => page.locator('#book a.govuk-button').getAttribute('href'))
          .toBe(`${href}/book`);
        await walk.check();

        // The trainer named in the key facts.
        const trainerLink = summaryValue(page, 'Trainer').locator('a[href^="/trainers/"]').first();
        const trainerName = ((await trainerLink.textContent()) ?? '').trim();
        expect(trainerName).not.toBe('');
        expect(await navigateBy(page, () => trainerLink.click())).toBe(200);
        expect(new URL(page.url()).pathname).toMatch(/^\/trainers\/[a-z0-9-]+$/);
        expect((await page.locator('h1').textContent())?.trim()).toBe(trainerName);
        // The trainer's upcoming sessions include the one we came from.
        expect(await page.locator(`main a[href="${href}"]`).count()).toBe(1);
        await walk.check();
      },
      WALK_TIMEOUT,
    );

    it(
      'shows the seed session as finished, with a link to the next date that works',
      async () => {
        const walk = await start();
        const { page } = walk.visitor;

        // The seed course's own page lists only dates still to come.
        await visit(page, e2e.url('/courses/trauma-informed-co-production'));
        expect((await page.locator('h1').textContent())?.trim()).toBe('Trauma Informed Co-Production');
        const upcoming = page.locator('main .trellis-session-card__title a');
        expect(await upcoming.count()).toBeGreaterThan(0);
        const nextHref = await upcoming.first().getAttribute('href');
        const nextDate = (await upcoming.first().textContent())?.trim();
        expect(await page.locator('main').textContent()).not.toContain('25 November 2024');
        await walk.check();

        // The seed's own date, 25 November 2024, is the first session the demo creates.
        await visit(page, e2e.url('/sessions/1'));
        expect((await page.locator('h1').textContent())?.trim()).toBe('Trauma Informed Co-Production');
        expect(await summaryValue(page, 'Date and time').textContent()).toContain('Monday 25 November 2024');
        const banner = page.locator('.govuk-notification-banner');
        expect(await banner.locator('.govuk-notification-banner__heading').textContent()).toBe(
          'This session has finished.',
        );
        expect((await summaryValue(page, 'Places available').textContent())?.trim()).toBe(
          'No longer available',
        );
        expect(await page.locator('#book a.govuk-button').count()).toBe(0);
        await walk.check();

        // "The next date is …" leads to the course's first upcoming date.
        const nextLink = banner.locator('a[href^="/sessions/"]');
        expect(await nextLink.getAttribute('href')).toBe(nextHref);
        expect((await nextLink.textContent())?.trim()).toBe(nextDate);
        expect(await navigateBy(page, () => nextLink.click())).toBe(200);
        expect(new URL(page.url()).pathname).toBe(nextHref);
        expect((await page.locator('h1').textContent())?.trim()).toBe('Trauma Informed Co-Production');
        expect(await summaryValue(page, 'Date and time').textContent()).toContain(nextDate);
        expect(await page.locator('.govuk-notification-banner').count()).toBe(0);
        expect(await page.locator('#book a.govuk-button').getAttribute('href')).toBe(`${nextHref}/book`);
        await walk.check();
      },
      WALK_TIMEOUT,
    );
  });

  describe('on a phone', () => {
    /** A page at 320px without JavaScript, and a scriptless twin of it for axe. */
    async function phone() {
      const visitor = await e2e.newPage({ viewport: MOBILE_VIEWPORT, javaScriptEnabled: false });
      const twin = await e2e.newPage({ viewport: MOBILE_VIEWPORT });
      await withoutAppScripts(twin.page);
      const check = async () => {
        const url = new URL(visitor.page.url());
        const where = `${url.pathname}${url.search} at 320px`;
        expectNoPageProblems(visitor.problems, where);
        const { scrollWidth, innerWidth } = await horizontalOverflow(visitor.page);
        expect(scrollWidth, `${where} scrolls sideways`).toBeLessThanOrEqual(innerWidth);
        // The twin is loaded only for a structure not yet checked this way (both checks passed).
        await expectNoAxeViolationsOnce(
          visitor.page,
          where,
          async () => {
            await twin.page.goto(visitor.page.url(), { waitUntil: 'load' });
            await expectNoAxeViolations(twin.page, where);
            // axe again with the search and filters opened.
            await twin.page.locator('.trellis-filters-fold > summary').click();
            await expectNoAxeViolations(twin.page, `${where}, filters open`);
          },
          'scriptless twin, folded and with its filters open',
        );
      };
      return { page: visitor.page, check };
    }

    it(
      'shows the results first with the search and filters folded away, and they work without JavaScript',
      async () => {
        const { page, check } = await phone();
        await visit(page, e2e.url('/courses'));
        const toggle = page.locator('summary', { hasText: 'Search and filter courses' });
        const search = page.getByLabel('Search', { exact: true });
        const firstCard = page.locator('#results .trellis-session-card').first();
        expect(await toggle.isVisible()).toBe(true);
        expect(await search.isVisible()).toBe(false);
        // The first result is on the first screen, with nothing of the form above it but the one line.
        const card = (await firstCard.boundingBox())!;
        expect(card.y).toBeLessThan(MOBILE_VIEWPORT.height);
        expect((await toggle.boundingBox())!.y).toBeLessThan(card.y);
        await check();

        await toggle.click();
        expect(await search.isVisible()).toBe(true);
        await search.fill('safeguarding');
        await page.getByLabel('Format', { exact: true }).selectOption({ label: 'Online' });
        const status = await navigateBy(page, () =>
          page.getByRole('button', { name: 'Search courses' }).click(),
        );
        expect(status).toBe(200);
        const url = new URL(page.url());
        expect(url.searchParams.get('q')).toBe('safeguarding');
        expect(url.searchParams.get('format')).toBe('online');

        // Results again come first; the choices are kept for the next change.
        expect(await resultCount(page)).toBeGreaterThan(0);
        expect(await search.isVisible()).toBe(false);
        const where = await page
          .locator('#results .trellis-session-card div:has(> dt:text-is("Where")) > dd')
          .allTextContents();
        expect(where.length).toBeGreaterThan(0);
        for (const text of where) expect(text.trim()).toMatch(/^Online$| or online$/);
        await toggle.click();
        expect(await search.inputValue()).toBe('safeguarding');
        expect(await page.getByLabel('Format', { exact: true }).inputValue()).toBe('online');
        await check();
      },
      WALK_TIMEOUT,
    );

    it(
      'shows the search and filters open when a choice needs changing',
      async () => {
        const { page, check } = await phone();
        await visit(page, e2e.url('/courses?month=2026-13'), 400);
        expect(await page.locator('#month').isVisible()).toBe(true);
        await page.locator('.govuk-error-summary a[href="#month"]').click();
        expect(await page.evaluate<string>('document.activeElement ? document.activeElement.id : ""')).toBe(
          'month',
        );
        await check();
      },
      WALK_TIMEOUT,
    );

    it('shows them open beside the results on a wider screen, with no line to open them', async () => {
      const { page, problems } = await e2e.newPage({ viewport: DESKTOP_VIEWPORT, javaScriptEnabled: false });
      await visit(page, e2e.url('/courses'));
      expect(await page.locator('.trellis-filters-fold > summary').isVisible()).toBe(false);
      expect(await page.getByLabel('Search', { exact: true }).isVisible()).toBe(true);
      const filters = (await page.locator('form.trellis-filters').boundingBox())!;
      const results = (await page.locator('#results').boundingBox())!;
      expect(filters.x + filters.width).toBeLessThan(results.x);
      expect(Math.abs(filters.y - results.y)).toBeLessThan(50);
      expectNoPageProblems(problems, '/courses on a desktop screen');
    });

    it('never breaks a booking reference across lines', async () => {
      const { database, services } = e2e.testApp;
      const [delegate] = await createSignedInDelegates(database.db, services.clock.now(), 1, 'phone');
      const session = await database.db
        .selectFrom('sessions')
        .where('starts_at', '>', services.clock.now().toISOString())
        .where('format', '=', 'in_person')
        // One with places, so the page shows the confirmed booking's panel.
        .where('capacity', '>', (eb) =>
          eb
            .selectFrom('bookings')
            .whereRef('bookings.session_id', '=', 'sessions.id')
            .where('bookings.state', 'in', ['confirmed', 'offered'])
            .select(eb.fn.countAll<number>().as('held')),
        )
        .select('id')
        .orderBy('starts_at')
        .executeTakeFirstOrThrow();
      const booked = await services.bookings.book(delegate!.id, session.id, {
        accessNeeds: null,
        dietaryNeeds: null,
        consent: false,
      });
      expect(booked.state).toBe('confirmed');
      const { page, context, problems } = await e2e.newPage({ viewport: MOBILE_VIEWPORT });
      // Signed in as the app signs in: its public address is https, so the cookie has the __Host- prefix.
      await context.addCookies([
        {
          name: '__Host-trellis_session',
          value: delegate!.sessionSecret,
          // Chromium sends secure cookies to 127.0.0.1 over http, but only sets them for an https address.
          url: e2e.baseUrl.replace(/^http:/, 'https:'),
        },
      ]);
      for (const path of ['/bookings', `/bookings/${booked.reference}`]) {
        await visit(page, e2e.url(path));
        const shown = page.locator('.trellis-reference');
        expect(await shown.count(), path).toBeGreaterThan(0);
        for (const element of await shown.all()) {
          const { lines, whiteSpace, right } = await element.evaluate((el) => ({
            lines: new Set([...el.getClientRects()].map((rect) => Math.round(rect.top))).size,
            whiteSpace: el.ownerDocument.defaultView?.getComputedStyle(el).whiteSpace,
            right: el.getBoundingClientRect().right,
          }));
          expect(whiteSpace, path).toBe('nowrap');
          expect(lines, path).toBe(1);
          // Kept whole, and still on the screen.
          expect(right, path).toBeLessThanOrEqual(MOBILE_VIEWPORT.width);
        }
        await expectNoAxeViolations(page, `${path} at 320px`);
      }
      expectNoPageProblems(problems, 'booking pages at 320px');
    });
  });
});

/** The number in the results heading ("16 upcoming sessions"). */
async function resultCount(page: Page): Promise<number> {
  const heading = (await page.locator('#results h2').first().textContent()) ?? '';
  const match = /(\d+) upcoming sessions?/.exec(heading);
  return match ? Number(match[1]) : 0;
}

/** A visitor's page, and how every page it reaches is checked. */
class Walk {
  constructor(
    private readonly e2e: E2E,
    readonly visitor: WatchedPage,
    /** Without JavaScript: a page that renders the same URL scriptless for axe. */
    private readonly twin: WatchedPage | null,
    private readonly javaScriptEnabled: boolean,
  ) {}

  async check(): Promise<void> {
    const { page, problems } = this.visitor;
    const url = new URL(page.url());
    const where = url.pathname + url.search;
    const bodyClass = (await page.locator('body').getAttribute('class')) ?? '';
    if (this.javaScriptEnabled) {
      // The app's script ran (the content security policy let it).
      expect(bodyClass).toContain('govuk-frontend-supported');
      expectNoPageProblems(problems, where);
      await expectNoAxeViolations(page, where);
      return;
    }
    expect(bodyClass).not.toContain('js-enabled');
    expectNoPageProblems(problems, where);
    const twin = this.twin;
    if (!twin) throw new Error('no scriptless page to check with axe');
    await expectScriptlessTwinPasses(page, `${where} (as shown without JavaScript)`, async () => {
      await twin.page.goto(this.e2e.url(where), { waitUntil: 'load' });
      expect((await twin.page.locator('body').getAttribute('class')) ?? '').not.toContain('js-enabled');
      return twin.page;
    });
    expectNoPageProblems(twin.problems, `${where} (as shown without JavaScript)`);
  }
}
