/**
 * `trellis backup FILE` and `trellis restore FILE --yes`: one pair of commands
 * for both databases.
 *
 * SQLite is copied with its online backup while Trellis runs: the copy is one
 * consistent moment of the database, bookings carry on meanwhile, and the copy
 * is checked before it is given FILE's name. PostgreSQL is dumped and restored
 * by its own pg_dump and pg_restore, in pg_dump's custom format.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import SQLite from 'better-sqlite3';
import pg from 'pg';

import { MIGRATION_NAMES } from '../data/migrations/index.js';

export const BACKUP_USAGE = `  backup FILE    a consistent copy of the database, made while Trellis runs, checked, in FILE
                 (--force replaces an existing FILE; on PostgreSQL, pg_dump's custom format)
  restore FILE   put a backup back: it replaces everything in the database, so it needs --yes
                 (stop Trellis first; start it again afterwards)`;

/** A command that cannot go ahead, for a reason the operator can put right: printed, never a stack trace. */
export class BackupRefusal extends Error {
  override name = 'BackupRefusal';
  constructor(
    message: string,
    /** 2 when the command itself was written wrongly, 1 otherwise. */
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

type Print = (line: string) => void;

/** What a database or a backup holds, as far as the report says. */
interface Contents {
  /** Null when there is no bookings table (not a Trellis database). */
  bookings: { all: number; confirmed: number } | null;
  /** The migrations recorded in it; null without Trellis's migrations table. */
  migrations: string[] | null;
}

/** `trellis backup FILE [--force]`: returns the exit code; a refusal is thrown as a BackupRefusal. */
export async function backupCommand(args: string[], databaseUrl: string, print: Print): Promise<number> {
  const { file, flag: force } = parseCommand('backup', args, 'force');
  const database = databaseFrom(databaseUrl);
  if (database.dialect === 'sqlite') await backupSqlite(database.path, file, force, print);
  else await backupPostgres(database.url, file, force, print);
  return 0;
}

/** `trellis restore FILE --yes`: returns the exit code; a refusal is thrown as a BackupRefusal. */
export async function restoreCommand(args: string[], databaseUrl: string, print: Print): Promise<number> {
  const { file, flag: yes } = parseCommand('restore', args, 'yes');
  const database = databaseFrom(databaseUrl);
  const where = database.dialect === 'sqlite' ? database.path : 'the PostgreSQL database in DATABASE_URL';
  if (!yes) {
    throw new BackupRefusal(
      `Restoring replaces everything in ${where} with what the backup holds: bookings made since the backup ` +
        `was taken are lost. Stop Trellis first, then run it again with --yes:\n` +
        `  npm run trellis -- restore ${file} --yes`,
    );
  }
  if (database.dialect === 'sqlite') await restoreSqlite(database.path, file, print);
  else await restorePostgres(database.url, file, print);
  return 0;
}

// ─── Arguments and files ──────────────────────────────────────────────────

function parseCommand(
  command: 'backup' | 'restore',
  args: string[],
  flagName: 'force' | 'yes',
): { file: string; flag: boolean } {
  const usage = `Usage: npm run trellis -- ${command} FILE [--${flagName}]\n\n${BACKUP_USAGE}`;
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { [flagName]: { type: 'boolean' } },
    });
  } catch (error) {
    throw new BackupRefusal(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`, 2);
  }
  const positionals = parsed.positionals.filter((value) => value.trim() !== '');
  if (positionals.length === 0) {
    const what = command === 'backup' ? 'where to write the backup' : 'which backup to restore';
    throw new BackupRefusal(`Say ${what}: npm run trellis -- ${command} FILE\n\n${usage}`, 2);
  }
  if (positionals.length > 1) {
    throw new BackupRefusal(
      `Give one FILE, not ${positionals.length} (${positionals.join(', ')}).\n\n${usage}`,
      2,
    );
  }
  return { file: positionals[0] ?? '', flag: parsed.values[flagName] === true };
}

type DatabaseLocation = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

function databaseFrom(databaseUrl: string): DatabaseLocation {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    if (path === ':memory:' || path === '') {
      throw new BackupRefusal(
        'DATABASE_URL names an in-memory SQLite database: there is no file to back up.',
      );
    }
    return { dialect: 'sqlite', path: resolve(path) };
  }
  return { dialect: 'postgres', url: databaseUrl };
}

/** A file to read a backup from: there, a file (not a folder), readable and not empty. */
function readableFile(file: string): string {
  const path = resolve(file);
  let size: number;
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) throw new BackupRefusal(`${file} is a folder, not a backup file.`);
    size = stats.size;
  } catch (error) {
    if (error instanceof BackupRefusal) throw error;
    throw new BackupRefusal(`There is no backup at ${file} (${path}).`);
  }
  try {
    closeSync(openSync(path, 'r'));
  } catch (error) {
    throw new BackupRefusal(`Trellis cannot read ${file}: ${systemReason(error)}.`);
  }
  if (size === 0) throw new BackupRefusal(`${file} is empty: it is not a backup.`);
  return path;
}

type FileKind = 'sqlite' | 'postgres-dump' | 'other';

/** What a file is, from its first bytes (each format starts with its own signature). */
function fileKind(path: string): FileKind {
  const head = Buffer.alloc(16);
  const descriptor = openSync(path, 'r');
  try {
    readSync(descriptor, head, 0, head.length, 0);
  } finally {
    closeSync(descriptor);
  }
  if (head.toString('latin1') === 'SQLite format 3\0') return 'sqlite';
  if (head.subarray(0, 5).toString('latin1') === 'PGDMP') return 'postgres-dump';
  return 'other';
}

function sameFile(a: string, b: string): boolean {
  if (!existsSync(a) || !existsSync(b)) return resolve(a) === resolve(b);
  return realpathSync(a) === realpathSync(b);
}

/**
 * Where a backup is written: a hidden file beside FILE, made readable by its
 * owner only (it holds personal data), renamed to FILE once it is complete
 * and checked, so a failed backup never leaves a half-made FILE behind nor
 * replaces a good one.
 */
interface BackupFile {
  path: string;
  partial: string;
}

function prepareBackupFile(file: string, force: boolean): BackupFile {
  const path = resolve(file);
  if (existsSync(path)) {
    if (statSync(path).isDirectory())
      throw new BackupRefusal(`${file} is a folder: give a file name for the backup.`);
    if (!force) {
      throw new BackupRefusal(
        `${file} already exists. Choose another name, or add --force to replace it ` +
          '(it is replaced only once the new backup is complete and checked).',
      );
    }
  }
  const folder = dirname(path);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new BackupRefusal(`The folder ${folder} does not exist: create it first, or choose another place.`);
  }
  const partial = join(folder, `.${basename(path)}.${process.pid}.partial`);
  try {
    closeSync(openSync(partial, 'wx', 0o600));
  } catch (error) {
    throw new BackupRefusal(`Trellis cannot write in ${folder}: ${systemReason(error)}.`);
  }
  return { path, partial };
}

/** Gives the finished backup its name; without --force, never over a file that appeared meanwhile. */
function finishBackupFile({ path, partial }: BackupFile, force: boolean): void {
  if (force) {
    renameSync(partial, path);
    return;
  }
  try {
    // A hard link fails if FILE exists, where a rename would silently replace it.
    linkSync(partial, path);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') {
      throw new BackupRefusal(`${path} appeared while the backup was being made; it was left as it is.`);
    }
    // A file system without hard links: check, then rename.
    if (existsSync(path)) throw new BackupRefusal(`${path} already exists; add --force to replace it.`);
    renameSync(partial, path);
    return;
  }
  unlinkSync(partial);
}

function discard(partial: string): void {
  for (const path of [partial, `${partial}-journal`]) {
    try {
      unlinkSync(path);
    } catch {
      // Not there: nothing to tidy.
    }
  }
}

// ─── SQLite ──────────────────────────────────────────────────────────────

/**
 * Pages copied per step of SQLite's online backup: all of them. Between two
 * steps a write by Trellis restarts the copy from the beginning, so during a
 * rush of bookings a copy made a hundred pages at a time (the default) might
 * never finish. One step reads one consistent snapshot, and in WAL mode
 * Trellis goes on writing while it is read.
 */
const ALL_PAGES = 0x7fffffff;

/** How long a copy waits for a database another process is holding locked. */
const BUSY_WAIT_MS = 15_000;

/**
 * SQLite's online backup from `source` into the file at `destination`, all in
 * one step. better-sqlite3 reports a copy that could not start because the
 * other side was locked (SQLITE_BUSY) as one finished with no pages left, so
 * a copy of no pages at all (every database has at least one) is tried again.
 */
async function copyWithSqliteBackup(source: SQLite.Database, destination: string): Promise<void> {
  const giveUpAt = Date.now() + BUSY_WAIT_MS;
  for (;;) {
    const { totalPages } = await source.backup(destination, { progress: () => ALL_PAGES });
    if (totalPages > 0) return;
    if (Date.now() > giveUpAt) {
      throw new BackupRefusal(
        `The database stayed locked by another process for ${BUSY_WAIT_MS / 1000} seconds; nothing was copied. ` +
          'Try again, or stop Trellis first.',
      );
    }
    await new Promise((wait) => setTimeout(wait, 100));
  }
}

async function backupSqlite(sourcePath: string, file: string, force: boolean, print: Print): Promise<void> {
  if (!existsSync(sourcePath)) {
    throw new BackupRefusal(
      `There is no SQLite database at ${sourcePath} (from DATABASE_URL): nothing to back up.`,
    );
  }
  if (sameFile(sourcePath, file)) {
    throw new BackupRefusal(`${file} is the database itself: write the backup somewhere else.`);
  }
  const target = prepareBackupFile(file, force);
  try {
    const started = performance.now();
    const source = new SQLite(sourcePath, { fileMustExist: true });
    try {
      source.pragma('busy_timeout = 5000');
      await copyWithSqliteBackup(source, target.partial);
    } finally {
      source.close();
    }
    const copied = performance.now();
    const contents = checkSqliteCopy(target.partial);
    const checked = performance.now();
    finishBackupFile(target, force);
    print(`Backed up ${sourcePath} to ${target.path}.`);
    print(`  size      ${formatBytes(statSync(target.path).size)}`);
    print(`  holds     ${describeContents(contents)}`);
    print(`  checked   SQLite's integrity check found no problems in the copy`);
    print(
      `  took      ${formatSeconds(checked - started)} (copy ${formatSeconds(copied - started)}, ` +
        `check ${formatSeconds(checked - copied)})`,
    );
    printWhatTheCopyHolds(print);
  } catch (error) {
    discard(target.partial);
    throw error;
  }
}

