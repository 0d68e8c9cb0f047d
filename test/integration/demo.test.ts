import { afterAll, beforeAll, expect, it } from 'vitest';

import { loadDemo, loadDemoIfNew } from '../../src/demo/loadDemo.js';
import {
  FOLLOW_UP_LINK_DAYS,
  FOLLOW_UP_REMINDER_DAYS,
  PRACTICE_CHANGES,
} from '../../src/domain/afterCourse/followUp.js';
import { TOO_FEW_TO_READ_INTO } from '../../src/domain/afterCourse/reports.js';
import { londonDate } from '../../src/domain/time/time.js';
import { isWorkingDay } from '../../src/domain/time/workingDays.js';
import { demoProgramme } from '../../src/demo/programme.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import type { WebClient } from '../support/client.js';
import { createTestDatabase, eachDatabase, type TestDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

eachDatabase('demo programme', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(() => database.drop());

  it('loads into a new database, with sessions in the future and the seed in the past', async () => {
    const result = await loadDemoIfNew(database.db, demoProgramme, new Date(TEST_NOW));
    expect(result.loaded).toBe(true);
    const courses = await database.db.selectFrom('courses').select('slug').execute();
    expect(courses.length).toBeGreaterThanOrEqual(13);
    const upcoming = await database.db
      .selectFrom('sessions')
      .where('starts_at', '>', TEST_NOW)
      .select('id')
      .execute();
    expect(upcoming.length).toBeGreaterThanOrEqual(20);
    const seed = await database.db
      .selectFrom('sessions')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('courses.slug', '=', 'trauma-informed-co-production')
      .select(['sessions.starts_at', 'sessions.ends_at'])
      .orderBy('sessions.starts_at')
      .executeTakeFirstOrThrow();
    expect(seed).toEqual({ starts_at: '2024-11-25T09:30:00.000Z', ends_at: '2024-11-25T15:30:00.000Z' });
  });

  it('never overfills a session and never books one delegate twice on a session', async () => {
    const overfull = await database.db
      .selectFrom('sessions')
      .where((eb) =>
        eb(
          'capacity',
          '<',
          eb
            .selectFrom('bookings')
            .select(eb.fn.countAll<number>().as('n'))
            .whereRef('bookings.session_id', '=', 'sessions.id')
            .where('state', '=', 'confirmed'),
        ),
      )
      .select('id')
      .execute();
    expect(overfull).toEqual([]);
    const doubles = await database.db
      .selectFrom('bookings')
      .select(['session_id', 'delegate_id'])
      .groupBy(['session_id', 'delegate_id'])
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    expect(doubles).toEqual([]);
  });

  it('does not load twice, even after its courses are removed', async () => {
    expect((await loadDemoIfNew(database.db, demoProgramme, new Date(TEST_NOW))).loaded).toBe(false);
    // The demo's charges and invoices go first: they are about its bookings.
    await database.db.deleteFrom('invoice_lines').execute();
    await database.db.deleteFrom('charges').execute();
    await database.db.deleteFrom('invoices').execute();
    await database.db.deleteFrom('bookings').execute();
    await database.db.deleteFrom('sessions').execute();
    await database.db.deleteFrom('courses').execute();
    expect((await loadDemoIfNew(database.db, demoProgramme, new Date(TEST_NOW))).loaded).toBe(false);
  });
});

eachDatabase('demo programme loaded over Christmas', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(() => database.drop());

  it('never puts a session on a weekend or a bank holiday', async () => {
    // Loaded on 27 November 2026: five weeks on is Monday 28 December, a bank holiday.
    await loadDemoIfNew(database.db, demoProgramme, new Date('2026-11-27T10:00:00Z'));
    const starts = await database.db
      .selectFrom('sessions')
      .select('starts_at')
      .where('starts_at', '>', '2026-11-27')
      .execute();
    expect(starts.length).toBeGreaterThan(20);
    for (const { starts_at } of starts)
      expect(isWorkingDay(londonDate(new Date(starts_at))), starts_at).toBe(true);
  });
});

