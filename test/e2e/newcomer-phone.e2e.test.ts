/**
 * A newcomer's first booking on a phone, as the hub hopes it goes: search
 * the catalogue for "trauma-informed", open the seed course's next session,
 * choose "Create an account" on its booking page, confirm the address from
 * the email, land back on that booking page signed in, book with an access
 * need, and see the need on the confirmation. At phone width, with
 * JavaScript and without; every page is checked with axe.
 */
import { describe, expect, inject, it } from 'vitest';

import {
  JOURNEY_TIMEOUT,
  Journey,
  MODES,
  fillRegistration,
  h1,
  linkInEmail,
  mainText,
  newDelegate,
  pathOf,
  readNewestEmail,
} from './accountSupport.js';
import { MOBILE_VIEWPORT, useE2E } from './support.js';

const COURSE = 'Trauma Informed Co-Production';
const NEED = 'A seat near the door, and a short break each hour';

const NEWCOMERS = {
  // Addresses with no hyphen to break at (this one long, as some councils
  // give): the pages showing them must not scroll sideways at 320px.
  true: newDelegate('Rhiannon Price', 'rhiannon.pricellewellyn@childrensservices.northshirecounty.gov.uk'),
  false: newDelegate('Sami Haddad', 'sami.haddad@nhs.example.org.uk'),
};

describe.runIf(inject('chromiumAvailable'))('a newcomer books on a phone', () => {
  const e2e = useE2E();

  describe.each(MODES)('$mode', ({ javaScriptEnabled }) => {
    it(
      'searches, opens the session, registers, confirms, books with an access need and sees it',
      async () => {
        const journey = await Journey.start(e2e, javaScriptEnabled, { viewport: MOBILE_VIEWPORT });
        const { page } = journey;
        const newcomer = NEWCOMERS[`${javaScriptEnabled}`];

        // The catalogue: results first, the search folded away until opened.
        await journey.visit('/courses');
        const search = page.getByLabel('Search', { exact: true });
        expect(await search.isVisible()).toBe(false);
        await page.getByText('Search and filter courses').click();
        await search.fill('trauma-informed');
        await journey.go(() => search.press('Enter'));
        expect(pathOf(page)).toMatch(/^\/courses\?/);
        expect(new URL(page.url()).searchParams.get('q')).toBe('trauma-informed');

        // The seed course is found; its first listed date is its next one.
        const result = page
          .locator('main')
          .getByRole('link', { name: new RegExp(COURSE) })
          .first();
        await journey.go(() => result.click());
        const sessionPath = pathOf(page);
        expect(sessionPath).toMatch(/^\/sessions\/\d+$/);
        expect(await h1(page)).toContain(COURSE);

        // Not signed in: the booking page offers an account, remembering the session.
        await journey.go(() => page.getByRole('button', { name: 'Book a place' }).click());
        const bookPath = `${sessionPath}/book`;
        expect(pathOf(page)).toBe(bookPath);
        await journey.go(() => page.locator('main').getByRole('link', { name: 'Create an account' }).click());
        expect(pathOf(page)).toBe(`/register?next=${encodeURIComponent(bookPath)}`);
        await fillRegistration(page, newcomer);
        await journey.press('Create account');
        expect(await h1(page)).toBe('Check your email');

        // The link in the email, opened on this phone: signed in, back on the booking page.
        const email = await readNewestEmail(journey, newcomer.email, /^Confirm your email address for /);
        await journey.visit(linkInEmail(email, 'Confirm your email address', e2e.testApp.config.publicUrl));
        await journey.press('Confirm my email address');
        expect(pathOf(page)).toBe(bookPath);
        expect(await h1(page)).toBe('Book a place');

        // Book with an access need, agreeing to the hub holding it.
        await page.getByLabel('Access needs', { exact: true }).fill(NEED);
        await page.getByLabel('I agree to the hub holding these needs to arrange my place').check();
        await journey.press('Confirm booking');
        expect(pathOf(page)).toMatch(/^\/bookings\/TRL-/);
        const confirmation = await mainText(page);
        expect(confirmation).toContain('Your place is booked');
        // The reference, in the panel's large type, fits inside the panel at 320 px (it never wraps).
        const reference = await page.evaluate<{ right: number; inside: number }>(`(() => {
          const panel = document.querySelector('.govuk-panel');
          const style = getComputedStyle(panel);
          return {
            right: panel.querySelector('.trellis-reference').getBoundingClientRect().right,
            inside: panel.getBoundingClientRect().right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth),
          };
        })()`);
        expect(reference.right).toBeLessThanOrEqual(reference.inside);
        // What the newcomer told us is shown back, with who will act on it and how to change it.
        expect(confirmation).toContain(NEED);
        expect(confirmation).toContain(
          'The training team will contact you if they need to ask you about them',
        );
        expect(await page.getByRole('link', { name: 'Change or remove your needs' }).count()).toBe(1);

        // Back on the session page, it says so instead of offering to book again.
        await journey.visit(sessionPath);
        expect(await mainText(page)).toContain('You have a place');
        expect(await page.getByRole('button', { name: 'Book a place' }).count()).toBe(0);

        // Nothing on the phone's pages scrolls sideways, those showing their address included.
        for (const path of [sessionPath, '/bookings', '/account']) {
          if (path !== sessionPath) await journey.visit(path);
          const overflow = await page.evaluate<number>(
            'document.documentElement.scrollWidth - document.documentElement.clientWidth',
          );
          expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(0);
        }
      },
      JOURNEY_TIMEOUT,
    );
  });
});
