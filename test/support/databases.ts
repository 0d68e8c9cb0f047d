/**
 * Fresh, migrated databases for tests: a temporary SQLite file, or a new
 * PostgreSQL database dropped afterwards. Tests that touch the database run
 * once on each (see `eachDatabase`).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';
import { describe, inject } from 'vitest';

import { openDatabase, type Database, type DialectName } from '../../src/data/db.js';
import { migrateToLatest } from '../../src/data/migrations/index.js';
import { POSTGRES_ADMIN_URL } from './environment.js';

export interface TestDatabase extends Database {
  url: string;
  /** Closes the connection and removes the database. */
  drop(): Promise<void>;
}

export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'trellis-test-'));
    const url = `sqlite:${join(dir, 'trellis.sqlite')}`;
    const database = openDatabase(url);
    await migrateToLatest(database.db, database.dialect);
    return {
      ...database,
      url,
      drop: async () => {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `trellis_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  // Dropping the database at the end of a suite ends its connections; that is expected.
  const database = openDatabase(url.toString(), { onConnectionError: () => undefined });
  await migrateToLatest(database.db, database.dialect);
  return {
    ...database,
    url: url.toString(),
    drop: async () => {
      await database.close();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * Declares the suite once per database. PostgreSQL's is skipped (with the
 * notice printed by globalSetup) only when it is unreachable outside CI.
 */
export function eachDatabase(title: string, suite: (dialect: DialectName) => void): void {
  describe(`${title} [sqlite]`, () => suite('sqlite'));
  describe.runIf(inject('postgresAvailable'))(`${title} [postgres]`, () => suite('postgres'));
}
