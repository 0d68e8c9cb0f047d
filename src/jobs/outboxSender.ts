/**
 * Delivers the outbox. Each run claims due messages (with a lease, so any
 * number of senders in any number of processes can run), sends them through
 * the mailer, several at once (as many as the mailer has connections, never
 * two to one address at once), and records each outcome.
 *
 * The lease is short (a minute by default) and kept alive by a heartbeat:
 * while a batch is being sent, the leases of the messages still in hand are
 * renewed every third of the lease. So a slow send keeps its message, and a
 * message claimed by a process that died is taken by another sender one
 * lease later. Delivery is at least once: a process that dies after the mail
 * server accepted a message but before it was recorded as sent leaves it to
 * be sent again, with the same Message-ID (services/email/mailer.ts).
 * A sender that stalls past its lease (a long pause) may find, when its send
 * ends, that another sender has claimed the message meanwhile: a failure is
 * then left to the new holder (its lease and next try stay as they are), but
 * a delivery is still recorded, and logged, since the holder may send it too.
 * A message that fails is tried again
 * later, waiting twice as long each time (1, 2, 4, 8 … minutes, at most an
 * hour), so nothing is lost while the mail server is down and nothing hammers
 * it when it comes back. Staff see messages that keep failing
 * (`OutboxRecords.stuck`).
 *
 * No address is sent more than `EMAILS_PER_RECIPIENT_PER_HOUR` emails in an
 * hour (domain/hub/outbox.ts), whatever triggered them: before sending, the
 * sender counts what that address was sent in the last hour, and a message
 * over the limit is held until the hour allows it (never lost, never counted
 * as a failure). The count is read, then the message sent, with no lock: with
 * several processes sending at once, each can send a message the others have
 * not yet recorded, so an address can get more than the limit by at most one
 * batch (`batchSize`) per process in an hour. Within a process, messages to
 * one address are sent one after another, so the count is never read for two
 * of them at once.
 *
 * Logs name the outbox id and kind of message, never an address or content.
 */
import type { OutboxMessage, OutboxRecords } from '../data/repositories/outboxRecords.js';
import { heldUntil, RECIPIENT_LIMIT_WINDOW_MS } from '../domain/hub/outbox.js';
import type { Clock } from '../services/clock.js';
import { describeSendError, type Mailer } from '../services/email/mailer.js';

/** Pino's shape (Fastify's `app.log` fits), so the app's redaction applies. */
export interface JobLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface OutboxSenderOptions {
  outbox: OutboxRecords;
  mailer: Mailer;
  clock: Clock;
  logger: JobLogger;
  /**
   * How long a claimed message is kept from other senders without a
   * heartbeat (OUTBOX_LEASE_SECONDS). Renewed every third of it while the
   * message is in hand; after a crash, the message waits this long.
   */
  leaseMs?: number;
  /**
   * Messages sent at once: the mailer's pool of SMTP connections
   * (SMTP_POOL_SIZE), so each has a connection. Never two to one address.
   */
  concurrency?: number;
  /** Messages claimed at a time; twice `concurrency`, and at least 5, unless given. */
  batchSize?: number;
  /** At most this many messages in one run, so a backlog cannot starve `stop()`. */
  maxPerRun?: number;
  /** For the jitter; replaceable in tests. */
  random?: () => number;
}

export interface OutboxRunResult {
  sent: number;
  failed: number;
  /**
   * Claimed but not tried: the mail server was unreachable (they are handed
   * back for the next run), the lease ran out or could not be renewed first
   * (another sender may have the message now), or its address has had its
   * emails for the hour (held until the hour allows).
   */
  deferred: number;
}

/**
 * Failures of the mail server rather than of one message: after one of
 * these the rest of the run would only fail the same way (and, if the
 * server hangs, wait out a timeout each), so the run ends early.
 */
const SERVER_UNAVAILABLE = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EAUTH',
  'ECONNREFUSED',
]);

function serverUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, responseCode } = error as Error & { code?: unknown; responseCode?: unknown };
  return (typeof code === 'string' && SERVER_UNAVAILABLE.has(code)) || responseCode === 421;
}

type Outcome = 'sent' | 'failed' | 'failedServerDown' | 'deferred';

/** What the sends of one run have learnt of the mail server so far. */
interface RunState {
  /** It answered a message (accepted or refused it): send at full concurrency. */
  answered: boolean;
  /** It could not be reached: try nothing more this run. */
  down: boolean;
}

