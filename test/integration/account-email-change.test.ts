/**
 * The ways into someone else's account that an email address opens, closed:
 * a new address waits until it is confirmed (with the password asked first),
 * an address that already has an account answers like any other, an account
 * whose address is not confirmed can only confirm or change it, and staff
 * never book a place on one. And registering from a session's booking page
 * keeps that booking in hand, for the browser that registered only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';
import { latestLink, PASSWORD, registerAndVerify, signIn } from './booking-journey.test.js';

const VERIFY_LINK = /\/account\/verify\/[\w-]+/;
// The test app's public address is https, so its cookies are __Host- ones.
const SESSION_COOKIE = '__Host-trellis_session';
const REGISTRATION_COOKIE = '__Host-trellis_registration';

eachDatabase('changing an email address and keeping a booking in hand', (dialect) => {
  let t: TestApp;
  let organisationId: string;
  let sessionId: number;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const organisation = await t.database.db
      .selectFrom('organisations')
      .where('confirmed_at', 'is not', null)
      .select('id')
      .executeTakeFirstOrThrow();
    organisationId = String(organisation.id);
    const session = await t.database.db
      .selectFrom('sessions')
      .where('starts_at', '>', TEST_NOW)
      .where('cancelled_at', 'is', null)
      .where('capacity', '>=', 30)
      .select('id')
      .orderBy('starts_at')
      .executeTakeFirstOrThrow();
    sessionId = session.id;
  });
  afterAll(() => t.close());

  const registration = (email: string, overrides: Record<string, string> = {}) => ({
    name: 'Rowan Price',
    email,
    organisationId,
    jobRole: 'Youth worker',
    lineManagerName: 'Sam Lead',
    lineManagerEmail: 'sam.lead@example.org.uk',
    password: PASSWORD,
    ...overrides,
  });

  function delegateByEmail(email: string) {
    return t.database.db.selectFrom('delegates').where('email', '=', email).selectAll().executeTakeFirst();
  }

  function emailsTo(address: string) {
    return t.database.db
      .selectFrom('outbox_messages')
      .where('to_address', '=', address)
      .select(['kind', 'subject', 'text_body', 'html_body'])
      .orderBy('id')
      .execute();
  }

  /** Registered, confirmed and signed in: the account as most people have it. */
  async function confirmedAccount(email: string): Promise<WebClient> {
    const client = new WebClient(t.app);
    await registerAndVerify(t, client, 'Rowan Price', email);
    await signIn(client, email);
    return client;
  }

  describe('changing the email address', () => {
    it('asks for the password, and changes nothing without it', async () => {
      const client = await confirmedAccount('alex.reid@council.example.org.uk');
      const page = parsePage((await client.get('/account/email')).body);
      expect(page.h1()).toBe('Change your email address');

      const before = await delegateByEmail('alex.reid@council.example.org.uk');
      const mailBefore = await t.database.db.selectFrom('outbox_messages').select('id').execute();
      for (const password of ['', 'not the password at all']) {
        const refused = await client.submit('/account/email', {
          email: 'alex.reid@trust.example.org.uk',
          password,
        });
        expect(refused.statusCode, password).toBe(400);
        const shown = parsePage(refused.body);
        expect(shown.links('.govuk-error-summary a').map((l) => l.href)).toEqual(['#password']);
        expect(shown.text('#password-error')).toContain(
          password ? 'Enter your password correctly' : 'Enter your password',
        );
        // What was typed is kept, except the password.
        expect(shown.document.querySelector('input#email')?.getAttribute('value')).toBe(
          'alex.reid@trust.example.org.uk',
        );
        expect(shown.document.querySelector('input#password')?.getAttribute('value') ?? '').toBe('');
      }
      expect(await delegateByEmail('alex.reid@council.example.org.uk')).toEqual(before);
      expect(await t.database.db.selectFrom('outbox_messages').select('id').execute()).toEqual(mailBefore);

      // The details form no longer changes the address at all.
      const details = await client.submit('/account/details', {
        name: 'Alex Reid',
        email: 'alex.reid@elsewhere.example.org.uk',
        organisationId,
        jobRole: 'Team leader',
        lineManagerName: '',
        lineManagerEmail: '',
      });
      expect(details.statusCode).toBe(303);
      const after = await delegateByEmail('alex.reid@council.example.org.uk');
      expect(after).toMatchObject({ name: 'Alex Reid', job_role: 'Team leader', pending_email: null });
      expect(await delegateByEmail('alex.reid@elsewhere.example.org.uk')).toBeUndefined();
    });

    it('keeps the old address working, and tells it, until the new one is confirmed from its link', async () => {
      const laptop = await confirmedAccount('bea.khan@council.example.org.uk');
      const phone = new WebClient(t.app);
      await signIn(phone, 'bea.khan@council.example.org.uk');
      const asked = await laptop.submit('/account/email', {
        email: 'Bea.Khan@Trust.example.org.uk',
        password: PASSWORD,
      });
      expect(asked.statusCode).toBe(303);
      expect(asked.headers.location).toBe('/account?sent=1');
      const account = parsePage((await laptop.get(asked.headers.location as string)).body);
      expect(account.text()).toContain('We have sent a link to bea.khan@trust.example.org.uk');
      expect(account.text()).toContain('your account keeps using bea.khan@council.example.org.uk');

      // Nothing has moved yet: the old address signs in, the new one does not.
      expect(await delegateByEmail('bea.khan@council.example.org.uk')).toMatchObject({
        pending_email: 'bea.khan@trust.example.org.uk',
      });
      expect(await delegateByEmail('bea.khan@trust.example.org.uk')).toBeUndefined();
      // Other browsers are signed out; this one stays.
      expect((await phone.get('/bookings')).statusCode).toBe(303);
      expect((await laptop.get('/bookings')).statusCode).toBe(200);
      const stranger = new WebClient(t.app);
      expect(
        (await stranger.submit('/sign-in', { email: 'bea.khan@trust.example.org.uk', password: PASSWORD }))
          .statusCode,
      ).toBe(400);
      await signIn(new WebClient(t.app), 'bea.khan@council.example.org.uk');

      // The old address is told what is happening, and what to do if it was not them.
      const toOld = (await emailsTo('bea.khan@council.example.org.uk')).at(-1)!;
      expect(toOld.kind).toBe('email_change_requested');
      expect(toOld.text_body).toContain('asked to change its email address to bea.khan@trust.example.org.uk');
      expect(toOld.text_body).toContain('Nothing has changed yet');
      expect(toOld.text_body).toContain(
        'Reset the password of your account: https://training.example.org.uk/account/forgot-password',
      );
      const toNew = (await emailsTo('bea.khan@trust.example.org.uk')).at(-1)!;
      expect(toNew.kind).toBe('verify_email');
      expect(toNew.subject).toContain('Confirm your new email address');
      expect(toNew.text_body).toContain('Until you do, your account keeps using its old address.');

      // A mail scanner opening the link changes nothing…
      const link = await latestLink(t, 'bea.khan@trust.example.org.uk', VERIFY_LINK);
      const scanned = await new WebClient(t.app).get(link);
      expect(parsePage(scanned.body).h1()).toBe('Confirm your email address');
      expect(await delegateByEmail('bea.khan@council.example.org.uk')).toMatchObject({
        pending_email: 'bea.khan@trust.example.org.uk',
      });
      // …pressing its button, on any device, confirms the new address and puts it in use.
      const opened = await stranger.submit(link, {}, link);
      expect(opened.statusCode).toBe(200);
      expect(parsePage(opened.body).text()).toContain('Your email address is confirmed');
      expect(stranger.hasCookie(SESSION_COOKIE)).toBe(false);
      const moved = await delegateByEmail('bea.khan@trust.example.org.uk');
      expect(moved).toMatchObject({ pending_email: null });
      expect(moved!.email_verified_at).not.toBeNull();
      expect(await delegateByEmail('bea.khan@council.example.org.uk')).toBeUndefined();
      expect((await emailsTo('bea.khan@council.example.org.uk')).at(-1)!.kind).toBe('details_changed');
      // Opening it again is not an error.
      expect((await stranger.get(link)).statusCode).toBe(200);

      await signIn(new WebClient(t.app), 'bea.khan@trust.example.org.uk');
      const oldAddress = await new WebClient(t.app).submit('/sign-in', {
        email: 'bea.khan@council.example.org.uk',
        password: PASSWORD,
      });
      expect(oldAddress.statusCode).toBe(400);
    });

    it('answers the same for an address that already has an account, and emails its owner instead', async () => {
      await confirmedAccount('cleo.owner@nhs.example.org.uk');
      const ownerMailBefore = await emailsTo('cleo.owner@nhs.example.org.uk');
      const taken = await confirmedAccount('dan.asker@council.example.org.uk');
      const free = await confirmedAccount('eli.asker@council.example.org.uk');

      const toTaken = await taken.submit('/account/email', {
        email: 'cleo.owner@nhs.example.org.uk',
        password: PASSWORD,
      });
      const toFree = await free.submit('/account/email', {
        email: 'eli.new@nhs.example.org.uk',
        password: PASSWORD,
      });
      expect(toTaken.statusCode).toBe(toFree.statusCode);
      expect(toTaken.headers.location).toBe(toFree.headers.location);
      const shown = (client: WebClient, address: string) =>
        client.get('/account?sent=1').then((r) =>
          parsePage(r.body)
            .text('.govuk-notification-banner')
            .replaceAll(address, 'NEW')
            .replace(/\S+@council\.example\.org\.uk/g, 'OLD'),
        );
      expect(await shown(taken, 'cleo.owner@nhs.example.org.uk')).toBe(
        await shown(free, 'eli.new@nhs.example.org.uk'),
      );
      // Both old addresses are told alike.
      expect((await emailsTo('dan.asker@council.example.org.uk')).at(-1)!.kind).toBe(
        'email_change_requested',
      );
      expect((await emailsTo('eli.asker@council.example.org.uk')).at(-1)!.kind).toBe(
        'email_change_requested',
      );

      // The owner gets a note, not a link that could move their address to another account.
      const ownerMail = (await emailsTo('cleo.owner@nhs.example.org.uk')).slice(ownerMailBefore.length);
      expect(ownerMail.map((m) => m.kind)).toEqual(['email_in_use']);
      expect(ownerMail[0]!.text_body).not.toMatch(VERIFY_LINK);
      expect(ownerMail[0]!.text_body).toContain('we have not changed anything');
      // Asking again sends the note again, not a link.
      await taken.submit('/account', {}, '/account/verify/resend');
      expect((await emailsTo('cleo.owner@nhs.example.org.uk')).at(-1)!.kind).toBe('email_in_use');

      // Neither account has moved.
      expect(await delegateByEmail('cleo.owner@nhs.example.org.uk')).toMatchObject({ name: 'Rowan Price' });
      expect(await delegateByEmail('dan.asker@council.example.org.uk')).toBeDefined();
    });

    it('is cancelled by resetting the password (what the old address is told to do), or by the account', async () => {
      const attacker = await confirmedAccount('fay.victim@council.example.org.uk');
      await attacker.submit('/account/email', { email: 'mallory@elsewhere.example.org', password: PASSWORD });
      const link = await latestLink(t, 'mallory@elsewhere.example.org', VERIFY_LINK);

      // The owner resets the password from the link the notice gives.
      const owner = new WebClient(t.app);
      await owner.submit('/account/forgot-password', { email: 'fay.victim@council.example.org.uk' });
      const reset = await latestLink(
        t,
        'fay.victim@council.example.org.uk',
        /\/account\/reset-password\/[\w-]+/,
      );
      expect((await owner.submit(reset, { password: 'a new long passphrase' })).statusCode).toBe(303);

      expect((await attacker.get('/account')).statusCode).toBe(303);
      const used = await new WebClient(t.app).get(link);
      expect(used.statusCode).toBe(404);
      expect(await delegateByEmail('fay.victim@council.example.org.uk')).toMatchObject({
        pending_email: null,
      });
      expect(await delegateByEmail('mallory@elsewhere.example.org')).toBeUndefined();

      // Cancelling from the account page ends the link too.
      const client = await confirmedAccount('gus.mind@council.example.org.uk');
      await client.submit('/account/email', { email: 'gus.typo@council.example.org.uk', password: PASSWORD });
      const typo = await latestLink(t, 'gus.typo@council.example.org.uk', VERIFY_LINK);
      const cancelled = await client.submit('/account', {}, '/account/email/cancel');
      expect(cancelled.headers.location).toBe('/account?cancelled=1');
      expect((await client.get(typo)).statusCode).toBe(404);
      expect(await delegateByEmail('gus.mind@council.example.org.uk')).toMatchObject({ pending_email: null });
    });

    it('refuses a shared address or the same address, beside the field', async () => {
      const client = await confirmedAccount('hana.ito@council.example.org.uk');
      const shared = await client.submit('/account/email', {
        email: 'office@council.example.org.uk',
        password: PASSWORD,
      });
      expect(shared.statusCode).toBe(400);
      expect(parsePage(shared.body).text('#email-error')).toContain('not a shared one');
      const same = await client.submit('/account/email', {
        email: 'HANA.ITO@council.example.org.uk',
        password: PASSWORD,
      });
      expect(same.statusCode).toBe(400);
      expect(parsePage(same.body).text('#email-error')).toContain(
        'This is the email address your account uses now',
      );
    });
  });

  describe('an account whose address is not confirmed', () => {
    it('signs in only to confirm or change its address', async () => {
      const client = new WebClient(t.app);
      await client.submit('/register', registration('ivy.unconfirmed@charity.example.org.uk'));
      // Another browser, without the link: signing in works, but reaches only the account page.
      const other = new WebClient(t.app);
      await signIn(other, 'ivy.unconfirmed@charity.example.org.uk');
      for (const path of ['/bookings', '/account/details']) {
        const response = await other.get(path);
        expect(response.statusCode, path).toBe(303);
        expect(response.headers.location, path).toBe('/account');
      }
      // Booking is refused before anything is written.
      const csrf = parsePage((await other.get('/account')).body)
        .document.querySelector('input[name="_csrf"]')
        ?.getAttribute('value');
      const booked = await other.post(`/sessions/${sessionId}/book`, { _csrf: csrf ?? '' });
      expect(booked.statusCode).toBe(303);
      expect(booked.headers.location).toBe('/account');
      const delegate = (await delegateByEmail('ivy.unconfirmed@charity.example.org.uk'))!;
      expect(
        await t.database.db
          .selectFrom('bookings')
          .where('delegate_id', '=', delegate.id)
          .select('id')
          .execute(),
      ).toEqual([]);

      const account = parsePage((await other.get('/account')).body);
      expect(account.text()).toContain('Confirm your email address to book places and see your bookings.');
      expect(account.links().map((l) => l.href)).not.toContain('/bookings');
      expect(account.links().map((l) => l.href)).toContain('/account/email');

      // It can correct a mistyped address: the new one is confirmed from its link, and then it can book.
      const changed = await other.submit('/account/email', {
        email: 'ivy.right@charity.example.org.uk',
        password: PASSWORD,
      });
      expect(changed.statusCode).toBe(303);
      // An address never confirmed may not be theirs: it is not sent account news.
      expect((await emailsTo('ivy.unconfirmed@charity.example.org.uk')).map((m) => m.kind)).toEqual([
        'verify_email',
      ]);
      const ivyLink = await latestLink(t, 'ivy.right@charity.example.org.uk', VERIFY_LINK);
      await other.submit(ivyLink, {}, ivyLink);
      expect((await other.get('/bookings')).statusCode).toBe(200);
    });

    it('is never given a place by staff booking by email', async () => {
      const squatter = new WebClient(t.app);
      await squatter.submit('/register', registration('jo.target@police.example.org.uk', { name: 'Not Jo' }));
      const coordinator = await signedInStaff(t, 'coordinator');
      const url = `/admin/sessions/${sessionId}/bookings/new`;
      const found = await coordinator.submit(url, { email: 'jo.target@police.example.org.uk' });
      expect(found.statusCode).toBe(200);
      const page = parsePage(found.body);
      expect(page.text()).toContain('has not confirmed it yet, so no place can be booked on it');
      expect(page.document.querySelector('textarea[name="accessNeeds"]')).toBeNull();

      // Posted anyway (an old form, say): refused beside the address, and nothing booked.
      const csrf = page.document.querySelector('input[name="_csrf"]')?.getAttribute('value') ?? '';
      const forced = await coordinator.post(url, {
        _csrf: csrf,
        step: 'book',
        known: 'yes',
        email: 'jo.target@police.example.org.uk',
      });
      expect(forced.statusCode).toBe(400);
      expect(parsePage(forced.body).text('.govuk-error-summary')).toContain('has not confirmed it yet');
      const squatterId = (await delegateByEmail('jo.target@police.example.org.uk'))!.id;
      expect(
        await t.database.db
          .selectFrom('bookings')
          .where('delegate_id', '=', squatterId)
          .select('id')
          .execute(),
      ).toEqual([]);

      // Once the owner of the mailbox confirms it (here by a password reset), staff can book.
      const owner = new WebClient(t.app);
      await owner.submit('/account/forgot-password', { email: 'jo.target@police.example.org.uk' });
      const reset = await latestLink(
        t,
        'jo.target@police.example.org.uk',
        /\/account\/reset-password\/[\w-]+/,
      );
      await owner.submit(reset, { password: 'the real owner’s passphrase' });
      const again = parsePage(
        (await coordinator.submit(url, { email: 'jo.target@police.example.org.uk' })).body,
      );
      expect(again.text()).not.toContain('has not confirmed it yet');
      expect(again.document.querySelector('textarea[name="accessNeeds"]')).not.toBeNull();
    });
  });

  describe('registering from a booking page', () => {
    it('confirms the address, signs in the browser that registered and returns it to the booking page', async () => {
      const bookPath = `/sessions/${sessionId}/book`;
      const browser = new WebClient(t.app);
      const book = parsePage((await browser.get(bookPath)).body);
      const create = book.links().find((l) => l.text === 'Create an account');
      expect(create?.href).toBe(`/register?next=${encodeURIComponent(bookPath)}`);

      // Signing in from there offers the same, for someone who finds they have no account.
      const signInPage = parsePage((await browser.get(`/sign-in?next=${encodeURIComponent(bookPath)}`)).body);
      expect(signInPage.links().find((l) => l.text === 'Create an account')?.href).toBe(create!.href);

      const form = parsePage((await browser.get(create!.href)).body);
      expect(form.document.querySelector('input[name="next"]')?.getAttribute('value')).toBe(bookPath);
      expect(form.text()).toContain('Your place is not booked yet');
      const registered = await browser.submit(create!.href, registration('kim.lee@school.example.org.uk'));
      expect(registered.statusCode).toBe(303);
      expect(registered.headers.location).toBe('/register/check-your-email?booking=1');
      expect(parsePage((await browser.get('/register/check-your-email?booking=1')).body).text()).toContain(
        'take you back to the place you were booking',
      );

      // A mail scanner opens the link first: nothing is confirmed, nobody is signed in.
      const link = await latestLink(t, 'kim.lee@school.example.org.uk', VERIFY_LINK);
      const scanner = new WebClient(t.app);
      const scanned = await scanner.get(link);
      expect(scanned.statusCode).toBe(200);
      expect(parsePage(scanned.body).h1()).toBe('Confirm your email address');
      expect((await delegateByEmail('kim.lee@school.example.org.uk'))!.email_verified_at).toBeNull();
      // The phone presses the button: the address is confirmed, the phone is not signed in.
      const phone = new WebClient(t.app);
      const pressed = await phone.submit(link, {}, link);
      expect(pressed.statusCode).toBe(200);
      const pressedPage = parsePage(pressed.body);
      expect(pressedPage.text()).toContain('Your email address is confirmed');
      expect(pressedPage.links().find((l) => l.text === 'sign in')?.href).toBe(
        `/sign-in?next=${encodeURIComponent(bookPath)}`,
      );
      expect(phone.hasCookie(SESSION_COOKIE)).toBe(false);
      expect((await phone.get('/bookings')).statusCode).toBe(303);

      // The browser that registered, pressing it too, is signed in and taken back to the booking page.
      const opened = await browser.submit(link, {}, link);
      expect(opened.statusCode).toBe(303);
      expect(opened.headers.location).toBe(bookPath);
      expect(browser.hasCookie(SESSION_COOKIE)).toBe(true);
      expect(browser.hasCookie(REGISTRATION_COOKIE)).toBe(false);
      const bookPage = parsePage((await browser.get(bookPath)).body);
      expect(bookPage.document.querySelector(`form[action="${bookPath}"]`)).not.toBeNull();
      const booked = await browser.submit(bookPath, {}, bookPath);
      expect(booked.statusCode).toBe(303);
      expect(booked.headers.location).toMatch(/^\/bookings\/TRL-/);
    });

    it('signs in a browser once, and only the one that registered that account', async () => {
      const first = new WebClient(t.app);
      await first.submit('/register', registration('lou.one@school.example.org.uk'));
      const second = new WebClient(t.app);
      await second.submit('/register', registration('max.two@school.example.org.uk'));

      // The second browser opening the first one's link: confirmed, not signed in.
      const firstLink = await latestLink(t, 'lou.one@school.example.org.uk', VERIFY_LINK);
      const crossed = await second.submit(firstLink, {}, firstLink);
      expect(crossed.statusCode).toBe(200);
      expect(second.hasCookie(SESSION_COOKIE)).toBe(false);

      // Its own link signs it in; a second time, the cookie spent, it does not sign in again.
      const secondLink = await latestLink(t, 'max.two@school.example.org.uk', VERIFY_LINK);
      const own = await second.submit(secondLink, {}, secondLink);
      expect(own.statusCode).toBe(200);
      expect(parsePage(own.body).text()).toContain('You are signed in');
      expect(second.hasCookie(SESSION_COOKIE)).toBe(true);
      await second.submit('/account', {}, '/sign-out');
      expect(second.hasCookie(SESSION_COOKIE)).toBe(false);
      await second.get(secondLink);
      expect(second.hasCookie(SESSION_COOKIE)).toBe(false);
    });

    it('sends people back only to a page on this site', async () => {
      for (const next of ['//evil.example', 'https://evil.example', '/\\evil.example', '/\t/evil.example']) {
        const browser = new WebClient(t.app);
        const form = parsePage((await browser.get(`/register?next=${encodeURIComponent(next)}`)).body);
        expect(form.document.querySelector('input[name="next"]'), next).toBeNull();
        const email = `nia.${Math.abs(hash(next))}@school.example.org.uk`;
        // Posted directly, it is not kept either.
        const registered = await browser.submit('/register', { ...registration(email), next });
        expect(registered.headers.location, next).toBe('/register/check-your-email');
        const link = await latestLink(t, email, VERIFY_LINK);
        const opened = await browser.submit(link, {}, link);
        expect(opened.statusCode, next).toBe(200);
        expect(opened.headers.location, next).toBeUndefined();
        const token = await t.database.db
          .selectFrom('private_links')
          .where('email', '=', email)
          .select('return_path')
          .executeTakeFirstOrThrow();
        expect(token.return_path, next).toBeNull();
      }
    });
  });

  describe('volunteers', () => {
    it('register with no employer and no line manager', async () => {
      const form = parsePage((await new WebClient(t.app).get('/register')).body);
      const options = [...form.document.querySelectorAll('#organisationId option')].map((o) => o.textContent);
      expect(options).toContain('I do not have an employer (for example, I volunteer on my own)');
      expect(form.text()).toContain('Your line manager (optional)');
      // What the page says a line manager is told is what Trellis does today.
      expect(form.text()).toContain('We do not send your line manager any emails');
      expect(form.text()).not.toMatch(/certificate|do not attend|three months/i);

      const client = new WebClient(t.app);
      const registered = await client.submit(
        '/register',
        registration('olu.helper@example.org.uk', {
          organisationId: 'none',
          jobRole: 'Volunteer befriender',
          lineManagerName: '',
          lineManagerEmail: '',
        }),
      );
      expect(registered.statusCode).toBe(303);
      expect(await delegateByEmail('olu.helper@example.org.uk')).toMatchObject({
        organisation_id: null,
        line_manager_name: '',
        line_manager_email: '',
      });
      const oluLink = await latestLink(t, 'olu.helper@example.org.uk', VERIFY_LINK);
      await client.submit(oluLink, {}, oluLink);
      const account = parsePage((await client.get('/account')).body);
      expect(account.text()).toContain('None (no employer)');
      // Their details page shows the choice they made.
      const details = parsePage((await client.get('/account/details')).body);
      expect(details.document.querySelector('#organisationId option[selected]')?.getAttribute('value')).toBe(
        'none',
      );
    });

    it('asks for both of a line manager’s name and address, or neither', async () => {
      const client = new WebClient(t.app);
      const half = await client.submit(
        '/register',
        registration('pip.half@example.org.uk', { lineManagerEmail: '' }),
      );
      expect(half.statusCode).toBe(400);
      expect(parsePage(half.body).text('#lineManagerEmail-error')).toContain('or leave their name blank too');
      expect(await delegateByEmail('pip.half@example.org.uk')).toBeUndefined();
    });
  });
});

function hash(text: string): number {
  let value = 0;
  for (const char of text) value = (value * 31 + char.charCodeAt(0)) | 0;
  return value;
}