eachDatabase('demo programme: after its past sessions', (dialect) => {
  let t: TestApp;
  let coordinator: WebClient;
  const db = () => t.database.db;
  beforeAll(async () => {
    // createTestApp loads the demo as the first start does, on the test clock.
    t = await createTestApp(dialect);
    coordinator = await signedInStaff(t, 'coordinator');
  });
  afterAll(() => t.close());

  /** Each confirmed place on a past session, with its marks in part order. */
  async function pastPlaces() {
    const places = await db()
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
      .where('sessions.ends_at', '<', TEST_NOW)
      .where('bookings.state', '=', 'confirmed')
      .select([
        'bookings.id',
        'bookings.session_id',
        'bookings.feedback_invited_at',
        'sessions.starts_at',
        'sessions.ends_at',
        'courses.id as course_id',
        'delegates.name',
      ])
      .orderBy('bookings.id')
      .execute();
    const marks = await db()
      .selectFrom('attendance')
      .innerJoin('session_parts', 'session_parts.id', 'attendance.session_part_id')
      .select(['attendance.booking_id', 'attendance.status'])
      .orderBy('session_parts.position')
      .execute();
    return places.map((place) => ({
      ...place,
      marks: marks.filter((m) => m.booking_id === place.id).map((m) => m.status),
    }));
  }

  it('marks every past register but the seed course’s 2024 date, left for a newcomer to mark', async () => {
    const places = await pastPlaces();
    const seed = places.filter((p) => p.starts_at === '2024-11-25T09:30:00.000Z');
    expect(seed).toHaveLength(40);
    expect(seed.every((p) => p.marks.length === 0)).toBe(true);
    const marked = places.filter((p) => p.starts_at !== '2024-11-25T09:30:00.000Z');
    expect(marked.length).toBeGreaterThan(100);
    expect(marked.every((p) => p.marks.length > 0)).toBe(true);
    const statuses = new Set(marked.flatMap((p) => p.marks));
    expect([...statuses].sort()).toEqual(['absent', 'attended', 'partial']);
    // A few weeks back too, so this reporting year has a history as well as the last.
    expect(marked.some((p) => p.starts_at > '2025-12-01')).toBe(true);
  });

  it('issues a certificate, through the real path, to each delegate who attended every part, and only them', async () => {
    const places = await pastPlaces();
    const certificates = await db()
      .selectFrom('certificates')
      .select(['number', 'booking_id', 'delegate_name', 'withdrawn_at'])
      .execute();
    const attendedAll = places.filter((p) => p.marks.length && p.marks.every((m) => m === 'attended'));
    expect(certificates.map((c) => c.booking_id).sort((a, b) => a - b)).toEqual(attendedAll.map((p) => p.id));
    expect(certificates.every((c) => c.withdrawn_at === null)).toBe(true);
    const issued = await db()
      .selectFrom('audit_log')
      .where('action', '=', 'certificate_issued')
      .select('entity_id')
      .execute();
    expect(issued).toHaveLength(certificates.length);
    // History, not news: nobody is emailed about the demo's certificates.
    const emails = await db().selectFrom('outbox_messages').select('id').execute();
    expect(emails).toEqual([]);

    for (const certificate of certificates.slice(0, 3)) {
      const response = await t.app.inject(`/certificates/${certificate.number}`);
      expect(response.statusCode).toBe(200);
      expect(parsePage(response.body).text('main')).toContain(certificate.delegate_name);
    }
  });

  it('has feedback on the learning outcomes from most of those invited, and two quotes agreed', async () => {
    const places = await pastPlaces();
    const there = places.filter((p) => p.marks.some((m) => m === 'attended' || m === 'partial'));
    expect(places.filter((p) => p.feedback_invited_at !== null).map((p) => p.id)).toEqual(
      there.map((p) => p.id),
    );
    const responses = await db()
      .selectFrom('feedback_responses')
      .select(['id', 'booking_id', 'quote', 'quote_consent', 'do_differently', 'submitted_at'])
      .execute();
    const invited = new Set(there.map((p) => p.id));
    expect(responses.every((r) => invited.has(r.booking_id))).toBe(true);
    expect(responses.every((r) => r.submitted_at < TEST_NOW)).toBe(true);
    expect(responses.length).toBeGreaterThan(there.length / 2);
    expect(responses.length).toBeLessThan(there.length);
    expect(responses.filter((r) => r.do_differently !== '').length).toBeGreaterThan(5);
    const quotes = responses.filter((r) => r.quote_consent !== null && r.quote_consent !== 'no');
    expect(quotes.map((q) => q.quote_consent).sort()).toEqual(['anonymous', 'job_role']);
    expect(quotes.every((q) => q.quote.length > 20)).toBe(true);

    const answers = await db()
      .selectFrom('feedback_outcome_answers')
      .select(['confidence_before', 'confidence_after'])
      .execute();
    expect(answers.length).toBeGreaterThan(responses.length * 3);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(answers.map((a) => a.confidence_after!))).toBeGreaterThan(
      mean(answers.map((a) => a.confidence_before!)),
    );
  });

  /** Each follow-up request, with its session's end and its course. */
  async function followUps() {
    return db()
      .selectFrom('follow_up_requests')
      .innerJoin('bookings', 'bookings.id', 'follow_up_requests.booking_id')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .selectAll('follow_up_requests')
      .select(['sessions.ends_at', 'sessions.course_id'])
      .orderBy('follow_up_requests.booking_id')
      .execute();
  }

  it('follows up, three months on, everyone who was there at sessions long enough ago, and most delegates answered', async () => {
    const followUpDays = (await t.services.settings.policy()).followUpDays;
    const dueBy = new Date(new Date(TEST_NOW).getTime() - followUpDays * DAY).toISOString();
    const places = await pastPlaces();
    const there = places.filter(
      (p) => p.marks.some((m) => m === 'attended' || m === 'partial') && p.ends_at <= dueBy,
    );
    // Some sessions are too recent, so not every place that was there has been asked.
    expect(places.filter((p) => p.marks.some((m) => m !== 'absent')).length).toBeGreaterThan(there.length);
    expect(there.length).toBeGreaterThan(50);
    const requests = await followUps();
    expect(requests.map((r) => r.booking_id)).toEqual(there.map((p) => p.id));
    // The demo hub's policy does not ask line managers, and delegates are told so: none were asked.
    expect(requests.every((r) => r.respondent === 'delegate')).toBe(true);

    for (const r of requests) {
      const due = new Date(r.ends_at).getTime() + followUpDays * DAY;
      const sent = new Date(r.sent_at).getTime();
      expect(sent).toBeGreaterThanOrEqual(due);
      expect(sent).toBeLessThanOrEqual(due + HOUR);
      expect(new Date(r.expires_at).getTime()).toBe(sent + FOLLOW_UP_LINK_DAYS * DAY);
      if (r.answered_at !== null) {
        const answered = new Date(r.answered_at).getTime();
        expect(answered).toBeGreaterThan(sent);
        expect(answered).toBeLessThanOrEqual(sent + 14 * DAY);
        expect(r.answered_at < TEST_NOW).toBe(true);
        expect(r.outcome).toBe('answered');
      } else {
        expect(r.outcome).toBeNull();
        expect([r.example, r.obstacles]).toEqual(['', '']);
        // Long since reminded, as the job does a week on.
        expect(r.reminded_at).toBe(new Date(sent + FOLLOW_UP_REMINDER_DAYS * DAY).toISOString());
      }
    }
    const answered = requests.filter((r) => r.outcome === 'answered');
    expect(answered.length).toBeGreaterThan(requests.length / 2);
    expect(answered.length).toBeLessThan(requests.length);
    expect(answered.filter((r) => r.example.length > 20).length).toBeGreaterThan(5);
    expect(answered.filter((r) => r.obstacles.length > 20).length).toBeGreaterThan(3);

    const answers = await db()
      .selectFrom('follow_up_answers')
      .innerJoin('follow_up_requests', 'follow_up_requests.id', 'follow_up_answers.request_id')
      .innerJoin('bookings', 'bookings.id', 'follow_up_requests.booking_id')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('course_key_areas', 'course_key_areas.id', 'follow_up_answers.key_area_id')
      .select([
        'follow_up_answers.request_id',
        'follow_up_answers.key_area_text',
        'follow_up_answers.practice_change',
        'course_key_areas.text',
        'course_key_areas.course_id',
        'sessions.course_id as session_course_id',
      ])
      .execute();
    const answeredIds = new Set(answered.map((r) => r.id));
    expect(answers.every((a) => answeredIds.has(a.request_id))).toBe(true);
    expect(answers.every((a) => a.course_id === a.session_course_id && a.key_area_text === a.text)).toBe(
      true,
    );
    expect(answers.length).toBeGreaterThan(answered.length * 2);
    expect(new Set(answers.map((a) => a.practice_change)).size).toBe(PRACTICE_CHANGES.length);

    // History, not news: no links to answer with, no emails, and the job finds nothing left to send.
    const links = await db()
      .selectFrom('private_links')
      .where('purpose', 'in', ['follow_up', 'follow_up_opt_out'])
      .select('id')
      .execute();
    expect(links).toEqual([]);
    expect(await t.services.followUp.run()).toEqual({ sent: 0, reminded: 0 });
    expect(await db().selectFrom('outbox_messages').select('id').execute()).toEqual([]);
  });

  it('shows staff the follow-up figures for a course, with enough delegates answering to read into', async () => {
    const answeredByCourse = new Map<number, number>();
    for (const r of (await followUps()).filter((r) => r.outcome === 'answered')) {
      answeredByCourse.set(r.course_id, (answeredByCourse.get(r.course_id) ?? 0) + 1);
    }
    const [courseId, answered] = [...answeredByCourse].sort((a, b) => b[1] - a[1])[0]!;
    expect(answered).toBeGreaterThanOrEqual(TOO_FEW_TO_READ_INTO);
    const response = await coordinator.get(`/admin/courses/${courseId}/feedback`);
    expect(response.statusCode).toBe(200);
    const page = parsePage(response.body);
    expect(page.text('main')).toContain('Three-month follow-up');
    expect(page.text('main')).not.toContain('delegates answered the follow-up: their figures are too few');
    const take = page.document.querySelector('#follow-up-take')!.closest('table')!;
    const answeredRow = [...take.querySelectorAll('tbody tr')].find((tr) =>
      tr.textContent?.includes('Answered'),
    )!;
    expect(answeredRow.querySelectorAll('td')[0]!.textContent?.trim()).toBe(String(answered));
  });

  it('gives at least two courses enough attended delegates for a report to read into', async () => {
    const places = await pastPlaces();
    const attendedByCourse = new Map<number, number>();
    for (const p of places.filter((p) => p.marks.length && p.marks.every((m) => m === 'attended'))) {
      attendedByCourse.set(p.course_id, (attendedByCourse.get(p.course_id) ?? 0) + 1);
    }
    const readable = [...attendedByCourse].filter(([, n]) => n >= TOO_FEW_TO_READ_INTO);
    expect(readable.length).toBeGreaterThanOrEqual(2);

    for (const [courseId, attended] of readable.slice(0, 2)) {
      const query = new URLSearchParams({
        course: String(courseId),
        'from-day': '1',
        'from-month': '1',
        'from-year': '2025',
        'to-day': '12',
        'to-month': '1',
        'to-year': '2026',
      });
      const response = await coordinator.get(`/admin/reports/course?${query.toString()}`);
      expect(response.statusCode).toBe(200);
      const total = parsePage(response.body).document.querySelector('main table tbody tr')!;
      expect(total.querySelectorAll('td')[1]!.textContent?.trim()).toBe(String(attended));
      expect(total.textContent).not.toContain('Too few to read into');
    }
  });
});

