/**
 * Feedback on the learning outcomes: everyone marked as at a session is
 * invited once after it ends (an email and a notice in Your bookings), and
 * can answer, skip any question, and change their answers for 30 days.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { FeedbackRepository } from '../../src/data/repositories/afterCourse/feedbackRepository.js';
import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import { DELEGATE_SESSION_LIMITS } from '../../src/domain/accounts/accounts.js';
import { findJob } from '../../src/jobs/registry.js';
import { newBookingReference } from '../../src/services/bookings/bookingReference.js';
import { SignInSessions } from '../../src/services/accounts/signInSessions.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import {
  createBookableSessions,
  createSignedInDelegates,
  SEEDED_COURSE_TITLE,
} from '../support/seedDelegates.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SESSION_COOKIE = '__Host-trellis_session';

eachDatabase('feedback on the learning outcomes', (dialect) => {
  let t: TestApp;
  let clock: SettableClock;
  /** Ended yesterday; ended three weeks ago; starts tomorrow. */
  let ended: number;
  let longAgo: number;
  let upcoming: number;
  let outcomeId: number;
  let labels = 0;

  beforeAll(async () => {
    clock = settableClock(TEST_NOW);
    t = await createTestApp(dialect, { demo: false, clock });
    const now = new Date(TEST_NOW);
    const ids = await createBookableSessions(
      t.database.db,
      now,
      [new Date(now.getTime() - 2 * DAY), new Date(now.getTime() - 21 * DAY), new Date(now.getTime() + DAY)],
      20,
    );
    [ended, longAgo, upcoming] = ids as [number, number, number];
    const outcome = await t.database.db
      .selectFrom('course_learning_outcomes')
      .select('id')
      .executeTakeFirstOrThrow();
    outcomeId = outcome.id;
  });
  afterAll(() => t.close());
  beforeEach(() => clock.set(TEST_NOW));

  /** A delegate with a place on `sessionId`, marked as `status` for its one part, signed in. */
  async function delegateAt(sessionId: number, status: 'attended' | 'partial' | 'absent' | null) {
    labels += 1;
    const [delegate] = await createSignedInDelegates(t.database.db, clock.now(), 1, `f${labels}`);
    const reference = newBookingReference();
    await new DemoRepository(t.database.db).insertBookings(
      [{ reference, sessionId, delegateId: delegate!.id, state: 'confirmed', offerExpiresAt: null }],
      clock.now(),
    );
    if (status) {
      const booking = await t.database.db
        .selectFrom('bookings')
        .where('reference', '=', reference)
        .select('id')
        .executeTakeFirstOrThrow();
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
    const client = new WebClient(t.app);
    client.setCookie(SESSION_COOKIE, delegate!.sessionSecret);
    return { ...delegate!, reference, client };
  }

  async function signInAgain(delegateId: number, client: WebClient) {
    const secret = await new SignInSessions(t.database.db).start(
      { kind: 'delegate', id: delegateId },
      DELEGATE_SESSION_LIMITS,
      clock.now(),
    );
    client.setCookie(SESSION_COOKIE, secret);
  }

  function invitationsTo(email: string) {
    return t.database.db
      .selectFrom('outbox_messages')
      .where('to_address', '=', email)
      .where('kind', '=', 'feedback_invitation')
      .selectAll()
      .execute();
  }

  /** An attended delegate, invited by the job. */
  async function invitedDelegate() {
    const delegate = await delegateAt(ended, 'attended');
    await t.services.feedback.sendInvitations();
    return delegate;
  }

  describe('the invitation job', () => {
    it('invites, once, those marked attended or partly attended at a session that has ended', async () => {
      const attended = await delegateAt(ended, 'attended');
      const partly = await delegateAt(ended, 'partial');
      const absent = await delegateAt(ended, 'absent');
      const unmarked = await delegateAt(ended, null);
      const notYet = await delegateAt(upcoming, null);
      const stale = await delegateAt(longAgo, 'attended');

      const job = findJob('feedback-invitations')!;
      expect(job.cadence).toEqual({ every: 'hour' });
      // Two processes running the job at once still send each invitation once.
      await Promise.all([
        job.run({ services: t.services, outboxSender: () => undefined as never }),
        t.services.feedback.sendInvitations(),
      ]);
      expect(await t.services.feedback.sendInvitations()).toBe(0);

      expect(await invitationsTo(attended.email)).toHaveLength(1);
      expect(await invitationsTo(partly.email)).toHaveLength(1);
      for (const left of [absent, unmarked, notYet, stale]) {
        expect(await invitationsTo(left.email)).toHaveLength(0);
      }

      const [email] = await invitationsTo(attended.email);
      expect(email!.subject).toBe(`How was ${SEEDED_COURSE_TITLE}?`);
      const link = `https://training.example.org.uk/bookings/${attended.reference}/feedback`;
      expect(email!.text_body).toContain(link);
      expect(email!.html_body).toContain(`href="${link}"`);
      expect(email!.text_body).toContain('You are getting this email because you were at');
      expect(email!.text_body).toContain('Every question is optional');
      expect(email!.html_body).toContain('Every question is optional');
    });
  });

  describe('Your bookings', () => {
    it('asks an invited delegate for feedback until they give it', async () => {
      const delegate = await invitedDelegate();
      const list = parsePage((await delegate.client.get('/bookings')).body);
      expect(list.links('.govuk-notification-banner a')).toContainEqual({
        text: expect.stringContaining(`Give feedback on ${SEEDED_COURSE_TITLE}`),
        href: `/bookings/${delegate.reference}/feedback`,
      });

      const sent = await delegate.client.submit(`/bookings/${delegate.reference}/feedback`, {});
      expect(sent.statusCode).toBe(303);
      const after = parsePage((await delegate.client.get('/bookings')).body);
      expect(after.links('.govuk-notification-banner a')).toEqual([]);
    });

    it('asks nobody who was not invited', async () => {
      const delegate = await delegateAt(ended, 'absent');
      await t.services.feedback.sendInvitations();
      const list = parsePage((await delegate.client.get('/bookings')).body);
      expect(list.text()).not.toContain('Give feedback');
      expect((await delegate.client.get(`/bookings/${delegate.reference}/feedback`)).statusCode).toBe(404);
    });
  });

  describe('the form', () => {
    it("is the ordinary 404 for another delegate's booking", async () => {
      const owner = await invitedDelegate();
      const other = await delegateAt(upcoming, null);
      const response = await other.client.get(`/bookings/${owner.reference}/feedback`);
      expect(response.statusCode).toBe(404);
      const posted = await other.client.post(`/bookings/${owner.reference}/feedback`, { usefulness: '5' });
      expect([403, 404]).toContain(posted.statusCode);
    });

    it('says what it is for, who sees it, that any question may be skipped, and asks each learning outcome in words', async () => {
      const delegate = await invitedDelegate();
      const response = await delegate.client.get(`/bookings/${delegate.reference}/feedback`);
      expect(response.statusCode).toBe(200);
      const page = parsePage(response.body);
      expect(page.text()).toContain('improve its courses');
      expect(page.text()).toContain('its training team sees who wrote them');
      expect(page.text()).toContain(
        'The trainers of your session and the people who read the hub’s reports see your answers without your name',
      );
      // The hub does not hold certificates for feedback unless its policy says so.
      expect(page.text()).toContain('never affects your certificate');
      expect(page.text()).toContain('You can skip any question');
      expect(page.text()).toContain('Know how to raise a concern');
      const labelsOf = (name: string) =>
        [...page.document.querySelectorAll(`input[name="${name}"]`)].map((input) =>
          page.document.querySelector(`label[for="${input.getAttribute('id')}"]`)?.textContent?.trim(),
        );
      expect(labelsOf(`before-${outcomeId}`)).toEqual([
        'Not at all confident',
        'Slightly confident',
        'Somewhat confident',
        'Fairly confident',
        'Very confident',
      ]);
      expect(labelsOf(`after-${outcomeId}`)).toHaveLength(5);
      expect(labelsOf('quoteConsent')).toEqual([
        'No, do not publish anything I have written',
        'Yes, without my name or job role',
        'Yes, with my job role',
        'Yes, with my name and job role',
      ]);
    });

    it('stores answers by learning outcome, shows them again, and lets them be changed for 30 days', async () => {
      const delegate = await invitedDelegate();
      const url = `/bookings/${delegate.reference}/feedback`;
      const sent = await delegate.client.submit(url, {
        [`before-${outcomeId}`]: '2',
        [`after-${outcomeId}`]: '4',
        usefulness: '5',
        doDifferently: 'Write down exactly what the child said.',
        hubShouldChange: 'More time for the case study.',
        quote: 'The best safeguarding day I have had.',
        quoteConsent: 'job_role',
      });
      expect(sent.statusCode).toBe(303);
      expect(sent.headers.location).toBe(`${url}?saved=1`);

      const saved = await t.database.db
        .selectFrom('feedback_responses')
        .innerJoin('bookings', 'bookings.id', 'feedback_responses.booking_id')
        .where('bookings.reference', '=', delegate.reference)
        .select(['feedback_responses.id', 'usefulness', 'do_differently', 'quote', 'quote_consent'])
        .executeTakeFirstOrThrow();
      expect(saved).toMatchObject({
        usefulness: 5,
        do_differently: 'Write down exactly what the child said.',
        quote: 'The best safeguarding day I have had.',
        quote_consent: 'job_role',
      });
      const answers = await t.database.db
        .selectFrom('feedback_outcome_answers')
        .where('response_id', '=', saved.id)
        .select(['learning_outcome_id', 'outcome_text', 'confidence_before', 'confidence_after'])
        .execute();
      expect(answers).toEqual([
        {
          learning_outcome_id: outcomeId,
          outcome_text: 'Know how to raise a concern',
          confidence_before: 2,
          confidence_after: 4,
        },
      ]);

      const page = parsePage((await delegate.client.get(`${url}?saved=1`)).body);
      expect(page.text()).toContain('We have saved your feedback');
      expect(page.text()).toContain('You can change your answers until');
      expect(
        page.document.querySelector(`input[name="after-${outcomeId}"][value="4"]`)?.hasAttribute('checked'),
      ).toBe(true);
      expect(page.document.querySelector('textarea[name="hubShouldChange"]')?.textContent).toBe(
        'More time for the case study.',
      );

      clock.advance(29 * DAY);
      await signInAgain(delegate.id, delegate.client);
      const changed = await delegate.client.submit(url, { usefulness: '3', quote: '', quoteConsent: 'no' });
      expect(changed.statusCode).toBe(303);
      const again = await t.database.db
        .selectFrom('feedback_responses')
        .where('id', '=', saved.id)
        .select(['usefulness', 'quote_consent'])
        .executeTakeFirstOrThrow();
      expect(again).toEqual({ usefulness: 3, quote_consent: 'no' });

      clock.advance(2 * DAY);
      await signInAgain(delegate.id, delegate.client);
      const closed = await delegate.client.get(url);
      expect(closed.statusCode).toBe(200);
      expect(parsePage(closed.body).text()).toContain('can no longer be changed');
      expect(parsePage(closed.body).document.querySelector('form[action$="/feedback"]')).toBeNull();
      // Posting anyway (an old tab) is refused and changes nothing.
      const late = await delegate.client.post(url, {
        _csrf: parsePage((await delegate.client.get('/bookings')).body)
          .document.querySelector('input[name="_csrf"]')!
          .getAttribute('value')!,
        usefulness: '1',
      });
      expect(late.statusCode).toBe(409);
      expect(parsePage(late.body).text()).toContain('can no longer be changed');
      const unchanged = await t.database.db
        .selectFrom('feedback_responses')
        .where('id', '=', saved.id)
        .select('usefulness')
        .executeTakeFirstOrThrow();
      expect(unchanged.usefulness).toBe(3);
    });

    it('keeps one set of answers when the form is saved twice at once', async () => {
      const delegate = await invitedDelegate();
      const booking = await t.database.db
        .selectFrom('bookings')
        .where('reference', '=', delegate.reference)
        .select('id')
        .executeTakeFirstOrThrow();
      const answers = {
        outcomes: [
          {
            learningOutcomeId: outcomeId,
            outcomeText: 'Know how to raise a concern',
            confidenceBefore: 1,
            confidenceAfter: 5,
          },
        ],
        usefulness: 4,
        doDifferently: '',
        hubShouldChange: '',
        quote: '',
        quoteConsent: null,
      };
      // Two requests, each on a connection of its own, as two web processes would be.
      const saves = [0, 1].map(() =>
        t.database.db
          .transaction()
          .execute((trx) => new FeedbackRepository(trx).save(booking.id, answers, clock.now().toISOString())),
      );
      await Promise.all(saves);
      const rows = await t.database.db
        .selectFrom('feedback_responses')
        .innerJoin(
          'feedback_outcome_answers',
          'feedback_outcome_answers.response_id',
          'feedback_responses.id',
        )
        .where('feedback_responses.booking_id', '=', booking.id)
        .select(['usefulness', 'confidence_before', 'confidence_after'])
        .execute();
      expect(rows).toEqual([{ usefulness: 4, confidence_before: 1, confidence_after: 5 }]);
    });

    it('lets a quote be withdrawn at any time, from the booking, after the 30 days too', async () => {
      const delegate = await invitedDelegate();
      const url = `/bookings/${delegate.reference}/feedback`;
      const sent = await delegate.client.submit(url, { quote: 'Clear and kind.', quoteConsent: 'name' });
      expect(sent.statusCode).toBe(303);

      clock.advance(40 * DAY);
      await signInAgain(delegate.id, delegate.client);
      const booking = parsePage((await delegate.client.get(`/bookings/${delegate.reference}`)).body);
      expect(booking.links()).toContainEqual({
        text: 'Give or change your feedback, or withdraw a quote',
        href: url,
      });
      const page = parsePage((await delegate.client.get(url)).body);
      expect(page.text()).toContain('can no longer be changed');
      expect(page.text()).toContain('You said we may publish this quote: Clear and kind.');

      // Nobody else can withdraw it.
      const other = await delegateAt(upcoming, null);
      const otherCsrf = parsePage((await other.client.get('/bookings')).body)
        .document.querySelector('input[name="_csrf"]')!
        .getAttribute('value')!;
      expect((await other.client.post(`${url}/withdraw-quote`, { _csrf: otherCsrf })).statusCode).toBe(404);

      const withdrawn = await delegate.client.submit(url, {}, `${url}/withdraw-quote`);
      expect(withdrawn.statusCode).toBe(303);
      expect(withdrawn.headers.location).toBe(`${url}?withdrawn=1`);
      const after = parsePage((await delegate.client.get(`${url}?withdrawn=1`)).body);
      expect(after.text()).toContain('You have withdrawn your quote. We will not publish it');
      expect(after.document.querySelector(`form[action="${url}/withdraw-quote"]`)).toBeNull();
      const row = await t.database.db
        .selectFrom('feedback_responses')
        .innerJoin('bookings', 'bookings.id', 'feedback_responses.booking_id')
        .where('bookings.reference', '=', delegate.reference)
        .select('quote_consent')
        .executeTakeFirstOrThrow();
      expect(row.quote_consent).toBe('no');
    });

    it('accepts a form with every question skipped', async () => {
      const delegate = await invitedDelegate();
      const sent = await delegate.client.submit(`/bookings/${delegate.reference}/feedback`, {});
      expect(sent.statusCode).toBe(303);
    });

    it('gives field messages, never a 500, for too much text and for values it did not offer, keeping what was typed', async () => {
      const delegate = await invitedDelegate();
      const url = `/bookings/${delegate.reference}/feedback`;
      const response = await delegate.client.submit(url, {
        [`before-${outcomeId}`]: '7',
        [`after-${outcomeId}`]: '0',
        usefulness: 'very',
        doDifferently: 'x'.repeat(100_000),
        hubShouldChange: 'Shorter lunch.',
        quoteConsent: 'everyone',
      });
      expect(response.statusCode).toBe(400);
      const page = parsePage(response.body);
      const summary = page.links('.govuk-error-summary a');
      expect(summary.map((l) => l.href)).toEqual([
        `#before-${outcomeId}`,
        `#after-${outcomeId}`,
        '#usefulness',
        '#doDifferently',
        '#quoteConsent',
      ]);
      expect(page.text()).toContain('What you will do differently must be 2,000 characters or fewer');
      expect(page.text()).toContain('Choose how confident you felt before the course, or leave it empty');
      expect(page.document.querySelector('#doDifferently-error')).not.toBeNull();
      expect(page.document.querySelector('textarea[name="hubShouldChange"]')?.textContent).toBe(
        'Shorter lunch.',
      );
      expect(
        await t.database.db
          .selectFrom('feedback_responses')
          .innerJoin('bookings', 'bookings.id', 'feedback_responses.booking_id')
          .where('bookings.reference', '=', delegate.reference)
          .select('feedback_responses.id')
          .execute(),
      ).toEqual([]);
    });

    it('asks for the quote when one may be published but none is written', async () => {
      const delegate = await invitedDelegate();
      const response = await delegate.client.submit(`/bookings/${delegate.reference}/feedback`, {
        quoteConsent: 'name',
      });
      expect(response.statusCode).toBe(400);
      expect(parsePage(response.body).text()).toContain('Write the quote we may publish');
    });
  });
});
