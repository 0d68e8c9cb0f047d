/**
 * The three-month follow-up: the job asks each delegate who attended (and,
 * where the policy says, their line manager) once, reminds once a week later,
 * and the private link works without an account, safe from mail scanners.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import { FollowUpRepository } from '../../src/data/repositories/afterCourse/followUpRepository.js';
import { findJob } from '../../src/jobs/registry.js';
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
const FOLLOW_UP_LINK = /\/follow-up\/([A-Za-z0-9_-]{43})\b/;
const OPT_OUT_LINK = /\/follow-up\/opt-out\/([A-Za-z0-9_-]{43})\b/;

eachDatabase('the three-month follow-up', (dialect) => {
  let t: TestApp;
  let clock: SettableClock;
  /** Ended 90 days ago; ended 120 days ago; ended 10 days ago. */
  let due: number;
  let longAgo: number;
  let recent: number;
  /** Ended 10 days ago too, for the figures alone. */
  let counted: number;
  let keyAreaId: number;
  let labels = 0;

  beforeAll(async () => {
    clock = settableClock(TEST_NOW);
    t = await createTestApp(dialect, { demo: false, clock });
    const now = new Date(TEST_NOW);
    const start = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY - 6 * HOUR - HOUR);
    [due, longAgo, recent, counted] = (await createBookableSessions(
      t.database.db,
      now,
      [start(90), start(120), start(10), start(10)],
      50,
    )) as [number, number, number, number];
    keyAreaId = (await t.database.db.selectFrom('course_key_areas').select('id').executeTakeFirstOrThrow())
      .id;
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    clock.set(TEST_NOW);
    await t.services.settings.updatePolicy({ followUpLineManagers: false, followUpDays: 90 });
  });

  /** A delegate with a place on `sessionId`, marked `status`, with a line manager of their own. */
  async function delegateAt(sessionId: number, status: 'attended' | 'partial' | 'absent' | null) {
    labels += 1;
    const [delegate] = await createSignedInDelegates(t.database.db, clock.now(), 1, `u${labels}`);
    const manager = `manager.u${labels}@council.example.org.uk`;
    await t.database.db
      .updateTable('delegates')
      .set({ line_manager_name: `Manager ${labels}`, line_manager_email: manager })
      .where('id', '=', delegate!.id)
      .execute();
    const bookingId = await bookOn(delegate!.id, sessionId, status);
    return { ...delegate!, manager, bookingId };
  }

  async function bookOn(
    delegateId: number,
    sessionId: number,
    status: 'attended' | 'partial' | 'absent' | null,
  ) {
    const reference = newBookingReference();
    await new DemoRepository(t.database.db).insertBookings(
      [{ reference, sessionId, delegateId, state: 'confirmed', offerExpiresAt: null }],
      clock.now(),
    );
    const booking = await t.database.db
      .selectFrom('bookings')
      .where('reference', '=', reference)
      .select('id')
      .executeTakeFirstOrThrow();
    if (status) {
      const part = await t.database.db
        .selectFrom('session_parts')
        .where('session_id', '=', sessionId)
        .select('id')
        .executeTakeFirstOrThrow();
      await t.database.db
        .insertInto('attendance')
        .values({
          booking_id: booking.id,
          session_part_id: part.id,
          status,
          note: '',
          marked_by_staff_id: null,
          marked_at: clock.now().toISOString(),
        })
        .execute();
    }
    return booking.id;
  }

  function emailsTo(email: string, kind?: 'follow_up_request' | 'follow_up_reminder') {
    const query = t.database.db
      .selectFrom('outbox_messages')
      .where('to_address', '=', email)
      .where('kind', 'in', kind ? [kind] : ['follow_up_request', 'follow_up_reminder']);
    return query.selectAll().orderBy('id').execute();
  }

  /** The follow-up link (path) in the latest follow-up email to `email`. */
  async function linkTo(email: string, pattern = FOLLOW_UP_LINK): Promise<string> {
    const messages = await emailsTo(email);
    const match = pattern.exec(messages.at(-1)!.text_body);
    if (!match) throw new Error('no link in the email');
    return pattern === OPT_OUT_LINK ? `/follow-up/opt-out/${match[1]}` : `/follow-up/${match[1]}`;
  }

  async function request(bookingId: number, respondent: 'delegate' | 'line_manager') {
    return t.database.db
      .selectFrom('follow_up_requests')
      .where('booking_id', '=', bookingId)
      .where('respondent', '=', respondent)
      .selectAll()
      .executeTakeFirst();
  }

  describe('the job', () => {
    it('asks each delegate who attended, once, the set number of days after the session, and not line managers unless the policy says', async () => {
      const attended = await delegateAt(due, 'attended');
      const partly = await delegateAt(due, 'partial');
      const absent = await delegateAt(due, 'absent');
      const unmarked = await delegateAt(due, null);
      const stale = await delegateAt(longAgo, 'attended');
      const notYet = await delegateAt(recent, 'attended');

      const job = findJob('follow-ups')!;
      expect(job.cadence).toEqual({ every: 'hour' });
      // Two processes at once still send each request once.
      await Promise.all([
        job.run({ services: t.services, outboxSender: () => undefined as never }),
        t.services.followUp.sendRequests(),
      ]);
      expect(await t.services.followUp.sendRequests()).toBe(0);

      expect(await emailsTo(attended.email)).toHaveLength(1);
      expect(await emailsTo(partly.email)).toHaveLength(1);
      for (const nobody of [absent, unmarked, stale, notYet])
        expect(await emailsTo(nobody.email)).toEqual([]);
      // Managers are not asked while the policy says no.
      expect(await emailsTo(attended.manager)).toEqual([]);

      const email = (await emailsTo(attended.email))[0]!;
      expect(email.subject).toContain('Has your practice changed since');
      expect(normalise(email.text_body)).toContain('we ask everyone who attended once, 90 days later');
      // Only the token's hash is kept.
      const token = FOLLOW_UP_LINK.exec(email.text_body)![1]!;
      const stored = await t.database.db.selectFrom('private_links').select('token_hash').execute();
      expect(stored.map((s) => s.token_hash)).not.toContain(token);
    });

    it('asks line managers too where the policy says, once, never one who opted out or said the delegate left', async () => {
      await t.services.settings.updatePolicy({ followUpLineManagers: true });
      const one = await delegateAt(due, 'attended');
      const optedOut = await delegateAt(due, 'attended');
      const noManager = await delegateAt(due, 'attended');
      await t.database.db
        .updateTable('delegates')
        .set({ line_manager_name: '', line_manager_email: '' })
        .where('id', '=', noManager.id)
        .execute();
      await new FollowUpRepository(t.database.db).optOut(optedOut.manager, clock.now().toISOString());

      await Promise.all([t.services.followUp.sendRequests(), t.services.followUp.sendRequests()]);
      await t.services.followUp.sendRequests();

      const toManager = await emailsTo(one.manager);
      expect(toManager).toHaveLength(1);
      expect(toManager[0]!.subject).toContain(`Has ${one.name}’s practice changed`);
      expect(toManager[0]!.text_body).toMatch(OPT_OUT_LINK);
      expect(normalise(toManager[0]!.text_body)).toContain('gave your email address as their line manager’s');
      // Not filed with the delegate's booking: it is not the delegate's email.
      expect(toManager[0]!.booking_id).toBeNull();
      expect(await emailsTo(optedOut.manager)).toEqual([]);
      expect(await emailsTo(optedOut.email)).toHaveLength(1);
      expect(await request(noManager.bookingId, 'line_manager')).toBeUndefined();
      // The delegate's and the manager's links are their own.
      expect(await linkTo(one.manager)).not.toBe(await linkTo(one.email));
    });

    it('reminds once, 7 days on, only those who have not answered and whose link still works', async () => {
      const quiet = await delegateAt(due, 'attended');
      const answers = await delegateAt(due, 'attended');
      await t.services.followUp.sendRequests();
      const browser = new WebClient(t.app);
      expect((await browser.submit(await linkTo(answers.email), {})).statusCode).toBe(303);

      clock.advance(6 * DAY);
      expect(await t.services.followUp.sendReminders()).toBe(0);
      clock.advance(DAY);
      await Promise.all([t.services.followUp.sendReminders(), t.services.followUp.sendReminders()]);
      expect(await emailsTo(quiet.email, 'follow_up_reminder')).toHaveLength(1);
      expect(await emailsTo(answers.email, 'follow_up_reminder')).toEqual([]);
      clock.advance(7 * DAY);
      await t.services.followUp.run();
      expect(await emailsTo(quiet.email, 'follow_up_reminder')).toHaveLength(1);

      // The reminder's own link works, and answers the one request.
      const reminder = (await emailsTo(quiet.email, 'follow_up_reminder'))[0]!;
      expect(reminder.subject).toMatch(/^Reminder: /);
      const link = await linkTo(quiet.email);
      expect((await browser.submit(link, { [`area-${keyAreaId}`]: 'a_little' })).statusCode).toBe(303);
      expect((await request(quiet.bookingId, 'delegate'))!.outcome).toBe('answered');
    });

    it('sends no reminder once the link has ended', async () => {
      const late = await delegateAt(due, 'attended');
      await t.services.followUp.sendRequests();
      clock.advance(31 * DAY);
      await t.services.followUp.sendReminders();
      expect(await emailsTo(late.email, 'follow_up_reminder')).toEqual([]);
    });
  });

  describe('the page', () => {
    it('changes nothing when opened (as a mail scanner does), and the link works afterwards, once', async () => {
      const delegate = await delegateAt(due, 'attended');
      await t.services.followUp.sendRequests();
      const link = await linkTo(delegate.email);

      const scanner = new WebClient(t.app);
      const opened = await scanner.get(link);
      expect(opened.statusCode).toBe(200);
      expect(opened.headers['cache-control']).toMatch(/no-store|private/);
      const page = parsePage(opened.body).document;
      expect(normalise(page.querySelector('h1')!.textContent!)).toBe('Has your practice changed?');
      expect(normalise(page.body.textContent!)).toContain('You may skip any question');
      expect(normalise(page.body.textContent!)).toContain('reports show them without names');
      expect(page.querySelector('form[action$="/no-longer-works-with-me"]')).toBeNull();
      await scanner.get(link);
      expect((await request(delegate.bookingId, 'delegate'))!.answered_at).toBeNull();

      const person = new WebClient(t.app);
      const csrf = parsePage((await person.get(link)).body)
        .document.querySelector('input[name="_csrf"]')!
        .getAttribute('value')!;
      const sent = await person.submit(link, {
        [`area-${keyAreaId}`]: 'somewhat',
        example: 'I now record concerns the same day.',
        obstacles: 'Caseload.',
      });
      expect(sent.statusCode).toBe(303);
      const saved = (await request(delegate.bookingId, 'delegate'))!;
      expect(saved).toMatchObject({ outcome: 'answered', example: 'I now record concerns the same day.' });
      const answers = await t.database.db
        .selectFrom('follow_up_answers')
        .where('request_id', '=', saved.id)
        .selectAll()
        .execute();
      expect(answers).toEqual([
        {
          request_id: saved.id,
          key_area_id: keyAreaId,
          key_area_text: 'Types of abuse',
          practice_change: 'somewhat',
        },
      ]);

      // The link now shows a thank-you, and a second send changes nothing.
      const thanks = await person.get(link);
      expect(thanks.statusCode).toBe(200);
      expect(normalise(parsePage(thanks.body).document.body.textContent!)).toContain('cannot be changed now');
      const again = await person.post(link, {
        _csrf: csrf,
        [`area-${keyAreaId}`]: 'a_lot',
      });
      expect(again.statusCode).toBe(303);
      expect((await request(delegate.bookingId, 'delegate'))!.example).toBe(
        'I now record concerns the same day.',
      );
    });

    it('explains an expired link kindly, and gives the ordinary 404 for a link that is not one', async () => {
      const delegate = await delegateAt(due, 'attended');
      await t.services.followUp.sendRequests();
      const link = await linkTo(delegate.email);
      clock.advance(30 * DAY + HOUR);
      const browser = new WebClient(t.app);
      const expired = await browser.get(link);
      expect(expired.statusCode).toBe(410);
      const text = normalise(parsePage(expired.body).document.body.textContent!);
      expect(text).toContain('This link has ended');
      expect(text).toContain('contact');

      expect((await browser.get('/follow-up/not-a-real-token')).statusCode).toBe(404);
      expect((await browser.get(`/follow-up/${'A'.repeat(43)}`)).statusCode).toBe(404);
      // Another purpose's link is not a follow-up link: a reset link is 404 here.
      await t.services.accounts.requestPasswordReset(delegate.email);
      const reset = await t.database.db
        .selectFrom('outbox_messages')
        .where('to_address', '=', delegate.email)
        .where('kind', '=', 'password_reset')
        .select('text_body')
        .executeTakeFirstOrThrow();
      const resetToken = /reset-password\/([A-Za-z0-9_-]+)/.exec(reset.text_body)![1]!;
      expect((await browser.get(`/follow-up/${resetToken}`)).statusCode).toBe(404);
      expect((await browser.get(`/follow-up/opt-out/${resetToken}`)).statusCode).toBe(404);
    });

    it('puts 100 KB of text and answers that are not choices right beside the field, keeping what was typed', async () => {
      const delegate = await delegateAt(due, 'attended');
      await t.services.followUp.sendRequests();
      const link = await linkTo(delegate.email);
      const browser = new WebClient(t.app);
      const response = await browser.submit(link, {
        [`area-${keyAreaId}`]: 'hugely',
        example: 'x'.repeat(100_000),
        obstacles: 'Time.',
      });
      expect(response.statusCode).toBe(400);
      const page = parsePage(response.body).document;
      expect(page.querySelector(`#area-${keyAreaId}-error`)!.textContent).toContain(
        'Choose one of the answers',
      );
      expect(page.querySelector('#example-error')!.textContent).toContain('2,000 characters or fewer');
      expect(page.querySelector('.govuk-error-summary')).not.toBeNull();
      expect(page.querySelector('#obstacles')!.textContent).toBe('Time.');
      expect((await request(delegate.bookingId, 'delegate'))!.answered_at).toBeNull();
    });

    it('lets a manager say the delegate no longer works with them: no reminder, and no more about them', async () => {
      await t.services.settings.updatePolicy({ followUpLineManagers: true });
      const delegate = await delegateAt(due, 'attended');
      await t.services.followUp.sendRequests();
      const link = await linkTo(delegate.manager);
      const manager = new WebClient(t.app);
      const page = parsePage((await manager.get(link)).body).document;
      expect(normalise(page.querySelector('h1')!.textContent!)).toBe(
        `Has ${delegate.name}’s practice changed?`,
      );
      const left = await manager.submit(link, {}, `${link}/no-longer-works-with-me`);
      expect(left.statusCode).toBe(303);
      expect((await request(delegate.bookingId, 'line_manager'))!.outcome).toBe('no_longer_works_with');
      expect(normalise(parsePage((await manager.get(link)).body).document.body.textContent!)).toContain(
        'We will not email you about them again',
      );
      // The delegate's own link cannot do this.
      const own = await linkTo(delegate.email);
      const ownPage = parsePage((await manager.get(own)).body).document;
      expect(ownPage.querySelector('form[action$="/no-longer-works-with-me"]')).toBeNull();

      clock.advance(7 * DAY);
      await t.services.followUp.sendReminders();
      expect(await emailsTo(delegate.manager, 'follow_up_reminder')).toEqual([]);

      // A later course of the same delegate: the delegate is asked, that manager is not.
      // (A second place on the same session stands in: the first, marked attended, is no longer live.)
      await t.database.db
        .updateTable('bookings')
        .set({ state: 'attended' })
        .where('id', '=', delegate.bookingId)
        .execute();
      const later = await bookOn(delegate.id, due, 'attended');
      await t.services.followUp.sendRequests();
      expect(await request(later, 'delegate')).toBeDefined();
      expect(await request(later, 'line_manager')).toBeUndefined();
    });

    it('opts a manager out from the email’s link: opening it changes nothing, pressing stops every follow-up and reminder', async () => {
      await t.services.settings.updatePolicy({ followUpLineManagers: true });
      const delegate = await delegateAt(due, 'attended');
      await t.services.followUp.sendRequests();
      const optOut = await linkTo(delegate.manager, OPT_OUT_LINK);
      const manager = new WebClient(t.app);
      const opened = await manager.get(optOut);
      expect(opened.statusCode).toBe(200);
      expect(normalise(parsePage(opened.body).document.body.textContent!)).toContain(
        'never send a follow-up email to',
      );
      expect(await new FollowUpRepository(t.database.db).hasOptedOut(delegate.manager)).toBe(false);
      expect((await manager.submit(optOut, {})).statusCode).toBe(303);
      expect(await new FollowUpRepository(t.database.db).hasOptedOut(delegate.manager)).toBe(true);
      expect(normalise(parsePage((await manager.get(optOut)).body).document.body.textContent!)).toContain(
        'You will not get follow-up emails',
      );

      clock.advance(7 * DAY);
      await t.services.followUp.sendReminders();
      expect(await emailsTo(delegate.manager, 'follow_up_reminder')).toEqual([]);
      expect(await emailsTo(delegate.email, 'follow_up_reminder')).toHaveLength(1);
    });

    it('opts a manager out from the follow-up page too', async () => {
      await t.services.settings.updatePolicy({ followUpLineManagers: true });
      const delegate = await delegateAt(due, 'attended');
      await t.services.followUp.sendRequests();
      const link = await linkTo(delegate.manager);
      const manager = new WebClient(t.app);
      expect((await manager.submit(link, {}, `${link}/opt-out`)).statusCode).toBe(303);
      expect(await new FollowUpRepository(t.database.db).hasOptedOut(delegate.manager)).toBe(true);
      // The delegate's own link cannot opt anyone out.
      const own = await linkTo(delegate.email);
      const refused = await manager.post(`${own}/opt-out`, { _csrf: 'x' });
      expect(refused.statusCode).toBeGreaterThanOrEqual(400);
      expect(refused.statusCode).toBeLessThan(500);
      expect(await new FollowUpRepository(t.database.db).hasOptedOut(delegate.email)).toBe(false);
    });
  });

  describe('the policy', () => {
    it('tells people registering that their line manager is emailed only once the hub asks managers', async () => {
      const visitor = new WebClient(t.app);
      const hint = async () =>
        normalise(
          parsePage((await visitor.get('/register')).body).document.querySelector('#line-manager-hint')!
            .textContent!,
        );
      expect(await hint()).toContain('We do not send your line manager any emails');
      await t.services.settings.updatePolicy({ followUpLineManagers: true, followUpDays: 100 });
      expect(await hint()).not.toContain('We do not send your line manager any emails');
      expect(await hint()).toContain(
        'About 100 days after a course you attended, we email your line manager once',
      );
    });

    it('is changed on the settings page, with a field message for days out of range', async () => {
      const admin = await signedInStaff(t, 'admin');
      const page = parsePage((await admin.get('/admin/settings')).body).document;
      const form = page.querySelector('form[action="/admin/settings"]')!;
      const fields: Record<string, string> = {};
      for (const input of form.querySelectorAll('input[name], textarea[name]')) {
        const name = input.getAttribute('name')!;
        if (input.getAttribute('type') === 'radio' && !input.hasAttribute('checked')) continue;
        fields[name] =
          input.tagName === 'TEXTAREA' ? input.textContent! : (input.getAttribute('value') ?? '');
      }
      expect(fields.followUpDays).toBe('90');
      expect(fields.followUpLineManagers).toBe('no');
      const bad = await admin.post('/admin/settings', { ...fields, followUpDays: '5' });
      expect(bad.statusCode).toBe(400);
      expect(parsePage(bad.body).document.querySelector('#followUpDays-error')!.textContent).toContain(
        'The days before the follow-up must be a whole number',
      );
      const good = await admin.post('/admin/settings', {
        ...fields,
        followUpDays: '120',
        followUpLineManagers: 'yes',
      });
      expect(good.statusCode).toBe(303);
      expect(await t.services.settings.policy()).toMatchObject({
        followUpDays: 120,
        followUpLineManagers: true,
      });
    });
  });

  describe('figures for reports', () => {
    it('counts requests, answers and each key area’s answers as the rows say', async () => {
      await t.services.settings.updatePolicy({ followUpLineManagers: true });
      // As the session's report reads them (services/afterCourse/reportService.ts).
      const coordinator = { id: 0, role: 'coordinator' as const, trainerId: null };
      const figures = async () =>
        (await t.services.reports.sessionReport(counted, coordinator)).report.followUp;
      expect((await figures()).total.delegate).toEqual({
        asked: 0,
        answered: 0,
        noLongerWorksWith: 0,
        rate: null,
        tooFew: true,
      });

      // On a session that ended 10 days ago, moved on to its follow-up day.
      const people = [
        await delegateAt(counted, 'attended'),
        await delegateAt(counted, 'attended'),
        await delegateAt(counted, 'attended'),
      ];
      clock.advance(80 * DAY + 2 * HOUR);
      await t.services.followUp.sendRequests();
      const browser = new WebClient(t.app);
      await browser.submit(await linkTo(people[0]!.email), { [`area-${keyAreaId}`]: 'a_lot' });
      await browser.submit(await linkTo(people[1]!.email), { [`area-${keyAreaId}`]: 'not_applicable' });
      await browser.submit(await linkTo(people[0]!.manager), { [`area-${keyAreaId}`]: 'a_lot' });
      const left = await linkTo(people[1]!.manager);
      await browser.submit(left, {}, `${left}/no-longer-works-with-me`);

      const { total, courses } = await figures();
      expect(total).toEqual({
        delegate: { asked: 3, answered: 2, noLongerWorksWith: 0, rate: 2 / 3, tooFew: true },
        line_manager: { asked: 3, answered: 1, noLongerWorksWith: 1, rate: 1 / 3, tooFew: true },
      });
      expect(courses.flatMap((course) => course.keyAreas)).toEqual([
        {
          wording: 'Types of abuse',
          stillAsked: true,
          byRespondent: {
            delegate: {
              counts: { not_at_all: 0, a_little: 0, somewhat: 0, a_lot: 1, not_applicable: 1 },
              onScale: 1,
              tooFew: true,
            },
            line_manager: {
              counts: { not_at_all: 0, a_little: 0, somewhat: 0, a_lot: 1, not_applicable: 0 },
              onScale: 1,
              tooFew: true,
            },
          },
        },
      ]);
    });
  });
});
