/**
 * What the pages and emails promise is what Trellis does: rules are said from
 * the hub's policy (change the setting, the words change), the needs a
 * delegate gave stay in view and can be changed or removed, and someone who
 * already holds a booking is told where they stand, without their state ever
 * reaching the page cache that every visitor shares.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DELEGATE_SESSION_LIMITS } from '../../src/domain/accounts/accounts.js';
import { SignInSessions } from '../../src/services/accounts/signInSessions.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { fullUpcomingSession } from '../support/queries.js';
import { createSignedInDelegates } from '../support/seedDelegates.js';
import { signedInStaff } from '../support/staff.js';

const HOUR = 3_600_000;
// PUBLIC_URL is https in the test app, so the sign-in cookie has the __Host- name.
const SESSION_COOKIE = '__Host-trellis_session';

eachDatabase('what pages and emails promise', (dialect) => {
  let t: TestApp;
  let clock: SettableClock;
  let labels = 0;
  /** The demo's trauma-informed course, whose "what to expect" notes are long. */
  let seedSessionId: number;
  let otherSessionId: number;

  /** A new delegate, verified and signed in now, as a browser with their cookie. */
  async function signedInDelegate() {
    labels += 1;
    const [delegate] = await createSignedInDelegates(t.database.db, clock.now(), 1, `w${labels}`);
    const client = new WebClient(t.app);
    client.setCookie(SESSION_COOKIE, delegate!.sessionSecret);
    return { ...delegate!, client };
  }

  /** Signs the same delegate in again at the clock's time (a sign-in goes idle after an hour). */
  async function signInAgain(delegateId: number, client: WebClient) {
    const secret = await new SignInSessions(t.database.db).start(
      { kind: 'delegate', id: delegateId },
      DELEGATE_SESSION_LIMITS,
      clock.now(),
    );
    client.setCookie(SESSION_COOKIE, secret);
  }

  async function book(client: WebClient, sessionId: number, fields: Record<string, string> = {}) {
    const response = await client.submit(
      `/sessions/${sessionId}/book`,
      fields,
      `/sessions/${sessionId}/book`,
    );
    expect(response.statusCode, response.body.slice(0, 500)).toBe(303);
    return (response.headers.location as string).split('/')[2]!.split('?')[0]!;
  }

  beforeAll(async () => {
    clock = settableClock(TEST_NOW);
    t = await createTestApp(dialect, { clock });
    const session = await t.database.db
      .selectFrom('sessions')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('courses.slug', '=', 'trauma-informed-co-production')
      .where('sessions.starts_at', '>', TEST_NOW)
      .select('sessions.id')
      .orderBy('sessions.starts_at')
      .executeTakeFirstOrThrow();
    seedSessionId = session.id;
    // Another upcoming session with places, open for booking, to cancel on.
    const others = await t.database.db
      .selectFrom('sessions')
      .where('starts_at', '>', TEST_NOW)
      .where('id', '!=', seedSessionId)
      .where('cancelled_at', 'is', null)
      .where('booking_opens_at', 'is', null)
      .where('booking_closes_at', 'is', null)
      .where((eb) =>
        eb(
          'capacity',
          '>',
          eb
            .selectFrom('bookings')
            .select(eb.fn.countAll<number>().as('n'))
            .whereRef('bookings.session_id', '=', 'sessions.id')
            .where('state', 'in', ['confirmed', 'offered']),
        ),
      )
      .select(['id'])
      .orderBy('starts_at')
      .limit(1)
      .executeTakeFirstOrThrow();
    otherSessionId = others.id;
  });
  afterAll(() => t.close());

  describe('rules said from the hub’s policy', () => {
    afterAll(async () => {
      await t.services.settings.updatePolicy({
        cancellationWorkingDays: 6,
        offerExpiryHours: 48,
        accessNeedsRetentionDays: 30,
        waitlistEnabled: true,
      });
    });

    it('the terms of booking state the cut-off, offer hours, non-attendance and needs deletion, as set', async () => {
      const before = parsePage((await t.app.inject('/terms')).body).text();
      expect(before).toContain('until the end of the day 6 working days before the session');
      expect(before).toContain('hold the place for them for up to 48 hours (less when the session is close)');
      expect(before).toContain('We stop offering places 2 hours before a session starts.');
      expect(before).toContain(
        'If you have a place and do not come, the register records that you did not attend.',
      );
      // The demo hub charges the usual fees, and says so.
      expect(before).toContain('Your organisation may be charged a fee: see Charges.');
      expect(before).toContain(
        'your organisation may be charged a fee of £50.00 for each day and £25.00 for each half day',
      );
      expect(before).toContain('A person looks at every charge first and can waive it.');
      expect(before).toContain('we delete them 30 days after the session ends');
      expect(before).toContain('This site never takes a payment from you.');
      await t.services.settings.updateCharges({ dayFeePence: 0, halfDayFeePence: 0 });
      const noFees = parsePage((await t.app.inject('/terms')).body).text();
      expect(noFees).toContain('There is no fee, and we do not email anyone about it.');
      expect(noFees).toContain('There are no fees for cancelling late or for missing a session.');
      expect(noFees).not.toContain('may be charged a fee');
      expect(before).not.toMatch(/free to staff and volunteers of partner agencies/);

      await t.services.settings.updatePolicy({
        cancellationWorkingDays: 3,
        offerExpiryHours: 12,
        accessNeedsRetentionDays: 7,
      });
      const after = parsePage((await t.app.inject('/terms')).body).text();
      expect(after).toContain('until the end of the day 3 working days before the session');
      expect(after).toContain('for up to 12 hours (less when the session is close)');
      expect(after).toContain('we delete them 7 days after the session ends');

      await t.services.settings.updatePolicy({
        cancellationWorkingDays: 0,
        accessNeedsRetentionDays: 0,
        waitlistEnabled: false,
      });
      const none = parsePage((await t.app.inject('/terms')).body).text();
      expect(none).toContain(
        'You can cancel your own place from your booking at any time until the session starts.',
      );
      expect(none).toContain('We do not keep waiting lists');
      expect(none).toContain('we delete them when the session ends');
      const privacy = parsePage((await t.app.inject('/privacy')).body).text();
      expect(privacy).toContain('we delete them when the session ends');
      expect(privacy).toContain('about 90 days later (with one reminder) whether your practice has changed');
      expect(privacy).toContain('We do not email your line manager.');

      // What happens after a course follows the policy too.
      await t.services.settings.updatePolicy({ followUpDays: 120, followUpLineManagers: true });
      const asked = parsePage((await t.app.inject('/privacy')).body).text();
      expect(asked).toContain('about 120 days later (with one reminder)');
      expect(asked).toContain('we ask them too, once, with a reminder; they can opt out');
      expect(asked).not.toContain('We do not email your line manager.');
    });

    it('the booking form and the waiting list say the set needs deletion and offer hours', async () => {
      const amira = await signedInDelegate();
      await t.services.settings.updatePolicy({
        accessNeedsRetentionDays: 14,
        offerExpiryHours: 24,
        waitlistEnabled: true,
      });
      const form = parsePage((await amira.client.get(`/sessions/${seedSessionId}/book`)).body).text();
      expect(form).toContain('We delete them 14 days after the session ends');
      expect(form).not.toMatch(/We delete them after the session\./);

      const full = await fullUpcomingSession(t.database.db, TEST_NOW);
      const waitForm = parsePage((await amira.client.get(`/sessions/${full.id}/book`)).body).text();
      expect(waitForm).toContain(
        'hold the place for them for up to 24 hours (less when the session is close)',
      );
      expect(waitForm).toContain('You can leave the waiting list at any time');
      const publicPage = parsePage((await t.app.inject(`/sessions/${full.id}`)).body).text();
      expect(publicPage).toContain('hold it for you for up to 24 hours');

      const reference = await book(amira.client, full.id);
      const panel = parsePage((await amira.client.get(`/bookings/${reference}?new=1`)).body).text();
      expect(panel).toContain('You are on the waiting list');
      expect(panel).toContain('hold the place for you for up to 24 hours (less when the session is close)');
      expect(panel).toContain(
        'you can leave the waiting list at any time with the “Leave the waiting list” button',
      );
      const email = await t.database.db
        .selectFrom('outbox_messages')
        .where('to_address', '=', amira.email)
        .where('kind', '=', 'waitlist_joined')
        .select('text_body')
        .executeTakeFirstOrThrow();
      expect(email.text_body.replace(/\s+/g, ' ')).toContain(
        'for up to 24 hours (less when the session is close)',
      );
    });

    it('a confirmation sent after the cut-off says so, and that a place given back now is late', async () => {
      await t.services.settings.updatePolicy({ cancellationWorkingDays: 30 });
      const gail = await signedInDelegate();
      const form = parsePage((await gail.client.get(`/sessions/${otherSessionId}/book`)).body).text();
      expect(form).toContain('so if you cancel this place it counts as a late cancellation');
      await book(gail.client, otherSessionId);
      const email = await t.database.db
        .selectFrom('outbox_messages')
        .where('to_address', '=', gail.email)
        .where('kind', '=', 'booking_confirmed')
        .select('text_body')
        .executeTakeFirstOrThrow();
      const text = email.text_body.replace(/\s+/g, ' ');
      expect(text).toContain(
        'The cut-off for cancelling has passed, but if you cannot come, please still cancel',
      );
      expect(text).not.toContain('Please cancel by');
      await t.services.settings.updatePolicy({ cancellationWorkingDays: 6 });
    });

    it('a full session without a waiting list offers none', async () => {
      await t.services.settings.updatePolicy({ waitlistEnabled: false });
      const full = await fullUpcomingSession(t.database.db, TEST_NOW, 'last');
      const page = parsePage((await t.app.inject(`/sessions/${full.id}`)).body);
      expect(page.text('#book')).toContain('This session is full, and there is no waiting list for it.');
      expect(page.links('#book a').map((l) => l.text)).not.toContain('Join the waiting list');
      await t.services.settings.updatePolicy({ waitlistEnabled: true });
    });
  });

  describe('the needs a delegate gave', () => {
    it('are shown on the booking and in the email, can be changed and removed, and the back office shows them as they are', async () => {
      const ben = await signedInDelegate();
      const reference = await book(ben.client, seedSessionId, {
        accessNeeds: 'A seat near the door',
        dietaryNeeds: 'Vegetarian',
        consent: 'yes',
      });

      const confirmation = parsePage((await ben.client.get(`/bookings/${reference}?new=1`)).body);
      expect(confirmation.text()).toContain('Your place is booked');
      expect(confirmation.text()).toMatch(/Access needs\s*A seat near the door/);
      expect(confirmation.text()).toMatch(/Dietary needs\s*Vegetarian/);
      expect(confirmation.text()).toContain(
        'The training team will contact you if they need to ask you about them.',
      );
      expect(confirmation.text()).toContain('We delete them 30 days after the session ends.');
      expect(confirmation.links()).toContainEqual({
        text: 'Change or remove your needs',
        href: `/bookings/${reference}/needs`,
      });

      const email = await t.database.db
        .selectFrom('outbox_messages')
        .where('to_address', '=', ben.email)
        .where('kind', '=', 'booking_confirmed')
        .select('text_body')
        .executeTakeFirstOrThrow();
      const emailText = email.text_body.replace(/\s+/g, ' ');
      expect(emailText).toContain('Access needs: A seat near the door');
      expect(emailText).toContain('Dietary needs: Vegetarian');
      expect(emailText).toContain('The training team will contact you if they need to ask you about them.');

      // Needs without consent are refused by the field, and what was typed stays.
      const refused = await ben.client.submit(
        `/bookings/${reference}/needs`,
        {
          accessNeeds: 'Step-free access',
          dietaryNeeds: '',
        },
        `/bookings/${reference}/needs`,
      );
      expect(refused.statusCode).toBe(400);
      const refusedPage = parsePage(refused.body);
      expect(refusedPage.text('.govuk-error-summary')).toContain('Tick the box to agree');
      expect(refusedPage.document.querySelector('#accessNeeds')?.textContent).toBe('Step-free access');

      const changed = await ben.client.submit(
        `/bookings/${reference}/needs`,
        { accessNeeds: 'Step-free access', dietaryNeeds: '', consent: 'yes' },
        `/bookings/${reference}/needs`,
      );
      expect(changed.statusCode).toBe(303);
      expect(changed.headers.location).toBe(`/bookings/${reference}?needs=1`);
      const afterChange = parsePage((await ben.client.get(changed.headers.location as string)).body).text();
      expect(afterChange).toContain('We have saved your access and dietary needs.');
      expect(afterChange).toMatch(/Access needs\s*Step-free access/);
      expect(afterChange).toMatch(/Dietary needs\s*None/);

      const coordinator = await signedInStaff(t, 'coordinator');
      const list = parsePage(
        (await coordinator.get(`/admin/sessions/${seedSessionId}/bookings`)).body,
      ).text();
      expect(list).toContain('Access: Step-free access');
      expect(list).not.toContain('A seat near the door');
      expect(list).not.toContain('Dietary: Vegetarian');

      const removed = await ben.client.post(`/bookings/${reference}/needs`, {
        _csrf: parsePage((await ben.client.get(`/bookings/${reference}/needs`)).body)
          .document.querySelector('input[name="_csrf"]')!
          .getAttribute('value')!,
        remove: 'yes',
      });
      expect(removed.statusCode).toBe(303);
      const row = await t.database.db
        .selectFrom('bookings')
        .where('reference', '=', reference)
        .select(['access_needs', 'dietary_needs', 'needs_consent_at'])
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ access_needs: null, dietary_needs: null, needs_consent_at: null });
      const afterRemove = parsePage((await ben.client.get(`/bookings/${reference}`)).body);
      expect(afterRemove.text()).toContain(
        'You have not told us about any access or dietary needs for this session.',
      );
      expect(afterRemove.links()).toContainEqual({
        text: 'Tell us about access or dietary needs',
        href: `/bookings/${reference}/needs`,
      });
      const listAfter = parsePage(
        (await coordinator.get(`/admin/sessions/${seedSessionId}/bookings`)).body,
      ).text();
      expect(listAfter).not.toContain('Step-free access');
    });

    it('can no longer be changed once the session has started', async () => {
      const chloe = await signedInDelegate();
      const reference = await book(chloe.client, seedSessionId, {
        accessNeeds: 'Large print',
        consent: 'yes',
      });
      const { starts_at } = await t.database.db
        .selectFrom('sessions')
        .where('id', '=', seedSessionId)
        .select('starts_at')
        .executeTakeFirstOrThrow();
      clock.set(new Date(new Date(starts_at).getTime() + HOUR));
      try {
        await signInAgain(chloe.id, chloe.client);
        const page = parsePage((await chloe.client.get(`/bookings/${reference}`)).body);
        expect(page.text()).toMatch(/Access needs\s*Large print/);
        expect(page.links().map((l) => l.text)).not.toContain('Change or remove your needs');
        const late = await chloe.client.submit(
          `/bookings/${reference}/needs`,
          { accessNeeds: 'Something else', consent: 'yes' },
          `/bookings/${reference}/needs`,
        );
        expect(late.statusCode).toBe(409);
        expect(parsePage(late.body).text()).toContain('This session has started');
        const row = await t.database.db
          .selectFrom('bookings')
          .where('reference', '=', reference)
          .select('access_needs')
          .executeTakeFirstOrThrow();
        expect(row.access_needs).toBe('Large print');
      } finally {
        clock.set(TEST_NOW);
      }
    });
  });

  describe('where someone stands', () => {
    it('the session page tells a booked delegate they have a place, and never shows it to anyone else', async () => {
      // A visitor first, so the generic page is in the shared cache.
      const visitorBefore = parsePage((await t.app.inject(`/sessions/${seedSessionId}`)).body);
      expect(visitorBefore.text('#book')).toContain('Book a place');

      const dev = await signedInDelegate();
      const reference = await book(dev.client, seedSessionId);
      const theirs = parsePage((await dev.client.get(`/sessions/${seedSessionId}`)).body);
      expect(theirs.text('#book')).toContain('You have a place');
      expect(theirs.text('#book')).not.toContain('Book a place');
      expect(theirs.links('#book a').map((l) => l.href)).toContain(`/bookings/${reference}`);
      expect(theirs.links('#book a').map((l) => l.href)).toContain(`/sessions/${seedSessionId}/calendar.ics`);

      const visitorAfter = await t.app.inject(`/sessions/${seedSessionId}`);
      expect(visitorAfter.body).not.toContain(reference);
      expect(parsePage(visitorAfter.body).text('#book')).toContain('Book a place');
      expect(parsePage(visitorAfter.body).text('#book')).not.toContain('You have a place');
      // Another signed-in delegate without a booking sees the page everyone sees.
      const other = await signedInDelegate();
      const otherPage = await other.client.get(`/sessions/${seedSessionId}`);
      expect(otherPage.body).not.toContain(reference);
      expect(parsePage(otherPage.body).text('#book')).toContain('Book a place');

      const bookPage = parsePage((await dev.client.get(`/sessions/${seedSessionId}/book`)).body);
      expect(bookPage.h1()).toBe('You have a place');
      expect(bookPage.links()).toContainEqual({ text: 'See your booking', href: `/bookings/${reference}` });
      expect(bookPage.document.querySelector('form[action$="/book"]')).toBeNull();
    });

    it('someone on the waiting list is told so, with no calendar link', async () => {
      const full = await fullUpcomingSession(t.database.db, TEST_NOW);
      const ed = await signedInDelegate();
      const reference = await book(ed.client, full.id);
      const page = parsePage((await ed.client.get(`/sessions/${full.id}`)).body);
      expect(page.text('#book')).toContain('You are on the waiting list');
      expect(page.text('#book')).not.toContain('Join the waiting list');
      expect(page.links('#book a').map((l) => l.href)).not.toContain(`/sessions/${full.id}/calendar.ics`);
      const booking = parsePage((await ed.client.get(`/bookings/${reference}`)).body);
      expect(booking.links().map((l) => l.text)).not.toContain('Add to your calendar');
      expect(parsePage((await ed.client.get(`/sessions/${full.id}/book`)).body).h1()).toBe(
        'You are on the waiting list',
      );
    });

    it('lists cancelled bookings apart from upcoming ones, and offers the calendar only for a confirmed place', async () => {
      const fay = await signedInDelegate();
      const kept = await book(fay.client, seedSessionId);
      const dropped = await book(fay.client, otherSessionId);
      expect(parsePage((await fay.client.get(`/bookings/${kept}`)).body).links()).toContainEqual({
        text: 'Add to your calendar',
        href: `/sessions/${seedSessionId}/calendar.ics`,
      });
      const cancelled = await fay.client.submit(
        `/bookings/${dropped}/cancel`,
        {},
        `/bookings/${dropped}/cancel`,
      );
      expect(cancelled.statusCode).toBe(303);
      expect(
        parsePage((await fay.client.get(`/bookings/${dropped}`)).body)
          .links()
          .map((l) => l.text),
      ).not.toContain('Add to your calendar');

      const list = parsePage((await fay.client.get('/bookings')).body);
      const headings = list.listItems('main h2');
      expect(headings).toEqual(['Upcoming', 'Cancelled', 'Past']);
      const sectionOf = (reference: string) => {
        const link = list.document.querySelector(`main a[href="/bookings/${reference}"]`)!;
        let node = link.closest('ul');
        while (node && node.tagName !== 'H2') node = node.previousElementSibling;
        return node?.textContent?.trim();
      };
      expect(sectionOf(kept)).toBe('Upcoming');
      expect(sectionOf(dropped)).toBe('Cancelled');
    });

    it('the session page gives a one-line content note above the booking button', async () => {
      const page = parsePage((await t.app.inject(`/sessions/${seedSessionId}`)).body);
      const note = page.document.querySelector('#book .trellis-content-note');
      expect(note).not.toBeNull();
      expect(page.text('#book .trellis-content-note')).toContain(
        'What to expect: This course talks about trauma and about the ways services can add to harm.',
      );
      expect(page.links('#book .trellis-content-note a')).toEqual([
        { text: 'Read more about what to expect', href: '#what-to-expect' },
      ]);
      expect(page.document.querySelector('#what-to-expect')).not.toBeNull();
      // Above the button: the note comes first in the booking box.
      const book = page.document.querySelector('#book')!;
      const children = [...book.children];
      const buttonIndex = children.findIndex((c) => (c.textContent ?? '').includes('Book a place'));
      expect(children.indexOf(note!)).toBeLessThan(buttonIndex);
    });
  });
});
