/**
 * A session's bookings as staff see them, one booking with its history, and
 * booking a delegate on their behalf (an existing one, or someone new), with
 * who may see what and every form's bad input.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';

import type { LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';

import type { DB } from '../../src/data/schema.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';

const TRAINER = 'lisa-cherry';

/** An upcoming session with every place taken and people waiting, taught (or not) by the trainer. */
async function fullSessionWithWaitlist(db: Kysely<DB>, taughtByTrainer: boolean | null = null) {
  const trainer = await db
    .selectFrom('trainers')
    .where('slug', '=', TRAINER)
    .select('id')
    .executeTakeFirstOrThrow();
  let query = db
    .selectFrom('sessions')
    .where('starts_at', '>', TEST_NOW)
    .where('cancelled_at', 'is', null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('bookings')
          .whereRef('bookings.session_id', '=', 'sessions.id')
          .where('state', '=', 'waitlisted')
          .select('id'),
      ),
    );
  if (taughtByTrainer !== null) {
    const taught = db
      .selectFrom('session_trainers')
      .where('trainer_id', '=', trainer.id)
      .select('session_id');
    query = query.where('id', taughtByTrainer ? 'in' : 'not in', taught);
  }
  return query.select(['id', 'capacity', 'course_id']).orderBy('starts_at').executeTakeFirstOrThrow();
}

/**
 * The trainer's next session with bookings, made full (capacity = places
 * taken) with three people waiting after it.
 */
async function taughtSessionMadeFull(db: Kysely<DB>) {
  const trainer = await db
    .selectFrom('trainers')
    .where('slug', '=', TRAINER)
    .select('id')
    .executeTakeFirstOrThrow();
  const session = await db
    .selectFrom('sessions')
    .where('starts_at', '>', TEST_NOW)
    .where('cancelled_at', 'is', null)
    .where(
      'id',
      'in',
      db.selectFrom('session_trainers').where('trainer_id', '=', trainer.id).select('session_id'),
    )
    .where((eb) =>
      eb.exists(eb.selectFrom('bookings').whereRef('bookings.session_id', '=', 'sessions.id').select('id')),
    )
    .select(['id', 'course_id'])
    .orderBy('starts_at')
    .executeTakeFirstOrThrow();
  const confirmed = (await bookingsOf(db, session.id)).filter((b) => b.state === 'confirmed').length;
  await db.updateTable('sessions').set({ capacity: confirmed }).where('id', '=', session.id).execute();
  for (let i = 0; i < 3; i += 1) {
    const delegate = await delegateNotOn(db, session.id);
    const at = new Date(Date.parse(TEST_NOW) + (i + 1) * 60_000).toISOString();
    await db
      .insertInto('bookings')
      .values({
        reference: `TRL-WAIT-000${i}-AAAA`,
        session_id: session.id,
        delegate_id: delegate.id,
        state: 'waitlisted',
        created_at: at,
        updated_at: at,
      })
      .execute();
  }
  return { ...session, capacity: confirmed };
}

/** An upcoming session with free places. */
async function sessionWithPlaces(db: Kysely<DB>) {
  return db
    .selectFrom('sessions')
    .where('starts_at', '>', TEST_NOW)
    .where('cancelled_at', 'is', null)
    .where('capacity', '>=', 30)
    .select(['id', 'capacity', 'course_id'])
    .orderBy('starts_at')
    .executeTakeFirstOrThrow();
}

function bookingsOf(db: Kysely<DB>, sessionId: number) {
  return db
    .selectFrom('bookings')
    .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
    .where('session_id', '=', sessionId)
    .select([
      'bookings.id',
      'bookings.reference',
      'bookings.state',
      'bookings.delegate_id',
      'delegates.name',
      'delegates.email',
    ])
    .orderBy('bookings.created_at')
    .orderBy('bookings.id')
    .execute();
}

