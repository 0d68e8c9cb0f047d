/**
 * The follow-up as a delegate and a line manager meet it, from the links in
 * their emails: the questions (a mistake shown beside its field), the
 * thank-you page, a link that has ended, and opting out. Runs with JavaScript
 * and without it; axe checks every page (without JavaScript, on the same page
 * rendered with the app's script removed, since axe needs script to run).
 */
import type { Page } from 'playwright-core';
import { beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

import { TEST_NOW } from '../support/app.js';
import { settableClock } from '../support/clock.js';
import { finishedSession, placeTaken } from '../support/finishedSessions.js';
import { navigateFollowingRedirects } from './accountSupport.js';
import {
  expectNoAxeViolations,
  expectNoPageProblems,
  expectScriptlessTwinPasses,
  navigateBy,
  useE2E,
  visit,
  withoutAppScripts,
  type WatchedPage,
  BROWSER_HANG_TIMEOUT,
} from './support.js';

const MODES = [
  { mode: 'with JavaScript', javaScriptEnabled: true },
  { mode: 'without JavaScript', javaScriptEnabled: false },
] as const;

const WALK_TIMEOUT = BROWSER_HANG_TIMEOUT;
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

describe.runIf(inject('chromiumAvailable'))('the three-month follow-up', () => {
  const clock = settableClock(TEST_NOW);
  const e2e = useE2E({ clock });
  let sessionId: number;
  let labels = 0;

  beforeAll(async () => {
    const db = e2e.testApp.database.db;
    // A session that ended 90 days ago, so the follow-up job picks it up.
    const startsAt = new Date(new Date(TEST_NOW).getTime() - 90 * DAY - 8 * HOUR);
    ({ sessionId } = await finishedSession(db, startsAt, new Date(TEST_NOW)));
    await e2e.testApp.services.settings.updatePolicy({ followUpLineManagers: true });
  });
  beforeEach(() => clock.set(TEST_NOW));

  /** A delegate marked attended, followed up by the job: the links in their and their manager's emails. */
  async function followedUp() {
    labels += 1;
    const db = e2e.testApp.database.db;
    const { delegate } = await placeTaken(db, sessionId, new Date(TEST_NOW), `fu${labels}`, {
      attended: true,
    });
    const manager = `manager.fu${labels}@council.example.org.uk`;
    await db
      .updateTable('delegates')
      .set({ line_manager_name: 'Pat Manager', line_manager_email: manager })
      .where('id', '=', delegate.id)
      .execute();
    expect(await e2e.testApp.services.followUp.sendRequests()).toBe(2);
    const link = async (to: string, pattern: RegExp) => {
      const message = await db
        .selectFrom('outbox_messages')
        .where('to_address', '=', to)
        .where('kind', '=', 'follow_up_request')
        .select('text_body')
        .executeTakeFirstOrThrow();
      return new URL(pattern.exec(message.text_body)![0]).pathname;
    };
    return {
      name: delegate.name,
      delegateLink: await link(delegate.email, /https?:\S+\/follow-up\/[A-Za-z0-9_-]{43}/),
      managerLink: await link(manager, /https?:\S+\/follow-up\/[A-Za-z0-9_-]{43}/),
      optOutLink: await link(manager, /https?:\S+\/follow-up\/opt-out\/[A-Za-z0-9_-]{43}/),
    };
  }

  describe.each(MODES)('$mode', ({ javaScriptEnabled }) => {
    async function pages() {
      const visitor = await e2e.newPage({ javaScriptEnabled });
      const twin = javaScriptEnabled ? null : await e2e.newPage();
      if (twin) await withoutAppScripts(twin.page);
      return { visitor, check: (posted = false) => check(visitor, twin, posted) };
    }

    async function check(visitor: WatchedPage, twin: WatchedPage | null, posted: boolean) {
      const { page, problems } = visitor;
      const url = new URL(page.url());
      const where = url.pathname.replace(/[A-Za-z0-9_-]{43}/, 'TOKEN') + (posted ? ' (posted)' : '');
      expectNoPageProblems(problems, where);
      if (!twin) {
        await expectNoAxeViolations(page, where);
        return;
      }
      await expectScriptlessTwinPasses(page, `${where} (as shown without JavaScript)`, async () => {
        await twin.page.goto(e2e.url('/courses'), { waitUntil: 'load' });
        if (posted) await twin.page.setContent(await page.content(), { waitUntil: 'load' });
        else await twin.page.goto(page.url(), { waitUntil: 'load' });
        return twin.page;
      });
    }

    it(
      'a delegate answers, after a mistake shown beside its field, and the link then says thank you',
      async () => {
        const { delegateLink } = await followedUp();
        const { visitor, check } = await pages();
        const { page } = visitor;
        await visit(page, e2e.url(delegateLink));
        expect(await h1(page)).toBe('Has your practice changed?');
        expect(await page.locator('main').textContent()).toContain('You may skip any question');
        await check();

        const firstArea = page.getByRole('group').first();
        await firstArea.getByLabel('A little').check();
        await page.getByLabel('An example of something you do differently').fill('x'.repeat(2_001));
        expect(
          await navigateBy(page, () => page.getByRole('button', { name: 'Send your answers' }).click()),
        ).toBe(400);
        expect(await page.locator('.govuk-error-summary').getByRole('link').allTextContents()).toEqual([
          'The example must be 2,000 characters or fewer',
        ]);
        expect(await page.getByRole('group').first().getByLabel('A little').isChecked()).toBe(true);
        await check(true);

        await page.getByLabel('An example of something you do differently').fill('I ask families first.');
        expect(
          await navigateFollowingRedirects(page, () =>
            page.getByRole('button', { name: 'Send your answers' }).click(),
          ),
        ).toBe(200);
        expect(await page.locator('.govuk-panel__title').textContent()).toContain('Thank you');
        await check();
      },
      WALK_TIMEOUT,
    );

    it(
      'a manager opens the opt-out link (nothing changes), opts out, and an old follow-up link explains itself',
      async () => {
        const { name, managerLink, optOutLink } = await followedUp();
        const { visitor, check } = await pages();
        const { page } = visitor;

        await visit(page, e2e.url(managerLink));
        expect(await h1(page)).toBe(`Has ${name}’s practice changed?`);
        await check();

        await visit(page, e2e.url(optOutLink));
        expect(await h1(page)).toBe('Stop follow-up emails');
        await check();
        expect(
          await navigateFollowingRedirects(page, () =>
            page.getByRole('button', { name: 'Opt out of all follow-up emails' }).click(),
          ),
        ).toBe(200);
        expect(await page.locator('.govuk-panel__title').textContent()).toContain(
          'You will not get follow-up emails',
        );
        await check();

        clock.advance(31 * DAY);
        await visit(page, e2e.url(managerLink), 410);
        expect(await h1(page)).toBe('This link has ended');
        await check();
      },
      WALK_TIMEOUT,
    );
  });
});

async function h1(page: Page): Promise<string> {
  return ((await page.locator('h1').textContent()) ?? '').trim();
}
