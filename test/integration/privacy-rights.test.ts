/**
 * People's rights over their data, on both databases, through the real pages:
 * the subject access export (the delegate's own and staff's, with every
 * personal column of the map and nothing of anyone else), closing one's own
 * account, and erasing a person, after which no text column of any table
 * holds their name or address except where the map says it must stay.
 */
import { hash as argon2Hash } from '@node-rs/argon2';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { exportedColumns, mapEntry } from '../../src/data/personalDataMap.js';
import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import { newBookingReference } from '../../src/services/bookings/bookingReference.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { schemaColumns } from '../support/schemaColumns.js';
import {
  createBookableSessions,
  createSignedInDelegates,
  type SignedInDelegate,
} from '../support/seedDelegates.js';
import { signedInStaff } from '../support/staff.js';

const DAY = 86_400_000;
const SESSION_COOKIE = '__Host-trellis_session';
const NAME = 'Zephyrine Quillfeather';
const SURNAME = 'Quillfeather';
const PASSWORD = 'a long enough password 42';

/** Whether `path` (`bookings[].feedback.quote`) reaches a key somewhere in `value`. */
function reaches(value: unknown, path: string): boolean {
  const steps = path.split('.').flatMap((step) => (step.endsWith('[]') ? [step.slice(0, -2), '[]'] : [step]));
  let current: unknown[] = [value];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const item of current) {
      if (step === '[]') {
        if (Array.isArray(item)) next.push(...item);
      } else if (item && typeof item === 'object' && step in item) {
        next.push((item as Record<string, unknown>)[step]);
      }
    }
    current = next.filter((v) => v !== undefined);
    if (!current.length) return false;
  }
  return true;
}

