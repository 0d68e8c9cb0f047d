/**
 * Proposed charges as people meet them: a delegate marked "did not attend"
 * tells the hub why through the emailed link (no sign-in; a mistake shown
 * beside its field), and a coordinator waives that charge with a reason and
 * confirms another in the review queue; the link then says what was decided.
 * Runs with JavaScript and without it; axe checks every page (without
 * JavaScript, on the same page rendered with the app's script removed).
 */
import type { Page } from 'playwright-core';
import { beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

import { TEST_NOW } from '../support/app.js';
import { settableClock } from '../support/clock.js';
import { finishedSession, placeTaken } from '../support/finishedSessions.js';
import { navigateFollowingRedirects } from './accountSupport.js';
import { staffInBrowser } from './staffSupport.js';
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

describe.runIf(inject('chromiumAvailable'))('proposed charges, reviewed by a person', () => {
  const clock = settableClock(TEST_NOW);
  const e2e = useE2E({ clock });
  let sessionId: number;
  let soonId: number;
  let staffId: number;
  let labels = 0;

  beforeAll(async () => {
    const services = e2e.testApp.services;
    // A session that ended yesterday, its register being marked.
    const startsAt = new Date(new Date(TEST_NOW).getTime() - DAY - 8 * HOUR);
    ({ sessionId } = await finishedSession(e2e.testApp.database.db, startsAt, new Date(TEST_NOW)));
    await services.settings.updateCharges({ dayFeePence: 5000, halfDayFeePence: 2500 });
    await services.settings.updatePolicy({ cancellationWorkingDays: 5 });
    // A session in two days: past the cut-off, so a place given back now is late.
    ({ sessionId: soonId } = await finishedSession(
      e2e.testApp.database.db,
      new Date(new Date(TEST_NOW).getTime() + 2 * DAY),
      new Date(TEST_NOW),
    ));
    staffId = await services.staff.create(
      {
        name: 'Robin Register',
        email: 'robin.register@hub.example.org.uk',
        role: 'coordinator',
        trainerId: null,
      },
      'a staff passphrase for the register',
    );
  });
  beforeEach(() => clock.set(TEST_NOW));

  /** A delegate marked "did not attend": their name and the link in the "a charge may apply" email. */
  async function absent() {
    labels += 1;
    const db = e2e.testApp.database.db;
    const { delegate, bookingId } = await placeTaken(db, sessionId, new Date(TEST_NOW), `ch${labels}`, {
      attended: false,
    });
    const part = await db
      .selectFrom('session_parts')
      .where('session_id', '=', sessionId)
      .select('id')
      .executeTakeFirstOrThrow();
    await e2e.testApp.services.attendance.mark(
      sessionId,
      { id: staffId, role: 'coordinator', trainerId: null },
      [{ bookingId, partId: part.id, status: 'absent', note: '' }],
    );
    const message = await db
      .selectFrom('outbox_messages')
      .where('to_address', '=', delegate.email)
      .where('kind', '=', 'charge_proposed')
      .select('text_body')
      .executeTakeFirstOrThrow();
    const link = new URL(/https?:\S+\/charges\/why\/[A-Za-z0-9_-]{43}/.exec(message.text_body)![0]).pathname;
    return { name: delegate.name, bookingId, link };
  }

  async function stateOf(bookingId: number) {
    const charge = await e2e.testApp.database.db
      .selectFrom('charges')
      .where('booking_id', '=', bookingId)
      .select(['state', 'waiver_reason', 'amount_pence', 'delegate_reason', 'delegate_note'])
      .executeTakeFirstOrThrow();
    return charge;
  }

  describe.each(MODES)('$mode', ({ javaScriptEnabled }) => {
    /** A page in this mode; without JavaScript, a twin with the app's script removed for axe. */
    async function pages(signedInAs?: WatchedPage) {
      const visitor = await e2e.newPage({ javaScriptEnabled });
      if (signedInAs) await visitor.context.addCookies(await signedInAs.context.cookies());
      const twin = javaScriptEnabled ? null : await e2e.newPage();
      if (twin && signedInAs) await twin.context.addCookies(await signedInAs.context.cookies());
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
      'a delegate tells the hub why through the emailed link; a coordinator waives that one with a reason and confirms another',
      async () => {
        const first = await absent();
        const second = await absent();

        // The delegate, with no account signed in, from the link in the email.
        const delegate = await pages();
        const { page } = delegate.visitor;
        await visit(page, e2e.url(first.link));
        expect(await h1(page)).toBe('Tell us why');
        expect(await page.locator('main').textContent()).toContain('a charge of £50.00 may apply');
        await delegate.check();
        expect((await stateOf(first.bookingId)).delegate_reason).toBeNull();

        await page.getByLabel('Anything you want us to know').fill('My son was taken ill that morning.');
        expect(
          await navigateBy(page, () => page.getByRole('button', { name: 'Send your answer' }).click()),
        ).toBe(400);
        expect(await page.locator('.govuk-error-summary').getByRole('link').allTextContents()).toEqual([
          'Choose what got in the way, or “I would rather not say”',
        ]);
        expect(await page.getByLabel('Anything you want us to know').inputValue()).toBe(
          'My son was taken ill that morning.',
        );
        await delegate.check(true);

        await page.getByLabel('Caring responsibilities').check();
        expect(
          await navigateFollowingRedirects(page, () =>
            page.getByRole('button', { name: 'Send your answer' }).click(),
          ),
        ).toBe(200);
        expect(await page.locator('.govuk-notification-banner').textContent()).toContain(
          'We have your answer',
        );
        await delegate.check();
        expect(await stateOf(first.bookingId)).toMatchObject({
          delegate_reason: 'caring',
          delegate_note: 'My son was taken ill that morning.',
        });

        // The coordinator reviews the queue.
        const staff = await staffInBrowser(e2e, 'coordinator');
        const coordinator = await pages(staff);
        const queue = coordinator.visitor.page;
        await visit(queue, e2e.url('/admin/charges'));
        expect(await h1(queue)).toBe('Charges to review');
        const firstCard = queue.locator('.govuk-summary-card', { hasText: first.name });
        expect(await firstCard.textContent()).toContain('Caring responsibilities');
        expect(await firstCard.textContent()).toContain('My son was taken ill that morning.');
        await coordinator.check();

        // Waive the first, with a reason from the hub's list.
        await firstCard.getByText(`Waive ${first.name}’s charge`, { exact: true }).click();
        await firstCard
          .getByLabel(`Why waive ${first.name}’s charge?`)
          .selectOption('Caring responsibilities');
        await firstCard.getByLabel('Note (optional)').fill('Goodwill: first time.');
        expect(
          await navigateFollowingRedirects(queue, () =>
            firstCard.getByRole('button', { name: 'Waive the charge' }).click(),
          ),
        ).toBe(200);
        expect(await queue.locator('.govuk-notification-banner').textContent()).toContain('Saved');
        await coordinator.check();
        expect(await stateOf(first.bookingId)).toMatchObject({
          state: 'waived',
          waiver_reason: 'Caring responsibilities',
        });

        // Confirm the second at the amount proposed.
        const secondCard = queue.locator('.govuk-summary-card', { hasText: second.name });
        expect(
          await navigateFollowingRedirects(queue, () =>
            secondCard.getByRole('button', { name: `Confirm ${second.name}’s charge at £50.00` }).click(),
          ),
        ).toBe(200);
        expect(await stateOf(second.bookingId)).toMatchObject({ state: 'confirmed', amount_pence: 5000 });
        await coordinator.check();

        // The decided ones are listed under their states.
        await visit(queue, e2e.url('/admin/charges?state=all'));
        expect(await queue.locator('main').textContent()).toContain('Waived: Caring responsibilities');
        await coordinator.check();

        // The delegate's link now says what was decided.
        await visit(page, e2e.url(first.link));
        expect(await h1(page)).toBe('The charge has been decided');
        expect(await page.locator('main').textContent()).toContain('waived it. Nothing is owed');
        await delegate.check();
      },
      WALK_TIMEOUT,
    );

    it(
      'a delegate gives their place back after the cut-off, told first what it means, and says why from their booking',
      async () => {
        labels += 1;
        const db = e2e.testApp.database.db;
        const { delegate, reference, bookingId } = await placeTaken(
          db,
          soonId,
          new Date(TEST_NOW),
          `late${labels}`,
          {
            attended: false,
          },
        );
        const cookie = {
          name: '__Host-trellis_session',
          value: delegate.sessionSecret,
          url: e2e.baseUrl.replace(/^http:/, 'https:'),
        };
        const visitor = await e2e.newPage({ javaScriptEnabled });
        await visitor.context.addCookies([cookie]);
        const twin = javaScriptEnabled ? null : await e2e.newPage();
        if (twin) {
          await twin.context.addCookies([cookie]);
          await withoutAppScripts(twin.page);
        }
        const { page } = visitor;

        await visit(page, e2e.url(`/bookings/${reference}`));
        expect(await page.locator('main').textContent()).toContain('you can still give your place back here');
        await check(visitor, twin, false);
        await navigateBy(page, () => page.getByRole('button', { name: 'Cancel my place' }).click());
        expect(await h1(page)).toBe('Cancel your place?');
        const warning = (await page.locator('main').textContent()) ?? '';
        expect(warning).toContain('It is after the cut-off');
        expect(warning).toContain('A charge of £50.00 may be proposed to your organisation');
        await check(visitor, twin, false);
        expect(
          await navigateFollowingRedirects(page, () =>
            page.getByRole('button', { name: 'Yes, cancel my place' }).click(),
          ),
        ).toBe(200);
        expect(await page.locator('main').textContent()).toContain('The training team is looking at this');
        await check(visitor, twin, false);

        await navigateBy(page, () =>
          page.getByRole('link', { name: 'Tell us why about the charge' }).click(),
        );
        expect(await h1(page)).toBe('Tell us why');
        await check(visitor, twin, false);
        await page.getByLabel('I would rather not say').check();
        expect(
          await navigateFollowingRedirects(page, () =>
            page.getByRole('button', { name: 'Send your answer' }).click(),
          ),
        ).toBe(200);
        expect(await page.locator('.govuk-notification-banner').textContent()).toContain(
          'We have your answer',
        );
        await check(visitor, twin, false);
        expect(await stateOf(bookingId)).toMatchObject({
          state: 'proposed',
          delegate_reason: 'rather_not_say',
        });
      },
      WALK_TIMEOUT,
    );
  });
});

async function h1(page: Page): Promise<string> {
  return ((await page.locator('h1').textContent()) ?? '').trim();
}
