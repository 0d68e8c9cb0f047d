/**
 * Fresh databases for a benchmark run: a SQLite file in a temporary folder,
 * or a new PostgreSQL database created through an admin connection
 * (BENCH_POSTGRES_URL). Each is dropped when the run is done with it, or by
 * `dropBenchDatabases` however the run ends: PostgreSQL databases outlive
 * the process that made them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import type { DialectName } from '../../src/data/db.js';

const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  url: string;
  /** Where the database is, for the report, without secrets. */
  label: string;
  /** Drops it now (and forgets it, so `dropBenchDatabases` does not drop it twice). */
  drop(): Promise<void>;
}

/** BENCH_DATABASES: "sqlite", "postgres" or both, comma-separated. */
export function databasesToRun(raw: string): DialectName[] {
  const names = raw.split(',').map((name) => name.trim());
  for (const name of names) {
    if (name !== 'sqlite' && name !== 'postgres') {
      throw new Error(`BENCH_DATABASES lists sqlite and/or postgres, not "${name}"`);
    }
  }
  return names as DialectName[];
}

/** Databases not yet dropped. */
const pending = new Set<() => Promise<void>>();

/** Drops every database not yet dropped: the run's clean-up, once its servers have stopped. */
export async function dropBenchDatabases(): Promise<void> {
  for (const drop of [...pending]) {
    pending.delete(drop);
    await drop().catch((error: unknown) => console.error(`could not remove a database: ${String(error)}`));
  }
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** `name` tells the benchmark's databases apart: trellis_<name>_<random>, <name>.sqlite. */
export async function createBenchDatabase(dialect: DialectName, name: string): Promise<BenchDatabase> {
  let created: Omit<BenchDatabase, 'drop'> & { dropNow(): Promise<void> };
  if (dialect === 'sqlite') {
    const dir = await mkdtemp(join(os.tmpdir(), `trellis-${name}-`));
    const path = join(dir, `${name}.sqlite`);
    created = {
      url: `sqlite:${path}`,
      label: path,
      dropNow: () => rm(dir, { recursive: true, force: true }),
    };
  } else {
    const database = `trellis_${name}_${randomBytes(6).toString('hex')}`;
    await adminQuery(`create database ${database}`);
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${database}`;
    created = {
      url: url.toString(),
      label: `${url.host}/${database}`,
      dropNow: () => adminQuery(`drop database if exists ${database} with (force)`),
    };
  }
  pending.add(created.dropNow);
  return {
    url: created.url,
    label: created.label,
    drop: async () => {
      if (!pending.delete(created.dropNow)) return;
      await created.dropNow();
    },
  };
}
