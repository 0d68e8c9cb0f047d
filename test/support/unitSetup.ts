/**
 * Runs once before the unit tests (the `unit` project in vitest.config.ts:
 * the tests beside the code, in `src`), which need only Redis (the sign-in
 * throttle's shared store): no database templates and no browser, which the
 * other tests need (globalSetup.ts). Run alone (`npm run test:unit`, as CI
 * does on the machine's Node.js), the unit tests no longer wait for both
 * databases to be built and Chromium to start for tests that use neither.
 */
import type { TestProject } from 'vitest/node';

import { IN_CI, REDIS_TEST_URL, redisReachable } from './environment.js';

export default async function setup(project: TestProject) {
  const redisProblem = await redisReachable();
  if (IN_CI && redisProblem) {
    throw new Error(`CI must test with Redis, but Redis at ${REDIS_TEST_URL}: ${redisProblem}`);
  }
  if (redisProblem) {
    console.warn(
      `\nNOTICE: unit tests with Redis are SKIPPED: cannot reach ${REDIS_TEST_URL} (${redisProblem}).\n` +
        'Start Redis or set TRELLIS_TEST_REDIS_URL to run them. CI never skips them.\n',
    );
  }
  project.provide('redisAvailable', redisProblem === null);
}
