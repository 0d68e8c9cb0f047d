/**
 * Quotes from feedback on course pages, the feedback answers staff read, and
 * the hub's choice to hold certificates until feedback is given. On both
 * databases, through the real pages (cache included).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import { newBookingReference } from '../../src/services/bookings/bookingReference.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';
import {
  createBookableSessions,
  createSignedInDelegates,
  SEEDED_COURSE_SLUG,
} from '../support/seedDelegates.js';

const DAY = 86_400_000;
const SESSION_COOKIE = '__Host-trellis_session';

eachDatabase('quotes, feedback answers and feedback before certificates', (dialect) => {
  let t: TestApp;
  let clock: SettableClock;
  let ended: number;
  let other: number;
  /** Ended a month ago: too long ago for a feedback invitation. */
  let longAgo: number;
  let courseId: number;
  let outcomeId: number;
  let coordinator: WebClient;
  let labels = 0;
  const db = () => t.database.db;

  beforeAll(async () => {
    clock = settableClock(TEST_NOW);
    t = await createTestApp(dialect, { demo: false, clock });
    const now = new Date(TEST_NOW);
    [ended, other, longAgo] = (await createBookableSessions(
      db(),
      now,
      [
        new Date(now.getTime() - 2 * DAY),
        new Date(now.getTime() - 3 * DAY),
        new Date(now.getTime() - 30 * DAY),
      ],
      40,
    )) as [number, number, number];
    courseId = (await db().selectFrom('courses').select('id').executeTakeFirstOrThrow()).id;
    outcomeId = (await db().selectFrom('course_learning_outcomes').select('id').executeTakeFirstOrThrow()).id;
    coordinator = await signedInStaff(t, 'coordinator');
  });
  afterAll(() => t.close());
  beforeEach(() => clock.set(TEST_NOW));

  /** A delegate booked on `sessionId`, its one part marked attended (through the attendance service), signed in. */
  async function attendedDelegate(sessionId = ended, name?: string) {
    labels += 1;
    const [delegate] = await createSignedInDelegates(db(), clock.now(), 1, `q${labels}`);
    if (name) await db().updateTable('delegates').set({ name }).where('id', '=', delegate!.id).execute();
    const reference = newBookingReference();
    await new DemoRepository(db()).insertBookings(
      [{ reference, sessionId, delegateId: delegate!.id, state: 'confirmed', offerExpiresAt: null }],
      clock.now(),
    );
    const booking = await db()
      .selectFrom('bookings')
      .where('reference', '=', reference)
      .select('id')
      .executeTakeFirstOrThrow();
    const part = await db()
      .selectFrom('session_parts')
      .where('session_id', '=', sessionId)
      .select('id')
      .executeTakeFirstOrThrow();
    const staff = await db()
      .selectFrom('staff_users')
      .where('role', '=', 'coordinator')
      .select('id')
      .executeTakeFirstOrThrow();
    await t.services.attendance.mark(sessionId, { id: staff.id, role: 'coordinator', trainerId: null }, [
      { bookingId: booking.id, partId: part.id, status: 'attended', note: '' },
    ]);
    const client = new WebClient(t.app);
    client.setCookie(SESSION_COOKIE, delegate!.sessionSecret);
    return { ...delegate!, bookingId: booking.id, reference, client };
  }

  async function invited(sessionId = ended, name?: string) {
    const delegate = await attendedDelegate(sessionId, name);
    await t.services.feedback.sendInvitations();
    return delegate;
  }

  async function giveFeedback(delegate: Awaited<ReturnType<typeof invited>>, fields: Record<string, string>) {
    const response = await delegate.client.submit(
      `/bookings/${delegate.reference}/feedback`,
      fields,
      `/bookings/${delegate.reference}/feedback`,
    );
    expect(response.statusCode).toBe(303);
  }

  async function responseIdOf(bookingId: number) {
    return (
      await db()
        .selectFrom('feedback_responses')
        .where('booking_id', '=', bookingId)
        .select('id')
        .executeTakeFirstOrThrow()
    ).id;
  }

  /** Presses the button on the quotes page for one quote. */
  async function chooseQuote(responseId: number, client = coordinator) {
    const url = `/admin/courses/${courseId}/quotes`;
    const page = await client.get(url);
    const form = [...parsePage(page.body).document.querySelectorAll('form[method="post"]')].find((f) =>
      f.querySelector(`input[name="response"][value="${responseId}"]`),
    );
    if (!form) {
      // No button for it: send what the page's other forms would, as someone crafting the request.
      const csrf =
        parsePage(page.body).document.querySelector('input[name="_csrf"]')?.getAttribute('value') ?? '';
      return client.post(url, { _csrf: csrf, response: String(responseId), action: 'publish' });
    }
    const fields: Record<string, string> = {};
    for (const input of form.querySelectorAll('input[type="hidden"]')) {
      fields[input.getAttribute('name')!] = input.getAttribute('value') ?? '';
    }
    return client.post(url, fields);
  }

  /** The text of the feedback invitation emailed to `email`. */
  async function invitationText(email: string) {
    const message = await db()
      .selectFrom('outbox_messages')
      .where('to_address', '=', email)
      .where('kind', '=', 'feedback_invitation')
      .select('text_body')
      .executeTakeFirstOrThrow();
    return message.text_body.replace(/\s+/g, ' ');
  }

  const coursePage = async () =>
    parsePage((await new WebClient(t.app).get(`/courses/${SEEDED_COURSE_SLUG}`)).body).text();
  const sessionPage = async () =>
    parsePage((await new WebClient(t.app).get(`/sessions/${ended}`)).body).text();

  describe('quotes on the course page', () => {
    it('shows a chosen quote with the attribution the delegate chose, then takes it off at once when withdrawn', async () => {
      const delegate = await invited(ended, 'Priya Shah');
      await giveFeedback(delegate, { quote: 'It changed how I listen to families.', quoteConsent: 'name' });
      const responseId = await responseIdOf(delegate.bookingId);

      const list = parsePage((await coordinator.get(`/admin/courses/${courseId}/quotes`)).body);
      expect(list.text()).toContain('It changed how I listen to families.');
      expect(list.text()).toContain('Priya Shah, Social worker');
      expect(list.text()).toContain('Not shown');
      expect(await coursePage()).not.toContain('It changed how I listen to families.');

      expect((await chooseQuote(responseId)).statusCode).toBe(303);
      const audit = await db()
        .selectFrom('audit_log')
        .where('action', '=', 'quote_published')
        .selectAll()
        .execute();
      expect(audit.map((a) => a.entity_id)).toContain(courseId);
      // Both pages showing the course's testimonials, now cached.
      expect(await coursePage()).toContain('“It changed how I listen to families.”');
      expect(await coursePage()).toContain('Priya Shah, Social worker');
      expect(await sessionPage()).toContain('It changed how I listen to families.');

      const withdrawn = await delegate.client.submit(
        `/bookings/${delegate.reference}/feedback`,
        {},
        `/bookings/${delegate.reference}/feedback/withdraw-quote`,
      );
      expect(withdrawn.statusCode).toBe(303);
      expect(await coursePage()).not.toContain('It changed how I listen to families.');
      expect(await sessionPage()).not.toContain('It changed how I listen to families.');

      // Staff see it as withdrawn, and cannot publish it again.
      const after = parsePage((await coordinator.get(`/admin/courses/${courseId}/quotes`)).body);
      expect(after.text()).toContain('Withdrawn by the delegate');
      expect(after.document.querySelector(`input[name="response"][value="${responseId}"]`)).toBeNull();
      const refused = await chooseQuote(responseId);
      expect(refused.statusCode).toBe(409);
      expect(parsePage(refused.body).text()).toContain(
        'The delegate withdrew this quote, so it cannot be published.',
      );
      expect(await coursePage()).not.toContain('It changed how I listen to families.');
    });

    it('signs quotes as anonymous or with the job role, as chosen, and with the name as it is now', async () => {
      const anonymous = await invited();
      await giveFeedback(anonymous, { quote: 'Calm, clear and practical.', quoteConsent: 'anonymous' });
      const role = await invited(ended, 'Sam Jones');
      await giveFeedback(role, { quote: 'The case studies stayed with me.', quoteConsent: 'job_role' });
      const named = await invited(ended, 'Alex Old-Name');
      await giveFeedback(named, { quote: 'Worth every minute.', quoteConsent: 'name' });
      for (const d of [anonymous, role, named])
        expect((await chooseQuote(await responseIdOf(d.bookingId))).statusCode).toBe(303);

      let page = await coursePage();
      expect(page).toMatch(/Calm, clear and practical\.”\s*Anonymous/);
      expect(page).toMatch(/The case studies stayed with me\.”\s*Social worker/);
      expect(page).not.toContain('Sam Jones');
      expect(page).toContain('Alex Old-Name, Social worker');

      // A delegate's new name replaces the old one at once, even on a cached page.
      await db().updateTable('delegates').set({ name: 'Alex New-Name' }).where('id', '=', named.id).execute();
      page = await coursePage();
      expect(page).toContain('Alex New-Name, Social worker');
      expect(page).not.toContain('Alex Old-Name');
    });

    it('stops showing a quote whose words the delegate changes, until a coordinator chooses it again', async () => {
      const delegate = await invited();
      await giveFeedback(delegate, { quote: 'First words.', quoteConsent: 'anonymous' });
      const responseId = await responseIdOf(delegate.bookingId);
      await chooseQuote(responseId);
      expect(await coursePage()).toContain('First words.');

      const form = parsePage(
        (await delegate.client.get(`/bookings/${delegate.reference}/feedback`)).body,
      ).text();
      expect(form).toContain(
        'If you change the words of a quote we show, we stop showing it until the training team chooses it again',
      );
      await giveFeedback(delegate, { quote: 'Second words.', quoteConsent: 'anonymous' });
      const page = await coursePage();
      expect(page).not.toContain('First words.');
      expect(page).not.toContain('Second words.');
      expect(parsePage((await coordinator.get(`/admin/courses/${courseId}/quotes`)).body).text()).toContain(
        'Second words.',
      );
      await chooseQuote(responseId);
      expect(await coursePage()).toContain('Second words.');
      // Changing only the attribution keeps it shown, signed the new way.
      await giveFeedback(delegate, { quote: 'Second words.', quoteConsent: 'job_role' });
      expect(await coursePage()).toMatch(/Second words\.”\s*Social worker/);
    });

    it('keeps the course’s own testimonials beside the quotes, and lets only those who run the programme choose', async () => {
      await db()
        .insertInto('course_testimonials')
        .values({
          course_id: courseId,
          position: 1,
          quote: 'A hand-entered testimonial.',
          attribution: 'A delegate, 2025',
          published_at: TEST_NOW,
        })
        .execute();
      expect(await coursePage()).toContain('A hand-entered testimonial.');
      for (const role of ['trainer', 'viewer'] as const) {
        const client = await signedInStaff(t, role);
        expect((await client.get(`/admin/courses/${courseId}/quotes`)).statusCode).toBe(404);
      }
    });
  });

  describe('feedback answers for staff', () => {
    it('shows coordinators who wrote what, and viewers the same answers without names, saying when they are too few', async () => {
      const delegate = await invited(other, 'Jordan Writer');
      await giveFeedback(delegate, {
        [`before-${outcomeId}`]: '2',
        [`after-${outcomeId}`]: '5',
        usefulness: '4',
        doDifferently: 'Ask open questions first.',
        hubShouldChange: 'Longer breaks.',
      });
      const named = parsePage((await coordinator.get(`/admin/sessions/${other}/feedback`)).body);
      expect(named.text()).toContain('Jordan Writer');
      expect(named.text()).toContain('Ask open questions first.');
      expect(named.text()).toContain('too few to read into');

      const viewer = await signedInStaff(t, 'viewer');
      const anonymous = parsePage((await viewer.get(`/admin/sessions/${other}/feedback`)).body);
      expect(anonymous.text()).toContain('Ask open questions first.');
      expect(anonymous.text()).toContain('Longer breaks.');
      expect(anonymous.text()).not.toContain('Jordan Writer');
      expect(anonymous.text()).toContain('Answers are shown without names');
      const course = parsePage((await viewer.get(`/admin/courses/${courseId}/feedback`)).body);
      expect(course.text()).toContain('Ask open questions first.');
      expect(course.text()).not.toContain('Jordan Writer');
    });

    it('lists free text by its words, not in the order people answered, and stops saying "too few" at five', async () => {
      const texts = ['Zebra crossing idea.', 'Apple of my eye.', 'Middle ground.', 'Bravo.', 'Kilo.'];
      for (const text of texts) {
        const delegate = await invited(ended);
        await giveFeedback(delegate, { doDifferently: text });
      }
      const viewer = await signedInStaff(t, 'viewer');
      const page = (await viewer.get(`/admin/sessions/${ended}/feedback`)).body;
      const positions = [...texts].sort().map((text) => page.indexOf(text));
      expect(positions.every((p) => p > 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(parsePage(page).text()).not.toContain('too few to read into');
    });
  });

  describe('feedback before the certificate', () => {
    it('holds the certificate and its email until the feedback is sent, and says so on the form', async () => {
      await t.services.settings.updatePolicy({ feedbackBeforeCertificate: true });
      try {
        const delegate = await invited();
        const readyEmails = () =>
          db()
            .selectFrom('outbox_messages')
            .where('to_address', '=', delegate.email)
            .where('kind', '=', 'certificate_ready')
            .selectAll()
            .execute();
        expect(await readyEmails()).toHaveLength(0);
        expect(
          (await delegate.client.get(`/bookings/${delegate.reference}/certificate.pdf`)).statusCode,
        ).toBe(404);
        const booking = parsePage((await delegate.client.get(`/bookings/${delegate.reference}`)).body).text();
        expect(booking).toContain('It is ready once you have sent your feedback');
        const form = parsePage(
          (await delegate.client.get(`/bookings/${delegate.reference}/feedback`)).body,
        ).text();
        expect(form).toContain(
          'your certificate of attendance is ready to download once you have sent this form',
        );
        expect(form).not.toContain('never affects your certificate');
        const email = await invitationText(delegate.email);
        expect(email).toContain(
          'your certificate of attendance is ready to download once you have sent the form, and we will email you then',
        );
        expect(email).not.toContain('never affects your certificate');

        await giveFeedback(delegate, { usefulness: '5' });
        expect(await readyEmails()).toHaveLength(1);
        const pdf = await delegate.client.get(`/bookings/${delegate.reference}/certificate.pdf`);
        expect(pdf.statusCode).toBe(200);
        // Changing the answers sends no second email.
        await giveFeedback(delegate, { usefulness: '4' });
        expect(await readyEmails()).toHaveLength(1);
      } finally {
        await t.services.settings.updatePolicy({ feedbackBeforeCertificate: false });
      }
    });

    it('releases held certificates, with their emails, when an administrator turns the policy off', async () => {
      await t.services.settings.updatePolicy({ feedbackBeforeCertificate: true });
      const delegate = await invited();
      expect((await delegate.client.get(`/bookings/${delegate.reference}/certificate.pdf`)).statusCode).toBe(
        404,
      );
      const admin = await signedInStaff(t, 'admin');
      const { document } = parsePage((await admin.get('/admin/settings')).body);
      expect(
        document
          .querySelector('input[name="feedbackBeforeCertificate"][value="yes"]')
          ?.hasAttribute('checked'),
      ).toBe(true);
      const fields: Record<string, string> = {};
      for (const input of document
        .querySelector('form[action="/admin/settings"]')!
        .querySelectorAll('input[name], textarea[name]')) {
        const name = input.getAttribute('name')!;
        if (input.getAttribute('type') === 'radio' && !input.hasAttribute('checked')) continue;
        fields[name] =
          input.tagName === 'TEXTAREA' ? input.textContent! : (input.getAttribute('value') ?? '');
      }
      const saved = await admin.post('/admin/settings', { ...fields, feedbackBeforeCertificate: 'no' });
      expect(saved.statusCode).toBe(303);
      expect((await t.services.settings.policy()).feedbackBeforeCertificate).toBe(false);
      expect((await delegate.client.get(`/bookings/${delegate.reference}/certificate.pdf`)).statusCode).toBe(
        200,
      );
      const emails = await db()
        .selectFrom('outbox_messages')
        .where('to_address', '=', delegate.email)
        .where('kind', '=', 'certificate_ready')
        .selectAll()
        .execute();
      expect(emails).toHaveLength(1);
    });

    it('issues and emails at once when the policy is off, and never holds one for a session too long ago to be asked about', async () => {
      const delegate = await invited();
      expect((await delegate.client.get(`/bookings/${delegate.reference}/certificate.pdf`)).statusCode).toBe(
        200,
      );
      const email = await invitationText(delegate.email);
      expect(email).toContain('Answering, or not answering, never affects your certificate');
      expect(email).not.toContain('ready to download once');

      await t.services.settings.updatePolicy({ feedbackBeforeCertificate: true });
      try {
        const late = await attendedDelegate(longAgo);
        expect((await late.client.get(`/bookings/${late.reference}/certificate.pdf`)).statusCode).toBe(200);
      } finally {
        await t.services.settings.updatePolicy({ feedbackBeforeCertificate: false });
      }
    });
  });
});
