import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/support/globalSetup.ts'],
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Two cores: a few files at a time keeps the browser and PostgreSQL tests steady.
    maxWorkers: 3,
    minWorkers: 1,
  },
});