/** Makes the copy one self-contained file and checks it; throws if SQLite finds anything wrong. */
function checkSqliteCopy(path: string): Contents {
  const copy = new SQLite(path, { fileMustExist: true });
  try {
    // The live database is in WAL mode; a copy in that mode could later be
    // separated from its -wal file. The rollback journal keeps it whole.
    copy.pragma('journal_mode = DELETE');
    const problems = copy.prepare('pragma integrity_check').pluck().all() as string[];
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new BackupRefusal(
        `The copy failed SQLite's integrity check, so it was not kept. The database itself may be damaged:\n  ` +
          problems.slice(0, 10).join('\n  '),
      );
    }
    return sqliteContents(copy);
  } finally {
    copy.close();
  }
}

function sqliteContents(db: SQLite.Database): Contents {
  const tables = new Set(
    db.prepare(`select name from sqlite_master where type = 'table'`).pluck().all() as string[],
  );
  const migrations = tables.has('kysely_migration')
    ? (db.prepare('select name from kysely_migration order by name').pluck().all() as string[])
    : null;
  const bookings = tables.has('bookings')
    ? (db
        .prepare(
          `select count(*) as "all", count(case when state = 'confirmed' then 1 end) as confirmed from bookings`,
        )
        .get() as { all: number; confirmed: number })
    : null;
  return { bookings, migrations };
}

