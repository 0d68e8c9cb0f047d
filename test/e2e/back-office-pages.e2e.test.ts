/**
 * Every back-office page, in Chromium, checked by axe (WCAG 2.2 AA): the
 * table of routes (test/integration/admin-rules/) opened with real sample
 * values, as an administrator (who may open them all) on a desktop screen,
 * and the pages a trainer uses in the room on a phone-sized one.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';

import { RULES } from '../integration/admin-rules/index.js';
import { pathFor, sampleParams, TRAINER_SLUG } from '../support/adminSamples.js';
import { staffInBrowser } from './staffSupport.js';
import { expectNoAxeViolations, expectNoPageProblems, MOBILE_VIEWPORT, useE2E, visit } from './support.js';

/** Opens a back-office address (200 expected); false when it is a download rather than a page. */
async function openPage(page: Page, url: string): Promise<boolean> {
  if (/\.(csv|pdf|json)(\?|$)/.test(url)) {
    const response = await page.request.get(url);
    expect(response.status(), url).toBe(200);
    return false;
  }
  await visit(page, url);
  return true;
}

const pagesFor = (role: 'admin' | 'trainer') =>
  Object.entries(RULES)
    .filter(
      ([route, allowed]) => route.startsWith('GET ') && Array.isArray(allowed) && allowed.includes(role),
    )
    .map(([route]) => route);

describe.runIf(inject('chromiumAvailable'))('back-office pages, in a browser', () => {
  const e2e = useE2E();

  it('every page an administrator can open passes axe', async () => {
    const { page, problems } = await staffInBrowser(e2e, 'admin');
    const samples = await sampleParams(e2e.testApp, true);
    const routes = pagesFor('admin');
    expect(routes.length).toBeGreaterThan(20);
    for (const route of routes) {
      // CSV downloads are files, not pages: only HTML is checked.
      if (!(await openPage(page, e2e.url(pathFor(route, samples))))) continue;
      await expectNoAxeViolations(page, route);
    }
    expectNoPageProblems(problems, 'the back office');
  }, 300_000);

  it("a trainer's pages pass axe on a phone-sized screen", async () => {
    const { page, context, problems } = await staffInBrowser(e2e, 'trainer', { trainerSlug: TRAINER_SLUG });
    await page.setViewportSize(MOBILE_VIEWPORT);
    const samples = await sampleParams(e2e.testApp, true);
    for (const route of pagesFor('trainer')) {
      // CSV downloads are files, not pages: only HTML is checked.
      if (!(await openPage(page, e2e.url(pathFor(route, samples))))) continue;
      await expectNoAxeViolations(page, `${route} (phone)`);
    }
    expectNoPageProblems(problems, "a trainer's back office");
    await context.close();
  }, 300_000);
});
