/**
 * The site by keyboard alone: skip the navigation, search, open a session,
 * and always see where focus is.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';

import {
  MOBILE_VIEWPORT,
  expectNoPageProblems,
  focusedElement,
  hasVisibleFocusStyle,
  navigateBy,
  tabUntil,
  useE2E,
  visit,
  type FocusedElement,
} from './support.js';

describe.runIf(inject('chromiumAvailable'))('keyboard use', () => {
  const e2e = useE2E();

  describe.each([
    { mode: 'with JavaScript', javaScriptEnabled: true },
    { mode: 'without JavaScript', javaScriptEnabled: false },
  ])('$mode', ({ javaScriptEnabled }) => {
    it('the first Tab focuses "Skip to main content", and Enter skips to the main content', async () => {
      const { page, problems } = await e2e.newPage({ javaScriptEnabled });
      await visit(page, e2e.url('/courses'));

      await page.keyboard.press('Tab');
      const skip = await focusedElement(page);
      expect(skip?.text).toBe('Skip to main content');
      expect(skip?.href).toBe('#main-content');
      expect(skip?.onScreen, 'the skip link shows when focused').toBe(true);
      expect(skip && hasVisibleFocusStyle(skip), describeFocus(skip)).toBe(true);

      await page.keyboard.press('Enter');
      await expect.poll(() => new URL(page.url()).hash).toBe('#main-content');
      if (javaScriptEnabled) {
        // GOV.UK Frontend's skip link moves focus itself, so screen readers follow.
        await expect.poll(async () => (await focusedElement(page))?.id).toBe('main-content');
      }
      // Either way, the next Tab lands in the main content: the search box.
      await page.keyboard.press('Tab');
      const next = await focusedElement(page);
      expect(next?.inMain, `after skipping, Tab went to ${next?.label}`).toBe(true);
      expect(next?.id).toBe('q');
      expectNoPageProblems(problems, '/courses');
    });

    it('searches, and opens a session, from the keyboard', async () => {
      const { page, problems } = await e2e.newPage({ javaScriptEnabled });
      await visit(page, e2e.url('/courses'));

      const search = await tabUntil(page, (focused) => focused.id === 'q');
      expect(hasVisibleFocusStyle(search.focused), describeFocus(search.focused)).toBe(true);
      await page.keyboard.type('exploitation');
      const status = await navigateBy(page, () => page.keyboard.press('Enter'));
      expect(status).toBe(200);
      expect(new URL(page.url()).searchParams.get('q')).toBe('exploitation');
      expect(await page.locator('#q').inputValue()).toBe('exploitation');

      const titles = (await page.locator('#results .trellis-session-card__title a').allTextContents()).map(
        (text) => text.trim(),
      );
      expect(titles.length).toBeGreaterThan(0);
      expect(await page.locator('#results h2').first().textContent()).toContain(
        `${titles.length} upcoming session`,
      );
      expect(
        titles.some((title) => /exploitation/i.test(title)),
        titles.join('\n'),
      ).toBe(true);

      // Tab on to the first session in the results and open it with Enter.
      const link = await tabUntil(page, (focused) => /^\/sessions\/\d+$/.test(focused.href ?? ''));
      expect(link.focused.inMain).toBe(true);
      expect(link.focused.onScreen).toBe(true);
      expect(hasVisibleFocusStyle(link.focused), describeFocus(link.focused)).toBe(true);
      const href = link.focused.href ?? '';
      const firstHref = await page
        .locator('#results .trellis-session-card__title a')
        .first()
        .getAttribute('href');
      expect(href).toBe(firstHref);
      expect(await navigateBy(page, () => page.keyboard.press('Enter'))).toBe(200);
      expect(new URL(page.url()).pathname).toBe(href);
      const h1 = ((await page.locator('h1').textContent()) ?? '').trim();
      expect(titles[0]?.startsWith(h1)).toBe(true);
      expectNoPageProblems(problems, 'the keyboard search');
    });
  });

  it('opens the menu on a phone from the keyboard', async () => {
    const { page, problems } = await e2e.newPage({ viewport: MOBILE_VIEWPORT });
    await visit(page, e2e.url('/courses'));
    const menu = page.getByRole('button', { name: 'Menu' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await page.locator('#navigation').isVisible()).toBe(false);

    const toggle = await tabUntil(page, (focused) => focused.tag === 'button' && focused.text === 'Menu', 5);
    expect(hasVisibleFocusStyle(toggle.focused), describeFocus(toggle.focused)).toBe(true);
    await page.keyboard.press('Enter');
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    expect(await page.locator('#navigation').isVisible()).toBe(true);

    await page.keyboard.press('Tab');
    const courses = await focusedElement(page);
    expect(courses?.href).toBe('/courses');
    expect(courses?.text).toBe('Courses');
    const venues = await tabUntil(page, (focused) => focused.href === '/venues', 2);
    expect(await navigateBy(page, () => page.keyboard.press('Enter'))).toBe(200);
    expect(venues.focused.onScreen).toBe(true);
    expect(new URL(page.url()).pathname).toBe('/venues');
    expectNoPageProblems(problems, 'the menu at 320px');
  });

  describe('every element Tab reaches shows that it has focus', () => {
    const pages = [
      { name: 'the catalogue', path: '/courses' },
      { name: 'the catalogue, second page', path: '/courses?page=2' },
      { name: 'the catalogue with an error summary', path: '/courses?month=2026-13', status: 400 },
      { name: 'a session that has finished', path: '/sessions/1' },
      { name: 'a session with places', path: '/sessions/2' },
      { name: 'a booking page', path: '/sessions/2/book' },
      { name: 'a trainer', path: '/trainers/lisa-cherry' },
      { name: 'a page that does not exist', path: '/sessions/999999', status: 404 },
    ];

    it.each(pages)('$name, on a desktop screen', async ({ path, status }) => {
      const { page, problems } = await e2e.newPage();
      await visit(page, e2e.url(path), status ?? 200);
      await expectFocusAlwaysVisible(page, path);
      expectNoPageProblems(problems, path);
    });

    it('the catalogue, at 320px wide', async () => {
      const { page, problems } = await e2e.newPage({ viewport: MOBILE_VIEWPORT });
      await visit(page, e2e.url('/courses'));
      await expectFocusAlwaysVisible(page, '/courses at 320px');
      expectNoPageProblems(problems, '/courses at 320px');
    });
  });
});

/**
 * Tabs through the whole page, from the top until focus leaves it, and fails
 * listing every element whose focus cannot be seen.
 */
