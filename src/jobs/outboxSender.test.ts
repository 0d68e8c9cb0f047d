import { describe, expect, it } from 'vitest';

import type { OutboxMessage, OutboxRecords, SentRecord } from '../data/repositories/outboxRecords.js';
import { fixedClock } from '../services/clock.js';
import type { Mailer } from '../services/email/mailer.js';
import { OutboxSender, backoffDelayMs, type JobLogger } from './outboxSender.js';

const NOW = '2026-03-02T09:00:00.000Z';
const MINUTE = 60_000;

function message(id: number, attempts = 1): OutboxMessage {
  return {
    id,
    createdAt: new Date(NOW),
    to: { address: `person${id}@example.org.uk`, name: `Person ${id}` },
    subject: `Subject ${id}`,
    text: `secret text ${id}`,
    html: `<p>secret html ${id}</p>`,
    attachments: [],
    kind: 'booking_confirmed',
    bookingId: null,
    attempts,
    nextAttemptAt: new Date(NOW),
    leaseUntil: new Date(new Date(NOW).getTime() + 10 * MINUTE),
    lastError: null,
    sentAt: null,
  };
}

/** An outbox in memory that records what the sender told it. */
function fakeOutbox(queue: OutboxMessage[]) {
  const calls = {
    sent: [] as number[],
    failed: [] as { id: number; error: string; next: Date }[],
    /** The lease each failure was recorded under. */
    failedLeases: [] as (Date | null)[],
    released: [] as number[],
    /** Each heartbeat: the ids it asked to renew. */
    renewals: [] as number[][],
  };
  let claimFails = false;
  /** What a renewal does: by default every lease is still this sender's. */
  let renew: (ids: number[]) => number[] | Promise<number[]> = (ids) => ids;
  /** What recording a send or a failure finds: by default the lease is still this sender's. */
  let records: { sent: SentRecord; failed: boolean } = { sent: 'recorded', failed: true };
  const outbox = {
    async claimDue(_now: Date, _leaseMs: number, limit: number) {
      if (claimFails) throw new Error('database unreachable');
      return queue.splice(0, limit);
    },
    async markSent(message: OutboxMessage) {
      calls.sent.push(message.id);
      return records.sent;
    },
    async markFailed(message: OutboxMessage, error: string, next: Date) {
      calls.failed.push({ id: message.id, error, next });
      calls.failedLeases.push(message.leaseUntil);
      return records.failed;
    },
    async release(message: OutboxMessage) {
      calls.released.push(message.id);
    },
    async renewLeases(messages: OutboxMessage[]) {
      const ids = messages.map((m) => m.id);
      calls.renewals.push(ids);
      return renew(ids);
    },
    // Nobody here has had their hour's emails (the limit is tested on both databases).
    async sentTo() {
      return [];
    },
    async hold() {
      throw new Error('nothing should be held');
    },
  };
  return {
    outbox: outbox as unknown as OutboxRecords,
    calls,
    failClaims: (fail: boolean) => {
      claimFails = fail;
    },
    onRenew: (behaviour: (ids: number[]) => number[] | Promise<number[]>) => {
      renew = behaviour;
    },
    onRecord: (found: { sent: SentRecord; failed: boolean }) => {
      records = found;
    },
  };
}

function recorder(): JobLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (details: object, text: string) => {
    lines.push(`${level} ${text} ${JSON.stringify(details)}`);
  };
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}

describe('backoffDelayMs', () => {
  it('waits 1, 2, 4, 8 … minutes, never more than an hour', () => {
    const none = () => 0;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map((n) => backoffDelayMs(n, none) / MINUTE)).toEqual([
      1, 2, 4, 8, 16, 32, 60, 60, 60,
    ]);
  });

  it('takes off up to a tenth at random, so retries spread out but still grow', () => {
    expect(backoffDelayMs(1, () => 1)).toBe(0.9 * MINUTE);
    expect(backoffDelayMs(7, () => 1)).toBe(54 * MINUTE);
    for (let attempts = 1; attempts < 7; attempts++) {
      expect(backoffDelayMs(attempts + 1, () => 1)).toBeGreaterThan(backoffDelayMs(attempts, () => 0));
    }
  });
});

