/**
 * Delivers the outbox. Each run claims due messages (with a lease, so any
 * number of senders in any number of processes can run), sends each through
 * the mailer and records the outcome. A message that fails is tried again
 * later, waiting twice as long each time (1, 2, 4, 8 … minutes, at most an
 * hour), so nothing is lost while the mail server is down and nothing hammers
 * it when it comes back. Staff see messages that keep failing
 * (`OutboxRecords.stuck`).
 *
 * No address is sent more than `EMAILS_PER_RECIPIENT_PER_HOUR` emails in an
 * hour (domain/outbox.ts), whatever triggered them: before sending, the
 * sender counts what that address was sent in the last hour, and a message
 * over the limit is held until the hour allows it (never lost, never counted
 * as a failure). The count is read, then the message sent, with no lock: with
 * several processes sending at once, each can send a message the others have
 * not yet recorded, so an address can get more than the limit by at most one
 * batch (`batchSize`) per process in an hour.
 *
 * Logs name the outbox id and kind of message, never an address or content.
 */
import type { OutboxMessage, OutboxRecords } from '../data/repositories/outboxRecords.js';
import { heldUntil, RECIPIENT_LIMIT_WINDOW_MS } from '../domain/outbox.js';
import type { Clock } from '../services/clock.js';
import { describeSendError, type Mailer } from '../services/mailer.js';

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
   * How long a claimed message is kept from other senders: longer than a
   * batch can take to send (a batch ends early when the server is unreachable).
   */
  leaseMs?: number;
  /** Messages claimed at a time. */
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
   * back for the next run), the lease ran out first (another sender may
   * have the message now), or its address has had its emails for the hour
   * (held until the hour allows).
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

const MINUTE = 60_000;
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
    this.leaseMs = options.leaseMs ?? 10 * MINUTE;
    this.batchSize = options.batchSize ?? 5;
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
    let handled = 0;
    let serverDown = false;
    while (handled < this.maxPerRun && !this.stopping && !serverDown) {
      const limit = Math.min(this.batchSize, this.maxPerRun - handled);
      const batch = await this.outbox.claimDue(this.clock.now(), this.leaseMs, limit);
      for (const message of batch) {
        if (serverDown) {
          await this.handBack(message);
          result.deferred += 1;
          continue;
        }
        const outcome = await this.deliver(message);
        if (outcome === 'failedServerDown') {
          serverDown = true;
          result.failed += 1;
        } else result[outcome] += 1;
      }
      handled += batch.length;
      if (batch.length < limit) break;
    }
    return result;
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

  private async deliver(message: OutboxMessage): Promise<Outcome> {
    const about = { outboxId: message.id, kind: message.kind, attempt: message.attempts };
    if (message.leaseUntil && this.clock.now() >= message.leaseUntil) {
      // Another sender may hold it now; sending too could deliver it twice.
      this.logger.warn(about, 'outbox: lease ran out before sending; left for a later run');
      return 'deferred';
    }

    const now = this.clock.now();
    const sent = await this.outbox.sentTo(
      message.to.address,
      new Date(now.getTime() - RECIPIENT_LIMIT_WINDOW_MS),
    );
    const until = heldUntil(sent);
    if (until) {
      await this.outbox.hold(message, until);
      this.logger.info(
        { ...about, heldUntil: until.toISOString() },
        'outbox: its address has had its emails for the hour; held',
      );
      return 'deferred';
    }

    try {
      await this.mailer.send(message);
    } catch (error) {
      const reason = describeSendError(error);
      const retryAt = new Date(this.clock.now().getTime() + backoffDelayMs(message.attempts, this.random));
      try {
        await this.outbox.markFailed(message.id, reason, retryAt);
      } catch (recordError) {
        // The lease still keeps others off it until it runs out; then it is retried.
        this.logger.error(
          { ...about, reason: describeSendError(recordError) },
          'outbox: could not record a failed send',
        );
      }
      this.logger.warn(
        { ...about, reason, retryAt: retryAt.toISOString() },
        'outbox: send failed; will retry',
      );
      return serverUnavailable(error) ? 'failedServerDown' : 'failed';
    }

    try {
      await this.outbox.markSent(message.id, this.clock.now());
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