/** A demo delegate with no booking on the session. */
function delegateNotOn(db: Kysely<DB>, sessionId: number) {
  return db
    .selectFrom('delegates')
    .where(
      'id',
      'not in',
      db.selectFrom('bookings').where('session_id', '=', sessionId).select('delegate_id'),
    )
    .select(['id', 'name', 'email'])
    .orderBy('id')
    .executeTakeFirstOrThrow();
}

function emailsTo(db: Kysely<DB>, address: string) {
  return db
    .selectFrom('outbox_messages')
    .where('to_address', '=', address)
    .select(['kind', 'subject', 'text_body', 'attachments', 'booking_id'])
    .orderBy('id')
    .execute();
}

function auditOf(db: Kysely<DB>, bookingId: number) {
  return db
    .selectFrom('audit_log')
    .where('entity_type', '=', 'booking')
    .where('entity_id', '=', bookingId)
    .select(['action', 'actor_type', 'actor_id', 'details'])
    .orderBy('id')
    .execute();
}

async function count(
  db: Kysely<DB>,
  table: 'bookings' | 'delegates' | 'organisations' | 'audit_log' | 'outbox_messages',
) {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function everything(db: Kysely<DB>) {
  return Promise.all(
    (['bookings', 'delegates', 'organisations', 'audit_log', 'outbox_messages'] as const).map((table) =>
      count(db, table),
    ),
  );
}

/**
 * Submits the form on a page already fetched (the second step of a form,
 * say): its hidden fields (CSRF token, step) plus `fields`.
 */
async function submitFrom(client: WebClient, page: LightMyRequestResponse, fields: Record<string, string>) {
  const form = parsePage(page.body).document.querySelector('main form[method="post"]');
  if (!form) throw new Error(`No form on the page (status ${page.statusCode})`);
  const hidden: Record<string, string> = {};
  for (const input of form.querySelectorAll('input[type="hidden"]')) {
    hidden[input.getAttribute('name') ?? ''] = input.getAttribute('value') ?? '';
  }
  return client.post(form.getAttribute('action') ?? '', { ...hidden, ...fields });
}

const errorSummary = (html: string) => parsePage(html).listItems('.govuk-error-summary__list li');
const fieldError = (html: string, field: string) =>
  parsePage(html)
    .text(`#${field}-error`)
    .replace(/^Error:\s*/, '');
const inputValue = (html: string, field: string) =>
  parsePage(html).document.querySelector(`[name="${field}"]`)?.getAttribute('value') ??
  parsePage(html).document.querySelector(`textarea[name="${field}"]`)?.textContent ??
  null;

eachDatabase('back-office bookings: the lists', (dialect) => {
  let t: TestApp;
  let db: Kysely<DB>;
  let session: { id: number; capacity: number; course_id: number };
  let coordinator: WebClient;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    db = t.database.db;
    session = await taughtSessionMadeFull(db);
    coordinator = await signedInStaff(t, 'coordinator');
    // One of each state, and things only some may see.
    const rows = await bookingsOf(db, session.id);
    const confirmed = rows.filter((b) => b.state === 'confirmed');
    const waiting = rows.filter((b) => b.state === 'waitlisted');
    await db
      .updateTable('bookings')
      .set({
        state: 'cancelled',
        cancelled_at: TEST_NOW,
        cancelled_by: 'hub',
        cancellation_reason: 'Moved to a later date at their manager’s request',
      })
      .where('id', '=', confirmed[0]!.id)
      .execute();
    await db
      .updateTable('bookings')
      .set({ state: 'offered', offered_at: TEST_NOW, offer_expires_at: '2026-01-13T09:00:00.000Z' })
      .where('id', '=', waiting[0]!.id)
      .execute();
    await db
      .updateTable('bookings')
      .set({ access_needs: 'Step-free access, please', dietary_needs: 'Vegan', needs_consent_at: TEST_NOW })
      .where('id', '=', confirmed[1]!.id)
      .execute();
    // Names are shown as typed, never as markup (the waiting list's buttons name them too).
    await db
      .updateTable('delegates')
      .set({ name: 'Eve <script>alert(1)</script> Smith' })
      .where('id', '=', waiting[1]!.delegate_id)
      .execute();
    const unconfirmed = await db
      .insertInto('organisations')
      .values({ name: 'Brand New Agency', type: 'partner_agency', confirmed_at: null, created_at: TEST_NOW })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .updateTable('delegates')
      .set({ organisation_id: unconfirmed.id })
      .where('id', '=', confirmed[2]!.delegate_id)
      .execute();
  });
  afterAll(() => t.close());

  it('shows a coordinator the delegates in sections, with counts, needs and every action', async () => {
    const response = await coordinator.get(`/admin/sessions/${session.id}/bookings`);
    expect(response.statusCode).toBe(200);
    const page = parsePage(response.body);
    const rows = await bookingsOf(db, session.id);
    const confirmed = rows.filter((b) => b.state === 'confirmed');
    const waiting = rows.filter((b) => b.state === 'waitlisted');
    const course = await db
      .selectFrom('courses')
      .where('id', '=', session.course_id)
      .select('title')
      .executeTakeFirstOrThrow();

    expect(page.h1()).toBe(course.title);
    expect(page.text()).toContain(`${confirmed.length} of ${session.capacity} places booked`);
    expect(page.listItems('main h2')).toEqual([
      `Confirmed (${confirmed.length})`,
      'Offered a place (1)',
      `Waiting list (${waiting.length})`,
      'Cancelled (1)',
    ]);
    const tables = page.document.querySelectorAll('main table');
    expect(tables).toHaveLength(4);
    const [confirmedTable, offeredTable, waitingTable, cancelledTable] = [...tables];
    expect(confirmedTable!.querySelectorAll('tbody tr')).toHaveLength(confirmed.length);
    // Each row: name, email, organisation (tagged if unconfirmed), job role, date, reference link.
    const first = parsePage(confirmedTable!.querySelector('tbody tr')!.outerHTML).text('tr');
    expect(first).toContain(confirmed[0]!.name);
    expect(first).toContain(confirmed[0]!.email);
    expect(first).toContain('Mon 12 Jan 2026');
    expect(page.text()).toContain('Brand New Agency Unconfirmed');
    expect(page.text()).toContain('Access: Step-free access, please');
    expect(page.text()).toContain('Dietary: Vegan');
    const references = page.links().filter((l) => /^\/admin\/bookings\/TRL-[A-Z0-9-]+$/.test(l.href));
    expect(references.length).toBe(rows.length);
    // The offer shows when it ends; the waiting list is in order with positions.
    expect(parsePage(offeredTable!.outerHTML).text('table')).toContain('9am on Tuesday 13 January 2026');
    const positions = [...waitingTable!.querySelectorAll('tbody tr')].map((tr) =>
      tr.querySelector('td')?.textContent?.trim(),
    );
    expect(positions).toEqual(waiting.map((_, i) => String(i + 1)));
    expect(parsePage(waitingTable!.outerHTML).text('table')).toContain(waiting[0]!.name);
    // Cancelled: who and why.
    expect(parsePage(cancelledTable!.outerHTML).text('table')).toContain(
      'by the hub Moved to a later date at their manager’s request',
    );
    // Runners' actions.
    expect(page.links().find((l) => l.text === 'Book a delegate')?.href).toBe(
      `/admin/sessions/${session.id}/bookings/new`,
    );
    expect(page.links().filter((l) => l.text.startsWith('Move'))).toHaveLength(
      confirmed.length + 1 + waiting.length,
    );
    expect(page.links().filter((l) => l.text.startsWith('Substitute')).length).toBeGreaterThan(0);
    expect(page.links().filter((l) => l.text.startsWith('Cancel')).length).toBeGreaterThan(0);
    const promote = page.document.querySelectorAll('form[action$="/promote"]');
    expect(promote).toHaveLength(waiting.length + 1);
    expect(promote[0]!.textContent).toContain('Confirm a place');
    expect(response.body).not.toContain('<script>alert(1)');
    const buttonNames = [...page.document.querySelectorAll('form[action$="/promote"] button')].map((b) =>
      b.getAttribute('aria-label'),
    );
    expect(buttonNames).toContain('Confirm a place for Eve <script>alert(1)</script> Smith');
  });

  it('tells staff when needs are deleted from the hub’s policy, as delegates are told', async () => {
    const newBooking = `/admin/sessions/${session.id}/bookings/new`;
    const form = async () =>
      parsePage(
        (await coordinator.submit(newBooking, { email: 'someone.new@agency.example.org.uk' })).body,
      ).text();
    const withoutNeeds = await db
      .selectFrom('bookings')
      .where('session_id', '=', session.id)
      .where('access_needs', 'is', null)
      .where('dietary_needs', 'is', null)
      .select('reference')
      .executeTakeFirstOrThrow();
    const oneBooking = async () =>
      parsePage((await coordinator.get(`/admin/bookings/${withoutNeeds.reference}`)).body).text();

    await t.services.settings.updatePolicy({ accessNeedsRetentionDays: 21 });
    expect(await form()).toContain('deleted 21 days after the session ends');
    expect(await oneBooking()).toContain('Needs are deleted 21 days after the session ends');
    await t.services.settings.updatePolicy({ accessNeedsRetentionDays: 3 });
    expect(await form()).toContain('deleted 3 days after the session ends');
    expect(await oneBooking()).toContain('Needs are deleted 3 days after the session ends');
    await t.services.settings.updatePolicy({ accessNeedsRetentionDays: 30 });
  });

  it('shows a viewer the same lists without needs or anything to change', async () => {
    const viewer = await signedInStaff(t, 'viewer');
    const response = await viewer.get(`/admin/sessions/${session.id}/bookings`);
    expect(response.statusCode).toBe(200);
    const page = parsePage(response.body);
    expect(page.text()).not.toContain('Step-free access');
    expect(page.text()).not.toContain('Vegan');
    expect(page.text()).not.toContain('Book a delegate');
    expect(page.links().filter((l) => /Move|Substitute|Cancel/.test(l.text))).toEqual([]);
    expect(page.document.querySelectorAll('main form')).toHaveLength(0);
    // Nor on one booking.
    const withNeeds = await db
      .selectFrom('bookings')
      .where('session_id', '=', session.id)
      .where('access_needs', 'is not', null)
      .select('reference')
      .executeTakeFirstOrThrow();
    const booking = await viewer.get(`/admin/bookings/${withNeeds.reference}`);
    expect(booking.statusCode).toBe(200);
    expect(parsePage(booking.body).text()).not.toContain('Step-free access');
    expect(parsePage(booking.body).text()).not.toContain('Move to another date');
  });

  it('shows a trainer their own session with needs but nothing to change, and 404 for another', async () => {
    const trainer = await signedInStaff(t, 'trainer', TRAINER);
    const own = await trainer.get(`/admin/sessions/${session.id}/bookings`);
    expect(own.statusCode).toBe(200);
    expect(parsePage(own.body).text()).toContain('Step-free access, please');
    expect(parsePage(own.body).text()).not.toContain('Book a delegate');
    expect(parsePage(own.body).document.querySelectorAll('main form')).toHaveLength(0);

    const other = await fullSessionWithWaitlist(db, false);
    const otherBooking = (await bookingsOf(db, other.id))[0]!;
    expect((await trainer.get(`/admin/sessions/${other.id}/bookings`)).statusCode).toBe(404);
    expect((await trainer.get(`/admin/bookings/${otherBooking.reference}`)).statusCode).toBe(404);
    expect((await trainer.get(`/admin/bookings/${otherBooking.reference}/move`)).statusCode).toBe(404);
  });

  it('answers 404 for a session or booking that does not exist', async () => {
    expect((await coordinator.get('/admin/sessions/999999/bookings')).statusCode).toBe(404);
    expect((await coordinator.get('/admin/sessions/abc/bookings')).statusCode).toBe(404);
    expect((await coordinator.get('/admin/bookings/TRL-AAAA-BBBB-CCCC')).statusCode).toBe(404);
    expect((await coordinator.get('/admin/bookings/not-a-reference')).statusCode).toBe(404);
    expect((await coordinator.get('/admin/bookings/TRL-AAAA-BBBB-CCCC/cancel')).statusCode).toBe(404);
  });

  it('shows one booking: delegate, session, state, needs and its history', async () => {
    const withNeeds = await db
      .selectFrom('bookings')
      .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
      .where('session_id', '=', session.id)
      .where('access_needs', 'is not', null)
      .select(['bookings.id', 'reference', 'delegates.name', 'delegates.email'])
      .executeTakeFirstOrThrow();
    // Something in its history: the delegate booked it, and staff wrote to the log.
    await db
      .insertInto('audit_log')
      .values({
        at: TEST_NOW,
        actor_type: 'delegate',
        actor_id: null,
        action: 'booked',
        entity_type: 'booking',
        entity_id: withNeeds.id,
        details: '{}',
      })
      .execute();
    const response = await coordinator.get(`/admin/bookings/${withNeeds.reference.toLowerCase()}`);
    expect(response.statusCode).toBe(200);
    const page = parsePage(response.body);
    expect(page.h1()).toBe(withNeeds.name);
    expect(page.text()).toContain(withNeeds.email);
    expect(page.text()).toContain('Status Confirmed');
    expect(page.text()).toContain('Access needs Step-free access, please');
    expect(page.text()).toContain('No password yet');
    expect(page.listItems('main table tbody tr')).toEqual([
      '9am on Monday 12 January 2026 Booked a place The delegate',
    ]);
    expect(page.links().map((l) => l.text)).toEqual(
      expect.arrayContaining([
        'Move to another date',
        'Pass to a colleague (substitute)',
        'Cancel this booking',
      ]),
    );
  });

  it('renders a session of a thousand bookings', async () => {
    const big = await sessionWithPlaces(db);
    await db.updateTable('sessions').set({ capacity: 1_100 }).where('id', '=', big.id).execute();
    const organisation = await db.selectFrom('organisations').select('id').executeTakeFirstOrThrow();
    const delegates = Array.from({ length: 1_000 }, (_, i) => ({
      name: `Bulk Delegate ${i}`,
      email: `bulk.${i}@example.org.uk`,
      organisation_id: organisation.id,
      job_role: 'Nurse',
      line_manager_name: '',
      line_manager_email: '',
      created_at: TEST_NOW,
    }));
    const ids: number[] = [];
    for (let i = 0; i < delegates.length; i += 200) {
      const rows = await db
        .insertInto('delegates')
        .values(delegates.slice(i, i + 200))
        .returning('id')
        .execute();
      ids.push(...rows.map((r) => r.id));
    }
    for (let i = 0; i < ids.length; i += 200) {
      await db
        .insertInto('bookings')
        .values(
          ids.slice(i, i + 200).map((delegateId, j) => ({
            reference: `TRL-BULK-${String(i + j).padStart(4, '0')}-AAAA`,
            session_id: big.id,
            delegate_id: delegateId,
            state: 'confirmed' as const,
            created_at: TEST_NOW,
            updated_at: TEST_NOW,
          })),
        )
        .execute();
    }
    const response = await coordinator.get(`/admin/sessions/${big.id}/bookings`);
    expect(response.statusCode).toBe(200);
    const page = parsePage(response.body);
    expect(page.text()).toMatch(/10\d\d of 1100 places booked/);
    expect(
      page.document.querySelectorAll('main table')[0]!.querySelectorAll('tbody tr').length,
    ).toBeGreaterThan(1_000);
  });
});

