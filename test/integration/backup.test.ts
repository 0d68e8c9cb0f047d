/**
 * `trellis backup` and `trellis restore`, run as an operator runs them (the
 * command line in a child process) on both databases: a backup taken in the
 * middle of a rush of bookings holds every booking committed before it
 * started, restores into a fresh database that passes its integrity checks,
 * and Trellis starts on it. Bad input gets a clear message and an exit code,
 * never a stack trace.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database, type DialectName } from '../../src/data/db.js';
import { migrateToLatest } from '../../src/data/migrations/index.js';
import { backupCommand, restoreCommand } from '../../src/cli/backup.js';
import { buildServices } from '../../src/services/index.js';
import { createCourse, createDelegates, createSession, DAY_MS } from '../concurrency/support.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { adminQuery, postgresUrl } from '../support/databaseTemplates.js';
import { createTestDatabase, eachDatabase } from '../support/databases.js';

const REPOSITORY = resolve(import.meta.dirname, '../..');
/**
 * Hang detectors, not speed limits: each command runs in a new Node process,
 * which took 10 to 20 seconds to start on a shared machine under load.
 */
const ONE_COMMAND_MS = 120_000;
const RUSH_MS = 300_000;
const NO_NEEDS = { accessNeeds: null, dietaryNeeds: null, consent: false };

interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run trellis -- <args>` in a child process, with only the environment given here. */
function trellis(args: string[], env: Record<string, string>): Promise<CommandResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/trellis.ts', ...args],
      {
        cwd: REPOSITORY,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), NODE_ENV: 'test', ...env },
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** Node prints a stack as lines starting "    at …": a refusal must never show one. */
function expectNoStackTrace(result: CommandResult): void {
  expect(`${result.stdout}\n${result.stderr}`).not.toMatch(/^\s+at .+:\d+/m);
}

/** An empty database to restore into: a path where no file is yet, or a new PostgreSQL database. */
async function freshDatabaseUrl(
  dialect: DialectName,
  folder: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    return {
      url: `sqlite:${join(folder, `restored-${randomBytes(4).toString('hex')}`, 'trellis.sqlite')}`,
      drop: async () => undefined,
    };
  }
  const name = `trellis_test_restore_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  return { url: postgresUrl(name), drop: () => adminQuery(`drop database if exists ${name} with (force)`) };
}

interface Committed {
  reference: string;
  sessionId: number;
  delegateId: number;
  state: 'confirmed' | 'waitlisted' | 'offered';
}

/** Problems found by the database's own checks; empty when it is whole. */
async function integrityProblems(database: Database): Promise<string[]> {
  if (database.dialect === 'sqlite') {
    const check = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(database.db);
    const keys = await sql<Record<string, unknown>>`pragma foreign_key_check`.execute(database.db);
    return [
      ...check.rows.map((row) => row.integrity_check).filter((line) => line !== 'ok'),
      ...keys.rows.map((row) => `foreign key: ${JSON.stringify(row)}`),
    ];
  }
  // amcheck reads every B-tree index against its table; constraints not
  // validated would mean pg_restore let rows in unchecked.
  await sql`create extension if not exists amcheck`.execute(database.db);
  const indexes = await sql<{ name: string }>`
    select c.relname as name from pg_index i
    join pg_class c on c.oid = i.indexrelid
    join pg_am am on am.oid = c.relam
    join pg_namespace n on n.oid = c.relnamespace
    where am.amname = 'btree' and n.nspname = 'public'`.execute(database.db);
  const problems: string[] = [];
  for (const { name } of indexes.rows) {
    try {
      await sql`select bt_index_parent_check(${name}::regclass, true)`.execute(database.db);
    } catch (error) {
      problems.push(`index ${name}: ${error instanceof Error ? error.message : error}`);
    }
  }
  const unvalidated = await sql<{ conname: string }>`
    select conname from pg_constraint c join pg_namespace n on n.oid = c.connamespace
    where n.nspname = 'public' and not c.convalidated`.execute(database.db);
  problems.push(...unvalidated.rows.map((row) => `constraint not validated: ${row.conname}`));
  if (!indexes.rows.length) problems.push('no indexes at all: the schema was not restored');
  return problems;
}