describe('OutboxSender', () => {
  it('marks what was sent as sent and what failed as failed, with the next try backed off', async () => {
    const { outbox, calls } = fakeOutbox([message(1, 1), message(2, 3), message(3, 1)]);
    const mailer: Mailer = {
      send: async (m) => {
        if (m.id === 2) throw Object.assign(new Error('Try later'), { code: 'EENVELOPE', responseCode: 451 });
        return { messageId: `<${m.id}@x>` };
      },
      close: async () => {},
    };
    const sender = new OutboxSender({
      outbox,
      mailer,
      clock: fixedClock(NOW),
      logger: recorder(),
      random: () => 0,
    });
    expect(await sender.runOnce()).toEqual({ sent: 2, failed: 1, deferred: 0 });
    expect(calls.sent).toEqual([1, 3]);
    expect(calls.failed).toEqual([
      { id: 2, error: 'EENVELOPE 451: Try later', next: new Date(new Date(NOW).getTime() + 4 * MINUTE) },
    ]);
  });

  it('ends the run when the mail server is unreachable, handing back the messages it did not try', async () => {
    const { outbox, calls } = fakeOutbox([
      message(1),
      message(2),
      message(3),
      message(4),
      message(5),
      message(6),
    ]);
    const tried: number[] = [];
    const mailer: Mailer = {
      send: async (m) => {
        tried.push(m.id);
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ECONNECTION' });
      },
      close: async () => {},
    };
    const sender = new OutboxSender({
      outbox,
      mailer,
      clock: fixedClock(NOW),
      logger: recorder(),
      batchSize: 3,
    });
    expect(await sender.runOnce()).toEqual({ sent: 0, failed: 1, deferred: 2 });
    expect(tried).toEqual([1]);
    expect(calls.failed.map((f) => f.id)).toEqual([1]);
    expect(calls.released).toEqual([2, 3]);
  });

  it('does not send a message whose lease has already run out', async () => {
    const stale = { ...message(1), leaseUntil: new Date(NOW) };
    const { outbox, calls } = fakeOutbox([stale]);
    let sends = 0;
    const mailer: Mailer = {
      send: async () => {
        sends += 1;
        return { messageId: 'x' };
      },
      close: async () => {},
    };
    const sender = new OutboxSender({ outbox, mailer, clock: fixedClock(NOW), logger: recorder() });
    expect(await sender.runOnce()).toEqual({ sent: 0, failed: 0, deferred: 1 });
    expect(sends).toBe(0);
    expect(calls.sent).toEqual([]);
  });

  it('logs ids and kinds, never addresses or content', async () => {
    const { outbox } = fakeOutbox([message(1), message(2)]);
    const mailer: Mailer = {
      send: async (m) => {
        if (m.id === 2) throw new Error(`550 5.1.1 <${m.to.address}>: unknown user`);
        return { messageId: 'x' };
      },
      close: async () => {},
    };
    const logger = recorder();
    const sender = new OutboxSender({ outbox, mailer, clock: fixedClock(NOW), logger });
    sender.start(10);
    await expect.poll(() => logger.lines.some((line) => line.includes('run finished'))).toBe(true);
    await sender.stop();
    const log = logger.lines.join('\n');
    expect(log).toContain('"outboxId":2');
    expect(log).toContain('[address]');
    expect(log).not.toMatch(/@|secret|Person \d|Subject \d/);
  });

  it('keeps running when the outbox cannot be read, and logs it', async () => {
    const { outbox, calls, failClaims } = fakeOutbox([message(1)]);
    failClaims(true);
    const mailer: Mailer = { send: async () => ({ messageId: 'x' }), close: async () => {} };
    const logger = recorder();
    const sender = new OutboxSender({ outbox, mailer, clock: fixedClock(NOW), logger });
    sender.start(5);
    await expect.poll(() => logger.lines.filter((l) => l.startsWith('error')).length).toBeGreaterThan(1);
    failClaims(false);
    await expect.poll(() => calls.sent).toEqual([1]);
    await sender.stop();
    expect(logger.lines.find((l) => l.startsWith('error'))).toContain('outbox: run failed');
  });

  it('stop() waits for the message being sent', async () => {
    const { outbox, calls } = fakeOutbox([message(1)]);
    let release: () => void = () => undefined;
    let started = false;
    const mailer: Mailer = {
      send: () =>
        new Promise((resolve) => {
          started = true;
          release = () => resolve({ messageId: 'x' });
        }),
      close: async () => {},
    };
    const sender = new OutboxSender({ outbox, mailer, clock: fixedClock(NOW), logger: recorder() });
    sender.start(1_000);
    await expect.poll(() => started).toBe(true);
    let stopped = false;
    const stopping = sender.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(calls.sent).toEqual([1]);
  });

  it('a second runOnce while one is running shares it', async () => {
    const { outbox } = fakeOutbox([message(1)]);
    const mailer: Mailer = { send: async () => ({ messageId: 'x' }), close: async () => {} };
    const sender = new OutboxSender({ outbox, mailer, clock: fixedClock(NOW), logger: recorder() });
    const [a, b] = await Promise.all([sender.runOnce(), sender.runOnce()]);
    expect(a).toBe(b);
    expect(a.sent).toBe(1);
  });

  it('sends as many at once as it has connections, never two to one address at once', async () => {
    // Twelve messages to six people, two each; a pool of four connections.
    const queue = Array.from({ length: 12 }, (_, i) => {
      const m = message(i + 1);
      return { ...m, to: { ...m.to, address: `person${(i % 6) + 1}@example.org.uk` } };
    });
    const { outbox, calls } = fakeOutbox(queue);
    let inFlight = 0;
    let mostAtOnce = 0;
    const sendingTo = new Set<string>();
    const twoToOneAddress: string[] = [];
    const waiting: (() => void)[] = [];
    const mailer: Mailer = {
      send: (m) => {
        inFlight += 1;
        mostAtOnce = Math.max(mostAtOnce, inFlight);
        if (sendingTo.has(m.to.address)) twoToOneAddress.push(m.to.address);
        sendingTo.add(m.to.address);
        return new Promise((resolve) =>
          waiting.push(() => {
            inFlight -= 1;
            sendingTo.delete(m.to.address);
            resolve({ messageId: 'x' });
          }),
        );
      },
      close: async () => {},
    };
    const sender = new OutboxSender({
      outbox,
      mailer,
      clock: fixedClock(NOW),
      logger: recorder(),
      concurrency: 4,
      batchSize: 12,
    });
    const run = sender.runOnce();
    // The server answers one send at a time, the newest first, so the older
    // messages stay in flight while later ones to the same people come up.
    for (let answered = 0; answered < 12; answered++) {
      await expect.poll(() => waiting.length).toBeGreaterThan(0);
      // Let every send that can start, start, before answering.
      await new Promise((resolve) => setImmediate(resolve));
      waiting.pop()!();
    }
    expect(await run).toEqual({ sent: 12, failed: 0, deferred: 0 });
    expect(mostAtOnce).toBe(4);
    expect(twoToOneAddress).toEqual([]);
    expect(calls.sent.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('tries one message alone first, so a server that is down costs one attempt, not one per connection', async () => {
    const { outbox, calls } = fakeOutbox([1, 2, 3, 4, 5, 6].map((id) => message(id)));
    const tried: number[] = [];
    const mailer: Mailer = {
      send: async (m) => {
        tried.push(m.id);
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ECONNECTION' });
      },
      close: async () => {},
    };
    const sender = new OutboxSender({
      outbox,
      mailer,
      clock: fixedClock(NOW),
      logger: recorder(),
      concurrency: 5,
    });
    expect(await sender.runOnce()).toEqual({ sent: 0, failed: 1, deferred: 5 });
    expect(tried).toEqual([1]);
    expect(calls.released).toEqual([2, 3, 4, 5, 6]);
  });

  it('renews the leases of the messages in hand every third of the lease while a send takes long', async () => {
    const { outbox, calls } = fakeOutbox([message(1), message(2)]);
    const mailer: Mailer = {
      // The server answers each message only once the heartbeat has beaten twice more.
      send: async () => {
        const before = calls.renewals.length;
        await expect.poll(() => calls.renewals.length, { interval: 5 }).toBeGreaterThanOrEqual(before + 2);
        return { messageId: 'x' };
      },
      close: async () => {},
    };
    const leaseMs = 60;
    // One at a time, so the second message is in hand all through the first one's send.
    const sender = new OutboxSender({ outbox, mailer, clock: fixedClock(NOW), logger: recorder(), leaseMs });
    const claimed = [message(1), message(2)];
    expect(await sender.runOnce()).toEqual({ sent: 2, failed: 0, deferred: 0 });
    // Both were renewed while the first was being sent; once it was done, only the second.
    expect(calls.renewals[0]).toEqual(claimed.map((m) => m.id));
    expect(calls.renewals.at(-1)).toEqual([2]);
    // The heartbeat ended with the batch: no renewal after the run.
    const renewalsAtEnd = calls.renewals.length;
    await new Promise((resolve) => setTimeout(resolve, 5 * leaseMs));
    expect(calls.renewals.length).toBe(renewalsAtEnd);
  });

  it('does not send a message whose renewal found its row gone: another sender may have it', async () => {
    // Two messages to one address, so the second waits for the first.
    const second = { ...message(2), to: message(1).to };
    const { outbox, calls, onRenew } = fakeOutbox([message(1), second]);
    // The second's lease is no longer this sender's (it ran out and was claimed elsewhere).
    onRenew((ids) => ids.filter((id) => id !== 2));
    const sends: number[] = [];
    const mailer: Mailer = {
      send: async (m) => {
        sends.push(m.id);
        await expect.poll(() => calls.renewals.length, { interval: 5 }).toBeGreaterThanOrEqual(1);
        return { messageId: 'x' };
      },
      close: async () => {},
    };
    const logger = recorder();
    const sender = new OutboxSender({ outbox, mailer, clock: fixedClock(NOW), logger, leaseMs: 30 });
    expect(await sender.runOnce()).toEqual({ sent: 1, failed: 0, deferred: 1 });
    expect(sends).toEqual([1]);
    expect(calls.sent).toEqual([1]);
    // Handed back, which the database does only if the lease is still this sender's.
    expect(calls.released).toEqual([2]);
    expect(logger.lines.join('\n')).toContain('another sender may hold these messages now');
  });

  it('does not send the messages not yet sent when a renewal fails', async () => {
    const second = { ...message(2), to: message(1).to };
    const { outbox, calls, onRenew } = fakeOutbox([message(1), second]);
    onRenew(() => {
      throw new Error('database unreachable');
    });
    const mailer: Mailer = {
      send: async () => {
        await expect.poll(() => calls.renewals.length, { interval: 5 }).toBeGreaterThanOrEqual(1);
        return { messageId: 'x' };
      },
      close: async () => {},
    };
    const logger = recorder();
    const sender = new OutboxSender({ outbox, mailer, clock: fixedClock(NOW), logger, leaseMs: 30 });
    expect(await sender.runOnce()).toEqual({ sent: 1, failed: 0, deferred: 1 });
    expect(calls.sent).toEqual([1]);
    expect(logger.lines.join('\n')).toContain('could not renew leases');
  });

  it('records a failed send between renewals, under the lease the heartbeat last set', async () => {
    const { outbox, calls, onRenew } = fakeOutbox([message(1)]);
    let renewalEnds: () => void = () => undefined;
    // The heartbeat's renewal is still waiting for the database when the send fails.
    onRenew((ids) => new Promise((resolve) => (renewalEnds = () => resolve(ids))));
    const mailer: Mailer = {
      send: async () => {
        await expect.poll(() => calls.renewals.length, { interval: 5 }).toBe(1);
        throw Object.assign(new Error('Try later'), { code: 'EENVELOPE', responseCode: 451 });
      },
      close: async () => {},
    };
    const leaseMs = 30;
    const sender = new OutboxSender({ outbox, mailer, clock: fixedClock(NOW), logger: recorder(), leaseMs });
    const run = sender.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 3 * leaseMs));
    // Not while the renewal may be replacing the lease the failure would name…
    expect(calls.failed).toEqual([]);
    renewalEnds();
    expect(await run).toEqual({ sent: 0, failed: 1, deferred: 0 });
    // …but after it, naming the lease it set.
    expect(calls.failedLeases).toEqual([new Date(new Date(NOW).getTime() + leaseMs)]);
  });

  it('says so when another sender had taken over a message it then sent, or failed to send', async () => {
    const { outbox, calls, onRecord } = fakeOutbox([message(1), message(2)]);
    onRecord({ sent: 'recordedWithoutLease', failed: false });
    const mailer: Mailer = {
      send: async (m) => {
        if (m.id === 2) throw Object.assign(new Error('Try later'), { code: 'EENVELOPE', responseCode: 451 });
        return { messageId: 'x' };
      },
      close: async () => {},
    };
    const logger = recorder();
    const sender = new OutboxSender({ outbox, mailer, clock: fixedClock(NOW), logger });
    expect(await sender.runOnce()).toEqual({ sent: 1, failed: 1, deferred: 0 });
    expect(calls.sent).toEqual([1]);
    const log = logger.lines.join('\n');
    expect(log).toMatch(/^warn outbox: sent after another sender took it over.*"outboxId":1/m);
    expect(log).toMatch(/^warn outbox: send failed after another sender took it over.*"outboxId":2/m);
    expect(log).not.toContain('will retry');
  });

  it('says so when a message it sent had already been sent by another sender', async () => {
    const { outbox, onRecord } = fakeOutbox([message(1)]);
    onRecord({ sent: 'alreadySent', failed: true });
    const mailer: Mailer = { send: async () => ({ messageId: 'x' }), close: async () => {} };
    const logger = recorder();
    const sender = new OutboxSender({ outbox, mailer, clock: fixedClock(NOW), logger });
    expect(await sender.runOnce()).toEqual({ sent: 1, failed: 0, deferred: 0 });
    expect(logger.lines.join('\n')).toMatch(/^warn outbox: sent, but another sender had already sent it/m);
  });
});
