/**
 * Courses, venues and trainers in the back office, in Chromium: axe on every
 * page (with and without errors, and the Markdown preview), and no sideways
 * scrolling on a phone-sized screen.
 */
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import {
  expectNoAxeViolations,
  expectNoPageProblems,
  horizontalOverflow,
  type PageProblems,
  MOBILE_VIEWPORT,
  useE2E,
  visit,
} from './support.js';

describe.runIf(inject('chromiumAvailable'))('back office: courses, venues and trainers, in a browser', () => {
  const e2e = useE2E();

  async function signInCoordinator(page: Page) {
    const email = `coordinator.${Date.now()}@hub.example.org.uk`;
    const password = 'a coordinator passphrase';
    await e2e.testApp.services.staff.create(
      { name: 'Cora Coordinator', email, role: 'coordinator' },
      password,
    );
    await page.goto(e2e.url('/admin/sign-in'));
    await page.getByLabel('Email address', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await Promise.all([
      page.waitForURL('**/admin/enrol'),
      page.getByRole('button', { name: /sign in|continue/i }).click(),
    ]);
    const secret = ((await page.locator('#setup-key').textContent()) ?? '').replace(/\s/g, '');
    const code = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
      timestamp: e2e.testApp.services.clock.now().getTime(),
    });
    await page.getByLabel(/code/i).first().fill(code);
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: /confirm|continue|set up/i }).click(),
    ]);
  }

  let page: Page;
  let problems: PageProblems;
  let paths: { courses: string[]; others: string[] };
  beforeAll(async () => {
    ({ page, problems } = await e2e.newPage());
    await signInCoordinator(page);
    const db = e2e.testApp.database.db;
    const course = await db
      .selectFrom('courses')
      .where('slug', '=', 'trauma-informed-co-production')
      .select('id')
      .executeTakeFirstOrThrow();
    const venue = await db.selectFrom('venues').select('id').orderBy('id').executeTakeFirstOrThrow();
    const trainer = await db.selectFrom('trainers').select('id').orderBy('id').executeTakeFirstOrThrow();
    paths = {
      courses: [
        '/admin/courses',
        '/admin/courses?status=all&q=trauma',
        '/admin/courses/new',
        `/admin/courses/${course.id}`,
        `/admin/courses/${course.id}/edit`,
      ],
      others: [
        '/admin/venues',
        '/admin/venues/new',
        `/admin/venues/${venue.id}/edit`,
        '/admin/trainers',
        '/admin/trainers/new',
        `/admin/trainers/${trainer.id}/edit`,
      ],
    };
  });
  afterAll(() => expectNoPageProblems(problems, 'the programme pages'));

  it('course pages have no axe violations', async () => {
    for (const path of paths.courses) {
      await visit(page, e2e.url(path));
      await expectNoAxeViolations(page, path);
    }
  });

  it('venue and trainer pages have no axe violations', async () => {
    for (const path of paths.others) {
      await visit(page, e2e.url(path));
      await expectNoAxeViolations(page, path);
    }
  });

  it('the course form with errors and with a preview has no axe violations, and keeps what was typed', async () => {
    await visit(page, e2e.url('/admin/courses/new'));
    await page.getByLabel('CPD hours', { exact: true }).fill('2.25');
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: 'Save course' }).click(),
    ]);
    expect(await page.locator('.govuk-error-summary').count()).toBe(1);
    await expectNoAxeViolations(page, 'course form with errors');
    await page.getByLabel('Description (optional)', { exact: true }).fill('## Heading\n\n* **One**\n* Two');
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: 'Preview description' }).click(),
    ]);
    expect(await page.locator('#preview-heading').textContent()).toBe('Preview');
    expect(await page.getByLabel('CPD hours', { exact: true }).inputValue()).toBe('2.25');
    await expectNoAxeViolations(page, 'course form with a preview');
  });

  it('a refused archive, and venue and trainer forms with errors, have no axe violations', async () => {
    await visit(page, e2e.url(paths.courses[3]!));
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Archive' }).click()]);
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('cannot be archived yet');
    await expectNoAxeViolations(page, 'archiving refused');
    await visit(page, e2e.url('/admin/venues/new'));
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: 'Save venue' }).click(),
    ]);
    await expectNoAxeViolations(page, 'venue form with errors');
    await visit(page, e2e.url('/admin/trainers/new'));
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: 'Save trainer' }).click(),
    ]);
    await expectNoAxeViolations(page, 'trainer form with errors');
  });

  it('no page scrolls sideways on a phone-sized screen', async () => {
    await page.setViewportSize(MOBILE_VIEWPORT);
    for (const path of [...paths.courses, ...paths.others]) {
      await visit(page, e2e.url(path));
      const { scrollWidth, innerWidth } = await horizontalOverflow(page);
      expect(scrollWidth, `${path} scrolls sideways at ${innerWidth}px`).toBeLessThanOrEqual(innerWidth);
    }
  });
});
