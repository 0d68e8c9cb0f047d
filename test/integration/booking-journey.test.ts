/**
 * A delegate's whole journey through HTTP, as the pages offer it: register,
 * confirm the email, sign in, book, see the booking, cancel. And a second
 * delegate on the waiting list who is offered the freed place and accepts.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';

import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { fullUpcomingSession } from '../support/queries.js';
import { parsePage } from '../support/html.js';

export const PASSWORD = 'correct horse battery';

/** Registers through the form and confirms the address with the emailed link. */
export async function registerAndVerify(t: TestApp, client: WebClient, name: string, email: string) {
  const organisation = await t.database.db
    .selectFrom('organisations')
    .where('confirmed_at', 'is not', null)
    .select('id')
    .executeTakeFirstOrThrow();
  const registered = await client.submit('/register', {
    name,
    email,
    organisationId: String(organisation.id),
    jobRole: 'Social worker',
    lineManagerName: 'Pat Manager',
    lineManagerEmail: 'pat.manager@example.org.uk',
    password: PASSWORD,
  });
  expect(registered.statusCode, registered.body.slice(0, 2000)).toBe(303);
  expect(registered.headers.location).toBe('/register/check-your-email');
  const link = await latestLink(t, email, /\/account\/verify\/[\w-]+/);
  // Opening the link only offers the button (mail scanners open links first); pressing it confirms.
  const verified = await client.submit(link, {}, link);
  expect(parsePage(verified.body).text()).toContain('Your email address is confirmed');
}

export async function latestLink(t: TestApp, email: string, pattern: RegExp): Promise<string> {
  const message = await t.database.db
    .selectFrom('outbox_messages')
    .where('to_address', '=', email)
    .select(['text_body'])
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const match = pattern.exec(message.text_body);
  if (!match) throw new Error(`No link like ${pattern} in the last email to ${email}`);
  return match[0];
}

export async function signIn(client: WebClient, email: string) {
  const response = await client.submit('/sign-in', { email, password: PASSWORD });
  expect(response.statusCode).toBe(303);
}

