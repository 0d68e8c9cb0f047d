/**
 * The back office as a coordinator and a trainer use it, in Chromium, with
 * axe on every page on the way:
 *
 *   coordinator: signs in with an authenticator code → creates a course →
 *   schedules two sessions of it → (a delegate books the later one from the
 *   public site) → moves the booking to the earlier one → marks attendance
 *   once it has started → downloads the register as CSV;
 *
 *   trainer: marks attendance on their own session, and gets "page not
 *   found" for another trainer's session and for every page they may not use.
 *
 * The app's clock is the test's: "today" is Monday 12 January 2026, 9am.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';

import { TEST_NOW } from '../support/app.js';
import { settableClock } from '../support/clock.js';
import { RULES } from '../integration/admin-rules/index.js';
import { h1, Journey, newDelegate, pathOf, registerVerifyAndSignIn } from './accountSupport.js';
import { staffInBrowser } from './staffSupport.js';
import {
  expectNoAxeViolations,
  expectNoPageProblems,
  useE2E,
  visit,
  BROWSER_HANG_TIMEOUT,
} from './support.js';

const COURSE = 'Working with Families Affected by Parental Substance Use';
const TRAINER = { slug: 'lisa-cherry', name: 'Lisa Cherry' };
const screenshots = process.env.E2E_SCREENSHOTS === '1';

async function press(page: Page, name: string): Promise<void> {
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name, exact: true }).click()]);
}

async function banner(page: Page): Promise<string> {
  return ((await page.locator('.govuk-notification-banner').first().textContent()) ?? '').replace(
    /\s+/g,
    ' ',
  );
}

describe.runIf(inject('chromiumAvailable'))('the back office, as a coordinator and a trainer', () => {
  const clock = settableClock(TEST_NOW);
  const e2e = useE2E({ clock });
  let earlierSessionPath = '';

  it('coordinator: course → sessions → a delegate books → move → attendance → register CSV', async () => {
    const { page, problems } = await staffInBrowser(e2e, 'coordinator', { name: 'Cora Coordinator' });
    page.setDefaultTimeout(15_000);
    await expectNoAxeViolations(page, 'dashboard');

    // A new course.
    await visit(page, e2e.url('/admin/courses/new'));
    await page.getByLabel('Title', { exact: true }).fill(COURSE);
    await page
      .getByLabel('Summary', { exact: true })
      .fill('How parental substance use affects children, and how to help.');
    await page.getByLabel('Foundation', { exact: true }).check();
    await page
      .getByLabel('Key areas', { exact: true })
      .fill('Hidden harm\nTalking with parents\nWorking together');
    await page
      .getByLabel('Learning outcomes', { exact: true })
      .fill('Recognise hidden harm\nKnow when to refer');
    await page.getByLabel('CPD hours', { exact: true }).fill('3');
    await press(page, 'Save course');
    expect(await h1(page)).toBe(COURSE);
    expect(await banner(page)).toMatch(/saved|created|added/i);
    await expectNoAxeViolations(page, 'the new course');
    const coursePath = new URL(page.url()).pathname;

    // Two sessions: one next week, and one this morning (taught by the trainer).
    const schedule = async (date: string, start: string, end: string, trainer?: string) => {
      await visit(page, e2e.url(coursePath));
      await Promise.all([
        page.waitForLoadState('load'),
        page
          .getByRole('link', { name: /schedule a session/i })
          .first()
          .click(),
      ]);
      expect(pathOf(page)).toMatch(/^\/admin\/sessions\/new\?courseId=\d+$/);
      await page.getByLabel('In person', { exact: true }).check();
      await page.locator('#venueId').selectOption({ index: 1 });
      await page.getByLabel('Capacity', { exact: true }).fill('12');
      const [year, month, day] = date.split('-');
      await page.locator('#part-1-date-day').fill(day!);
      await page.locator('#part-1-date-month').fill(month!);
      await page.locator('#part-1-date-year').fill(year!);
      await page.locator('#part-1-start').fill(start);
      await page.locator('#part-1-end').fill(end);
      if (trainer) await page.getByLabel(trainer, { exact: true }).check();
      await press(page, 'Schedule session');
      expect(pathOf(page)).toMatch(/^\/admin\/sessions\/\d+\?done=scheduled$/);
      expect(await banner(page)).toMatch(/scheduled/i);
      await expectNoAxeViolations(page, 'a scheduled session');
      return new URL(page.url()).pathname;
    };
    const laterSessionPath = await schedule('2026-01-20', '9:30am', '12:30pm');
    earlierSessionPath = await schedule('2026-01-12', '09:15', 'midday', TRAINER.name);
    const laterId = laterSessionPath.split('/').pop();

    // A delegate books the later one from the public site.
    const delegate = newDelegate('Dana Delegate', 'dana.delegate@partner.example.org.uk');
    const journey = await Journey.start(e2e, true, { axe: false });
    await registerVerifyAndSignIn(e2e, journey, delegate);
    await journey.visit(`/sessions/${laterId}`);
    await journey.go(() =>
      journey.page.locator('#book').getByRole('button', { name: 'Book a place' }).click(),
    );
    await journey.press('Confirm booking');
    expect(pathOf(journey.page)).toMatch(/^\/bookings\/TRL-/);
    const reference = new URL(journey.page.url()).pathname.split('/').pop()!;

    // The coordinator sees the booking and moves it to this morning's session.
    await visit(page, e2e.url(`${laterSessionPath}/bookings`));
    await expectNoAxeViolations(page, "the later session's bookings");
    expect(await page.locator('main').textContent()).toContain('Dana Delegate');
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('link', { name: 'Move the booking of Dana Delegate' }).click(),
    ]);
    expect(await h1(page)).toBe('Move to another date');
    await expectNoAxeViolations(page, 'move a booking');
    await page.getByLabel('Monday 12 January 2026').check();
    await press(page, 'Move the booking');
    expect(await banner(page)).toMatch(/moved/i);
    await expectNoAxeViolations(page, 'a moved booking');
    const moved = await e2e.testApp.database.db
      .selectFrom('bookings')
      .where('reference', '=', reference)
      .select(['session_id', 'state'])
      .executeTakeFirstOrThrow();
    expect(`/admin/sessions/${moved.session_id}`).toBe(earlierSessionPath);
    expect(moved.state).toBe('confirmed');
    const email = await e2e.testApp.database.db
      .selectFrom('outbox_messages')
      .where('to_address', '=', delegate.email)
      .where('kind', '=', 'booking_moved')
      .select(['subject', 'attachments'])
      .executeTakeFirstOrThrow();
    expect(email.attachments).toContain('text/calendar');

    // Twenty minutes on, the session has started: the coordinator marks attendance.
    clock.advance(20 * 60_000);
    await visit(page, e2e.url(`${earlierSessionPath}/register`));
    await expectNoAxeViolations(page, 'the register');
    expect(await page.locator('main').textContent()).toContain('Dana Delegate');
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('link', { name: 'Mark attendance' }).click(),
    ]);
    await expectNoAxeViolations(page, 'marking attendance');
    await page
      .getByRole('group', { name: /Dana Delegate/ })
      .getByLabel('Attended', { exact: true })
      .check();
    await press(page, 'Save attendance');
    expect(await banner(page)).toMatch(/saved/i);
    await expectNoAxeViolations(page, 'attendance saved');
    if (screenshots) await page.screenshot({ path: '/tmp/e2e-attendance.png', fullPage: true });

    // The register as CSV: the delegate, attended, in cells a spreadsheet reads.
    const csv = await page.request.get(e2e.url(`${earlierSessionPath}/register.csv`));
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers()['content-disposition']).toMatch(/^attachment; filename=".+\.csv"/);
    const text = await csv.text();
    expect(text).toContain('Dana Delegate');
    expect(text).toContain(reference);
    expect(text).toMatch(/"Attended"/);
    expectNoPageProblems(problems, "the coordinator's back office");
  }, 240_000);

  it(
    "trainer: marks their own session, and gets 404 for another trainer's session and for other pages",
    async () => {
      expect(earlierSessionPath, 'runs after the coordinator journey').not.toBe('');
      const { page, problems } = await staffInBrowser(e2e, 'trainer', { trainerSlug: TRAINER.slug });
      await visit(page, e2e.url(`${earlierSessionPath}/attendance`));
      await expectNoAxeViolations(page, "attendance on the trainer's own session");
      await page
        .getByRole('group', { name: /Dana Delegate/ })
        .getByLabel('Partly attended', { exact: true })
        .check();
      await press(page, 'Save attendance');
      expect(await banner(page)).toMatch(/saved/i);
      const marks = await e2e.testApp.database.db
        .selectFrom('audit_log')
        .where('action', '=', 'attendance_corrected')
        .select('details')
        .execute();
      expect(marks.length).toBe(1);

      // Another trainer's session, and its pages: not found.
      const trainer = await e2e.testApp.database.db
        .selectFrom('trainers')
        .where('slug', '=', TRAINER.slug)
        .select('id')
        .executeTakeFirstOrThrow();
      const other = await e2e.testApp.database.db
        .selectFrom('sessions')
        .where('id', 'not in', (eb) =>
          eb.selectFrom('session_trainers').where('trainer_id', '=', trainer.id).select('session_id'),
        )
        .select('id')
        .orderBy('id')
        .executeTakeFirstOrThrow();
      for (const path of ['', '/attendance', '/register', '/bookings']) {
        await visit(page, e2e.url(`/admin/sessions/${other.id}${path}`), 404);
      }
      await expectNoAxeViolations(page, 'page not found');
      // Every page a trainer may not use.
      const forbidden = Object.entries(RULES)
        .filter(
          ([route, allowed]) =>
            route.startsWith('GET ') && Array.isArray(allowed) && !allowed.includes('trainer'),
        )
        .map(([route]) => route.replace(/^GET /, ''))
        .filter((route) => !route.includes(':'));
      expect(forbidden.length).toBeGreaterThan(8);
      for (const path of forbidden) await visit(page, e2e.url(path), 404);
      expectNoPageProblems(problems, "the trainer's back office");
    },
    BROWSER_HANG_TIMEOUT,
  );
});