async function restoreSqlite(targetPath: string, file: string, print: Print): Promise<void> {
  const sourcePath = readableFile(file);
  const kind = fileKind(sourcePath);
  if (kind === 'postgres-dump') {
    throw new BackupRefusal(
      `${file} is a PostgreSQL dump, but DATABASE_URL names an SQLite database (${targetPath}). ` +
        'Set DATABASE_URL to the PostgreSQL database to restore it there.',
    );
  }
  if (kind !== 'sqlite') {
    throw new BackupRefusal(`${file} is not an SQLite database, so it is not a Trellis backup of one.`);
  }
  if (sameFile(sourcePath, targetPath)) {
    throw new BackupRefusal(`${file} is the database DATABASE_URL names: there is nothing to restore.`);
  }
  const started = performance.now();
  let source: SQLite.Database;
  try {
    source = new SQLite(sourcePath, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupRefusal(`SQLite cannot open ${file}: ${error instanceof Error ? error.message : error}.`);
  }
  try {
    const problems = source.prepare('pragma integrity_check').pluck().all() as string[];
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new BackupRefusal(
        `${file} fails SQLite's integrity check, so it was not restored:\n  ${problems.slice(0, 10).join('\n  ')}`,
      );
    }
    checkMigrationsKnown(sqliteContents(source).migrations, file);
    mkdirSync(dirname(targetPath), { recursive: true });
    // Through SQLite (not a file copy), so a Trellis still running waits on
    // the database's locks and its WAL file is dealt with, not left to
    // replay old pages over the restored ones.
    await copyWithSqliteBackup(source, targetPath);
  } finally {
    source.close();
  }
  const restored = new SQLite(targetPath, { fileMustExist: true });
  let contents: Contents;
  try {
    restored.pragma('journal_mode = WAL');
    const problems = restored.prepare('pragma quick_check').pluck().all() as string[];
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new Error(`The restored database fails SQLite's check:\n  ${problems.slice(0, 10).join('\n  ')}`);
    }
    contents = sqliteContents(restored);
  } finally {
    restored.close();
  }
  print(`Restored ${sourcePath} into ${targetPath} in ${formatSeconds(performance.now() - started)}.`);
  print(`  holds     ${describeContents(contents)}`);
  printAfterRestore(print);
}

