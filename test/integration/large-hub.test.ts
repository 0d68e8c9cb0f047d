/**
 * The large-hub generator (`npm run seed:large`, the back-office benchmark)
 * at a small size: the counts it promises, and data the app itself could
 * have written (no session over capacity, attendance only for the past,
 * certificates only for those who attended every part, feedback only from
 * those invited, follow-ups only for those there three months before).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';

import { seedLargeHub, type LargeHubResult } from '../../src/demo/largeHub.js';
import { CERTIFICATE_NUMBER } from '../../src/domain/afterCourse/certificate.js';
import { DEFAULT_POLICY } from '../../src/domain/hub/policy.js';
import { londonDate } from '../../src/domain/time/time.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { eachDatabase } from '../support/databases.js';

const DAY = 86_400_000;

const SMALL = {
  sessions: 60,
  bookings: 1_500,
  delegates: 400,
  organisations: 12,
  courses: 6,
  venues: 3,
  trainers: 4,
};

eachDatabase('large hub generator', (dialect) => {
  let t: TestApp;
  let result: LargeHubResult;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: false });
    result = await seedLargeHub(t.database.db, new Date(TEST_NOW), SMALL);
  });
  afterAll(() => t.close());

  it('adds what it says, without overbooking a session or marking the future', async () => {
    const db = t.database.db;
    const count = async (table: 'sessions' | 'bookings' | 'delegates' | 'attendance') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count('sessions')).toBe(SMALL.sessions);
    expect(await count('bookings')).toBe(SMALL.bookings);
    expect(await count('delegates')).toBe(SMALL.delegates);
    expect(await count('attendance')).toBe(result.attendance);
    expect(result.attendance).toBeGreaterThan(0);

    const overbooked = await db
      .selectFrom('sessions')
      .where('capacity', '<', (eb) =>
        eb
          .selectFrom('bookings')
          .whereRef('bookings.session_id', '=', 'sessions.id')
          .where('state', '=', 'confirmed')
          .select(eb.fn.countAll<number>().as('n')),
      )
      .select('id')
      .execute();
    expect(overbooked).toEqual([]);

    const futureMarks = await db
      .selectFrom('attendance')
      .innerJoin('session_parts', 'session_parts.id', 'attendance.session_part_id')
      .where('session_parts.starts_at', '>', TEST_NOW)
      .select('attendance.id')
      .execute();
    expect(futureMarks).toEqual([]);
  });

  /** Each marked booking with its marks, in part order. */
  async function markedBookings() {
    const marks = await t.database.db
      .selectFrom('attendance')
      .innerJoin('session_parts', 'session_parts.id', 'attendance.session_part_id')
      .innerJoin('bookings', 'bookings.id', 'attendance.booking_id')
      .select(['attendance.booking_id', 'attendance.status', 'bookings.feedback_invited_at'])
      .orderBy('attendance.booking_id')
      .orderBy('session_parts.position')
      .execute();
    const byBooking = new Map<number, { statuses: string[]; invited: boolean }>();
    for (const mark of marks) {
      const entry = byBooking.get(mark.booking_id) ?? {
        statuses: [],
        invited: mark.feedback_invited_at !== null,
      };
      entry.statuses.push(mark.status);
      byBooking.set(mark.booking_id, entry);
    }
    return byBooking;
  }

  it('issues certificates to those who attended every part, numbered as the app numbers them', async () => {
    const certificates = await t.database.db
      .selectFrom('certificates')
      .select(['number', 'booking_id', 'facts', 'withdrawn_at'])
      .orderBy('booking_id')
      .execute();
    expect(certificates).toHaveLength(result.certificates);
    const marked = await markedBookings();
    const attendedAll = [...marked]
      .filter(([, m]) => m.statuses.every((s) => s === 'attended'))
      .map(([id]) => id);
    expect(certificates.map((c) => c.booking_id)).toEqual(attendedAll);
    expect(certificates.length).toBeGreaterThan(100);
    expect(certificates.every((c) => CERTIFICATE_NUMBER.test(c.number) && c.withdrawn_at === null)).toBe(
      true,
    );
    expect(new Set(certificates.map((c) => c.number)).size).toBe(certificates.length);
    const facts = JSON.parse(certificates[0]!.facts) as { whole: boolean; learningOutcomes: string[] };
    expect(facts.whole).toBe(true);
    expect(facts.learningOutcomes).toEqual(['Outcome 1', 'Outcome 2']);

    const response = await t.app.inject(`/certificates/${certificates[0]!.number}`);
    expect(response.statusCode).toBe(200);
  });

  it('invites everyone marked as there, and has feedback from about half of them', async () => {
    const marked = await markedBookings();
    const there = [...marked].filter(([, m]) => m.statuses.some((s) => s === 'attended' || s === 'partial'));
    expect([...marked].filter(([, m]) => m.invited).map(([id]) => id)).toEqual(there.map(([id]) => id));
    const responses = await t.database.db
      .selectFrom('feedback_responses')
      .select(['id', 'booking_id', 'submitted_at'])
      .execute();
    expect(responses).toHaveLength(result.feedback);
    const invited = new Set(there.map(([id]) => id));
    expect(responses.every((r) => invited.has(r.booking_id) && r.submitted_at < TEST_NOW)).toBe(true);
    expect(responses.length / there.length).toBeGreaterThan(0.4);
    expect(responses.length / there.length).toBeLessThan(0.6);
    const answers = await t.database.db
      .selectFrom('feedback_outcome_answers')
      .select(['response_id', 'confidence_before', 'confidence_after'])
      .execute();
    // Two learning outcomes a course, both answered, on the same five-point scale.
    expect(answers).toHaveLength(responses.length * 2);
    expect(
      answers.every(
        (a) =>
          a.confidence_before! >= 1 &&
          a.confidence_after! <= 5 &&
          a.confidence_after! >= a.confidence_before!,
      ),
    ).toBe(true);
  });

  it('follows up everyone there at sessions that ended the follow-up’s days ago, and about half answered', async () => {
    const db = t.database.db;
    const dueBy = new Date(new Date(TEST_NOW).getTime() - DEFAULT_POLICY.followUpDays * DAY).toISOString();
    const there = await db
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .where('sessions.ends_at', '<=', dueBy)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('attendance')
            .select('attendance.id')
            .whereRef('attendance.booking_id', '=', 'bookings.id')
            .where('attendance.status', 'in', ['attended', 'partial']),
        ),
      )
      .select('bookings.id')
      .orderBy('bookings.id')
      .execute();
    const requests = await db
      .selectFrom('follow_up_requests')
      .innerJoin('bookings', 'bookings.id', 'follow_up_requests.booking_id')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .select([
        'follow_up_requests.id',
        'follow_up_requests.booking_id',
        'follow_up_requests.respondent',
        'follow_up_requests.sent_at',
        'follow_up_requests.answered_at',
        'follow_up_requests.outcome',
        'sessions.ends_at',
      ])
      .orderBy('follow_up_requests.booking_id')
      .execute();
    expect(there.length).toBeGreaterThan(100);
    expect(requests.map((r) => r.booking_id)).toEqual(there.map((b) => b.id));
    expect(requests).toHaveLength(result.followUps);
    // The default policy asks delegates only.
    expect(requests.every((r) => r.respondent === 'delegate')).toBe(true);
    for (const r of requests) {
      const sent = new Date(r.sent_at).getTime();
      expect(sent - new Date(r.ends_at).getTime()).toBeGreaterThanOrEqual(DEFAULT_POLICY.followUpDays * DAY);
      if (r.answered_at) expect(new Date(r.answered_at).getTime() - sent).toBeLessThanOrEqual(14 * DAY);
    }
    const answered = requests.filter((r) => r.outcome === 'answered' && r.answered_at! < TEST_NOW);
    expect(answered).toHaveLength(result.followUpsAnswered);
    expect(answered.length / requests.length).toBeGreaterThan(0.4);
    expect(answered.length / requests.length).toBeLessThan(0.6);
    const answers = await db
      .selectFrom('follow_up_answers')
      .select(['request_id', 'practice_change'])
      .execute();
    // Three key areas a course, each answered.
    expect(answers).toHaveLength(answered.length * 3);
    const answeredIds = new Set(answered.map((r) => r.id));
    expect(answers.every((a) => answeredIds.has(a.request_id))).toBe(true);
    const links = await db.selectFrom('private_links').select('id').execute();
    expect(links).toEqual([]);
  });

  it('gives every organisation billing details, a mix of monthly and per-booking invoices', async () => {
    const organisations = await t.database.db
      .selectFrom('organisations')
      .select(['billing_email', 'billing_address', 'invoice_frequency'])
      .execute();
    expect(organisations).toHaveLength(SMALL.organisations);
    expect(organisations.every((o) => o.billing_email.includes('@') && o.billing_address !== '')).toBe(true);
    expect(new Set(organisations.map((o) => o.invoice_frequency))).toEqual(
      new Set(['monthly', 'per_booking']),
    );
  });

  it('has the last month’s charges waiting for the invoice run, and a year of invoices before it, each the sum of its lines', async () => {
    const db = t.database.db;
    const charges = await db
      .selectFrom('charges')
      .innerJoin('bookings', 'bookings.id', 'charges.booking_id')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .select([
        'charges.id',
        'charges.kind',
        'charges.state',
        'charges.amount_pence',
        'charges.proposed_pence',
        'charges.invoice_id',
        'charges.waiver_reason',
        'bookings.price_pence',
        'sessions.ends_at',
      ])
      .execute();
    const monthAgo = new Date(new Date(TEST_NOW).getTime() - 30 * DAY).toISOString();
    const month = charges.filter((c) => c.ends_at > monthAgo);
    expect(month).toHaveLength(result.charges.monthCharges);
    expect(charges.length - month.length).toBe(result.charges.historyCharges);
    expect(result.charges.historyCharges).toBeGreaterThan(0);
    expect(month.every((c) => c.invoice_id === null)).toBe(true);
    expect(month.filter((c) => c.state === 'confirmed')).toHaveLength(result.charges.monthConfirmed);
    for (const charge of charges) {
      expect(charge.ends_at < TEST_NOW).toBe(true);
      if (charge.state === 'confirmed') expect(charge.amount_pence).toBe(charge.proposed_pence);
      else expect(charge.amount_pence).toBeNull();
      if (charge.state === 'waived') expect(charge.waiver_reason).toBeTruthy();
      if (charge.invoice_id !== null) expect(charge.state).toBe('confirmed');
      // A paid place is charged its price, never also a fee.
      if (charge.kind === 'place') expect(charge.proposed_pence).toBe(charge.price_pence);
      else expect(charge.price_pence).toBe(0);
    }

    const documents = await db.selectFrom('invoices').selectAll().orderBy('id').execute();
    const invoices = documents.filter((d) => d.kind === 'invoice');
    expect(invoices).toHaveLength(result.charges.invoices);
    expect(documents.length - invoices.length).toBe(result.charges.creditNotes);
    expect(new Set(documents.map((d) => d.number)).size).toBe(documents.length);
    const lines = await db.selectFrom('invoice_lines').selectAll().execute();
    for (const document of documents) {
      const own = lines.filter((l) => l.invoice_id === document.id);
      expect(own.length).toBeGreaterThan(0);
      expect(document.gross_pence).toBe(own.reduce((sum, l) => sum + l.gross_pence, 0));
      expect(document.issued_on! < londonDate(new Date(TEST_NOW))).toBe(true);
    }
    for (const line of lines) expect(line.credited_pence).toBeLessThanOrEqual(line.gross_pence);
    // Each kind's numbers run 1, 2, 3… in each financial year, and the counters carry on from there.
    const counters = await db.selectFrom('invoice_sequences').selectAll().execute();
    for (const counter of counters) {
      const numbered = documents
        .filter((d) => d.kind === counter.kind && d.financial_year === counter.financial_year)
        .map((d) => d.sequence)
        .sort((a, b) => a! - b!);
      expect(numbered).toEqual(Array.from({ length: counter.last_sequence }, (_, i) => i + 1));
    }
  });
});
