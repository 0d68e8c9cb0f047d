/**
 * A new delegate's whole journey in the browser, as they would take it:
 * create an account (first sending the form empty, to meet the errors),
 * confirm the address with the link in the email (read in the development
 * mailbox), sign in (first with a wrong password), find the seed course's
 * next session in the catalogue, book it with an access need, see the
 * booking in "Your bookings", and cancel it. It runs with JavaScript and
 * without it, and every page on the way is checked with axe and for console
 * errors, CSP violations and failed requests.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';

import {
  JOURNEY_TIMEOUT,
  Journey,
  MODES,
  fillRegistration,
  fillSignIn,
  focusedClass,
  focusedId,
  h1,
  linkInEmail,
  mainText,
  newDelegate,
  pathOf,
  readNewestEmail,
} from './accountSupport.js';
import { summaryValue, useE2E } from './support.js';

const COURSE = 'Trauma Informed Co-Production';
const REFERENCE = /TRL-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}/;

const DELEGATES = {
  true: newDelegate('Amira Shah', 'amira.shah@county.example.org.uk'),
  false: newDelegate('Ben Okafor', 'ben.okafor@police.example.org.uk'),
};

describe.runIf(inject('chromiumAvailable'))('booking a place, as a new delegate', () => {
  const e2e = useE2E();

  describe.each(MODES)('$mode', ({ javaScriptEnabled }) => {
    it(
      'registers, confirms the email, signs in, books, sees and cancels a place',
      async () => {
        const journey = await Journey.start(e2e, javaScriptEnabled);
        const { page } = journey;
        const delegate = DELEGATES[`${javaScriptEnabled}`];
        const screenshots = javaScriptEnabled;

        // Create an account: sent empty first, every field is named in the error summary.
        await journey.visit('/register');
        expect(await h1(page)).toBe('Create an account');
        await journey.press('Create account', 400);
        expect(pathOf(page)).toBe('/register');
        await expectErrorSummary(journey, ['name', 'email', 'organisationId', 'jobRole', 'password']);

        await fillRegistration(page, delegate);
        await journey.press('Create account');
        expect(pathOf(page)).toBe('/register/check-your-email');
        expect(await h1(page)).toBe('Check your email');

        // The newest confirmation email to this address, in the development mailbox.
        const verifyEmail = await readNewestEmail(
          journey,
          delegate.email,
          /^Confirm your email address for /,
        );
        expect(verifyEmail).toContain(delegate.name);
        const verifyPath = linkInEmail(
          verifyEmail,
          'Confirm your email address',
          e2e.testApp.config.publicUrl,
        );
        expect(verifyPath).toMatch(/^\/account\/verify\/[\w-]+$/);
        await journey.visit(verifyPath);
        expect(await h1(page)).toBe('Confirm your email address');
        await journey.press('Confirm my email address');
        expect(await h1(page)).toBe('Your email address is confirmed');

        // Confirming in the browser that registered signed it in; sign in afresh, a wrong password first.
        expect(await mainText(page)).toContain('You are signed in');
        await journey.visit('/sign-in');
        expect(pathOf(page)).toBe('/sign-in');
        expect(await h1(page)).toBe('Sign in');
        await fillSignIn(page, delegate.email, 'not my password at all');
        await journey.press('Sign in', 400);
        expect(await h1(page)).toBe('Sign in');
        await expectErrorSummary(journey, ['password']);
        expect(await page.locator('.govuk-error-summary__list').textContent()).toContain(
          'Enter a correct email address and password',
        );
        // What was typed stays, except the password.
        expect(await page.getByLabel('Email address', { exact: true }).inputValue()).toBe(delegate.email);
        expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
        await fillSignIn(page, delegate.email);
        await journey.press('Sign in');
        expect(pathOf(page)).toBe('/bookings');
        expect(await mainText(page)).toContain('You have no upcoming bookings.');

        // The seed course's next session, found through its course page.
        await journey.visit('/courses/trauma-informed-co-production');
        expect(await h1(page)).toBe(COURSE);
        const next = page.locator('main .trellis-session-card__title a').first();
        const sessionPath = (await next.getAttribute('href')) ?? '';
        const sessionDate = ((await next.textContent()) ?? '').trim();
        expect(sessionPath).toMatch(/^\/sessions\/\d+$/);
        await journey.go(() => next.click());
        expect(pathOf(page)).toBe(sessionPath);
        expect(await h1(page)).toBe(COURSE);

        await journey.go(() => page.locator('#book').getByRole('button', { name: 'Book a place' }).click());
        expect(pathOf(page)).toBe(`${sessionPath}/book`);
        expect(await h1(page)).toBe('Book a place');
        expect(await page.locator('.govuk-caption-l').textContent()).toBe(COURSE);
        expect(await summaryValue(page, 'Date and time').textContent()).toContain(sessionDate);
        // The cancellation policy, before anything is booked.
        expect(await page.getByRole('heading', { name: 'Cancelling', level: 3 }).count()).toBe(1);
        expect(await mainText(page)).toMatch(
          /You can cancel your place yourself until \d{1,2}:\d\d[ap]m on [A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ 20\d\d \(6 working days before the session\)\./,
        );
        await page.getByLabel('Access needs').fill('A seat near the door, and breaks every hour');
        await page.getByLabel('I agree to the hub holding these needs to arrange my place').check();
        if (screenshots) await page.screenshot({ path: '/tmp/e2e-book.png', fullPage: true });

        await journey.press('Confirm booking');
        expect(pathOf(page)).toMatch(new RegExp(`^/bookings/${REFERENCE.source}\\?new=1$`));
        const reference = REFERENCE.exec(pathOf(page))![0];
        const panel = page.locator('.govuk-panel--confirmation');
        expect((await panel.locator('h1').textContent())?.trim()).toBe('Your place is booked');
        expect(await panel.textContent()).toContain(reference);
        expect((await summaryValue(page, 'Status').textContent())?.trim()).toBe('Booked');
        expect(await summaryValue(page, 'Date and time').textContent()).toContain(sessionDate);
        expect((await summaryValue(page, 'Reference').textContent())?.trim()).toBe(reference);
        if (screenshots) await page.screenshot({ path: '/tmp/e2e-booking.png', fullPage: true });

        // The confirmation email, with its reference and a calendar file.
        const confirmation = await readNewestEmail(
          journey,
          delegate.email,
          new RegExp(`^Your place is confirmed: ${COURSE}, ${sessionDate}$`),
        );
        expect(confirmation).toContain(reference);
        expect(
          await page
            .locator('main')
            .getByRole('link', { name: /^Download .+\.ics$/ })
            .count(),
        ).toBe(1);

        // The needs they gave stay in view, and can be changed.
        await journey.visit(`/bookings/${reference}`);
        expect((await summaryValue(page, 'Access needs').textContent())?.trim()).toBe(
          'A seat near the door, and breaks every hour',
        );
        expect(await mainText(page)).toContain(
          'The training team will contact you if they need to ask you about them. We delete them 30 days after the session ends.',
        );
        await journey.go(() =>
          page.locator('main').getByRole('link', { name: 'Change or remove your needs' }).click(),
        );
        expect(pathOf(page)).toBe(`/bookings/${reference}/needs`);
        expect(await h1(page)).toBe('Your access and dietary needs');
        expect(await page.getByLabel('Access needs').inputValue()).toBe(
          'A seat near the door, and breaks every hour',
        );
        await page.getByLabel('Access needs').fill('A seat near the door');
        await journey.press('Save your needs');
        expect(pathOf(page)).toBe(`/bookings/${reference}?needs=1`);
        expect(await page.locator('.govuk-notification-banner--success').textContent()).toContain(
          'We have saved your access and dietary needs.',
        );
        expect((await summaryValue(page, 'Access needs').textContent())?.trim()).toBe('A seat near the door');

        // The session page now says they have a place, where they would have booked.
        await journey.visit(sessionPath);
        const book = page.locator('#book');
        expect(await book.textContent()).toContain('You have a place');
        expect(await book.getByRole('button', { name: 'Book a place' }).count()).toBe(0);
        expect(await book.getByRole('link', { name: /^See your booking/ }).getAttribute('href')).toBe(
          `/bookings/${reference}`,
        );

        // "Your bookings" lists it, and opens it.
        await journey.go(() =>
          page
            .getByRole('navigation', { name: 'Main menu' })
            .getByRole('link', { name: 'Your bookings' })
            .click(),
        );
        expect(pathOf(page)).toBe('/bookings');
        const card = bookingCard(page, reference);
        expect(await card.count()).toBe(1);
        expect(await card.locator('.trellis-session-card__title a').textContent()).toContain(COURSE);
        expect((await card.locator('.govuk-tag').textContent())?.trim()).toBe('Booked');
        await journey.go(() => card.locator('.trellis-session-card__title a').click());
        expect(pathOf(page)).toBe(`/bookings/${reference}`);
        expect(await h1(page)).toBe(COURSE);
        expect((await summaryValue(page, 'Status').textContent())?.trim()).toBe('Booked');

        // Cancel it: the page asks first, because the place goes to someone else at once.
        await journey.press('Cancel my place');
        expect(pathOf(page)).toBe(`/bookings/${reference}/cancel`);
        expect(await h1(page)).toBe('Cancel your place?');
        await journey.press('Yes, cancel my place');
        expect(pathOf(page)).toBe(`/bookings/${reference}?cancelled=1`);
        expect(await page.locator('.govuk-notification-banner--success').textContent()).toContain(
          'Your booking is cancelled.',
        );
        expect((await summaryValue(page, 'Status').textContent())?.trim()).toBe('Cancelled');
        expect(await page.getByRole('button', { name: 'Cancel my place' }).count()).toBe(0);

        await journey.go(() =>
          page.locator('.govuk-breadcrumbs').getByRole('link', { name: 'Your bookings' }).click(),
        );
        expect((await bookingCard(page, reference).locator('.govuk-tag').textContent())?.trim()).toBe(
          'Cancelled',
        );
        // Listed under "Cancelled", apart from upcoming bookings.
        expect(
          await bookingCard(page, reference).evaluate((card) => {
            let node = card.closest('ul')?.previousElementSibling ?? null;
            while (node && node.tagName !== 'H2') node = node.previousElementSibling;
            return node?.textContent?.trim();
          }),
        ).toBe('Cancelled');

        // Their account.
        await journey.go(() => page.locator('main').getByRole('link', { name: 'Your account' }).click());
        expect(pathOf(page)).toBe('/account');
        expect(await h1(page)).toBe('Your account');
        expect((await summaryValue(page, 'Name').textContent())?.trim()).toBe(delegate.name);
        expect((await summaryValue(page, 'Email').textContent())?.trim()).toBe(delegate.email);
        // Confirmed: no banner asking for it.
        expect(await page.locator('.govuk-notification-banner').count()).toBe(0);
      },
      JOURNEY_TIMEOUT,
    );
  });
});

/** A booking in the list on "Your bookings", by its reference. */
function bookingCard(page: Page, reference: string) {
  return page
    .locator('main li.trellis-session-card')
    .filter({ has: page.locator('dd', { hasText: reference }) });
}

