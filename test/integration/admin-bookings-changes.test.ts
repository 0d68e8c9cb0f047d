/**
 * What coordinators do to a booking: move it to another date, pass it to a
 * colleague, cancel it with a reason, confirm a place from the waiting list
 * by hand. Each is checked for its emails, its audit entry, what happens to
 * the waiting list, and its refusals (which change nothing).
 */
import type { LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';

import type { DB } from '../../src/data/schema.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import type { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';

let waitingCount = 0;

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

function booking(db: Kysely<DB>, reference: string) {
  return db.selectFrom('bookings').where('reference', '=', reference).selectAll().executeTakeFirstOrThrow();
}

function delegateNotOn(db: Kysely<DB>, sessionIds: number[]) {
  return db
    .selectFrom('delegates')
    .where(
      'id',
      'not in',
      db.selectFrom('bookings').where('session_id', 'in', sessionIds).select('delegate_id'),
    )
    .select(['id', 'name', 'email'])
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
}

/**
 * Two upcoming sessions of one course, both with room (the demo's), not used
 * by an earlier test: the course's first and second dates.
 */
async function twoDatesOfACourse(db: Kysely<DB>, skip: number) {
  const courses = await db
    .selectFrom('sessions')
    .where('starts_at', '>', TEST_NOW)
    .where('cancelled_at', 'is', null)
    .groupBy('course_id')
    .having((eb) => eb.fn.countAll(), '>=', 2)
    .select('course_id')
    .orderBy('course_id')
    .execute();
  const courseId = courses[skip]!.course_id;
  const [first, second] = await db
    .selectFrom('sessions')
    .where('course_id', '=', courseId)
    .where('starts_at', '>', TEST_NOW)
    .where('cancelled_at', 'is', null)
    .select(['id', 'starts_at', 'capacity'])
    .orderBy('starts_at')
    .limit(2)
    .execute();
  await db.updateTable('sessions').set({ capacity: 40 }).where('id', 'in', [first!.id, second!.id]).execute();
  return { courseId, from: first!, to: second! };
}

/** Fills a session (capacity = places taken) and puts `waiting` new people on its waiting list. */
async function makeFull(db: Kysely<DB>, sessionId: number, waiting: number) {
  const confirmed = (await bookingsOf(db, sessionId)).filter((b) => b.state === 'confirmed').length;
  await db.updateTable('sessions').set({ capacity: confirmed }).where('id', '=', sessionId).execute();
  for (let i = 0; i < waiting; i += 1) {
    const delegate = await delegateNotOn(db, [sessionId]);
    waitingCount += 1;
    const at = new Date(Date.parse(TEST_NOW) - (waiting - i) * 60_000).toISOString();
    await db
      .insertInto('bookings')
      .values({
        reference: `TRL-WAIT-${String(waitingCount).padStart(4, '0')}-AAAA`,
        session_id: sessionId,
        delegate_id: delegate.id,
        state: 'waitlisted',
        created_at: at,
        updated_at: at,
      })
      .execute();
  }
  return bookingsOf(db, sessionId);
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
    .select(['action', 'actor_type', 'details'])
    .orderBy('id')
    .execute();
}

/** Every booking, email and audit entry: a refusal must change none of them. */
async function snapshot(db: Kysely<DB>) {
  const [bookings, emails, audit, delegates] = await Promise.all([
    db.selectFrom('bookings').selectAll().orderBy('id').execute(),
    db.selectFrom('outbox_messages').select('id').execute(),
    db.selectFrom('audit_log').select('id').execute(),
    db.selectFrom('delegates').select('id').execute(),
  ]);
  return { bookings, emails: emails.length, audit: audit.length, delegates: delegates.length };
}

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

eachDatabase('back-office bookings: moving, substituting, cancelling, promoting', (dialect) => {
  let t: TestApp;
  let db: Kysely<DB>;
  let coordinator: WebClient;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    db = t.database.db;
    coordinator = await signedInStaff(t, 'coordinator');
  });
  afterAll(() => t.close());

  it('moves a booking to another date, keeping its reference and needs, and offers its old place to the waiting list', async () => {
    const { from, to } = await twoDatesOfACourse(db, 0);
    const rows = await makeFull(db, from.id, 2);
    const moving = rows.find((b) => b.state === 'confirmed')!;
    const firstWaiting = rows.find((b) => b.state === 'waitlisted')!;
    await db
      .updateTable('bookings')
      .set({ access_needs: 'Large print', needs_consent_at: TEST_NOW })
      .where('id', '=', moving.id)
      .execute();
    const part = await db
      .selectFrom('session_parts')
      .where('session_id', '=', from.id)
      .select('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('attendance')
      .values({
        booking_id: moving.id,
        session_part_id: part.id,
        status: 'attended',
        note: '',
        marked_at: TEST_NOW,
      })
      .execute();

    const url = `/admin/bookings/${moving.reference}/move`;
    const form = parsePage((await coordinator.get(url)).body);
    expect(form.h1()).toBe('Move to another date');
    const choices = [...form.document.querySelectorAll('input[name="sessionId"]')].map((i) =>
      i.getAttribute('value'),
    );
    expect(choices).toContain(String(to.id));
    expect(choices).not.toContain(String(from.id));

    const moved = await coordinator.submit(url, { sessionId: String(to.id) });
    expect(moved.statusCode).toBe(303);
    expect(moved.headers.location).toBe(`/admin/bookings/${moving.reference}?moved=1`);
    const after = await booking(db, moving.reference);
    expect(after).toMatchObject({ session_id: to.id, state: 'confirmed', access_needs: 'Large print' });
    const attendance = await db
      .selectFrom('attendance')
      .where('booking_id', '=', moving.id)
      .select('id')
      .execute();
    expect(attendance).toEqual([]);
    expect((await booking(db, firstWaiting.reference)).state).toBe('offered');
    expect(
      (await emailsTo(db, firstWaiting.email))
        .filter((e) => e.booking_id === firstWaiting.id)
        .map((e) => e.kind),
    ).toEqual(['place_offered']);

    const [email] = (await emailsTo(db, moving.email)).filter((e) => e.booking_id === moving.id);
    expect(email?.kind).toBe('booking_moved');
    expect(email?.subject).toMatch(/^Your booking has moved: .*, now /);
    expect(email?.text_body).toContain('Your place on the new date is confirmed');
    expect(email?.text_body).toContain(`Booking reference: ${moving.reference}`);
    const [ics] = JSON.parse(email!.attachments) as { content: string; contentType: string }[];
    expect(ics?.contentType).toMatch(/^text\/calendar/);
    expect(ics?.content).toContain(`session-${to.id}-part-1@`);

    const audit = await auditOf(db, moving.id);
    expect(audit.map((a) => [a.action, a.actor_type])).toEqual([['booking_moved', 'staff']]);
    expect(JSON.parse(audit[0]!.details)).toEqual({
      fromSessionId: from.id,
      toSessionId: to.id,
      fromState: 'confirmed',
      state: 'confirmed',
      // The price fixed again for the new session (free in the demo).
      pricePence: 0,
      attendanceDeleted: 1,
    });

    const page = parsePage((await coordinator.get(moved.headers.location as string)).body);
    expect(page.text('.govuk-notification-banner')).toContain('The booking has moved to');
    expect(page.text('.govuk-notification-banner')).toContain('offered the place they left');
    expect(page.listItems('main table tbody tr')[0]).toMatch(/Moved from the session on .* to the one on .*/);
  });

  it('refuses a full session unless asked to use its waiting list, then puts the booking at the end of it', async () => {
    const { from, to } = await twoDatesOfACourse(db, 1);
    const moving = (await bookingsOf(db, from.id)).find((b) => b.state === 'confirmed')!;
    const targetRows = await makeFull(db, to.id, 2);
    const url = `/admin/bookings/${moving.reference}/move`;
    const full = parsePage((await coordinator.get(url)).body);
    expect(full.text()).toMatch(/Full, 2 on the waiting list/);

    const before = await snapshot(db);
    const refused = await coordinator.submit(url, { sessionId: String(to.id) });
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual([
      'That session is full. Choose another, or tick “If it is full, put them on its waiting list” to move them there',
    ]);
    expect(
      parsePage(refused.body)
        .document.querySelector(`input[name="sessionId"][value="${to.id}"]`)
        ?.hasAttribute('checked'),
    ).toBe(true);
    expect(await snapshot(db)).toEqual(before);

    const moved = await coordinator.submit(url, { sessionId: String(to.id), joinWaitlist: 'yes' });
    expect(moved.statusCode).toBe(303);
    const after = await booking(db, moving.reference);
    expect(after).toMatchObject({ session_id: to.id, state: 'waitlisted' });
    const waiting = (await bookingsOf(db, to.id)).filter((b) => b.state === 'waitlisted');
    expect(waiting.map((b) => b.reference)).toEqual([
      ...targetRows.filter((b) => b.state === 'waitlisted').map((b) => b.reference),
      moving.reference,
    ]);
    const [email] = (await emailsTo(db, moving.email)).filter((e) => e.kind === 'booking_moved');
    expect(email?.text_body).toContain('you are number 3 on the list');
    expect(JSON.parse(email!.attachments)).toEqual([]);
    const page = parsePage((await coordinator.get(moved.headers.location as string)).body);
    expect(page.text('.govuk-notification-banner')).toContain('is number 3 on its waiting list');
  });

  it('refuses to move to the same session, another course, a date they are already on, or nothing, and a cancelled booking', async () => {
    const { from, to } = await twoDatesOfACourse(db, 2);
    const [moving, other] = (await bookingsOf(db, from.id)).filter((b) => b.state === 'confirmed');
    const url = `/admin/bookings/${moving!.reference}/move`;
    const otherCourse = await db
      .selectFrom('sessions')
      .where(
        'course_id',
        '!=',
        (
          await db
            .selectFrom('sessions')
            .where('id', '=', from.id)
            .select('course_id')
            .executeTakeFirstOrThrow()
        ).course_id,
      )
      .where('starts_at', '>', TEST_NOW)
      .select('id')
      .executeTakeFirstOrThrow();
    // The delegate already has a place on the other date.
    await db
      .insertInto('bookings')
      .values({
        reference: 'TRL-HAVE-HAVE-HAVE',
        session_id: to.id,
        delegate_id: moving!.delegate_id,
        state: 'confirmed',
        created_at: TEST_NOW,
        updated_at: TEST_NOW,
      })
      .execute();
    const before = await snapshot(db);
    const cases: [Record<string, string>, string][] = [
      [{}, 'Choose the session to move the booking to'],
      [{ sessionId: 'x' }, 'Choose the session to move the booking to'],
      [{ sessionId: String(from.id) }, 'Choose a different session: the booking is already on this one'],
      [{ sessionId: String(otherCourse.id) }, 'Choose one of the sessions listed'],
      [{ sessionId: '99999999' }, 'Choose one of the sessions listed'],
      [
        { sessionId: String(to.id) },
        `${moving!.name} already has a booking on that session (TRL-HAVE-HAVE-HAVE). Choose another`,
      ],
    ];
    for (const [fields, message] of cases) {
      const response = await coordinator.submit(url, fields);
      expect(response.statusCode, message).toBe(400);
      expect(errorSummary(response.body)).toEqual([message]);
    }
    expect(await snapshot(db)).toEqual(before);

    await db
      .updateTable('bookings')
      .set({ state: 'cancelled', cancelled_at: TEST_NOW })
      .where('id', '=', other!.id)
      .execute();
    const cancelled = await coordinator.get(`/admin/bookings/${other!.reference}/move`);
    expect(cancelled.statusCode).toBe(409);
    expect(parsePage(cancelled.body).text()).toContain(
      'This booking has been cancelled, so it cannot be moved.',
    );
  });

  it('passes a place to an existing colleague: needs cleared, both told, audited', async () => {
    const { from } = await twoDatesOfACourse(db, 3);
    const holder = (await bookingsOf(db, from.id)).find((b) => b.state === 'confirmed')!;
    await db
      .updateTable('bookings')
      .set({ access_needs: 'Wheelchair space', dietary_needs: 'Gluten free', needs_consent_at: TEST_NOW })
      .where('id', '=', holder.id)
      .execute();
    const colleague = await delegateNotOn(db, [from.id]);
    const url = `/admin/bookings/${holder.reference}/substitute`;
    expect(parsePage((await coordinator.get(url)).body).h1()).toBe('Pass the place to a colleague');

    // Not the person who holds it.
    const own = await coordinator.submit(url, { email: holder.email });
    expect(own.statusCode).toBe(400);
    expect(errorSummary(own.body)).toEqual([
      'Enter the colleague’s email address: this one belongs to the person who holds the booking now',
    ]);

    const step2 = await coordinator.submit(url, { email: colleague.email });
    expect(parsePage(step2.body).text()).toContain(colleague.name);
    const passed = await submitFrom(coordinator, step2, {});
    expect(passed.statusCode).toBe(303);
    expect(passed.headers.location).toBe(`/admin/bookings/${holder.reference}?substituted=1`);

    const after = await booking(db, holder.reference);
    expect(after).toMatchObject({
      delegate_id: colleague.id,
      session_id: from.id,
      state: 'confirmed',
      access_needs: null,
      dietary_needs: null,
      needs_consent_at: null,
    });
    const told = (await emailsTo(db, holder.email)).filter((e) => e.booking_id === holder.id);
    expect(told.map((e) => e.kind)).toEqual(['place_passed']);
    expect(told[0]!.text_body).toContain(`has passed to your colleague ${colleague.name}`);
    const confirmation = (await emailsTo(db, colleague.email)).filter((e) => e.booking_id === holder.id);
    expect(confirmation.map((e) => e.kind)).toEqual(['booking_confirmed']);
    expect(JSON.parse(confirmation[0]!.attachments)).toHaveLength(1);
    const audit = await auditOf(db, holder.id);
    expect(audit.map((a) => a.action)).toEqual(['booking_substituted']);
    expect(JSON.parse(audit[0]!.details)).toEqual({
      fromDelegateId: holder.delegate_id,
      toDelegateId: colleague.id,
      state: 'confirmed',
      // The price fixed again for the colleague (free in the demo).
      pricePence: 0,
    });
    const page = parsePage((await coordinator.get(passed.headers.location as string)).body);
    expect(page.h1()).toBe(colleague.name);
    expect(page.text()).toContain(`Passed from ${holder.name} to ${colleague.name}`);
    expect(page.text()).not.toContain('Wheelchair space');
  });

  it('passes a place to someone new, refusing bad details and a colleague already booked', async () => {
    const { from } = await twoDatesOfACourse(db, 3);
    const [holder, alreadyOn] = (await bookingsOf(db, from.id)).filter((b) => b.state === 'confirmed');
    const url = `/admin/bookings/${holder!.reference}/substitute`;

    const booked = await coordinator.submit(url, { email: alreadyOn!.email });
    expect(parsePage(booked.body).text()).toContain(
      `${alreadyOn!.name} already has a booking on this session`,
    );
    expect(parsePage(booked.body).document.querySelector('main form button')).toBeNull();

    const bad = await coordinator.submit(url, { email: 'nope' });
    expect(bad.statusCode).toBe(400);
    expect(errorSummary(bad.body)).toEqual([
      'Enter the email address in the correct format, like name@example.org.uk',
    ]);

    const step2 = await coordinator.submit(url, { email: 'tomasz.nowak@example.org.uk' });
    const before = await snapshot(db);
    const missing = await submitFrom(coordinator, step2, {
      email: 'tomasz.nowak@example.org.uk',
      name: '',
      organisationId: '',
      jobRole: 'Paramedic',
    });
    expect(missing.statusCode).toBe(400);
    expect(errorSummary(missing.body)).toEqual([
      'Enter their full name',
      'Choose their organisation, or “Their organisation is not listed”',
    ]);
    expect(
      parsePage(missing.body).document.querySelector('input[name="jobRole"]')?.getAttribute('value'),
    ).toBe('Paramedic');
    expect(await snapshot(db)).toEqual(before);

    const organisation = await db
      .selectFrom('organisations')
      .where('confirmed_at', 'is not', null)
      .select(['id', 'name'])
      .executeTakeFirstOrThrow();
    const passed = await submitFrom(coordinator, missing, {
      email: 'tomasz.nowak@example.org.uk',
      name: 'Tomasz Nowak',
      organisationId: String(organisation.id),
      jobRole: 'Paramedic',
    });
    expect(passed.statusCode).toBe(303);
    const tomasz = await db
      .selectFrom('delegates')
      .where('email', '=', 'tomasz.nowak@example.org.uk')
      .select(['id', 'organisation_id', 'password_hash'])
      .executeTakeFirstOrThrow();
    expect(tomasz).toMatchObject({ organisation_id: organisation.id, password_hash: null });
    expect((await booking(db, holder!.reference)).delegate_id).toBe(tomasz.id);
  });

  it('cancels with a reason the delegate is sent, and offers the place to the waiting list', async () => {
    const { from } = await twoDatesOfACourse(db, 4);
    const rows = await makeFull(db, from.id, 1);
    const cancelling = rows.find((b) => b.state === 'confirmed')!;
    const waiting = rows.find((b) => b.state === 'waitlisted')!;
    const url = `/admin/bookings/${cancelling.reference}/cancel`;
    expect(parsePage((await coordinator.get(url)).body).h1()).toBe('Cancel this booking');

    const before = await snapshot(db);
    for (const reason of ['', '   ', 'x'.repeat(1_001)]) {
      const refused = await coordinator.submit(url, { reason });
      expect(refused.statusCode).toBe(400);
      expect(errorSummary(refused.body)[0]).toMatch(/^(Enter the reason for cancelling|The reason must be)/);
      expect(parsePage(refused.body).document.querySelector('textarea[name="reason"]')?.textContent).toBe(
        reason,
      );
    }
    expect(await snapshot(db)).toEqual(before);

    const reason = 'You rang to say you have changed jobs.\n\nWe hope to see you on another course.';
    const cancelled = await coordinator.submit(url, { reason });
    expect(cancelled.statusCode).toBe(303);
    expect(cancelled.headers.location).toBe(
      `/admin/sessions/${from.id}/bookings?cancelled=${cancelling.reference}&freed=1`,
    );
    expect(await booking(db, cancelling.reference)).toMatchObject({
      state: 'cancelled',
      cancelled_by: 'hub',
      cancellation_reason: reason,
    });
    const [email] = (await emailsTo(db, cancelling.email)).filter((e) => e.booking_id === cancelling.id);
    expect(email?.kind).toBe('booking_cancelled');
    expect(email?.text_body).toContain('You rang to say you have changed jobs.');
    expect((await booking(db, waiting.reference)).state).toBe('offered');
    const audit = await auditOf(db, cancelling.id);
    expect(audit.map((a) => [a.action, a.actor_type])).toEqual([['booking_cancelled', 'staff']]);
    expect(JSON.parse(audit[0]!.details)).toEqual({ reason, fromState: 'confirmed' });

    const list = parsePage((await coordinator.get(cancelled.headers.location as string)).body);
    expect(list.text('.govuk-notification-banner')).toContain(`${cancelling.name}’s booking is cancelled`);
    expect(list.text('.govuk-notification-banner')).toContain('offered the place to the waiting list');
    expect(list.text()).toContain('You rang to say you have changed jobs.');

    // Nothing left to cancel.
    expect((await coordinator.get(url)).statusCode).toBe(409);
  });

  it('confirms a place from the waiting list by hand only when one is free', async () => {
    const { from } = await twoDatesOfACourse(db, 5);
    const rows = await makeFull(db, from.id, 2);
    const [, second] = rows.filter((b) => b.state === 'waitlisted');
    const list = `/admin/sessions/${from.id}/bookings`;
    const action = `/admin/bookings/${second!.reference}/promote`;

    const before = await snapshot(db);
    const refused = await coordinator.submit(list, {}, action);
    expect(refused.statusCode).toBe(409);
    expect(parsePage(refused.body).text()).toContain(
      'There are no free places. Raise the capacity or cancel a booking first.',
    );
    expect(await snapshot(db)).toEqual(before);

    await db
      .updateTable('sessions')
      .set((eb) => ({ capacity: eb('capacity', '+', 1) }))
      .where('id', '=', from.id)
      .execute();
    const promoted = await coordinator.submit(list, {}, action);
    expect(promoted.statusCode).toBe(303);
    expect(promoted.headers.location).toBe(`${list}?promoted=${second!.reference}`);
    expect((await booking(db, second!.reference)).state).toBe('confirmed');
    expect(
      (await emailsTo(db, second!.email)).filter((e) => e.booking_id === second!.id).map((e) => e.kind),
    ).toEqual(['booking_confirmed']);
    const audit = await auditOf(db, second!.id);
    expect(audit.map((a) => a.action)).toEqual(['booking_promoted']);
    expect(JSON.parse(audit[0]!.details)).toEqual({ fromState: 'waitlisted', position: 2 });
    const page = parsePage((await coordinator.get(promoted.headers.location as string)).body);
    expect(page.text('.govuk-notification-banner')).toContain(`${second!.name}’s place is confirmed`);

    // An open offer holds its place: it can be confirmed even when the session is full.
    const [first] = (await bookingsOf(db, from.id)).filter((b) => b.state === 'waitlisted');
    await db
      .updateTable('bookings')
      .set({ state: 'offered', offered_at: TEST_NOW, offer_expires_at: '2026-01-13T09:00:00.000Z' })
      .where('id', '=', first!.id)
      .execute();
    const fromBooking = await coordinator.submit(
      `/admin/bookings/${first!.reference}`,
      {},
      `/admin/bookings/${first!.reference}/promote`,
    );
    expect(fromBooking.statusCode).toBe(303);
    expect(fromBooking.headers.location).toBe(`/admin/bookings/${first!.reference}?promoted=1`);
    expect((await booking(db, first!.reference)).state).toBe('confirmed');

    // A confirmed place has nothing to promote.
    const again = await coordinator.post(action, {
      _csrf:
        parsePage((await coordinator.get(list)).body)
          .document.querySelector('input[name="_csrf"]')
          ?.getAttribute('value') ?? '',
    });
    expect(again.statusCode).toBe(409);
    expect(parsePage(again.body).text()).toContain('This place is already confirmed.');
  });
});
