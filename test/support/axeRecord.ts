/**
 * Where the browser tests remember which page structures passed axe in this
 * run (test/e2e/support.ts, `expectNoAxeViolations`): a directory made by
 * globalSetup and shared by every test file, with one file per structure,
 * and a log of each check made or skipped, summed up at the end of the run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const AXE_LOG_FILE = 'checks.log';

export interface AxeRecord {
  directory: string;
  /** "axe checked N page structures and skipped M visits to pages already checked." */
  summary(): string | null;
  remove(): void;
}

export function createAxeRecord(): AxeRecord {
  const directory = mkdtempSync(join(tmpdir(), 'trellis-axe-'));
  return {
    directory,
    summary() {
      const log = join(directory, AXE_LOG_FILE);
      if (!existsSync(log)) return null;
      const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      const checked = lines.filter((line) => line.startsWith('checked\t')).length;
      const skipped = lines.length - checked;
      return `axe checked ${checked} page structures and skipped ${skipped} visits to a structure already checked in this run.`;
    },
    remove() {
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