const MINUTE = 60_000;
/** OUTBOX_LEASE_SECONDS's default. */
const DEFAULT_LEASE_MS = MINUTE;
const MAX_DELAY_MS = 60 * MINUTE;

/**
 * How long to wait after a failed attempt: 1 minute after the first, then
 * 2, 4, 8 … up to an hour, less up to 10% at random so that messages that
 * failed together do not all come back in the same second.
 */
export function backoffDelayMs(attempts: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempts, 1) - 1, 16);
  const delay = Math.min(MINUTE * 2 ** exponent, MAX_DELAY_MS);
  return Math.round(delay * (1 - 0.1 * random()));
}

export class OutboxSender {
  private readonly outbox: OutboxRecords;
  private readonly mailer: Mailer;
  private readonly clock: Clock;
  private readonly logger: JobLogger;
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly batchSize: number;
  private readonly maxPerRun: number;
  private readonly random: () => number;

  private inFlight: Promise<OutboxRunResult> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private intervalMs = 0;
  private running = false;
  private stopping = false;
  private wakeRequested = false;

  constructor(options: OutboxSenderOptions) {
    this.outbox = options.outbox;
    this.mailer = options.mailer;
    this.clock = options.clock;
    this.logger = options.logger;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.batchSize = options.batchSize ?? Math.max(5, 2 * this.concurrency);
    this.maxPerRun = options.maxPerRun ?? 100;
    this.random = options.random ?? Math.random;
  }