eachDatabase('demo programme: its charges and invoices', (dialect) => {
  let t: TestApp;
  const db = () => t.database.db;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('charges the typical fees, to the typical organisations, with the hub’s address and how to pay', async () => {
    const settings = await t.services.settings.charges();
    expect(settings).toMatchObject({
      feeBasis: 'length',
      dayFeePence: 5000,
      halfDayFeePence: 2500,
      chargedOrganisationTypes: ['partner_agency', 'private', 'out_of_area'],
      nominalCode: '4120',
    });
    expect(settings.billingAddress).toContain('\n');
    expect(settings.paymentInstructions).toContain('invoice number');
    const organisations = await db()
      .selectFrom('organisations')
      .select(['name', 'billing_email', 'billing_address', 'invoice_frequency'])
      .execute();
    expect(organisations.length).toBeGreaterThan(5);
    for (const organisation of organisations) {
      expect(organisation.billing_email, organisation.name).toMatch(
        /^invoices@[a-z0-9-]+\.example\.org\.uk$/,
      );
      expect(organisation.billing_address, organisation.name).toContain(organisation.name);
    }
    expect(new Set(organisations.map((o) => o.invoice_frequency))).toEqual(
      new Set(['monthly', 'per_booking']),
    );
    const prices = await db()
      .selectFrom('course_prices')
      .innerJoin('courses', 'courses.id', 'course_prices.course_id')
      .select(['courses.slug', 'course_prices.organisation_type', 'course_prices.amount_pence'])
      .orderBy('course_prices.organisation_type')
      .execute();
    expect(prices).toEqual([
      { slug: 'mental-capacity-act-in-practice', organisation_type: 'out_of_area', amount_pence: 12000 },
      { slug: 'mental-capacity-act-in-practice', organisation_type: 'private', amount_pence: 9500 },
    ]);
    // Places already booked on it by a private provider's staff carry the price they were shown; others are free.
    const places = await db()
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
      .innerJoin('organisations', 'organisations.id', 'delegates.organisation_id')
      .where('bookings.price_pence', '>', 0)
      .select(['courses.slug', 'organisations.type', 'bookings.price_pence', 'sessions.starts_at'])
      .execute();
    expect(places.length).toBeGreaterThan(0);
    for (const place of places) {
      expect(place).toMatchObject({
        slug: 'mental-capacity-act-in-practice',
        type: 'private',
        price_pence: 9500,
      });
      expect(place.starts_at > TEST_NOW).toBe(true);
    }
  });

  it('has a charge in each state on places nobody came to, only for organisations the hub charges', async () => {
    const charges = await db()
      .selectFrom('charges')
      .innerJoin('organisations', 'organisations.id', 'charges.organisation_id')
      .select([
        'charges.id',
        'charges.state',
        'charges.kind',
        'charges.proposed_pence',
        'charges.amount_pence',
        'charges.delegate_reason',
        'charges.waiver_reason',
        'charges.invoice_id',
        'charges.booking_id',
        'organisations.type',
      ])
      .execute();
    expect(charges.length).toBeGreaterThanOrEqual(7);
    // Every part of every charged place was marked absent.
    const marks = await db()
      .selectFrom('attendance')
      .where(
        'booking_id',
        'in',
        charges.map((c) => c.booking_id),
      )
      .select('status')
      .execute();
    expect(new Set(marks.map((m) => m.status))).toEqual(new Set(['absent']));
    for (const charge of charges) {
      expect(charge.kind).toBe('non_attendance');
      expect(['partner_agency', 'private', 'out_of_area']).toContain(charge.type);
      expect([2500, 5000, 7500, 10000]).toContain(charge.proposed_pence);
    }
    const byState = (state: string) => charges.filter((c) => c.state === state);
    expect(
      byState('proposed')
        .map((c) => c.delegate_reason !== null)
        .sort(),
    ).toEqual([false, true]);
    expect(byState('proposed').every((c) => c.amount_pence === null && c.invoice_id === null)).toBe(true);
    expect(byState('waived')).toHaveLength(1);
    expect(byState('waived')[0]!.waiver_reason).toBe('Illness');
    expect(byState('waived')[0]!.invoice_id).toBeNull();
    const confirmed = byState('confirmed');
    expect(confirmed.every((c) => c.amount_pence === c.proposed_pence)).toBe(true);
    // All but one confirmed charge is invoiced: that one waits for the next invoice run.
    expect(confirmed.filter((c) => c.invoice_id === null)).toHaveLength(1);
  });

  it('has issued invoices numbered in order, one paid, each the sum of its lines and its charges', async () => {
    const invoices = await db()
      .selectFrom('invoices')
      .selectAll()
      .orderBy('issued_on')
      .orderBy('id')
      .execute();
    expect(invoices.length).toBeGreaterThanOrEqual(2);
    expect(invoices.filter((i) => i.state === 'paid')).toHaveLength(1);
    expect(invoices.filter((i) => i.state === 'issued').length).toBeGreaterThanOrEqual(1);
    const sequences = new Map<string, number>();
    for (const invoice of invoices) {
      expect(invoice.kind).toBe('invoice');
      expect(invoice.issued_on! <= londonDate(new Date(TEST_NOW))).toBe(true);
      const key = String(invoice.financial_year);
      sequences.set(key, (sequences.get(key) ?? 0) + 1);
      expect(invoice.sequence).toBe(sequences.get(key));
      expect(invoice.number).toBe(
        `INV-${invoice.financial_year}-${String(invoice.sequence).padStart(4, '0')}`,
      );
      expect(invoice.billing_email).toMatch(/^invoices@/);
      const lines = await db()
        .selectFrom('invoice_lines')
        .where('invoice_id', '=', invoice.id)
        .selectAll()
        .execute();
      expect(lines.length).toBeGreaterThan(0);
      expect(invoice.gross_pence).toBe(lines.reduce((sum, line) => sum + line.gross_pence, 0));
      expect(invoice.net_pence).toBe(invoice.gross_pence);
      for (const line of lines) {
        const charge = await db()
          .selectFrom('charges')
          .where('id', '=', line.charge_id!)
          .select(['amount_pence', 'invoice_id', 'state'])
          .executeTakeFirstOrThrow();
        expect(charge).toEqual({ amount_pence: line.net_pence, invoice_id: invoice.id, state: 'confirmed' });
        expect(line.description).toMatch(/ — Did not attend$/);
      }
    }
    const counters = await db().selectFrom('invoice_sequences').selectAll().execute();
    expect(Object.fromEntries(counters.map((c) => [String(c.financial_year), c.last_sequence]))).toEqual(
      Object.fromEntries(sequences),
    );
  });

  it('shows figures on the finance pages and in the export on the first start', async () => {
    const coordinator = await signedInStaff(t, 'coordinator');
    const finance = parsePage((await coordinator.get('/admin/finance')).body);
    expect(finance.listItems('main table tbody tr')[0]).toMatch(/^Invoiced £[1-9]/);
    expect(finance.listItems('#documents tbody tr').length).toBeGreaterThanOrEqual(2);
    const balances = parsePage((await coordinator.get('/admin/finance/balances')).body);
    expect(balances.listItems('main tbody tr').length).toBeGreaterThan(0);
    const csv = await coordinator.get('/admin/finance/export.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('"4120"');
  });
});

eachDatabase('demo programme loaded for a hub that asks line managers', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: false });
    await loadDemo(t.database.db, demoProgramme, new Date(TEST_NOW), { followUpLineManagers: true });
  });
  afterAll(() => t.close());

  it('keeps the policy as the hub’s, and delegates are told their manager is asked', async () => {
    expect((await t.services.settings.policy()).followUpLineManagers).toBe(true);
    const register = await t.app.inject('/register');
    expect(register.statusCode).toBe(200);
    const text = parsePage(register.body).text('main');
    expect(text).toContain('we email your line manager once');
    expect(text).not.toContain('We do not send your line manager any emails');
  });

  it('asked line managers too: most answered, a few said the delegate no longer works with them', async () => {
    const requests = await t.database.db
      .selectFrom('follow_up_requests')
      .select(['id', 'booking_id', 'respondent', 'outcome', 'sent_at', 'answered_at', 'example'])
      .orderBy('booking_id')
      .execute();
    const delegates = requests.filter((r) => r.respondent === 'delegate');
    const managers = requests.filter((r) => r.respondent === 'line_manager');
    // Every demo delegate gave a line manager: each delegate asked has a manager asked about the same place.
    expect(managers.map((r) => r.booking_id)).toEqual(delegates.map((r) => r.booking_id));
    const answered = managers.filter((r) => r.outcome === 'answered');
    const left = managers.filter((r) => r.outcome === 'no_longer_works_with');
    expect(answered.length).toBeGreaterThanOrEqual(TOO_FEW_TO_READ_INTO);
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(answered.length / 2);
    expect(managers.some((r) => r.outcome === null)).toBe(true);
    expect(left.every((r) => r.answered_at !== null && r.example === '')).toBe(true);
    expect(answered.some((r) => r.example.length > 20)).toBe(true);

    const answers = await t.database.db
      .selectFrom('follow_up_answers')
      .select('request_id')
      .distinct()
      .execute();
    const withAnswers = new Set(answers.map((a) => a.request_id));
    expect(left.some((r) => withAnswers.has(r.id))).toBe(false);
    expect(answered.filter((r) => withAnswers.has(r.id)).length).toBeGreaterThan(answered.length / 2);
    expect(await t.services.followUp.run()).toEqual({ sent: 0, reminded: 0 });
  });
});
