/**
 * "I can't come", as issue 11 asks to see it: the reminder email's give-up
 * link is opened once by a mail scanner (a plain GET, which changes nothing)
 * and then by the person, who gives the place up; the first person waiting
 * is emailed the offer; the same link afterwards says the place was already
 * given up. Then the same after the cut-off, where the page says what the
 * hub's policy means now (a charge may be proposed) and asks why right there.
 *
 * With JavaScript and without it; axe and page problems on every page (see
 * accountSupport.ts Journey). The reminder is read in the development
 * mailbox; the offer from the outbox.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';

import { reminderDueAt } from '../../src/domain/hub/policy.js';
import { TEST_NOW } from '../support/app.js';
import { settableClock } from '../support/clock.js';
import { finishedSession } from '../support/finishedSessions.js';
import { createSignedInDelegates } from '../support/seedDelegates.js';
import {
  JOURNEY_TIMEOUT,
  Journey,
  MODES,
  h1,
  linkInEmail,
  mainText,
  readNewestEmail,
} from './accountSupport.js';
import { useE2E } from './support.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NO_NEEDS = { accessNeeds: null, dietaryNeeds: null, consent: false };

/** Before the cut-off, the reminder goes 14 days ahead; after it, 2 days ahead (five working days' cut-off). */
const TIMINGS = [
  { when: 'before the cut-off', late: false, reminderDaysBefore: 14 },
  { when: 'after the cut-off', late: true, reminderDaysBefore: 2 },
] as const;

const STORIES = MODES.flatMap((mode) => TIMINGS.map((timing) => ({ ...mode, ...timing }))).map(
  (story, index) => ({
    ...story,
    label: `giveup${index}`,
    // Each story starts four weeks after the last, so the clock only goes forward.
    startsAt: new Date(Date.parse(TEST_NOW) + index * 28 * DAY),
  }),
);