  /**
   * Sends what is due now. A call while a run is in progress shares that
   * run. Throws only if the outbox cannot be read (the loop logs that).
   */
  runOnce(): Promise<OutboxRunResult> {
    if (!this.inFlight) {
      this.inFlight = this.run().finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  /** Runs now and then every `intervalMs` until `stop()`. */
  start(intervalMs = 15_000): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.intervalMs = intervalMs;
    this.schedule(0);
  }

  /**
   * Runs soon rather than at the next interval: for a service to call after
   * committing a change that queued an email, so it goes out at once.
   */
  wake(): void {
    if (!this.running || this.stopping) return;
    if (this.timer) this.schedule(0);
    // A run is in progress: it may have looked already, so go again after it.
    else this.wakeRequested = true;
  }

  /** Stops the loop and waits for a run in progress to finish its batch. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight?.catch(() => undefined);
    this.stopping = false;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
    // A waiting timer does not keep the process alive; the server does.
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    try {
      const result = await this.runOnce();
      if (result.sent || result.failed || result.deferred) {
        this.logger.info({ ...result }, 'outbox: run finished');
      }
    } catch (error) {
      // The database may be down; the next run will try again.
      this.logger.error({ reason: describeSendError(error) }, 'outbox: run failed');
    }
    if (this.running && !this.stopping) this.schedule(this.wakeRequested ? 0 : this.intervalMs);
    this.wakeRequested = false;
  }

  private async run(): Promise<OutboxRunResult> {
    const result: OutboxRunResult = { sent: 0, failed: 0, deferred: 0 };
    const state: RunState = { answered: false, down: false };
    let handled = 0;
    while (handled < this.maxPerRun && !this.stopping && !state.down) {
      const limit = Math.min(this.batchSize, this.maxPerRun - handled);
      const batch = await this.outbox.claimDue(this.clock.now(), this.leaseMs, limit);
      if (batch.length) await this.sendBatch(batch, state, result);
      handled += batch.length;
      if (batch.length < limit) break;
    }
    return result;
  }

  /**
   * Sends one claimed batch, `concurrency` at a time, keeping its leases
   * alive until every message is done. The first message of a run goes on
   * its own: if the server is down, that one failure shows it, and the rest
   * are handed back untried rather than each failing on its own connection.
   */
  private async sendBatch(batch: OutboxMessage[], state: RunState, result: OutboxRunResult): Promise<void> {
    const leases = new BatchLeases({
      outbox: this.outbox,
      clock: this.clock,
      logger: this.logger,
      leaseMs: this.leaseMs,
      messages: batch,
    });
    leases.start();
    try {
      await eachAtOnce(batch, {
        limit: () => (state.answered ? this.concurrency : 1),
        // One address at a time: its hourly count is read before each send.
        keyOf: (message) => message.to.address.toLowerCase(),
        task: async (message) => {
          try {
            const outcome = await this.handle(message, leases, state);
            if (outcome === 'failedServerDown') {
              state.down = true;
              result.failed += 1;
            } else {
              if (outcome === 'sent' || outcome === 'failed') state.answered = true;
              result[outcome] += 1;
            }
          } finally {
            leases.done(message);
          }
        },
      });
    } finally {
      await leases.stop();
    }
  }

  private async handle(message: OutboxMessage, leases: BatchLeases, state: RunState): Promise<Outcome> {
    if (state.down) {
      await leases.exclusive(() => this.handBack(message));
      return 'deferred';
    }
    return this.deliver(message, leases);
  }

  private async handBack(message: OutboxMessage): Promise<void> {
    try {
      await this.outbox.release(message);
    } catch (error) {
      // Not lost: it is tried again when its lease runs out.
      this.logger.error(
        { outboxId: message.id, reason: describeSendError(error) },
        'outbox: could not hand back a message',
      );
    }
  }

  private async deliver(message: OutboxMessage, leases: BatchLeases): Promise<Outcome> {
    const about = { outboxId: message.id, kind: message.kind, attempt: message.attempts };
    const now = this.clock.now();
    const sent = await this.outbox.sentTo(
      message.to.address,
      new Date(now.getTime() - RECIPIENT_LIMIT_WINDOW_MS),
    );
    const until = heldUntil(sent);
    if (until) {
      await leases.exclusive(() => this.outbox.hold(message, until));
      this.logger.info(
        { ...about, heldUntil: until.toISOString() },
        'outbox: its address has had its emails for the hour; held',
      );
      return 'deferred';
    }

    if (!leases.holds(message)) {
      // Another sender may hold it now; sending too could deliver it twice.
      this.logger.warn(
        about,
        'outbox: lease ran out or could not be renewed before sending; left for a later run',
      );
      // Handed back only if the lease is still this sender's after all (a renewal met a database hiccup, say).
      await leases.exclusive(() => this.handBack(message));
      return 'deferred';
    }
    leases.sending(message);
    try {
      await this.mailer.send(message);
    } catch (error) {
      const reason = describeSendError(error);
      const retryAt = new Date(this.clock.now().getTime() + backoffDelayMs(message.attempts, this.random));
      let recorded = true;
      try {
        // Taking turns with the heartbeat, so the lease named is the one it last set.
        recorded = await leases.exclusive(() => this.outbox.markFailed(message, reason, retryAt));
      } catch (recordError) {
        // The lease still keeps others off it until it runs out; then it is retried.
        this.logger.error(
          { ...about, reason: describeSendError(recordError) },
          'outbox: could not record a failed send',
        );
      }
      if (recorded) {
        this.logger.warn(
          { ...about, reason, retryAt: retryAt.toISOString() },
          'outbox: send failed; will retry',
        );
      } else {
        // Its lease ran out while it was being sent: its next try is the new holder's to decide.
        this.logger.warn(
          { ...about, reason },
          'outbox: send failed after another sender took it over; left to that sender',
        );
      }
      return serverUnavailable(error) ? 'failedServerDown' : 'failed';
    }

    try {
      const record = await leases.exclusive(() => this.outbox.markSent(message, this.clock.now()));
      if (record === 'recordedWithoutLease') {
        this.logger.warn(
          about,
          'outbox: sent after another sender took it over; recorded as sent, but that sender may send it too',
        );
      } else if (record === 'alreadySent') {
        this.logger.warn(about, 'outbox: sent, but another sender had already sent it; it went twice');
      }
    } catch (recordError) {
      // It will be sent again when the lease runs out, with the same Message-ID.
      this.logger.error(
        { ...about, reason: describeSendError(recordError) },
        'outbox: sent, but could not record it; it may be sent again',
      );
    }
    return 'sent';
  }
}

/**
 * The leases of one batch while it is sent. Every third of the lease, one
 * conditional UPDATE (`OutboxRecords.renewLeases`) moves on the leases of
 * the messages still in hand, including those being sent, and each
 * message's `leaseUntil` with it. A message whose renewal fails, or whose
 * row has moved on (sent, or claimed by another sender after the lease ran
 * out), is lost: if not yet sent, it is not sent by this sender.
 */
class BatchLeases {
  private readonly outbox: OutboxRecords;
  private readonly clock: Clock;
  private readonly logger: JobLogger;
  private readonly leaseMs: number;
  /** Claimed and not yet done with: the messages whose leases are renewed. */
  private readonly inHand: Map<number, OutboxMessage>;
  private readonly started = new Set<number>();
  private readonly lost = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /**
   * Renewals and the updates that name a lease (hold, release, and
   * recording a send or a failure) take turns, so neither acts on a lease
   * the other is replacing.
   */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(options: {
    outbox: OutboxRecords;
    clock: Clock;
    logger: JobLogger;
    leaseMs: number;
    messages: readonly OutboxMessage[];
  }) {
    this.outbox = options.outbox;
    this.clock = options.clock;
    this.logger = options.logger;
    this.leaseMs = options.leaseMs;
    this.inHand = new Map(options.messages.map((message) => [message.id, message]));
  }

