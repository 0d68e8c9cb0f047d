/**
 * After the course, the whole way through in one browser session per person,
 * as issue 9 walks it: a coordinator marks attendance on a finished session →
 * the delegate is emailed, downloads the certificate (its text read back:
 * name, course, date, CPD hours, number) and opens its verification address →
 * answers the feedback form and agrees to a quote → the coordinator shows the
 * quote → it is on the course page → the delegate withdraws it → it is gone
 * at once. Then the clock moves 90 days: the follow-up goes to the line
 * manager, a mail scanner opens the link first (nothing happens), the manager
 * answers, and the answer is counted in the course report. Run twice: with
 * JavaScript (axe on every page) and without it for the delegate, the visitor
 * and the manager (axe cannot run there; each page's script-free rendering
 * is checked with axe by its own browser test).
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';

import { formatDate } from '../../src/domain/time/time.js';
import { TEST_NOW } from '../support/app.js';
import { settableClock } from '../support/clock.js';
import { pdfText } from '../support/pdfText.js';
import { finishedSession, placeTaken, SEED_COURSE_SLUG as SLUG } from '../support/finishedSessions.js';
import { navigateFollowingRedirects } from './accountSupport.js';
import { staffInBrowser } from './staffSupport.js';
import { expectNoAxeViolations, expectNoPageProblems, useE2E, visit } from './support.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
// A real name as a delegate registers it: the certificate's font must have every letter.
const NAME = 'Siân O’Connor-Wójcik';
const MODES = [
  { mode: 'with JavaScript', javaScriptEnabled: true, label: 'afterjs' },
  { mode: 'without JavaScript', javaScriptEnabled: false, label: 'afternojs' },
] as const;
const QUOTE = 'I plan the first conversation with the family now, not for them.';
const TIMEOUT = 240_000;

describe.runIf(inject('chromiumAvailable'))('after the course, from the register to the board report', () => {
  const clock = settableClock(TEST_NOW);
  const e2e = useE2E({ clock });
  let courseId: number;
  let journeys = 0;

  beforeAll(async () => {
    await e2e.testApp.services.settings.updatePolicy({ followUpLineManagers: true });
  });

  /** Yesterday's session, finished, with one delegate (and their line manager) on its register. */
  async function finishedSessionWithDelegate(label: string) {
    const db = e2e.testApp.database.db;
    const session = await finishedSession(db, new Date(clock.now().getTime() - DAY), clock.now());
    courseId = session.courseId;
    const { delegate, reference } = await placeTaken(db, session.sessionId, clock.now(), label, {
      attended: false,
    });
    const manager = `gwen.manager.${label}@council.example.org.uk`;
    await db
      .updateTable('delegates')
      .set({ name: NAME, line_manager_name: 'Gwen Price', line_manager_email: manager })
      .where('id', '=', delegate.id)
      .execute();
    return { ...session, reference, manager, delegateEmail: delegate.email, secret: delegate.sessionSecret };
  }

  async function delegateInBrowser(secret: string, javaScriptEnabled: boolean) {
    const watched = await e2e.newPage({ javaScriptEnabled });
    await watched.context.addCookies([
      { name: '__Host-trellis_session', value: secret, url: e2e.baseUrl.replace(/^http:/, 'https:') },
    ]);
    return watched;
  }

  async function newestEmail(to: string, kind: string) {
    return e2e.testApp.database.db
      .selectFrom('outbox_messages')
      .where('to_address', '=', to)
      .where('kind', '=', kind)
      .orderBy('id', 'desc')
      .select(['subject', 'text_body'])
      .executeTakeFirstOrThrow();
  }

  it.each(MODES)(
    '$mode: certificate, feedback, a quote shown and withdrawn, and the manager’s follow-up in the course report',
    async ({ javaScriptEnabled, label }) => {
      const db = e2e.testApp.database.db;
      clock.set(TEST_NOW);
      const {
        sessionId,
        courseTitle,
        startsAt,
        reference,
        manager: MANAGER,
        delegateEmail,
        secret,
      } = await finishedSessionWithDelegate(label);
      /** axe needs script: without it, each page's script-free rendering is checked by its own test. */
      const axe = (page: Page, where: string) =>
        javaScriptEnabled ? expectNoAxeViolations(page, where) : Promise.resolve();

      // 1. The coordinator marks the delegate attended on the finished session.
      const coordinator = await staffInBrowser(e2e, 'coordinator');
      const staff = coordinator.page;
      await visit(staff, e2e.url(`/admin/sessions/${sessionId}/attendance`));
      await staff
        .getByRole('group', { name: new RegExp(NAME) })
        .getByLabel('Attended', { exact: true })
        .check();
      expect(
        await navigateFollowingRedirects(staff, () =>
          staff.getByRole('button', { name: 'Save attendance' }).click(),
        ),
      ).toBe(200);
      await expectNoAxeViolations(staff, 'attendance saved');

      // 2. The delegate is told by email and downloads the certificate from Your bookings.
      const ready = await newestEmail(delegateEmail, 'certificate_ready');
      expect(ready.text_body).toContain(`/bookings/${reference}`);
      const delegate = await delegateInBrowser(secret, javaScriptEnabled);
      await visit(delegate.page, e2e.url('/bookings'));
      const download = delegate.page.getByRole('link', { name: /Download your certificate of attendance/ });
      await axe(delegate.page, 'Your bookings with a certificate');
      const pdfResponse = await delegate.page.request.get(
        e2e.url((await download.first().getAttribute('href'))!),
      );
      expect(pdfResponse.status()).toBe(200);
      expect(pdfResponse.headers()['content-type']).toBe('application/pdf');
      const text = pdfText(await pdfResponse.body());
      const certificate = await db
        .selectFrom('certificates')
        .innerJoin('bookings', 'bookings.id', 'certificates.booking_id')
        .where('bookings.reference', '=', reference)
        .where('certificates.withdrawn_at', 'is', null)
        .select('certificates.number')
        .executeTakeFirstOrThrow();
      expect(text).toContain(NAME);
      expect(text).toContain(courseTitle);
      expect(text).toContain(formatDate(startsAt));
      expect(text).toMatch(/CPD hours/i);
      expect(text).toContain(certificate.number);

      // 3. The verification address the certificate carries confirms it, to anyone.
      const visitor = await e2e.newPage({ javaScriptEnabled });
      await visit(visitor.page, e2e.url(`/certificates/${certificate.number}`));
      const verified = (await visitor.page.locator('main').textContent()) ?? '';
      expect(verified).toContain(NAME);
      expect(verified).toContain(courseTitle);
      await axe(visitor.page, 'the verification page');

      // 4. Invited to give feedback, the delegate answers and agrees to a quote with their name.
      await e2e.testApp.services.feedback.sendInvitations();
      expect((await newestEmail(delegateEmail, 'feedback_invitation')).text_body).toContain(
        `/bookings/${reference}/feedback`,
      );
      await visit(delegate.page, e2e.url(`/bookings/${reference}/feedback`));
      await axe(delegate.page, 'the feedback form');
      const beforeGroups = delegate.page.getByRole('group', { name: /^Before the course/ });
      const nowGroups = delegate.page.getByRole('group', { name: /^Now/ });
      await beforeGroups.first().getByLabel('Slightly confident').check();
      await nowGroups.first().getByLabel('Very confident').check();
      await delegate.page
        .getByLabel('What is one thing you will do differently?')
        .fill('Plan with families.');
      await delegate.page.getByLabel('Your quote').fill(QUOTE);
      await delegate.page.getByLabel('Yes, with my name and job role').check();
      expect(
        await navigateFollowingRedirects(delegate.page, () =>
          delegate.page.getByRole('button', { name: 'Send your feedback' }).click(),
        ),
      ).toBe(200);
      await axe(delegate.page, 'feedback sent');

      // 5. The coordinator shows the quote; a visitor sees it on the course page.
      await visit(staff, e2e.url(`/admin/courses/${courseId}/quotes`));
      await expectNoAxeViolations(staff, 'the quotes page');
      expect(
        await navigateFollowingRedirects(staff, () =>
          staff
            .locator('.govuk-summary-card', { hasText: QUOTE })
            .filter({ has: staff.getByRole('button', { name: 'Show this quote on the course page' }) })
            .getByRole('button', { name: 'Show this quote on the course page' })
            .click(),
        ),
      ).toBe(200);
      await visit(visitor.page, e2e.url(`/courses/${SLUG}`));
      const figure = visitor.page.locator('figure.trellis-testimonial', { hasText: QUOTE });
      expect(await figure.locator('figcaption').textContent()).toContain(NAME);
      await axe(visitor.page, 'the course page with the quote');

      // 6. The delegate withdraws it; the next visit to the (cached) course page no longer has it.
      await visit(delegate.page, e2e.url(`/bookings/${reference}/feedback`));
      expect(
        await navigateFollowingRedirects(delegate.page, () =>
          delegate.page.getByRole('button', { name: 'Withdraw my quote' }).click(),
        ),
      ).toBe(200);
      await visit(visitor.page, e2e.url(`/courses/${SLUG}`));
      expect(await visitor.page.locator('main').textContent()).not.toContain(QUOTE);
      expectNoPageProblems(delegate.problems, 'the delegate’s pages');

      // 7. Ninety days on, the follow-up goes to the delegate and their line manager.
      clock.advance(90 * DAY);
      await e2e.testApp.services.followUp.sendRequests();
      const managerEmail = await newestEmail(MANAGER, 'follow_up_request');
      const managerLink = /https?:\S+\/follow-up\/[A-Za-z0-9_-]{43}/.exec(managerEmail.text_body)![0];
      const path = new URL(managerLink).pathname;

      // A mail scanner opens the link first, with no cookies: it sees the questions, and nothing is answered.
      const scanned = await fetch(e2e.url(path));
      expect(scanned.status).toBe(200);
      const answeredBefore = await db
        .selectFrom('follow_up_requests')
        .where('email', '=', MANAGER)
        .where('answered_at', 'is not', null)
        .select('id')
        .execute();
      expect(answeredBefore).toEqual([]);

      // The manager opens it after the scanner, and it works.
      const manager = await e2e.newPage({ javaScriptEnabled });
      await visit(manager.page, e2e.url(path));
      expect(await manager.page.locator('h1').textContent()).toContain(`${NAME}’s practice`);
      await axe(manager.page, 'the manager’s follow-up');
      await manager.page.getByRole('group').first().getByLabel('A lot').check();
      await manager.page.getByLabel(/An example/).fill('Siân now plans visits with the family.');
      expect(
        await navigateFollowingRedirects(manager.page, () =>
          manager.page.getByRole('button', { name: 'Send your answers' }).click(),
        ),
      ).toBe(200);
      expect(await manager.page.locator('.govuk-panel__title').textContent()).toContain('Thank you');
      await axe(manager.page, 'the follow-up thank-you page');
      expectNoPageProblems(manager.problems, 'the manager’s pages');

      // 8. The course report counts the manager's answer (a coordinator signs in again, 90 days on).
      const later = await staffInBrowser(e2e, 'coordinator');
      const query = new URLSearchParams({
        course: String(courseId),
        'from-day': '1',
        'from-month': '12',
        'from-year': '2025',
        'to-day': '31',
        'to-month': '1',
        'to-year': '2026',
      });
      await visit(later.page, e2e.url(`/admin/reports/course?${query.toString()}`));
      await expectNoAxeViolations(later.page, 'the course report with follow-up answers');
      const report = later.page.locator('#follow-up');
      // Asked and answered by each journey's manager so far (the report's period holds both
      // journeys' sessions); each journey's delegate was asked and has not answered.
      journeys += 1;
      const n = String(journeys);
      const counts = async (who: string) =>
        (await report.locator('#follow-up-total tbody tr', { hasText: who }).locator('td').allTextContents())
          .map((text) => text.trim())
          .slice(0, 2);
      expect(await counts('Line managers')).toEqual([n, n]);
      expect(await counts('Delegates')).toEqual([n, '0']);
      // The manager's "A lot", drawn beside its table.
      const chart = report.getByRole('img', { name: /^Whether practice changed: / }).first();
      expect(await chart.isVisible()).toBe(true);
      expect(await chart.locator('desc').textContent()).toContain(
        `Line managers: ${n} ${journeys === 1 ? 'answer' : 'answers'} on the scale`,
      );
      expectNoPageProblems(coordinator.problems, 'the coordinator’s pages');
      expectNoPageProblems(later.problems, 'the course report');
    },
    TIMEOUT,
  );
});