eachDatabase('booking journey', (dialect) => {
  let t: TestApp;
  let futureSeedSessionId: number;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const session = await t.database.db
      .selectFrom('sessions')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('courses.slug', '=', 'trauma-informed-co-production')
      .where('sessions.starts_at', '>', TEST_NOW)
      .select('sessions.id')
      .orderBy('sessions.starts_at')
      .executeTakeFirstOrThrow();
    futureSeedSessionId = session.id;
  });
  afterAll(() => t.close());

  it('registers, confirms, signs in, books, sees and cancels a place', async () => {
    const amira = new WebClient(t.app);
    await registerAndVerify(t, amira, 'Amira Shah', 'amira.shah@county.example.org.uk');
    await signIn(amira, 'amira.shah@county.example.org.uk');

    const bookPage = parsePage((await amira.get(`/sessions/${futureSeedSessionId}/book`)).body);
    expect(bookPage.h1()).toBe('Book a place');
    expect(bookPage.text()).toMatch(
      /You can cancel your place yourself until .+ \(6 working days before the session\)/,
    );

    const booked = await amira.submit(`/sessions/${futureSeedSessionId}/book`, {
      accessNeeds: 'A seat near the door',
      consent: 'yes',
    });
    expect(booked.statusCode).toBe(303);
    const bookingUrl = booked.headers.location as string;
    expect(bookingUrl).toMatch(/^\/bookings\/TRL-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\?new=1$/);
    const bookingPage = parsePage((await amira.get(bookingUrl)).body);
    expect(bookingPage.text()).toContain('Your place is booked');

    const confirmation = await t.database.db
      .selectFrom('outbox_messages')
      .where('to_address', '=', 'amira.shah@county.example.org.uk')
      .where('kind', '=', 'booking_confirmed')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(JSON.parse(confirmation.attachments)).toHaveLength(1);

    const list = parsePage((await amira.get('/bookings')).body);
    expect(list.text()).toContain('Trauma Informed Co-Production');
    expect(list.text()).toContain('Booked');

    const reference = bookingUrl.split('/')[2]!.split('?')[0]!;
    const ask = parsePage((await amira.get(`/bookings/${reference}`)).body);
    expect(ask.links()).toContainEqual({ text: 'Cancel my place', href: `/bookings/${reference}/cancel` });
    expect(parsePage((await amira.get(`/bookings/${reference}/cancel`)).body).h1()).toBe(
      'Cancel your place?',
    );
    const cancelled = await amira.submit(
      `/bookings/${reference}/cancel`,
      {},
      `/bookings/${reference}/cancel`,
    );
    expect(cancelled.statusCode).toBe(303);
    const after = parsePage((await amira.get(cancelled.headers.location as string)).body);
    expect(after.text()).toContain('Your booking is cancelled.');
    expect(after.text()).toMatch(/Status\s*Cancelled/);
  });

  it('offers a freed place to the waiting list and lets the delegate accept it', async () => {
    const full = await fullUpcomingSession(t.database.db, TEST_NOW, 'last');
    // Make room for the test's two delegates: shrink to the confirmed count and clear the list.
    await t.database.db
      .deleteFrom('bookings')
      .where('session_id', '=', full.id)
      .where('state', '=', 'waitlisted')
      .execute();

    const ben = new WebClient(t.app);
    await registerAndVerify(t, ben, 'Ben Okafor', 'ben.okafor@police.example.org.uk');
    await signIn(ben, 'ben.okafor@police.example.org.uk');
    const joined = await ben.submit(`/sessions/${full.id}/book`, {});
    const benBooking = joined.headers.location as string;
    expect(parsePage((await ben.get(benBooking)).body).text()).toContain('You are on the waiting list');
    expect(parsePage((await ben.get(benBooking)).body).text()).toContain('number 1');

    // A confirmed delegate cancels, through the service as a person would through the page.
    const confirmed = await t.database.db
      .selectFrom('bookings')
      .where('session_id', '=', full.id)
      .where('state', '=', 'confirmed')
      .select(['reference', 'delegate_id'])
      .executeTakeFirstOrThrow();
    await t.services.bookings.cancel(confirmed.delegate_id, confirmed.reference);

    const offerLink = await latestLink(t, 'ben.okafor@police.example.org.uk', /\/bookings\/TRL-[\w-]+/);
    const offerPage = parsePage((await ben.get(offerLink)).body);
    expect(offerPage.text()).toContain('A place has come free for you');
    const reference = offerLink.split('/')[2]!;
    const accepted = await ben.submit(offerLink, {}, `/bookings/${reference}/accept`);
    expect(accepted.statusCode).toBe(303);
    expect(parsePage((await ben.get(`/bookings/${reference}`)).body).text()).toMatch(/Status\s*Booked/);
    const kinds = await t.database.db
      .selectFrom('outbox_messages')
      .where('to_address', '=', 'ben.okafor@police.example.org.uk')
      .select('kind')
      .orderBy('id')
      .execute();
    expect(kinds.map((k) => k.kind)).toEqual([
      'verify_email',
      'waitlist_joined',
      'place_offered',
      'booking_confirmed',
    ]);
  });

  it('gives 404 for another delegate’s booking and refuses posts without the form’s token', async () => {
    const owner = await t.database.db.selectFrom('bookings').select('reference').executeTakeFirstOrThrow();
    const stranger = new WebClient(t.app);
    await registerAndVerify(t, stranger, 'Chloe Evans', 'chloe.evans@school.example.org.uk');
    await signIn(stranger, 'chloe.evans@school.example.org.uk');
    expect((await stranger.get(`/bookings/${owner.reference}`)).statusCode).toBe(404);
    expect((await stranger.get('/bookings/not-a-reference')).statusCode).toBe(404);
    const forged = await stranger.post(`/bookings/${owner.reference}/cancel`, {});
    expect(forged.statusCode).toBe(403);
    const withToken = await stranger.submit('/bookings', {}, '/sign-out');
    expect(withToken.statusCode).toBe(303);
  });
});
