/**
 * A delegate's own data, in Chromium, with JavaScript and without: they
 * register, open "Your data" from their account page, download the JSON
 * file, read what closing the account does, give a wrong password, then
 * close it and land on the page saying it is done. Every page is checked
 * with axe and for page problems. (The staff pages for subject access and
 * erasure are in the back-office axe tour, back-office-pages.e2e.test.ts.)
 */
import { describe, expect, inject, it } from 'vitest';

import {
  h1,
  Journey,
  JOURNEY_TIMEOUT,
  mainText,
  MODES,
  newDelegate,
  PASSWORD,
  pathOf,
  registerVerifyAndSignIn,
} from './accountSupport.js';
import { useE2E } from './support.js';

describe.runIf(inject('chromiumAvailable'))('a delegate’s own data, in a browser', () => {
  const e2e = useE2E();

  for (const [index, { mode, javaScriptEnabled }] of MODES.entries()) {
    it(
      `shows and downloads their data, and closes the account (${mode})`,
      async () => {
        const delegate = newDelegate(`Rowan Ashdown ${index}`, `rowan.ashdown.${index}@example.org.uk`);
        const journey = await Journey.start(e2e, javaScriptEnabled);
        const { page } = journey;
        await registerVerifyAndSignIn(e2e, journey, delegate);

        await journey.visit('/account');
        await journey.go(() => page.getByRole('link', { name: 'See and download your data' }).click());
        expect(pathOf(page)).toBe('/account/your-data');
        expect(await h1(page)).toBe('Your data');
        expect(await mainText(page)).toContain(delegate.email);

        const file = await page.request.get(e2e.url('/account/your-data.json'));
        expect(file.status()).toBe(200);
        expect(file.headers()['content-disposition']).toMatch(/^attachment;/);
        const data = (await file.json()) as { account: { name: string; email: string } };
        expect(data.account).toMatchObject({ name: delegate.name, email: delegate.email });

        await journey.visit('/account');
        await journey.go(() => page.getByRole('link', { name: 'Close your account' }).click());
        expect(await h1(page)).toBe('Close your account');
        expect(await mainText(page)).toContain('You have no future bookings.');

        await page.getByLabel('Your password').fill('not my password');
        await journey.press('Close my account', 400);
        expect(await mainText(page)).toContain('Enter your password correctly');

        await page.getByLabel('Your password').fill(PASSWORD);
        await journey.press('Close my account');
        expect(pathOf(page)).toMatch(/^\/account\/closed/);
        expect(await h1(page)).toBe('Your account is closed');

        // Signed out: the account page asks them to sign in.
        await journey.visit('/account');
        expect(pathOf(page)).toMatch(/^\/sign-in/);
      },
      JOURNEY_TIMEOUT,
    );
  }
});