/**
 * Checks the error summary of a form sent with mistakes: it has the GOV.UK
 * title, with JavaScript it takes focus when the page loads, each of its
 * links points at a field on the page showing the same message, and
 * following a link puts the focus in that field. Returns the fields linked.
 */
async function expectErrorSummary(journey: Journey, expected: string[]): Promise<string[]> {
  const { page, javaScriptEnabled } = journey;
  const summary = page.locator('.govuk-error-summary');
  expect(await summary.count()).toBe(1);
  expect((await summary.locator('.govuk-error-summary__title').textContent())?.trim()).toBe(
    'There is a problem',
  );
  if (javaScriptEnabled) expect(await focusedClass(page)).toContain('govuk-error-summary');
  // The page title says there is an error, for screen reader users (as the layout
  // intends). Soft: it fails the test but the rest of the journey still runs.
  expect.soft(await page.title(), `title of ${pathOf(page)} with errors`).toMatch(/^Error: /);

  const links = summary.locator('.govuk-error-summary__list a');
  const fields: string[] = [];
  for (let index = 0; index < (await links.count()); index++) {
    fields.push(((await links.nth(index).getAttribute('href')) ?? '').replace(/^#/, ''));
  }
  expect(fields).toEqual(expected);

  for (const [index, field] of fields.entries()) {
    const link = links.nth(index);
    const message = ((await link.textContent()) ?? '').trim();
    expect(message).not.toBe('');
    const input = page.locator(`[id="${field}"]`);
    expect(await input.count(), `the summary links to #${field}, which is not on the page`).toBe(1);
    // The field's own message repeats the summary's.
    expect(await page.locator(`[id="${field}-error"]`).textContent()).toContain(message);
    expect(await input.getAttribute('aria-describedby')).toContain(`${field}-error`);

    await link.click();
    // Without JavaScript the browser follows the fragment to the field, and focuses it.
    if (!javaScriptEnabled) await expect.poll(() => new URL(page.url()).hash).toBe(`#${field}`);
    await expect
      .poll(() => focusedId(page), { message: `focus after following the summary link to #${field}` })
      .toBe(field);
  }
  return fields;
}
