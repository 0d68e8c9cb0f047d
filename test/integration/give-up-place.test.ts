/**
 * "I can't come": the give-up link in the confirmation and reminder emails.
 * Opening it changes nothing; the button gives the place up once, exactly as
 * the delegate cancelling it would (the first person waiting is offered it;
 * after the cut-off a charge is proposed and the "tell us why" form is right
 * there); the link afterwards, after the start, forged or someone else's
 * never cancels. And an online session's morning reminder, claimed once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ProgrammeRecords } from '../../src/data/repositories/programmeRecords.js';
import { DEFAULT_CHARGES_SETTINGS } from '../../src/domain/charges/chargesSettings.js';
import { GIVE_UP_PRESSES_PER_MINUTE } from '../../src/web/routes/bookings/giveUp.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import { eachDatabase } from '../support/databases.js';
import { normalise, parsePage } from '../support/html.js';
import { createBookableSessions, createSignedInDelegates } from '../support/seedDelegates.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GIVE_UP_LINK = /https:\/\/training\.example\.org\.uk(\/give-up\/[A-Za-z0-9_-]{43})\b/;
const NO_NEEDS = { accessNeeds: null, dietaryNeeds: null, consent: false };
const JOIN = 'https://meet.example.org/trellis-session';

eachDatabase('giving up a place from the emailed link', (dialect) => {
  let t: TestApp;
  let clock: SettableClock;
  let courseId: number;
  let venueId: number;
  let labels = 0;

  beforeAll(async () => {
    clock = settableClock(TEST_NOW);
    t = await createTestApp(dialect, { demo: false, clock });
    const [first] = await createBookableSessions(
      t.database.db,
      clock.now(),
      [new Date(clock.now().getTime() + 60 * DAY)],
      10,
    );
    const row = await t.database.db
      .selectFrom('sessions')
      .where('id', '=', first!)
      .select(['course_id', 'venue_id'])
      .executeTakeFirstOrThrow();
    courseId = row.course_id;
    venueId = row.venue_id!;
    await t.services.settings.updatePolicy({ cancellationWorkingDays: 5 });
    await t.services.settings.updateCharges({
      ...DEFAULT_CHARGES_SETTINGS,
      dayFeePence: 5000,
      halfDayFeePence: 2500,
    });
  });
  afterAll(() => t.close());

  async function sessionAt(startsAt: Date, options: { capacity?: number; online?: boolean } = {}) {
    return new ProgrammeRecords(t.database.db).createSession(
      {
        courseId,
        format: options.online ? 'online' : 'in_person',
        venueId: options.online ? null : venueId,
        onlineJoiningUrl: options.online ? JOIN : null,
        capacity: options.capacity ?? 1,
        parts: [{ startsAt, endsAt: new Date(startsAt.getTime() + 6 * HOUR) }],
        trainerIds: [],
        notes: '',
        bookingOpensAt: null,
        bookingClosesAt: null,
      },
      clock.now(),
    );
  }

  async function person() {
    labels += 1;
    const [delegate] = await createSignedInDelegates(t.database.db, clock.now(), 1, `g${labels}`);
    return delegate!;
  }

  function emailsTo(address: string, kind?: string) {
    let query = t.database.db
      .selectFrom('outbox_messages')
      .where('to_address', '=', address)
      .selectAll()
      .orderBy('id');
    if (kind) query = query.where('kind', '=', kind);
    return query.execute();
  }

  async function linkIn(address: string, kind: string): Promise<string> {
    const emails = await emailsTo(address, kind);
    const match = GIVE_UP_LINK.exec(emails.at(-1)?.text_body ?? '');
    if (!match) throw new Error(`no give-up link in the ${kind} email`);
    expect(emails.at(-1)!.html_body).toContain(match[0]);
    return match[1]!;
  }

  function booking(reference: string) {
    return t.database.db
      .selectFrom('bookings')
      .where('reference', '=', reference)
      .selectAll()
      .executeTakeFirstOrThrow();
  }

  function chargesOf(bookingId: number) {
    return t.database.db.selectFrom('charges').where('booking_id', '=', bookingId).selectAll().execute();
  }

  /** A full session (one place): the holder's place and link, and one person waiting. */
  async function fullSession(startsIn: number) {
    clock.set(TEST_NOW);
    const sessionId = await sessionAt(new Date(clock.now().getTime() + startsIn));
    const holder = await person();
    const waiting = await person();
    const held = await t.services.bookings.book(holder.id, sessionId, NO_NEEDS);
    const queued = await t.services.bookings.book(waiting.id, sessionId, NO_NEEDS);
    expect([held.state, queued.state]).toEqual(['confirmed', 'waitlisted']);
    return {
      sessionId,
      holder,
      waiting,
      held,
      queued,
      link: await linkIn(holder.email, 'booking_confirmed'),
    };
  }

  const text = (body: string) => normalise(parsePage(body).text());

  it('the confirmation carries a link that expires when the session starts; opening it changes nothing', async () => {
    const { sessionId, holder, held, link } = await fullSession(40 * DAY);
    const stored = await t.database.db
      .selectFrom('private_links')
      .innerJoin('bookings', 'bookings.id', 'private_links.booking_id')
      .where('bookings.reference', '=', held.reference)
      .select(['private_links.purpose', 'private_links.expires_at', 'private_links.used_at'])
      .executeTakeFirstOrThrow();
    const { starts_at } = await t.database.db
      .selectFrom('sessions')
      .where('id', '=', sessionId)
      .select('starts_at')
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ purpose: 'give_up_place', used_at: null });
    expect(new Date(stored.expires_at).getTime()).toBe(new Date(starts_at).getTime());

    const sent = (await emailsTo(holder.email)).length;
    const scanner = new WebClient(t.app);
    for (let i = 0; i < 2; i++) {
      const page = await scanner.get(link);
      expect(page.statusCode).toBe(200);
      expect(page.headers['cache-control']).toBe('no-store');
      const words = text(page.body);
      expect(words).toContain('Give up your place?');
      expect(words).toContain(held.reference);
      expect(words).toContain('Cherwell Learning Centre');
      expect(words).toContain('Nothing will be charged for giving up your place now');
    }
    expect((await booking(held.reference)).state).toBe('confirmed');
    expect((await emailsTo(holder.email)).length).toBe(sent);
  });

  it('the button gives the place up once, before the cut-off: no charge, and the first person waiting is offered it', async () => {
    const { holder, waiting, held, queued, link } = await fullSession(40 * DAY);
    const person = new WebClient(t.app);
    const csrf = csrfOf((await person.get(link)).body);
    const done = await person.submit(link, {});
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`${link}?done=1`);
    const after = await booking(held.reference);
    expect(after).toMatchObject({ state: 'cancelled', cancelled_by: 'delegate' });
    expect((await booking(queued.reference)).state).toBe('offered');
    expect(await emailsTo(waiting.email, 'place_offered')).toHaveLength(1);
    expect(await emailsTo(holder.email, 'booking_cancelled')).toHaveLength(1);
    expect(await chargesOf(after.id)).toEqual([]);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .where('entity_type', '=', 'booking')
      .where('entity_id', '=', after.id)
      .where('action', '=', 'cancelled_confirmed')
      .select(['actor_type', 'actor_id', 'details'])
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_type: 'delegate', actor_id: holder.id });

    expect(text((await person.get(`${link}?done=1`)).body)).toContain('Your place is given up');
    // Pressed again (a second tab, a double click): nothing more happens, and the page says so.
    const again = await person.post(link, { _csrf: csrf });
    expect(again.statusCode).toBe(303);
    expect(await emailsTo(holder.email, 'booking_cancelled')).toHaveLength(1);
    const later = text((await new WebClient(t.app).get(link)).body);
    expect(later).toContain('This place has already been given up');
    expect(later).toContain('You gave up this place at 9am on Monday 12 January 2026');
    expect(later).not.toContain('Yes, give up my place');
  });

  it('after the cut-off it still gives the place up, proposes the charge and asks why right there', async () => {
    const { held, queued, link } = await fullSession(2 * DAY);
    const person = new WebClient(t.app);
    const asked = text((await person.get(link)).body);
    expect(asked).toContain('It is after the cut-off');
    expect(asked).toContain('A charge of £50.00 may be proposed to your organisation');
    expect(asked).not.toContain('Nothing will be charged');

    expect((await person.submit(link, {})).statusCode).toBe(303);
    const after = await booking(held.reference);
    expect(after.state).toBe('cancelled');
    expect((await booking(queued.reference)).state).toBe('offered');
    expect(await chargesOf(after.id)).toMatchObject([
      { kind: 'late_cancellation', state: 'proposed', proposed_pence: 5000 },
    ]);
    const page = text((await person.get(`${link}?done=1`)).body);
    expect(page).toContain('Your place is given up');
    expect(page).toContain('Tell us why');
    expect(page).toContain('a charge of £50.00 may apply');

    // The same reasons and checks as /charges/why/:token.
    const bad = await person.submit(`${link}?done=1`, { reason: 'made-up' }, `${link}/why`);
    expect(bad.statusCode).toBe(400);
    expect(text(bad.body)).toContain('Choose what got in the way');
    const saved = await person.submit(
      `${link}?done=1`,
      { reason: 'transport', note: 'No trains' },
      `${link}/why`,
    );
    expect(saved.statusCode).toBe(303);
    expect(await chargesOf(after.id)).toMatchObject([
      { delegate_reason: 'transport', delegate_note: 'No trains' },
    ]);
  });

  it('after the cut-off at a hub with no fees, it says nothing about money', async () => {
    await t.services.settings.updateCharges(DEFAULT_CHARGES_SETTINGS);
    try {
      const { held, link } = await fullSession(2 * DAY);
      const person = new WebClient(t.app);
      const asked = text((await person.get(link)).body);
      expect(asked).toContain('It is after the cut-off');
      expect(asked).not.toMatch(/charg/i);
      expect((await person.submit(link, {})).statusCode).toBe(303);
      expect(await chargesOf((await booking(held.reference)).id)).toEqual([]);
      expect(text((await person.get(`${link}?done=1`)).body)).not.toMatch(/charg|tell us why/i);
    } finally {
      await t.services.settings.updateCharges({
        ...DEFAULT_CHARGES_SETTINGS,
        dayFeePence: 5000,
        halfDayFeePence: 2500,
      });
    }
  });

  it('once the session has started the link explains itself and cancels nothing', async () => {
    const { held, link } = await fullSession(3 * DAY);
    // The person opened it before the start, and presses the button after.
    const client = new WebClient(t.app);
    const csrf = csrfOf((await client.get(link)).body);
    clock.set(new Date(new Date(TEST_NOW).getTime() + 3 * DAY));
    const page = await new WebClient(t.app).get(link);
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain('This session has started');
    expect(text(page.body)).toContain('To tell the hub you could not come, contact');
    expect((await client.post(link, { _csrf: csrf })).statusCode).toBe(303);
    expect((await booking(held.reference)).state).toBe('confirmed');
  });

  it('a forged link, or someone else’s, is the ordinary 404 and never cancels', async () => {
    const { holder, held, link } = await fullSession(40 * DAY);
    const visitor = new WebClient(t.app);
    expect((await visitor.get('/give-up/not-a-real-token')).statusCode).toBe(404);
    expect((await visitor.get(`/give-up/${'a'.repeat(43)}`)).statusCode).toBe(404);
    const csrf = csrfOf((await visitor.get(link)).body);
    expect((await visitor.post(`/give-up/${'a'.repeat(43)}`, { _csrf: csrf })).statusCode).toBe(404);

    // Someone else's: the booking's holder no longer has the address it was sent to (passed on, closed).
    await t.database.db
      .updateTable('delegates')
      .set({ email: `moved.${holder.email}` })
      .where('id', '=', holder.id)
      .execute();
    expect((await visitor.get(link)).statusCode).toBe(404);
    expect((await visitor.post(link, { _csrf: csrf })).statusCode).toBe(404);
    expect((await booking(held.reference)).state).toBe('confirmed');
    // Without the CSRF token nothing is done either.
    await t.database.db
      .updateTable('delegates')
      .set({ email: holder.email })
      .where('id', '=', holder.id)
      .execute();
    expect((await new WebClient(t.app).post(link, {})).statusCode).toBe(403);
    expect((await booking(held.reference)).state).toBe('confirmed');
  });

  it('a place on the waiting list is left, one cancelled by the hub says so; the button is rate limited', async () => {
    const { held, link } = await fullSession(40 * DAY);
    // A place moved onto a full session's waiting list keeps its link.
    await t.database.db
      .updateTable('bookings')
      .set({ state: 'waitlisted' })
      .where('reference', '=', held.reference)
      .execute();
    const person = new WebClient(t.app);
    expect(text((await person.get(link)).body)).toContain('Leave the waiting list?');
    expect((await person.submit(link, {})).statusCode).toBe(303);
    expect(await booking(held.reference)).toMatchObject({ state: 'cancelled', cancelled_by: 'delegate' });

    const other = await fullSession(40 * DAY);
    const script = new WebClient(t.app, { remoteAddress: '192.0.2.77' });
    const csrf = csrfOf((await script.get(other.link)).body);
    await t.database.db
      .updateTable('bookings')
      .set({
        state: 'cancelled',
        cancelled_by: 'hub',
        cancelled_at: clock.now().toISOString(),
        cancellation_reason: 'Duplicate booking',
      })
      .where('reference', '=', other.held.reference)
      .execute();
    const page = text((await person.get(other.link)).body);
    expect(page).toContain('This booking is cancelled');
    expect(page).toContain(
      'The training team cancelled this booking at 9am on Monday 12 January 2026: Duplicate booking',
    );

    // From one address, presses beyond the limit are refused before anything is looked up.
    const statuses: number[] = [];
    for (let i = 0; i <= GIVE_UP_PRESSES_PER_MINUTE; i++) {
      statuses.push((await script.post(`/give-up/${'b'.repeat(43)}`, { _csrf: csrf })).statusCode);
    }
    expect(statuses.slice(0, GIVE_UP_PRESSES_PER_MINUTE).every((status) => status === 404)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('a place moved to another session: its links work until the new session starts', async () => {
    const { holder, held, link } = await fullSession(2 * DAY);
    const later = await sessionAt(new Date(clock.now().getTime() + 20 * DAY), { capacity: 5 });
    const email = `coordinator.${labels}@hub.example.org.uk`;
    await t.services.staff.create(
      { name: 'Test coordinator', email, role: 'coordinator', trainerId: null },
      'a staff password for tests',
    );
    const { id } = await t.database.db
      .selectFrom('staff_users')
      .where('email', '=', email)
      .select('id')
      .executeTakeFirstOrThrow();
    await t.services.bookingAdmin.move(
      { id, role: 'coordinator', trainerId: null },
      held.reference,
      later,
      false,
    );
    const moved = await linkIn(holder.email, 'booking_moved');
    clock.set(new Date(new Date(TEST_NOW).getTime() + 3 * DAY));
    for (const each of [link, moved]) {
      expect(text((await new WebClient(t.app).get(each)).body)).toContain('Give up your place?');
    }
    const expiries = await t.database.db
      .selectFrom('private_links')
      .where('booking_id', '=', (await booking(held.reference)).id)
      .select('expires_at')
      .execute();
    const { starts_at } = await t.database.db
      .selectFrom('sessions')
      .where('id', '=', later)
      .select('starts_at')
      .executeTakeFirstOrThrow();
    expect(expiries.map((row) => new Date(row.expires_at).getTime())).toEqual(
      expiries.map(() => new Date(starts_at).getTime()),
    );
  });

  describe('reminders', () => {
    it('the reminder carries a give-up link too', async () => {
      clock.set(TEST_NOW);
      const sessionId = await sessionAt(new Date('2026-01-20T10:00:00Z'), { capacity: 5 });
      const delegate = await person();
      await t.services.bookings.book(delegate.id, sessionId, NO_NEEDS);
      clock.set('2026-01-18T09:00:00Z');
      await t.services.bookings.sendReminders();
      const link = await linkIn(delegate.email, 'session_reminder');
      expect(text((await new WebClient(t.app).get(link)).body)).toContain('Give up your place?');
    });

    it('an online session’s morning reminder goes once, at 7am London, with the joining and give-up links', async () => {
      clock.set(TEST_NOW);
      const online = await sessionAt(new Date('2026-01-15T10:00:00Z'), { capacity: 5, online: true });
      const inPerson = await sessionAt(new Date('2026-01-15T10:00:00Z'), { capacity: 5 });
      const [a, b] = [await person(), await person()];
      await t.services.bookings.book(a.id, online, NO_NEEDS);
      await t.services.bookings.book(b.id, inPerson, NO_NEEDS);

      clock.set('2026-01-15T06:59:00Z');
      expect(await t.services.bookings.sendMorningReminders()).toBe(0);
      clock.set('2026-01-15T07:00:00Z');
      // Several processes running the job at once: one email.
      const sent = await Promise.all([
        t.services.bookings.sendMorningReminders(),
        t.services.bookings.sendMorningReminders(),
      ]);
      expect(sent[0]! + sent[1]!).toBe(1);
      clock.set('2026-01-15T08:00:00Z');
      expect(await t.services.bookings.sendMorningReminders()).toBe(0);

      const [email] = await emailsTo(a.email, 'online_morning_reminder');
      expect(email!.subject).toContain('Today:');
      expect(email!.text_body).toContain(JOIN);
      expect(email!.html_body).toContain(JOIN);
      const link = await linkIn(a.email, 'online_morning_reminder');
      expect(text((await new WebClient(t.app).get(link)).body)).toContain('Give up your place?');
      expect(await emailsTo(b.email, 'online_morning_reminder')).toEqual([]);
    });

    it('a place booked later that morning is reminded at once; none after the start', async () => {
      clock.set('2026-01-16T08:00:00Z');
      const online = await sessionAt(new Date('2026-01-16T13:00:00Z'), { capacity: 5, online: true });
      const [early, late] = [await person(), await person()];
      await t.services.bookings.book(early.id, online, NO_NEEDS);
      expect(await t.services.bookings.sendMorningReminders()).toBe(1);
      clock.set('2026-01-16T13:30:00Z');
      await t.database.db
        .updateTable('bookings')
        .set({ morning_reminder_sent_at: null })
        .where('delegate_id', '=', early.id)
        .execute();
      expect(await t.services.bookings.sendMorningReminders()).toBe(0);
      expect(await emailsTo(late.email, 'online_morning_reminder')).toEqual([]);
    });
  });
});

function csrfOf(html: string): string {
  return parsePage(html).document.querySelector('input[name="_csrf"]')?.getAttribute('value') ?? '';
}
