/**
 * A delegate from a private provider sees the price of a place before
 * committing: on the session page ("Your price"), on the booking page with
 * the charging terms right above the button, and on the booking once made.
 * With JavaScript and without it; every page checked with axe and for
 * console errors, CSP violations and failed requests.
 */
import { describe, expect, inject, it } from 'vitest';

import { PriceRecords } from '../../src/data/repositories/charges/priceRecords.js';
import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import {
  JOURNEY_TIMEOUT,
  Journey,
  MODES,
  h1,
  mainText,
  newDelegate,
  pathOf,
  registerVerifyAndSignIn,
} from './accountSupport.js';
import { summaryValue, useE2E } from './support.js';

const COURSE_SLUG = 'trauma-informed-co-production';
const PROVIDER = 'Acme Care Ltd';

const DELEGATES = {
  true: newDelegate('Dana Price', 'dana.price@acmecare.example.co.uk'),
  false: newDelegate('Eli Morgan', 'eli.morgan@acmecare.example.co.uk'),
};

describe.runIf(inject('chromiumAvailable'))('prices, as a delegate from a private provider', () => {
  const e2e = useE2E();

  /** The course charges private organisations £120.00; the delegate works for one. */
  async function priceTheCourseAndMoveTo(email: string) {
    const db = e2e.testApp.database.db;
    const course = await db
      .selectFrom('courses')
      .where('slug', '=', COURSE_SLUG)
      .select('id')
      .executeTakeFirstOrThrow();
    await new PriceRecords(db).setCoursePrices(course.id, { private: 12_000, out_of_area: 12_000 });
    const now = e2e.testApp.services.clock.now();
    const known = await db
      .selectFrom('organisations')
      .where('name', '=', PROVIDER)
      .select('id')
      .executeTakeFirst();
    const organisationId =
      known?.id ?? (await new DemoRepository(db).createOrganisation(PROVIDER, 'private', now, now));
    await db
      .updateTable('delegates')
      .set({ organisation_id: organisationId })
      .where('email', '=', email)
      .execute();
  }

  describe.each(MODES)('$mode', ({ javaScriptEnabled }) => {
    it(
      'sees the price on the session page and the booking page, with the terms above the button, and books',
      async () => {
        const journey = await Journey.start(e2e, javaScriptEnabled);
        const { page } = journey;
        const delegate = DELEGATES[`${javaScriptEnabled}`];
        await registerVerifyAndSignIn(e2e, journey, delegate);
        await priceTheCourseAndMoveTo(delegate.email);

        // The course page says the price, since every date costs the same.
        await journey.visit(`/courses/${COURSE_SLUG}`);
        expect(await mainText(page)).toContain(
          'Price: Free for partner agencies and voluntary organisations; £120.00 for private organisations and organisations from out of area.',
        );
        const next = page.locator('main .trellis-session-card__title a').first();
        const sessionPath = (await next.getAttribute('href')) ?? '';
        await journey.go(() => next.click());
        expect(pathOf(page)).toBe(sessionPath);

        // The session page: everyone's prices, and this delegate's own.
        expect(await summaryValue(page, 'Price').textContent()).toContain(
          'Free for partner agencies and voluntary organisations; £120.00 for private organisations',
        );
        expect((await page.locator('#your-price').textContent())?.replace(/\s+/g, ' ').trim()).toBe(
          `Your price: £120.00 (${PROVIDER}, a private organisation)`,
        );

        await journey.go(() => page.locator('#book').getByRole('button', { name: 'Book a place' }).click());
        expect(pathOf(page)).toBe(`${sessionPath}/book`);
        expect(await h1(page)).toBe('Book a place');
        expect(await summaryValue(page, 'Your price').textContent()).toContain(
          `£120.00 (${PROVIDER}, a private organisation)`,
        );
        // The terms come right before the button that commits.
        const terms = page.locator('#charges ~ p.govuk-body').first();
        expect((await terms.textContent())?.trim()).toMatch(
          /^Your organisation is invoiced £120\.00 after the session\. You can cancel free of charge until [A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ 20\d\d; after that, the training team may still charge the price\.$/,
        );
        const order = await page.evaluate<number>(
          '(() => { const h = document.querySelector("#charges"); const b = document.querySelector("main form button.govuk-button"); return h && b ? h.compareDocumentPosition(b) : 0; })()',
        );
        expect(order & 4).toBe(4); // the button follows the terms

        await journey.press('Confirm booking');
        expect(pathOf(page)).toMatch(/^\/bookings\/TRL-[A-Z0-9-]+\?new=1$/);
        expect(await page.locator('.govuk-panel__title').textContent()).toContain('Your place is booked');
        expect(await summaryValue(page, 'Price').textContent()).toContain(
          `£120.00 (${PROVIDER}, a private organisation)`,
        );
        expect(await mainText(page)).toContain('Your organisation is invoiced £120.00 after the session.');

        const reference = pathOf(page).split('/')[2]!.split('?')[0]!;
        const booking = await e2e.testApp.database.db
          .selectFrom('bookings')
          .where('reference', '=', reference)
          .select('price_pence')
          .executeTakeFirstOrThrow();
        expect(booking.price_pence).toBe(12_000);
      },
      JOURNEY_TIMEOUT,
    );
  });
});
