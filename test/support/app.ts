/**
 * The real Trellis app on a fresh test database, built exactly as the server
 * builds it (same plugins, same services), with a clock the test controls.
 */
import { randomBytes } from 'node:crypto';

import type { FastifyInstance } from 'fastify';

import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { DialectName } from '../../src/data/db.js';
import { openRedis } from '../../src/data/redis.js';
import { loadDemo } from '../../src/demo/loadDemo.js';
import { demoProgramme } from '../../src/demo/programme.js';
import { fixedClock, type Clock } from '../../src/services/clock.js';
import type { BookingServiceOptions } from '../../src/services/bookings/bookingService.js';
import { buildServices, type Services } from '../../src/services/index.js';
import { TEST_NOW } from './databaseTemplates.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

export { TEST_NOW } from './databaseTemplates.js';

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  database: TestDatabase;
  config: Config;
  close(): Promise<void>;
}

export async function createTestApp(
  dialect: DialectName,
  options: {
    demo?: boolean;
    clock?: Clock;
    env?: Record<string, string>;
    booking?: BookingServiceOptions;
    /**
     * Another test app's database, for a second process on it (that app drops it):
     * no demo is loaded again.
     */
    database?: TestDatabase;
  } = {},
): Promise<TestApp> {
  const clock = options.clock ?? fixedClock(TEST_NOW);
  const ownDatabase = !options.database;
  let database = options.database;
  if (!database) {
    const demo = options.demo ?? true;
    const created = await createTestDatabase(dialect, demo ? { demoAt: clock.now() } : {});
    if (demo && !created.demoLoaded) await loadDemo(created.db, demoProgramme, clock.now());
    database = created;
  }
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    PUBLIC_URL: 'https://training.example.org.uk',
    // As `npm start` has it, for the tests that read emails there.
    DEV_MAILBOX: 'true',
    ...options.env,
  });
  // As the server opens it (src/server.ts), waiting for it as the server does; one that cannot
  // be reached is kept, as there, to show what Trellis does without it.
  const redis = config.redisUrl ? openRedis(config.redisUrl, { keyPrefix: config.redisKeyPrefix }) : null;
  await redis?.whenReady();
  const services = buildServices(database, {
    redis,
    clock,
    publicUrl: config.publicUrl,
    // Each test's database is new, so a new key is all it needs.
    secretsKey: randomBytes(32),
    ...(options.booking ? { booking: options.booking } : {}),
  });
  const app = await buildApp(config, services);
  return {
    app,
    services,
    database,
    config,
    close: async () => {
      await app.close();
      await redis?.close();
      if (ownDatabase) await database.drop();
    },
  };
}
