/**
 * Starts Trellis: validates configuration, opens and migrates the database,
 * loads the demo programme into a new database, then listens. On SIGTERM or
 * SIGINT it stops taking requests, finishes those in flight, and closes Redis
 * and the database.
 */
import closeWithGrace from 'close-with-grace';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

import { buildApp, buildMetricsApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './data/db.js';
import { watchForOtherProcesses } from './data/processCount.js';
import { openRedis } from './data/redis.js';
import { migrateToLatest } from './data/migrations/index.js';
import { loadDemoIfNew } from './demo/loadDemo.js';
import { demoProgramme } from './demo/programme.js';
import { createAdmin } from './cli/createAdmin.js';
import { startJobs } from './jobs/scheduler.js';
import { keepServingAfterUnhandledRejections } from './processErrors.js';
import { buildServices } from './services/index.js';
import { resolveSecretsKey } from './services/accounts/secretBox.js';

async function main() {
  const config = loadConfig();
  let log: Pick<FastifyBaseLogger, 'warn' | 'info'> = console;
  const database = openDatabase(config.databaseUrl, {
    poolSize: config.databasePoolSize,
    checkpointInBackground: true,
    onConnectionError: (error) =>
      log.warn({ err: error }, 'database connection dropped; it will be replaced'),
  });
  // Where rate limits and the sign-in throttle count across processes. Neither the URL (it may hold
  // a password) nor anything about a request goes into these warnings.
  const redis = config.redisUrl
    ? openRedis(config.redisUrl, {
        keyPrefix: config.redisKeyPrefix,
        onUnavailable: (error, missed) =>
          log.warn(
            { reason: error.message, ...(missed ? { missedSinceLastWarning: missed } : {}) },
            'Redis (REDIS_URL) cannot be used: until it can, this process counts rate limits and sign-in attempts on its own',
          ),
        onRecovered: () =>
          log.info('Redis (REDIS_URL) answers again: limits count across processes once more'),
      })
    : null;
  const services = buildServices(database, {
    redis,
    publicUrl: config.publicUrl,
    secretsKey: resolveSecretsKey(config),
    oneTimePasswordHours: config.oneTimePasswordHours,
  });
  const app = await buildApp(config, services);
  log = app.log;

  const migrations = await migrateToLatest(database.db, database.dialect);
  if (migrations.applied.length) app.log.info({ applied: migrations.applied }, 'database migrated');
  // config.ts refuses demo content in production; checked again here because
  // the demo prints an administrator's password, which production never does.
  if (config.demoContent && config.env !== 'production') {
    const demo = await loadDemoIfNew(database.db, demoProgramme, services.clock.now());
    if (demo.loaded) {
      app.log.info({ courses: demo.courses, sessions: demo.sessions }, 'demo programme loaded');
      // A demo needs someone to run it: an administrator whose one-time
      // password is printed once, here, and kept nowhere readable.
      const admin = await createAdmin(
        { name: 'Demo Administrator', email: 'admin@example.org.uk' },
        services,
      );
      // eslint-disable-next-line no-console -- to the terminal once, deliberately not into the logs
      console.log(
        `\nDemo back office: sign in at ${config.publicUrl}/admin/sign-in as ${admin.email}\n` +
          `with the one-time password ${admin.password} (shown only now, and working for ${config.oneTimePasswordHours} hours),\n` +
          `then set up an authenticator app.\n`,
      );
    }
  }

  if (redis && !(await redis.whenReady())) {
    app.log.warn('Redis (REDIS_URL) cannot be reached yet: Trellis starts anyway and keeps trying');
  }
  // Without a shared store, say so if other processes turn up on this database (PostgreSQL only).
  const otherProcesses = redis
    ? null
    : watchForOtherProcesses(database.db, database.dialect, (message, processes) =>
        app.log.warn({ processes }, message),
      );

  await app.listen({ host: config.host, port: config.port });
  // Loopback only, whatever HOST says: it answers without a token.
  let metricsApp: FastifyInstance | null = null;
  if (config.metricsPort) {
    metricsApp = await buildMetricsApp(config, services);
    await metricsApp.listen({ host: '127.0.0.1', port: config.metricsPort });
    app.log.info(
      `Metrics for Prometheus at http://127.0.0.1:${config.metricsPort}/metrics (this machine only)`,
    );
  }
  const jobs = startJobs(services, config, app.log);
  if (config.devMailbox) app.log.info(`No SMTP_URL: emails are kept at ${config.publicUrl}/dev/mailbox`);
  else if (!config.smtpUrl) {
    app.log.warn(
      'No SMTP_URL: emails are not sent, only kept in the database (the development mailbox, which shows them, needs DEV_MAILBOX=true and a loopback HOST)',
    );
  }

  keepServingAfterUnhandledRejections(process, app.log);
  closeWithGrace({ delay: 10_000, skip: ['unhandledRejection'] }, async ({ signal, err }) => {
    if (err)
      app.log.fatal({ err }, 'an unexpected error was not handled; Trellis is stopping to start afresh');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
    await metricsApp?.close();
    await jobs.stop();
    otherProcesses?.stop();
    await redis?.close();
    await database.close();
  });

  app.log.info(`Trellis is ready at ${config.publicUrl}/courses`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('Trellis could not start:', error);
  }
  process.exit(1);
});
