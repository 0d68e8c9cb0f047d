import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/support/globalSetup.ts'],
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // A hang detector, not a speed limit: these machines are shared and sometimes very busy.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: a few files at a time keeps the browser and PostgreSQL tests steady.
    maxWorkers: 3,
    minWorkers: 1,
  },
});