  start(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.exclusive(() => this.renew()).finally(() => this.start());
    }, this.leaseMs / 3);
    // Never what keeps a process alive; `stop()` clears it anyway.
    this.timer.unref();
  }

  /** Stops the heartbeat and waits for a renewal in progress: no timer or query is left behind. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.turn;
  }

  /** Whether the message may still be sent: its lease is this sender's and has not run out. */
  holds(message: OutboxMessage): boolean {
    return !this.lost.has(message.id) && message.leaseUntil !== null && this.clock.now() < message.leaseUntil;
  }

  /** The message is going to the mail server; its lease is still renewed until it is done. */
  sending(message: OutboxMessage): void {
    this.started.add(message.id);
  }

  /** Done with: sent, failed, held or handed back. Its lease is no longer renewed. */
  done(message: OutboxMessage): void {
    this.inHand.delete(message.id);
  }

  /** Runs `work` when no renewal is in progress, and starts none until it ends. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work);
    this.turn = result.catch(() => undefined);
    return result;
  }

  private async renew(): Promise<void> {
    const messages = [...this.inHand.values()].filter((message) => !this.lost.has(message.id));
    if (!messages.length) return;
    const leaseUntil = new Date(this.clock.now().getTime() + this.leaseMs);
    let renewed: Set<number>;
    try {
      renewed = new Set(await this.outbox.renewLeases(messages, leaseUntil));
    } catch (error) {
      for (const message of messages) this.lost.add(message.id);
      this.logger.warn(
        { messages: messages.length, reason: describeSendError(error) },
        'outbox: could not renew leases; the messages not yet sent are left for a later run',
      );
      return;
    }
    const lostUnsent: number[] = [];
    for (const message of messages) {
      if (renewed.has(message.id)) message.leaseUntil = leaseUntil;
      // Done with while the renewal ran (sent, say): nothing is lost.
      else if (this.inHand.has(message.id)) {
        this.lost.add(message.id);
        if (!this.started.has(message.id)) lostUnsent.push(message.id);
      }
    }
    if (lostUnsent.length) {
      this.logger.warn(
        { outboxIds: lostUnsent },
        'outbox: another sender may hold these messages now; this sender leaves them',
      );
    }
  }
}

/**
 * Runs `task` for each item in order, as many at once as `limit()` allows at
 * the time, but never two with the same key at once: an item whose key is
 * busy waits, and the next free one goes ahead. If a task throws, no more
 * start; the running ones finish, then the first error is thrown.
 */
async function eachAtOnce<T>(
  items: readonly T[],
  options: { limit: () => number; keyOf: (item: T) => string; task: (item: T) => Promise<void> },
): Promise<void> {
  const waiting = [...items];
  const busyKeys = new Set<string>();
  const running = new Set<Promise<void>>();
  const errors: unknown[] = [];
  for (;;) {
    while (!errors.length && running.size < Math.max(1, options.limit())) {
      const index = waiting.findIndex((item) => !busyKeys.has(options.keyOf(item)));
      if (index < 0) break;
      const item = waiting.splice(index, 1)[0] as T;
      const key = options.keyOf(item);
      busyKeys.add(key);
      const done: Promise<void> = options
        .task(item)
        .catch((error: unknown) => {
          errors.push(error);
        })
        .finally(() => {
          busyKeys.delete(key);
          running.delete(done);
        });
      running.add(done);
    }
    if (!running.size) break;
    await Promise.race(running);
  }
  if (errors.length) throw errors[0];
}
