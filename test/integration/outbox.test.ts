/**
 * The outbox end to end, on both databases: messages go through a real SMTP
 * server (smtp-server, in this process) and are read back with mailparser,
 * as a mail client would read them.
 */
import type { Kysely } from 'kysely';
import type { AddressObject } from 'mailparser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { openDatabase, type Database } from '../../src/data/db.js';
import { OutboxRecords, type NewOutboxMessage } from '../../src/data/repositories/outboxRecords.js';
import type { DB } from '../../src/data/schema.js';
import { bookingConfirmed } from '../../src/emails/bookings/bookingConfirmed.js';
import { OutboxSender, type JobLogger } from '../../src/jobs/outboxSender.js';
import { fixedClock, type Clock } from '../../src/services/clock.js';
import {
  createDevelopmentMailbox,
  createSmtpMailer,
  headerText,
  messageIdFor,
  type Mailer,
} from '../../src/services/email/mailer.js';
import { settableClock } from '../support/clock.js';
import { createTestDatabase, eachDatabase, type TestDatabase } from '../support/databases.js';
import { TestSmtpServer } from '../support/smtp.js';

const START = '2026-03-02T09:00:00.000Z';
const MINUTE = 60_000;
const ICS = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Trellis//Trellis//EN\r\nEND:VCALENDAR\r\n';
const HUB = {
  name: 'Northshire Safeguarding Partnership',
  contactEmail: 'training@northshire.example',
  contactPhone: '01632 960000',
};

function recorder(): JobLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (details: object, message: string) => {
    lines.push(`${level} ${message} ${JSON.stringify(details)}`);
  };
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}

function plainMessage(n: number, overrides: Partial<NewOutboxMessage> = {}): NewOutboxMessage {
  return {
    kind: 'booking_confirmed',
    to: { address: `delegate${n}@example.org.uk`, name: `Delegate ${n}` },
    subject: `Message ${n}`,
    text: `Text ${n}`,
    html: `<!DOCTYPE html><html lang="en-GB"><head><title>Message ${n}</title></head><body><p>HTML ${n}</p></body></html>`,
    ...overrides,
  };
}

function addresses(field: AddressObject | AddressObject[] | undefined) {
  return (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value);
}

