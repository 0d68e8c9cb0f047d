/**
 * The coordinator's screens on a phone (320px wide), in Chromium with axe:
 * attendance as a compact table and marking everyone not yet marked (asked
 * first), the session form's GOV.UK date inputs and typed times, the
 * exports' dates, success banners above the heading, and the staff
 * sign-in's error summary saying each thing once.
 *
 * The app's clock is the test's: "today" is Monday 12 January 2026, 9am.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';

import { staffInBrowser } from './staffSupport.js';
import {
  expectNoAxeViolations,
  expectNoPageProblems,
  horizontalOverflow,
  MOBILE_VIEWPORT,
  useE2E,
  visit,
} from './support.js';

const screenshots = process.env.E2E_SCREENSHOTS === '1';

async function press(page: Page, name: string | RegExp): Promise<void> {
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name }).first().click()]);
}

/** Fails when the page is wider than the window (it would scroll sideways). */
async function expectNoSidewaysScroll(page: Page, where: string): Promise<void> {
  const { scrollWidth, innerWidth } = await horizontalOverflow(page);
  expect(innerWidth).toBe(MOBILE_VIEWPORT.width);
  expect(scrollWidth, `${where} is ${scrollWidth}px wide in a ${innerWidth}px window`).toBeLessThanOrEqual(
    innerWidth,
  );
}

/** Whether the page's success banner is drawn above its h1. */
async function bannerAboveHeading(page: Page): Promise<boolean> {
  // Waits for both, then measures both in one step in the page: two separate
  // measurements could straddle a scroll or a late layout on a busy machine.
  await page.locator('.govuk-notification-banner--success').waitFor();
  await page.locator('h1').first().waitFor();
  return page.evaluate<boolean>(
    `(() => {
      const banner = document.querySelector('.govuk-notification-banner--success');
      const heading = document.querySelector('h1');
      return Boolean(banner && heading && (banner.compareDocumentPosition(heading) & Node.DOCUMENT_POSITION_FOLLOWING)
        && banner.getBoundingClientRect().bottom <= heading.getBoundingClientRect().top);
    })()`,
  );
}

