/**
 * Password and email hygiene, on both databases: using one password reset
 * link ends the account's others, and no address is sent more than its hour's
 * emails, the rest held (not lost, not failed) until the hour allows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { OutboxRecords } from '../../src/data/repositories/outboxRecords.js';
import { EMAILS_PER_RECIPIENT_PER_HOUR } from '../../src/domain/hub/outbox.js';
import { OutboxSender, type JobLogger } from '../../src/jobs/outboxSender.js';
import type { Mailer, OutgoingEmail } from '../../src/services/email/mailer.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { createSignedInDelegates } from '../support/seedDelegates.js';
import { signedInStaff } from '../support/staff.js';

const MINUTE = 60_000;
const RESET_LINK = /\/account\/reset-password\/([A-Za-z0-9_-]+)/;
const quiet: JobLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

eachDatabase('password and email hygiene', (dialect) => {
  let t: TestApp;
  let clock: SettableClock;

  beforeAll(async () => {
    clock = settableClock(TEST_NOW);
    t = await createTestApp(dialect, { demo: false, clock });
  });
  afterAll(() => t.close());

  it('using a password reset link ends the account’s other reset links', async () => {
    const [person] = await createSignedInDelegates(t.database.db, clock.now(), 1, 'reset');
    await t.services.accounts.requestPasswordReset(person!.email);
    await t.services.accounts.requestPasswordReset(person!.email);
    const emails = await t.database.db
      .selectFrom('outbox_messages')
      .where('to_address', '=', person!.email)
      .where('kind', '=', 'password_reset')
      .select('text_body')
      .orderBy('id')
      .execute();
    const [first, second] = emails.map((e) => `/account/reset-password/${RESET_LINK.exec(e.text_body)![1]}`);
    const browser = new WebClient(t.app);
    // Both work until one is used.
    expect((await browser.get(first!)).statusCode).toBe(200);
    expect((await browser.get(second!)).statusCode).toBe(200);

    const reset = await browser.submit(second!, { password: 'a brand new long password' });
    expect(reset.statusCode).toBe(303);
    expect(reset.headers.location).toBe('/sign-in?reset=1');

    const old = await browser.get(first!);
    expect(old.statusCode).toBe(410);
    expect(parsePage(old.body).text()).toContain(
      'This link has already been used, or a later password reset link for your account has: either way, it no longer works.',
    );
    // And it cannot be used to set a password after all.
    const refused = await new WebClient(t.app).post(first!, { password: 'someone else’s new password' });
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
  });

  describe('emails to one address in an hour', () => {
    let outbox: OutboxRecords;
    const sent: OutgoingEmail[] = [];
    const mailer: Mailer = {
      send: async (message) => {
        sent.push(message);
        return { messageId: `<${sent.length}@test>` };
      },
      close: async () => undefined,
    };
    const sender = () =>
      new OutboxSender({ outbox, mailer, clock, logger: quiet, batchSize: 5, random: () => 0 });

    beforeAll(() => {
      outbox = new OutboxRecords(t.database.db);
    });

    async function queue(address: string, count: number) {
      for (let n = 1; n <= count; n++) {
        await outbox.enqueue(
          {
            kind: 'password_reset',
            to: { address, name: 'Someone' },
            subject: `Message ${n}`,
            text: `Text ${n}`,
            html: `<p>HTML ${n}</p>`,
          },
          clock.now(),
        );
      }
    }

    const to = (address: string) => sent.filter((m) => m.to.address === address).length;

    it('sends 20 of 25 to one address, holds 5 (not failed), and sends them an hour later; others unaffected', async () => {
      expect(EMAILS_PER_RECIPIENT_PER_HOUR).toBe(20);
      await t.database.db.deleteFrom('outbox_messages').execute();
      const start = clock.now().getTime();
      const busy = 'busy.person@council.example.org.uk';
      const other = 'other.person@council.example.org.uk';
      await queue(busy, 25);
      await queue(other, 3);

      const first = await sender().runOnce();
      expect(first).toEqual({ sent: 23, failed: 0, deferred: 5 });
      expect(to(busy)).toBe(20);
      expect(to(other)).toBe(3);
      const held = await t.database.db
        .selectFrom('outbox_messages')
        .where('sent_at', 'is', null)
        .select(['to_address', 'attempts', 'last_error', 'next_attempt_at'])
        .execute();
      expect(held).toHaveLength(5);
      for (const message of held) {
        expect(message).toMatchObject({ to_address: busy, last_error: null });
        expect(Number(message.attempts)).toBe(0);
        expect(new Date(message.next_attempt_at).getTime()).toBe(start + 60 * MINUTE);
      }

      // Waiting is not failing: the back office's list of emails not sent leaves them out.
      clock.set(new Date(start + 30 * MINUTE));
      expect(await outbox.stuck(clock.now())).toEqual([]);
      const coordinator = await signedInStaff(t, 'coordinator');
      const page = parsePage((await coordinator.get('/admin/emails')).body)
        .text()
        .replace(/\s+/g, ' ');
      expect(page).toContain('Emails to one address are limited to 20 an hour');
      expect(page).toContain('None: every email has been sent or is on its way.');
      await queue(other, 1);
      expect(await sender().runOnce()).toEqual({ sent: 1, failed: 0, deferred: 0 });
      expect(to(other)).toBe(4);

      clock.set(new Date(start + 59 * MINUTE));
      expect(await sender().runOnce()).toEqual({ sent: 0, failed: 0, deferred: 0 });
      expect(to(busy)).toBe(20);

      clock.set(new Date(start + 60 * MINUTE));
      expect(await sender().runOnce()).toEqual({ sent: 5, failed: 0, deferred: 0 });
      expect(to(busy)).toBe(25);
      expect(
        await t.database.db.selectFrom('outbox_messages').where('sent_at', 'is', null).select('id').execute(),
      ).toEqual([]);
      clock.set(TEST_NOW);
    });
  });
});
