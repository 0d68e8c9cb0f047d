/**
 * A quote from feedback, from the delegate's consent to the course page and
 * off it again: a coordinator shows it, a visitor sees it, the delegate
 * withdraws it and the next visit no longer has it. Then the staff page of a
 * session's feedback answers, with its three-month follow-up answers from the
 * delegate and their line manager, checked with axe, with JavaScript and
 * without.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';

import { FollowUpRepository } from '../../src/data/repositories/afterCourse/followUpRepository.js';
import { TEST_NOW } from '../support/app.js';
import { finishedSession, placeTaken, SEED_COURSE_SLUG as SLUG } from '../support/finishedSessions.js';
import { navigateFollowingRedirects } from './accountSupport.js';
import { staffInBrowser } from './staffSupport.js';
import {
  expectNoAxeViolations,
  expectNoPageProblems,
  useE2E,
  visit,
  withoutAppScripts,
  BROWSER_HANG_TIMEOUT,
} from './support.js';

const HOUR = 60 * 60 * 1000;
const QUOTE = 'I now ask people what would help, before I decide.';
const DELEGATE_EXAMPLE = 'I write down what the person told me in their own words.';
const MANAGER_EXAMPLE = 'She now talks the team through each referral.';
const TIMEOUT = BROWSER_HANG_TIMEOUT;

describe.runIf(inject('chromiumAvailable'))('quotes from feedback on the course page', () => {
  const e2e = useE2E();
  let sessionId: number;
  let courseId: number;
  let reference: string;
  let delegateSecret: string;

  beforeAll(async () => {
    const db = e2e.testApp.database.db;
    const session = await finishedSession(
      db,
      new Date(new Date(TEST_NOW).getTime() - 24 * HOUR),
      new Date(TEST_NOW),
    );
    sessionId = session.sessionId;
    courseId = session.courseId;
    const place = await placeTaken(db, sessionId, new Date(TEST_NOW), 'quotes', { attended: true });
    const delegate = place.delegate;
    await db.updateTable('delegates').set({ name: 'Priya Shah' }).where('id', '=', delegate.id).execute();
    delegateSecret = delegate.sessionSecret;
    reference = place.reference;
    await e2e.testApp.services.feedback.sendInvitations();
    await e2e.testApp.services.feedback.save(delegate.id, reference, {
      usefulness: '5',
      doDifferently: 'Ask first.',
      hubShouldChange: 'More time for questions.',
      quote: QUOTE,
      quoteConsent: 'name',
    });

    // The three-month follow-up, answered by the delegate and by their line manager.
    const keyArea = await db
      .selectFrom('course_key_areas')
      .where('course_id', '=', courseId)
      .select(['id', 'text'])
      .orderBy('position')
      .executeTakeFirstOrThrow();
    const followUps = new FollowUpRepository(db);
    const expiresAt = new Date(new Date(TEST_NOW).getTime() + 30 * 24 * HOUR).toISOString();
    for (const [respondent, example] of [
      ['delegate', DELEGATE_EXAMPLE],
      ['line_manager', MANAGER_EXAMPLE],
    ] as const) {
      const requestId = await followUps.claim(
        {
          bookingId: place.bookingId,
          respondent,
          email: `${respondent}.quotes@example.org.uk`,
          name: 'Priya Shah',
        },
        TEST_NOW,
        expiresAt,
      );
      await followUps.saveAnswers(
        requestId!,
        {
          keyAreas: [{ keyAreaId: keyArea.id, keyAreaText: keyArea.text, change: 'a_lot' }],
          example,
          obstacles: '',
        },
        TEST_NOW,
      );
    }
  });

  it(
    'is shown by a coordinator, seen by a visitor, and gone at once when the delegate withdraws it',
    async () => {
      const coordinator = await staffInBrowser(e2e, 'coordinator');
      const { page } = coordinator;
      await visit(page, e2e.url(`/admin/courses/${courseId}/quotes`));
      expect(await page.locator('main').textContent()).toContain(QUOTE);
      expect(await page.locator('main').textContent()).toContain('Priya Shah, Social worker');
      await expectNoAxeViolations(page, 'the quotes page');
      expect(
        await navigateFollowingRedirects(page, () =>
          page.getByRole('button', { name: 'Show this quote on the course page' }).first().click(),
        ),
      ).toBe(200);
      expect(await page.locator('.govuk-notification-banner').textContent()).toContain(
        'The quote is now shown on the course page',
      );
      await expectNoAxeViolations(page, 'the quotes page, after showing one');
      expectNoPageProblems(coordinator.problems, 'the quotes page');

      const visitor = await e2e.newPage();
      await visit(visitor.page, e2e.url(`/courses/${SLUG}`));
      const figure = visitor.page.locator('figure.trellis-testimonial', { hasText: QUOTE });
      expect(await figure.locator('figcaption').textContent()).toContain('Priya Shah, Social worker');
      await expectNoAxeViolations(visitor.page, 'the course page with a quote');

      const delegate = await e2e.newPage();
      await delegate.context.addCookies([
        {
          name: '__Host-trellis_session',
          value: delegateSecret,
          url: e2e.baseUrl.replace(/^http:/, 'https:'),
        },
      ]);
      await visit(delegate.page, e2e.url(`/bookings/${reference}/feedback`));
      expect(
        await navigateFollowingRedirects(delegate.page, () =>
          delegate.page.getByRole('button', { name: 'Withdraw my quote' }).click(),
        ),
      ).toBe(200);
      expect(await delegate.page.locator('.govuk-notification-banner').textContent()).toContain(
        'You have withdrawn your quote',
      );

      await visit(visitor.page, e2e.url(`/courses/${SLUG}`));
      expect(await visitor.page.locator('main').textContent()).not.toContain(QUOTE);
      await visit(visitor.page, e2e.url(`/sessions/${sessionId}`));
      expect(await visitor.page.locator('main').textContent()).not.toContain(QUOTE);
      expectNoPageProblems(visitor.problems, 'the course page');

      await visit(page, e2e.url(`/admin/courses/${courseId}/quotes`));
      expect(await page.locator('main').textContent()).toContain('Withdrawn by the delegate');
      expect(await page.getByRole('button', { name: /Show this quote/ }).count()).toBe(0);
      await expectNoAxeViolations(page, 'the quotes page, after a withdrawal');
    },
    TIMEOUT,
  );

  it(
    'shows a session’s feedback and follow-up answers to staff, with axe, with JavaScript and without',
    async () => {
      const viewer = await staffInBrowser(e2e, 'viewer');
      const where = `/admin/sessions/${sessionId}/feedback`;
      await visit(viewer.page, e2e.url(where));
      const text = (await viewer.page.locator('main').textContent()) ?? '';
      expect(text).toContain('Ask first.');
      expect(text).toContain('too few to read into');
      expect(text).not.toContain('Priya Shah');
      expect(text).toContain('Three-month follow-up');
      expect(text).toContain(DELEGATE_EXAMPLE);
      expect(text).toContain(MANAGER_EXAMPLE);
      await expectNoAxeViolations(viewer.page, where);
      expectNoPageProblems(viewer.problems, where);

      // Without JavaScript: the same staff session in a browser with script off…
      const scriptless = await e2e.newPage({ javaScriptEnabled: false });
      await scriptless.context.addCookies(await viewer.context.cookies());
      await visit(scriptless.page, e2e.url(where));
      const withoutScript = (await scriptless.page.locator('main').textContent()) ?? '';
      expect(withoutScript).toContain('More time for questions.');
      expect(withoutScript).toContain(MANAGER_EXAMPLE);
      // …and axe on the page as it is drawn without the app's script (axe itself needs script).
      const twin = await e2e.newPage();
      await withoutAppScripts(twin.page);
      await twin.context.addCookies(await viewer.context.cookies());
      await visit(twin.page, e2e.url(where));
      await expectNoAxeViolations(twin.page, `${where} (as shown without JavaScript)`);

      const coordinator = await staffInBrowser(e2e, 'coordinator');
      await visit(coordinator.page, e2e.url(where));
      const named = (await coordinator.page.locator('main').textContent()) ?? '';
      expect(named).toContain('Priya Shah');
      expect(named).toContain('Line manager of Priya Shah');
      expect(named).toContain(DELEGATE_EXAMPLE);
      await expectNoAxeViolations(coordinator.page, `${where} (with names)`);
    },
    TIMEOUT,
  );
});