describe.runIf(inject('chromiumAvailable'))("the coordinator's screens, on a phone", () => {
  const e2e = useE2E();

  it('attendance: a compact table, and everyone not yet marked marked as attended after a confirm page', async () => {
    const db = e2e.testApp.database.db;
    // The demo's 2024 session of Lisa Cherry's course: over, 40 confirmed.
    const past = await db
      .selectFrom('sessions')
      .where('starts_at', '<', '2025-01-01')
      .select('id')
      .orderBy('starts_at')
      .executeTakeFirstOrThrow();
    const { page, problems } = await staffInBrowser(e2e, 'coordinator');
    await page.setViewportSize(MOBILE_VIEWPORT);
    const url = e2e.url(`/admin/sessions/${past.id}/attendance`);
    await visit(page, url);
    expect(await page.locator('main form table.trellis-attendance-table tbody tr').count()).toBeGreaterThan(
      10,
    );
    await expectNoSidewaysScroll(page, 'attendance');
    await expectNoAxeViolations(page, 'attendance (320px)');
    if (screenshots) {
      await page.locator('main form table tbody tr').first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: '/tmp/e2e-attendance-320.png' });
    }

    // One delegate marked by hand first: that mark stays.
    const first = page.locator('main form table tbody tr').first();
    const firstName = ((await first.locator('th').textContent()) ?? '').trim().split('\n')[0]!.trim();
    await first.getByLabel('Did not attend', { exact: true }).check();
    await press(page, 'Save attendance');
    expect(await bannerAboveHeading(page)).toBe(true);

    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: 'Mark everyone not yet marked as attended' }).click(),
    ]);
    expect(await page.locator('h1').textContent()).toBe('Are you sure?');
    expect(await page.locator('main').textContent()).toMatch(/\d+ delegates will be marked as attended\./);
    await expectNoSidewaysScroll(page, 'the confirm page');
    await expectNoAxeViolations(page, 'mark everyone: are you sure? (320px)');
    if (screenshots) await page.screenshot({ path: '/tmp/e2e-mark-everyone-320.png' });
    await press(page, /^Yes, mark \d+ delegates as attended$/);

    expect(new URL(page.url()).search).toMatch(/^\?marked=\d+$/);
    expect(await page.locator('.govuk-notification-banner--success').textContent()).toMatch(
      /\d+ delegates marked as attended/,
    );
    expect(await bannerAboveHeading(page)).toBe(true);
    await expectNoSidewaysScroll(page, 'attendance after marking everyone');
    await expectNoAxeViolations(page, 'attendance after marking everyone (320px)');
    if (screenshots) {
      await page.setViewportSize({ width: 1024, height: 900 });
      await page.locator('main form table').scrollIntoViewIfNeeded();
      await page.screenshot({ path: '/tmp/e2e-attendance-desktop.png' });
      await page.setViewportSize(MOBILE_VIEWPORT);
    }
    const row = page.locator('main form table tbody tr').filter({ hasText: firstName }).first();
    expect(await row.getByLabel('Did not attend', { exact: true }).isChecked()).toBe(true);
    expectNoPageProblems(problems, 'attendance');
  }, 120_000);

  it('the session form: GOV.UK date inputs, times as people say them, one message a date', async () => {
    const { page, problems } = await staffInBrowser(e2e, 'coordinator');
    await page.setViewportSize(MOBILE_VIEWPORT);
    await visit(page, e2e.url('/admin/sessions/new'));
    await expectNoSidewaysScroll(page, 'the session form');
    await page.locator('#courseId').selectOption({ index: 1 });
    await page.getByLabel('In person', { exact: true }).check();
    await page.locator('#venueId').selectOption({ index: 1 });
    await page.getByLabel('Capacity', { exact: true }).fill('20');
    const part = page.getByRole('group', { name: 'Date of part 1' });
    await part.getByLabel('Day').fill('10');
    await part.getByLabel('Year').fill('2026');
    await page.locator('#part-1-start').fill('9:30am');
    await page.locator('#part-1-end').fill('13pm');
    await press(page, 'Schedule session');

    const summary = page.locator('.govuk-error-summary');
    expect(await summary.locator('a').allTextContents()).toEqual([
      'The date of part 1 must include a month',
      'Enter the time part 1 ends as a real time, like 9:30am or 14:00',
    ]);
    // Only the month box is highlighted; what was typed stays.
    expect(
      await page.locator('#part-1-date .govuk-input--error').evaluateAll((els) => els.map((e) => e.id)),
    ).toEqual(['part-1-date-month']);
    expect(await page.locator('#part-1-start').inputValue()).toBe('9:30am');
    await expectNoSidewaysScroll(page, 'the session form with errors');
    await expectNoAxeViolations(page, 'the session form with errors (320px)');
    if (screenshots) await page.screenshot({ path: '/tmp/e2e-session-form-320.png', fullPage: true });

    // The summary's link goes to the box to correct.
    await summary.getByRole('link', { name: /must include a month/ }).click();
    expect(await page.evaluate('document.activeElement.id')).toBe('part-1-date-month');
    await page.locator('#part-1-date-month').fill('3');
    await page.locator('#part-1-end').fill('12:30pm');
    await press(page, 'Schedule session');
    expect(new URL(page.url()).search).toBe('?done=scheduled');
    expect(await bannerAboveHeading(page)).toBe(true);
    expect(await page.locator('main').textContent()).toMatch(/Tuesday 10 March 2026\s*9:30am to 12:30pm/);
    expectNoPageProblems(problems, 'the session form');
  }, 120_000);

  it('exports: dates in three boxes, refused with one message a date', async () => {
    const { page, problems } = await staffInBrowser(e2e, 'coordinator');
    await page.setViewportSize(MOBILE_VIEWPORT);
    await visit(page, e2e.url('/admin/exports'));
    await expectNoSidewaysScroll(page, 'exports');
    await expectNoAxeViolations(page, 'exports (320px)');
    const last = page.getByRole('group', { name: 'Last date' });
    await last.getByLabel('Day').fill('31');
    await last.getByLabel('Month').fill('2');
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: 'Download (CSV)' }).click(),
    ]);
    expect(await page.locator('.govuk-error-summary a').allTextContents()).toEqual([
      'The last date must be a real date',
    ]);
    expect(await page.locator('#to .govuk-input--error').evaluateAll((els) => els.map((e) => e.id))).toEqual([
      'to-day',
    ]);
    await expectNoAxeViolations(page, 'exports with an error (320px)');
    expectNoPageProblems(problems, 'exports');
  }, 120_000);

  it('staff sign-in: a wrong password is said once in the summary and once by the field', async () => {
    const email = 'sign.in.once@hub.example.org.uk';
    await e2e.testApp.services.staff.create(
      { name: 'Sid Signin', email, role: 'coordinator' },
      'the right staff passphrase',
    );
    const { page, problems } = await e2e.newPage({ viewport: MOBILE_VIEWPORT });
    await visit(page, e2e.url('/admin/sign-in'));
    await page.getByLabel('Email address', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill('the wrong passphrase');
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: 'Continue' }).click(),
    ]);
    expect(await page.locator('.govuk-error-summary li').allTextContents()).toHaveLength(1);
    const said = ((await page.locator('main').textContent()) ?? '').split(
      'Enter a correct email address and password',
    ).length;
    expect(said - 1).toBe(2);
    await expectNoAxeViolations(page, 'staff sign-in with an error (320px)');
    expectNoPageProblems(problems, 'staff sign-in');
  }, 60_000);
});
