/**
 * Runs once before the tests: finds out whether PostgreSQL, Redis and Chromium
 * are here, tells every test file, and says plainly what will be skipped;
 * builds the databases every test's own is copied from (databaseTemplates.ts),
 * and removes them afterwards.
 */
import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';

import { createAxeRecord } from './axeRecord.js';
import { buildDatabaseTemplates, type DatabaseTemplates } from './databaseTemplates.js';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  IN_CI,
  POSTGRES_ADMIN_URL,
  REDIS_TEST_URL,
  chromiumMissing,
  postgresReachable,
  redisReachable,
} from './environment.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAvailable: boolean;
    redisAvailable: boolean;
    chromiumAvailable: boolean;
    databaseTemplates: DatabaseTemplates;
    /** The shared Chromium's address for `chromium.connect`; empty when there is none. */
    chromiumEndpoint: string;
    /** Where page structures that passed axe are remembered (axeRecord.ts); empty without a browser. */
    axePassedDirectory: string;
  }
}

export default async function setup(project: TestProject) {
  const postgresProblem = await postgresReachable();
  const redisProblem = await redisReachable();
  const chromiumProblem = chromiumMissing();
  if (IN_CI && (postgresProblem || redisProblem || chromiumProblem)) {
    throw new Error(
      [
        'CI must test on PostgreSQL, with Redis and in Chromium, but:',
        postgresProblem && `  PostgreSQL at ${POSTGRES_ADMIN_URL}: ${postgresProblem}`,
        redisProblem && `  Redis at ${REDIS_TEST_URL}: ${redisProblem}`,
        chromiumProblem && `  Chromium: ${chromiumProblem}`,
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }
  if (postgresProblem) {
    console.warn(
      `\nNOTICE: PostgreSQL tests are SKIPPED: cannot reach ${POSTGRES_ADMIN_URL} (${postgresProblem}).\n` +
        'Start PostgreSQL or set TRELLIS_TEST_POSTGRES_URL to run them. CI never skips them.\n',
    );
  }
  if (redisProblem) {
    console.warn(
      `\nNOTICE: shared-limit tests with Redis are SKIPPED: cannot reach ${REDIS_TEST_URL} (${redisProblem}).\n` +
        'Start Redis or set TRELLIS_TEST_REDIS_URL to run them. CI never skips them.\n',
    );
  }
  if (chromiumProblem) {
    console.warn(
      `\nNOTICE: browser tests are SKIPPED: ${chromiumProblem}.\n` +
        `Install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH (now ${CHROMIUM_PATH}). CI never skips them.\n`,
    );
  }
  const built = await buildDatabaseTemplates(postgresProblem === null);
  project.provide('databaseTemplates', built.templates);
  project.provide('postgresAvailable', postgresProblem === null);
  project.provide('redisAvailable', redisProblem === null);
  project.provide('chromiumAvailable', chromiumProblem === null);
  // One browser for every browser test file, rather than one started per file.
  const browser = chromiumProblem
    ? null
    : await chromium.launchServer({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  project.provide('chromiumEndpoint', browser?.wsEndpoint() ?? '');
  const axeRecord = browser ? createAxeRecord() : null;
  project.provide('axePassedDirectory', axeRecord?.directory ?? '');
  return async () => {
    const summary = axeRecord?.summary();
    if (summary) process.stdout.write(`\n${summary}\n`);
    axeRecord?.remove();
    await browser?.close();
    await built.remove();
  };
}
