/**
 * PostgreSQL drops the app's connections (a failover, a restart of the
 * database, an operator's pg_terminate_backend) while a booking waits on a
 * session's lock. The real server runs in its own process, as production
 * runs it: the booking in flight may fail with a clear 503, but the process
 * stays up, /health says what is true while the database cannot be reached,
 * and the next booking goes through without anyone restarting anything.
 *
 * PostgreSQL only: SQLite has no connections to drop.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { delay, freePort } from '../../bench/support/processes.js';
import { openBookingForm, postBooking } from '../faults/http.js';
import { ServerProcess } from '../faults/server.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { POSTGRES_ADMIN_URL } from '../support/environment.js';
import { createBookableSession, createSignedInDelegates } from '../support/seedDelegates.js';

const NEW_BOOKING = /^\/bookings\/TRL-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\?new=1$/;

async function adminQuery(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

async function health(baseUrl: string): Promise<number> {
  return (await fetch(`${baseUrl}/health`)).status;
}

/** Polls until `check` holds; a hang detector, not a speed limit. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await delay(50);
  }
}

describe.runIf(inject('postgresAvailable'))('a dropped database connection [postgres]', () => {
  let database: TestDatabase;
  let server: ServerProcess;
  let name: string;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    name = new URL(database.url).pathname.slice(1);
    server = new ServerProcess(await freePort(), database.url);
    await server.start();
  });

  afterAll(async () => {
    await adminQuery(`alter database ${name} allow_connections true`).catch(() => undefined);
    await server?.kill();
    await database?.drop();
  });

  it('fails only the booking in flight, keeps serving, and books again once the database is back', async () => {
    const now = new Date();
    const sessionId = await createBookableSession(
      database.db,
      now,
      new Date(now.getTime() + 30 * 24 * 3_600_000),
      10,
    );
    const [first, second] = await createSignedInDelegates(database.db, now, 2, 'dropped');
    const firstForm = await openBookingForm(server.baseUrl, sessionId, first!);

    // Someone else (staff changing capacity, say) holds the session's lock.
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    const holderPid = (await holder.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    await holder.query('begin');
    await holder.query('select id from sessions where id = $1 for update', [sessionId]);

    const booking = postBooking(server.baseUrl, sessionId, firstForm);
    await eventually('the booking to wait on the lock', async () => {
      const { rowCount } = await adminQuery(
        `select 1 from pg_stat_activity where datname = $1 and pid <> $2 and wait_event_type = 'Lock'`,
        [name, holderPid],
      );
      return (rowCount ?? 0) > 0;
    });

    // The failover: every connection of the app's ends, the waiting one included.
    const terminated = await adminQuery(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> $2',
      [name, holderPid],
    );
    expect(terminated.rowCount).toBeGreaterThan(0);
    const reply = await booking;
    expect(reply.status).toBe(503);
    expect(reply.body).toContain('Sorry, the service is unavailable');
    await holder.query('rollback');
    await holder.end();

    // Still up, and healthy again by itself.
    await delay(500);
    expect(server.running, server.tail()).toBe(true);
    await eventually('/health to answer 200', async () => (await health(server.baseUrl)) === 200);

    // While the database refuses connections, /health says so; then it recovers.
    await adminQuery(`alter database ${name} allow_connections false`);
    await adminQuery('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
    await eventually('/health to answer 503', async () => (await health(server.baseUrl)) === 503);
    const refused = await fetch(`${server.baseUrl}/courses`);
    expect(refused.status).toBe(503);
    expect(server.running, server.tail()).toBe(true);
    await adminQuery(`alter database ${name} allow_connections true`);
    await eventually('/health to answer 200', async () => (await health(server.baseUrl)) === 200);

    // The first delegate tries again, and another books: both get their places.
    const again = await postBooking(server.baseUrl, sessionId, firstForm);
    expect(again.status).toBe(303);
    expect(again.location).toMatch(NEW_BOOKING);
    const secondForm = await openBookingForm(server.baseUrl, sessionId, second!);
    const next = await postBooking(server.baseUrl, sessionId, secondForm);
    expect(next.status).toBe(303);
    expect(next.location).toMatch(NEW_BOOKING);
    expect(server.running, server.tail()).toBe(true);
  });
});
