/**
 * The server's SQLite checkpoints run in a worker thread (data/walCheckpoints.ts):
 * what commits write to the WAL is copied into the database file without the
 * committing connection doing it, nothing is lost on the way, and stopping
 * leaves no thread behind. SQLite only: PostgreSQL has no such file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';

import { openDatabase } from '../../src/data/db.js';
import { checkpointInBackground, FALLBACK_AUTOCHECKPOINT_PAGES } from '../../src/data/walCheckpoints.js';

const directory = mkdtempSync(join(tmpdir(), 'trellis-wal-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A database in WAL mode, as Trellis opens it, with one table to fill. */
function openFile(name: string): { connection: SQLite.Database; path: string } {
  const path = join(directory, name);
  const connection = new SQLite(path);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = FULL');
  connection.exec('create table notes (id integer primary key, body text not null)');
  return { connection, path };
}

/** Commits `count` rows of about 4 KiB each, a hundred a transaction, as a rush's bookings are. */
function write(connection: SQLite.Database, count: number): void {
  const insert = connection.prepare('insert into notes (body) values (?)');
  const hundred = connection.transaction((from: number) => {
    for (let n = from; n < Math.min(from + 100, count); n += 1) insert.run('x'.repeat(4_000) + n);
  });
  for (let from = 0; from < count; from += 100) hundred(from);
}

/** The WAL's size in pages, and how many of them are in the database file, without copying any. */
function walState(connection: SQLite.Database): { log: number; checkpointed: number } {
  const [state] = connection.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
  return state!;
}

describe('SQLite checkpoints in a worker thread', () => {
  it('copies what the server commits into the database file, with the server’s own checkpoints left as a fallback', async () => {
    const { connection, path } = openFile('copies.sqlite');
    const seen: { checkpointed: number; log: number }[] = [];
    const checkpoints = checkpointInBackground(connection, path, {
      everyMs: 20,
      onCheckpoint: (outcome) => {
        if ('checkpointed' in outcome) seen.push(outcome);
      },
    });
    expect(connection.pragma('wal_autocheckpoint', { simple: true })).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);

    // 1,200 pages: more than SQLite's default of 1,000 that would have made a commit checkpoint.
    write(connection, 1_200);
    await expect
      .poll(() => seen.some((outcome) => outcome.checkpointed >= 1_200), { timeout: 30_000 })
      .toBe(true);
    await checkpoints.stop();

    // Every row is in the database file itself: a copy of the file without its WAL holds them all.
    const state = walState(connection);
    expect(state.checkpointed).toBe(state.log);
    connection.close();
    const reopened = new SQLite(path, { readonly: true });
    expect(reopened.prepare('select count(*) as n from notes').get()).toEqual({ n: 1_200 });
    reopened.close();
  });

  it('is what openDatabase gives when asked, and closing the database stops it', async () => {
    const path = join(directory, 'opened.sqlite');
    const database = openDatabase(`sqlite:${path}`, { checkpointInBackground: true });
    const autocheckpoint = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(
      database.db,
    );
    expect(autocheckpoint.rows[0]?.wal_autocheckpoint).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
    await database.close();

    // Without the option, SQLite's own default stays.
    const plain = openDatabase(`sqlite:${join(directory, 'plain.sqlite')}`);
    const own = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(plain.db);
    expect(own.rows[0]?.wal_autocheckpoint).toBe(1_000);
    await plain.close();
  });
});
