/**
 * Line managers in the loop, as the hub chooses: each of booked, cancelled
 * and "did not attend" is told only when its setting is on and the delegate
 * gave an address that can be reached, with the least that serves (never
 * needs, notes or prices), filed with the booking, and "did not attend" once a
 * booking however the register is corrected. The booking page shows the
 * delegate the very email their manager will get; the settings page, the
 * details page and the privacy page stay true to the settings.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { ProgrammeRecords } from '../../src/data/repositories/programmeRecords.js';
import { formatDate } from '../../src/domain/time/time.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import { eachDatabase } from '../support/databases.js';
import { placeTaken } from '../support/finishedSessions.js';
import { parsePage } from '../support/html.js';
import {
  createBookableSessions,
  createSignedInDelegates,
  SEEDED_COURSE_TITLE,
} from '../support/seedDelegates.js';
import { signedInStaff } from '../support/staff.js';

const DAY = 86_400_000;
const SESSION_COOKIE = '__Host-trellis_session';
const MANAGER = 'pat.manager@council.example.org.uk';
const NEEDS = 'A seat near the door, please';
const ALL_OFF = {
  lineManagerToldOfBooking: false,
  lineManagerToldOfCancellation: false,
  lineManagerToldOfNonAttendance: false,
};

const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();

eachDatabase('line managers told of places', (dialect) => {
  let t: TestApp;
  let clock: SettableClock;
  let labels = 0;
  let upcoming: number;
  let toCancel: number;
  let finished: number;
  let startsAt: Date;
  let staff: { id: number; role: 'coordinator'; trainerId: null };

  beforeAll(async () => {
    clock = settableClock(TEST_NOW);
    t = await createTestApp(dialect, { demo: false, clock });
    const now = clock.now();
    startsAt = new Date(now.getTime() + 30 * DAY);
    const ids = await createBookableSessions(
      t.database.db,
      now,
      [startsAt, new Date(now.getTime() + 31 * DAY), new Date(now.getTime() - 2 * DAY)],
      3,
    );
    [upcoming, toCancel, finished] = [ids[0]!, ids[1]!, ids[2]!];
    await t.services.staff.create(
      { name: 'Casey Coordinator', email: 'casey@hub.example.org.uk', role: 'coordinator', trainerId: null },
      'a staff password for tests',
    );
    const row = await t.database.db
      .selectFrom('staff_users')
      .where('email', '=', 'casey@hub.example.org.uk')
      .select('id')
      .executeTakeFirstOrThrow();
    staff = { id: row.id, role: 'coordinator', trainerId: null };
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.services.settings.updatePolicy(ALL_OFF);
  });

  async function delegate(manager: string | null = MANAGER) {
    labels += 1;
    const [person] = await createSignedInDelegates(t.database.db, clock.now(), 1, `lm${labels}`);
    if (manager !== MANAGER) {
      await t.database.db
        .updateTable('delegates')
        .set({ line_manager_email: manager ?? '', line_manager_name: manager ? 'Pat Manager' : '' })
        .where('id', '=', person!.id)
        .execute();
    }
    const client = new WebClient(t.app);
    client.setCookie(SESSION_COOKIE, person!.sessionSecret);
    return { ...person!, client };
  }

  async function book(client: WebClient, sessionId: number) {
    const response = await client.submit(`/sessions/${sessionId}/book`, {
      accessNeeds: NEEDS,
      dietaryNeeds: 'No nuts',
      consent: 'yes',
    });
    expect(response.statusCode, response.body.slice(0, 300)).toBe(303);
    const reference = (response.headers.location as string).split('/')[2]!.split('?')[0]!;
    const booking = await t.database.db
      .selectFrom('bookings')
      .where('reference', '=', reference)
      .select('id')
      .executeTakeFirstOrThrow();
    return { reference, bookingId: booking.id };
  }

  /** The line managers' emails about a booking, of any kind. */
  function managerEmails(bookingId: number) {
    return t.database.db
      .selectFrom('outbox_messages')
      .where('booking_id', '=', bookingId)
      .where('kind', 'like', 'line_manager_%')
      .select(['kind', 'to_address', 'subject', 'text_body', 'html_body'])
      .orderBy('id')
      .execute();
  }

  it('sends nothing while the settings are off, as they are by default', async () => {
    const person = await delegate();
    const { reference, bookingId } = await book(person.client, upcoming);
    expect((await person.client.submit(`/bookings/${reference}/cancel`, {})).statusCode).toBe(303);
    expect(await managerEmails(bookingId)).toEqual([]);
  });

  it('a booking: the page shows the very email the manager then gets, with no needs or prices', async () => {
    await t.services.settings.updatePolicy({ lineManagerToldOfBooking: true });
    const person = await delegate();
    const page = parsePage((await person.client.get(`/sessions/${upcoming}/book`)).body);
    const said = normalise(page.text());
    expect(said).toContain(`Your line manager, Pat Manager (${MANAGER}), will get this email when you book:`);
    const preview = page.document.querySelector('#line-manager-email')!;
    expect(preview).not.toBeNull();
    expect(said).not.toContain('We also email them');

    const { bookingId } = await book(person.client, upcoming);
    const emails = await managerEmails(bookingId);
    expect(emails).toHaveLength(1);
    const [email] = emails;
    expect(email!.kind).toBe('line_manager_booked');
    expect(email!.to_address).toBe(MANAGER);
    const text = normalise(email!.text_body);
    expect(text).toContain(
      `${person.name} has a confirmed place on ${SEEDED_COURSE_TITLE} on ${formatDate(startsAt)}.`,
    );
    for (const secret of [NEEDS, 'No nuts', '£', '/bookings/', 'TRL-']) {
      expect(text).not.toContain(secret);
      expect(email!.html_body).not.toContain(secret);
    }
    // The preview is the email, not a paraphrase: its subject and every paragraph.
    expect(normalise(preview.textContent!)).toContain(`Subject: ${email!.subject}`);
    for (const paragraph of email!.text_body
      .split(/\n{2,}/)
      .filter((p) => p.trim() && !/^-+$/.test(p.trim()))) {
      expect(normalise(preview.textContent!)).toContain(normalise(paragraph));
    }
  });

  it('a booking by staff, an offer accepted, and the waiting list’s page says when the manager would hear', async () => {
    await t.services.settings.updatePolicy({
      lineManagerToldOfBooking: true,
      lineManagerToldOfCancellation: true,
    });
    const person = await delegate();
    const outcome = await t.services.bookings.bookByStaff(staff.id, upcoming, person.id, {
      accessNeeds: null,
      dietaryNeeds: null,
      consent: false,
    });
    const booking = await t.database.db
      .selectFrom('bookings')
      .where('reference', '=', outcome.reference)
      .select('id')
      .executeTakeFirstOrThrow();
    expect((await managerEmails(booking.id)).map((e) => e.kind)).toEqual(['line_manager_booked']);

    // The session is now full (3 places): the page speaks of an offered place, and the other events.
    const other = await delegate();
    const filler = await delegate();
    await book(filler.client, upcoming);
    const said = normalise(parsePage((await other.client.get(`/sessions/${upcoming}/book`)).body).text());
    expect(said).toContain('Join the waiting list');
    expect(said).toContain(
      'will get this email when you accept a place offered to you from the waiting list:',
    );
    expect(said).toContain(
      'We also email them when your place is cancelled, with the same details and nothing more.',
    );
    const { reference: waitingReference, bookingId: waiting } = await book(other.client, upcoming);
    expect(await managerEmails(waiting)).toEqual([]);

    // The filler gives their place back: its manager hears; the place is offered, and accepting it is a booking.
    const { bookingId: fillerBooking, reference: fillerReference } = await t.database.db
      .selectFrom('bookings')
      .where('delegate_id', '=', filler.id)
      .select(['id as bookingId', 'reference'])
      .executeTakeFirstOrThrow();
    expect((await filler.client.submit(`/bookings/${fillerReference}/cancel`, {})).statusCode).toBe(303);
    expect((await managerEmails(fillerBooking)).map((e) => e.kind)).toEqual([
      'line_manager_booked',
      'line_manager_cancelled',
    ]);
    expect(await managerEmails(waiting)).toEqual([]);
    const accepted = await other.client.submit(
      `/bookings/${waitingReference}`,
      {},
      `/bookings/${waitingReference}/accept`,
    );
    expect(accepted.statusCode).toBe(303);
    expect((await managerEmails(waiting)).map((e) => e.kind)).toEqual(['line_manager_booked']);
  });

  it('a cancellation, by the delegate, by the hub or with the session; never leaving a waiting list', async () => {
    await t.services.settings.updatePolicy({ lineManagerToldOfCancellation: true });
    const self = await delegate();
    const byHub = await delegate();
    const withSession = await delegate();
    const first = await book(self.client, toCancel);
    const second = await book(byHub.client, toCancel);
    const third = await book(withSession.client, toCancel);
    const waiting = await book((await delegate()).client, toCancel);
    for (const b of [first, second, third, waiting]) expect(await managerEmails(b.bookingId)).toEqual([]);

    expect((await self.client.submit(`/bookings/${first.reference}/cancel`, {})).statusCode).toBe(303);
    await t.services.bookingAdmin.cancel(staff, second.reference, 'Booked twice by mistake');
    await t.services.sessionAdmin.cancel(staff, toCancel, 'The trainer is unwell');

    for (const b of [first, second, third]) {
      const emails = await managerEmails(b.bookingId);
      expect(emails.map((e) => e.kind)).toEqual(['line_manager_cancelled']);
      const text = emails[0]!.text_body;
      expect(text).toContain('has been cancelled');
      // The hub's reason is not the manager's business.
      expect(text).not.toContain('Booked twice');
      expect(text).not.toContain('unwell');
    }
    expect(await managerEmails(waiting.bookingId)).toEqual([]);
  });

  it('not attending: told once a booking, however the register is corrected', async () => {
    const part = await t.database.db
      .selectFrom('session_parts')
      .where('session_id', '=', finished)
      .select('id')
      .executeTakeFirstOrThrow();
    labels += 1;
    const off = await placeTaken(t.database.db, finished, clock.now(), `lm${labels}`, { attended: false });
    labels += 1;
    const on = await placeTaken(t.database.db, finished, clock.now(), `lm${labels}`, { attended: false });
    const mark = (bookingId: number, status: 'attended' | 'absent', note = '') =>
      t.services.attendance.mark(finished, staff, [{ bookingId, partId: part.id, status, note }]);

    await mark(off.bookingId, 'absent');
    expect(await managerEmails(off.bookingId)).toEqual([]);

    await t.services.settings.updatePolicy({ lineManagerToldOfNonAttendance: true });
    await mark(on.bookingId, 'absent', 'Phoned in sick');
    await mark(on.bookingId, 'attended');
    await mark(on.bookingId, 'absent');
    const emails = await managerEmails(on.bookingId);
    expect(emails.map((e) => e.kind)).toEqual(['line_manager_not_attended']);
    expect(emails[0]!.text_body).toContain('was marked as not attending');
    expect(emails[0]!.text_body).not.toContain('sick');
  });

  it('no address, or one that cannot be reached: nothing sent, and the page says so', async () => {
    await t.services.settings.updatePolicy({ lineManagerToldOfBooking: true });
    const none = await delegate(null);
    const said = normalise(parsePage((await none.client.get(`/sessions/${toCancel}/book`)).body).text());
    expect(said).not.toContain('will get this email');
    const unreachable = await delegate('someone@anonymised.invalid');
    const future = await anotherSession();
    const { bookingId: a } = await book(none.client, future);
    const { bookingId: b } = await book(unreachable.client, future);
    expect(await managerEmails(a)).toEqual([]);
    expect(await managerEmails(b)).toEqual([]);
    const page = normalise(
      parsePage((await (await delegate(null)).client.get(`/sessions/${future}/book`)).body).text(),
    );
    expect(page).toContain(
      'We will not email your line manager about this booking: you have not given us their email address. You can add it in your details.',
    );

    await t.services.settings.updatePolicy(ALL_OFF);
    const quiet = normalise(
      parsePage((await (await delegate()).client.get(`/sessions/${future}/book`)).body).text(),
    );
    expect(quiet).toContain('We will not email your line manager about this booking.');
    expect(quiet).not.toContain('will get this email');
  });

  /** Another session with places (the seeded ones fill up or are cancelled by earlier tests). */
  async function anotherSession(): Promise<number> {
    const course = await t.database.db
      .selectFrom('sessions')
      .where('id', '=', upcoming)
      .select(['course_id', 'venue_id'])
      .executeTakeFirstOrThrow();
    const at = new Date(clock.now().getTime() + 40 * DAY);
    return new ProgrammeRecords(t.database.db).createSession(
      {
        courseId: course.course_id,
        format: 'in_person',
        venueId: course.venue_id,
        onlineJoiningUrl: null,
        capacity: 10,
        parts: [{ startsAt: at, endsAt: new Date(at.getTime() + 6 * 3_600_000) }],
        trainerIds: [],
        notes: '',
        bookingOpensAt: null,
        bookingClosesAt: null,
      },
      clock.now(),
    );
  }

  describe('what delegates and administrators read', () => {
    it('the details page and the privacy page say which events managers are told of', async () => {
      const person = await delegate();
      const before = normalise(parsePage((await person.client.get('/account/details')).body).text());
      expect(before).toContain('We do not send your line manager any emails.');
      const privacyOff = normalise(parsePage((await t.app.inject('/privacy')).body).text());
      expect(privacyOff).toContain('We do not email your line manager.');
      expect(privacyOff).not.toContain('Your line manager');

      await t.services.settings.updatePolicy({
        lineManagerToldOfBooking: true,
        lineManagerToldOfNonAttendance: true,
      });
      const after = normalise(parsePage((await person.client.get('/account/details')).body).text());
      expect(after).not.toContain('We do not send your line manager any emails.');
      expect(after).toContain(
        'We email your line manager when a place is booked for you and when you are marked as not attending a session: your name, the course, its date and what happened, nothing else.',
      );
      const privacy = normalise(parsePage((await t.app.inject('/privacy')).body).text());
      expect(privacy).not.toContain('We do not email your line manager.');
      expect(privacy).toContain(
        'If you gave us your line manager’s email address, we email them when a place is booked for you and when you are marked as not attending a session:',
      );
    });

    it('an administrator turns each on in the settings, audited', async () => {
      const admin = await signedInStaff(t, 'admin');
      const { document } = parsePage((await admin.get('/admin/settings')).body);
      expect(
        document.querySelector('input[name="lineManagerToldOfBooking"][value="no"]')?.hasAttribute('checked'),
      ).toBe(true);
      const fields: Record<string, string> = {};
      for (const input of document
        .querySelector('form[action="/admin/settings"]')!
        .querySelectorAll('input[name], textarea[name]')) {
        const name = input.getAttribute('name')!;
        if (input.getAttribute('type') === 'radio' && !input.hasAttribute('checked')) continue;
        fields[name] =
          input.tagName === 'TEXTAREA' ? input.textContent! : (input.getAttribute('value') ?? '');
      }
      const saved = await admin.post('/admin/settings', {
        ...fields,
        lineManagerToldOfCancellation: 'yes',
        lineManagerToldOfNonAttendance: 'yes',
      });
      expect(saved.statusCode).toBe(303);
      expect(await t.services.settings.policy()).toMatchObject({
        lineManagerToldOfBooking: false,
        lineManagerToldOfCancellation: true,
        lineManagerToldOfNonAttendance: true,
      });
      const audit = await t.database.db
        .selectFrom('audit_log')
        .where('action', '=', 'changed_settings')
        .select('details')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(audit.details)).toEqual({
        changed: ['lineManagerToldOfCancellation', 'lineManagerToldOfNonAttendance'],
      });
    });
  });
});
