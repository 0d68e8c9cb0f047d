/**
 * The outbox after a crash and at scale, on both databases: a message
 * claimed by a sender that died goes out one lease later (about a minute,
 * not ten), a slow send keeps its lease by the heartbeat so a second sender
 * never sends it too, and the SMTP pool reuses its connections.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { openDatabase, type Database } from '../../src/data/db.js';
import { OutboxRecords, type NewOutboxMessage } from '../../src/data/repositories/outboxRecords.js';
import type { DB } from '../../src/data/schema.js';
import { OutboxSender, type JobLogger } from '../../src/jobs/outboxSender.js';
import { startJobs } from '../../src/jobs/scheduler.js';
import { fixedClock, systemClock } from '../../src/services/clock.js';
import { createSmtpMailer, type Mailer } from '../../src/services/email/mailer.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { settableClock } from '../support/clock.js';
import { createTestDatabase, eachDatabase, type TestDatabase } from '../support/databases.js';
import { TestSmtpServer } from '../support/smtp.js';

const START = '2026-03-02T09:00:00.000Z';
const SECOND = 1_000;
const quiet: JobLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function plainMessage(n: number, address = `delegate${n}@example.org.uk`): NewOutboxMessage {
  return {
    kind: 'booking_confirmed',
    to: { address, name: `Delegate ${n}` },
    subject: `Message ${n}`,
    text: `Text ${n}`,
    html: `<p>HTML ${n}</p>`,
  };
}

eachDatabase('outbox leases and the SMTP pool', (dialect) => {
  const smtp = new TestSmtpServer();

  beforeAll(async () => {
    await smtp.start();
  });

  afterAll(async () => {
    await smtp.stop();
  });

  beforeEach(() => {
    smtp.received = [];
    smtp.connections = 0;
  });

  describe('as the server runs it (startJobs, the configured lease)', () => {
    let t: TestApp;
    const clock = settableClock(START);

    beforeAll(async () => {
      t = await createTestApp(dialect, {
        demo: false,
        clock,
        env: { SMTP_URL: smtp.url, DEV_MAILBOX: 'false' },
      });
    });

    afterAll(async () => {
      await t?.close();
    });

    it('delivers a message claimed by a sender that died once its lease has passed: about a minute, not ten', async () => {
      expect(t.config.outboxLeaseMs).toBe(60 * SECOND);
      await t.services.outbox.enqueue(plainMessage(1), clock.now());
      // A process claims it with the configured lease, then dies before sending.
      const [claimed] = await new OutboxRecords(t.database.db).claimDue(
        clock.now(),
        t.config.outboxLeaseMs,
        10,
      );
      expect(claimed!.leaseUntil).toEqual(new Date(clock.now().getTime() + 60 * SECOND));

      const jobs = startJobs(t.services, t.config, quiet, { start: false });
      try {
        // While the dead sender's lease lasts, nobody else may take the message.
        clock.advance(59 * SECOND);
        expect(await jobs.runNow('outbox')).toEqual({
          status: 'succeeded',
          result: { sent: 0, failed: 0, deferred: 0 },
        });
        expect(smtp.received).toHaveLength(0);

        // One lease after the claim, another sender delivers it, once.
        clock.advance(1 * SECOND + 1);
        expect(await jobs.runNow('outbox')).toEqual({
          status: 'succeeded',
          result: { sent: 1, failed: 0, deferred: 0 },
        });
        expect(smtp.subjects()).toEqual(['Message 1']);
        const row = await t.services.outbox.find(claimed!.id);
        expect(row).toMatchObject({ attempts: 2, leaseUntil: null, sentAt: clock.now() });
      } finally {
        await jobs.stop();
      }
    });
  });

  describe('two senders on one database', () => {
    let database: TestDatabase;
    let db: Kysely<DB>;
    let outbox: OutboxRecords;
    let second: Database;

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      db = database.db;
      outbox = new OutboxRecords(db);
      // A second connection (pool), as a second process would have.
      second = openDatabase(database.url, { onConnectionError: () => undefined });
    });

    afterAll(async () => {
      await second?.close();
      await database?.drop();
    });

    beforeEach(async () => {
      await db.deleteFrom('outbox_messages').execute();
    });

    it('a send slower than the lease keeps its message by the heartbeat: a second sender running meanwhile never sends it', async () => {
      // Real time here: the heartbeat runs on real timers. The send takes three leases.
      const leaseMs = 600;
      const sendMs = 3 * leaseMs;
      const sends: { sender: string; id: number }[] = [];
      const slowMailer = (sender: string): Mailer => ({
        send: async (message) => {
          sends.push({ sender, id: message.id });
          await new Promise((resolve) => setTimeout(resolve, sendMs));
          return { messageId: `<${message.id}@example.org.uk>` };
        },
        close: async () => {},
      });
      const id = await outbox.enqueue(plainMessage(1), systemClock.now());
      const one = new OutboxSender({
        outbox,
        mailer: slowMailer('one'),
        clock: systemClock,
        logger: quiet,
        leaseMs,
      });
      const two = new OutboxSender({
        outbox: new OutboxRecords(second.db),
        mailer: slowMailer('two'),
        clock: systemClock,
        logger: quiet,
        leaseMs,
      });

      const first = one.runOnce();
      await expect.poll(() => sends.length).toBe(1);
      // The second sender keeps looking all through the first one's send.
      let finished = false;
      void first.finally(() => {
        finished = true;
      });
      const secondRuns: number[] = [];
      while (!finished) {
        const result = await two.runOnce();
        secondRuns.push(result.sent + result.failed + result.deferred);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }

      expect(await first).toEqual({ sent: 1, failed: 0, deferred: 0 });
      expect(secondRuns.length).toBeGreaterThan(1);
      expect(secondRuns.every((handled) => handled === 0)).toBe(true);
      expect(sends).toEqual([{ sender: 'one', id }]);
      expect(await outbox.find(id)).toMatchObject({ attempts: 1, leaseUntil: null });
    });

    it('renews a lease only while it is still the one the sender set, and never a sent message', async () => {
      const now = new Date(START);
      const later = new Date(now.getTime() + 60 * SECOND);
      for (let n = 1; n <= 3; n++) await outbox.enqueue(plainMessage(n), now);
      const [kept, sent, taken] = await outbox.claimDue(now, 30 * SECOND, 10);
      await outbox.markSent(sent!.id, now);
      // The lease of `taken` ran out and another sender claimed it, setting a lease of its own.
      const othersLease = new Date(now.getTime() + 61 * SECOND);
      await db
        .updateTable('outbox_messages')
        .set({ lease_until: othersLease.toISOString() })
        .where('id', '=', taken!.id)
        .execute();

      expect(await outbox.renewLeases([kept!, sent!, taken!], later)).toEqual([kept!.id]);
      expect((await outbox.find(kept!.id))!.leaseUntil).toEqual(later);
      expect((await outbox.find(taken!.id))!.leaseUntil).toEqual(othersLease);
      expect((await outbox.find(sent!.id))!.leaseUntil).toBeNull();
      expect(await outbox.renewLeases([], later)).toEqual([]);
    });
  });

  describe('the SMTP pool', () => {
    let database: TestDatabase;
    let outbox: OutboxRecords;

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      outbox = new OutboxRecords(database.db);
    });

    afterAll(async () => {
      await database?.drop();
    });

    beforeEach(async () => {
      await database.db.deleteFrom('outbox_messages').execute();
    });

    async function sendTwenty(poolSize: number | null): Promise<void> {
      const clock = fixedClock(START);
      for (let n = 1; n <= 20; n++) await outbox.enqueue(plainMessage(n), clock.now());
      const mailer = createSmtpMailer({
        url: smtp.url,
        from: { address: 'bookings@northshire.example', name: 'Northshire Safeguarding Partnership' },
        timeoutMs: 5_000,
        poolSize,
      });
      try {
        const sender = new OutboxSender({ outbox, mailer, clock, logger: quiet, concurrency: poolSize ?? 1 });
        expect(await sender.runOnce()).toEqual({ sent: 20, failed: 0, deferred: 0 });
      } finally {
        await mailer.close();
      }
      const subjects = smtp.subjects();
      expect(subjects).toHaveLength(20);
      expect(new Set(subjects).size).toBe(20);
    }

    it('sends twenty messages over no more connections than the pool holds', async () => {
      await sendTwenty(3);
      expect(smtp.connections).toBeGreaterThan(0);
      expect(smtp.connections).toBeLessThanOrEqual(3);
    });

    it('without the pool, each message opens a connection of its own', async () => {
      await sendTwenty(null);
      expect(smtp.connections).toBe(20);
    });
  });
});
