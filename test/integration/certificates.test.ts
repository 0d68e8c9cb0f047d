/**
 * Certificates of attendance: issued as attendance is marked (in the same
 * transaction, with the "certificate ready" email), never for someone who
 * did not attend, for part attendance only where the hub's policy says so,
 * and withdrawn and issued afresh when the marks or the name change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AccountRepository } from '../../src/data/repositories/accounts/accountRepository.js';
import { DELEGATE_SESSION_LIMITS } from '../../src/domain/accounts/accounts.js';
import { CERTIFICATE_NUMBER } from '../../src/domain/afterCourse/certificate.js';
import { SignInSessions } from '../../src/services/accounts/signInSessions.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { pdfPages, pdfText } from '../support/pdfText.js';
import { signedInStaff } from '../support/staff.js';

const SESSION_COOKIE = '__Host-trellis_session';

eachDatabase('certificates of attendance', (dialect) => {
  let t: TestApp;
  let clock: SettableClock;
  let coordinator: WebClient;
  /** The demo's 2024 session of Trauma Informed Co-Production: one part, over. */
  let past: { id: number; partId: number };
  const db = () => t.database.db;

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

  async function certificatesOf(bookingId: number) {
    return db()
      .selectFrom('certificates')
      .where('booking_id', '=', bookingId)
      .selectAll()
      .orderBy('id')
      .execute();
  }

  async function emailsOf(bookingId: number, kind = 'certificate_ready') {
    return db()
      .selectFrom('outbox_messages')
      .where('booking_id', '=', bookingId)
      .where('kind', '=', kind)
      .selectAll()
      .orderBy('id')
      .execute();
  }

  async function mark(sessionId: number, marks: Record<string, string>) {
    const url = `/admin/sessions/${sessionId}/attendance`;
    const response = await coordinator.submit(url, marks, url);
    expect(response.statusCode).toBe(303);
  }

  /** A delegate of a booking, signed in (their address confirmed). */
  async function signedInDelegate(delegateId: number): Promise<WebClient> {
    const now = clock.now();
    await new AccountRepository(db()).markEmailVerified(delegateId, now);
    const secret = await new SignInSessions(db()).start(
      { kind: 'delegate', id: delegateId },
      DELEGATE_SESSION_LIMITS,
      now,
    );
    const client = new WebClient(t.app);
    client.setCookie(SESSION_COOKIE, secret);
    return client;
  }

  beforeAll(async () => {
    clock = settableClock(TEST_NOW);
    t = await createTestApp(dialect, { clock });
    coordinator = await signedInStaff(t, 'coordinator');
    const session = await db()
      .selectFrom('sessions')
      .innerJoin('session_trainers', 'session_trainers.session_id', 'sessions.id')
      .innerJoin('trainers', 'trainers.id', 'session_trainers.trainer_id')
      .where('trainers.slug', '=', 'lisa-cherry')
      .where('sessions.starts_at', '<', '2025-01-01')
      .select('sessions.id')
      .executeTakeFirstOrThrow();
    const part = await db()
      .selectFrom('session_parts')
      .where('session_id', '=', session.id)
      .select('id')
      .executeTakeFirstOrThrow();
    past = { id: session.id, partId: part.id };
  });
  afterAll(() => t.close());

  const field = (bookingId: number, partId = past.partId) => `status-${bookingId}-${partId}`;

  describe('issuing', () => {
    it('issues one for attended, with an unguessable number and the email, and none for did not attend', async () => {
      const [attended, absent, partly] = await onRegister(past.id);
      await mark(past.id, {
        [field(attended!.id)]: 'attended',
        [field(absent!.id)]: 'absent',
        [field(partly!.id)]: 'partial',
      });

      const [certificate, ...more] = await certificatesOf(attended!.id);
      expect(more).toEqual([]);
      expect(certificate!.number).toMatch(CERTIFICATE_NUMBER);
      expect(certificate!.delegate_name).toBe(attended!.name);
      expect(certificate!.course_title).toBe('Trauma Informed Co-Production');
      expect(certificate!.withdrawn_at).toBeNull();
      const facts = JSON.parse(certificate!.facts);
      expect(facts).toMatchObject({
        whole: true,
        sessionParts: 1,
        minutes: 360,
        cpdHours: 5,
        trainers: ['Lisa Cherry'],
      });
      expect(facts.learningOutcomes.length).toBeGreaterThan(5);

      const [email] = await emailsOf(attended!.id);
      expect(email!.subject).toBe('Your certificate of attendance is ready: Trauma Informed Co-Production');
      expect(email!.text_body).toContain(certificate!.number);
      expect(email!.text_body).toContain(`https://training.example.org.uk/bookings/${attended!.reference}`);
      expect(email!.text_body).toContain(
        `https://training.example.org.uk/certificates/${certificate!.number}`,
      );
      expect(email!.html_body).toContain(certificate!.number);

      // Did not attend, and partly attended its only part: no certificate, no email.
      for (const none of [absent!, partly!]) {
        expect(await certificatesOf(none.id)).toEqual([]);
        expect(await emailsOf(none.id)).toEqual([]);
      }

      const audit = await db()
        .selectFrom('audit_log')
        .where('action', '=', 'certificate_issued')
        .where('entity_id', '=', attended!.id)
        .select('details')
        .execute();
      expect(audit.map((a) => JSON.parse(a.details))).toEqual([{ number: certificate!.number }]);
    });

    it('numbers are not a sequence: each is new and random', async () => {
      const registered = await onRegister(past.id);
      const next = registered.slice(3, 8);
      await mark(past.id, Object.fromEntries(next.map((b) => [field(b.id), 'attended'])));
      const numbers = (await Promise.all(next.map((b) => certificatesOf(b.id)))).map((c) => c[0]!.number);
      expect(new Set(numbers).size).toBe(numbers.length);
      const groups = numbers.map((n) => n.slice(4));
      // No two share a leading group, as counting would make them.
      expect(new Set(groups.map((g) => g.slice(0, 9))).size).toBe(groups.length);
    });

    it('saving the same marks again changes nothing', async () => {
      const [attended] = await onRegister(past.id);
      await mark(past.id, { [field(attended!.id)]: 'attended' });
      expect(await certificatesOf(attended!.id)).toHaveLength(1);
      expect(await emailsOf(attended!.id)).toHaveLength(1);
    });
  });

  describe('corrections', () => {
    it('withdraws the certificate when attendance is corrected to did not attend, and issues a new number when it is put back', async () => {
      const booking = (await onRegister(past.id))[10]!;
      await mark(past.id, { [field(booking.id)]: 'attended' });
      const [first] = await certificatesOf(booking.id);

      await mark(past.id, { [field(booking.id)]: 'absent' });
      const afterAbsent = await certificatesOf(booking.id);
      expect(afterAbsent).toHaveLength(1);
      expect(afterAbsent[0]!.withdrawn_at).not.toBeNull();

      await mark(past.id, { [field(booking.id)]: 'attended' });
      const [old, renewed] = await certificatesOf(booking.id);
      expect(old!.number).toBe(first!.number);
      expect(old!.withdrawn_at).not.toBeNull();
      expect(renewed!.withdrawn_at).toBeNull();
      expect(renewed!.number).not.toBe(first!.number);
      const emails = await emailsOf(booking.id);
      expect(emails).toHaveLength(2);
    });

    it('re-issues under the new name when the delegate corrects it, withdrawing the old number', async () => {
      const booking = (await onRegister(past.id))[11]!;
      await mark(past.id, { [field(booking.id)]: 'attended' });
      const [before] = await certificatesOf(booking.id);

      const delegate = await db()
        .selectFrom('delegates')
        .where('id', '=', booking.delegateId)
        .selectAll()
        .executeTakeFirstOrThrow();
      const client = await signedInDelegate(booking.delegateId);
      const changed = await client.submit('/account/details', {
        name: 'Siân Ó Dúnlaing-Kowalczyk Şahin',
        organisationId: delegate.organisation_id === null ? 'none' : String(delegate.organisation_id),
        jobRole: delegate.job_role,
        lineManagerName: delegate.line_manager_name,
        lineManagerEmail: delegate.line_manager_email,
      });
      expect(changed.statusCode).toBe(303);

      const [old, renewed] = await certificatesOf(booking.id);
      expect(old!.number).toBe(before!.number);
      expect(old!.withdrawn_at).not.toBeNull();
      expect(renewed!.delegate_name).toBe('Siân Ó Dúnlaing-Kowalczyk Şahin');
      const [, email] = await emailsOf(booking.id);
      expect(email!.subject).toBe('Your updated certificate of attendance: Trauma Informed Co-Production');
      expect(email!.text_body).toContain('The number of the old certificate now shows as withdrawn');
    });
  });

  describe('the delegate’s download', () => {
    it('is linked from Your bookings, and its PDF says the name, course, date, hours, CPD hours and number', async () => {
      // Renamed above to a name with letters of several languages.
      const booking = (await onRegister(past.id))[11]!;
      const [, certificate] = await certificatesOf(booking.id);
      const client = await signedInDelegate(booking.delegateId);

      const list = parsePage((await client.get('/bookings')).body);
      const link = list.links().find((l) => l.href === `/bookings/${booking.reference}/certificate.pdf`);
      expect(link?.text).toMatch(
        /^Download your certificate of attendance for Trauma Informed Co-Production/,
      );

      const response = await client.get(`/bookings/${booking.reference}/certificate.pdf`);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      expect(response.headers['cache-control']).toBe('no-store');
      const pdf = response.rawPayload;
      expect(pdfPages(pdf)).toHaveLength(1);
      const text = pdfText(pdf);
      expect(text).toContain('Siân Ó Dúnlaing-Kowalczyk Şahin');
      expect(text).toContain('Trauma Informed Co-Production');
      expect(text).toContain('Monday 25 November 2024, 9:30am to 3:30pm');
      expect(text).toContain('Hours attended: 6 hours');
      expect(text).toContain('CPD hours: 5 hours');
      expect(text).toContain('Lisa Cherry');
      expect(text).toContain(certificate!.number);
      expect(text).toContain(`https://training.example.org.uk/certificates/${certificate!.number}`);
    });

    it('is the ordinary 404 for another delegate’s booking, and for a booking with no certificate', async () => {
      const [withCertificate, , , , , , , , , , , , without] = await onRegister(past.id);
      expect(await certificatesOf(without!.id)).toEqual([]);
      const other = await signedInDelegate(without!.delegateId);
      const notFound = await other.get(`/bookings/${withCertificate!.reference}/certificate.pdf`);
      expect(notFound.statusCode).toBe(404);
      expect(notFound.headers['content-type']).toMatch(/^text\/html/);
      expect((await other.get(`/bookings/${without!.reference}/certificate.pdf`)).statusCode).toBe(404);
      expect((await other.get('/bookings/not-a-reference/certificate.pdf')).statusCode).toBe(404);
      // Signed out: to sign in first, never the file.
      const signedOut = await new WebClient(t.app).get(
        `/bookings/${withCertificate!.reference}/certificate.pdf`,
      );
      expect(signedOut.statusCode).toBe(303);
      expect(signedOut.headers.location).toMatch(/^\/sign-in\?next=/);
    });
  });

  describe('the public verification page', () => {
    it('confirms name, course and date of a valid certificate, and nothing else', async () => {
      const booking = (await onRegister(past.id))[11]!;
      const [, valid] = await certificatesOf(booking.id);
      const response = await new WebClient(t.app).get(`/certificates/${valid!.number}`);
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const page = parsePage(response.body);
      expect(page.h1()).toBe('This certificate is genuine');
      const main = page.text('main');
      expect(main).toContain('Siân Ó Dúnlaing-Kowalczyk Şahin');
      expect(main).toContain('Trauma Informed Co-Production');
      expect(main).toContain('Monday 25 November 2024');
      expect(main).not.toContain('CPD');
      expect(main).not.toContain('Lisa Cherry');
      // The number as typed in lower case is the same certificate.
      expect(
        (await new WebClient(t.app).get(`/certificates/${valid!.number.toLowerCase()}`)).statusCode,
      ).toBe(200);
    });

    it('says plainly that a corrected certificate’s old number was withdrawn, without its details', async () => {
      const booking = (await onRegister(past.id))[11]!;
      const [old] = await certificatesOf(booking.id);
      const response = await new WebClient(t.app).get(`/certificates/${old!.number}`);
      expect(response.statusCode).toBe(200);
      const page = parsePage(response.body);
      expect(page.h1()).toBe('This certificate has been withdrawn');
      expect(page.text('main')).toContain('it is no longer valid');
      expect(page.text('main')).not.toContain(old!.delegate_name);
    });

    it('says a number is unknown, with a 404', async () => {
      for (const number of ['TRC-AAAA-BBBB-CCCC-DDDD', 'nonsense', '1']) {
        const response = await new WebClient(t.app).get(`/certificates/${number}`);
        expect(response.statusCode).toBe(404);
        expect(parsePage(response.body).h1()).toBe('We cannot find this certificate');
      }
    });

    it('is limited per address', async () => {
      const from = new WebClient(t.app, { remoteAddress: '192.0.2.77' });
      const statuses: number[] = [];
      for (let n = 0; n < 31; n++)
        statuses.push((await from.get('/certificates/TRC-AAAA-BBBB-CCCC-DDDD')).statusCode);
      expect(statuses.slice(0, 30).every((s) => s === 404)).toBe(true);
      expect(statuses[30]).toBe(429);
      const elsewhere = new WebClient(t.app, { remoteAddress: '192.0.2.78' });
      expect((await elsewhere.get('/certificates/TRC-AAAA-BBBB-CCCC-DDDD')).statusCode).toBe(404);
    });
  });

  describe('staff download of a session’s certificates', () => {
    it('gives every valid certificate of the session in one PDF, a page each, and audits the download', async () => {
      const valid = await db()
        .selectFrom('certificates')
        .innerJoin('bookings', 'bookings.id', 'certificates.booking_id')
        .where('bookings.session_id', '=', past.id)
        .where('certificates.withdrawn_at', 'is', null)
        .select(['certificates.number', 'certificates.delegate_name'])
        .execute();
      expect(valid.length).toBeGreaterThan(3);
      const withdrawn = await db()
        .selectFrom('certificates')
        .where('withdrawn_at', 'is not', null)
        .select('number')
        .execute();

      const register = parsePage((await coordinator.get(`/admin/sessions/${past.id}/register`)).body);
      expect(register.links()).toContainEqual({
        text: 'Download the certificates of attendance (PDF)',
        href: `/admin/sessions/${past.id}/certificates.pdf`,
      });
      const response = await coordinator.get(`/admin/sessions/${past.id}/certificates.pdf`);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      const pdf = response.rawPayload;
      expect(pdfPages(pdf)).toHaveLength(valid.length);
      const text = pdfText(pdf);
      for (const certificate of valid) {
        expect(text).toContain(certificate.number);
        expect(text).toContain(certificate.delegate_name);
      }
      for (const old of withdrawn) expect(text).not.toContain(old.number);

      const [audit] = await db()
        .selectFrom('audit_log')
        .where('action', '=', 'export_downloaded')
        .where('entity_type', '=', 'session')
        .where('entity_id', '=', past.id)
        .select('details')
        .orderBy('id', 'desc')
        .execute();
      expect(JSON.parse(audit!.details)).toEqual({ export: 'certificates', certificates: valid.length });
    });

    it('is the ordinary 404 for a reporting viewer and for a session that does not exist', async () => {
      const viewer = await signedInStaff(t, 'viewer');
      expect((await viewer.get(`/admin/sessions/${past.id}/certificates.pdf`)).statusCode).toBe(404);
      expect((await coordinator.get('/admin/sessions/999999/certificates.pdf')).statusCode).toBe(404);
    });
  });

  describe('part attendance', () => {
    let twoParts: { id: number; partIds: number[] };

    beforeAll(async () => {
      const sessions = await db()
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
        .select(['id', 'ends_at'])
        .orderBy('starts_at')
        .execute();
      let found: { id: number; ends_at: string } | undefined;
      for (const session of sessions) {
        if ((await onRegister(session.id)).length >= 3) {
          found = session;
          break;
        }
      }
      const parts = await db()
        .selectFrom('session_parts')
        .where('session_id', '=', found!.id)
        .select('id')
        .orderBy('position')
        .execute();
      twoParts = { id: found!.id, partIds: parts.map((p) => p.id) };
      clock.set(new Date(new Date(found!.ends_at).getTime() + 3_600_000));
      // Staff sign-ins end after time idle: sign in again at the new time.
      coordinator = await signedInStaff(t, 'coordinator');
    });
    afterAll(async () => {
      clock.set(TEST_NOW);
      coordinator = await signedInStaff(t, 'coordinator');
    });

    it('gives none until every part is marked, and none for some parts unless the policy says so', async () => {
      const [a, b] = await onRegister(twoParts.id);
      const [one, two] = twoParts.partIds;
      await mark(twoParts.id, { [field(a!.id, one)]: 'attended' });
      expect(await certificatesOf(a!.id)).toEqual([]);
      await mark(twoParts.id, {
        [field(a!.id, two)]: 'absent',
        [field(b!.id, one)]: 'attended',
        [field(b!.id, two)]: 'attended',
      });
      expect(await certificatesOf(a!.id)).toEqual([]);
      const [whole] = await certificatesOf(b!.id);
      expect(JSON.parse(whole!.facts)).toMatchObject({ whole: true, sessionParts: 2 });
    });

    /** The settings form as it stands, with `changes`, sent by an administrator. */
    async function saveSettings(changes: Record<string, string>) {
      const admin = await signedInStaff(t, 'admin');
      const { document } = parsePage((await admin.get('/admin/settings')).body);
      const form = document.querySelector('form[action="/admin/settings"]')!;
      const fields: Record<string, string> = {};
      for (const input of form.querySelectorAll('input[name], textarea[name]')) {
        const name = input.getAttribute('name')!;
        if (input.getAttribute('type') === 'radio' && !input.hasAttribute('checked')) continue;
        fields[name] =
          input.tagName === 'TEXTAREA' ? input.textContent! : (input.getAttribute('value') ?? '');
      }
      return admin.post('/admin/settings', { ...fields, ...changes });
    }

    it('is a choice on the settings page, no by default', async () => {
      const admin = await signedInStaff(t, 'admin');
      const page = parsePage((await admin.get('/admin/settings')).body);
      expect(
        page.document
          .querySelector('input[name="certificatesForPartAttendance"][value="no"]')!
          .hasAttribute('checked'),
      ).toBe(true);
      expect(page.text('main')).toContain('Certificates for part attendance');
      expect((await saveSettings({ certificatesForPartAttendance: 'yes' })).statusCode).toBe(303);
      expect((await t.services.settings.policy()).certificatesForPartAttendance).toBe(true);
      expect((await saveSettings({ certificatesForPartAttendance: 'no' })).statusCode).toBe(303);
      expect((await t.services.settings.policy()).certificatesForPartAttendance).toBe(false);
    });

    it('gives one for the parts attended where the policy says so, with CPD hours in proportion', async () => {
      expect((await saveSettings({ certificatesForPartAttendance: 'yes' })).statusCode).toBe(303);
      const [, , c] = await onRegister(twoParts.id);
      const [one, two] = twoParts.partIds;
      await mark(twoParts.id, { [field(c!.id, one)]: 'absent', [field(c!.id, two)]: 'attended' });
      const [certificate] = await certificatesOf(c!.id);
      const facts = JSON.parse(certificate!.facts);
      expect(facts.whole).toBe(false);
      expect(facts.parts).toHaveLength(1);
      const course = await db()
        .selectFrom('sessions')
        .innerJoin('courses', 'courses.id', 'sessions.course_id')
        .where('sessions.id', '=', twoParts.id)
        .select('courses.cpd_hours')
        .executeTakeFirstOrThrow();
      expect(facts.cpdHours).toBeLessThan(Number(course.cpd_hours));
      expect(facts.cpdHours).toBeGreaterThan(0);
      expect(certificate!.attended_from).toBe(facts.parts[0].startsAt);
      await t.services.settings.updatePolicy({ certificatesForPartAttendance: false });
    });
  });
});