eachDatabase('back-office bookings: booking on a delegate’s behalf', (dialect) => {
  let t: TestApp;
  let db: Kysely<DB>;
  let coordinator: WebClient;
  let coordinatorId: number;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    db = t.database.db;
    coordinator = await signedInStaff(t, 'coordinator');
    coordinatorId = (
      await db
        .selectFrom('staff_users')
        .where('role', '=', 'coordinator')
        .select('id')
        .executeTakeFirstOrThrow()
    ).id;
  });
  afterAll(() => t.close());

  it('books an existing delegate with their needs, emails them that the hub booked it, and audits it', async () => {
    const session = await sessionWithPlaces(db);
    const delegate = await delegateNotOn(db, session.id);
    const url = `/admin/sessions/${session.id}/bookings/new`;
    expect(parsePage((await coordinator.get(url)).body).h1()).toBe('Book a delegate');

    // The address first (in any case); the next step shows who it is.
    const found = await coordinator.submit(url, { email: ` ${delegate.email.toUpperCase()} ` });
    expect(found.statusCode).toBe(200);
    expect(parsePage(found.body).text()).toContain('Who you are booking');
    expect(parsePage(found.body).text()).toContain(delegate.name);

    // Needs without their agreement are refused, keeping what was typed.
    const before = await everything(db);
    const refused = await submitFrom(coordinator, found, { accessNeeds: 'A hearing loop' });
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual([
      'Tick the box to confirm they agreed to the hub holding their needs, or leave the needs boxes empty',
    ]);
    expect(fieldError(refused.body, 'consent')).toContain('Tick the box');
    expect(inputValue(refused.body, 'accessNeeds')).toBe('A hearing loop');
    expect(await everything(db)).toEqual(before);

    const booked = await submitFrom(coordinator, refused, { accessNeeds: 'A hearing loop', consent: 'yes' });
    expect(booked.statusCode).toBe(303);
    const booking = await db
      .selectFrom('bookings')
      .where('session_id', '=', session.id)
      .where('delegate_id', '=', delegate.id)
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(booked.headers.location).toBe(
      `/admin/sessions/${session.id}/bookings?booked=${booking.reference}`,
    );
    expect(booking.state).toBe('confirmed');
    expect(booking.access_needs).toBe('A hearing loop');
    expect(booking.needs_consent_at).toBe(TEST_NOW);

    const list = parsePage((await coordinator.get(booked.headers.location as string)).body);
    expect(list.text('.govuk-notification-banner')).toContain(`${delegate.name} is booked`);

    const emails = (await emailsTo(db, delegate.email)).filter((e) => e.booking_id === booking.id);
    expect(emails.map((e) => e.kind)).toEqual(['booking_confirmed']);
    expect(emails[0]!.text_body).toContain('booked this place for you');
    expect(emails[0]!.text_body).toMatch(/You are getting this email because .* booked a place for you on/);
    expect(JSON.parse(emails[0]!.attachments)).toHaveLength(1);

    const audit = await auditOf(db, booking.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'booked_by_staff',
      actor_type: 'staff',
      actor_id: coordinatorId,
    });
    expect(JSON.parse(audit[0]!.details)).toEqual({
      sessionId: session.id,
      delegateId: delegate.id,
      state: 'confirmed',
    });

    // Asking again says they already have a booking, and books nothing.
    const again = await coordinator.submit(url, { email: delegate.email });
    expect(parsePage(again.body).text()).toContain(`${delegate.name} already has a booking on this session`);
    expect(parsePage(again.body).document.querySelector('textarea[name="accessNeeds"]')).toBeNull();
  });

  it('adds someone new with a new organisation to a full session’s waiting list; they can set a password later', async () => {
    const session = await fullSessionWithWaitlist(db);
    const waitingBefore = (await bookingsOf(db, session.id)).filter((b) => b.state === 'waitlisted').length;
    const url = `/admin/sessions/${session.id}/bookings/new`;
    const step2 = await coordinator.submit(url, { email: 'Rosa.Fernandes@Newagency.example.org.uk' });
    expect(step2.statusCode).toBe(200);
    expect(parsePage(step2.body).text()).toContain(
      'This session is full: the delegate will join its waiting list',
    );
    expect(parsePage(step2.body).text()).toContain('A new delegate');
    expect(inputValue(step2.body, 'email')).toBe('rosa.fernandes@newagency.example.org.uk');

    const booked = await submitFrom(coordinator, step2, {
      email: 'rosa.fernandes@newagency.example.org.uk',
      name: '  Rosa   Fernandes ',
      organisationId: 'other',
      newOrganisationName: 'Newtown Family Hub',
      jobRole: 'Family support worker',
    });
    expect(booked.statusCode).toBe(303);
    const delegate = await db
      .selectFrom('delegates')
      .leftJoin('organisations', 'organisations.id', 'delegates.organisation_id')
      .where('email', '=', 'rosa.fernandes@newagency.example.org.uk')
      .select([
        'delegates.id',
        'delegates.name',
        'delegates.job_role',
        'delegates.password_hash',
        'organisations.name as organisation',
        'organisations.confirmed_at',
      ])
      .executeTakeFirstOrThrow();
    expect(delegate).toMatchObject({
      name: 'Rosa Fernandes',
      job_role: 'Family support worker',
      password_hash: null,
      organisation: 'Newtown Family Hub',
      confirmed_at: null,
    });
    const booking = await db
      .selectFrom('bookings')
      .where('delegate_id', '=', delegate.id)
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(booking.state).toBe('waitlisted');
    const list = parsePage((await coordinator.get(booked.headers.location as string)).body);
    expect(list.text('.govuk-notification-banner')).toContain(
      `Rosa Fernandes is number ${waitingBefore + 1} on the waiting list`,
    );
    expect(list.text()).toContain('Newtown Family Hub Unconfirmed');
    const [email] = await emailsTo(db, 'rosa.fernandes@newagency.example.org.uk');
    expect(email?.kind).toBe('waitlist_joined');
    expect(email?.text_body).toContain(`You are number ${waitingBefore + 1} on the list`);
    expect(email?.text_body).toContain('put you on the waiting list');

    // "Forgot your password" works for someone who never had one.
    const rosa = new WebClient(t.app);
    const asked = await rosa.submit('/account/forgot-password', {
      email: 'rosa.fernandes@newagency.example.org.uk',
    });
    expect(asked.statusCode).toBe(303);
    const reset = (await emailsTo(db, 'rosa.fernandes@newagency.example.org.uk')).find(
      (e) => e.kind === 'password_reset',
    );
    const link = /\/account\/reset-password\/[\w-]+/.exec(reset?.text_body ?? '')?.[0];
    expect(link).toBeTruthy();
    expect((await rosa.submit(link!, { password: 'a passphrase of her own' })).statusCode).toBe(303);
    const signedIn = await rosa.submit('/sign-in', {
      email: 'rosa.fernandes@newagency.example.org.uk',
      password: 'a passphrase of her own',
    });
    expect(signedIn.statusCode).toBe(303);
    const own = await rosa.get(`/bookings/${booking.reference}`);
    expect(own.statusCode).toBe(200);
  });

  it('refuses a new delegate’s bad details by the field, keeping what was typed and changing nothing', async () => {
    const session = await sessionWithPlaces(db);
    const url = `/admin/sessions/${session.id}/bookings/new`;

    const badEmail = await coordinator.submit(url, { email: 'not an address' });
    expect(badEmail.statusCode).toBe(400);
    expect(fieldError(badEmail.body, 'email')).toBe(
      'Enter the email address in the correct format, like name@example.org.uk',
    );
    expect(inputValue(badEmail.body, 'email')).toBe('not an address');
    const noEmail = await coordinator.submit(url, { email: '' });
    expect(errorSummary(noEmail.body)).toEqual(['Enter their email address']);

    const step2 = await coordinator.submit(url, { email: 'sam.new@example.org.uk' });
    const before = await everything(db);
    const missing = await submitFrom(coordinator, step2, {
      email: 'sam.new@example.org.uk',
      name: '   ',
      organisationId: '',
      jobRole: '',
      dietaryNeeds: 'Halal',
    });
    expect(missing.statusCode).toBe(400);
    expect(errorSummary(missing.body)).toEqual([
      'Enter their full name',
      'Choose their organisation, or “Their organisation is not listed”',
      'Enter their job role',
      'Tick the box to confirm they agreed to the hub holding their needs, or leave the needs boxes empty',
    ]);
    expect(inputValue(missing.body, 'dietaryNeeds')).toBe('Halal');

    const noName = await submitFrom(coordinator, missing, {
      email: 'sam.new@example.org.uk',
      name: 'Sam New',
      organisationId: 'other',
      newOrganisationName: '',
      jobRole: 'Youth worker',
    });
    expect(noName.statusCode).toBe(400);
    expect(errorSummary(noName.body)).toEqual(['Enter the name of their organisation']);
    expect(inputValue(noName.body, 'name')).toBe('Sam New');
    expect(inputValue(noName.body, 'jobRole')).toBe('Youth worker');
    expect(
      parsePage(noName.body)
        .document.querySelector('select[name="organisationId"] option[selected]')
        ?.getAttribute('value'),
    ).toBe('other');

    // An organisation that is not on the list (unknown, or not yet confirmed).
    const unconfirmed = await db
      .insertInto('organisations')
      .values({ name: 'Unchecked Agency', type: 'private', confirmed_at: null, created_at: TEST_NOW })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const organisationId of ['999999', String(unconfirmed.id), 'abc']) {
      const unknown = await submitFrom(coordinator, noName, {
        email: 'sam.new@example.org.uk',
        name: 'Sam New',
        organisationId,
        jobRole: 'Youth worker',
      });
      expect(unknown.statusCode, organisationId).toBe(400);
      expect(fieldError(unknown.body, 'organisationId')).toMatch(/^Choose an organisation from the list/);
    }

    // A shared mailbox is not a person's address.
    const shared = await coordinator.submit(url, { email: 'office@school.example.org.uk' });
    const sharedRefused = await submitFrom(coordinator, shared, {
      email: 'office@school.example.org.uk',
      name: 'Sam New',
      organisationId: 'other',
      newOrganisationName: 'A School',
      jobRole: 'Teacher',
    });
    expect(sharedRefused.statusCode).toBe(400);
    expect(fieldError(sharedRefused.body, 'email')).toMatch(/not a shared one like office@/);
    // Only the organisation this test added itself.
    const [bookings, delegates, organisations, audit, emails] = before;
    expect(await everything(db)).toEqual([bookings, delegates, organisations! + 1, audit, emails]);
  });

  it('books after booking has closed to delegates, but never on a cancelled or finished session', async () => {
    const session = await sessionWithPlaces(db);
    await db
      .updateTable('sessions')
      .set({ booking_closes_at: TEST_NOW })
      .where('id', '=', session.id)
      .execute();
    const url = `/admin/sessions/${session.id}/bookings/new`;
    expect(parsePage((await coordinator.get(url)).body).text()).toContain(
      'Booking has closed for delegates, but you can still book someone on their behalf.',
    );
    const delegate = await delegateNotOn(db, session.id);
    const step2 = await coordinator.submit(url, { email: delegate.email });
    expect((await submitFrom(coordinator, step2, {})).statusCode).toBe(303);

    // Cancelled after the page was shown: refused, nothing booked.
    const other = await delegateNotOn(db, session.id);
    const step2Other = await coordinator.submit(url, { email: other.email });
    await db.updateTable('sessions').set({ cancelled_at: TEST_NOW }).where('id', '=', session.id).execute();
    const before = await everything(db);
    const refused = await submitFrom(coordinator, step2Other, {});
    expect(refused.statusCode).toBe(409);
    expect(parsePage(refused.body).text()).toContain(
      'This session has been cancelled, so it cannot be booked.',
    );
    expect(await everything(db)).toEqual(before);
    expect(parsePage((await coordinator.get(url)).body).text()).toContain(
      'This session has been cancelled, so no one can be booked on it.',
    );

    const past = await db
      .selectFrom('sessions')
      .where('ends_at', '<', TEST_NOW)
      .where('cancelled_at', 'is', null)
      .select('id')
      .executeTakeFirst();
    if (past) {
      const pastUrl = `/admin/sessions/${past.id}/bookings/new`;
      expect(parsePage((await coordinator.get(pastUrl)).body).text()).toContain('This session has finished');
    }
  });
});
