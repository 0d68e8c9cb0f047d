/**
 * Feedback as a delegate gives it: from the notice in Your bookings to the
 * form, a mistake shown beside its field, the answers saved and the quote
 * withdrawn. Runs with JavaScript and without it, and axe checks every page
 * on the way (without JavaScript, on the same page rendered with the app's
 * script removed, because axe itself needs script to run).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';

import { TEST_NOW } from '../support/app.js';
import { finishedSession, placeTaken } from '../support/finishedSessions.js';
import { navigateFollowingRedirects } from './accountSupport.js';
import {
  expectNoAxeViolations,
  expectNoPageProblems,
  expectScriptlessTwinPasses,
  expectTwinOfPagePasses,
  navigateBy,
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

const WALK_TIMEOUT = BROWSER_HANG_TIMEOUT;
const HOUR = 60 * 60 * 1000;

describe.runIf(inject('chromiumAvailable'))('feedback on the learning outcomes', () => {
  const e2e = useE2E();
  let sessionId: number;
  let courseTitle: string;
  let firstOutcome: string;

  beforeAll(async () => {
    const db = e2e.testApp.database.db;
    // Yesterday's session, so the invitation job picks it up.
    const session = await finishedSession(
      db,
      new Date(new Date(TEST_NOW).getTime() - 24 * HOUR),
      new Date(TEST_NOW),
    );
    sessionId = session.sessionId;
    courseTitle = session.courseTitle;
    const outcome = await db
      .selectFrom('course_learning_outcomes')
      .where('course_id', '=', session.courseId)
      .select('text')
      .orderBy('position')
      .executeTakeFirstOrThrow();
    firstOutcome = outcome.text;
  });

  /** A delegate marked as at yesterday's session and invited by the job; their session cookie. */
  async function invitedDelegate(label: string): Promise<string> {
    const db = e2e.testApp.database.db;
    const { delegate } = await placeTaken(db, sessionId, new Date(TEST_NOW), label, { attended: true });
    expect(await e2e.testApp.services.feedback.sendInvitations()).toBe(1);
    return delegate.sessionSecret;
  }

  describe.each(MODES)('$mode', ({ mode, javaScriptEnabled }) => {
    /** The app's public address is https, so its sign-in cookie has the __Host- prefix. */
    async function signIn(context: BrowserContext, secret: string) {
      await context.addCookies([
        { name: '__Host-trellis_session', value: secret, url: e2e.baseUrl.replace(/^http:/, 'https:') },
      ]);
    }

    it(
      'goes from Your bookings to the form, corrects a mistake, sends feedback and withdraws the quote',
      async () => {
        const secret = await invitedDelegate(`feedback ${mode}`);
        const visitor = await e2e.newPage({ javaScriptEnabled });
        const twin = javaScriptEnabled ? null : await e2e.newPage();
        if (twin) await withoutAppScripts(twin.page);
        for (const context of [visitor.context, twin?.context]) if (context) await signIn(context, secret);
        const walk = new Walk(e2e, visitor, twin, javaScriptEnabled);
        const { page } = visitor;

        await visit(page, e2e.url('/bookings'));
        await walk.check();
        const notice = page.locator('.govuk-notification-banner').getByRole('link', {
          name: new RegExp(`^Give feedback on ${courseTitle}`),
        });
        expect(await navigateBy(page, () => notice.click())).toBe(200);
        expect(await h1(page)).toBe('Tell us how the course went');
        expect(await page.locator('main').textContent()).toContain('You can skip any question');
        await walk.check();

        // The scale is in words, one group for before and one for now, for each outcome.
        const before = page.getByRole('group', { name: groupName('Before the course', firstOutcome) });
        await before.getByLabel('Slightly confident').check();
        await page
          .getByRole('group', { name: groupName('Now', firstOutcome) })
          .getByLabel('Fairly confident')
          .check();
        await page.getByLabel('What is one thing you will do differently?').fill('Ask before assuming.');
        await page.getByLabel('Yes, with my job role').check();
        expect(
          await navigateBy(page, () => page.getByRole('button', { name: 'Send your feedback' }).click()),
        ).toBe(400);
        const summary = page.locator('.govuk-error-summary');
        expect(await summary.getByRole('link').allTextContents()).toEqual([
          'Write the quote we may publish, or choose that we may not publish one',
        ]);
        // What was typed and chosen is kept.
        expect(await page.getByLabel('What is one thing you will do differently?').inputValue()).toBe(
          'Ask before assuming.',
        );
        expect(await before.getByLabel('Slightly confident').isChecked()).toBe(true);
        await walk.checkPosted();

        await page.getByLabel('Your quote').fill('Practical and kind.');
        expect(
          await navigateFollowingRedirects(page, () =>
            page.getByRole('button', { name: 'Send your feedback' }).click(),
          ),
        ).toBe(200);
        expect(await page.locator('.govuk-notification-banner').textContent()).toContain(
          'We have saved your feedback',
        );
        expect(await page.getByRole('button', { name: 'Change your feedback' }).count()).toBe(1);
        await walk.check();

        // The quote can be taken back.
        expect(
          await navigateFollowingRedirects(page, () =>
            page.getByRole('button', { name: 'Withdraw my quote' }).click(),
          ),
        ).toBe(200);
        expect(await page.locator('.govuk-notification-banner').textContent()).toContain(
          'You have withdrawn your quote',
        );
        expect(await page.getByRole('button', { name: 'Withdraw my quote' }).count()).toBe(0);
        await walk.check();
      },
      WALK_TIMEOUT,
    );
  });
});

/** A question's group, named with its learning outcome (Chromium puts a space before the hidden part). */
function groupName(question: string, outcome: string): RegExp {
  return new RegExp(`^${question} ?: ${outcome.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

async function h1(page: Page): Promise<string> {
  return ((await page.locator('h1').textContent()) ?? '').trim();
}

/** A delegate's page, and how every page it reaches is checked. */
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
    await this.checkVisitor(where);
    if (this.javaScriptEnabled) return;
    await expectTwinOfPagePasses(
      page,
      this.twin,
      this.e2e.url(where),
      `${where} (as shown without JavaScript)`,
    );
    expectNoPageProblems(problems, where);
  }

  /**
   * A page answering a post (a form shown again with its errors) cannot be
   * fetched again by address; without JavaScript its HTML is put in the
   * scriptless twin for axe.
   */
  async checkPosted(): Promise<void> {
    const { page } = this.visitor;
    const where = `${new URL(page.url()).pathname} (with errors)`;
    await this.checkVisitor(where);
    if (this.javaScriptEnabled) return;
    const twin = this.twin;
    if (!twin) throw new Error('no scriptless page to check with axe');
    await expectScriptlessTwinPasses(page, `${where} (as shown without JavaScript)`, async () => {
      await twin.page.goto(this.e2e.url('/courses'), { waitUntil: 'load' });
      await twin.page.setContent(await page.content(), { waitUntil: 'load' });
      return twin.page;
    });
  }

  private async checkVisitor(where: string): Promise<void> {
    const { page, problems } = this.visitor;
    const bodyClass = (await page.locator('body').getAttribute('class')) ?? '';
    if (this.javaScriptEnabled) {
      expect(bodyClass).toContain('govuk-frontend-supported');
      expectNoPageProblems(problems, where);
      await expectNoAxeViolations(page, where);
      return;
    }
    expect(bodyClass).not.toContain('js-enabled');
  }
}
