/**
 * The bookings export: choosing dates, the CSV a coordinator opens in a
 * spreadsheet (every booking on sessions in the range, formulas
 * neutralised), bad dates refused by the field, and each download audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { londonDate } from '../../src/domain/time/time.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import type { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';
import { parseCsv } from '../support/csv.js';

const HEADER = [
  'Booking reference',
  'Course',
  'Session date',
  'Session start',
  'Session cancelled',
  'Venue',
  'Delegate name',
  'Email',
  'Organisation',
  'Organisation type',
  'Job role',
  'Booking status',
  'Booked on',
  'Cancelled on',
  'Cancelled by',
  'Cancellation reason',
  'Attended',
];
const col = (name: string) => HEADER.indexOf(name);

eachDatabase('bookings export', (dialect) => {
  let t: TestApp;
  let coordinator: WebClient;
  const db = () => t.database.db;

  async function download(client: WebClient, query: string) {
    const response = await client.get(`/admin/exports/bookings.csv?${query}`);
    expect(response.statusCode, response.body.slice(0, 500)).toBe(200);
    const body = response.rawPayload.toString('utf8');
    expect(body.startsWith('\ufeff')).toBe(true);
    const [header, ...rows] = parseCsv(body.slice(1));
    expect(header).toEqual(HEADER);
    return { response, body, rows };
  }

  /** Bookings on sessions starting on London dates from..to, as the database has them. */
  async function bookingsBetween(from: string, to: string, states?: string[]) {
    const rows = await db()
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .select(['bookings.reference', 'bookings.state', 'sessions.starts_at'])
      .execute();
    return rows.filter((row) => {
      const date = londonDate(new Date(row.starts_at));
      return date >= from && date <= to && (!states || states.includes(row.state));
    });
  }

  async function auditCount() {
    return (await db().selectFrom('audit_log').select('id').execute()).length;
  }

  beforeAll(async () => {
    t = await createTestApp(dialect);
    coordinator = await signedInStaff(t, 'coordinator');
  });
  afterAll(() => t.close());

  it('offers a choice of dates and bookings, with a download button', async () => {
    const response = await coordinator.get('/admin/exports');
    expect(response.statusCode).toBe(200);
    const page = parsePage(response.body);
    expect(page.h1()).toBe('Exports');
    const form = page.document.querySelector('main form')!;
    expect(form.getAttribute('method')).toBe('get');
    expect(form.getAttribute('action')).toBe('/admin/exports/bookings.csv');
    // GOV.UK date inputs: day, month and year, each labelled.
    const boxes = (id: string) =>
      ['day', 'month', 'year'].map((box) =>
        page.document.querySelector(`#${id}-${box}`)!.getAttribute('value'),
      );
    expect(boxes('from')).toEqual(['1', '1', '2026']);
    expect(boxes('to')).toEqual(['11', '2', '2026']);
    expect(page.listItems('main fieldset legend').slice(0, 2)).toEqual(['First date', 'Last date']);
    expect(
      page.listItems('main label[for="from-day"], main label[for="from-month"], main label[for="from-year"]'),
    ).toEqual(['Day', 'Month', 'Year']);
    expect(page.document.querySelector('input[name="which"][value="all"]')!.hasAttribute('checked')).toBe(
      true,
    );
    expect(page.listItems('main .govuk-radios__label')).toEqual([
      'All bookings',
      'Confirmed places only',
      'The waiting list only (including places offered)',
      'Cancelled bookings only',
    ]);
    expect(page.text('main button')).toBe('Download (CSV)');
    // Opened bare, the download's address shows the same choice.
    const bare = await coordinator.get('/admin/exports/bookings.csv');
    expect(bare.statusCode).toBe(200);
    expect(parsePage(bare.body).h1()).toBe('Exports');
  });

  it('downloads every booking on sessions starting between the dates, by date, in words a coordinator reads', async () => {
    const before = await auditCount();
    const { response, rows } = await download(coordinator, 'from=2026-01-01&to=2027-12-31');
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(
      'attachment; filename="bookings-2026-01-01-to-2027-12-31.csv"',
    );
    expect(response.headers['cache-control']).toBe('no-store');

    const expected = await bookingsBetween('2026-01-01', '2027-12-31');
    expect(rows).toHaveLength(expected.length);
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(expected.map((e) => e.reference)));
    // In date order: the sessions' dates never go backwards.
    const dates = rows.map((r) => `${r[col('Session date')]}`);
    expect([...dates].sort()).toEqual(dates);
    expect(rows.every((r) => /^\d{4}-\d{2}-\d{2}$/.test(r[col('Session date')]!))).toBe(true);
    expect(rows.every((r) => /^\d{2}:\d{2}$/.test(r[col('Session start')]!))).toBe(true);
    expect(rows.every((r) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(r[col('Booked on')]!))).toBe(true);
    const statuses = new Set(rows.map((r) => r[col('Booking status')]));
    expect(statuses.has('Confirmed')).toBe(true);
    expect(statuses.has('On the waiting list')).toBe(true);
    expect(rows.some((r) => r[col('Venue')] === 'Online')).toBe(true);
    expect(rows.some((r) => r[col('Organisation type')] === 'Partner agency')).toBe(true);
    // Upcoming sessions: nothing to say about attendance yet.
    expect(rows.every((r) => r[col('Attended')] === '')).toBe(true);

    const audit = await db()
      .selectFrom('audit_log')
      .where('action', '=', 'export_downloaded')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(await auditCount()).toBe(before + 1);
    expect(audit).toMatchObject({ actor_type: 'staff', entity_type: 'export' });
    expect(JSON.parse(audit.details)).toEqual({
      export: 'bookings',
      from: '2026-01-01',
      to: '2027-12-31',
      which: 'all',
      bookings: expected.length,
    });
  });

  it('includes both end dates, as London dates', async () => {
    const session = await db()
      .selectFrom('sessions')
      .where('starts_at', '>', TEST_NOW)
      .where((eb) =>
        eb.exists(eb.selectFrom('bookings').whereRef('bookings.session_id', '=', 'sessions.id').select('id')),
      )
      .select(['id', 'starts_at'])
      .orderBy('starts_at')
      .executeTakeFirstOrThrow();
    const day = londonDate(new Date(session.starts_at));
    const expected = await bookingsBetween(day, day);
    expect(expected.length).toBeGreaterThan(0);
    const { rows } = await download(coordinator, `from=${day}&to=${day}`);
    expect(rows).toHaveLength(expected.length);
    // British dates are read too.
    const [y, m, d] = day.split('-');
    const british = await download(coordinator, `from=${Number(d)}/${Number(m)}/${y}&to=${d}/${m}/${y}`);
    expect(british.rows).toHaveLength(expected.length);
  });

  it('exports only the bookings chosen', async () => {
    const [one] = await db()
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .where('sessions.starts_at', '>', TEST_NOW)
      .where('state', '=', 'confirmed')
      .select(['bookings.id'])
      .orderBy('bookings.id')
      .limit(1)
      .execute();
    await db()
      .updateTable('bookings')
      .set({
        state: 'cancelled',
        cancelled_at: '2026-01-10T14:05:00.000Z',
        cancelled_by: 'hub',
        cancellation_reason: 'Moved to a later date at her manager’s request',
      })
      .where('id', '=', one!.id)
      .execute();

    const cancelled = await download(coordinator, 'from=2026-01-01&to=2027-12-31&which=cancelled');
    expect(cancelled.rows.length).toBeGreaterThan(0);
    expect(cancelled.rows.length).toBe(
      (await bookingsBetween('2026-01-01', '2027-12-31', ['cancelled'])).length,
    );
    expect(cancelled.rows.every((r) => r[col('Booking status')] === 'Cancelled')).toBe(true);
    const row = cancelled.rows.find((r) => r[col('Cancellation reason')]!.startsWith('Moved'))!;
    expect(row[col('Cancelled on')]).toBe('2026-01-10 14:05');
    expect(row[col('Cancelled by')]).toBe('The hub');
    expect(cancelled.response.headers['content-disposition']).toContain(
      'bookings-2026-01-01-to-2027-12-31-cancelled.csv',
    );

    const waiting = await download(coordinator, 'from=2026-01-01&to=2027-12-31&which=waiting');
    expect(waiting.rows.length).toBe(
      (await bookingsBetween('2026-01-01', '2027-12-31', ['waitlisted', 'offered'])).length,
    );
    expect(new Set(waiting.rows.map((r) => r[col('Booking status')]))).toEqual(
      new Set(['On the waiting list']),
    );

    const confirmed = await download(coordinator, 'from=2026-01-01&to=2027-12-31&which=confirmed');
    expect(confirmed.rows.length).toBe(
      (await bookingsBetween('2026-01-01', '2027-12-31', ['confirmed'])).length,
    );
  });

  it('shows attendance for sessions that have happened, in the register’s words', async () => {
    const past = await db()
      .selectFrom('sessions')
      .where('starts_at', '<', TEST_NOW)
      .select(['id', 'starts_at'])
      .orderBy('starts_at')
      .executeTakeFirstOrThrow();
    const part = await db()
      .selectFrom('session_parts')
      .where('session_id', '=', past.id)
      .select('id')
      .executeTakeFirstOrThrow();
    const bookings = await db()
      .selectFrom('bookings')
      .where('session_id', '=', past.id)
      .where('state', '=', 'confirmed')
      .select(['id', 'reference'])
      .orderBy('id')
      .limit(3)
      .execute();
    const statuses = ['attended', 'partial', 'absent'] as const;
    await db()
      .insertInto('attendance')
      .values(
        bookings.map((b, i) => ({
          booking_id: b.id,
          session_part_id: part.id,
          status: statuses[i]!,
          note: '',
          marked_by_staff_id: null,
          marked_at: TEST_NOW,
        })),
      )
      .execute();
    const day = londonDate(new Date(past.starts_at));
    const { rows } = await download(coordinator, `from=${day}&to=${day}&which=confirmed`);
    const attended = new Map(rows.map((r) => [r[0], r[col('Attended')]]));
    expect(bookings.map((b) => attended.get(b.reference))).toEqual([
      'Attended',
      'Partly attended',
      'Did not attend',
    ]);
    expect([...attended.values()].filter((v) => v === 'Not marked')).toHaveLength(rows.length - 3);
  });

  it('neutralises cells a spreadsheet would run as formulas', async () => {
    const session = await db()
      .selectFrom('sessions')
      .where('starts_at', '>', TEST_NOW)
      .select(['id', 'starts_at'])
      .orderBy('starts_at', 'desc')
      .executeTakeFirstOrThrow();
    const organisation = await db()
      .insertInto('organisations')
      .values({ name: '+SUM(1)', type: 'voluntary', confirmed_at: null, created_at: TEST_NOW })
      .returning('id')
      .executeTakeFirstOrThrow();
    const nasty = [
      { name: '=HYPERLINK("http://evil.example","x")', job: '-1', reason: '@cmd' },
      { name: '\tTabbed Name', job: '\rCarriage return', reason: '  =1+1' },
    ];
    const references: string[] = [];
    for (const [i, who] of nasty.entries()) {
      const delegate = await db()
        .insertInto('delegates')
        .values({
          name: who.name,
          email: `nasty.${i}@example.org.uk`,
          organisation_id: organisation.id,
          job_role: who.job,
          line_manager_name: '',
          line_manager_email: '',
          created_at: TEST_NOW,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const reference = `NASTY${i}`;
      references.push(reference);
      await db()
        .insertInto('bookings')
        .values({
          reference,
          session_id: session.id,
          delegate_id: delegate.id,
          state: 'cancelled',
          cancelled_at: TEST_NOW,
          cancelled_by: 'delegate',
          cancellation_reason: who.reason,
          created_at: TEST_NOW,
          updated_at: TEST_NOW,
        })
        .execute();
    }
    const day = londonDate(new Date(session.starts_at));
    const { body, rows } = await download(coordinator, `from=${day}&to=${day}&which=cancelled`);
    const byReference = new Map(rows.map((r) => [r[0], r]));
    const first = byReference.get('NASTY0')!;
    expect(first[col('Delegate name')]).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(first[col('Organisation')]).toBe("'+SUM(1)");
    expect(first[col('Job role')]).toBe("'-1");
    expect(first[col('Cancellation reason')]).toBe("'@cmd");
    const second = byReference.get('NASTY1')!;
    expect(second[col('Delegate name')]).toBe("'\tTabbed Name");
    expect(second[col('Job role')]).toBe("'\rCarriage return");
    expect(second[col('Cancellation reason')]).toBe("'  =1+1");
    // In the raw text, each dangerous cell starts with the quote inside its quotes.
    expect(body).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(body).toContain(`"'\rCarriage return"`);
    for (const row of rows) {
      for (const cell of row) expect(cell).not.toMatch(/^(?:[=+\-@\t\r]|\s*[=+\-@])/);
    }
  });

  it('reads a session with more bookings than one batch in full, once each', async () => {
    const session = await db()
      .selectFrom('sessions')
      .where('starts_at', '>', TEST_NOW)
      .select(['id', 'starts_at'])
      .orderBy('starts_at')
      .limit(1)
      .offset(3)
      .executeTakeFirstOrThrow();
    const count = 2_150;
    const delegates = await db()
      .insertInto('delegates')
      .values(
        Array.from({ length: count }, (_, i) => ({
          name: `Waiting Delegate ${i}`,
          email: `waiting.${i}@example.org.uk`,
          organisation_id: null,
          job_role: 'Support worker',
          line_manager_name: '',
          line_manager_email: '',
          created_at: TEST_NOW,
        })),
      )
      .returning('id')
      .execute();
    await db()
      .insertInto('bookings')
      .values(
        delegates.map((d, i) => ({
          reference: `BIG${String(i).padStart(5, '0')}`,
          session_id: session.id,
          delegate_id: d.id,
          state: 'waitlisted' as const,
          created_at: TEST_NOW,
          updated_at: TEST_NOW,
        })),
      )
      .execute();
    const day = londonDate(new Date(session.starts_at));
    const expected = await bookingsBetween(day, day);
    const { rows } = await download(coordinator, `from=${day}&to=${day}`);
    expect(rows).toHaveLength(expected.length);
    expect(new Set(rows.map((r) => r[0])).size).toBe(expected.length);
    expect(rows.filter((r) => r[0]!.startsWith('BIG'))).toHaveLength(count);

    // …and among many sessions (batches of several sessions, and this one alone).
    const wide = await download(coordinator, 'from=2026-01-01&to=2027-12-31');
    expect(wide.rows).toHaveLength((await bookingsBetween('2026-01-01', '2027-12-31')).length);
    expect(new Set(wide.rows.map((r) => r[0])).size).toBe(wide.rows.length);
  });

  it('stops reading when the download is abandoned part-way, leaving the database free', async () => {
    const staff = { id: 1, role: 'coordinator' as const, trainerId: null };
    const exported = await t.services.attendance.bookingsExport(
      { from: '2026-01-01', to: '2027-12-31', which: 'all' },
      staff,
    );
    expect(exported.count).toBeGreaterThan(5);
    let read = 0;
    for await (const row of exported.rows) {
      expect(row.reference).toBeTruthy();
      read += 1;
      if (read === 5) break;
    }
    expect(read).toBe(5);
    // The next export runs as usual.
    const again = await download(coordinator, 'from=2026-01-01&to=2026-01-31');
    expect(again.rows.length).toBeGreaterThan(0);
  });

  describe('bad dates', () => {
    /** The form's query: each date in its day, month and year boxes. */
    const boxes = (from: [string, string, string], to: [string, string, string], extra = '') =>
      new URLSearchParams({
        'from-day': from[0],
        'from-month': from[1],
        'from-year': from[2],
        'to-day': to[0],
        'to-month': to[1],
        'to-year': to[2],
      }).toString() + extra;
    const cases: [string, string, Record<string, [string, string]>][] = [
      [
        'nothing entered',
        boxes(['', '', ''], ['', '', '']),
        { from: ['Enter the first date', 'day'], to: ['Enter the last date', 'day'] },
      ],
      [
        'words, and a date without its day',
        boxes(['next', 'week', '2026'], ['', '3', '2026']),
        {
          from: ['The first date must be a real date', 'day'],
          to: ['The last date must include a day', 'day'],
        },
      ],
      [
        'a date that does not exist',
        boxes(['30', '2', '2026'], ['31', '3', '2026']),
        { from: ['The first date must be a real date', 'day'] },
      ],
      [
        'a month that does not exist, and a year of two numbers',
        boxes(['1', '13', '2026'], ['31', '3', '26']),
        {
          from: ['The first date must be a real date', 'month'],
          to: ['The last date must include a year with 4 numbers, like 2026', 'year'],
        },
      ],
      [
        'the last before the first',
        boxes(['31', '3', '2026'], ['1', '3', '2026']),
        { to: ['The last date must be the same as or after the first date', 'day'] },
      ],
      [
        'more than two years apart',
        boxes(['1', '1', '2026'], ['2', '1', '2028']),
        { to: ['Choose dates at most 2 years apart: export a longer period in parts', 'day'] },
      ],
      [
        'an unknown choice',
        boxes(['1', '1', '2026'], ['31', '1', '2026'], '&which=everything'),
        { which: ['Choose which bookings to export', ''] },
      ],
    ];
    for (const [what, query, messages] of cases) {
      it(`refuses ${what} with one message by the date, keeping what was typed`, async () => {
        const before = await auditCount();
        const response = await coordinator.get(`/admin/exports/bookings.csv?${query}`);
        expect(response.statusCode).toBe(400);
        expect(response.headers['content-type']).toMatch(/^text\/html/);
        const page = parsePage(response.body);
        expect(page.h1()).toBe('Exports');
        expect(page.listItems('.govuk-error-summary li')).toEqual(Object.values(messages).map(([m]) => m));
        for (const [field, [message, box]] of Object.entries(messages)) {
          expect(page.text(`#${field}-error`)).toContain(message);
          // The summary goes to the box to correct.
          const href = box ? `#${field}-${box}` : '#which';
          expect(page.links('.govuk-error-summary a').map((l) => l.href)).toContain(href);
          expect(page.document.querySelector(href)).not.toBeNull();
        }
        const typed = new URLSearchParams(query);
        for (const name of ['from-day', 'from-month', 'from-year', 'to-day', 'to-month', 'to-year']) {
          expect(page.document.querySelector(`#${name}`)!.getAttribute('value') ?? '', name).toBe(
            typed.get(name),
          );
        }
        expect(await auditCount()).toBe(before);
      });
    }

    it('highlights only the boxes a message is about', async () => {
      const response = await coordinator.get(
        `/admin/exports/bookings.csv?${boxes(['1', '', '2026'], ['32', '1', '2026'])}`,
      );
      const page = parsePage(response.body);
      const marked = (id: string) =>
        [...page.document.querySelectorAll(`#${id} .govuk-input--error`)].map((input) => input.id);
      expect(marked('from')).toEqual(['from-month']);
      expect(marked('to')).toEqual(['to-day']);
    });

    it('still reads an address giving each date in one (from=2026-03-01), as bookmarks may', async () => {
      const bad = parsePage(
        (await coordinator.get('/admin/exports/bookings.csv?from=2026-02-30&to=2026-03-31')).body,
      );
      expect(bad.listItems('.govuk-error-summary li')).toEqual(['The first date must be a real date']);
      expect(
        ['day', 'month', 'year'].map((b) => bad.document.querySelector(`#from-${b}`)!.getAttribute('value')),
      ).toEqual(['30', '2', '2026']);
    });

    it('allows exactly two years', async () => {
      const response = await coordinator.get('/admin/exports/bookings.csv?from=2026-01-01&to=2027-12-31');
      expect(response.statusCode).toBe(200);
      const leap = await coordinator.get('/admin/exports/bookings.csv?from=2027-03-01&to=2029-02-28');
      expect(leap.statusCode).toBe(200);
    });
  });

  it('is for the people who report on the programme, not trainers', async () => {
    const lisa = await signedInStaff(t, 'trainer', 'lisa-cherry');
    expect((await lisa.get('/admin/exports')).statusCode).toBe(404);
    expect((await lisa.get('/admin/exports/bookings.csv?from=2026-01-01&to=2026-12-31')).statusCode).toBe(
      404,
    );
    const viewer = await signedInStaff(t, 'viewer');
    await download(viewer, 'from=2026-01-01&to=2026-12-31');
  });
});
