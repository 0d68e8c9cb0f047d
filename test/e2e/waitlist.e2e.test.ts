/**
 * The waiting list in the browser: a new delegate finds a fully booked
 * session in the catalogue, joins its waiting list and sees their place in
 * the queue. Places then come free (demo delegates cancel, through the
 * booking service, as they would through their own booking pages), the
 * delegate reads the "place is free" email in the development mailbox,
 * follows its link and accepts the place. axe checks every page on the way.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';

import {
  JOURNEY_TIMEOUT,
  Journey,
  h1,
  linkInEmail,
  mainText,
  mailboxCard,
  newDelegate,
  pathOf,
  readNewestEmail,
  registerVerifyAndSignIn,
} from './accountSupport.js';
import { summaryValue, useE2E, visit } from './support.js';

const REFERENCE = /TRL-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}/;

describe.runIf(inject('chromiumAvailable'))('the waiting list, as a delegate', () => {
  const e2e = useE2E();

  it(
    'joins the waiting list of a full session, is offered a freed place by email and accepts it',
    async () => {
      const journey = await Journey.start(e2e, true);
      const { page } = journey;
      const delegate = newDelegate('Chloe Evans', 'chloe.evans@school.example.org.uk');
      await registerVerifyAndSignIn(e2e, journey, delegate);

      // A fully booked session, found in the catalogue. Preferably one with
      // people already waiting (so the queue is seen to move) whose booked
      // delegates can still cancel online (so places can come free): the
      // booking page of each says both.
      const full = await fullyBookedSessions(page, e2e.url('/courses'));
      expect(full.length, 'no session on /courses is marked "Fully booked"').toBeGreaterThan(0);
      let chosen = full.at(-1)!;
      for (const candidate of [...full].reverse()) {
        await visit(page, e2e.url(`${candidate.href.replace(/#.*$/, '')}/book`));
        const text = await mainText(page);
        if (
          /Fully booked: [1-9]\d* on the waiting list/.test(text) &&
          /You can cancel your place yourself until/.test(text)
        ) {
          chosen = candidate;
          break;
        }
      }
      await journey.visit(chosen.href);
      const sessionPath = chosen.href.replace(/#.*$/, '');
      expect(pathOf(page)).toBe(sessionPath);
      const course = await h1(page);
      expect((await summaryValue(page, 'Places available').textContent())?.trim()).toMatch(/^Fully booked/);

      await journey.go(() =>
        page.locator('#book').getByRole('button', { name: 'Join the waiting list' }).click(),
      );
      expect(pathOf(page)).toBe(`${sessionPath}/book`);
      expect(await h1(page)).toBe('Join the waiting list');
      const places = (await summaryValue(page, 'Places').textContent())?.trim() ?? '';
      const waiting = /^Fully booked: (\d+) on the waiting list$/.exec(places);
      expect(waiting, `Places: "${places}"`).not.toBeNull();
      const ahead = Number(waiting![1]);
      expect(await mainText(page)).toContain(
        'hold the place for them for up to 48 hours (less when the session is close)',
      );
      expect(await mainText(page)).toContain('You can leave the waiting list at any time');

      await journey.press('Join the waiting list');
      expect(pathOf(page)).toMatch(new RegExp(`^/bookings/${REFERENCE.source}\\?new=1$`));
      const reference = REFERENCE.exec(pathOf(page))![0];
      const position = ahead + 1;
      const panel = page.locator('.govuk-panel');
      expect((await panel.locator('h1').textContent())?.trim()).toBe('You are on the waiting list');
      expect(await panel.textContent()).toContain(`You are number ${position}`);
      expect((await summaryValue(page, 'Status').textContent())?.trim()).toBe(
        `On the waiting list: number ${position}`,
      );
      expect(await summaryValue(page, 'Where').textContent()).not.toMatch(/Join online: /);
      expect(await mainText(page)).toContain(
        'we will email you an offer and hold the place for you for up to 48 hours (less when the session is close)',
      );
      expect(await page.getByRole('link', { name: 'Add to your calendar' }).count()).toBe(0);

      // The session page says where they stand instead of offering the list again.
      await journey.visit(sessionPath);
      expect(await page.locator('#book').textContent()).toContain('You are on the waiting list');
      expect(await page.locator('#book').getByRole('button', { name: 'Join the waiting list' }).count()).toBe(
        0,
      );

      // The waiting list email arrived.
      await journey.visit('/dev/mailbox');
      expect(await mailboxCard(page, delegate.email, /^You are on the waiting list: /).count()).toBe(1);

      // Booked delegates cancel, one at a time: each freed place is offered to
      // the next in the queue, so the delegate's turn comes with the last.
      const { db } = e2e.testApp.database;
      const sessionId = Number(sessionPath.split('/').at(-1));
      const confirmed = await db
        .selectFrom('bookings')
        .where('session_id', '=', sessionId)
        .where('state', '=', 'confirmed')
        .select(['reference', 'delegate_id'])
        .orderBy('id')
        .limit(position)
        .execute();
      expect(confirmed).toHaveLength(position);
      for (const [index, booking] of confirmed.entries()) {
        if (index === confirmed.length - 1 && position > 1) {
          // Everyone ahead has been offered a place: the delegate is next.
          await journey.visit(`/bookings/${reference}`);
          expect((await summaryValue(page, 'Status').textContent())?.trim()).toBe(
            'On the waiting list: number 1',
          );
        }
        await e2e.testApp.services.bookings.cancel(booking.delegate_id, booking.reference);
      }

      // The offer, in the development mailbox; its link opens the booking.
      const offer = await readNewestEmail(journey, delegate.email, /^A place is free for you: /);
      expect(offer).toContain(reference);
      const acceptPath = linkInEmail(offer, 'Accept the place', e2e.testApp.config.publicUrl);
      expect(acceptPath).toBe(`/bookings/${reference}#offer`);
      await journey.visit(acceptPath);
      expect(await h1(page)).toBe(course);
      expect((await summaryValue(page, 'Status').textContent())?.trim()).toBe('Place offered');
      const offerSection = page.locator('#offer');
      expect((await offerSection.locator('h2').textContent())?.trim()).toBe('A place has come free for you');
      expect(await offerSection.textContent()).toMatch(
        /We are holding it for you until (\d{1,2}(:\d\d)?[ap]m|midday|midnight) on [A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ 20\d\d\./,
      );

      await journey.press('Accept the place');
      expect(pathOf(page)).toBe(`/bookings/${reference}?accepted=1`);
      expect((await summaryValue(page, 'Status').textContent())?.trim()).toBe('Booked');
      expect(await page.locator('#offer').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Cancel my place' }).count()).toBe(1);

      // "Your bookings" shows it booked, and the confirmation email came.
      await journey.go(() =>
        page.locator('.govuk-breadcrumbs').getByRole('link', { name: 'Your bookings' }).click(),
      );
      const card = page
        .locator('main li.trellis-session-card')
        .filter({ has: page.locator('dd', { hasText: reference }) });
      expect((await card.locator('.govuk-tag').first().textContent())?.trim()).toBe('Booked');
      const confirmation = await readNewestEmail(journey, delegate.email, /^Your place is confirmed: /);
      expect(confirmation).toContain(reference);
    },
    JOURNEY_TIMEOUT,
  );
});

/**
 * Every session marked "Fully booked" in the catalogue, page by page (a
 * visitor follows "Next"), in the catalogue's order (by date). Each has the
 * card's "Join the waiting list" link.
 */
async function fullyBookedSessions(
  page: Page,
  firstPage: string,
): Promise<{ href: string; title: string }[]> {
  const found: { href: string; title: string }[] = [];
  await visit(page, firstPage);
  for (let pages = 0; pages < 20; pages++) {
    const cards = page
      .locator('#results .trellis-session-card')
      .filter({ has: page.locator('.govuk-tag', { hasText: /^\s*Fully booked\s*$/ }) });
    for (let index = 0; index < (await cards.count()); index++) {
      const card = cards.nth(index);
      const join = card.getByRole('link', { name: 'Join the waiting list' });
      expect(await join.count()).toBe(1);
      found.push({
        href: (await join.getAttribute('href')) ?? '',
        title: ((await card.locator('.trellis-session-card__title a').textContent()) ?? '').trim(),
      });
    }
    const next = page.locator('.govuk-pagination__next a');
    if ((await next.count()) === 0) return found;
    await visit(page, new URL((await next.getAttribute('href')) ?? '', page.url()).toString());
  }
  throw new Error('the catalogue has more than 20 pages');
}
