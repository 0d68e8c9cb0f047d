/**
 * Emails as written into the outbox, read back through the development
 * mailbox of the real app, on both databases. (What each message says is
 * tested beside the messages, in src/emails.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';

import { OutboxRecords } from '../../src/data/repositories/outboxRecords.js';
import { bookingConfirmed } from '../../src/emails/bookings/bookingConfirmed.js';
import devMailboxRoutes, { EMAIL_HTML_CSP } from '../../src/web/routes/dev/mailbox.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';

const ICS = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n';

eachDatabase('development mailbox', (dialect) => {
  let t: TestApp;
  let outbox: OutboxRecords;
  let id: number;
  const email = bookingConfirmed({
    hub: {
      name: 'Northshire Safeguarding Partnership',
      contactEmail: 'training@northshire.example',
      contactPhone: '',
    },
    delegateName: 'Sam <script>alert(1)</script>',
    session: {
      courseTitle: 'Safeguarding <script>alert("x")</script> adults',
      parts: [{ startsAt: new Date('2026-03-06T09:30:00Z'), endsAt: new Date('2026-03-06T15:30:00Z') }],
      venue: null,
      onlineJoiningUrl: 'https://meet.example.com/j/1',
      sessionUrl: 'https://training.example.org.uk/sessions/3',
    },
    bookingReference: 'TRL-7KQ2',
    manageBookingUrl: 'https://training.example.org.uk/bookings/TRL-7KQ2',
    calendar: { ics: ICS, filename: 'safeguarding-adults.ics' },
    needs: { access: null, dietary: null, deleted: '30 days after the session ends' },
  });

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: false });
    outbox = new OutboxRecords(t.database.db);
    // The app registers the mailbox itself when no SMTP is configured; this
    // keeps the test about the mailbox whatever the wiring.
    if (!t.app.hasRoute({ method: 'GET', url: '/dev/mailbox' })) {
      await t.app.register(devMailboxRoutes, { outbox });
    }
  });
  afterAll(() => t.close());

  it('says when there are no emails yet', async () => {
    const response = await t.app.inject('/dev/mailbox');
    expect(response.statusCode).toBe(200);
    const page = parsePage(response.body);
    expect(page.h1()).toBe('Development mailbox');
    expect(page.text()).toContain('No emails yet.');
  });

  it('lists emails newest first, with who they are to, their kind and state, escaping what people typed', async () => {
    id = await outbox.enqueue(
      { ...email, to: { address: 'sam@example.org.uk', name: 'Sam <script>alert(1)</script>' } },
      new Date(TEST_NOW),
    );
    const response = await t.app.inject('/dev/mailbox');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).not.toContain('<script>alert');
    const page = parsePage(response.body);
    expect(page.links()).toContainEqual({ text: email.subject, href: `/dev/mailbox/${id}` });
    expect(page.text()).toContain('To: Sam <script>alert(1)</script> <sam@example.org.uk>');
    expect(page.text()).toContain('Waiting');
    expect(page.text()).toContain('Kind: booking_confirmed');

    await outbox.markSent({ id, leaseUntil: null }, new Date(TEST_NOW));
    expect(parsePage((await t.app.inject('/dev/mailbox')).body).text()).toContain('Sent');
  });

  it('shows one email: its details, its text version and links to its HTML and attachment', async () => {
    const response = await t.app.inject(`/dev/mailbox/${id}`);
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain('<script>alert');
    const page = parsePage(response.body);
    expect(page.h1()).toBe(email.subject);
    expect(page.document.querySelector('pre')?.textContent).toBe(email.text);
    expect(page.links()).toContainEqual({
      text: 'Open the HTML version of this email',
      href: `/dev/mailbox/${id}/html`,
    });
    expect(page.links()).toContainEqual({
      text: 'Download safeguarding-adults.ics',
      href: `/dev/mailbox/${id}/attachments/1`,
    });
  });

  it('serves the HTML version as its own page, under a policy that allows nothing but its styles', async () => {
    const response = await t.app.inject(`/dev/mailbox/${id}/html`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toBe(EMAIL_HTML_CSP);
    expect(EMAIL_HTML_CSP).toMatch(/^default-src 'none'; style-src 'unsafe-inline'/);
    expect(response.body).toBe(email.html);
    expect(response.body).toContain('&lt;script&gt;');
  });

  it('downloads the calendar attachment', async () => {
    const response = await t.app.inject(`/dev/mailbox/${id}/attachments/1`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="safeguarding-adults.ics"');
    expect(response.body).toBe(ICS);
  });

  it('answers 404 for an email or attachment that does not exist', async () => {
    for (const path of [
      '/dev/mailbox/999999',
      '/dev/mailbox/abc',
      `/dev/mailbox/${id}/attachments/2`,
      `/dev/mailbox/${id}/attachments/0`,
      '/dev/mailbox/999999/html',
    ]) {
      expect((await t.app.inject(path)).statusCode, path).toBe(404);
    }
  });

  it('serves its own small style sheet, so long lines wrap without inline styles', async () => {
    const response = await t.app.inject('/dev/mailbox/styles.css');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(response.body).toContain('white-space: pre-wrap');
  });

  it('does not exist unless switched on, or when listening beyond this machine', async () => {
    for (const env of [{ DEV_MAILBOX: 'false' }, { HOST: '0.0.0.0' }] as Record<string, string>[]) {
      const without = await createTestApp(dialect, { demo: false, env });
      try {
        expect(without.app.hasRoute({ method: 'GET', url: '/dev/mailbox' })).toBe(false);
        expect((await without.app.inject('/dev/mailbox')).statusCode).toBe(404);
      } finally {
        await without.close();
      }
    }
  });

  it('does not exist when SMTP is configured', async () => {
    const withSmtp = await createTestApp(dialect, {
      demo: false,
      env: { SMTP_URL: 'smtp://127.0.0.1:2525' },
    });
    try {
      expect((await withSmtp.app.inject('/dev/mailbox')).statusCode).toBe(404);
    } finally {
      await withSmtp.close();
    }
  });
});