// ─── PostgreSQL ──────────────────────────────────────────────────────────

/**
 * How pg_dump and pg_restore reach the database: DATABASE_URL without its
 * password, which goes in PGPASSWORD instead, so it never shows in the list
 * of running processes.
 */
function postgresConnection(url: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const env = { ...process.env };
  if (parsed.password) {
    env.PGPASSWORD = decodeURIComponent(parsed.password);
    parsed.password = '';
  }
  return { args: [`--dbname=${parsed.toString()}`], env };
}

interface ProgramResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runProgram(
  program: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProgramResult> {
  return new Promise((done, fail) => {
    const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      fail(errorCode(error) === 'ENOENT' ? new BackupRefusal(missingProgram(program)) : error);
    });
    child.on('close', (code, signal) =>
      done({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8').trim(),
      }),
    );
  });
}

function missingProgram(program: string): string {
  return (
    `${program} was not found on PATH. It comes with PostgreSQL's client programs: on Debian or Ubuntu, ` +
    'apt-get install postgresql-client (its version must be the same as the server’s or newer); ' +
    'elsewhere, your system’s PostgreSQL client package.'
  );
}

async function connectPostgres(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new BackupRefusal(
      `Trellis could not reach the PostgreSQL database in DATABASE_URL: ${error instanceof Error ? error.message : error}`,
    );
  }
  return client;
}

