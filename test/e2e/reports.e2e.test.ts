/**
 * Reports in a browser: a coordinator reaches the year report from the menu,
 * asks for a course's report over a period by keyboard (a wrong date is
 * explained beside its boxes), and prints a report without the menus; a
 * trainer reads their own session's report on a phone. Each report, with its
 * feedback and follow-up charts, is read with JavaScript on and off. Axe
 * checks each page.
 */
import { describe, expect, inject, it } from 'vitest';

import { TEST_NOW, type TestApp } from '../support/app.js';

import { sampleParams, TRAINER_SLUG } from '../support/adminSamples.js';
import { staffInBrowser } from './staffSupport.js';
import {
  expectNoAxeViolations,
  expectNoPageProblems,
  horizontalOverflow,
  MOBILE_VIEWPORT,
  useE2E,
  visit,
  withoutAppScripts,
  BROWSER_HANG_TIMEOUT,
} from './support.js';

/**
 * Feedback from everyone with a place on the reporting year's past sessions
 * who has not answered in the demo's history,
 * as the form stores it, on the course's learning outcomes as worded now and
 * on one worded as it used to be. Returns the session with most answers.
 */
async function feedbackGiven(t: TestApp) {
  const db = t.database.db;
  const places = await db
    .selectFrom('bookings')
    .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
    .where('sessions.starts_at', '>=', '2025-04-01T00:00:00.000Z')
    .where('sessions.starts_at', '<', TEST_NOW)
    .where('sessions.cancelled_at', 'is', null)
    .where('bookings.state', 'in', ['confirmed', 'attended', 'partial', 'did_not_attend'])
    // The demo's own history answered for some places already: these are the others.
    .where('bookings.id', 'not in', (eb) => eb.selectFrom('feedback_responses').select('booking_id'))
    .where('bookings.id', 'not in', (eb) => eb.selectFrom('follow_up_requests').select('booking_id'))
    .select(['bookings.id', 'sessions.id as session_id', 'sessions.course_id'])
    .orderBy('bookings.id')
    .execute();
  expect(places.length).toBeGreaterThan(0);
  // Two courses' worth: the year report shows several, and axe reads every chart in a few seconds.
  const courses = [...new Set(places.map((place) => place.course_id))].slice(0, 2);
  const answers = new Map<number, number>();
  for (const place of places.filter((p) => courses.includes(p.course_id))) {
    const outcomes = await db
      .selectFrom('course_learning_outcomes')
      .where('course_id', '=', place.course_id)
      .select(['id', 'text'])
      .execute();
    await db
      .updateTable('bookings')
      .set({ feedback_invited_at: TEST_NOW })
      .where('id', '=', place.id)
      .execute();
    const { id } = await db
      .insertInto('feedback_responses')
      .values({
        booking_id: place.id,
        usefulness: 1 + (place.id % 5),
        do_differently: '',
        hub_should_change: '',
        quote: '',
        quote_consent: null,
        submitted_at: TEST_NOW,
        updated_at: TEST_NOW,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const asked = [...outcomes, { id: 999_999, text: 'A learning outcome in words no longer asked' }];
    await db
      .insertInto('feedback_outcome_answers')
      .values(
        asked.map((outcome, n) => ({
          response_id: id,
          learning_outcome_id: outcome.id,
          outcome_text: outcome.text,
          confidence_before: 1 + ((place.id + n) % 3),
          confidence_after: 3 + ((place.id + n) % 3),
        })),
      )
      .execute();
    answers.set(place.session_id, (answers.get(place.session_id) ?? 0) + 1);
    await followUpAnswered(t, place.id, place.course_id);
  }
  const [sessionId] = [...answers].sort((a, b) => b[1] - a[1])[0]!;
  const courseId = places.find((place) => place.session_id === sessionId)!.course_id;
  return { sessionId, courseId };
}

/**
 * The three-month follow-up on a place, as the job and the form store it: the
 * delegate and their line manager asked, and each answering on the course's
 * key areas as worded now and on one worded as it used to be (a manager on
 * every other place says the delegate has left instead).
 */
async function followUpAnswered(t: TestApp, bookingId: number, courseId: number) {
  const db = t.database.db;
  const keyAreas = await db
    .selectFrom('course_key_areas')
    .where('course_id', '=', courseId)
    .select(['id', 'text'])
    .execute();
  const asked = [...keyAreas, { id: 999_999, text: 'A key area in words no longer asked' }];
  const changes = ['not_at_all', 'a_little', 'somewhat', 'a_lot', 'not_applicable'] as const;
  for (const respondent of ['delegate', 'line_manager'] as const) {
    const left = respondent === 'line_manager' && bookingId % 2 === 0;
    const { id } = await db
      .insertInto('follow_up_requests')
      .values({
        booking_id: bookingId,
        respondent,
        email: `${respondent}.${bookingId}@example.org.uk`,
        sent_at: TEST_NOW,
        expires_at: TEST_NOW,
        answered_at: TEST_NOW,
        outcome: left ? 'no_longer_works_with' : 'answered',
        example: '',
        obstacles: '',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (left) continue;
    await db
      .insertInto('follow_up_answers')
      .values(
        asked.map((area, n) => ({
          request_id: id,
          key_area_id: area.id,
          key_area_text: area.text,
          practice_change: changes[(bookingId + n) % changes.length]!,
        })),
      )
      .execute();
  }
}

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
    // The follow-up's response rates by agency, for the board, as well as by course.
    for (const name of [
      'Follow-up by course',
      'Follow-up by organisation type',
      'Follow-up by organisation',
    ]) {
      expect(await page.getByRole('table', { name, exact: true }).isVisible(), name).toBe(true);
    }
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

  it(
    'every report shows its feedback and follow-up charts beside their tables, with JavaScript and without, on a phone too',
    async () => {
      const { sessionId, courseId } = await feedbackGiven(e2e.testApp);
      const { page, context, problems } = await staffInBrowser(e2e, 'coordinator');
      // Renders exactly as with JavaScript off (axe cannot run where it is switched off).
      const noScript = await e2e.newPage();
      await withoutAppScripts(noScript.page);
      await noScript.context.addCookies(await context.cookies());
      const phone = await e2e.newPage({ viewport: MOBILE_VIEWPORT });
      await phone.context.addCookies(await context.cookies());
      const reports = [
        { path: '/admin/reports', name: 'the year report' },
        {
          path: `/admin/reports/course?course=${courseId}&from-day=1&from-month=4&from-year=2025&to-day=31&to-month=3&to-year=2026`,
          name: 'a course report',
        },
        { path: `/admin/reports/sessions/${sessionId}`, name: 'a session report' },
      ];
      for (const report of reports) {
        const modes = [
          [{ page, problems }, 'with JavaScript'],
          [noScript, 'without JavaScript'],
          [phone, 'on a phone'],
        ] as const;
        // A phone's is the session report, as a trainer in the room reads it.
        for (const [watched, mode] of modes.filter(
          ([, m]) => m !== 'on a phone' || report.name === 'a session report',
        )) {
          await visit(watched.page, e2e.url(report.path));
          if (mode === 'without JavaScript') {
            expect(await watched.page.locator('body').getAttribute('class')).not.toContain('js-enabled');
          }
          const charts = watched.page.locator('main svg[role="img"]');
          // Usefulness, and at least one learning outcome.
          expect(await charts.count(), `${report.name} ${mode}`).toBeGreaterThanOrEqual(2);
          // Each chart is an image named in words, with its table beside it.
          const pair = watched.page.locator('#feedback .trellis-chart-pair[id^="outcome-"]').first();
          const chart = pair.getByRole('img', { name: /^Confidence before and after the course: / });
          expect(await chart.isVisible()).toBe(true);
          expect(await pair.getByRole('table').isVisible()).toBe(true);
          expect(await watched.page.getByText('No longer asked in these words').first().isVisible()).toBe(
            true,
          );
          // The follow-up: delegates and line managers asked, and a chart beside each key area's table.
          const followUp = watched.page.locator('section#follow-up');
          expect(await followUp.getByRole('table', { name: 'Follow-up in total' }).textContent()).toContain(
            'Line managers',
          );
          const keyArea = followUp.locator('.trellis-chart-pair').first();
          expect(
            await keyArea.getByRole('img', { name: /^Whether practice changed: / }).isVisible(),
            `${report.name} ${mode}`,
          ).toBe(true);
          expect(await keyArea.getByRole('table').isVisible()).toBe(true);
          await expectNoAxeViolations(watched.page, `${report.name} ${mode}`);
          if (mode === 'on a phone') {
            const { scrollWidth, innerWidth } = await horizontalOverflow(watched.page);
            expect(scrollWidth, report.name).toBeLessThanOrEqual(innerWidth);
          }
          expectNoPageProblems(watched.problems, `${report.name} ${mode}`);
        }
      }
      // Printed, the charts keep their size beside their tables.
      await page.emulateMedia({ media: 'print' });
      const box = (await page.locator('main svg[role="img"]').first().boundingBox())!;
      expect(box.width).toBeGreaterThan(250);
      await page.emulateMedia({ media: 'screen' });
    },
    BROWSER_HANG_TIMEOUT,
  );
});