async function expectFocusAlwaysVisible(page: Page, where: string): Promise<void> {
  const failures: string[] = [];
  const seen = new Set<string>();
  let count = 0;
  for (let presses = 0; presses < 250; presses++) {
    await page.keyboard.press('Tab');
    const focused = await focusedElement(page);
    if (!focused) break; // focus has left the page
    if (seen.has(focused.label) && count > 0 && focused.text === 'Skip to main content') break;
    seen.add(focused.label);
    count++;
    if (!focused.onScreen) failures.push(`${focused.label}: focused but not on screen`);
    else if (!hasVisibleFocusStyle(focused)) failures.push(describeFocus(focused));
  }
  expect(count, `Tab reached nothing on ${where}`).toBeGreaterThan(5);
  expect(failures, `Focus cannot be seen on ${where}:\n${failures.join('\n')}`).toEqual([]);
}

function describeFocus(focused: FocusedElement | null): string {
  if (!focused) return 'nothing has focus';
  const f = focused.focused;
  const u = focused.unfocused;
  return (
    `${focused.label} (indicator on ${focused.indicatorOn}): focused outline ${f.outline}, box-shadow ${f.boxShadow}, ` +
    `background ${f.backgroundColor}; unfocused outline ${u.outline}, box-shadow ${u.boxShadow}, background ${u.backgroundColor}`
  );
}