/** The first figure in "holds 1,234 bookings (…)". */
function bookingsReported(stdout: string): number {
  const match = /holds\s+([\d,]+) bookings? \(/.exec(stdout);
  if (!match?.[1]) throw new Error(`no bookings figure in:\n${stdout}`);
  return Number(match[1].replaceAll(',', ''));
}

eachDatabase('backup and restore', (dialect) => {
  // A test only one database has is not declared at all on the other, rather than
  // skipped there: a run's "skipped" then always means something was missing.
  const itOn = (only: DialectName) => (name: string, test: () => Promise<void>, timeout: number) => {
    if (dialect === only) it(name, test, timeout);
  };
  let t: TestApp;
  let folder: string;
  const env = (): Record<string, string> => ({ DATABASE_URL: t.database.url });

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: false });
    folder = mkdtempSync(join(tmpdir(), 'trellis-backup-'));
  });
  afterAll(async () => {
    await t.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it(
    'takes a backup in the middle of a rush that holds every booking committed before it began, and restores it into a fresh database Trellis starts on',
    async () => {
      const now = new Date(TEST_NOW);
      const startsAt = new Date(now.getTime() + 60 * DAY_MS);
      const courseId = await createCourse(t.database.db, `backup-rush-${dialect}`, now);
      // One hot session everyone wants, and others with room.
      const capacities = [30, 150, 150, 150, 150, 150];
      const sessionIds: number[] = [];
      for (const capacity of capacities)
        sessionIds.push(await createSession(t.database.db, courseId, capacity, startsAt, now));
      const capacityOf = new Map(sessionIds.map((id, index) => [id, capacities[index] ?? 0]));
      const delegates = await createDelegates(t.database.db, 500, now);
      // Every delegate books every session: all of them the hot one first, then the others.
      const attempts = sessionIds.flatMap((sessionId) =>
        delegates.map((delegateId) => ({ sessionId, delegateId })),
      );

      const committed: Committed[] = [];
      let backupRunning = false;
      let committedWhileBackingUp = 0;
      let rushOver = false;
      let next = 0;
      const worker = async () => {
        while (!rushOver && next < attempts.length) {
          const attempt = attempts[next++];
          if (!attempt) break;
          const outcome = await t.services.bookings.book(attempt.delegateId, attempt.sessionId, NO_NEEDS);
          // book() returns once its transaction has committed.
          committed.push({ ...attempt, reference: outcome.reference, state: outcome.state });
          if (backupRunning) committedWhileBackingUp += 1;
        }
      };
      const rush = Promise.all(Array.from({ length: 40 }, worker));

      while (committed.length < 150 && next < attempts.length)
        await new Promise((wait) => setTimeout(wait, 5));
      const backupFile = join(folder, dialect === 'sqlite' ? 'mid-rush.sqlite' : 'mid-rush.dump');
      const committedBeforeBackup = [...committed];
      backupRunning = true;
      const backup = await trellis(['backup', backupFile], env());
      backupRunning = false;
      rushOver = true;
      await rush;

      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      expect(backup.stdout).toMatch(
        dialect === 'sqlite' ? /integrity check found no problems/ : /pg_restore reads it back/,
      );
      expect(statSync(backupFile).mode & 0o077, 'the backup is readable by its owner only').toBe(0);
      // The rush really went on while the backup was made.
      expect(
        committedWhileBackingUp,
        `${committedBeforeBackup.length} bookings before the backup`,
      ).toBeGreaterThan(0);
      const inBackup = bookingsReported(backup.stdout);
      expect(inBackup).toBeGreaterThanOrEqual(committedBeforeBackup.length);
      expect(inBackup).toBeLessThanOrEqual(committed.length);

      const target = await freshDatabaseUrl(dialect, folder);
      try {
        const restore = await trellis(['restore', backupFile, '--yes'], { DATABASE_URL: target.url });
        expect(restore.stderr).toBe('');
        expect(restore.code).toBe(0);
        expect(restore.stdout).toMatch(/Start Trellis again/);
        expect(bookingsReported(restore.stdout)).toBe(inBackup);

        const restored = openDatabase(target.url, { onConnectionError: () => undefined });
        try {
          const rows = await restored.db
            .selectFrom('bookings')
            .select(['reference', 'session_id', 'delegate_id', 'state'])
            .execute();
          expect(rows).toHaveLength(inBackup);
          const byReference = new Map(rows.map((row) => [row.reference, row]));
          const missing = committedBeforeBackup.filter((booking) => {
            const row = byReference.get(booking.reference);
            return (
              !row ||
              Number(row.session_id) !== booking.sessionId ||
              Number(row.delegate_id) !== booking.delegateId ||
              row.state !== booking.state
            );
          });
          expect(
            missing,
            'bookings committed before the backup began, missing or changed after the restore',
          ).toEqual([]);
          for (const sessionId of sessionIds) {
            const confirmed = rows.filter(
              (row) => Number(row.session_id) === sessionId && row.state === 'confirmed',
            );
            expect(confirmed.length).toBeLessThanOrEqual(capacityOf.get(sessionId) ?? 0);
          }
          expect(await integrityProblems(restored)).toEqual([]);

          // Trellis starts on the restored database and serves the hot session's page.
          expect((await migrateToLatest(restored.db, restored.dialect)).applied).toEqual([]);
          const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: target.url });
          const services = buildServices(restored, {
            publicUrl: config.publicUrl,
            secretsKey: randomBytes(32),
          });
          const app = await buildApp(config, services);
          try {
            const page = await app.inject(`/sessions/${sessionIds[0]}`);
            expect(page.statusCode).toBe(200);
            expect(page.body).toContain(`Concurrency backup-rush-${dialect}`);
          } finally {
            await app.close();
          }
        } finally {
          await restored.close();
        }
      } finally {
        await target.drop();
      }
    },
    RUSH_MS,
  );

  it(
    'refuses a backup from a newer Trellis, and leaves the database as it was',
    async () => {
      const file = join(folder, dialect === 'sqlite' ? 'newer.sqlite' : 'newer.dump');
      const future = '999-from-a-newer-trellis';
      if (dialect === 'sqlite') {
        const made = await trellis(['backup', file], env());
        expect(made.code).toBe(0);
        const copy = new SQLite(file);
        copy.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run(future, TEST_NOW);
        copy.close();
      } else {
        await sql`insert into kysely_migration (name, timestamp) values (${future}, ${TEST_NOW})`.execute(
          t.database.db,
        );
        try {
          const made = await trellis(['backup', file], env());
          expect(made.code).toBe(0);
        } finally {
          await sql`delete from kysely_migration where name = ${future}`.execute(t.database.db);
        }
      }
      const bookingsBefore = await t.database.db
        .selectFrom('bookings')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();

      const result = await trellis(['restore', file, '--yes'], env());
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('was made by a newer Trellis');
      expect(result.stderr).toContain(future);
      expectNoStackTrace(result);
      const bookingsAfter = await t.database.db
        .selectFrom('bookings')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(bookingsAfter.n)).toBe(Number(bookingsBefore.n));
    },
    ONE_COMMAND_MS,
  );

  describe('bad input', () => {
    // The command line's own arguments are checked before any database is
    // touched, so those cases run once; the rest on each database.
    const arguments_ = [
      { name: 'no FILE to back up to', args: ['backup'], code: 2, says: 'Say where to write the backup' },
      {
        name: 'no FILE to restore',
        args: ['restore', '--yes'],
        code: 2,
        says: 'Say which backup to restore',
      },
      {
        name: 'an option it does not know',
        args: ['backup', 'x.bak', '--overwrite'],
        code: 2,
        says: "Unknown option '--overwrite'",
      },
    ];
    const files = [
      {
        name: 'a restore without --yes',
        args: ['restore', 'anything.bak'],
        code: 1,
        says: 'run it again with --yes',
      },
      {
        name: 'a backup that is not there',
        args: ['restore', '/nowhere/at/all.bak', '--yes'],
        code: 1,
        says: 'There is no backup at /nowhere/at/all.bak',
      },
      {
        name: 'a backup into a folder that is not there',
        args: ['backup', '/nowhere/at/all.bak'],
        code: 1,
        says: 'The folder /nowhere/at does not exist',
      },
    ];
    it.each(dialect === 'sqlite' ? [...arguments_, ...files] : files)(
      '$name: a clear message and exit code $code',
      async ({ args, code, says }) => {
        const result = await trellis(args, env());
        expect(result.stderr).toContain(says);
        expect(result.code).toBe(code);
        expectNoStackTrace(result);
      },
      ONE_COMMAND_MS,
    );

    it(
      'will not write over an existing file without --force, and replaces it with --force',
      async () => {
        const file = join(folder, 'existing.bak');
        writeFileSync(file, 'an earlier backup, kept\n');
        const refused = await trellis(['backup', file], env());
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain('already exists');
        expect(refused.stderr).toContain('--force');
        expectNoStackTrace(refused);
        expect(readFileSync(file, 'utf8')).toBe('an earlier backup, kept\n');

        const replaced = await trellis(['backup', file, '--force'], env());
        expect(replaced.stderr).toBe('');
        expect(replaced.code).toBe(0);
        expect(readFileSync(file).subarray(0, 5).toString('latin1')).toBe(
          dialect === 'sqlite' ? 'SQLit' : 'PGDMP',
        );
      },
      ONE_COMMAND_MS,
    );

    it(
      'refuses a file that is not a backup of this kind of database',
      async () => {
        const text = join(folder, 'notes.txt');
        writeFileSync(text, 'Not a database at all, just some notes.\n');
        const notBackup = await trellis(['restore', text, '--yes'], env());
        expect(notBackup.code).toBe(1);
        expect(notBackup.stderr).toContain(
          dialect === 'sqlite'
            ? 'is not an SQLite database'
            : "is not a PostgreSQL dump in pg_dump's custom format",
        );
        expectNoStackTrace(notBackup);

        // A backup of the other database.
        const other = join(folder, dialect === 'sqlite' ? 'other.dump' : 'other.sqlite');
        if (dialect === 'sqlite')
          writeFileSync(other, Buffer.concat([Buffer.from('PGDMP'), randomBytes(64)]));
        else {
          const foreign = new SQLite(other);
          foreign.exec('create table kysely_migration (name text primary key, timestamp text)');
          foreign.close();
        }
        const wrongKind = await trellis(['restore', other, '--yes'], env());
        expect(wrongKind.code).toBe(1);
        expect(wrongKind.stderr).toContain(
          dialect === 'sqlite'
            ? 'is a PostgreSQL dump, but DATABASE_URL names an SQLite database'
            : 'is an SQLite database, but DATABASE_URL names PostgreSQL',
        );
        expectNoStackTrace(wrongKind);
      },
      ONE_COMMAND_MS,
    );

    itOn('sqlite')(
      'refuses an SQLite database that is not Trellis’s, and one that is not there to back up',
      async () => {
        const stranger = join(folder, 'stranger.sqlite');
        const db = new SQLite(stranger);
        db.exec('create table notes (body text)');
        db.close();
        const notTrellis = await trellis(['restore', stranger, '--yes'], env());
        expect(notTrellis.code).toBe(1);
        expect(notTrellis.stderr).toContain('is not a Trellis database');
        expectNoStackTrace(notTrellis);

        const nowhere = join(folder, 'no-database-here', 'trellis.sqlite');
        const noDatabase = await trellis(['backup', join(folder, 'nothing.sqlite')], {
          DATABASE_URL: `sqlite:${nowhere}`,
        });
        expect(noDatabase.code).toBe(1);
        expect(noDatabase.stderr).toContain(`There is no SQLite database at ${nowhere}`);
        expect(existsSync(nowhere), 'backing up does not create a database').toBe(false);
        expect(existsSync(join(folder, 'nothing.sqlite'))).toBe(false);
      },
      ONE_COMMAND_MS,
    );

    itOn('postgres')(
      'names the package to install when pg_dump is not on PATH',
      async () => {
        const file = join(folder, 'no-pg-dump.dump');
        const result = await trellis(['backup', file], { ...env(), PATH: join(folder, 'no-programs-here') });
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('pg_dump was not found on PATH');
        expect(result.stderr).toContain('postgresql-client');
        expectNoStackTrace(result);
        expect(existsSync(file)).toBe(false);
      },
      ONE_COMMAND_MS,
    );
  });

  itOn('sqlite')(
    'waits for a database another process holds locked, rather than reporting a copy of nothing',
    async () => {
      // better-sqlite3 reports a backup that found its destination locked as
      // finished; restore must wait for the lock and then really copy.
      const file = join(folder, 'for-a-locked-database.sqlite');
      await createCourse(t.database.db, 'kept-through-a-locked-restore', new Date(TEST_NOW));
      const said: string[] = [];
      expect(await backupCommand([file], t.database.url, (line) => said.push(line))).toBe(0);
      const inBackup = bookingsReported(said.join('\n'));

      const target = await createTestDatabase('sqlite');
      // Another process in the middle of writing to the database restored into.
      const holder = new SQLite(target.url.slice('sqlite:'.length));
      holder.exec('begin immediate');
      let released = false;
      const release = setTimeout(() => {
        holder.exec('commit');
        released = true;
      }, 1_000);
      try {
        const restoredSaid: string[] = [];
        expect(await restoreCommand([file, '--yes'], target.url, (line) => restoredSaid.push(line))).toBe(0);
        expect(released, 'the restore finished only once the lock was let go').toBe(true);
        expect(bookingsReported(restoredSaid.join('\n'))).toBe(inBackup);
        const course = await target.db
          .selectFrom('courses')
          .where('slug', '=', 'kept-through-a-locked-restore')
          .select('id')
          .executeTakeFirst();
        expect(course, 'the backup’s contents are in the database restored into').toBeDefined();
      } finally {
        clearTimeout(release);
        if (!released) holder.exec('commit');
        holder.close();
        await target.drop();
      }
    },
    ONE_COMMAND_MS,
  );

  it('leaves no partly written file behind, whatever was refused above', () => {
    expect(readdirSync(folder).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });
});
