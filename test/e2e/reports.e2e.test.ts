/**
 * Reports in a browser: a coordinator reaches the year report from the menu,
 * asks for a course's report over a period by keyboard (a wrong date is
 * explained beside its boxes), and prints a report without the menus; a
 * trainer reads their own session's report on a phone. Axe checks each page.
 */
import { describe, expect, inject, it } from 'vitest';

import { sampleParams, TRAINER_SLUG } from '../support/adminSamples.js';
import { staffInBrowser } from './staffSupport.js';
import {
  expectNoAxeViolations,
  expectNoPageProblems,
  horizontalOverflow,
  MOBILE_VIEWPORT,
  useE2E,
  visit,
} from './support.js';

describe.runIf(inject('chromiumAvailable'))('reports, in a browser', () => {
  const e2e = useE2E();

  it('a coordinator reads the year report, chooses a course’s by keyboard, and prints without the menus', async () => {
    const { page, problems } = await staffInBrowser(e2e, 'coordinator');
    await page
      .getByRole('navigation', { name: 'Back office menu' })
      .getByRole('link', { name: 'Reports' })
      .click();
    expect(await page.locator('h1').textContent()).toBe('Year report: April 2025 to March 2026');
    await expectNoAxeViolations(page, 'the year report');

    // Printed, the figures stand alone: no menu, breadcrumbs or links to act on.
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('navigation', { name: 'Back office menu' }).isVisible()).toBe(false);
    expect(await page.getByRole('link', { name: 'Download this report (CSV)' }).isVisible()).toBe(false);
    expect(await page.locator('.govuk-breadcrumbs').isVisible()).toBe(false);
    expect(await page.getByRole('table').first().isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });

    await page.getByRole('link', { name: 'Report on one course over a period you choose' }).click();
    await expectNoAxeViolations(page, 'choosing a course report');
    const course = page.getByLabel('Course');
    await course.focus();
    await course.selectOption({ index: 1 });
    const courseTitle = (await course.locator('option:checked').textContent())!.trim();
    await page.locator('#to-year').fill('2024');
    await page.locator('#to-year').press('Enter');
    expect(await page.locator('.govuk-error-summary').textContent()).toContain(
      'The last date must be the same as or after the first date',
    );
    await expectNoAxeViolations(page, 'a course report with a wrong date');
    await page.locator('#to-year').fill('2026');
    await page.keyboard.press('Tab');
    await page.getByRole('button', { name: 'Show the report' }).press('Enter');
    await page.waitForURL(/\/admin\/reports\/course\?/);
    expect(await page.locator('h1').textContent()).toBe(`Report: ${courseTitle}`);
    await expectNoAxeViolations(page, 'a course report');
    expectNoPageProblems(problems, 'reports');
  }, 120_000);

  it('a trainer reads the report of a session they teach on a phone', async () => {
    const { page, context, problems } = await staffInBrowser(e2e, 'trainer', { trainerSlug: TRAINER_SLUG });
    await page.setViewportSize(MOBILE_VIEWPORT);
    const samples = await sampleParams(e2e.testApp, true);
    await visit(page, e2e.url(`/admin/sessions/${samples.sessionId}`));
    await page.getByRole('link', { name: /^Report/ }).click();
    expect(await page.locator('h1').textContent()).toMatch(/^Report: /);
    await expectNoAxeViolations(page, 'a session report (phone)');
    // Wide tables scroll inside themselves rather than the whole page.
    const { scrollWidth, innerWidth } = await horizontalOverflow(page);
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    expectNoPageProblems(problems, 'a trainer’s session report');
    await context.close();
  }, 120_000);
});
