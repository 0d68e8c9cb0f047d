/**
 * Runs once before the tests: finds out whether PostgreSQL, Redis and Chromium
 * are here, tells every test file, and says plainly what will be skipped;
 * builds the databases every test's own is copied from (databaseTemplates.ts),
 * and removes them afterwards.
 */
import { chromium, type BrowserServer } from 'playwright-core';
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
        `Install Debian's headless Chromium (apt-get install -y chromium-headless-shell) or set CHROMIUM_PATH (now ${CHROMIUM_PATH}). CI never skips them.\n`,
    );
  }
  // The databases and the browser are made at the same time: one waits mostly on
  // PostgreSQL, the other on Chromium starting.
  const [built, browser] = await Promise.all([
    buildDatabaseTemplates(postgresProblem === null),
    // One browser for every browser test file, rather than one started per file.
    chromiumProblem ? null : launchChromium(),
  ]);
  project.provide('databaseTemplates', built.templates);
  project.provide('postgresAvailable', postgresProblem === null);
  project.provide('redisAvailable', redisProblem === null);
  project.provide('chromiumAvailable', chromiumProblem === null);
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

/**
 * Chromium features turned off for the tests, on top of Playwright's own:
 * the address bar's suggestion popups. Headless Chromium still opens a
 * window for each browser context, and each window loads these two popups
 * ahead of use (chrome://omnibox-popup.top-chrome/ and its _aim page), as
 * pages of their own in more renderer processes, for a popup nobody opens.
 * Measured on the loaded two-core machine, twelve contexts one after another:
 * 34 s → 23 s, and 12.4 → 9.6 s of processor time.
 */
const FEATURES_OFF = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];

/**
 * The shared browser. Chromium reads only the last `--disable-features` it
 * is given, so the list must hold Playwright's own features as well, and
 * Playwright does not publish its list: a first launch, closed at once,
 * shows it (about a second, once a run).
 */
async function launchChromium(): Promise<BrowserServer> {
  const options = { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS };
  const probe = await chromium.launchServer(options);
  const own = probe.process().spawnargs.find((arg) => arg.startsWith('--disable-features='));
  await probe.close();
  if (!own) return chromium.launchServer(options);
  return chromium.launchServer({
    ...options,
    ignoreDefaultArgs: [own],
    args: [...CHROMIUM_ARGS, [own, ...FEATURES_OFF].join(',')],
  });
}
