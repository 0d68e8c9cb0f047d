/**
 * Emails per second through the outbox: messages written to a fresh
 * database, sent by Trellis's OutboxSender and SMTP mailer to a local SMTP
 * sink (smtp-server, in this process, keeping nothing), timed from the first
 * claim to the last message recorded as sent.
 *
 * Three ways of sending, on the same messages:
 *   - one connection per message, one at a time (Trellis before the pool);
 *   - one connection per message, POOL at once (to tell the gain of sending
 *     several at once from the gain of reusing connections);
 *   - a pool of POOL connections, POOL at once (Trellis now).
 * and two sinks: one that greets at once (the loopback: a connection costs
 * next to nothing), and one that takes GREETING_MS to greet, as a relay
 * elsewhere does once the network round trips and the TLS handshake are
 * counted. Ratios are to the first way on the same sink, in the same run.
 *
 *   node --import tsx bench/emailRate.ts
 *   EMAILS=500 POOL=5 GREETING_MS=50 BENCH_DATABASES=sqlite,postgres node --import tsx bench/emailRate.ts
 */
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

import { SMTPServer } from 'smtp-server';

import { openDatabase } from '../src/data/db.js';
import { migrateToLatest } from '../src/data/migrations/index.js';
import { OutboxRecords, type NewOutboxMessage } from '../src/data/repositories/outboxRecords.js';
import { OutboxSender, type JobLogger } from '../src/jobs/outboxSender.js';
import { systemClock } from '../src/services/clock.js';
import { createSmtpMailer } from '../src/services/email/mailer.js';
import { createBenchDatabase, databasesToRun, dropBenchDatabases } from './support/databases.js';
import { printMachine, printTable } from './support/report.js';

const EMAILS = Number(process.env.EMAILS ?? 300);
const POOL = Number(process.env.POOL ?? 5);
const GREETING_MS = Number(process.env.GREETING_MS ?? 50);
const DATABASES = databasesToRun(process.env.BENCH_DATABASES ?? 'sqlite');

const quiet: JobLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Way {
  name: string;
  poolSize: number | null;
  concurrency: number;
}

const WAYS: Way[] = [
  { name: 'a connection each, one at a time (before)', poolSize: null, concurrency: 1 },
  { name: `a connection each, ${POOL} at once`, poolSize: null, concurrency: POOL },
  { name: `pool of ${POOL}, ${POOL} at once (now)`, poolSize: POOL, concurrency: POOL },
];

/** A sink that keeps nothing, counting messages and connections; `greetingMs` delays its greeting. */
async function startSink(greetingMs: number) {
  const counts = { messages: 0, connections: 0 };
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    closeTimeout: 1,
    onAuth: (_auth, _session, callback) => callback(null, { user: 'trellis' }),
    onConnect: (_session, callback) => {
      counts.connections += 1;
      if (greetingMs > 0) setTimeout(() => callback(), greetingMs);
      else callback();
    },
    onData: (stream, _session, callback) => {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        counts.messages += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    counts,
    url: `smtp://trellis:secret@127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A booking confirmation's size: a few kilobytes of text and HTML. */
function message(n: number): NewOutboxMessage {
  const paragraph = 'Your place is confirmed. The venue, times and what to bring are below. '.repeat(20);
  return {
    kind: 'booking_confirmed',
    to: { address: `delegate${n}@example.org.uk`, name: `Delegate ${n}` },
    subject: `Your place is confirmed (${n})`,
    text: paragraph,
    html: `<!DOCTYPE html><html lang="en-GB"><body><p>${paragraph}</p></body></html>`,
  };
}

async function measure(
  outbox: OutboxRecords,
  sinkUrl: string,
  way: Way,
): Promise<{ perSecond: number; seconds: number }> {
  for (let n = 1; n <= EMAILS; n++) await outbox.enqueue(message(n), systemClock.now());
  const mailer = createSmtpMailer({
    url: sinkUrl,
    from: { address: 'training@example.org.uk', name: 'Training bookings' },
    poolSize: way.poolSize,
    timeoutMs: 10_000,
  });
  const sender = new OutboxSender({
    outbox,
    mailer,
    clock: systemClock,
    logger: quiet,
    concurrency: way.concurrency,
    maxPerRun: EMAILS,
  });
  const started = performance.now();
  let sent = 0;
  try {
    while (sent < EMAILS) {
      const result = await sender.runOnce();
      if (result.failed || result.deferred)
        throw new Error(`a send did not succeed: ${JSON.stringify(result)}`);
      if (!result.sent) throw new Error(`only ${sent} of ${EMAILS} were sent`);
      sent += result.sent;
    }
  } finally {
    await mailer.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: EMAILS / seconds, seconds };
}

async function main(): Promise<void> {
  printMachine(
    'Emails per second through the outbox to a local SMTP sink',
    [
      ['emails', `${EMAILS} per way of sending`],
      ['pool', `SMTP_POOL_SIZE=${POOL}`],
      ['sinks', `greets at once; greets after ${GREETING_MS} ms (a relay elsewhere, with TLS)`],
      ['databases', DATABASES.join(', ')],
    ],
    12,
  );
  const rows: string[][] = [];
  for (const dialect of DATABASES) {
    for (const greetingMs of [0, GREETING_MS]) {
      let baseline = 0;
      for (const way of WAYS) {
        const benchDatabase = await createBenchDatabase(dialect, 'email');
        const database = openDatabase(benchDatabase.url, {
          command: true,
          onConnectionError: () => undefined,
        });
        const sink = await startSink(greetingMs);
        try {
          await migrateToLatest(database.db, database.dialect);
          const { perSecond, seconds } = await measure(new OutboxRecords(database.db), sink.url, way);
          if (sink.counts.messages !== EMAILS) {
            throw new Error(`the sink received ${sink.counts.messages} of ${EMAILS} messages`);
          }
          baseline ||= perSecond;
          rows.push([
            `${dialect}, greeting ${greetingMs} ms: ${way.name}`,
            perSecond.toFixed(1),
            seconds.toFixed(2),
            String(sink.counts.connections),
            `${(perSecond / baseline).toFixed(2)}×`,
          ]);
        } finally {
          await sink.stop();
          await database.close();
          await benchDatabase.drop();
        }
      }
    }
  }
  printTable(['way of sending', 'emails/s', 'seconds', 'connections', 'ratio'], rows);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => dropBenchDatabases());