eachDatabase('people’s rights over their data', (dialect) => {
  let t: TestApp;
  let clock: SettableClock;
  let admin: WebClient;
  /** The person who did everything, later erased. */
  let p: SignedInDelegate & { client: WebClient; pastBookingId: number; futureReference: string };
  let other: SignedInDelegate & { client: WebClient };
  let waiting: SignedInDelegate;
  let certificateNumber: string;
  const db = () => t.database.db;

  const client = (secret: string) => {
    const c = new WebClient(t.app);
    c.setCookie(SESSION_COOKIE, secret);
    return c;
  };

  beforeAll(async () => {
    clock = settableClock(TEST_NOW);
    t = await createTestApp(dialect, { demo: false, clock });
    const now = clock.now();
    const [past, future, full, closing] = (await createBookableSessions(
      db(),
      now,
      [
        new Date(now.getTime() - 2 * DAY),
        new Date(now.getTime() + 30 * DAY),
        new Date(now.getTime() + 31 * DAY),
        new Date(now.getTime() + 32 * DAY),
      ],
      1,
    )) as [number, number, number, number];
    admin = await signedInStaff(t, 'admin');
    const coordinator = await db()
      .selectFrom('staff_users')
      .where('role', '=', 'admin')
      .select('id')
      .executeTakeFirstOrThrow();
    const [person, someoneElse, waiter, closer, closerWaiter] = await createSignedInDelegates(
      db(),
      now,
      5,
      'r',
    );
    await db().updateTable('delegates').set({ name: NAME }).where('id', '=', person!.id).execute();

    // The past session: attended (a note about them), a certificate, feedback with a quote, published.
    const pastReference = newBookingReference();
    await new DemoRepository(db()).insertBookings(
      [
        {
          reference: pastReference,
          sessionId: past,
          delegateId: person!.id,
          state: 'confirmed',
          offerExpiresAt: null,
        },
      ],
      now,
    );
    const pastBooking = await db()
      .selectFrom('bookings')
      .where('reference', '=', pastReference)
      .select('id')
      .executeTakeFirstOrThrow();
    const part = await db()
      .selectFrom('session_parts')
      .where('session_id', '=', past)
      .select('id')
      .executeTakeFirstOrThrow();
    await t.services.attendance.mark(past, { id: coordinator.id, role: 'admin', trainerId: null }, [
      {
        bookingId: pastBooking.id,
        partId: part.id,
        status: 'attended',
        note: `${NAME} left early to collect a child`,
      },
    ]);
    certificateNumber = (
      await db()
        .selectFrom('certificates')
        .where('booking_id', '=', pastBooking.id)
        .select('number')
        .executeTakeFirstOrThrow()
    ).number;
    await t.services.feedback.sendInvitations();
    const pClient = client(person!.sessionSecret);
    const outcome = await db().selectFrom('course_learning_outcomes').select('id').executeTakeFirstOrThrow();
    const feedback = await pClient.submit(
      `/bookings/${pastReference}/feedback`,
      {
        quote: `I am ${NAME} and this changed how I listen.`,
        quoteConsent: 'name',
        doDifferently: `${SURNAME} will ask more questions`,
        [`before-${outcome.id}`]: '2',
        [`after-${outcome.id}`]: '4',
      },
      `/bookings/${pastReference}/feedback`,
    );
    expect(feedback.statusCode).toBe(303);
    const response = await db()
      .selectFrom('feedback_responses')
      .where('booking_id', '=', pastBooking.id)
      .select('id')
      .executeTakeFirstOrThrow();
    await db()
      .insertInto('quote_publications')
      .values({
        response_id: response.id,
        published_at: now.toISOString(),
        published_by_staff_id: coordinator.id,
      })
      .execute();
    // A follow-up answered with an example that names them.
    const request = await db()
      .insertInto('follow_up_requests')
      .values({
        booking_id: pastBooking.id,
        respondent: 'delegate',
        email: person!.email,
        sent_at: now.toISOString(),
        expires_at: new Date(now.getTime() + 30 * DAY).toISOString(),
        reminded_at: null,
        answered_at: now.toISOString(),
        outcome: 'answered',
        example: `${NAME} now runs the team huddle`,
        obstacles: '',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const keyArea = await db()
      .selectFrom('course_key_areas')
      .select(['id', 'text'])
      .executeTakeFirstOrThrow();
    await db()
      .insertInto('follow_up_answers')
      .values({
        request_id: request.id,
        key_area_id: keyArea.id,
        key_area_text: keyArea.text,
        practice_change: 'a_lot',
      })
      .execute();
    // A charge they answered with a note, on an invoice line that names them.
    const organisationId = (
      await db()
        .selectFrom('delegates')
        .where('id', '=', person!.id)
        .select('organisation_id')
        .executeTakeFirstOrThrow()
    ).organisation_id!;
    const invoice = await db()
      .insertInto('invoices')
      .values({
        kind: 'invoice',
        state: 'draft',
        organisation_id: organisationId,
        booking_id: null,
        credits_invoice_id: null,
        number: null,
        financial_year: null,
        sequence: null,
        customer_name: 'Northshire Council (r)',
        created_at: now.toISOString(),
        created_by_staff_id: coordinator.id,
        issued_at: null,
        issued_by_staff_id: null,
        issued_on: null,
        due_on: null,
        paid_on: null,
        paid_reference: null,
        voided_at: null,
        issuer: null,
        paid_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const charge = await db()
      .insertInto('charges')
      .values({
        booking_id: pastBooking.id,
        organisation_id: organisationId,
        kind: 'place',
        state: 'confirmed',
        proposed_pence: 5000,
        amount_pence: 5000,
        created_at: now.toISOString(),
        delegate_reason: 'other',
        delegate_note: `${SURNAME} was ill, see ${person!.email}`,
        delegate_answered_at: now.toISOString(),
        decided_at: now.toISOString(),
        decided_by_staff_id: coordinator.id,
        waiver_reason: null,
        invoice_id: invoice.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db()
      .insertInto('invoice_lines')
      .values({
        invoice_id: invoice.id,
        position: 1,
        charge_id: charge.id,
        credits_line_id: null,
        description: 'Safeguarding Adults: Level 2',
        delegate_name: NAME,
        session_date: '2026-01-10',
        net_pence: 5000,
        vat_pence: 0,
        gross_pence: 5000,
      })
      .execute();

    // Future: a confirmed place with needs (someone waits behind it), and a place on a waiting list.
    const booked = await t.services.bookings.book(person!.id, future, {
      accessNeeds: `${NAME} uses a wheelchair`,
      dietaryNeeds: 'Vegetarian',
      consent: true,
    });
    expect(booked.state).toBe('confirmed');
    expect(
      (
        await t.services.bookings.book(waiter!.id, future, {
          accessNeeds: null,
          dietaryNeeds: null,
          consent: false,
        })
      ).state,
    ).toBe('waitlisted');
    await t.services.bookings.book(someoneElse!.id, full, {
      accessNeeds: null,
      dietaryNeeds: null,
      consent: false,
    });
    expect(
      (
        await t.services.bookings.book(person!.id, full, {
          accessNeeds: null,
          dietaryNeeds: null,
          consent: false,
        })
      ).state,
    ).toBe('waitlisted');
    // Staff cancel a place for them, with a reason naming them (kept in the booking and its audit entry).
    const waitlisted = await db()
      .selectFrom('bookings')
      .where('delegate_id', '=', person!.id)
      .where('session_id', '=', full)
      .select('reference')
      .executeTakeFirstOrThrow();
    await t.services.bookingAdmin.cancel(
      { id: coordinator.id, role: 'admin', trainerId: null },
      waitlisted.reference,
      `${NAME} asked us to, by phone`,
    );
    // An emailed link outstanding.
    await t.services.accounts.requestPasswordReset(person!.email);

    // The person who closes their own account, with a password and someone waiting for their place.
    await db()
      .updateTable('delegates')
      .set({ password_hash: await argon2Hash(PASSWORD) })
      .where('id', '=', closer!.id)
      .execute();
    await t.services.bookings.book(closer!.id, closing, {
      accessNeeds: null,
      dietaryNeeds: null,
      consent: false,
    });
    await t.services.bookings.book(closerWaiter!.id, closing, {
      accessNeeds: null,
      dietaryNeeds: null,
      consent: false,
    });

    p = {
      ...person!,
      name: NAME,
      client: pClient,
      pastBookingId: pastBooking.id,
      futureReference: booked.reference,
    };
    other = { ...someoneElse!, client: client(someoneElse!.sessionSecret) };
    waiting = waiter!;
    closers = { closer: closer!, waiter: closerWaiter! };
  });
  let closers: { closer: SignedInDelegate; waiter: SignedInDelegate };
  afterAll(() => t.close());

  describe('subject access', () => {
    it('gives the delegate a readable page and a JSON file with every personal column of the map', async () => {
      const account = parsePage((await p.client.get('/account')).body);
      expect(account.text()).toContain('See and download your data');
      const page = await p.client.get('/account/your-data');
      expect(page.statusCode).toBe(200);
      const text = parsePage(page.body).text();
      expect(text).toContain(NAME);
      expect(text).toContain('uses a wheelchair');
      expect(text).toContain(certificateNumber);

      const file = await p.client.get('/account/your-data.json');
      expect(file.statusCode).toBe(200);
      expect(file.headers['content-disposition']).toMatch(/^attachment; filename=".+\.json"$/);
      const data = JSON.parse(file.body) as Record<string, unknown>;
      const missing = exportedColumns()
        .filter((c) => !reaches(data, c.path))
        .map((c) => `${c.table}.${c.column} → ${c.path}`);
      expect(missing).toEqual([]);
      expect(file.body).toContain('now runs the team huddle');
      expect(file.body).toContain(`${SURNAME} was ill`);
      // Nothing of anyone else: not the person ahead of them in the queue, nor the one behind.
      expect(file.body).not.toContain(other.email);
      expect(file.body).not.toContain(other.name);
      expect(file.body).not.toContain(waiting.email);
      // No tokens or hashes.
      expect(file.body).not.toMatch(/\$argon2|token_hash|id_hash/);
    });

    it('never shows one delegate another’s data', async () => {
      const theirs = await other.client.get('/account/your-data.json');
      expect(theirs.statusCode).toBe(200);
      expect(theirs.body).toContain(other.email);
      expect(theirs.body).not.toContain(NAME);
      expect(theirs.body).not.toContain(p.email);
      expect((await new WebClient(t.app).get('/account/your-data.json')).statusCode).toBe(303);
    });

    it('gives staff with the capability the same export, audited, and 404 to every other role', async () => {
      for (const role of ['coordinator', 'viewer', 'trainer'] as const) {
        const staff = await signedInStaff(t, role);
        expect((await staff.get(`/admin/delegates/${p.id}/subject-access`)).statusCode, role).toBe(404);
        expect((await staff.get(`/admin/delegates/${p.id}/subject-access.json`)).statusCode, role).toBe(404);
        expect(parsePage((await staff.get(`/admin/delegates/${p.id}`)).body).text()).not.toContain(
          'Erase this person',
        );
      }
      const page = await admin.get(`/admin/delegates/${p.id}/subject-access`);
      expect(page.statusCode).toBe(200);
      expect(parsePage(page.body).text()).toContain(NAME);
      const file = await admin.get(`/admin/delegates/${p.id}/subject-access.json`);
      expect(file.headers['content-disposition']).toMatch(/^attachment;/);
      const data = JSON.parse(file.body) as { account: { email: string } };
      expect(data.account.email).toBe(p.email);
      const audited = await db()
        .selectFrom('audit_log')
        .where('action', '=', 'subject_access_produced')
        .where('entity_id', '=', p.id)
        .select(['actor_type', 'details'])
        .execute();
      expect(audited.map((a) => [a.actor_type, JSON.parse(a.details)])).toEqual([
        ['staff', { form: 'page' }],
        ['staff', { form: 'json' }],
      ]);
    });
  });

  describe('closing one’s own account', () => {
    it('says what happens, asks for the password, then cancels, signs out everywhere and emails once', async () => {
      const { closer, waiter } = closers;
      const c = client(closer.sessionSecret);
      const page = parsePage((await c.get('/account/close')).body);
      expect(page.h1()).toBe('Close your account');
      expect(page.text()).toContain('Safeguarding Adults: Level 2');
      expect(page.text()).toContain('offered to the next person on the waiting list');

      const wrong = await c.submit('/account/close', { password: 'not it' }, '/account/close');
      expect(wrong.statusCode).toBe(400);
      expect(parsePage(wrong.body).text()).toContain('Enter your password correctly');

      const done = await c.submit('/account/close', { password: PASSWORD }, '/account/close');
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe('/account/closed?cancelled=1');
      expect(parsePage((await c.get('/account/closed?cancelled=1')).body).h1()).toBe(
        'Your account is closed',
      );

      const bookings = await db()
        .selectFrom('bookings')
        .where('delegate_id', 'in', [closer.id, waiter.id])
        .select(['delegate_id', 'state'])
        .execute();
      expect(bookings.find((b) => b.delegate_id === closer.id)?.state).toBe('cancelled');
      expect(bookings.find((b) => b.delegate_id === waiter.id)?.state).toBe('offered');

      // Signed out everywhere: the old cookie is no good, and signing in again fails.
      expect((await client(closer.sessionSecret).get('/account')).statusCode).toBe(303);
      const sessions = await db()
        .selectFrom('sign_in_sessions')
        .where('delegate_id', '=', closer.id)
        .selectAll()
        .execute();
      expect(sessions).toEqual([]);
      const signIn = await new WebClient(t.app).submit(
        '/sign-in',
        { email: closer.email, password: PASSWORD },
        '/sign-in',
      );
      expect(signIn.statusCode).toBe(400);

      const emails = await db()
        .selectFrom('outbox_messages')
        .where('to_address', '=', closer.email)
        .where('kind', '=', 'account_closed_on_request')
        .select('text_body')
        .execute();
      expect(emails).toHaveLength(1);
      expect(emails[0]!.text_body).toContain('Nobody can sign in to it any more');
      const row = await db()
        .selectFrom('delegates')
        .where('id', '=', closer.id)
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(row.closed_at).not.toBeNull();
      expect(row.email).toMatch(/@anonymised\.invalid$/);
      expect(row.name).toBe(closer.name);
      const audit = await db()
        .selectFrom('audit_log')
        .where('action', '=', 'account_closed')
        .where('entity_id', '=', closer.id)
        .select('details')
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]!.details).not.toContain(closer.email);
    });
  });

  /** Every text column of every table (read from the database itself) holding the person's name or address, bar those the map keeps. */
  async function traces(): Promise<string[]> {
    const needles = [NAME, SURNAME, p.email, p.email.split('@')[0]!].map((n) => n.toLowerCase());
    const found: string[] = [];
    for (const column of await schemaColumns(t.database)) {
      if (!column.text) continue;
      const entry = mapEntry(column.table, column.column);
      if (entry === 'internal') continue;
      if (entry && entry.personal && entry.keptOnErasure) continue;
      for (const needle of needles) {
        const rows = await sql<{ n: number | string }>`
          select count(*) as n from ${sql.table(column.table)}
          where lower(cast(${sql.ref(column.column)} as text)) like ${`%${needle}%`}
        `.execute(db());
        if (Number(rows.rows[0]!.n) > 0) found.push(`${column.table}.${column.column} holds "${needle}"`);
      }
    }
    return found;
  }

  describe('erasing a person', () => {
    it('cancels their future places (offered on, no fee), and leaves their name and address nowhere the map does not allow', async () => {
      // Before: the scan finds them in the places they were put (so it can fail).
      const before = await traces();
      for (const where of [
        'delegates.name',
        'bookings.access_needs',
        'feedback_responses.quote',
        'outbox_messages.to_address',
        'follow_up_requests.example',
        'charges.delegate_note',
        'attendance.note',
        'certificates.delegate_name',
        'private_links.email',
        'audit_log.details',
      ]) {
        expect(
          before.some((f) => f.startsWith(`${where} `)),
          where,
        ).toBe(true);
      }
      const confirm = parsePage((await admin.get(`/admin/delegates/${p.id}/erase`)).body);
      expect(confirm.text()).toContain('1 invoice or credit note line naming them');
      const response = await admin.submit(
        `/admin/delegates/${p.id}/erase`,
        {},
        `/admin/delegates/${p.id}/erase`,
      );
      expect(response.statusCode).toBe(303);

      const waiter = await db()
        .selectFrom('bookings')
        .where('delegate_id', '=', waiting.id)
        .select('state')
        .executeTakeFirstOrThrow();
      expect(waiter.state).toBe('offered');
      const future = await db()
        .selectFrom('bookings')
        .where('reference', '=', p.futureReference)
        .select(['id', 'state', 'delegate_id'])
        .executeTakeFirstOrThrow();
      expect(future.state).toBe('cancelled');
      expect(future.delegate_id).not.toBe(p.id);
      const fees = await db().selectFrom('charges').where('booking_id', '=', future.id).selectAll().execute();
      expect(fees).toEqual([]);

      expect(await traces()).toEqual([]);
      // The invoice line keeps the name, as the map says it must.
      const line = await db().selectFrom('invoice_lines').select('delegate_name').executeTakeFirstOrThrow();
      expect(line.delegate_name).toBe(NAME);

      const audit = await db()
        .selectFrom('audit_log')
        .where('action', '=', 'delegate_erased')
        .where('entity_id', '=', p.id)
        .select(['actor_type', 'details'])
        .execute();
      expect(audit.map((a) => a.actor_type)).toEqual(['staff']);
    });

    it('shows the row as an anonymised delegate, leaves it out of search, and the certificate without a name', async () => {
      const page = parsePage((await admin.get(`/admin/delegates/${p.id}?erased=1&cancelled=2`)).body);
      expect(page.h1()).toBe('Anonymised delegate');
      expect(page.text()).not.toContain('Erase this person');
      const search = parsePage((await admin.get('/admin/delegates')).body);
      expect(search.text()).not.toContain('Anonymised delegate');
      const holders = await db().selectFrom('delegates').where('name', '=', '').select('id').execute();
      expect(holders.length).toBeGreaterThan(1);
      for (const row of holders) expect(search.text()).not.toContain(`/admin/delegates/${row.id}"`);

      const verification = await new WebClient(t.app).get(`/certificates/${certificateNumber}`);
      expect(verification.statusCode).toBe(200);
      const text = parsePage(verification.body).text();
      expect(text).toContain('This certificate is genuine');
      expect(text).toContain('The name of the person it was issued to is no longer held');
      expect(text).toContain('Safeguarding Adults: Level 2');
      // The erased person can no longer get their export: there is no such person to sign in as.
      expect((await p.client.get('/account/your-data.json')).statusCode).toBe(303);
      // Staff pages for them are gone too.
      expect((await admin.get(`/admin/delegates/${p.id}/erase`)).statusCode).toBe(404);
    });
  });
});
