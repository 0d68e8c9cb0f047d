/**
 * Trellis's background work, run in the web process: the outbox sender
 * (every few seconds) and, every minute, the waiting-list job (expired
 * offers, free places offered), session reminders and the deletion of access
 * needs after sessions. Every job is safe to run in several processes at once:
 * each claims its work under a lock or a lease.
 */
import type { Config } from '../config.js';
import { createDevelopmentMailbox, createSmtpMailer, type Mailer } from '../services/mailer.js';
import type { Services } from '../services/index.js';
import { OutboxSender, type JobLogger } from './outboxSender.js';

export interface Jobs {
  /** Runs every job once now (tests and the CLI use this). */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

const OUTBOX_EVERY_MS = 3_000;
const HOUSEKEEPING_EVERY_MS = 60_000;

export function createMailer(config: Config, services: Pick<Services, 'settings'>): Mailer {
  if (!config.smtpUrl) {
    return createDevelopmentMailbox({ messageIdDomain: new URL(config.publicUrl).hostname });
  }
  // Names and the reply address are read when sending, so a change in the
  // hub's settings shows in the next email.
  return createSmtpMailer({
    url: config.smtpUrl,
    from: async () => ({ address: config.mailFrom, name: (await services.settings.hub()).name }),
    replyTo: async () => {
      const hub = await services.settings.hub();
      return { address: hub.contactEmail, name: hub.name };
    },
  });
}

export function startJobs(
  services: Services,
  config: Config,
  logger: JobLogger,
  options: { start: boolean } = { start: true },
): Jobs {
  let mailer: Mailer | undefined;
  let sender: OutboxSender | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  function ensureSender(): OutboxSender {
    if (sender) return sender;
    mailer = createMailer(config, services);
    sender = new OutboxSender({ outbox: services.outbox, mailer, clock: services.clock, logger });
    return sender;
  }

  async function housekeeping() {
    for (const [name, job] of [
      ['waiting lists', () => services.bookings.processWaitlists()],
      ['reminders', () => services.bookings.sendReminders()],
      ['access needs retention', () => services.bookings.purgeNeeds()],
    ] as const) {
      try {
        const result = await job();
        // Quiet when there was nothing to do.
        if (Object.values(typeof result === 'number' ? { result } : result).some((n) => n > 0)) {
          logger.info({ job: name, result }, 'job ran');
        }
      } catch (error) {
        logger.error({ job: name, err: error }, 'job failed; it will run again');
      }
    }
  }

  const jobs: Jobs = {
    async runOnce() {
      await housekeeping();
      await ensureSender().runOnce();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
      await sender?.stop();
      await mailer?.close();
    },
  };

  if (options.start) {
    ensureSender().start(OUTBOX_EVERY_MS);
    timer = setInterval(() => {
      running ??= housekeeping().finally(() => {
        running = undefined;
      });
    }, HOUSEKEEPING_EVERY_MS);
    timer.unref();
  }
  return jobs;
}