async function postgresContents(client: pg.Client): Promise<Contents> {
  const { rows } = await client.query<{ migrations: boolean; bookings: boolean }>(
    `select to_regclass('kysely_migration') is not null as migrations, to_regclass('bookings') is not null as bookings`,
  );
  const has = rows[0] ?? { migrations: false, bookings: false };
  const migrations = has.migrations
    ? (await client.query<{ name: string }>('select name from kysely_migration order by name')).rows.map(
        (row) => row.name,
      )
    : null;
  const bookings = has.bookings
    ? ((
        await client.query<{ all: number; confirmed: number }>(
          `select count(*)::int as "all", count(*) filter (where state = 'confirmed')::int as confirmed from bookings`,
        )
      ).rows[0] ?? null)
    : null;
  return { bookings, migrations };
}

async function backupPostgres(url: string, file: string, force: boolean, print: Print): Promise<void> {
  const target = prepareBackupFile(file, force);
  let client: pg.Client | null = null;
  try {
    const started = performance.now();
    client = await connectPostgres(url);
    // pg_dump is given this transaction's snapshot, so the figures reported
    // below are those of exactly the moment the dump holds.
    await client.query('begin isolation level repeatable read read only');
    const snapshot =
      (await client.query<{ id: string }>('select pg_export_snapshot() as id')).rows[0]?.id ?? '';
    const contents = await postgresContents(client);
    const connection = postgresConnection(url);
    const dump = await runProgram(
      'pg_dump',
      ['--format=custom', `--snapshot=${snapshot}`, `--file=${target.partial}`, ...connection.args],
      connection.env,
    );
    if (dump.code !== 0) throw new BackupRefusal(`pg_dump failed, so no backup was kept:\n${dump.stderr}`);
    await client.query('commit');
    const dumped = performance.now();
    // The check: pg_restore can read the whole table of contents back.
    const listing = await runProgram('pg_restore', ['--list', target.partial]);
    if (listing.code !== 0) {
      throw new BackupRefusal(
        `pg_restore cannot read the dump pg_dump made, so it was not kept:\n${listing.stderr}`,
      );
    }
    const tables = listing.stdout.split('\n').filter((line) => / TABLE DATA /.test(line)).length;
    const checked = performance.now();
    finishBackupFile(target, force);
    print(`Backed up the PostgreSQL database in DATABASE_URL to ${target.path} (pg_dump's custom format).`);
    print(`  size      ${formatBytes(statSync(target.path).size)}`);
    print(`  holds     ${describeContents(contents)}`);
    print(`  checked   pg_restore reads it back: ${tables} tables of data`);
    print(
      `  took      ${formatSeconds(checked - started)} (dump ${formatSeconds(dumped - started)}, ` +
        `check ${formatSeconds(checked - dumped)})`,
    );
    printWhatTheCopyHolds(print);
  } catch (error) {
    discard(target.partial);
    throw error;
  } finally {
    await client?.end().catch(() => undefined);
  }
}

/** The migrations recorded in a dump, read from its copy of Trellis's migrations table. */
async function migrationsInDump(path: string, file: string): Promise<string[] | null> {
  const result = await runProgram('pg_restore', [
    '--data-only',
    '--table=kysely_migration',
    '--file=-',
    path,
  ]);
  if (result.code !== 0) throw new BackupRefusal(`pg_restore cannot read ${file}:\n${result.stderr}`);
  const lines = result.stdout.split('\n');
  const start = lines.findIndex((line) => /^COPY \S*kysely_migration /.test(line));
  if (start < 0) return null;
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line === '\\.') break;
    names.push(line.split('\t')[0] ?? '');
  }
  return names;
}

