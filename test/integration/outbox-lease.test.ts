/**
 * The outbox after a crash and at scale, on both databases: a message
 * claimed by a sender that died goes out one lease later (about a minute,
 * not ten), a slow send keeps its lease by the heartbeat so a second sender
 * never sends it too, and the SMTP pool reuses its connections.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { openDatabase, type Database } from '../../src/data/db.js';
import {
  OutboxRecords,
  type NewOutboxMessage,
  type OutboxMessage,
} from '../../src/data/repositories/outboxRecords.js';
import type { DB } from '../../src/data/schema.js';
import { OutboxSender, type JobLogger, type OutboxRunResult } from '../../src/jobs/outboxSender.js';
import { startJobs } from '../../src/jobs/scheduler.js';
import { fixedClock, systemClock } from '../../src/services/clock.js';
import { createSmtpMailer, type Mailer } from '../../src/services/email/mailer.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { settableClock } from '../support/clock.js';
import { createTestDatabase, eachDatabase, type TestDatabase } from '../support/databases.js';
import { TestSmtpServer } from '../support/smtp.js';

const START = '2026-03-02T09:00:00.000Z';
const START_MS = new Date(START).getTime();
const SECOND = 1_000;
const quiet: JobLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function recorder(): JobLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (details: object, message: string) => {
    lines.push(`${level} ${message} ${JSON.stringify(details)}`);
  };
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}

/** The mail server refusing a message for now, as nodemailer reports it. */
function refusal(response: string): Error {
  return Object.assign(new Error(response), { code: 'EENVELOPE', responseCode: 451, response });
}

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
      await outbox.markSent(sent!, now);
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

    it('records a failure only under the lease the sender holds, and a send whoever holds it, saying which', async () => {
      const now = new Date(START);
      for (let n = 1; n <= 3; n++) await outbox.enqueue(plainMessage(n), now);
      const ours = await outbox.claimDue(now, 30 * SECOND, 10);
      // Every lease ran out and another sender claimed the messages, each with a lease of its own.
      const later = new Date(now.getTime() + 31 * SECOND);
      const others = new OutboxRecords(second.db);
      const theirs = await others.claimDue(later, 30 * SECOND, 10);
      expect(theirs.map((m) => m.id)).toEqual(ours.map((m) => m.id));
      const [failing, sending, sentByThem] = ours as [OutboxMessage, OutboxMessage, OutboxMessage];
      const [theirFailing, theirSending, theirSent] = theirs as [OutboxMessage, OutboxMessage, OutboxMessage];
      const retryAt = new Date(later.getTime() + 60 * SECOND);

      // A failure by the sender that lost the lease leaves the holder's lease and schedule alone…
      expect(await outbox.markFailed(failing, '451 busy', retryAt)).toBe(false);
      expect(await outbox.find(failing.id)).toMatchObject({
        attempts: 2,
        leaseUntil: theirFailing.leaseUntil,
        nextAttemptAt: now,
        lastError: null,
      });
      // …and the holder's own failure is recorded.
      expect(await others.markFailed(theirFailing, '451 busy', retryAt)).toBe(true);
      expect(await outbox.find(failing.id)).toMatchObject({
        attempts: 2,
        leaseUntil: null,
        nextAttemptAt: retryAt,
        lastError: '451 busy',
      });

      // A send is recorded whoever holds the lease, and each sender learns which case it was.
      expect(await outbox.markSent(sending, later)).toBe('recordedWithoutLease');
      expect(await others.markSent(theirSending, later)).toBe('alreadySent');
      expect(await others.markFailed(theirSending, '451 busy', retryAt)).toBe(false);
      expect(await outbox.find(sending.id)).toMatchObject({
        sentAt: later,
        leaseUntil: null,
        lastError: null,
      });
      expect(await others.markSent(theirSent, later)).toBe('recorded');
      expect(await outbox.markSent(sentByThem, later)).toBe('alreadySent');
    });

    describe('a sender that stalled past its lease while another sender took the message over', () => {
      const leaseMs = 60 * SECOND;

      /**
       * Sender one claims the message and, while its send hangs, stalls past
       * its lease (a long pause, say); sender two, in another process, then
       * claims the message and starts sending it, its send waiting for
       * `twoAnswers`. Only then does one's send end, as `oneEnds` says.
       * Returns what the test needs to look at and to let two finish.
       */
      async function takeover(oneEnds: () => Promise<{ messageId: string }>) {
        const clock = settableClock(START);
        const id = await outbox.enqueue(plainMessage(1), clock.now());
        let twoAnswers: (outcome: 'accept' | 'refuse') => void = () => undefined;
        let twoSending = false;
        const twoMailer: Mailer = {
          send: (message) => {
            twoSending = true;
            return new Promise((resolve, reject) => {
              twoAnswers = (outcome) =>
                outcome === 'accept'
                  ? resolve({ messageId: `<${message.id}@example.org.uk>` })
                  : reject(refusal('451 4.3.0 Try again later'));
            });
          },
          close: async () => {},
        };
        const twoLog = recorder();
        const two = new OutboxSender({
          outbox: new OutboxRecords(second.db),
          mailer: twoMailer,
          clock,
          logger: twoLog,
          leaseMs,
          random: () => 0,
        });
        let twoRun: Promise<OutboxRunResult> | undefined;
        const oneMailer: Mailer = {
          send: async () => {
            clock.advance(leaseMs + SECOND);
            twoRun = two.runOnce();
            await expect.poll(() => twoSending).toBe(true);
            return oneEnds();
          },
          close: async () => {},
        };
        const oneLog = recorder();
        const one = new OutboxSender({ outbox, mailer: oneMailer, clock, logger: oneLog, leaseMs });
        const oneResult = await one.runOnce();
        return { clock, id, oneResult, oneLog, twoLog, twoAnswers, twoRun: () => twoRun! };
      }

      it('its failed send leaves the new holder’s lease and schedule untouched, so no third sender takes the message', async () => {
        const { clock, id, oneResult, oneLog, twoAnswers, twoRun } = await takeover(async () => {
          throw refusal('451 4.3.0 Try again later');
        });
        expect(oneResult).toEqual({ sent: 0, failed: 1, deferred: 0 });
        expect(await outbox.find(id)).toMatchObject({
          attempts: 2,
          // Two's own lease, from its claim one lease and a second after one's.
          leaseUntil: new Date(START_MS + 2 * leaseMs + SECOND),
          nextAttemptAt: new Date(START),
          lastError: null,
          sentAt: null,
        });
        expect(oneLog.lines.join('\n')).toContain('another sender took it over');
        // While two sends, a third sender finds nothing to take.
        expect(await new OutboxRecords(second.db).claimDue(clock.now(), leaseMs, 10)).toEqual([]);

        // The holder's own failure is recorded as always: the error, the next try backed off, the lease let go.
        twoAnswers('refuse');
        expect(await twoRun()).toEqual({ sent: 0, failed: 1, deferred: 0 });
        expect(await outbox.find(id)).toMatchObject({
          attempts: 2,
          leaseUntil: null,
          nextAttemptAt: new Date(clock.now().getTime() + 2 * 60 * SECOND),
          lastError: 'EENVELOPE 451: 451 4.3.0 Try again later',
          sentAt: null,
        });
      });

      it('its delivered message is still recorded as sent, and it says the message may go twice', async () => {
        const { id, oneResult, oneLog, twoLog, twoAnswers, twoRun } = await takeover(async () => ({
          messageId: '<1@example.org.uk>',
        }));
        expect(oneResult).toEqual({ sent: 1, failed: 0, deferred: 0 });
        expect(await outbox.find(id)).toMatchObject({
          leaseUntil: null,
          sentAt: new Date(START_MS + leaseMs + SECOND),
        });
        expect(oneLog.lines.join('\n')).toContain('sent after another sender took it over');

        // The holder's send went through too, so it went twice, and the holder says so;
        // the record stays the first one's.
        twoAnswers('accept');
        expect(await twoRun()).toEqual({ sent: 1, failed: 0, deferred: 0 });
        expect(twoLog.lines.join('\n')).toContain('another sender had already sent it');
        expect(await outbox.find(id)).toMatchObject({ sentAt: new Date(START_MS + leaseMs + SECOND) });
      });
    });

    it('a failed send slower than the lease is recorded by its sender, under the lease the heartbeat renewed', async () => {
      // Real time: the heartbeat runs on real timers. The send takes three leases, then fails.
      const leaseMs = 300;
      const id = await outbox.enqueue(plainMessage(1), systemClock.now());
      const logger = recorder();
      const sender = new OutboxSender({
        outbox,
        mailer: {
          send: async () => {
            await new Promise((resolve) => setTimeout(resolve, 3 * leaseMs));
            throw refusal('451 4.3.0 Try again later');
          },
          close: async () => {},
        },
        clock: systemClock,
        logger,
        leaseMs,
        random: () => 0,
      });
      const before = systemClock.now().getTime();
      expect(await sender.runOnce()).toEqual({ sent: 0, failed: 1, deferred: 0 });
      const row = await outbox.find(id);
      expect(row).toMatchObject({
        attempts: 1,
        leaseUntil: null,
        lastError: 'EENVELOPE 451: 451 4.3.0 Try again later',
      });
      expect(row!.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 60 * SECOND);
      expect(logger.lines.join('\n')).not.toContain('another sender');
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
