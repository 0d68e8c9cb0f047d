/**
 * The hub's booking rules, through the booking service and its jobs: booking
 * windows, the cancellation cut-off in working days, offers that expire and
 * move down the list, reminders, and deleting access needs after a session.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import { ProgrammeRecords } from '../../src/data/repositories/programmeRecords.js';
import { londonToInstant } from '../../src/domain/time/time.js';
import { ConflictError, NotFoundError } from '../../src/errors.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import { eachDatabase } from '../support/databases.js';

// A Wednesday morning in term time.
const NOW = '2026-03-04T10:00:00.000Z';

eachDatabase('booking rules', (dialect) => {
  let t: TestApp;
  let clock: SettableClock;
  let courseId: number;
  let delegateNumber = 0;

  beforeAll(async () => {
    clock = settableClock(NOW);
    t = await createTestApp(dialect, { clock, demo: false });
    courseId = await new ProgrammeRecords(t.database.db).createCourse(
      {
        slug: 'rules',
        title: 'Rules course',
        summary: 'For testing rules.',
        description: 'Rules.',
        audience: '',
        level: 'foundation',
        contentNotes: '',
        cpdHours: 3,
        practicalNotes: '',
        keyAreas: [],
        learningOutcomes: [],
        testimonials: [],
        topicIds: [],
        audienceIds: [],
      },
      clock.now(),
    );
  });
  beforeEach(() => clock.set(NOW));
  afterAll(() => t.close());

  async function session(date: string, capacity: number, window: { opens?: Date; closes?: Date } = {}) {
    return new ProgrammeRecords(t.database.db).createSession(
      {
        courseId,
        format: 'online',
        venueId: null,
        onlineJoiningUrl: 'https://meet.example.org.uk/rules',
        capacity,
        parts: [{ startsAt: londonToInstant(date, '09:30'), endsAt: londonToInstant(date, '12:30') }],
        trainerIds: [],
        notes: '',
        bookingOpensAt: window.opens ?? null,
        bookingClosesAt: window.closes ?? null,
      },
      clock.now(),
    );
  }

  async function delegate(): Promise<number> {
    delegateNumber += 1;
    return new DemoRepository(t.database.db).createDelegate(
      {
        name: `Delegate ${delegateNumber}`,
        email: `delegate.${delegateNumber}@rules.example.org.uk`,
        organisationId: null,
        jobRole: 'Nurse',
        lineManagerName: 'M',
        lineManagerEmail: 'm@rules.example.org.uk',
      },
      clock.now(),
    );
  }

  const noNeeds = { accessNeeds: null, dietaryNeeds: null, consent: false };

  async function state(reference: string) {
    const row = await t.database.db
      .selectFrom('bookings')
      .where('reference', '=', reference)
      .selectAll()
      .executeTakeFirstOrThrow();
    return row;
  }

  async function kinds(delegateId: number) {
    const rows = await t.database.db
      .selectFrom('outbox_messages')
      .innerJoin('delegates', 'delegates.email', 'outbox_messages.to_address')
      .where('delegates.id', '=', delegateId)
      .select('kind')
      .orderBy('outbox_messages.id')
      .execute();
    return rows.map((r) => r.kind);
  }

  it('opens and closes booking at the times the session sets', async () => {
    const id = await session('2026-04-22', 10, {
      opens: new Date('2026-03-10T09:00:00Z'),
      closes: new Date('2026-04-15T17:00:00Z'),
    });
    const who = await delegate();
    await expect(t.services.bookings.book(who, id, noNeeds)).rejects.toThrow('has not opened yet');
    clock.set('2026-03-10T09:00:00Z');
    expect((await t.services.bookings.book(who, id, noNeeds)).state).toBe('confirmed');
    clock.set('2026-04-15T17:00:00Z');
    await expect(t.services.bookings.book(await delegate(), id, noNeeds)).rejects.toThrow('has closed');
  });

  it('lets a delegate cancel until 6 working days before (skipping bank holidays), and late until the session starts', async () => {
    // Tuesday 7 April 2026: Good Friday (3 April) and Easter Monday (6 April) are bank holidays.
    const id = await session('2026-04-07', 10);
    const who = await delegate();
    const { reference } = await t.services.bookings.book(who, id, noNeeds);
    const lateOne = await delegate();
    const late = await t.services.bookings.book(lateOne, id, noNeeds);
    // Working days before 7 April: 2, 1 April, 31, 30, 27, 26 March → the last day to cancel is Thursday 26 March.
    clock.set(londonToInstant('2026-03-26', '23:59'));
    const terms = await t.services.bookings.cancellationTerms(londonToInstant('2026-04-07', '09:30'));
    expect(terms.canCancel).toBe(true);
    clock.set(londonToInstant('2026-03-26', '18:00'));
    await t.services.bookings.cancel(who, reference);
    expect((await state(reference)).state).toBe('cancelled');
    expect(await kinds(who)).toEqual(['booking_confirmed', 'booking_cancelled']);

    // After the cut-off the place can still be given back, as a late cancellation (no fees here: nothing proposed).
    clock.set(londonToInstant('2026-03-27', '00:00'));
    expect(
      (await t.services.bookings.cancellationTerms(londonToInstant('2026-04-07', '09:30'))).canCancel,
    ).toBe(false);
    await t.services.bookings.cancel(lateOne, late.reference);
    expect((await state(late.reference)).state).toBe('cancelled');
    expect(await kinds(lateOne)).toEqual(['booking_confirmed', 'booking_cancelled']);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .where('entity_type', '=', 'booking')
      .where('action', '=', 'cancelled_confirmed')
      .where('actor_id', '=', lateOne)
      .select('details')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details)).toEqual({ late: true });

    // Once the session has started, not here.
    const third = await delegate();
    const started = await t.services.bookings.book(third, id, noNeeds);
    clock.set(londonToInstant('2026-04-07', '09:30'));
    await expect(t.services.bookings.cancel(third, started.reference)).rejects.toThrow(
      'This session has started',
    );
  });

  it('holds a freed place for the first on the list, and passes it on when the offer expires', async () => {
    const id = await session('2026-05-20', 1);
    const [first, second, third] = [await delegate(), await delegate(), await delegate()];
    const held = await t.services.bookings.book(first, id, noNeeds);
    const a = await t.services.bookings.book(second, id, noNeeds);
    const b = await t.services.bookings.book(third, id, noNeeds);
    expect([a.state, a.position, b.state, b.position]).toEqual(['waitlisted', 1, 'waitlisted', 2]);

    await t.services.bookings.cancel(first, held.reference);
    const offered = await state(a.reference);
    expect(offered.state).toBe('offered');
    // 48 hours by default.
    expect(offered.offer_expires_at).toBe(new Date(new Date(NOW).getTime() + 48 * 3_600_000).toISOString());
    expect((await state(b.reference)).state).toBe('waitlisted');

    clock.advance(48 * 3_600_000 + 1);
    await expect(t.services.bookings.acceptOffer(second, a.reference)).rejects.toThrow(
      'This offer has expired',
    );
    await t.services.bookings.processWaitlists();
    expect((await state(a.reference)).state).toBe('cancelled');
    expect((await state(a.reference)).cancellation_reason).toBe('Offer expired');
    expect((await state(b.reference)).state).toBe('offered');
    await t.services.bookings.acceptOffer(third, b.reference);
    expect((await state(b.reference)).state).toBe('confirmed');
    expect(await kinds(second)).toEqual(['waitlist_joined', 'place_offered', 'offer_expired']);
    expect(await kinds(third)).toEqual(['waitlist_joined', 'place_offered', 'booking_confirmed']);
  });

  it('gives a shorter offer when the session is close, and none in its last two hours', async () => {
    const id = await session('2026-03-05', 1); // tomorrow 9:30am: 23.5 hours away
    const [first, second] = [await delegate(), await delegate()];
    const held = await t.services.bookings.book(first, id, noNeeds);
    const waiting = await t.services.bookings.book(second, id, noNeeds);
    // A day before is past the delegate's cut-off: the hub frees the place (as staff will).
    await t.database.db
      .updateTable('bookings')
      .set({ state: 'cancelled' })
      .where('reference', '=', held.reference)
      .execute();
    await t.services.bookings.processWaitlists();
    const offer = await state(waiting.reference);
    expect(offer.state).toBe('offered');
    // Half the time left: 11 h 45 min.
    expect(offer.offer_expires_at).toBe(new Date(new Date(NOW).getTime() + 11.75 * 3_600_000).toISOString());

    // A session starting in 90 minutes: the waiting list has closed.
    const late = await session('2026-03-04', 1);
    await t.database.db
      .updateTable('sessions')
      .set({ starts_at: new Date(new Date(NOW).getTime() + 90 * 60_000).toISOString() })
      .where('id', '=', late)
      .execute();
    const [x, y] = [await delegate(), await delegate()];
    const xBooking = await t.services.bookings.book(x, late, noNeeds);
    const yBooking = await t.services.bookings.book(y, late, noNeeds);
    await t.database.db
      .updateTable('bookings')
      .set({ state: 'cancelled' })
      .where('reference', '=', xBooking.reference)
      .execute();
    await t.services.bookings.processWaitlists();
    expect((await state(yBooking.reference)).state).toBe('waitlisted');
  });

  it('lets a delegate decline an offer, which goes straight to the next person', async () => {
    const id = await session('2026-06-10', 1);
    const [first, second, third] = [await delegate(), await delegate(), await delegate()];
    const held = await t.services.bookings.book(first, id, noNeeds);
    const a = await t.services.bookings.book(second, id, noNeeds);
    const b = await t.services.bookings.book(third, id, noNeeds);
    await t.services.bookings.cancel(first, held.reference);
    await t.services.bookings.declineOffer(second, a.reference);
    expect((await state(a.reference)).cancellation_reason).toBe('Offer declined');
    expect((await state(b.reference)).state).toBe('offered');
  });

  it('refuses another delegate’s booking as if it did not exist', async () => {
    const id = await session('2026-06-17', 5);
    const owner = await delegate();
    const { reference } = await t.services.bookings.book(owner, id, noNeeds);
    const other = await delegate();
    await expect(t.services.bookings.cancel(other, reference)).rejects.toBeInstanceOf(NotFoundError);
    await expect(t.services.bookings.acceptOffer(other, reference)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('keeps needs only with consent, and deletes them after the retention period', async () => {
    const id = await session('2026-03-11', 5);
    const withConsent = await t.services.bookings.book(await delegate(), id, {
      accessNeeds: 'Hearing loop',
      dietaryNeeds: 'Vegan',
      consent: true,
    });
    const withoutConsent = await t.services.bookings.book(await delegate(), id, {
      accessNeeds: 'Step-free access',
      dietaryNeeds: null,
      consent: false,
    });
    expect((await state(withConsent.reference)).access_needs).toBe('Hearing loop');
    expect((await state(withoutConsent.reference)).access_needs).toBeNull();
    clock.set('2026-04-09T12:00:00Z'); // 29 days after
    await t.services.bookings.purgeNeeds();
    expect((await state(withConsent.reference)).access_needs).toBe('Hearing loop');
    clock.set('2026-04-11T12:00:00Z'); // 31 days after
    await t.services.bookings.purgeNeeds();
    const purged = await state(withConsent.reference);
    expect([purged.access_needs, purged.dietary_needs]).toEqual([null, null]);
  });

  it('sends one reminder two days before, with the joining link', async () => {
    const id = await session('2026-03-20', 5);
    const who = await delegate();
    await t.services.bookings.book(who, id, noNeeds);
    clock.set(londonToInstant('2026-03-18', '08:59'));
    expect(await t.services.bookings.sendReminders()).toBe(0);
    clock.set(londonToInstant('2026-03-18', '09:00'));
    expect(await t.services.bookings.sendReminders()).toBe(1);
    expect(await t.services.bookings.sendReminders()).toBe(0);
    const reminder = await t.database.db
      .selectFrom('outbox_messages')
      .where('kind', '=', 'session_reminder')
      .where('to_address', '=', `delegate.${delegateNumber}@rules.example.org.uk`)
      .select('text_body')
      .executeTakeFirstOrThrow();
    expect(reminder.text_body).toContain('https://meet.example.org.uk/rules');
  });

  describe('a cancelled session', () => {
    it('cannot be booked', async () => {
      const id = await session('2026-07-01', 5);
      await t.database.db.updateTable('sessions').set({ cancelled_at: NOW }).where('id', '=', id).execute();
      await expect(t.services.bookings.book(await delegate(), id, noNeeds)).rejects.toBeInstanceOf(
        ConflictError,
      );
    });
  });
});
