/** Delegate accounts through their pages: the rules a real booking system keeps. */
import { afterAll, beforeAll, expect, it } from 'vitest';

import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { latestLink, PASSWORD, registerAndVerify, signIn } from './booking-journey.test.js';

eachDatabase('delegate accounts', (dialect) => {
  let t: TestApp;
  let clock: SettableClock;
  let organisationId: string;

  beforeAll(async () => {
    clock = settableClock(TEST_NOW);
    t = await createTestApp(dialect, { clock });
    const organisation = await t.database.db
      .selectFrom('organisations')
      .select('id')
      .executeTakeFirstOrThrow();
    organisationId = String(organisation.id);
  });
  afterAll(() => t.close());

  const form = (overrides: Record<string, string> = {}) => ({
    name: 'Dev Patel',
    email: 'dev.patel@health.example.org.uk',
    organisationId,
    jobRole: 'Health visitor',
    lineManagerName: 'Sam Lead',
    lineManagerEmail: 'sam.lead@health.example.org.uk',
    password: PASSWORD,
    ...overrides,
  });

  it('says what is wrong beside each field, keeps what was typed and saves nothing', async () => {
    const client = new WebClient(t.app);
    const response = await client.submit(
      '/register',
      form({
        name: '',
        email: 'office@health.example.org.uk',
        password: 'short',
        lineManagerEmail: 'not an email',
      }),
    );
    expect(response.statusCode).toBe(400);
    const page = parsePage(response.body);
    const summary = page.links('.govuk-error-summary a');
    expect(summary.map((l) => l.href)).toEqual(['#name', '#email', '#lineManagerEmail', '#password']);
    expect(page.text('#name-error')).toContain('Enter your full name');
    expect(page.text('#lineManagerEmail-error')).toContain('correct format');
    expect(page.text('#password-error')).toContain('at least 10 characters');
    expect(page.document.querySelector('input#jobRole')?.getAttribute('value')).toBe('Health visitor');
    expect(page.document.querySelector('input#password')?.getAttribute('value') ?? '').toBe('');
    const shared = await client.submit('/register', form({ email: 'Office@health.example.org.uk' }));
    expect(parsePage(shared.body).text('#email-error')).toContain('not a shared one');
    const count = await t.database.db
      .selectFrom('delegates')
      .where('email', 'like', '%health.example.org.uk')
      .select('id')
      .execute();
    expect(count).toEqual([]);
  });

  it('turns line breaks in names into spaces, so nothing can reach a mail header', async () => {
    const client = new WebClient(t.app);
    const response = await client.submit(
      '/register',
      form({ name: 'Eve\r\nBcc: victim@example.com', email: 'eve@charity.example.org.uk' }),
    );
    expect(response.statusCode).toBe(303);
    const message = await t.database.db
      .selectFrom('outbox_messages')
      .where('to_address', '=', 'eve@charity.example.org.uk')
      .select(['to_name', 'subject'])
      .executeTakeFirstOrThrow();
    expect(message.to_name).toBe('Eve Bcc: victim@example.com');
    expect(message.to_name + message.subject).not.toMatch(/[\r\n]/);
    const other = await client.submit(
      '/register',
      form({ name: 'Tab\u0007bell', email: 'tab@charity.example.org.uk' }),
    );
    expect(parsePage(other.body).text('#name-error')).toContain('Remove the special characters');
  });

  it('does not reveal that an address already has an account', async () => {
    const first = new WebClient(t.app);
    await registerAndVerify(t, first, 'Grace Hughes', 'grace.hughes@council.example.org.uk');
    const second = new WebClient(t.app);
    const again = await second.submit(
      '/register',
      form({ name: 'Someone Else', email: 'grace.hughes@council.example.org.uk' }),
    );
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/register/check-your-email');
    const delegates = await t.database.db
      .selectFrom('delegates')
      .where('email', '=', 'grace.hughes@council.example.org.uk')
      .selectAll()
      .execute();
    expect(delegates).toHaveLength(1);
    expect(delegates[0]!.name).toBe('Grace Hughes');
    const last = await t.database.db
      .selectFrom('outbox_messages')
      .where('to_address', '=', 'grace.hughes@council.example.org.uk')
      .select('kind')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(last.kind).toBe('password_reset');
  });

  it('confirms an address only when its button is pressed: opening the link (as mail scanners do) changes nothing', async () => {
    const client = new WebClient(t.app);
    await client.submit('/register', form({ email: 'hamza.iqbal@charity.example.org.uk' }));
    const link = await latestLink(t, 'hamza.iqbal@charity.example.org.uk', /\/account\/verify\/[\w-]+/);
    const verified = async () =>
      (
        await t.database.db
          .selectFrom('delegates')
          .where('email', '=', 'hamza.iqbal@charity.example.org.uk')
          .select('email_verified_at')
          .executeTakeFirstOrThrow()
      ).email_verified_at;
    // A scanner opens the link twice: a page with a button, and nothing confirmed.
    const scanner = new WebClient(t.app);
    for (let i = 0; i < 2; i++) {
      const opened = await scanner.get(link);
      expect(opened.statusCode).toBe(200);
      expect(parsePage(opened.body).h1()).toBe('Confirm your email address');
    }
    expect(await verified()).toBeNull();
    // Pressing it confirms; opening or pressing again is not an error.
    const pressed = await client.submit(link, {}, link);
    expect(pressed.statusCode).toBe(200);
    expect(parsePage(pressed.body).text()).toContain('Your email address is confirmed');
    expect(await verified()).not.toBeNull();
    const again = await client.get(link);
    expect(again.statusCode).toBe(200);
    expect(parsePage(again.body).text()).toContain('Your email address is confirmed');
    // Without the form's token the button does nothing.
    expect((await new WebClient(t.app).post(link, {})).statusCode).toBe(403);
    expect((await client.get('/account/verify/made-up-token')).statusCode).toBe(404);
  });

  it('never confirms an address with a link sent to another one', async () => {
    // Someone registers with their own address, then asks to move it to someone else's…
    const mallory = new WebClient(t.app);
    await mallory.submit('/register', form({ name: 'Mallory', email: 'mallory@elsewhere.example.org' }));
    const ownLink = await latestLink(t, 'mallory@elsewhere.example.org', /\/account\/verify\/[\w-]+/);
    await signIn(mallory, 'mallory@elsewhere.example.org');
    const changed = await mallory.submit('/account/email', {
      email: 'victim@nhs.example.org.uk',
      password: PASSWORD,
    });
    expect(changed.statusCode).toBe(303);
    // …and opens the link sent to their own address: it confirms that one only.
    await new WebClient(t.app).get(ownLink);
    const account = await t.database.db
      .selectFrom('delegates')
      .where('email', '=', 'mallory@elsewhere.example.org')
      .select(['email_verified_at', 'pending_email'])
      .executeTakeFirstOrThrow();
    expect(account.pending_email).toBe('victim@nhs.example.org.uk');
    const victim = await t.database.db
      .selectFrom('delegates')
      .where('email', '=', 'victim@nhs.example.org.uk')
      .select('id')
      .executeTakeFirst();
    expect(victim).toBeUndefined();
  });

  it('ends a session after an hour idle, and after twelve hours however active', async () => {
    const client = new WebClient(t.app);
    await registerAndVerify(t, client, 'Isla Jones', 'isla.jones@school.example.org.uk');
    await signIn(client, 'isla.jones@school.example.org.uk');
    expect((await client.get('/bookings')).statusCode).toBe(200);
    clock.advance(61 * 60_000);
    const idle = await client.get('/bookings');
    expect(idle.statusCode).toBe(303);
    expect(idle.headers.location).toBe('/sign-in?next=%2Fbookings');

    await signIn(client, 'isla.jones@school.example.org.uk');
    // Active every 55 minutes: never idle, but ended twelve hours after sign-in.
    for (let step = 1; step <= 13; step += 1) {
      clock.advance(55 * 60_000);
      expect((await client.get('/bookings')).statusCode, `after ${step * 55} minutes`).toBe(200);
    }
    clock.advance(10 * 60_000);
    expect((await client.get('/bookings')).statusCode).toBe(303);
  });

  it('signs out for good: the old cookie no longer works', async () => {
    const client = new WebClient(t.app);
    await registerAndVerify(t, client, 'Jack Lewis', 'jack.lewis@police.example.org.uk');
    await signIn(client, 'jack.lewis@police.example.org.uk');
    const cookie = (await t.app.inject({ url: '/sign-in' })).cookies;
    expect(cookie).toBeDefined();
    const session = await t.database.db
      .selectFrom('sign_in_sessions')
      .where('kind', '=', 'delegate')
      .select(['id_hash', 'revoked_at'])
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    await client.submit('/bookings', {}, '/sign-out');
    const revoked = await t.database.db
      .selectFrom('sign_in_sessions')
      .where('id_hash', '=', session.id_hash)
      .select('revoked_at')
      .executeTakeFirstOrThrow();
    expect(revoked.revoked_at).not.toBeNull();
    expect((await client.get('/bookings')).statusCode).toBe(303);
  });

  it('resets a password by a one-use link and signs out everywhere', async () => {
    const laptop = new WebClient(t.app);
    await registerAndVerify(t, laptop, 'Kasia Nowak', 'kasia.nowak@nhs.example.org.uk');
    await signIn(laptop, 'kasia.nowak@nhs.example.org.uk');
    const phone = new WebClient(t.app);
    await phone.submit('/account/forgot-password', { email: 'kasia.nowak@nhs.example.org.uk' });
    const link = await latestLink(t, 'kasia.nowak@nhs.example.org.uk', /\/account\/reset-password\/[\w-]+/);
    const reset = await phone.submit(link, { password: 'a brand new passphrase' });
    expect(reset.statusCode).toBe(303);
    expect((await laptop.get('/bookings')).statusCode).toBe(303);
    const reused = await phone.get(link);
    expect(reused.statusCode).toBe(410);
    expect(parsePage(reused.body).text()).toContain('This link has already been used');
    const signedIn = await phone.submit('/sign-in', {
      email: 'kasia.nowak@nhs.example.org.uk',
      password: 'a brand new passphrase',
    });
    expect(signedIn.statusCode).toBe(303);
    const kinds = await t.database.db
      .selectFrom('outbox_messages')
      .where('to_address', '=', 'kasia.nowak@nhs.example.org.uk')
      .select('kind')
      .execute();
    expect(kinds.map((k) => k.kind)).toContain('details_changed');
  });

  it('answers the same for an unknown address when a reset is asked for', async () => {
    const client = new WebClient(t.app);
    const response = await client.submit('/account/forgot-password', { email: 'nobody@example.org.uk' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/account/forgot-password/sent');
  });

  it('keeps one account when someone changes job, and confirms a new email address', async () => {
    const client = new WebClient(t.app);
    await registerAndVerify(t, client, 'Liam Morris', 'liam.morris@council.example.org.uk');
    await signIn(client, 'liam.morris@council.example.org.uk');
    const changed = await client.submit('/account/details', {
      name: 'Liam Morris',
      organisationId: 'other',
      newOrganisationName: 'Riverside Community Trust',
      jobRole: 'Team leader',
      lineManagerName: 'New Manager',
      lineManagerEmail: 'new.manager@trust.example.org.uk',
    });
    expect(changed.statusCode).toBe(303);
    const movedEmail = await client.submit('/account/email', {
      email: 'liam.morris@trust.example.org.uk',
      password: PASSWORD,
    });
    expect(movedEmail.statusCode).toBe(303);
    const toOld = await t.database.db
      .selectFrom('outbox_messages')
      .where('to_address', '=', 'liam.morris@council.example.org.uk')
      .select('kind')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(toOld.kind).toBe('email_change_requested');
    const newAddressLink = await latestLink(
      t,
      'liam.morris@trust.example.org.uk',
      /\/account\/verify\/[\w-]+/,
    );
    await client.submit(newAddressLink, {}, newAddressLink);
    const delegate = await t.database.db
      .selectFrom('delegates')
      .innerJoin('organisations', 'organisations.id', 'delegates.organisation_id')
      .where('delegates.email', '=', 'liam.morris@trust.example.org.uk')
      .select([
        'delegates.job_role',
        'delegates.pending_email',
        'organisations.name',
        'organisations.confirmed_at',
      ])
      .executeTakeFirstOrThrow();
    expect(delegate).toEqual({
      job_role: 'Team leader',
      pending_email: null,
      name: 'Riverside Community Trust',
      confirmed_at: null,
    });
    const page = parsePage((await client.get('/account')).body);
    expect(page.text()).toContain('Riverside Community Trust (the training team will confirm it)');
  });

  it('slows guessing at one account, yet its owner signs in once the short wait is over', async () => {
    const owner = new WebClient(t.app);
    await registerAndVerify(t, owner, 'Tara Guess', 'tara.guess@council.example.org.uk');
    const guesser = new WebClient(t.app);
    const guess = (password: string, email = 'tara.guess@council.example.org.uk') =>
      guesser.submit('/sign-in', { email, password });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt += 1)
      statuses.push((await guess(`guess ${attempt}`)).statusCode);
    // Five wrong passwords are told so; the sixth, at once, waits its turn unchecked.
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    const paused = await owner.submit('/sign-in', {
      email: 'Tara.Guess@council.example.org.uk',
      password: PASSWORD,
    });
    expect(paused.statusCode).toBe(429);
    expect(paused.headers['retry-after']).toBe('1');
    const page = parsePage(paused.body);
    expect(page.text('#password-error')).toContain('wait 1 second, then try again');
    expect(page.document.querySelector('input#email')?.getAttribute('value')).toBe(
      'Tara.Guess@council.example.org.uk',
    );

    // Each further wrong password doubles the wait.
    clock.advance(1_000);
    expect((await guess('guess again')).statusCode).toBe(400);
    const longer = await guess('and again');
    expect(longer.statusCode).toBe(429);
    expect(longer.headers['retry-after']).toBe('2');

    // Another account is not slowed, and the owner gets in after the wait.
    const other = new WebClient(t.app);
    await registerAndVerify(t, other, 'Uma Other', 'uma.other@council.example.org.uk');
    clock.advance(2_000);
    const signedIn = await owner.submit('/sign-in', {
      email: 'tara.guess@council.example.org.uk',
      password: PASSWORD,
    });
    expect(signedIn.statusCode).toBe(303);
    // And starts afresh: the next wrong password is simply wrong.
    expect((await guess('after success')).statusCode).toBe(400);
  });

  it('limits sign-in attempts from one address at many accounts', async () => {
    const sprayer = new WebClient(t.app, { remoteAddress: '203.0.113.9' });
    let status = 0;
    let attempts = 0;
    while (attempts < 150) {
      attempts += 1;
      const email = `person${attempts}@example.org.uk`;
      status = (await sprayer.submit('/sign-in', { email, password: 'Winter2026!' })).statusCode;
      if (status === 429) break;
    }
    expect(status).toBe(429);
    expect(attempts).toBe(101);
    const limited = parsePage(
      (await sprayer.submit('/sign-in', { email: 'x@example.org.uk', password: 'x' })).body,
    );
    expect(limited.h1()).toBe('Too many attempts');
    // Somebody else, elsewhere, is not affected.
    const elsewhere = await new WebClient(t.app).submit('/sign-in', {
      email: 'x@example.org.uk',
      password: 'x',
    });
    expect(elsewhere.statusCode).toBe(400);
  });

  it('only sends people back to pages on this site after signing in', async () => {
    const client = new WebClient(t.app);
    await registerAndVerify(t, client, 'Niamh Green', 'niamh.green@council.example.org.uk');
    for (const next of [
      '//evil.example',
      '/\t/evil.example',
      '/\\evil.example',
      'https://evil.example',
      '/\r\nSet-Cookie: x=1',
    ]) {
      const page = await client.get(`/sign-in?next=${encodeURIComponent(next)}`);
      expect(page.statusCode).toBe(200);
      const signedIn = await client.submit(`/sign-in?next=${encodeURIComponent(next)}`, {
        email: 'niamh.green@council.example.org.uk',
        password: PASSWORD,
      });
      expect(signedIn.statusCode, next).toBe(303);
      expect(signedIn.headers.location, next).toBe('/bookings');
    }
    const good = await client.submit('/sign-in?next=%2Fsessions%2F3%2Fbook', {
      email: 'niamh.green@council.example.org.uk',
      password: PASSWORD,
    });
    expect(good.headers.location).toBe('/sessions/3/book');
  });

  it('says a wrong email address or password once, by the password, keeping the email address', async () => {
    const client = new WebClient(t.app);
    await registerAndVerify(t, client, 'Olu Bello', 'olu.bello@council.example.org.uk');
    const response = await new WebClient(t.app).submit('/sign-in', {
      email: 'olu.bello@council.example.org.uk',
      password: 'not the password',
    });
    expect(response.statusCode).toBe(400);
    const page = parsePage(response.body);
    expect(page.links('.govuk-error-summary a')).toEqual([
      { text: 'Enter a correct email address and password', href: '#password' },
    ]);
    expect(page.document.querySelector('#email-error')).toBeNull();
    // Once in the summary, once by the field.
    expect(page.text().split('Enter a correct email address and password').length - 1).toBe(2);
    expect(page.document.querySelector('#email')!.getAttribute('value')).toBe(
      'olu.bello@council.example.org.uk',
    );
  });

  it('answers odd input with a 4xx, never a 500', async () => {
    const client = new WebClient(t.app);
    expect((await t.app.inject('/courses?q=a%00b')).statusCode).toBe(400);
    const nul = await client.submit(
      '/register',
      form({ email: 'nul@charity.example.org.uk', newOrganisationName: 'A\u0000B' }),
    );
    expect(nul.statusCode).toBe(400);
    const badReferer = await t.app.inject({
      method: 'POST',
      url: '/account/verify/resend',
      headers: { referer: 'http://[', 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    expect(badReferer.statusCode).toBeLessThan(500);
    expect((await t.app.inject(`/account/verify/${'x'.repeat(5000)}`)).statusCode).toBeLessThan(500);
  });

  it('refuses a form posted without its token', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=a%40example.org.uk&password=whatever12',
    });
    expect(response.statusCode).toBe(403);
    expect(parsePage(response.body).h1()).toBe('This form has expired');
  });
});
