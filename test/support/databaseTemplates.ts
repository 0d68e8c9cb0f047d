/**
 * Ready-made databases that each test's fresh database is copied from.
 *
 * Migrating a new database and loading the demo took about 4 seconds on
 * SQLite and 15–20 on PostgreSQL on a busy machine, and over a hundred test
 * suites did it. globalSetup makes each once per run, migrated and with the
 * demo loaded at TEST_NOW; a test's database is then a file copy (SQLite) or
 * `CREATE DATABASE … TEMPLATE` (PostgreSQL), with the same contents the slow
 * way would have given it. A test whose clock starts elsewhere gets the
 * migrated copy and loads the demo itself.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { openDatabase } from '../../src/data/db.js';
import { migrateToLatest } from '../../src/data/migrations/index.js';
import { loadDemo } from '../../src/demo/loadDemo.js';
import { demoProgramme } from '../../src/demo/programme.js';
import { POSTGRES_ADMIN_URL } from './environment.js';

/** A Monday morning, so demo dates ("weeks ahead") are the same every run. */
export const TEST_NOW = '2026-01-12T09:00:00.000Z';

export interface DatabaseTemplates {
  /** The instant the demo templates' demo was loaded at (TEST_NOW). */
  demoAt: string;
  sqlite: { migrated: string; demo: string };
  /** Database names; null when PostgreSQL is not reachable. */
  postgres: { migrated: string; demo: string } | null;
}

export async function buildDatabaseTemplates(withPostgres: boolean): Promise<{
  templates: DatabaseTemplates;
  remove(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-templates-'));
  const sqlite = { migrated: join(dir, 'migrated.sqlite'), demo: join(dir, 'demo.sqlite') };
  const postgres: DatabaseTemplates['postgres'] = withPostgres
    ? (() => {
        const prefix = `trellis_template_${randomBytes(4).toString('hex')}`;
        return { migrated: `${prefix}_migrated`, demo: `${prefix}_demo` };
      })()
    : null;

  // Each dialect's pair is migrated once: the demo template starts as a copy
  // of the migrated one (as a test's database does), then has the demo
  // loaded. The two dialects are filled at the same time: PostgreSQL's
  // mostly waits on the server, SQLite's on this process.
  await Promise.all([
    (async () => {
      // Closing checkpoints the write-ahead log, so the one file holds everything.
      await fill(`sqlite:${sqlite.migrated}`, { migrate: true });
      copyFileSync(sqlite.migrated, sqlite.demo);
      await fill(`sqlite:${sqlite.demo}`, { demo: true });
    })(),
    (async () => {
      if (!postgres) return;
      await adminQuery(`create database ${postgres.migrated}`);
      await fill(postgresUrl(postgres.migrated), { migrate: true });
      await adminQuery(`create database ${postgres.demo} template ${postgres.migrated}`);
      await fill(postgresUrl(postgres.demo), { demo: true });
    })(),
  ]);

  return {
    templates: { demoAt: TEST_NOW, sqlite, postgres },
    async remove() {
      rmSync(dir, { recursive: true, force: true });
      if (postgres) {
        for (const name of [postgres.migrated, postgres.demo]) {
          await adminQuery(`drop database if exists ${name} with (force)`);
        }
      }
    },
  };
}

async function fill(url: string, what: { migrate?: boolean; demo?: boolean }): Promise<void> {
  const database = openDatabase(url, { onConnectionError: () => undefined });
  try {
    if (what.migrate) await migrateToLatest(database.db, database.dialect);
    if (what.demo) await loadDemo(database.db, demoProgramme, new Date(TEST_NOW));
  } finally {
    await database.close();
  }
}

export function postgresUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