describe.runIf(inject('chromiumAvailable'))('giving up a place from the reminder email', () => {
  const clock = settableClock(TEST_NOW);
  const e2e = useE2E({ clock });

  beforeAll(async () => {
    const { services } = e2e.testApp;
    await services.settings.updateCharges({
      feeBasis: 'length',
      dayFeePence: 5_000,
      halfDayFeePence: 2_500,
      chargedOrganisationTypes: ['partner_agency'],
      vatRateBasisPoints: 0,
    });
    await services.settings.updatePolicy({ cancellationWorkingDays: 5 });
  });

  it.each(STORIES)(
    '$mode, $when: a scanner opens the link, the person gives the place up, the next person is offered it',
    async (story) => {
      const { services, database, config } = e2e.testApp;
      const db = database.db;
      clock.set(story.startsAt);
      await services.settings.updatePolicy({ reminderDaysBefore: story.reminderDaysBefore });
      const sessionStartsAt = new Date(story.startsAt.getTime() + 20 * DAY + 30 * 60_000);
      const { sessionId, courseTitle } = await finishedSession(db, sessionStartsAt, clock.now());
      await db.updateTable('sessions').set({ capacity: 1 }).where('id', '=', sessionId).execute();
      const [holder, waiting] = await createSignedInDelegates(db, clock.now(), 2, story.label);
      const held = await services.bookings.book(holder!.id, sessionId, NO_NEEDS);
      const queued = await services.bookings.book(waiting!.id, sessionId, NO_NEEDS);
      expect([held.state, queued.state]).toEqual(['confirmed', 'waitlisted']);

      // The reminder goes at 9am, the set number of days before.
      clock.set(reminderDueAt(sessionStartsAt, { reminderDaysBefore: story.reminderDaysBefore }));
      expect(await services.bookings.sendReminders()).toBeGreaterThanOrEqual(1);

      const journey = await Journey.start(e2e, story.javaScriptEnabled);
      const { page } = journey;
      const reminder = await readNewestEmail(journey, holder!.email, /^Reminder: /);
      const link = linkInEmail(
        reminder,
        'Can’t come? Give up your place without signing in',
        config.publicUrl,
      );
      expect(link).toMatch(/^\/give-up\/[A-Za-z0-9_-]{43}$/);

      // A mail scanner opens it first: a plain GET, which shows the page and changes nothing.
      const scanned = await fetch(e2e.url(link));
      expect(scanned.status).toBe(200);
      expect(await scanned.text()).toContain('Give up your place?');
      const stillHeld = () =>
        db
          .selectFrom('bookings')
          .where('reference', 'in', [held.reference, queued.reference])
          .select(['reference', 'state'])
          .orderBy('id')
          .execute();
      expect((await stillHeld()).map((b) => b.state)).toEqual(['confirmed', 'waitlisted']);

      // The person opens it: the booking, and one question.
      await journey.visit(link);
      expect(await h1(page)).toBe('Give up your place?');
      const asked = await mainText(page);
      expect(asked).toContain(courseTitle);
      expect(asked).toContain(held.reference);
      if (story.late) {
        expect(asked).toContain('It is after the cut-off');
        expect(asked).toContain('A charge of £50.00 may be proposed to your organisation');
        expect(asked).not.toContain('Nothing will be charged');
      } else {
        expect(asked).toContain('Nothing will be charged for giving up your place now');
        expect(asked).not.toContain('charge of');
      }
      await journey.press('Yes, give up my place');
      expect(await h1(page)).toBe('You have given up your place');
      expect(await mainText(page)).toContain('We have emailed you to confirm it');
      expect((await stillHeld()).map((b) => b.state)).toEqual(['cancelled', 'offered']);

      const charges = await db
        .selectFrom('charges')
        .innerJoin('bookings', 'bookings.id', 'charges.booking_id')
        .where('bookings.reference', '=', held.reference)
        .select(['charges.kind', 'charges.state', 'charges.proposed_pence', 'charges.delegate_reason'])
        .execute();
      if (story.late) {
        // After the cut-off the charge is proposed, and the "tell us why" form is right there.
        expect(charges).toEqual([
          { kind: 'late_cancellation', state: 'proposed', proposed_pence: 5000, delegate_reason: null },
        ]);
        expect(await page.locator('#why').textContent()).toBe('Tell us why');
        await page.getByLabel('Transport', { exact: true }).check();
        await page
          .getByLabel('Anything you want us to know', { exact: true })
          .fill('The trains were cancelled.');
        await journey.press('Send your answer');
        expect(await mainText(page)).toContain('We have your answer');
        const [answered] = await db
          .selectFrom('charges')
          .innerJoin('bookings', 'bookings.id', 'charges.booking_id')
          .where('bookings.reference', '=', held.reference)
          .select(['charges.delegate_reason', 'charges.delegate_note'])
          .execute();
        expect(answered).toEqual({
          delegate_reason: 'transport',
          delegate_note: 'The trains were cancelled.',
        });
      } else {
        expect(charges).toEqual([]);
        expect(await page.locator('#why').count()).toBe(0);
      }

      // The first person waiting is emailed the offer (read from the outbox: the mailbox's pages were checked above).
      const offers = await db
        .selectFrom('outbox_messages')
        .where('to_address', '=', waiting!.email)
        .where('kind', '=', 'place_offered')
        .select(['subject', 'text_body'])
        .execute();
      expect(offers).toHaveLength(1);
      expect(offers[0]!.subject).toMatch(/^A place is free for you: /);
      expect(offers[0]!.text_body).toContain(courseTitle);

      // The same link afterwards: already given up, with when, and no button.
      await journey.visit(link);
      expect(await h1(page)).toBe('This place has already been given up');
      expect(await mainText(page)).toMatch(/You gave up this place at \d{1,2}(:\d{2})?(am|pm) on /);
      expect(await page.getByRole('button', { name: 'Yes, give up my place' }).count()).toBe(0);
    },
    JOURNEY_TIMEOUT,
  );
});
