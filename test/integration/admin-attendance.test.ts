/**
 * A session's register and attendance, as staff use them: the printable
 * sign-in sheet, marking attendance in the room (and correcting it later,
 * audited), the register's CSV, and who may do each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { StaffRole } from '../../src/domain/accounts/staff.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import type { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';
import { parseCsv } from '../support/csv.js';

const LISA = 'lisa-cherry';

eachDatabase('register and attendance', (dialect) => {
  let t: TestApp;
  let clock: SettableClock;
  /** The demo's 2024 session of Lisa Cherry's course: over, 40 confirmed. */
  let past: { id: number; partId: number };
  /** An upcoming session Lisa teaches. */
  let upcoming: { id: number; startsAt: string };
  /** A session of two parts that someone else teaches. */
  let twoParts: { id: number; partIds: number[]; startsAts: string[] };
  const clients = new Map<string, WebClient>();

  async function as(role: StaffRole, trainer?: string): Promise<WebClient> {
    const key = `${role}:${trainer ?? ''}`;
    let client = clients.get(key);
    if (!client) {
      client = await signedInStaff(t, role, trainer);
      clients.set(key, client);
    }
    return client;
  }

  const db = () => t.database.db;

  async function sessionsTaughtBy(slug: string) {
    return db()
      .selectFrom('sessions')
      .innerJoin('session_trainers', 'session_trainers.session_id', 'sessions.id')
      .innerJoin('trainers', 'trainers.id', 'session_trainers.trainer_id')
      .where('trainers.slug', '=', slug)
      .select(['sessions.id', 'sessions.starts_at'])
      .orderBy('sessions.starts_at')
      .execute();
  }

  async function partsOf(sessionId: number) {
    return db()
      .selectFrom('session_parts')
      .where('session_id', '=', sessionId)
      .select(['id', 'starts_at'])
      .orderBy('position')
      .execute();
  }

  async function onRegister(sessionId: number) {
    return db()
      .selectFrom('bookings')
      .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
      .where('session_id', '=', sessionId)
      .where('state', '=', 'confirmed')
      .select(['bookings.id', 'bookings.reference', 'delegates.id as delegateId', 'delegates.name'])
      .orderBy('bookings.id')
      .execute();
  }

  async function auditOf(action: string) {
    return db().selectFrom('audit_log').where('action', '=', action).selectAll().orderBy('id').execute();
  }

  async function attendanceRows(sessionId: number) {
    return db()
      .selectFrom('attendance')
      .innerJoin('session_parts', 'session_parts.id', 'attendance.session_part_id')
      .where('session_parts.session_id', '=', sessionId)
      .select([
        'attendance.booking_id',
        'attendance.session_part_id',
        'attendance.status',
        'attendance.note',
        'attendance.marked_by_staff_id',
        'attendance.marked_at',
      ])
      .orderBy('attendance.booking_id')
      .execute();
  }

  beforeAll(async () => {
    clock = settableClock(TEST_NOW);
    t = await createTestApp(dialect, { clock });
    const lisas = await sessionsTaughtBy(LISA);
    const first = lisas[0]!;
    expect(first.starts_at < '2025-01-01').toBe(true);
    past = { id: first.id, partId: (await partsOf(first.id))[0]!.id };
    const next = lisas.find((s) => s.starts_at > TEST_NOW)!;
    upcoming = { id: next.id, startsAt: next.starts_at };

    const multi = await db()
      .selectFrom('sessions')
      .where('starts_at', '>', TEST_NOW)
      .where((eb) =>
        eb(
          eb
            .selectFrom('session_parts')
            .whereRef('session_parts.session_id', '=', 'sessions.id')
            .select(eb.fn.countAll<number>().as('n')),
          '=',
          2,
        ),
      )
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('bookings')
            .whereRef('bookings.session_id', '=', 'sessions.id')
            .where('state', '=', 'confirmed')
            .select('id'),
        ),
      )
      .select('id')
      .orderBy('starts_at')
      .executeTakeFirstOrThrow();
    const parts = await partsOf(multi.id);
    twoParts = { id: multi.id, partIds: parts.map((p) => p.id), startsAts: parts.map((p) => p.starts_at) };
  });
  afterAll(() => t.close());

  describe('the register (sign-in sheet)', () => {
    it('lists confirmed delegates by surname with a signature cell, and the session’s facts', async () => {
      const coordinator = await as('coordinator');
      const response = await coordinator.get(`/admin/sessions/${past.id}/register`);
      expect(response.statusCode).toBe(200);
      const page = parsePage(response.body);
      expect(page.h1()).toBe('Register: Trauma Informed Co-Production');
      const text = page.text();
      expect(text).toContain('Monday 25 November 2024, 9:30am to 3:30pm');
      expect(text).toContain('Westgate');
      expect(text).toContain('Lisa Cherry');
      expect(text).toContain(parsePage((await coordinator.get('/admin')).body).text('.trellis-header__name'));

      const registered = await onRegister(past.id);
      const rows = [...page.document.querySelectorAll('main table tbody tr')];
      expect(rows).toHaveLength(registered.length);
      expect(page.text('main table caption')).toBe(`${registered.length} delegates booked`);
      const names = rows.map((row) => row.querySelectorAll('td')[1]!.textContent!.trim());
      const surname = (name: string) => name.trim().split(/\s+/).pop()!.toLowerCase();
      const sorted = [...names].sort(
        (a, b) => surname(a).localeCompare(surname(b), 'en-GB') || a.localeCompare(b, 'en-GB'),
      );
      expect(names.map(surname)).toEqual(sorted.map(surname));
      expect(new Set(names)).toEqual(new Set(registered.map((r) => r.name)));
      // One empty signature cell per part.
      for (const row of rows) {
        const signature = row.querySelectorAll('td.trellis-register__signature');
        expect(signature).toHaveLength(1);
        expect(signature[0]!.textContent!.trim()).toBe('');
      }

      const links = page.links();
      expect(links).toContainEqual({
        text: 'Mark attendance',
        href: `/admin/sessions/${past.id}/attendance`,
      });
      expect(links).toContainEqual({
        text: 'Download the register (CSV)',
        href: `/admin/sessions/${past.id}/register.csv`,
      });
      // Printing without JavaScript: the words, which app.js turns into a button.
      expect(page.text('[data-trellis-print]')).toContain('Print command');
      expect(response.body).not.toMatch(/<script(?![^>]*src="\/assets\/app\.[0-9a-f]+\.js")/);
    });

    it('leaves out waiting, offered and cancelled bookings', async () => {
      const coordinator = await as('coordinator');
      const [cancelled] = await onRegister(upcoming.id);
      await db()
        .updateTable('bookings')
        .set({ state: 'cancelled', cancelled_at: TEST_NOW, cancelled_by: 'delegate' })
        .where('id', '=', cancelled!.id)
        .execute();
      const page = parsePage((await coordinator.get(`/admin/sessions/${upcoming.id}/register`)).body);
      const names = page.listItems('main table tbody tr td:nth-child(2)');
      expect(names).toHaveLength((await onRegister(upcoming.id)).length);
      expect(
        (
          await db()
            .selectFrom('bookings')
            .where('session_id', '=', upcoming.id)
            .where('state', '=', 'confirmed')
            .select('id')
            .execute()
        ).length,
      ).toBe(names.length);
    });

    it('says how many told us of access needs, to those who may know, and never prints the needs', async () => {
      const registered = await onRegister(upcoming.id);
      await db()
        .updateTable('bookings')
        .set({ access_needs: 'Uses a wheelchair; needs step-free access', needs_consent_at: TEST_NOW })
        .where(
          'id',
          'in',
          registered.slice(0, 3).map((r) => r.id),
        )
        .execute();
      // Blank needs are no needs.
      await db()
        .updateTable('bookings')
        .set({ access_needs: '  ' })
        .where('id', '=', registered[3]!.id)
        .execute();

      for (const role of ['admin', 'coordinator'] as const) {
        const page = parsePage((await (await as(role)).get(`/admin/sessions/${upcoming.id}/register`)).body);
        expect(page.text()).toContain('3 delegates have told us about access needs: see the bookings page.');
        expect(page.links()).toContainEqual({
          text: 'see the bookings page',
          href: `/admin/sessions/${upcoming.id}/bookings`,
        });
        expect(page.text()).not.toContain('wheelchair');
      }
      const lisa = parsePage(
        (await (await as('trainer', LISA)).get(`/admin/sessions/${upcoming.id}/register`)).body,
      );
      expect(lisa.text()).toContain('3 delegates have told us about access needs');
      const viewer = parsePage(
        (await (await as('viewer')).get(`/admin/sessions/${upcoming.id}/register`)).body,
      );
      expect(viewer.text()).not.toContain('access needs');
      expect(viewer.text()).not.toContain('wheelchair');
      expect(viewer.links()).toContainEqual({
        text: 'See attendance',
        href: `/admin/sessions/${upcoming.id}/attendance`,
      });
    });

    it('gives a multi-part session a signature column for each part', async () => {
      const page = parsePage(
        (await (await as('coordinator')).get(`/admin/sessions/${twoParts.id}/register`)).body,
      );
      const headers = page.listItems('main table thead th');
      expect(headers.filter((h) => h.startsWith('Signature'))).toEqual([
        expect.stringMatching(/^Signature, part 1/),
        expect.stringMatching(/^Signature, part 2/),
      ]);
      expect(page.text()).toMatch(/Part 1: .*Part 2: /);
      expect(
        page.document.querySelectorAll('main tbody tr:first-child td.trellis-register__signature'),
      ).toHaveLength(2);
    });

    it('shows a trainer their own sessions only, and nobody a session that does not exist', async () => {
      const lisa = await as('trainer', LISA);
      expect((await lisa.get(`/admin/sessions/${past.id}/register`)).statusCode).toBe(200);
      for (const path of ['register', 'register.csv', 'attendance']) {
        expect((await lisa.get(`/admin/sessions/${twoParts.id}/${path}`)).statusCode, path).toBe(404);
      }
      const coordinator = await as('coordinator');
      for (const id of ['999999', 'abc', '0', '1e3', '99999999999999999999']) {
        expect((await coordinator.get(`/admin/sessions/${id}/register`)).statusCode, id).toBe(404);
      }
    });
  });

  describe('marking attendance', () => {
    it('is not open before the session starts: a message and no form, and a save is refused', async () => {
      const lisa = await as('trainer', LISA);
      const response = await lisa.get(`/admin/sessions/${upcoming.id}/attendance`);
      expect(response.statusCode).toBe(200);
      const page = parsePage(response.body);
      expect(page.text()).toMatch(
        /You can mark attendance from 9:30am on \w+ \d+ \w+ 2026, when the session starts\./,
      );
      expect(
        page.document.querySelector(`form[action="/admin/sessions/${upcoming.id}/attendance"]`),
      ).toBeNull();

      const [booking] = await onRegister(upcoming.id);
      const [part] = await partsOf(upcoming.id);
      const csrf = page.document.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
      const refused = await lisa.post(`/admin/sessions/${upcoming.id}/attendance`, {
        _csrf: csrf,
        [`status-${booking!.id}-${part!.id}`]: 'attended',
      });
      expect(refused.statusCode).toBe(409);
      expect(await attendanceRows(upcoming.id)).toEqual([]);
    });

    it('lets the trainer mark delegates, leaves the rest unmarked, audits each booking and shows who marked', async () => {
      const lisa = await as('trainer', LISA);
      const url = `/admin/sessions/${past.id}/attendance`;
      const form = parsePage((await lisa.get(url)).body);
      const registered = await onRegister(past.id);
      expect(form.document.querySelectorAll('main form fieldset')).toHaveLength(registered.length);
      expect(form.document.querySelectorAll('main form input[type="radio"]')).toHaveLength(
        registered.length * 3,
      );
      expect(form.document.querySelectorAll('main form input[type="radio"]:checked')).toHaveLength(0);
      const labels = [
        ...form.document.querySelector('main form fieldset')!.querySelectorAll('.govuk-radios__label'),
      ].map((label) => label.textContent!.trim());
      expect(labels).toEqual(['Attended', 'Partly attended', 'Did not attend']);

      const [a, b, c] = registered;
      const field = (booking: { id: number }, kind = 'status') => `${kind}-${booking.id}-${past.partId}`;
      const saved = await lisa.submit(
        url,
        {
          [field(a!)]: 'attended',
          [field(b!)]: 'partial',
          [field(b!, 'note')]: '  Left at lunch,   unwell ',
          [field(c!)]: 'absent',
        },
        url,
      );
      expect(saved.statusCode).toBe(303);
      expect(saved.headers.location).toBe(`${url}?saved=1`);

      const rows = await attendanceRows(past.id);
      expect(rows.map((r) => [r.booking_id, r.status, r.note])).toEqual([
        [a!.id, 'attended', ''],
        [b!.id, 'partial', 'Left at lunch, unwell'],
        [c!.id, 'absent', ''],
      ]);
      expect(rows.every((r) => r.marked_at === TEST_NOW && r.marked_by_staff_id !== null)).toBe(true);

      const marked = await auditOf('attendance_marked');
      expect(marked.map((e) => e.entity_id).sort()).toEqual([a!.id, b!.id, c!.id].sort());
      const entryForB = marked.find((e) => e.entity_id === b!.id)!;
      expect(entryForB).toMatchObject({ actor_type: 'staff', entity_type: 'booking' });
      expect(JSON.parse(entryForB.details)).toEqual({
        sessionId: past.id,
        parts: [{ partId: past.partId, part: 1, status: 'partial', withNote: true }],
      });
      // The note's words stay on the page, not in the log.
      expect(entryForB.details).not.toContain('unwell');

      const after = parsePage((await lisa.get(saved.headers.location as string)).body);
      expect(after.text('.govuk-notification-banner')).toContain('Attendance saved');
      const checked = [...after.document.querySelectorAll('main form input[type="radio"]:checked')].map(
        (i) => [i.getAttribute('name'), i.getAttribute('value')],
      );
      expect(checked).toEqual(
        expect.arrayContaining([
          [field(a!), 'attended'],
          [field(b!), 'partial'],
          [field(c!), 'absent'],
        ]),
      );
      expect(checked).toHaveLength(3);
      expect(after.document.querySelector(`#${field(b!, 'note')}`)!.getAttribute('value')).toBe(
        'Left at lunch, unwell',
      );
      expect(after.text()).toContain('Marked by Test trainer at 9am on Monday 12 January 2026');
      expect(after.listItems('main table.trellis-attendance-tally tbody tr')).toEqual([
        'Attended 1',
        'Partly attended 1',
        'Did not attend 1',
        `Not marked ${registered.length - 3}`,
      ]);
    });

    it('saves nothing and audits nothing when nothing changed', async () => {
      const lisa = await as('trainer', LISA);
      const url = `/admin/sessions/${past.id}/attendance`;
      const before = (await db().selectFrom('audit_log').select('id').execute()).length;
      // The form comes back with the saved marks checked: submitting it as it is changes nothing.
      const page = parsePage((await lisa.get(url)).body);
      const fields: Record<string, string> = {};
      for (const input of page.document.querySelectorAll('main form input[type="radio"]:checked')) {
        fields[input.getAttribute('name')!] = input.getAttribute('value')!;
      }
      for (const input of page.document.querySelectorAll('main form input[type="text"]')) {
        fields[input.getAttribute('name')!] = input.getAttribute('value') ?? '';
      }
      const response = await lisa.submit(url, fields, url);
      expect(response.headers.location).toBe(`${url}?saved=0`);
      expect((await db().selectFrom('audit_log').select('id').execute()).length).toBe(before);
      const shown = parsePage((await lisa.get(`${url}?saved=0`)).body);
      expect(shown.text('.govuk-notification-banner')).toContain('Nothing had changed');
    });

    it('records a later change as a correction, with before and after, by whoever made it', async () => {
      // Later the same morning (within the staff member's signed-in session).
      clock.set('2026-01-12T09:20:00.000Z');
      try {
        const coordinator = await as('coordinator');
        const url = `/admin/sessions/${past.id}/attendance`;
        const [a, b] = await onRegister(past.id);
        const response = await coordinator.submit(
          url,
          {
            [`status-${a!.id}-${past.partId}`]: 'partial',
            [`note-${a!.id}-${past.partId}`]: 'Arrived at 11',
            [`status-${b!.id}-${past.partId}`]: 'partial',
            [`note-${b!.id}-${past.partId}`]: 'Left at lunch, unwell',
          },
          url,
        );
        expect(response.statusCode).toBe(303);
        const corrected = await auditOf('attendance_corrected');
        expect(corrected).toHaveLength(1);
        expect(corrected[0]).toMatchObject({
          entity_type: 'booking',
          entity_id: a!.id,
          at: '2026-01-12T09:20:00.000Z',
        });
        expect(JSON.parse(corrected[0]!.details)).toEqual({
          sessionId: past.id,
          parts: [{ partId: past.partId, part: 1, before: 'attended', after: 'partial', noteChanged: true }],
        });
        const row = (await attendanceRows(past.id)).find((r) => r.booking_id === a!.id)!;
        expect(row).toMatchObject({
          status: 'partial',
          note: 'Arrived at 11',
          marked_at: '2026-01-12T09:20:00.000Z',
        });
        const page = parsePage((await coordinator.get(url)).body);
        expect(page.text()).toContain('Marked by Test coordinator at 9:20am on Monday 12 January 2026');
      } finally {
        clock.set(TEST_NOW);
      }
    });

    it('refuses bad input with a message by the field, keeping what was typed, and saves nothing', async () => {
      const lisa = await as('trainer', LISA);
      const url = `/admin/sessions/${past.id}/attendance`;
      const registered = await onRegister(past.id);
      const d = registered[10]!;
      const e = registered[11]!;
      const before = await attendanceRows(past.id);
      const auditBefore = (await db().selectFrom('audit_log').select('id').execute()).length;

      const response = await lisa.submit(
        url,
        {
          [`status-${d.id}-${past.partId}`]: 'attended',
          [`note-${d.id}-${past.partId}`]: 'x'.repeat(201),
          [`note-${e.id}-${past.partId}`]: 'Phoned to say she was ill',
        },
        url,
      );
      expect(response.statusCode).toBe(400);
      const page = parsePage(response.body);
      const summary = page.listItems('.govuk-error-summary li');
      expect(summary).toEqual(
        expect.arrayContaining([
          `The note for ${d.name} must be 200 characters or fewer`,
          `Choose whether ${e.name} attended, or clear the note`,
        ]),
      );
      expect(page.document.querySelector(`a[href="#note-${d.id}-${past.partId}"]`)).not.toBeNull();
      expect(page.document.querySelector(`a[href="#status-${e.id}-${past.partId}"]`)).not.toBeNull();
      expect(page.document.querySelector(`#status-${e.id}-${past.partId}`)).not.toBeNull();
      expect(page.text(`#note-${d.id}-${past.partId}-error`)).toContain('200 characters or fewer');
      // What was typed is kept.
      expect(page.document.querySelector(`#note-${e.id}-${past.partId}`)!.getAttribute('value')).toBe(
        'Phoned to say she was ill',
      );
      expect(
        page.document
          .querySelector(`input[name="status-${d.id}-${past.partId}"][value="attended"]`)!
          .hasAttribute('checked'),
      ).toBe(true);
      expect(page.document.querySelector('title')!.textContent).toMatch(/^Error: /);

      expect(await attendanceRows(past.id)).toEqual(before);
      expect((await db().selectFrom('audit_log').select('id').execute()).length).toBe(auditBefore);
    });

    it('refuses a value that is not one of the three, and delegates or parts not of this session', async () => {
      const lisa = await as('trainer', LISA);
      const url = `/admin/sessions/${past.id}/attendance`;
      const [d] = await onRegister(past.id);
      const [other] = await onRegister(upcoming.id);
      const [otherPart] = await partsOf(upcoming.id);
      const cancelled = await db()
        .selectFrom('bookings')
        .where('session_id', '=', past.id)
        .where('state', '!=', 'confirmed')
        .select('id')
        .executeTakeFirst();
      const before = await attendanceRows(past.id);
      const tries: Record<string, string>[] = [
        { [`status-${d!.id}-${past.partId}`]: 'present' },
        { [`status-${d!.id}-${past.partId}`]: 'ATTENDED' },
        { [`status-${other!.id}-${past.partId}`]: 'attended' },
        { [`status-${d!.id}-${otherPart!.id}`]: 'attended' },
        { [`status-999999-${past.partId}`]: 'attended' },
        ...(cancelled ? [{ [`status-${cancelled.id}-${past.partId}`]: 'attended' }] : []),
      ];
      for (const fields of tries) {
        const response = await lisa.submit(url, fields, url);
        expect(response.statusCode, JSON.stringify(fields)).toBe(400);
      }
      // A session that does not exist, or is not a number.
      const csrf = parsePage((await lisa.get(url)).body)
        .document.querySelector('input[name="_csrf"]')!
        .getAttribute('value')!;
      expect((await lisa.post('/admin/sessions/999999/attendance', { _csrf: csrf })).statusCode).toBe(404);
      expect((await lisa.post('/admin/sessions/x/attendance', { _csrf: csrf })).statusCode).toBe(404);
      expect(await attendanceRows(past.id)).toEqual(before);
    });

    it('refuses a form without its CSRF token', async () => {
      const lisa = await as('trainer', LISA);
      const [d] = await onRegister(past.id);
      const response = await lisa.post(`/admin/sessions/${past.id}/attendance`, {
        [`status-${d!.id}-${past.partId}`]: 'absent',
      });
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect((await attendanceRows(past.id)).find((r) => r.booking_id === d!.id)?.status).not.toBe('absent');
    });

    it('lets a viewer read the marks but not mark them', async () => {
      const viewer = await as('viewer');
      const url = `/admin/sessions/${past.id}/attendance`;
      const response = await viewer.get(url);
      expect(response.statusCode).toBe(200);
      const page = parsePage(response.body);
      expect(page.document.querySelector(`form[action="${url}"]`)).toBeNull();
      expect(page.text()).toContain('Left at lunch, unwell');
      expect(page.text()).toContain('Partly attended');
      expect(page.text()).toContain('Not marked');

      const [d] = await onRegister(past.id);
      const csrf = page.document.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
      const before = await attendanceRows(past.id);
      const refused = await viewer.post(url, { _csrf: csrf, [`status-${d!.id}-${past.partId}`]: 'absent' });
      expect(refused.statusCode).toBe(404);
      expect(await attendanceRows(past.id)).toEqual(before);
    });

    it('marks each part of a multi-part session once that session has begun', async () => {
      // Between the two parts: both can be marked (a trainer may fill in
      // part 2 later, but nothing stops them once the session has begun).
      clock.set(new Date(new Date(twoParts.startsAts[0]!).getTime() + 60 * 60_000));
      try {
        // Signed in on the day (a session from January would have ended).
        const coordinator = await signedInStaff(t, 'coordinator');
        const url = `/admin/sessions/${twoParts.id}/attendance`;
        const page = parsePage((await coordinator.get(url)).body);
        const registered = await onRegister(twoParts.id);
        expect(page.document.querySelectorAll('main form fieldset')).toHaveLength(registered.length * 2);
        const legends = [
          ...page.document.querySelector('.trellis-attendance__delegate')!.querySelectorAll('legend'),
        ].map((legend) => legend.textContent!.replace(/\s+/g, ' ').trim());
        expect(legends[0]).toMatch(/^Part 1, /);
        expect(legends[1]).toMatch(/^Part 2, /);

        const [a] = registered;
        const [p1, p2] = twoParts.partIds;
        const response = await coordinator.submit(
          url,
          { [`status-${a!.id}-${p1}`]: 'attended', [`status-${a!.id}-${p2}`]: 'absent' },
          url,
        );
        expect(response.statusCode).toBe(303);
        expect((await attendanceRows(twoParts.id)).map((r) => [r.session_part_id, r.status])).toEqual([
          [p1, 'attended'],
          [p2, 'absent'],
        ]);
        const entry = (await auditOf('attendance_marked')).find((e) => e.entity_id === a!.id)!;
        expect(JSON.parse(entry.details).parts).toEqual([
          { partId: p1, part: 1, status: 'attended' },
          { partId: p2, part: 2, status: 'absent' },
        ]);
        const after = parsePage((await coordinator.get(url)).body);
        const rest = registered.length - 1;
        expect(after.listItems('main table.trellis-attendance-tally thead th')).toEqual([
          'Attendance',
          'Part 1',
          'Part 2',
        ]);
        expect(after.listItems('main table.trellis-attendance-tally tbody tr')).toEqual([
          'Attended 1 0',
          'Partly attended 0 0',
          'Did not attend 0 1',
          `Not marked ${rest} ${rest}`,
        ]);
      } finally {
        clock.set(TEST_NOW);
      }
    });

    it('is closed for a cancelled session', async () => {
      const session = await db()
        .selectFrom('sessions')
        .where('starts_at', '<', TEST_NOW)
        .where('id', '!=', past.id)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('bookings')
              .whereRef('bookings.session_id', '=', 'sessions.id')
              .where('state', '=', 'confirmed')
              .select('id'),
          ),
        )
        .select('id')
        .executeTakeFirst();
      // The demo may have no other past session: cancel a copy of the
      // upcoming one moved into the past instead.
      const id = session?.id ?? upcoming.id;
      if (!session) clock.set(new Date(new Date(upcoming.startsAt).getTime() + 60_000));
      const coordinator = await signedInStaff(t, 'coordinator');
      try {
        await db()
          .updateTable('sessions')
          .set({ cancelled_at: TEST_NOW, cancellation_reason: 'Trainer unwell' })
          .where('id', '=', id)
          .execute();
        const url = `/admin/sessions/${id}/attendance`;
        const page = parsePage((await coordinator.get(url)).body);
        expect(page.text()).toContain('so there is no attendance to mark');
        expect(page.document.querySelector(`form[action="${url}"]`)).toBeNull();
        const register = parsePage((await coordinator.get(`/admin/sessions/${id}/register`)).body);
        expect(register.text()).toContain('This session was cancelled on Monday 12 January 2026.');

        const [d] = await onRegister(id);
        const [part] = await partsOf(id);
        const csrf = page.document.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
        // The demo's past sessions come marked: ask for a change to whatever is there.
        const before = await attendanceRows(id);
        const marked = before.find((row) => row.booking_id === d!.id && row.session_part_id === part!.id);
        const refused = await coordinator.post(url, {
          _csrf: csrf,
          [`status-${d!.id}-${part!.id}`]: marked?.status === 'absent' ? 'attended' : 'absent',
        });
        expect(refused.statusCode).toBe(409);
        expect(await attendanceRows(id)).toEqual(before);
      } finally {
        await db()
          .updateTable('sessions')
          .set({ cancelled_at: null, cancellation_reason: null })
          .where('id', '=', id)
          .execute();
        clock.set(TEST_NOW);
      }
    });
  });

  describe('marking everyone not yet marked as attended', () => {
    const everyone = (id: number) => `/admin/sessions/${id}/attendance/mark-everyone`;

    it('shows the marks as a compact table: a row a delegate, the three marks in a line', async () => {
      const lisa = await as('trainer', LISA);
      const page = parsePage((await lisa.get(`/admin/sessions/${past.id}/attendance`)).body);
      const table = page.document.querySelector('main form table.trellis-attendance-table')!;
      expect(table).not.toBeNull();
      const registered = await onRegister(past.id);
      const rows = [...table.querySelectorAll('tbody tr')];
      expect(rows).toHaveLength(registered.length);
      expect(new Set(rows.map((row) => row.querySelector('th')!.textContent!.trim().split('\n')[0]))).toEqual(
        new Set(registered.map((r) => r.name)),
      );
      for (const row of rows) {
        expect(row.querySelectorAll('.govuk-radios--inline input[type="radio"]')).toHaveLength(3);
        expect(row.querySelectorAll('input[type="text"]')).toHaveLength(1);
      }
      expect([...table.querySelectorAll('thead th')].map((th) => th.textContent!.trim())).toEqual([
        'Delegate',
        'Attendance',
      ]);
    });

    it('asks first, then marks only those nobody has marked, audited, and never changes a mark', async () => {
      const lisa = await as('trainer', LISA);
      const url = `/admin/sessions/${past.id}/attendance`;
      const registered = await onRegister(past.id);
      const before = await attendanceRows(past.id);
      expect(before.length).toBeGreaterThan(0);
      const unmarked = registered.filter((r) => !before.some((row) => row.booking_id === r.id));
      const n = unmarked.length;
      expect(n).toBeGreaterThan(2);

      // A separate action on the attendance page, saying how many.
      const page = parsePage((await lisa.get(url)).body);
      expect(page.links()).toContainEqual({
        text: 'Mark everyone not yet marked as attended',
        href: everyone(past.id),
      });
      expect(page.text()).toContain(`You can mark the ${n} delegates not yet marked as attended in one go`);

      // The confirm page asks, and opening it marks nothing.
      const confirm = await lisa.get(everyone(past.id));
      expect(confirm.statusCode).toBe(200);
      const asked = parsePage(confirm.body);
      expect(asked.h1()).toBe('Are you sure?');
      expect(asked.text()).toContain(`${n} delegates will be marked as attended.`);
      expect(asked.listItems('main ul.govuk-list li').sort()).toEqual(unmarked.map((u) => u.name).sort());
      expect(asked.text('main form button')).toBe(`Yes, mark ${n} delegates as attended`);
      expect(asked.links()).toContainEqual({ text: 'No, go back to attendance', href: url });
      expect(await attendanceRows(past.id)).toEqual(before);

      // Someone marks one of them meanwhile: the confirmed number is out of date, so nothing is saved.
      const coordinator = await as('coordinator');
      const [first, ...rest] = unmarked;
      expect(
        (await coordinator.submit(url, { [`status-${first!.id}-${past.partId}`]: 'absent' }, url)).statusCode,
      ).toBe(303);
      const withOne = await attendanceRows(past.id);
      const stale = await lisa.submit(everyone(past.id), { count: String(n) }, everyone(past.id));
      expect(stale.statusCode).toBe(409);
      const again = parsePage(stale.body);
      expect(again.text()).toContain('The register changed while you were deciding, so nothing was marked.');
      expect(again.text()).toContain(`${n - 1} delegates will be marked as attended.`);
      expect(await attendanceRows(past.id)).toEqual(withOne);

      // Confirmed: the rest are marked attended; every mark made before is as it was.
      const auditBefore = (await auditOf('attendance_marked')).length;
      const done = await lisa.submit(everyone(past.id), {}, everyone(past.id));
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe(`${url}?marked=${n - 1}`);
      const after = await attendanceRows(past.id);
      expect(after).toHaveLength(registered.length);
      for (const row of withOne) expect(after).toContainEqual(row);
      const added = after.filter((row) => rest.some((r) => r.id === row.booking_id));
      expect(added).toHaveLength(n - 1);
      for (const row of added)
        expect(row).toMatchObject({ status: 'attended', note: '', marked_at: TEST_NOW });
      expect(after.find((row) => row.booking_id === first!.id)?.status).toBe('absent');

      const audit = (await auditOf('attendance_marked')).slice(auditBefore);
      expect(audit.map((e) => e.entity_id).sort()).toEqual(rest.map((r) => r.id).sort());
      expect(JSON.parse(audit[0]!.details)).toEqual({
        sessionId: past.id,
        parts: [{ partId: past.partId, part: 1, status: 'attended' }],
      });

      // The success banner sits above the page's heading.
      const shown = await lisa.get(done.headers.location as string);
      const banner = shown.body.indexOf('govuk-notification-banner--success');
      expect(banner).toBeGreaterThan(0);
      expect(banner).toBeLessThan(shown.body.indexOf('<h1'));
      const shownPage = parsePage(shown.body);
      expect(shownPage.text('.govuk-notification-banner')).toContain(`${n - 1} delegates marked as attended`);
      expect(shownPage.links().map((l) => l.href)).not.toContain(everyone(past.id));

      // Nobody is left to mark: the confirm page says so, without a form.
      const nothingLeft = parsePage((await lisa.get(everyone(past.id))).body);
      expect(nothingLeft.h1()).toBe('Everyone is already marked');
      expect(nothingLeft.document.querySelector(`form[action="${everyone(past.id)}"]`)).toBeNull();
    });

    it('is refused without the CSRF token, to a viewer, and before the session starts', async () => {
      const lisa = await as('trainer', LISA);
      const before = await attendanceRows(upcoming.id);
      const page = parsePage((await lisa.get(everyone(upcoming.id))).body);
      expect(page.text()).toMatch(
        /You can mark attendance from 9:30am on \w+ \d+ \w+ 2026, when the session starts\./,
      );
      expect(page.document.querySelector(`form[action="${everyone(upcoming.id)}"]`)).toBeNull();
      const csrf = page.document.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
      const early = await lisa.post(everyone(upcoming.id), { _csrf: csrf, count: '1' });
      expect(early.statusCode).toBe(409);
      expect((await lisa.post(everyone(past.id), { count: '0' })).statusCode).toBeGreaterThanOrEqual(400);
      expect((await lisa.post(everyone(past.id), { _csrf: csrf, count: 'all' })).statusCode).toBe(400);

      const viewer = await as('viewer');
      expect((await viewer.get(everyone(past.id))).statusCode).toBe(404);
      const viewerCsrf = parsePage((await viewer.get(`/admin/sessions/${past.id}/attendance`)).body)
        .document.querySelector('input[name="_csrf"]')!
        .getAttribute('value')!;
      expect((await viewer.post(everyone(past.id), { _csrf: viewerCsrf, count: '1' })).statusCode).toBe(404);
      expect(await attendanceRows(upcoming.id)).toEqual(before);
    });

    it('marks only the parts that have begun of a multi-part session', async () => {
      clock.set(new Date(new Date(twoParts.startsAts[0]!).getTime() + 30 * 60_000));
      try {
        const coordinator = await signedInStaff(t, 'coordinator');
        const [p1, p2] = twoParts.partIds;
        const registered = await onRegister(twoParts.id);
        const marked = new Set(
          (await attendanceRows(twoParts.id))
            .filter((r) => r.session_part_id === p1)
            .map((r) => r.booking_id),
        );
        const n = registered.filter((r) => !marked.has(r.id)).length;
        const partTwoBefore = (await attendanceRows(twoParts.id)).filter((r) => r.session_part_id === p2);
        const page = parsePage((await coordinator.get(everyone(twoParts.id))).body);
        expect(page.text()).toContain(
          `${n} ${n === 1 ? 'delegate' : 'delegates'} will be marked as attended for part 1.`,
        );
        expect(page.text()).toContain('Part 2 has not started yet, so it stays unmarked.');
        expect((await coordinator.submit(everyone(twoParts.id), {}, everyone(twoParts.id))).statusCode).toBe(
          303,
        );
        const rows = await attendanceRows(twoParts.id);
        expect(rows.filter((r) => r.session_part_id === p1)).toHaveLength(registered.length);
        // Part 2 is as it was: nothing is marked for a part that has not begun.
        expect(rows.filter((r) => r.session_part_id === p2)).toEqual(partTwoBefore);
      } finally {
        clock.set(TEST_NOW);
      }
    });
  });

  describe('the register as CSV', () => {
    it('downloads the register with attendance in words, safely for spreadsheets, and audits it', async () => {
      const registered = await onRegister(past.id);
      const evil = registered[5]!;
      await db()
        .updateTable('delegates')
        .set({ name: '=HYPERLINK("http://evil.example","x")', job_role: '@cmd' })
        .where('id', '=', evil.delegateId)
        .execute();
      const organisation = await db()
        .insertInto('organisations')
        .values({ name: '+SUM(1)', type: 'private', confirmed_at: null, created_at: TEST_NOW })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db()
        .updateTable('delegates')
        .set({ organisation_id: organisation.id })
        .where('id', '=', evil.delegateId)
        .execute();

      const lisa = await as('trainer', LISA);
      const response = await lisa.get(`/admin/sessions/${past.id}/register.csv`);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toBe(
        'attachment; filename="register-trauma-informed-co-production-2024-11-25.csv"',
      );
      expect(response.headers['cache-control']).toBe('no-store');
      const body = response.rawPayload.toString('utf8');
      expect(body.startsWith('\ufeff')).toBe(true);
      expect(body.endsWith('\r\n')).toBe(true);
      expect(body.replace(/\r\n/g, '')).not.toMatch(/[^\r]\n/);

      const [header, ...rows] = parseCsv(body.slice(1));
      expect(header).toEqual([
        'Booking reference',
        'Name',
        'Email',
        'Organisation',
        'Job role',
        'Booked on',
        'Attendance (Mon 25 Nov 2024 9:30am)',
        'Note',
      ]);
      expect(rows).toHaveLength(registered.length);
      const byReference = new Map(rows.map((row) => [row[0], row]));
      const evilRow = byReference.get(evil.reference)!;
      expect(evilRow[1]).toBe(`'=HYPERLINK("http://evil.example","x")`);
      expect(evilRow[3]).toBe("'+SUM(1)");
      expect(evilRow[4]).toBe("'@cmd");
      expect(body).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);

      const marks = new Map((await attendanceRows(past.id)).map((r) => [r.booking_id, r]));
      for (const booking of registered) {
        const row = byReference.get(booking.reference)!;
        const mark = marks.get(booking.id);
        const words = { attended: 'Attended', partial: 'Partly attended', absent: 'Did not attend' };
        expect(row[6]).toBe(mark ? words[mark.status] : 'Not marked');
        expect(row[7]).toBe(mark?.note ?? '');
      }

      const audit = (await auditOf('export_downloaded')).at(-1)!;
      expect(audit).toMatchObject({ entity_type: 'session', entity_id: past.id, actor_type: 'staff' });
      expect(JSON.parse(audit.details)).toEqual({ export: 'register', bookings: registered.length });
    });

    it('names each part in a multi-part register', async () => {
      const response = await (await as('coordinator')).get(`/admin/sessions/${twoParts.id}/register.csv`);
      const [header] = parseCsv(response.rawPayload.toString('utf8').slice(1));
      expect(header!.slice(6)).toEqual([
        expect.stringMatching(/^Part 1 \(\w{3} \d+ \w{3} 2026 9:30am\) attendance$/),
        'Part 1 note',
        expect.stringMatching(/^Part 2 \(\w{3} \d+ \w{3} 2026 9:30am\) attendance$/),
        'Part 2 note',
      ]);
    });
  });
});