async function restorePostgres(url: string, file: string, print: Print): Promise<void> {
  const sourcePath = readableFile(file);
  const kind = fileKind(sourcePath);
  if (kind === 'sqlite') {
    throw new BackupRefusal(
      `${file} is an SQLite database, but DATABASE_URL names PostgreSQL. ` +
        'Set DATABASE_URL to sqlite:<path> to restore it as Trellis’s SQLite database.',
    );
  }
  if (kind !== 'postgres-dump') {
    throw new BackupRefusal(
      `${file} is not a PostgreSQL dump in pg_dump's custom format (made by "npm run trellis -- backup" or ` +
        'pg_dump -Fc). A plain SQL dump is restored with psql instead.',
    );
  }
  checkMigrationsKnown(await migrationsInDump(sourcePath, file), file);
  const started = performance.now();
  const client = await connectPostgres(url);
  try {
    const connection = postgresConnection(url);
    const restore = await runProgram(
      'pg_restore',
      ['--clean', '--if-exists', '--no-owner', '--single-transaction', ...connection.args, sourcePath],
      connection.env,
    );
    if (restore.code !== 0) {
      throw new BackupRefusal(
        `pg_restore failed; the database was left as it was (the restore runs as one transaction):\n${restore.stderr}`,
      );
    }
    const contents = await postgresContents(client);
    print(
      `Restored ${sourcePath} into the PostgreSQL database in DATABASE_URL in ${formatSeconds(performance.now() - started)}.`,
    );
    print(`  holds     ${describeContents(contents)}`);
    printAfterRestore(print);
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ─── Both ────────────────────────────────────────────────────────────────

/** Refuses a backup that is not Trellis's, or that a newer Trellis made (its tables would not be what this one expects). */
function checkMigrationsKnown(migrations: string[] | null, file: string): void {
  if (migrations === null) {
    throw new BackupRefusal(
      `${file} is not a Trellis database: it has no record of Trellis's migrations (no kysely_migration table).`,
    );
  }
  const known = new Set(MIGRATION_NAMES);
  const unknown = migrations.filter((name) => !known.has(name));
  if (unknown.length) {
    throw new BackupRefusal(
      `${file} was made by a newer Trellis: its database has changes this Trellis does not know ` +
        `(${unknown.join(', ')}). Restore it with that version of Trellis or a later one.`,
    );
  }
}

function describeContents({ bookings, migrations }: Contents): string {
  const parts = [
    bookings
      ? `${formatCount(bookings.all, 'booking')} (${bookings.confirmed.toLocaleString('en-GB')} confirmed)`
      : 'no bookings table',
    migrations
      ? `${formatCount(migrations.length, 'migration')}${migrations.length ? `, the last ${migrations.at(-1)}` : ''}`
      : 'no record of Trellis’s migrations',
  ];
  return parts.join('; ');
}

function printWhatTheCopyHolds(print: Print): void {
  print('The backup holds everything in the database: personal data, and staff authenticator secrets sealed');
  print('with SECRETS_KEY. Keep it as safely as the database. SECRETS_KEY is not in it: keep the key apart');
  print('from the backups, or staff second factors cannot be read after a restore.');
}

function printAfterRestore(print: Print): void {
  print(
    'Start Trellis again now (restart every process still running): what it held in memory, such as cached',
  );
  print(
    'pages, is from before the restore. A backup from an older Trellis is brought up to date as it starts.',
  );
}

function formatCount(count: number, noun: string): string {
  return `${count.toLocaleString('en-GB')} ${noun}${count === 1 ? '' : 's'}`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function systemReason(error: unknown): string {
  const code = errorCode(error);
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'the file system is read-only';
  if (code === 'ENOSPC') return 'the disk is full';
  return error instanceof Error ? error.message : String(error);
}
