import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The browser files first, then the rest, each in vitest's own order (the
 * longest in the last run first, or on a fresh clone with no record of one,
 * the largest file first).
 *
 * Why: each browser file takes minutes, most other files seconds. Started
 * last (a fresh clone sorts by size, which mixes them in), one of them can
 * keep a single worker busy long after the others have finished; started
 * first, the short files fill the workers' gaps at the end.
 */
class BrowserFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isBrowserFile = (file: TestSpecification) => /\.e2e\.test\.ts$/.test(file.moduleId);
    return [...sorted.filter(isBrowserFile), ...sorted.filter((file) => !isBrowserFile(file))];
  }
}

export default defineConfig({
  test: {
    // A hang detector, not a speed limit: these machines are shared and sometimes very busy.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: a few files at a time keeps the browser and PostgreSQL tests steady.
    maxWorkers: 3,
    minWorkers: 1,
    sequence: { sequencer: BrowserFilesFirst },
    // Two projects, run together by `vitest run`, each with the set-up it
    // needs: vitest runs a project's globalSetup only when some of its files
    // run, so the unit tests alone (`npm run test:unit`) do not build the
    // database templates or start Chromium.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          globalSetup: ['test/support/unitSetup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'app',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/support/globalSetup.ts'],
        },
      },
    ],
  },
});
