/**
 * A delegate's privacy as a browser sees it: someone else's booking
 * reference is "not found", exactly as one that does not exist; after
 * signing out, going back or reloading "Your bookings" asks to sign in
 * again; and the session cookie from before signing out no longer works
 * anywhere.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';

import {
  JOURNEY_TIMEOUT,
  Journey,
  h1,
  mainText,
  newDelegate,
  pathOf,
  registerVerifyAndSignIn,
} from './accountSupport.js';
import { expectNoAxeViolations, useE2E, visit } from './support.js';

/** The sign-in page, reached because a page needed it: it will come back to `next`. */
async function expectAskedToSignIn(page: Page, next: string, what: string): Promise<void> {
  expect(pathOf(page), what).toBe(`/sign-in?next=${encodeURIComponent(next)}`);
  expect(await h1(page), what).toBe('Sign in');
  expect(await page.locator('input[name="next"]').getAttribute('value')).toBe(next);
}

describe.runIf(inject('chromiumAvailable'))('a delegate’s privacy, in the browser', () => {
  const e2e = useE2E();

  it(
    'shows the not found page for another delegate’s booking reference',
    async () => {
      // axe runs only on the pages this test is about.
      const journey = await Journey.start(e2e, true, { axe: false });
      const { page } = journey;
      const delegate = newDelegate('Dev Patel', 'dev.patel@health.example.org.uk');
      await registerVerifyAndSignIn(e2e, journey, delegate);

      // A demo delegate's booking: its reference is real, but not theirs.
      const other = await e2e.testApp.database.db
        .selectFrom('bookings')
        .where('state', '=', 'confirmed')
        .select('reference')
        .orderBy('id')
        .executeTakeFirstOrThrow();
      expect(other.reference).toMatch(/^TRL-/);

      const notFound = async (path: string) => {
        await journey.visit(path, 404);
        expect(await h1(page)).toBe('Page not found');
        expect(await mainText(page)).toContain('We could not find that booking.');
        // Nothing of the booking shows: no reference, no course, no cancel button.
        expect(await mainText(page)).not.toContain(other.reference);
        expect(await page.locator('main form').count()).toBe(0);
        return mainText(page);
      };
      const someoneElses = await notFound(`/bookings/${other.reference}`);
      await expectNoAxeViolations(page, `/bookings/${other.reference} (not found)`);
      // Lower case reaches the same booking; still not theirs.
      await notFound(`/bookings/${other.reference.toLowerCase()}`);
      // The same page as a reference that does not exist: nothing tells them apart.
      const missing = await notFound('/bookings/TRL-ZZZZ-ZZZZ-ZZZZ');
      expect(missing).toBe(someoneElses);
      expect(await notFound('/bookings/not-a-reference')).toBe(someoneElses);
    },
    JOURNEY_TIMEOUT,
  );

  it(
    'asks to sign in again after signing out, on going back, reloading, and with the old cookie',
    async () => {
      const journey = await Journey.start(e2e, true, { axe: false });
      const { page, context } = journey.delegate;
      const delegate = newDelegate('Erin Walsh', 'erin.walsh@youth.example.org.uk');
      await registerVerifyAndSignIn(e2e, journey, delegate);
      expect(await mainText(page)).toContain(delegate.email);

      // The session cookie as it was while signed in.
      const before = await context.cookies(e2e.baseUrl);
      const session = before.find((cookie) => /trellis_session$/.test(cookie.name));
      expect(session, `no session cookie among ${before.map((c) => c.name).join(', ')}`).toBeDefined();
      expect(session!.httpOnly).toBe(true);
      expect(session!.sameSite).toBe('Lax');
      // The test app's public address is https, so the cookie is __Host- and Secure.
      expect(session!.secure).toBe(e2e.testApp.config.publicUrl.startsWith('https://'));

      await journey.go(() => page.getByRole('button', { name: 'Sign out' }).click());
      expect(pathOf(page)).toBe('/signed-out');
      expect(await h1(page)).toBe('You have signed out');
      await expectNoAxeViolations(page, '/signed-out');
      expect((await context.cookies(e2e.baseUrl)).some((cookie) => cookie.name === session!.name)).toBe(
        false,
      );

      // Back: the browser must not show "Your bookings" from before. (Soft, so
      // the checks after it still run when it fails; the test still fails.)
      await page.goBack({ waitUntil: 'load' });
      expect
        .soft(await mainText(page), 'going back after signing out showed the bookings page')
        .not.toContain(delegate.email);
      expect
        .soft(pathOf(page), 'going back to /bookings after signing out')
        .toBe(`/sign-in?next=${encodeURIComponent('/bookings')}`);

      // Reloading, and opening it afresh.
      await page.reload({ waitUntil: 'load' });
      await expectAskedToSignIn(page, '/bookings', 'reloading after signing out');
      await visit(page, e2e.url('/bookings'));
      await expectAskedToSignIn(page, '/bookings', 'opening /bookings after signing out');
      await visit(page, e2e.url('/account'));
      await expectAskedToSignIn(page, '/account', 'opening /account after signing out');

      // The old cookie, put back (say, copied before signing out), no longer works.
      const replay = await e2e.newPage();
      await replay.context.addCookies([session!]);
      for (const path of ['/bookings', '/account']) {
        await visit(replay.page, e2e.url(path));
        await expectAskedToSignIn(
          replay.page,
          path,
          `${path} with the session cookie from before signing out`,
        );
        expect(await mainText(replay.page)).not.toContain(delegate.email);
      }
    },
    JOURNEY_TIMEOUT,
  );
});