eachDatabase('email outbox', (dialect) => {
  let database: TestDatabase;
  let db: Kysely<DB>;
  let outbox: OutboxRecords;
  const smtp = new TestSmtpServer();
  let mailer: Mailer;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    db = database.db;
    outbox = new OutboxRecords(db);
    await smtp.start();
    mailer = createSmtpMailer({
      url: smtp.url,
      from: { address: 'bookings@northshire.example', name: 'Northshire Safeguarding Partnership' },
      // Read when sending, as the app reads the hub's settings.
      replyTo: async () => ({ address: HUB.contactEmail, name: HUB.name }),
      timeoutMs: 5_000,
    });
  });

  afterAll(async () => {
    await mailer.close();
    await smtp.stop();
    await database.drop();
  });

  beforeEach(async () => {
    await db.deleteFrom('outbox_messages').execute();
    smtp.received = [];
    smtp.refuseWith451 = false;
  });

  afterEach(async () => {
    // A test that stops the server leaves it running again for the next one.
    if (!smtp.running) await smtp.start();
  });

  function sender(
    clock: Clock,
    options: { logger?: JobLogger; repository?: OutboxRecords; batchSize?: number } = {},
  ) {
    return new OutboxSender({
      outbox: options.repository ?? outbox,
      mailer,
      clock,
      logger: options.logger ?? recorder(),
      batchSize: options.batchSize ?? 10,
      random: () => 0,
    });
  }

  it('delivers a booking confirmation with its To, Subject, text, HTML and one calendar attachment', async () => {
    const clock = fixedClock(START);
    const email = bookingConfirmed({
      hub: HUB,
      delegateName: 'Łukasz Nowak',
      session: {
        courseTitle: 'Trauma-informed co-production',
        parts: [{ startsAt: new Date('2026-03-06T09:30:00Z'), endsAt: new Date('2026-03-06T15:30:00Z') }],
        venue: {
          name: 'Cherwell Learning Centre',
          addressLines: ['7 Canalside Walk'],
          town: 'Banbury',
          postcode: 'OX16 5ZT',
        },
        sessionUrl: 'https://training.example.org.uk/sessions/3',
      },
      bookingReference: 'TRL-7KQ2',
      manageBookingUrl: 'https://training.example.org.uk/account/bookings/TRL-7KQ2',
      calendar: { ics: ICS, filename: 'trauma-informed-co-production.ics' },
      needs: { access: null, dietary: null, deleted: '30 days after the session ends' },
    });
    const id = await outbox.enqueue(
      { ...email, to: { address: 'lukasz.nowak@example.org.uk', name: 'Łukasz Nowak' } },
      clock.now(),
    );

    expect(await sender(clock).runOnce()).toEqual({ sent: 1, failed: 0, deferred: 0 });

    expect(smtp.received).toHaveLength(1);
    const { mail, rcptTo } = smtp.received[0]!;
    expect(rcptTo).toEqual(['lukasz.nowak@example.org.uk']);
    expect(addresses(mail.to)).toEqual([{ address: 'lukasz.nowak@example.org.uk', name: 'Łukasz Nowak' }]);
    expect(addresses(mail.from)).toEqual([
      { address: 'bookings@northshire.example', name: 'Northshire Safeguarding Partnership' },
    ]);
    expect(addresses(mail.replyTo)).toEqual([{ address: HUB.contactEmail, name: HUB.name }]);
    expect(mail.subject).toBe('Your place is confirmed: Trauma-informed co-production, Friday 6 March 2026');
    expect(mail.text?.trim()).toBe(email.text.trim());
    expect(mail.html).toBe(email.html);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');

    const row = await outbox.find(id);
    expect(mail.messageId).toBe(messageIdFor(row!, 'northshire.example'));

    expect(mail.attachments).toHaveLength(1);
    const [calendar] = mail.attachments;
    expect(calendar!.contentType).toBe('text/calendar');
    expect(calendar!.filename).toBe('trauma-informed-co-production.ics');
    expect(calendar!.content.toString('utf8')).toBe(ICS);

    expect(row).toMatchObject({ attempts: 1, sentAt: new Date(START), leaseUntil: null, lastError: null });
    // Sent once: a second run finds nothing to do.
    expect(await sender(clock).runOnce()).toEqual({ sent: 0, failed: 0, deferred: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it('keeps every message while the server refuses with 451, backing off, then delivers each exactly once', async () => {
    const clock = settableClock(START);
    const logger = recorder();
    const worker = sender(clock, { logger });
    const ids = [];
    for (const n of [1, 2, 3]) ids.push(await outbox.enqueue(plainMessage(n), clock.now()));

    smtp.refuseWith451 = true;
    const expectedDelays = [1, 2, 4, 8].map((m) => m * MINUTE);
    for (const [index, delay] of expectedDelays.entries()) {
      expect(await worker.runOnce()).toEqual({ sent: 0, failed: 3, deferred: 0 });
      for (const id of ids) {
        const row = await outbox.find(id);
        expect(row!.attempts).toBe(index + 1);
        expect(row!.sentAt).toBeNull();
        expect(row!.nextAttemptAt.getTime() - clock.now().getTime()).toBe(delay);
        expect(row!.lastError).toMatch(/451/);
        expect(row!.lastError).not.toMatch(/@/);
      }
      // Not due yet: nothing is tried early.
      clock.advance(delay - 1_000);
      expect(await worker.runOnce()).toEqual({ sent: 0, failed: 0, deferred: 0 });
      clock.advance(1_000);
    }
    expect(smtp.received).toHaveLength(0);
    expect(logger.lines.join('\n')).not.toMatch(/@|Text \d|HTML \d/);

    smtp.refuseWith451 = false;
    expect(await worker.runOnce()).toEqual({ sent: 3, failed: 0, deferred: 0 });
    clock.advance(2 * 60 * MINUTE);
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 0, deferred: 0 });
    expect(smtp.subjects().sort()).toEqual(['Message 1', 'Message 2', 'Message 3']);
    for (const id of ids) expect((await outbox.find(id))!.sentAt).not.toBeNull();
  });

  it('keeps every message while the server is down, probing it with one per run, and delivers each once when it is back', async () => {
    const clock = settableClock(START);
    const worker = sender(clock);
    const ids: number[] = [];
    for (const n of [1, 2, 3]) ids.push(await outbox.enqueue(plainMessage(n), clock.now()));
    const [first, second, third] = ids as [number, number, number];

    await smtp.stop();
    // The first failure shows the server is down: the rest are handed back untried.
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 1, deferred: 2 });
    const failed = await outbox.find(first);
    expect(failed).toMatchObject({ attempts: 1, sentAt: null, leaseUntil: null });
    expect(failed!.lastError).toMatch(/^(ESOCKET|ECONNECTION): connect ECONNREFUSED/);
    expect(failed!.nextAttemptAt.getTime() - clock.now().getTime()).toBe(MINUTE);
    expect(await outbox.find(second)).toMatchObject({ attempts: 0, leaseUntil: null, lastError: null });

    // Each run tries the next message due, and each backs off on its own.
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 1, deferred: 1 });
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 1, deferred: 0 });
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 0, deferred: 0 });
    clock.advance(MINUTE);
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 1, deferred: 2 });
    const again = await outbox.find(first);
    expect(again!.attempts).toBe(2);
    expect(again!.nextAttemptAt.getTime() - clock.now().getTime()).toBe(2 * MINUTE);
    expect(await outbox.find(third)).toMatchObject({ attempts: 1, sentAt: null });

    await smtp.start();
    expect(await worker.runOnce()).toEqual({ sent: 2, failed: 0, deferred: 0 });
    clock.advance(2 * MINUTE);
    expect(await worker.runOnce()).toEqual({ sent: 1, failed: 0, deferred: 0 });
    clock.advance(60 * MINUTE);
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 0, deferred: 0 });
    expect(smtp.subjects().sort()).toEqual(['Message 1', 'Message 2', 'Message 3']);
  });

  it('a message sent but not recorded (the sender crashed) goes again with the same Message-ID', async () => {
    const clock = settableClock(START);
    await outbox.enqueue(plainMessage(1), clock.now());
    const [claimed] = await outbox.claimDue(clock.now(), 10 * MINUTE, 1);
    await mailer.send(claimed!);
    // …and the process died before markSent. Once the lease runs out:
    clock.advance(10 * MINUTE + 1);
    expect(await sender(clock).runOnce()).toEqual({ sent: 1, failed: 0, deferred: 0 });
    expect(smtp.received).toHaveLength(2);
    const [a, b] = smtp.received.map((r) => r.mail.messageId);
    expect(a).toBe(b);
    expect(a).toMatch(/^<trellis-outbox-\d+-[0-9a-z]+@northshire\.example>$/);
  });

  it('never puts a header into a message from a display name or subject with line breaks', async () => {
    const clock = fixedClock(START);
    await outbox.enqueue(
      plainMessage(1, {
        to: { address: 'alex@example.org.uk', name: 'Alex\r\nBcc: victim@example.com' },
        subject: 'Booking\r\nX-Injected: yes',
      }),
      clock.now(),
    );
    expect(await sender(clock).runOnce()).toMatchObject({ sent: 1 });

    const { mail, raw, rcptTo } = smtp.received[0]!;
    expect(rcptTo).toEqual(['alex@example.org.uk']);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.headers.has('x-injected')).toBe(false);
    expect(raw).not.toMatch(/^bcc:/im);
    expect(raw).not.toMatch(/^x-injected:/im);
    expect(addresses(mail.to)).toEqual([
      { address: 'alex@example.org.uk', name: 'Alex Bcc: victim@example.com' },
    ]);
    expect(mail.subject).toBe('Booking X-Injected: yes');
    expect(headerText('A\r\nB\nC\rD')).toBe('A B C D');
  });

  it('refuses, without sending, an address that is not a single plain address', async () => {
    const clock = fixedClock(START);
    const id = await outbox.enqueue(
      plainMessage(1, {
        to: { address: 'alex@example.org.uk\r\nRCPT TO:<victim@example.com>', name: 'Alex' },
      }),
      clock.now(),
    );
    expect(await sender(clock).runOnce()).toEqual({ sent: 0, failed: 1, deferred: 0 });
    expect(smtp.received).toHaveLength(0);
    const row = await outbox.find(id);
    expect(row!.lastError).toMatch(/InvalidAddressError/);
    expect(row!.lastError).not.toMatch(/@/);
  });

  describe('two senders on the same database', () => {
    let second: Database;
    beforeAll(() => {
      // A second connection (pool), as a second process would have.
      second = openDatabase(database.url, { onConnectionError: () => undefined });
    });
    afterAll(() => second.close());

    it('without the conditional claim, both take the same messages (the race is real)', async () => {
      const now = new Date(START);
      for (let n = 1; n <= 10; n++) await outbox.enqueue(plainMessage(n), now);
      // A claim that looks for unleased messages, then leases them by id alone,
      // taken in its two steps so the interleaving two processes can meet is
      // made on purpose rather than left to how busy the machine is.
      const look = (executor: Kysely<DB>) =>
        executor
          .selectFrom('outbox_messages')
          .select('id')
          .where('sent_at', 'is', null)
          .where('lease_until', 'is', null)
          .execute();
      const lease = async (executor: Kysely<DB>, due: { id: number }[]) => {
        for (const { id } of due) {
          await executor
            .updateTable('outbox_messages')
            .set({ lease_until: new Date(now.getTime() + MINUTE).toISOString() })
            .where('id', '=', id)
            .execute();
        }
        return due.map((row) => row.id);
      };
      // Both look before either leases: what happens whenever their steps overlap.
      const [seenA, seenB] = [await look(db), await look(second.db)];
      const [a, b] = await Promise.all([lease(db, seenA), lease(second.db, seenB)]);
      expect(a.filter((id) => b.includes(id)).length).toBeGreaterThan(0);
    });

    it('claimDue gives each message to one of them', async () => {
      const now = new Date(START);
      for (let n = 1; n <= 10; n++) await outbox.enqueue(plainMessage(n), now);
      const [a, b] = await Promise.all([
        outbox.claimDue(now, MINUTE, 100),
        new OutboxRecords(second.db).claimDue(now, MINUTE, 100),
      ]);
      const ids = [...a, ...b].map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(10);
      for (const message of [...a, ...b]) expect(message.attempts).toBe(1);
      // Held by the lease: nothing more to claim until it runs out…
      expect(await outbox.claimDue(new Date(now.getTime() + MINUTE - 1), MINUTE, 100)).toHaveLength(0);
      // …and then a message nobody marked is claimed again, counting another attempt.
      const again = await outbox.claimDue(new Date(now.getTime() + MINUTE + 1), MINUTE, 100);
      expect(again).toHaveLength(10);
      expect(again.every((m) => m.attempts === 2)).toBe(true);
    });

    it('running at once, they deliver every message exactly once', async () => {
      const clock = fixedClock(START);
      for (let n = 1; n <= 30; n++) await outbox.enqueue(plainMessage(n), clock.now());
      const one = sender(clock, { batchSize: 3 });
      const two = sender(clock, { batchSize: 3, repository: new OutboxRecords(second.db) });
      const [a, b] = await Promise.all([one.runOnce(), two.runOnce()]);
      expect(a.sent + b.sent).toBe(30);
      // Both really worked: a sender that loses a race for a message moves on to the next.
      expect(a.sent).toBeGreaterThan(0);
      expect(b.sent).toBeGreaterThan(0);
      expect(a.failed + b.failed + a.deferred + b.deferred).toBe(0);
      const subjects = smtp.subjects();
      expect(subjects).toHaveLength(30);
      expect(new Set(subjects).size).toBe(30);
      const messageIds = smtp.received.map((r) => r.mail.messageId);
      expect(new Set(messageIds).size).toBe(30);
    });
  });

  it('writes a message only if the change it belongs to commits', async () => {
    const now = new Date(START);
    await expect(
      db.transaction().execute(async (trx) => {
        await outbox.within(trx).enqueue(plainMessage(1), now);
        throw new Error('the booking failed');
      }),
    ).rejects.toThrow('the booking failed');
    await db.transaction().execute(async (trx) => {
      await outbox.within(trx).enqueue(plainMessage(2), now);
    });
    expect((await outbox.listRecent(10)).map((m) => m.subject)).toEqual(['Message 2']);
  });

  it('shows staff the mail not sent after three attempts or fifteen minutes', async () => {
    const clock = settableClock(START);
    const failing = await outbox.enqueue(plainMessage(1), clock.now());
    const old = await outbox.enqueue(
      plainMessage(2, { to: { address: 'later@example.org.uk', name: '' } }),
      clock.now(),
    );
    const sent = await outbox.enqueue(plainMessage(3), clock.now());
    const claimed = new Map((await outbox.claimDue(clock.now(), MINUTE, 3)).map((m) => [m.id, m]));
    await outbox.markSent(claimed.get(sent)!, clock.now());
    // The second message is not due for a long time, so it just waits.
    await outbox.markFailed(
      claimed.get(old)!,
      'ETIMEDOUT: timed out',
      new Date(clock.now().getTime() + 24 * 60 * MINUTE),
    );
    await outbox.markFailed(claimed.get(failing)!, '451 busy (attempt 1)', clock.now());

    const [again] = await outbox.claimDue(clock.now(), MINUTE, 1);
    expect(again!.id).toBe(failing);
    await outbox.markFailed(again!, '451 busy (attempt 2)', clock.now());
    clock.advance(5 * MINUTE);
    expect(await outbox.stuck(clock.now())).toEqual([]);

    const [third] = await outbox.claimDue(clock.now(), MINUTE, 1);
    expect(third!.id).toBe(failing);
    await outbox.markFailed(third!, '451 4.3.0 <someone@example.org.uk> busy', clock.now());
    const afterThree = await outbox.stuck(clock.now());
    expect(afterThree.map((m) => m.id)).toEqual([failing]);
    expect(afterThree[0]).toMatchObject({
      attempts: 3,
      lastError: '451 4.3.0 <[address]> busy',
      subject: 'Message 1',
    });

    clock.advance(10 * MINUTE);
    expect((await outbox.stuck(clock.now())).map((m) => m.id)).toEqual([failing, old]);
  });

  it('in development, the outbox is the mailbox: messages are marked sent and nothing goes out', async () => {
    const clock = fixedClock(START);
    const id = await outbox.enqueue(plainMessage(1), clock.now());
    const worker = new OutboxSender({
      outbox,
      mailer: createDevelopmentMailbox(),
      clock,
      logger: recorder(),
    });
    expect(await worker.runOnce()).toEqual({ sent: 1, failed: 0, deferred: 0 });
    expect((await outbox.find(id))!.sentAt).toEqual(clock.now());
    expect(smtp.received).toHaveLength(0);
  });

  it('sends on its own once started, and stops cleanly', async () => {
    const clock = settableClock(START);
    const worker = sender(clock);
    worker.start(20);
    await outbox.enqueue(plainMessage(1), clock.now());
    worker.wake();
    await expect.poll(() => smtp.received.length, { timeout: 5_000 }).toBe(1);
    await worker.stop();
    await outbox.enqueue(plainMessage(2), clock.now());
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(smtp.received).toHaveLength(1);
  });
});
