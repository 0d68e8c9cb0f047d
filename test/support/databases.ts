/**
 * Fresh, migrated databases for tests: a temporary SQLite file, or a new
 * PostgreSQL database dropped afterwards. Tests that touch the database run
 * once on each (see `eachDatabase`).
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, inject } from 'vitest';

import { openDatabase, type Database, type DialectName } from '../../src/data/db.js';
import { adminQuery, postgresUrl } from './databaseTemplates.js';

export interface TestDatabase extends Database {
  url: string;
  /** Closes the connection and removes the database. */
  drop(): Promise<void>;
}

/**
 * A new database for one test, migrated, and with the demo programme when
 * `demoAt` is the instant the run's templates loaded it at (TEST_NOW): a copy
 * of globalSetup's templates (see databaseTemplates.ts). `demoLoaded` says
 * whether it came with the demo, so the caller loads it when not.
 */
export async function createTestDatabase(
  dialect: DialectName,
  options: { demoAt?: Date } = {},
): Promise<TestDatabase & { demoLoaded: boolean }> {
  const templates = inject('databaseTemplates');
  const demoLoaded = options.demoAt?.toISOString() === templates.demoAt;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'trellis-test-'));
    const path = join(dir, 'trellis.sqlite');
    copyFileSync(demoLoaded ? templates.sqlite.demo : templates.sqlite.migrated, path);
    const url = `sqlite:${path}`;
    const database = openDatabase(url);
    return {
      ...database,
      url,
      demoLoaded,
      drop: async () => {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (!templates.postgres) throw new Error('PostgreSQL is not reachable: its tests should have been skipped');
  const name = `trellis_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(
    `create database ${name} template ${demoLoaded ? templates.postgres.demo : templates.postgres.migrated}`,
  );
  const url = postgresUrl(name);
  const database = openDatabase(url, { onConnectionError: () => undefined });
  return {
    ...database,
    url,
    demoLoaded,
    drop: async () => {
      await database.close();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

/**
 * Declares the suite once per database. PostgreSQL's is skipped (with the
 * notice printed by globalSetup) only when it is unreachable outside CI.
 */
export function eachDatabase(title: string, suite: (dialect: DialectName) => void): void {
  describe(`${title} [sqlite]`, () => suite('sqlite'));
  describe.runIf(inject('postgresAvailable'))(`${title} [postgres]`, () => suite('postgres'));
}
