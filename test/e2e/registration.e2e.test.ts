/**
 * Registering from a session's booking page, in the browser: "Create an
 * account" remembers the session, a volunteer registers with no employer and
 * no line manager (meeting the form's errors first), and opening the link in
 * the email in the same browser signs them in and brings them back to the
 * booking form. Then changing the email address: the password is asked, the
 * new address waits for its link, and the account page says so. Every page
 * is checked with axe, with JavaScript and without.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';

import { TEST_NOW } from '../support/app.js';
import {
  JOURNEY_TIMEOUT,
  Journey,
  MODES,
  PASSWORD,
  h1,
  linkInEmail,
  mainText,
  newDelegate,
  pathOf,
  readNewestEmail,
} from './accountSupport.js';
import { useE2E } from './support.js';

const VOLUNTEERS = {
  true: newDelegate('Olu Adeyemi', 'olu.adeyemi@volunteers.example.org.uk'),
  false: newDelegate('Pat Quinn', 'pat.quinn@volunteers.example.org.uk'),
};

/** The error summary's links, in order, as the fields they lead to. */
async function errorSummaryTargets(page: Page): Promise<string[]> {
  return (await page
    .locator('.govuk-error-summary a')
    .evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''))) as string[];
}

describe.runIf(inject('chromiumAvailable'))('registering from a booking page', () => {
  const e2e = useE2E();

  describe.each(MODES)('$mode', ({ javaScriptEnabled }) => {
    it(
      'keeps the booking in hand through registering and confirming, then changes the email address',
      async () => {
        const journey = await Journey.start(e2e, javaScriptEnabled);
        const { page } = journey;
        const volunteer = VOLUNTEERS[`${javaScriptEnabled}`];
        const session = await e2e.testApp.database.db
          .selectFrom('sessions')
          .where('starts_at', '>', TEST_NOW)
          .where('cancelled_at', 'is', null)
          .where('capacity', '>=', 30)
          .select('id')
          .orderBy('starts_at')
          .executeTakeFirstOrThrow();
        const bookPath = `/sessions/${session.id}/book`;

        // Not signed in: the booking page offers to create an account, remembering this session.
        await journey.visit(bookPath);
        await journey.go(() => page.locator('main').getByRole('link', { name: 'Create an account' }).click());
        expect(pathOf(page)).toBe(`/register?next=${encodeURIComponent(bookPath)}`);
        expect(await h1(page)).toBe('Create an account');
        expect(await mainText(page)).toContain('Your place is not booked yet');
        expect(await mainText(page)).toContain('We do not send your line manager any emails');

        // Sent empty: the line manager is not among the errors, because it is optional.
        await journey.press('Create account', 400);
        expect(await errorSummaryTargets(page)).toEqual([
          '#name',
          '#email',
          '#organisationId',
          '#jobRole',
          '#password',
        ]);

        // A volunteer with no employer and no line manager.
        await page.getByLabel('Full name', { exact: true }).fill(volunteer.name);
        await page.getByLabel('Work email address', { exact: true }).fill(volunteer.email);
        await page
          .getByLabel('Organisation', { exact: true })
          .selectOption({ label: 'I do not have an employer (for example, I volunteer on my own)' });
        await page.getByLabel('Job role', { exact: true }).fill('Volunteer befriender');
        await page.getByLabel('Create a password', { exact: true }).fill(PASSWORD);
        await journey.press('Create account');
        expect(pathOf(page)).toBe('/register/check-your-email?booking=1');
        expect(await mainText(page)).toContain('take you back to the place you were booking');

        // The link, opened in this browser: signed in, and back at the booking form.
        const email = await readNewestEmail(journey, volunteer.email, /^Confirm your email address for /);
        await journey.visit(linkInEmail(email, 'Confirm your email address', e2e.testApp.config.publicUrl));
        expect(await h1(page)).toBe('Confirm your email address');
        await journey.press('Confirm my email address');
        expect(pathOf(page)).toBe(bookPath);
        expect(await h1(page)).toBe('Book a place');
        expect(await page.getByRole('button', { name: 'Confirm booking' }).count()).toBe(1);

        // Changing the email address asks for the password first.
        await journey.visit('/account');
        expect(await mainText(page)).toContain('None (no employer)');
        await journey.go(() =>
          page
            .locator('main')
            .getByRole('link', { name: /^Change\s+your email address$/ })
            .click(),
        );
        expect(await h1(page)).toBe('Change your email address');
        const newAddress = volunteer.email.replace('@volunteers.', '@charity.');
        await page.getByLabel('New email address', { exact: true }).fill(newAddress);
        await page.getByLabel('Your password', { exact: true }).fill('not my password at all');
        await journey.press('Send the link', 400);
        expect(await errorSummaryTargets(page)).toEqual(['#password']);
        expect(await page.getByLabel('New email address', { exact: true }).inputValue()).toBe(newAddress);

        await page.getByLabel('Your password', { exact: true }).fill(PASSWORD);
        await journey.press('Send the link');
        expect(pathOf(page)).toBe('/account?sent=1');
        expect(await mainText(page)).toContain(`We have sent a link to ${newAddress}`);
        expect(await mainText(page)).toContain(`your account keeps using ${volunteer.email}`);

        // The new address's link moves the account to it.
        const confirm = await readNewestEmail(journey, newAddress, /^Confirm your new email address for /);
        await journey.visit(
          linkInEmail(confirm, 'Confirm your new email address', e2e.testApp.config.publicUrl),
        );
        await journey.press('Confirm my email address');
        expect(await h1(page)).toBe('Your email address is confirmed');
        await journey.visit('/account');
        expect(await mainText(page)).toContain(newAddress);
        expect(await mainText(page)).not.toContain('We have sent a link');
      },
      JOURNEY_TIMEOUT,
    );
  });
});
