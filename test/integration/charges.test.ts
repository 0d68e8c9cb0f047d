/**
 * Proposed charges, never automatic bills: what proposes one (a late
 * cancellation by the delegate or recorded by staff, a "did not attend"
 * mark) and what never does (a substitution, no organisation, a type not
 * charged, no fees); corrections and cancelled sessions withdraw them; the
 * delegate's "tell us why" link; and the coordinators' review queue.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { migrateTo, migrateToLatest } from '../../src/data/migrations/index.js';
import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import { ProgrammeRecords } from '../../src/data/repositories/programmeRecords.js';
import type { AttendanceStatus } from '../../src/domain/afterCourse/attendance.js';
import { DEFAULT_CHARGES_SETTINGS } from '../../src/domain/charges/chargesSettings.js';
import type { OrganisationType } from '../../src/domain/programme/organisation.js';
import { newBookingReference } from '../../src/services/bookings/bookingReference.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import { eachDatabase } from '../support/databases.js';
import { normalise, parsePage } from '../support/html.js';
import { createBookableSessions, createSignedInDelegates } from '../support/seedDelegates.js';
import { signedInStaff } from '../support/staff.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SESSION_COOKIE = '__Host-trellis_session';
const REASON_LINK = /\/charges\/why\/([A-Za-z0-9_-]{43})\b/;

eachDatabase('proposed charges', (dialect) => {
  let t: TestApp;
  let clock: SettableClock;
  /** Starts in two days (past the cut-off); in forty days (within it); started yesterday. */
  let soon: number;
  let later: number;
  let past: number;
  /** Two half-day parts, the first three days ago. */
  let twoParts: number;
  let coordinator: WebClient;
  let staff: { id: number; role: 'coordinator'; trainerId: null };
  let labels = 0;

  beforeAll(async () => {
    clock = settableClock(TEST_NOW);
    t = await createTestApp(dialect, { demo: false, clock });
    const now = new Date(TEST_NOW);
    [soon, later, past] = (await createBookableSessions(
      t.database.db,
      now,
      [new Date(now.getTime() + 2 * DAY), new Date(now.getTime() + 40 * DAY), new Date(now.getTime() - DAY)],
      30,
    )) as [number, number, number];
    const course = await t.database.db
      .selectFrom('sessions')
      .where('id', '=', past)
      .select(['course_id', 'venue_id'])
      .executeTakeFirstOrThrow();
    const first = new Date(now.getTime() - 3 * DAY);
    twoParts = await new ProgrammeRecords(t.database.db).createSession(
      {
        courseId: course.course_id,
        format: 'in_person',
        venueId: course.venue_id,
        onlineJoiningUrl: null,
        capacity: 30,
        parts: [
          { startsAt: first, endsAt: new Date(first.getTime() + 3 * HOUR) },
          { startsAt: new Date(first.getTime() + DAY), endsAt: new Date(first.getTime() + DAY + 3 * HOUR) },
        ],
        trainerIds: [],
        notes: '',
        bookingOpensAt: null,
        bookingClosesAt: null,
      },
      now,
    );
    await t.services.settings.updatePolicy({ cancellationWorkingDays: 5 });
    coordinator = await signedInStaff(t, 'coordinator');
    const row = await t.database.db
      .selectFrom('staff_users')
      .where('role', '=', 'coordinator')
      .select('id')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    staff = { id: row.id, role: 'coordinator', trainerId: null };
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    clock.set(TEST_NOW);
    await t.services.settings.updateCharges({
      ...DEFAULT_CHARGES_SETTINGS,
      dayFeePence: 5000,
      halfDayFeePence: 2500,
    });
  });

  interface Place {
    delegateId: number;
    email: string;
    name: string;
    reference: string;
    bookingId: number;
    client: WebClient;
  }

  /** A delegate (a partner agency's, unless said) with a confirmed place on `sessionId`. */
  async function placeOn(
    sessionId: number,
    options: { price?: number; type?: OrganisationType | null; lineManager?: string } = {},
  ): Promise<Place> {
    labels += 1;
    const [delegate] = await createSignedInDelegates(t.database.db, clock.now(), 1, `c${labels}`);
    const db = t.database.db;
    if (options.type === null) {
      await db
        .updateTable('delegates')
        .set({ organisation_id: null })
        .where('id', '=', delegate!.id)
        .execute();
    } else if (options.type) {
      const { organisation_id } = await db
        .selectFrom('delegates')
        .where('id', '=', delegate!.id)
        .select('organisation_id')
        .executeTakeFirstOrThrow();
      await db
        .updateTable('organisations')
        .set({ type: options.type })
        .where('id', '=', organisation_id!)
        .execute();
    }
    await db
      .updateTable('delegates')
      .set({ line_manager_name: 'Pat Manager', line_manager_email: options.lineManager ?? '' })
      .where('id', '=', delegate!.id)
      .execute();
    const reference = newBookingReference();
    await new DemoRepository(db).insertBookings(
      [{ reference, sessionId, delegateId: delegate!.id, state: 'confirmed', offerExpiresAt: null }],
      clock.now(),
    );
    const booking = await db
      .selectFrom('bookings')
      .where('reference', '=', reference)
      .select('id')
      .executeTakeFirstOrThrow();
    if (options.price) {
      await db
        .updateTable('bookings')
        .set({ price_pence: options.price })
        .where('id', '=', booking.id)
        .execute();
    }
    const client = new WebClient(t.app);
    client.setCookie(SESSION_COOKIE, delegate!.sessionSecret);
    return {
      delegateId: delegate!.id,
      email: delegate!.email,
      name: delegate!.name,
      reference,
      bookingId: booking.id,
      client,
    };
  }

  /** Another date of the seeded course, `after` from now. */
  async function anotherDate(after: number): Promise<number> {
    const { course_id } = await t.database.db
      .selectFrom('sessions')
      .where('id', '=', soon)
      .select('course_id')
      .executeTakeFirstOrThrow();
    const startsAt = new Date(clock.now().getTime() + after);
    return new ProgrammeRecords(t.database.db).createSession(
      {
        courseId: course_id,
        format: 'online',
        venueId: null,
        onlineJoiningUrl: null,
        capacity: 10,
        parts: [{ startsAt, endsAt: new Date(startsAt.getTime() + 6 * HOUR) }],
        trainerIds: [],
        notes: '',
        bookingOpensAt: null,
        bookingClosesAt: null,
      },
      clock.now(),
    );
  }

  function chargesOf(bookingId: number) {
    return t.database.db
      .selectFrom('charges')
      .where('booking_id', '=', bookingId)
      .selectAll()
      .orderBy('id')
      .execute();
  }

  function emailsTo(address: string, kind: string) {
    return t.database.db
      .selectFrom('outbox_messages')
      .where('to_address', '=', address)
      .where('kind', '=', kind)
      .selectAll()
      .orderBy('id')
      .execute();
  }

  async function reasonLink(place: Place): Promise<string> {
    const [email] = await emailsTo(place.email, 'charge_proposed');
    const match = REASON_LINK.exec(email!.text_body);
    if (!match) throw new Error('no link in the email');
    return `/charges/why/${match[1]}`;
  }

  async function mark(sessionId: number, place: Place, statuses: AttendanceStatus[]) {
    const parts = await t.database.db
      .selectFrom('session_parts')
      .where('session_id', '=', sessionId)
      .select('id')
      .orderBy('position')
      .execute();
    await t.services.attendance.mark(
      sessionId,
      staff,
      statuses.map((status, i) => ({ bookingId: place.bookingId, partId: parts[i]!.id, status, note: '' })),
    );
  }

  function csrfOf(html: string): string {
    return parsePage(html).document.querySelector('input[name="_csrf"]')?.getAttribute('value') ?? '';
  }

  describe('what proposes a charge', () => {
    it('a delegate’s own late cancellation proposes the day fee, said before the button and emailed kindly', async () => {
      const place = await placeOn(soon);
      const page = normalise(
        parsePage((await place.client.get(`/bookings/${place.reference}/cancel`)).body).text(),
      );
      expect(page).toContain('It is after the cut-off');
      expect(page).toContain('A charge of £50.00 may be proposed to your organisation');
      const booking = normalise(
        parsePage((await place.client.get(`/bookings/${place.reference}`)).body).text(),
      );
      expect(booking).toContain('you can still give your place back here until the session starts');

      const done = await place.client.submit(`/bookings/${place.reference}/cancel`, {});
      expect(done.statusCode).toBe(303);
      const [charge] = await chargesOf(place.bookingId);
      expect(charge).toMatchObject({
        kind: 'late_cancellation',
        state: 'proposed',
        proposed_pence: 5000,
        amount_pence: null,
      });
      const [email] = await emailsTo(place.email, 'charge_proposed');
      const text = normalise(email!.text_body);
      expect(text).toContain('a charge of £50.00 may apply to Northshire Council');
      expect(text).toContain(
        'Nothing has been charged: a person in the training team looks at every charge first',
      );
      expect(text).toContain('you can choose not to say');
      expect(email!.subject).toContain('A charge may apply');
      const audit = await t.database.db
        .selectFrom('audit_log')
        .where('entity_type', '=', 'charge')
        .where('entity_id', '=', charge!.id)
        .select(['action', 'actor_type'])
        .execute();
      expect(audit).toEqual([{ action: 'charge_proposed', actor_type: 'delegate' }]);
    });

    it('cancelling within the cut-off proposes nothing, and says nothing of a charge', async () => {
      const place = await placeOn(later);
      const page = normalise(
        parsePage((await place.client.get(`/bookings/${place.reference}/cancel`)).body).text(),
      );
      expect(page).not.toContain('after the cut-off');
      await t.services.bookings.cancel(place.delegateId, place.reference);
      expect(await chargesOf(place.bookingId)).toEqual([]);
    });

    it('staff record a late cancellation (yes by default after the cut-off) and only then propose', async () => {
      const late = await placeOn(soon);
      const form = parsePage((await coordinator.get(`/admin/bookings/${late.reference}/cancel`)).body);
      expect(normalise(form.text())).toContain('Record this as a late cancellation?');
      expect(normalise(form.text())).toContain('so it has passed');
      expect(form.document.querySelector('input[name="late"][value="yes"]')?.hasAttribute('checked')).toBe(
        true,
      );
      const sent = await coordinator.submit(`/admin/bookings/${late.reference}/cancel`, {
        reason: 'You phoned to say you cannot come.',
        late: 'yes',
      });
      expect(sent.statusCode).toBe(303);
      expect(await chargesOf(late.bookingId)).toMatchObject([
        { kind: 'late_cancellation', state: 'proposed', proposed_pence: 5000 },
      ]);

      const notLate = await placeOn(soon);
      await coordinator.submit(`/admin/bookings/${notLate.reference}/cancel`, {
        reason: 'The hub moved you to the next date.',
        late: 'no',
      });
      expect(await chargesOf(notLate.bookingId)).toEqual([]);

      // Before the cut-off the question is not asked, and "late" posted anyway is refused: nothing saved.
      const early = await placeOn(later);
      const earlyForm = parsePage((await coordinator.get(`/admin/bookings/${early.reference}/cancel`)).body);
      expect(earlyForm.document.querySelector('input[name="late"]')).toBeNull();
      const refused = await coordinator.submit(`/admin/bookings/${early.reference}/cancel`, {
        reason: 'You asked us to.',
        late: 'yes',
      });
      expect(refused.statusCode).toBe(409);
      expect(normalise(parsePage(refused.body).text())).toContain(
        'The cut-off for cancelling has not passed yet, so this is not a late cancellation, and nothing was cancelled',
      );
      expect(await chargesOf(early.bookingId)).toEqual([]);
      const still = await t.database.db
        .selectFrom('bookings')
        .where('id', '=', early.bookingId)
        .select('state')
        .executeTakeFirstOrThrow();
      expect(still.state).toBe('confirmed');
    });

    it('"did not attend" proposes the fee for what was missed, by the hub’s rule on partly attending', async () => {
      const absent = await placeOn(past);
      await mark(past, absent, ['absent']);
      expect(await chargesOf(absent.bookingId)).toMatchObject([
        { kind: 'non_attendance', state: 'proposed', proposed_pence: 5000 },
      ]);
      expect(await emailsTo(absent.email, 'charge_proposed')).toHaveLength(1);

      // Partly there counts as there (the default): nothing.
      const partly = await placeOn(twoParts);
      await mark(twoParts, partly, ['attended', 'absent']);
      expect(await chargesOf(partly.bookingId)).toEqual([]);

      // Otherwise each half day missed is charged: one part missed, one partly attended.
      await t.services.settings.updateCharges({ partlyAttendedCountsAsAttended: false });
      const missedOne = await placeOn(twoParts);
      await mark(twoParts, missedOne, ['partial', 'absent']);
      expect(await chargesOf(missedOne.bookingId)).toMatchObject([{ proposed_pence: 5000 }]);
      const missedHalf = await placeOn(twoParts);
      await mark(twoParts, missedHalf, ['attended', 'absent']);
      expect(await chargesOf(missedHalf.bookingId)).toMatchObject([{ proposed_pence: 2500 }]);

      // On the per-session basis, one fee whatever was missed.
      await t.services.settings.updateCharges({ feeBasis: 'session', sessionFeePence: 4000 });
      const perSession = await placeOn(twoParts);
      await mark(twoParts, perSession, ['absent', 'absent']);
      expect(await chargesOf(perSession.bookingId)).toMatchObject([{ proposed_pence: 4000 }]);
    });

    it('a paid place: cancelled late, its price is proposed; not attended, nothing (the place itself is invoiced)', async () => {
      const cancelled = await placeOn(soon, { type: 'private', price: 12_000 });
      const page = normalise(
        parsePage((await cancelled.client.get(`/bookings/${cancelled.reference}/cancel`)).body).text(),
      );
      expect(page).toContain('A charge of £120.00 (the price of your place) may be proposed');
      await t.services.bookings.cancel(cancelled.delegateId, cancelled.reference);
      expect(await chargesOf(cancelled.bookingId)).toMatchObject([
        { kind: 'late_cancellation', proposed_pence: 12_000 },
      ]);
      expect(normalise((await emailsTo(cancelled.email, 'charge_proposed'))[0]!.text_body)).toContain(
        'a charge of £120.00 (the price of the place) may apply',
      );

      const absent = await placeOn(past, { type: 'private', price: 12_000 });
      await mark(past, absent, ['absent']);
      expect(await chargesOf(absent.bookingId)).toEqual([]);
    });

    it('a substitution never creates a charge', async () => {
      const place = await placeOn(soon);
      const [colleague] = await createSignedInDelegates(t.database.db, clock.now(), 1, `sub${labels}`);
      await t.services.bookingAdmin.substitute(staff, place.reference, {
        email: colleague!.email,
        details: null,
      });
      expect(await chargesOf(place.bookingId)).toEqual([]);
      expect(
        await t.database.db
          .selectFrom('charges')
          .select('id')
          .where('booking_id', '=', place.bookingId)
          .execute(),
      ).toEqual([]);
    });

    it('no organisation, a type the hub does not charge, or no fees: nothing proposed', async () => {
      const none = await placeOn(soon, { type: null });
      await t.services.bookings.cancel(none.delegateId, none.reference);
      const voluntary = await placeOn(soon, { type: 'voluntary' });
      await t.services.bookings.cancel(voluntary.delegateId, voluntary.reference);
      const voluntaryAbsent = await placeOn(past, { type: 'voluntary' });
      await mark(past, voluntaryAbsent, ['absent']);
      await t.services.settings.updateCharges({ dayFeePence: 0, halfDayFeePence: 0 });
      const noFees = await placeOn(soon);
      const page = normalise(
        parsePage((await noFees.client.get(`/bookings/${noFees.reference}/cancel`)).body).text(),
      );
      expect(page).toContain('No charge applies to your place');
      await t.services.bookings.cancel(noFees.delegateId, noFees.reference);
      const noFeesAbsent = await placeOn(past);
      await mark(past, noFeesAbsent, ['absent']);
      for (const place of [none, voluntary, voluntaryAbsent, noFees, noFeesAbsent]) {
        expect(await chargesOf(place.bookingId)).toEqual([]);
        expect(await emailsTo(place.email, 'charge_proposed')).toEqual([]);
      }
    });
  });

  describe('what withdraws one', () => {
    it('a correction to attended withdraws the proposal (and a confirmed one not invoiced); absent again proposes afresh', async () => {
      const place = await placeOn(past);
      await mark(past, place, ['absent']);
      await mark(past, place, ['attended']);
      expect(await chargesOf(place.bookingId)).toMatchObject([{ state: 'withdrawn' }]);
      expect((await emailsTo(place.email, 'charge_decided')).map((e) => normalise(e.text_body))).toEqual([
        expect.stringContaining('no longer applies: the register has been corrected'),
      ]);
      // Re-marked absent: a new proposal beside the withdrawn one, not a failure.
      await mark(past, place, ['absent']);
      const [, again] = await chargesOf(place.bookingId);
      expect(again).toMatchObject({ state: 'proposed', proposed_pence: 5000 });
      await t.services.chargeReview.decide(staff.id, {
        chargeId: again!.id,
        seen: 'proposed',
        seenProposed: String(again!.proposed_pence),
        action: 'confirm',
      });
      await mark(past, place, ['attended']);
      expect((await chargesOf(place.bookingId)).map((c) => c.state)).toEqual(['withdrawn', 'withdrawn']);
    });

    it('cancelling the whole session withdraws its bookings’ proposed charges', async () => {
      const sessionId = await anotherDate(3 * DAY);
      const place = await placeOn(sessionId);
      await t.services.bookings.cancel(place.delegateId, place.reference);
      expect(await chargesOf(place.bookingId)).toMatchObject([{ state: 'proposed' }]);
      await t.services.sessionAdmin.cancel(staff, sessionId, 'The trainer is unwell.');
      expect(await chargesOf(place.bookingId)).toMatchObject([{ state: 'withdrawn' }]);
    });
  });

  describe('a booking is never charged twice, and a charge follows what happens to its booking', () => {
    /** A session that started an hour ago: three hours long, or with a second part tomorrow. */
    async function inProgress(parts: 1 | 2 = 2): Promise<number> {
      const { course_id, venue_id } = await t.database.db
        .selectFrom('sessions')
        .where('id', '=', past)
        .select(['course_id', 'venue_id'])
        .executeTakeFirstOrThrow();
      const first = new Date(clock.now().getTime() - HOUR);
      return new ProgrammeRecords(t.database.db).createSession(
        {
          courseId: course_id,
          format: 'in_person',
          venueId: venue_id,
          onlineJoiningUrl: null,
          capacity: 30,
          parts: [
            { startsAt: first, endsAt: new Date(first.getTime() + 3 * HOUR) },
            { startsAt: new Date(first.getTime() + DAY), endsAt: new Date(first.getTime() + DAY + 3 * HOUR) },
          ].slice(0, parts),
          trainerIds: [],
          notes: '',
          bookingOpensAt: null,
          bookingClosesAt: null,
        },
        clock.now(),
      );
    }

    async function billable(organisationId: number) {
      await t.database.db
        .updateTable('organisations')
        .set({ billing_email: 'finance@example.org.uk', billing_address: '1 High Street\nNorthtown' })
        .where('id', '=', organisationId)
        .execute();
    }

    function invoiceOf(id: number) {
      return t.database.db.selectFrom('invoices').where('id', '=', id).selectAll().executeTakeFirstOrThrow();
    }

    function linesOf(invoiceId: number) {
      return t.database.db
        .selectFrom('invoice_lines')
        .where('invoice_id', '=', invoiceId)
        .selectAll()
        .execute();
    }

    function bookingState(bookingId: number) {
      return t.database.db
        .selectFrom('bookings')
        .where('id', '=', bookingId)
        .select('state')
        .executeTakeFirstOrThrow()
        .then((b) => b.state);
    }

    it('after the start "late" is refused (nothing saved) and not asked; a paid place cancelled then is not charged again, and its place charge goes', async () => {
      const sessionId = await inProgress();
      const paid = await placeOn(sessionId, { type: 'private', price: 24_000 });
      await t.services.invoices.run({ type: 'system' });
      const [placeCharge] = await chargesOf(paid.bookingId);
      expect(placeCharge).toMatchObject({ kind: 'place', state: 'confirmed', proposed_pence: 24_000 });
      const draftId = placeCharge!.invoice_id!;
      expect(draftId).not.toBeNull();

      const form = parsePage((await coordinator.get(`/admin/bookings/${paid.reference}/cancel`)).body);
      expect(form.document.querySelector('input[name="late"]')).toBeNull();
      const refused = await coordinator.submit(`/admin/bookings/${paid.reference}/cancel`, {
        reason: 'You told us you cannot come tomorrow.',
        late: 'yes',
      });
      expect(refused.statusCode).toBe(409);
      expect(normalise(parsePage(refused.body).text())).toContain(
        'The session has started, so this cannot be recorded as a late cancellation',
      );
      expect(await bookingState(paid.bookingId)).toBe('confirmed');
      expect(await chargesOf(paid.bookingId)).toHaveLength(1);

      const done = await coordinator.submit(`/admin/bookings/${paid.reference}/cancel`, {
        reason: 'You told us you cannot come tomorrow.',
      });
      expect(done.statusCode).toBe(303);
      // The place charge is withdrawn and off its draft (totals summed again); no £240 proposed on top.
      expect(await chargesOf(paid.bookingId)).toMatchObject([
        { kind: 'place', state: 'withdrawn', invoice_id: null },
      ]);
      expect((await linesOf(draftId)).filter((l) => l.charge_id === placeCharge!.id)).toEqual([]);
      const draft = await invoiceOf(draftId);
      const lines = await linesOf(draftId);
      expect(Number(draft.gross_pence)).toBe(lines.reduce((sum, l) => sum + Number(l.gross_pence), 0));
      // The next run puts nothing back.
      await t.services.invoices.run({ type: 'system' });
      expect(await chargesOf(paid.bookingId)).toMatchObject([{ state: 'withdrawn', invoice_id: null }]);
      const audit = await t.database.db
        .selectFrom('audit_log')
        .where('entity_type', '=', 'invoice')
        .where('entity_id', '=', draftId)
        .where('action', '=', 'invoice_line_removed')
        .select('details')
        .execute();
      expect(audit).toHaveLength(1);
    });

    it('a free place marked "did not attend" and then cancelled keeps one fee, never two', async () => {
      const sessionId = await inProgress(1);
      const place = await placeOn(sessionId);
      await mark(sessionId, place, ['absent']);
      expect(await chargesOf(place.bookingId)).toMatchObject([{ kind: 'non_attendance', state: 'proposed' }]);
      // After the start it cannot be recorded as late: the absence is the register's, and is charged once.
      await expect(
        t.services.bookingAdmin.cancel(staff, place.reference, 'Not coming back.', true),
      ).rejects.toMatchObject({ statusCode: 409 });
      await t.services.bookingAdmin.cancel(staff, place.reference, 'Not coming back tomorrow.');
      expect(await chargesOf(place.bookingId)).toMatchObject([{ kind: 'non_attendance', state: 'proposed' }]);
    });

    it('a booking with any live charge is proposed nothing more', async () => {
      const place = await placeOn(soon);
      const { organisation_id } = await t.database.db
        .selectFrom('bookings')
        .where('id', '=', place.bookingId)
        .select('organisation_id')
        .executeTakeFirstOrThrow();
      await t.database.db
        .insertInto('charges')
        .values({
          booking_id: place.bookingId,
          organisation_id: organisation_id!,
          kind: 'non_attendance',
          state: 'waived',
          proposed_pence: 5000,
          amount_pence: null,
          created_at: clock.now().toISOString(),
        })
        .execute();
      const page = normalise(
        parsePage((await place.client.get(`/bookings/${place.reference}/cancel`)).body).text(),
      );
      expect(page).not.toContain('A charge of £50.00 may be proposed');
      await t.services.bookings.cancel(place.delegateId, place.reference);
      expect((await chargesOf(place.bookingId)).map((c) => c.kind)).toEqual(['non_attendance']);
    });

    it('cancelling a session withdraws its place charges (off the draft), tells the delegate why; the run skips cancelled bookings', async () => {
      const sessionId = await inProgress(1);
      const paid = await placeOn(sessionId, { type: 'private', price: 12_000 });
      const absent = await placeOn(sessionId);
      await mark(sessionId, absent, ['absent']);
      await t.services.invoices.run({ type: 'system' });
      const [placeCharge] = await chargesOf(paid.bookingId);
      expect(placeCharge!.invoice_id).not.toBeNull();
      await t.services.sessionAdmin.cancel(staff, sessionId, 'The trainer is unwell.');
      expect(await chargesOf(paid.bookingId)).toMatchObject([{ state: 'withdrawn', invoice_id: null }]);
      expect(await linesOf(placeCharge!.invoice_id!)).not.toContainEqual(
        expect.objectContaining({ charge_id: placeCharge!.id }),
      );
      expect(await chargesOf(absent.bookingId)).toMatchObject([{ state: 'withdrawn' }]);
      const told = normalise((await emailsTo(absent.email, 'charge_decided'))[0]!.text_body);
      expect(told).toContain('no longer applies: the session was cancelled by the training team');
      expect(told).not.toContain('register');
      await t.services.invoices.run({ type: 'system' });
      expect(await chargesOf(paid.bookingId)).toMatchObject([{ state: 'withdrawn', invoice_id: null }]);

      // A confirmed place charge left on a cancelled booking (as before this fix) is never invoiced.
      const other = await inProgress();
      const leftOver = await placeOn(other, { type: 'private', price: 12_000 });
      await t.database.db
        .updateTable('bookings')
        .set({ state: 'cancelled' })
        .where('id', '=', leftOver.bookingId)
        .execute();
      const { organisation_id } = await t.database.db
        .selectFrom('bookings')
        .where('id', '=', leftOver.bookingId)
        .select('organisation_id')
        .executeTakeFirstOrThrow();
      await t.database.db
        .insertInto('charges')
        .values({
          booking_id: leftOver.bookingId,
          organisation_id: organisation_id!,
          kind: 'place',
          state: 'confirmed',
          proposed_pence: 12_000,
          amount_pence: 12_000,
          created_at: clock.now().toISOString(),
        })
        .execute();
      await t.services.invoices.run({ type: 'system' });
      expect(await chargesOf(leftOver.bookingId)).toMatchObject([{ state: 'confirmed', invoice_id: null }]);
    });

    it('a paid place is waived from the review queue with a reason, taken off its draft; not once issued', async () => {
      const sessionId = await inProgress();
      const paid = await placeOn(sessionId, { type: 'private', price: 12_000 });
      await t.services.invoices.run({ type: 'system' });
      const [charge] = await chargesOf(paid.bookingId);
      const draftId = charge!.invoice_id!;
      const queue = normalise(
        parsePage((await coordinator.get('/admin/charges?state=confirmed')).body).text(),
      );
      expect(queue).toContain(`Waive ${paid.name}’s charge`);
      await expect(
        t.services.chargeReview.decide(staff.id, {
          chargeId: charge!.id,
          seen: 'confirmed',
          seenProposed: '12000',
          action: 'waive',
          waiverReason: '',
        }),
      ).rejects.toMatchObject({ fields: { [`waiverReason-${charge!.id}`]: expect.any(String) } });
      await expect(
        t.services.chargeReview.decide(staff.id, {
          chargeId: charge!.id,
          seen: 'confirmed',
          seenProposed: '12000',
          action: 'reduce',
          amount: '10',
        }),
      ).rejects.toMatchObject({ statusCode: 409 });
      await t.services.chargeReview.decide(staff.id, {
        chargeId: charge!.id,
        seen: 'confirmed',
        seenProposed: '12000',
        action: 'waive',
        waiverReason: 'Charged in error',
      });
      expect(await chargesOf(paid.bookingId)).toMatchObject([
        { state: 'waived', waiver_reason: 'Charged in error', invoice_id: null },
      ]);
      expect(await linesOf(draftId)).not.toContainEqual(expect.objectContaining({ charge_id: charge!.id }));
      await t.services.invoices.run({ type: 'system' });
      expect(await chargesOf(paid.bookingId)).toMatchObject([{ state: 'waived', invoice_id: null }]);

      // Issued: a credit note, not here.
      const issuedPlace = await placeOn(sessionId, { type: 'private', price: 12_000 });
      await t.services.invoices.run({ type: 'system' });
      const [issuedCharge] = await chargesOf(issuedPlace.bookingId);
      await billable(issuedCharge!.organisation_id);
      await t.services.invoices.issue(issuedCharge!.invoice_id!, { id: staff.id });
      await expect(
        t.services.chargeReview.decide(staff.id, {
          chargeId: issuedCharge!.id,
          seen: 'confirmed',
          seenProposed: '12000',
          action: 'waive',
          waiverReason: 'Charged in error',
        }),
      ).rejects.toMatchObject({ statusCode: 409 });
    });

    it('a corrected register takes a fee off a draft; on an issued invoice it stays, and coordinators see it needs a credit note', async () => {
      const onDraft = await placeOn(past);
      await mark(past, onDraft, ['absent']);
      const [fee] = await chargesOf(onDraft.bookingId);
      await t.services.chargeReview.decide(staff.id, {
        chargeId: fee!.id,
        seen: 'proposed',
        seenProposed: '5000',
        action: 'confirm',
      });
      await t.services.invoices.run({ type: 'system' });
      const draftId = (await chargesOf(onDraft.bookingId))[0]!.invoice_id!;
      expect(draftId).not.toBeNull();
      await mark(past, onDraft, ['attended']);
      expect(await chargesOf(onDraft.bookingId)).toMatchObject([{ state: 'withdrawn', invoice_id: null }]);
      const draft = await invoiceOf(draftId);
      const lines = await linesOf(draftId);
      expect(lines.map((l) => l.charge_id)).not.toContain(fee!.id);
      expect(Number(draft.gross_pence)).toBe(lines.reduce((sum, l) => sum + Number(l.gross_pence), 0));

      const onIssued = await placeOn(past);
      await mark(past, onIssued, ['absent']);
      const [issuedFee] = await chargesOf(onIssued.bookingId);
      await t.services.chargeReview.decide(staff.id, {
        chargeId: issuedFee!.id,
        seen: 'proposed',
        seenProposed: '5000',
        action: 'confirm',
      });
      await t.services.invoices.run({ type: 'system' });
      const invoiceId = (await chargesOf(onIssued.bookingId))[0]!.invoice_id!;
      await billable(issuedFee!.organisation_id);
      const number = await t.services.invoices.issue(invoiceId, { id: staff.id });
      const before = await invoiceOf(invoiceId);
      await mark(past, onIssued, ['attended']);
      expect(await chargesOf(onIssued.bookingId)).toMatchObject([
        { state: 'withdrawn', invoice_id: invoiceId },
      ]);
      const after = await invoiceOf(invoiceId);
      expect(after).toEqual(before);
      const audit = await t.database.db
        .selectFrom('audit_log')
        .where('entity_type', '=', 'charge')
        .where('entity_id', '=', issuedFee!.id)
        .where('action', '=', 'charge_withdrawn')
        .select('details')
        .executeTakeFirstOrThrow();
      expect(audit.details).toContain(number);
      const queue = normalise(parsePage((await coordinator.get('/admin/charges')).body).text());
      expect(queue).toContain(`On ${number}: needs a credit note`);
      const bookingPage = normalise(
        parsePage((await coordinator.get(`/admin/bookings/${onIssued.reference}`)).body).text(),
      );
      expect(bookingPage).toContain(`On ${number}: needs a credit note`);
    });

    it('a paid place and a fee go to the organisation the price was fixed for, not the delegate’s now', async () => {
      const sessionId = await inProgress();
      const paid = await placeOn(sessionId, { type: 'private', price: 12_000 });
      const booked = await t.database.db
        .selectFrom('bookings')
        .where('id', '=', paid.bookingId)
        .select('organisation_id')
        .executeTakeFirstOrThrow();
      expect(booked.organisation_id).not.toBeNull();
      const council = await t.database.db
        .insertInto('organisations')
        .values({
          name: `Another Council ${labels}`,
          type: 'partner_agency',
          created_at: clock.now().toISOString(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await t.database.db
        .updateTable('delegates')
        .set({ organisation_id: council.id })
        .where('id', '=', paid.delegateId)
        .execute();
      await t.services.invoices.run({ type: 'system' });
      expect(await chargesOf(paid.bookingId)).toMatchObject([
        { kind: 'place', organisation_id: booked.organisation_id },
      ]);

      // Clearing their organisation before cancelling late does not dodge the fee.
      const late = await placeOn(soon);
      const fixedFor = (
        await t.database.db
          .selectFrom('bookings')
          .where('id', '=', late.bookingId)
          .select('organisation_id')
          .executeTakeFirstOrThrow()
      ).organisation_id;
      await t.database.db
        .updateTable('delegates')
        .set({ organisation_id: null })
        .where('id', '=', late.delegateId)
        .execute();
      await t.services.bookings.cancel(late.delegateId, late.reference);
      expect(await chargesOf(late.bookingId)).toMatchObject([
        { kind: 'late_cancellation', organisation_id: fixedFor, proposed_pence: 5000 },
      ]);
    });

    it('passing a place on withdraws the first person’s fee: the colleague never sees their reason or note', async () => {
      const sessionId = await inProgress(1);
      const place = await placeOn(sessionId);
      await mark(sessionId, place, ['absent']);
      const link = await reasonLink(place);
      const visitor = new WebClient(t.app);
      await visitor.submit(link, { reason: 'personal_crisis', note: 'Something very private.' }, link);
      const [colleague] = await createSignedInDelegates(t.database.db, clock.now(), 1, `col${labels}`);
      await t.services.bookingAdmin.substitute(staff, place.reference, {
        email: colleague!.email,
        details: null,
      });
      expect(await chargesOf(place.bookingId)).toMatchObject([{ state: 'withdrawn' }]);
      expect(normalise((await emailsTo(place.email, 'charge_decided'))[0]!.text_body)).toContain(
        'no longer applies: your place was passed to a colleague',
      );
      const colleagueClient = new WebClient(t.app);
      colleagueClient.setCookie(SESSION_COOKIE, colleague!.sessionSecret);
      const why = await colleagueClient.get(`/bookings/${place.reference}/why`);
      expect(why.statusCode).toBe(404);
      expect(why.body).not.toContain('Something very private');
      const booking = await colleagueClient.get(`/bookings/${place.reference}`);
      expect(booking.body).not.toContain('Something very private');
      expect(normalise(parsePage(booking.body).text())).not.toContain('£50.00');
      const byLink = await colleagueClient.get(link);
      expect(byLink.body).not.toContain('Something very private');
      expect(byLink.statusCode).toBe(404);
    });

    it('a place whose fee is on an issued invoice cannot be passed to a colleague (409), and nothing changes', async () => {
      const sessionId = await inProgress(1);
      const place = await placeOn(sessionId);
      await mark(sessionId, place, ['absent']);
      const [fee] = await chargesOf(place.bookingId);
      await t.services.chargeReview.decide(staff.id, {
        chargeId: fee!.id,
        seen: 'proposed',
        seenProposed: String(fee!.proposed_pence),
        action: 'confirm',
      });
      await t.services.invoices.run({ type: 'system' });
      await billable(fee!.organisation_id);
      const number = await t.services.invoices.issue((await chargesOf(place.bookingId))[0]!.invoice_id!, {
        id: staff.id,
      });
      const [colleague] = await createSignedInDelegates(t.database.db, clock.now(), 1, `col${labels}`);
      await expect(
        t.services.bookingAdmin.substitute(staff, place.reference, {
          email: colleague!.email,
          details: null,
        }),
      ).rejects.toMatchObject({
        statusCode: 409,
        message: expect.stringContaining(`is on invoice ${number}`),
      });
      const booking = await t.database.db
        .selectFrom('bookings')
        .where('id', '=', place.bookingId)
        .select('delegate_id')
        .executeTakeFirstOrThrow();
      expect(booking.delegate_id).toBe(place.delegateId);
      expect(await chargesOf(place.bookingId)).toMatchObject([{ state: 'confirmed' }]);
    });

    it('moving a booking withdraws its fee not yet invoiced', async () => {
      const sessionId = await inProgress(1);
      const place = await placeOn(sessionId);
      await mark(sessionId, place, ['absent']);
      const next = await anotherDate(10 * DAY);
      await t.services.bookingAdmin.move(staff, place.reference, next, false);
      expect(await chargesOf(place.bookingId)).toMatchObject([{ state: 'withdrawn' }]);
      expect(normalise((await emailsTo(place.email, 'charge_decided'))[0]!.text_body)).toContain(
        'your booking was moved to another date',
      );
    });

    it('a decision names the amount seen: a register corrected in between is a 409 in words', async () => {
      await t.services.settings.updateCharges({ partlyAttendedCountsAsAttended: false });
      const sessionId = await inProgress();
      clock.advance(DAY + HOUR);
      const place = await placeOn(sessionId);
      await mark(sessionId, place, ['absent', 'absent']);
      const [charge] = await chargesOf(place.bookingId);
      expect(charge!.proposed_pence).toBe(5000);
      await mark(sessionId, place, ['attended', 'absent']);
      expect((await chargesOf(place.bookingId))[0]!.proposed_pence).toBe(2500);
      await expect(
        t.services.chargeReview.decide(staff.id, {
          chargeId: charge!.id,
          seen: 'proposed',
          seenProposed: '5000',
          action: 'confirm',
        }),
      ).rejects.toMatchObject({
        statusCode: 409,
        message: expect.stringContaining('amount proposed for this charge has changed'),
      });
      expect(await chargesOf(place.bookingId)).toMatchObject([{ state: 'proposed', amount_pence: null }]);
    });
  });

  describe('the delegate’s “tell us why” link', () => {
    it('opening it changes nothing; sending saves, again replaces; once decided the page says so', async () => {
      const place = await placeOn(past);
      await mark(past, place, ['absent']);
      const link = await reasonLink(place);
      const visitor = new WebClient(t.app);
      const opened = await visitor.get(link);
      expect(opened.statusCode).toBe(200);
      expect(normalise(parsePage(opened.body).text())).toContain(
        'a charge of £50.00 may apply to Northshire Council',
      );
      expect(await chargesOf(place.bookingId)).toMatchObject([
        { delegate_reason: null, delegate_answered_at: null },
      ]);

      const missing = await visitor.submit(link, { reason: '' }, link);
      expect(missing.statusCode).toBe(400);
      expect(normalise(parsePage(missing.body).text())).toContain('Choose what got in the way');
      const nul = await visitor.submit(link, { reason: 'illness', note: 'a\u0000b' }, link);
      expect(nul.statusCode).toBe(400);
      const tooLong = await visitor.submit(link, { reason: 'illness', note: 'x'.repeat(1001) }, link);
      expect(tooLong.statusCode).toBe(400);
      expect(
        parsePage(tooLong.body).document.querySelector('textarea[name="note"]')?.textContent,
      ).toHaveLength(1001);

      expect((await visitor.submit(link, { reason: 'illness', note: 'I had flu.' }, link)).statusCode).toBe(
        303,
      );
      expect(await chargesOf(place.bookingId)).toMatchObject([
        { delegate_reason: 'illness', delegate_note: 'I had flu.' },
      ]);
      await visitor.submit(link, { reason: 'rather_not_say', note: '' }, link);
      expect(await chargesOf(place.bookingId)).toMatchObject([
        { delegate_reason: 'rather_not_say', delegate_note: '' },
      ]);

      const [charge] = await chargesOf(place.bookingId);
      await t.services.chargeReview.decide(staff.id, {
        chargeId: charge!.id,
        seen: 'proposed',
        seenProposed: String(charge!.proposed_pence),
        action: 'waive',
        waiverReason: 'Illness',
      });
      const decided = await visitor.get(link);
      expect(decided.statusCode).toBe(200);
      expect(normalise(parsePage(decided.body).text())).toContain('waived it. Nothing is owed');
      // A late answer changes nothing now.
      const csrf = csrfOf(decided.body) || csrfOf(opened.body);
      await visitor.post(link, { _csrf: csrf, reason: 'illness' });
      expect(await chargesOf(place.bookingId)).toMatchObject([{ delegate_reason: 'rather_not_say' }]);
    });

    it('an unknown link, another purpose’s, or someone else’s is not found; an expired one has ended (410)', async () => {
      const place = await placeOn(past);
      await mark(past, place, ['absent']);
      const link = await reasonLink(place);
      const visitor = new WebClient(t.app);
      expect((await visitor.get('/charges/why/not-a-real-token')).statusCode).toBe(404);
      expect((await visitor.get(`/charges/why/${'a'.repeat(43)}`)).statusCode).toBe(404);

      // Someone else's: the booking's delegate no longer has the address the link was sent to.
      await t.database.db
        .updateTable('delegates')
        .set({ email: `moved.${place.email}` })
        .where('id', '=', place.delegateId)
        .execute();
      expect((await visitor.get(link)).statusCode).toBe(404);
      await t.database.db
        .updateTable('delegates')
        .set({ email: place.email })
        .where('id', '=', place.delegateId)
        .execute();
      expect((await visitor.get(link)).statusCode).toBe(200);

      clock.set(new Date(new Date(TEST_NOW).getTime() + 31 * DAY));
      const ended = await visitor.get(link);
      expect(ended.statusCode).toBe(410);
      expect(normalise(parsePage(ended.body).text())).toContain('This link has ended');
    });

    it('the delegate’s booking page says a person is looking at it, with the way to say why; then the outcome', async () => {
      const place = await placeOn(past);
      await mark(past, place, ['absent']);
      const page = normalise(parsePage((await place.client.get(`/bookings/${place.reference}`)).body).text());
      expect(page).toContain('The training team is looking at this');
      expect(page).toContain('Tell us why');
      const list = normalise(parsePage((await place.client.get('/bookings')).body).text());
      expect(list).toContain(
        'A charge of £50.00 may apply to your organisation. The training team is looking at this.',
      );
      expect(
        (await place.client.submit(`/bookings/${place.reference}/why`, { reason: 'transport' })).statusCode,
      ).toBe(303);
      expect(await chargesOf(place.bookingId)).toMatchObject([{ delegate_reason: 'transport' }]);
      const [charge] = await chargesOf(place.bookingId);
      await t.services.chargeReview.decide(staff.id, {
        chargeId: charge!.id,
        seen: 'proposed',
        seenProposed: String(charge!.proposed_pence),
        action: 'reduce',
        amount: '20',
      });
      const after = normalise(
        parsePage((await place.client.get(`/bookings/${place.reference}`)).body).text(),
      );
      expect(after).toContain('reduced the charge from £50.00 to £20.00');
      // Someone else's booking: the ordinary 404.
      const other = await placeOn(past);
      expect((await other.client.get(`/bookings/${place.reference}/why`)).statusCode).toBe(404);
    });
  });

  describe('the review queue', () => {
    async function proposedFor(): Promise<{ place: Place; chargeId: number }> {
      const place = await placeOn(past, { lineManager: `manager.${labels + 1}@council.example.org.uk` });
      await mark(past, place, ['absent']);
      const [charge] = await chargesOf(place.bookingId);
      return { place, chargeId: charge!.id };
    }

    it('lists proposals oldest first with what the delegate said; confirm, reduce and waive, each audited and told', async () => {
      const first = await proposedFor();
      clock.advance(60_000);
      const second = await proposedFor();
      clock.advance(60_000);
      const third = await proposedFor();
      await t.services.delegateCharges.answerByLink((await reasonLink(first.place)).split('/').at(-1)!, {
        reason: 'caring',
        note: 'My son was ill.',
      });
      const queue = parsePage((await coordinator.get('/admin/charges')).body);
      const cards = [...queue.document.querySelectorAll('.govuk-summary-card')].map((c) =>
        normalise(c.textContent ?? ''),
      );
      const order = [first, second, third].map(({ place }) => cards.findIndex((c) => c.includes(place.name)));
      expect(order.every((i) => i >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      const firstCard = cards[order[0]!]!;
      expect(firstCard).toContain('Caring responsibilities');
      expect(firstCard).toContain('My son was ill.');
      expect(firstCard).toContain('(Partner agency)');
      expect(firstCard).toContain('Did not attend');

      // The form for one charge lives on the queue page; pick its own form by the charge's hidden id.
      const post = async (chargeId: number, fields: Record<string, string>) => {
        const html = (await coordinator.get('/admin/charges')).body;
        return coordinator.post('/admin/charges/decide', {
          _csrf: csrfOf(html),
          chargeId: String(chargeId),
          seen: 'proposed',
          seenProposed: '5000',
          state: 'proposed',
          ...fields,
        });
      };
      expect((await post(first.chargeId, { action: 'confirm' })).statusCode).toBe(303);
      expect(
        (await post(second.chargeId, { action: 'reduce', [`amount-${second.chargeId}`]: '£12.50' }))
          .statusCode,
      ).toBe(303);
      expect(
        (
          await post(third.chargeId, {
            action: 'waive',
            [`waiverReason-${third.chargeId}`]: 'Transport problems',
            [`note-${third.chargeId}`]: 'Trains on strike.',
          })
        ).statusCode,
      ).toBe(303);
      expect(await chargesOf(first.place.bookingId)).toMatchObject([
        { state: 'confirmed', amount_pence: 5000, decided_by_staff_id: staff.id },
      ]);
      expect(await chargesOf(second.place.bookingId)).toMatchObject([
        { state: 'confirmed', amount_pence: 1250 },
      ]);
      expect(await chargesOf(third.place.bookingId)).toMatchObject([
        {
          state: 'waived',
          amount_pence: null,
          waiver_reason: 'Transport problems',
          decision_note: 'Trains on strike.',
        },
      ]);
      const audit = await t.database.db
        .selectFrom('audit_log')
        .where('entity_type', '=', 'charge')
        .where('entity_id', 'in', [first.chargeId, second.chargeId, third.chargeId])
        .where('action', 'in', ['charge_confirmed', 'charge_reduced', 'charge_waived'])
        .select(['entity_id', 'action', 'details'])
        .orderBy('entity_id')
        .execute();
      expect(audit.map((a) => a.action)).toEqual(['charge_confirmed', 'charge_reduced', 'charge_waived']);
      expect(audit[2]!.details).not.toContain('Trains on strike');
      expect(normalise((await emailsTo(first.place.email, 'charge_decided'))[0]!.text_body)).toContain(
        'confirmed it at £50.00',
      );
      expect(normalise((await emailsTo(second.place.email, 'charge_decided'))[0]!.text_body)).toContain(
        'reduced it from £50.00 to £12.50',
      );
      const waived = normalise((await emailsTo(third.place.email, 'charge_decided'))[0]!.text_body);
      expect(waived).toContain('waived it. Nothing is owed');
      expect(waived).not.toContain('Trains on strike');
      // The hub has not said to tell line managers.
      expect(await emailsTo(`manager.${labels}@council.example.org.uk`, 'charge_line_manager')).toEqual([]);

      // Decided again while not invoiced: waive the confirmed one.
      expect(
        (
          await post(first.chargeId, {
            seen: 'confirmed',
            action: 'waive',
            [`waiverReason-${first.chargeId}`]: 'Charged in error',
          })
        ).statusCode,
      ).toBe(303);
      expect(await chargesOf(first.place.bookingId)).toMatchObject([{ state: 'waived' }]);
      // The back office's booking page shows the booking's charges.
      const bookingPage = normalise(
        parsePage((await coordinator.get(`/admin/bookings/${first.place.reference}`)).body).text(),
      );
      expect(bookingPage).toContain('Waived: Charged in error');
    });

    it('several at once: confirm selected, and waive selected with one reason', async () => {
      const a = await proposedFor();
      const b = await proposedFor();
      const c = await proposedFor();
      const html = (await coordinator.get('/admin/charges')).body;
      const confirmMany = new URLSearchParams({
        _csrf: csrfOf(html),
        state: 'proposed',
        bulkAction: 'confirm',
      });
      confirmMany.append('charge', `${a.chargeId}:proposed:5000`);
      confirmMany.append('charge', `${b.chargeId}:proposed:5000`);
      const confirmed = await coordinator.post('/admin/charges/bulk', confirmMany);
      expect(confirmed.statusCode).toBe(303);
      expect(confirmed.headers.location).toBe('/admin/charges?state=proposed&decided=2');
      expect((await chargesOf(a.place.bookingId))[0]!.state).toBe('confirmed');
      expect((await chargesOf(b.place.bookingId))[0]!.state).toBe('confirmed');

      const noReason = new URLSearchParams({
        _csrf: csrfOf(html),
        state: 'proposed',
        bulkAction: 'waive',
        waiverReason: '',
      });
      noReason.append('charge', `${c.chargeId}:proposed:5000`);
      const refused = await coordinator.post('/admin/charges/bulk', noReason);
      expect(refused.statusCode).toBe(400);
      expect(normalise(parsePage(refused.body).text())).toContain('Choose the reason for waiving the charge');
      expect((await chargesOf(c.place.bookingId))[0]!.state).toBe('proposed');

      const waiveMany = new URLSearchParams({
        _csrf: csrfOf(html),
        state: 'proposed',
        bulkAction: 'waive',
        waiverReason: 'Illness',
      });
      waiveMany.append('charge', `${c.chargeId}:proposed:5000`);
      waiveMany.append('charge', `${a.chargeId}:confirmed:5000`);
      expect((await coordinator.post('/admin/charges/bulk', waiveMany)).statusCode).toBe(303);
      expect((await chargesOf(c.place.bookingId))[0]).toMatchObject({
        state: 'waived',
        waiver_reason: 'Illness',
      });
      expect((await chargesOf(a.place.bookingId))[0]).toMatchObject({
        state: 'waived',
        waiver_reason: 'Illness',
      });

      const none = await coordinator.post('/admin/charges/bulk', {
        _csrf: csrfOf(html),
        state: 'proposed',
        bulkAction: 'confirm',
      });
      expect(none.statusCode).toBe(400);
      expect(normalise(parsePage(none.body).text())).toContain('Choose at least one charge');
    });

    it('bad input is a clear 4xx and saves nothing: no reason, amounts out of range or not money, unknown, stale, invoiced', async () => {
      const { place, chargeId } = await proposedFor();
      const html = (await coordinator.get('/admin/charges')).body;
      const base = {
        _csrf: csrfOf(html),
        chargeId: String(chargeId),
        seen: 'proposed',
        seenProposed: '5000',
        state: 'proposed',
      };
      const tries: [Record<string, string>, number, string][] = [
        [
          { action: 'waive', [`waiverReason-${chargeId}`]: '' },
          400,
          'Choose the reason for waiving the charge',
        ],
        [
          { action: 'waive', [`waiverReason-${chargeId}`]: 'Not on the hub’s list' },
          400,
          'Choose the reason for waiving the charge',
        ],
        [
          { action: 'reduce', [`amount-${chargeId}`]: '50.00' },
          400,
          'Enter an amount less than the £50.00 proposed',
        ],
        [
          { action: 'reduce', [`amount-${chargeId}`]: '75' },
          400,
          'Enter an amount less than the £50.00 proposed',
        ],
        [{ action: 'reduce', [`amount-${chargeId}`]: '-5' }, 400, 'cannot be less than £0.00'],
        [{ action: 'reduce', [`amount-${chargeId}`]: '0' }, 400, 'Enter an amount more than £0.00'],
        [{ action: 'reduce', [`amount-${chargeId}`]: 'abc' }, 400, 'in pounds and pence, like £50.00'],
        [
          { action: 'waive', [`waiverReason-${chargeId}`]: 'Illness', [`note-${chargeId}`]: 'a\u0000b' },
          400,
          'Remove the special characters from the note',
        ],
      ];
      for (const [fields, status, message] of tries) {
        const response = await coordinator.post('/admin/charges/decide', { ...base, ...fields });
        expect(response.statusCode, JSON.stringify(fields)).toBe(status);
        const page = parsePage(response.body);
        expect(normalise(page.text())).toContain(message);
        // The error summary links to the field, and what was typed is kept.
        expect(page.document.querySelector('.govuk-error-summary a')?.getAttribute('href')).toMatch(
          new RegExp(`^#(amount|waiverReason|note)-${chargeId}$`),
        );
      }
      expect(await chargesOf(place.bookingId)).toMatchObject([{ state: 'proposed', amount_pence: null }]);

      for (const id of ['999999', '99999999999', 'abc', '']) {
        const unknown = await coordinator.post('/admin/charges/decide', {
          ...base,
          chargeId: id,
          action: 'confirm',
        });
        expect(unknown.statusCode, id).toBe(404);
      }

      expect(
        (await coordinator.post('/admin/charges/decide', { ...base, action: 'confirm' })).statusCode,
      ).toBe(303);
      // The same click again (a stale page): 409, not a second decision.
      const again = await coordinator.post('/admin/charges/decide', { ...base, action: 'confirm' });
      expect(again.statusCode).toBe(409);
      expect(normalise(parsePage(again.body).text())).toContain('changed while you were looking at it');
      expect(await emailsTo(place.email, 'charge_decided')).toHaveLength(1);

      // On an invoice: put right with a credit note, not here.
      const invoice = await t.database.db
        .insertInto('invoices')
        .values({
          kind: 'invoice',
          state: 'draft',
          organisation_id: (await chargesOf(place.bookingId))[0]!.organisation_id,
          customer_name: 'Northshire Council',
          created_at: clock.now().toISOString(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await t.database.db
        .updateTable('charges')
        .set({ invoice_id: invoice.id })
        .where('id', '=', chargeId)
        .execute();
      const invoiced = await coordinator.post('/admin/charges/decide', {
        ...base,
        seen: 'confirmed',
        action: 'waive',
        [`waiverReason-${chargeId}`]: 'Illness',
      });
      expect(invoiced.statusCode).toBe(409);
      expect(normalise(parsePage(invoiced.body).text())).toContain('is on a draft invoice');
      await t.database.db
        .updateTable('invoices')
        .set({
          state: 'issued',
          number: `INV-2025-${String(invoice.id).padStart(4, '0')}`,
          financial_year: 2025,
          sequence: invoice.id,
        })
        .where('id', '=', invoice.id)
        .execute();
      const issued = await coordinator.post('/admin/charges/decide', {
        ...base,
        seen: 'confirmed',
        action: 'waive',
        [`waiverReason-${chargeId}`]: 'Illness',
      });
      expect(issued.statusCode).toBe(409);
      expect(normalise(parsePage(issued.body).text())).toContain(
        `is on invoice INV-2025-${String(invoice.id).padStart(4, '0')}, so it can no longer be changed here; put it right with a credit note`,
      );
      expect(await chargesOf(place.bookingId)).toMatchObject([{ state: 'confirmed' }]);
    });

    it('viewers and trainers get the ordinary 404', async () => {
      const { chargeId } = await proposedFor();
      for (const role of ['viewer', 'trainer'] as const) {
        const client = await signedInStaff(t, role);
        expect((await client.get('/admin/charges')).statusCode).toBe(404);
        const csrf = csrfOf((await client.get('/admin')).body);
        const response = await client.post('/admin/charges/decide', {
          _csrf: csrf,
          chargeId: String(chargeId),
          seen: 'proposed',
          action: 'confirm',
        });
        expect(response.statusCode).toBe(404);
      }
      expect(
        (
          await t.database.db
            .selectFrom('charges')
            .where('id', '=', chargeId)
            .select('state')
            .executeTakeFirstOrThrow()
        ).state,
      ).toBe('proposed');
    });

    it('the line manager is told of a confirmed charge only when the hub says so, with the least', async () => {
      const quiet = await proposedFor();
      await t.services.chargeReview.decide(staff.id, {
        chargeId: quiet.chargeId,
        seen: 'proposed',
        seenProposed: '5000',
        action: 'confirm',
      });
      const quietManager = await t.database.db
        .selectFrom('delegates')
        .where('id', '=', quiet.place.delegateId)
        .select('line_manager_email')
        .executeTakeFirstOrThrow();
      expect(await emailsTo(quietManager.line_manager_email, 'charge_line_manager')).toEqual([]);

      await t.services.settings.updateCharges({ tellLineManagerOfConfirmedCharges: true });
      const told = await proposedFor();
      await t.services.delegateCharges.answerByLink((await reasonLink(told.place)).split('/').at(-1)!, {
        reason: 'personal_crisis',
        note: 'Something private.',
      });
      await t.database.db
        .updateTable('bookings')
        .set({ access_needs: 'A hearing loop' })
        .where('id', '=', told.place.bookingId)
        .execute();
      await t.services.chargeReview.decide(staff.id, {
        chargeId: told.chargeId,
        seen: 'proposed',
        seenProposed: '5000',
        action: 'reduce',
        amount: '30',
      });
      const manager = await t.database.db
        .selectFrom('delegates')
        .where('id', '=', told.place.delegateId)
        .select('line_manager_email')
        .executeTakeFirstOrThrow();
      const [email] = await emailsTo(manager.line_manager_email, 'charge_line_manager');
      const text = normalise(email!.text_body);
      expect(text).toContain(told.place.name);
      expect(text).toContain('£30.00');
      expect(text).not.toContain('hearing loop');
      expect(text).not.toContain('Something private');
      expect(text).not.toContain('crisis');
      // Waiving a charge tells the manager nothing.
      const waived = await proposedFor();
      await t.services.chargeReview.decide(staff.id, {
        chargeId: waived.chargeId,
        seen: 'proposed',
        seenProposed: '5000',
        action: 'waive',
        waiverReason: 'Illness',
      });
      const waivedManager = await t.database.db
        .selectFrom('delegates')
        .where('id', '=', waived.place.delegateId)
        .select('line_manager_email')
        .executeTakeFirstOrThrow();
      expect(await emailsTo(waivedManager.line_manager_email, 'charge_line_manager')).toEqual([]);
      // And delegates are told before they give the address.
      const details = normalise(parsePage((await told.place.client.get('/account/details')).body).text());
      expect(details).toContain('If a charge for your place is confirmed');
    });
  });

  describe('migration 019', () => {
    it('gives every booking its delegate’s organisation, and none to a delegate with none', async () => {
      const db = t.database.db;
      const place = await placeOn(soon);
      const none = await placeOn(soon, { type: null });
      const { organisation_id } = await db
        .selectFrom('delegates')
        .where('id', '=', place.delegateId)
        .select('organisation_id')
        .executeTakeFirstOrThrow();
      await migrateTo(db, dialect, '018-charge-reason-links');
      await migrateToLatest(db, dialect);
      const rows = await db
        .selectFrom('bookings')
        .where('id', 'in', [place.bookingId, none.bookingId])
        .select(['id', 'organisation_id'])
        .orderBy('id')
        .execute();
      expect(rows).toEqual([
        { id: place.bookingId, organisation_id },
        { id: none.bookingId, organisation_id: null },
      ]);
    });
  });

  describe('migration 018', () => {
    it('keeps every link and its id across the rebuild, and lets a charge link name a charge and nothing else', async () => {
      const db = t.database.db;
      const place = await placeOn(past);
      await mark(past, place, ['absent']);
      const others = await db
        .selectFrom('private_links')
        .where('purpose', '<>', 'charge_reason')
        .select(['id', 'token_hash'])
        .orderBy('id')
        .execute();
      await migrateTo(db, dialect, '017-charges-invoices');
      await migrateToLatest(db, dialect);
      expect(
        await db
          .selectFrom('private_links')
          .where('purpose', '<>', 'charge_reason')
          .select(['id', 'token_hash'])
          .orderBy('id')
          .execute(),
      ).toEqual(others);
      const [charge] = await chargesOf(place.bookingId);
      const link = {
        token_hash: `test-${labels}`,
        purpose: 'charge_reason' as const,
        email: place.email,
        created_at: TEST_NOW,
        expires_at: TEST_NOW,
      };
      await db
        .insertInto('private_links')
        .values({ ...link, charge_id: charge!.id })
        .execute();
      await expect(
        db
          .insertInto('private_links')
          .values({
            ...link,
            token_hash: `${link.token_hash}-2`,
            charge_id: charge!.id,
            delegate_id: place.delegateId,
          })
          .execute(),
      ).rejects.toThrow();
      await expect(
        db
          .insertInto('private_links')
          .values({ ...link, token_hash: `${link.token_hash}-3` })
          .execute(),
      ).rejects.toThrow();
    });
  });
});
