/**
 * Shared limits (issue 12): two Trellis processes on one database, as behind
 * a load balancer, each request going to the next. With one Redis their rate
 * limits and sign-in throttle count as one; without it, or with Redis out of
 * reach, each counts on its own (never not at all) and nobody gets an error
 * page.
 */
import { randomBytes } from 'node:crypto';

import type { FastifyInstance, InjectOptions } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';

import {
  applicationName,
  COMMAND_APPLICATION_NAME_PREFIX,
  openDatabase,
  type DialectName,
} from '../../src/data/db.js';
import {
  SEVERAL_PROCESSES_WARNING,
  trellisProcessesOnDatabase,
  watchForOtherProcesses,
} from '../../src/data/processCount.js';
import { FREE_FAILURES } from '../../src/services/accounts/signInThrottle.js';
import { SIGN_IN_ATTEMPTS_PER_ADDRESS } from '../../src/web/plugins/signInThrottle.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { createTestDatabase, eachDatabase, type TestDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import {
  CLOSED_REDIS_URL,
  deleteRedisKeys,
  REDIS_TEST_URL,
  redisKeys,
  uniqueRedisPrefix,
} from '../support/redis.js';

// Not imported from booking-journey.test.ts: importing a test file runs its suites here too.
const PASSWORD = 'correct horse battery';

/** Registers through the form and confirms the address with the emailed link. */
async function registerAndVerify(t: TestApp, client: WebClient, name: string, email: string) {
  const organisation = await t.database.db
    .selectFrom('organisations')
    .where('confirmed_at', 'is not', null)
    .select('id')
    .executeTakeFirstOrThrow();
  const registered = await client.submit('/register', {
    name,
    email,
    organisationId: String(organisation.id),
    jobRole: 'Social worker',
    lineManagerName: 'Pat Manager',
    lineManagerEmail: 'pat.manager@example.org.uk',
    password: PASSWORD,
  });
  expect(registered.statusCode).toBe(303);
  const message = await t.database.db
    .selectFrom('outbox_messages')
    .where('to_address', '=', email)
    .select('text_body')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const link = /\/account\/verify\/[\w-]+/.exec(message.text_body)![0];
  await client.submit(link, {}, link);
}

async function signIn(client: WebClient, email: string) {
  const response = await client.submit('/sign-in', { email, password: PASSWORD });
  expect(response.statusCode).toBe(303);
}

/**
 * Sends each form to the next process in turn, as a round-robin load balancer
 * does (the page a form is read from goes where that form will go).
 */
function roundRobin(apps: FastifyInstance[]): FastifyInstance {
  let next = 0;
  return {
    inject: (options: InjectOptions) => {
      const app = apps[next % apps.length]!;
      if (options.method === 'POST') next += 1;
      return app.inject(options);
    },
  } as unknown as FastifyInstance;
}

/** Two processes on one database; the same SESSION_SECRET, as every process of one hub must have. */
async function twoProcesses(dialect: DialectName, env: Record<string, string>): Promise<[TestApp, TestApp]> {
  const shared = { SESSION_SECRET: randomBytes(32).toString('hex'), ...env };
  const one = await createTestApp(dialect, { env: shared });
  const two = await createTestApp(dialect, { env: shared, database: one.database });
  return [one, two];
}

async function futureSessionId(t: TestApp): Promise<number> {
  const session = await t.database.db
    .selectFrom('sessions')
    .innerJoin('courses', 'courses.id', 'sessions.course_id')
    .where('courses.slug', '=', 'trauma-informed-co-production')
    .where('sessions.starts_at', '>', TEST_NOW)
    .select('sessions.id')
    .orderBy('sessions.starts_at')
    .executeTakeFirstOrThrow();
  return session.id;
}

/** Statuses of `count` wrong passwords at one account, through `client`. */
async function wrongPasswords(client: WebClient, email: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let attempt = 0; attempt < count; attempt += 1) {
    statuses.push((await client.submit('/sign-in', { email, password: `guess ${attempt}` })).statusCode);
  }
  return statuses;
}

/** Statuses of `count` presses of "Book" on one session by one delegate (the first books, the rest find it held). */
async function bookingPresses(client: WebClient, sessionId: number, count: number): Promise<number[]> {
  const page = parsePage((await client.get(`/sessions/${sessionId}/book`)).body);
  const csrf = page.document.querySelector('input[name="_csrf"]')?.getAttribute('value') ?? '';
  const statuses: number[] = [];
  for (let press = 0; press < count; press += 1) {
    const response = await client.post(`/sessions/${sessionId}/book`, { _csrf: csrf, consent: 'yes' });
    statuses.push(response.statusCode);
  }
  return statuses;
}

/** The booking limit per delegate (src/web/routes/bookings/index.ts). */
const BOOKINGS_PER_MINUTE = 20;

eachDatabase('shared limits', (dialect) => {
  describe.runIf(inject('redisAvailable'))('two processes sharing one Redis', () => {
    const prefix = uniqueRedisPrefix();
    let one: TestApp;
    let two: TestApp;
    let balanced: FastifyInstance;
    beforeAll(async () => {
      [one, two] = await twoProcesses(dialect, { REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: prefix });
      balanced = roundRobin([one.app, two.app]);
    });
    afterAll(async () => {
      await two.close();
      await one.close();
      await deleteRedisKeys(prefix);
    });

    it('meets the sign-in throttle at one account as one process would', async () => {
      const email = 'tara.spread@council.example.org.uk';
      await registerAndVerify(one, new WebClient(one.app), 'Tara Spread', email);
      const statuses = await wrongPasswords(new WebClient(balanced), email, FREE_FAILURES + 1);
      expect(statuses).toEqual([...Array<number>(FREE_FAILURES).fill(400), 429]);
      // The owner, on either process, waits too.
      const owner = await new WebClient(two.app).submit('/sign-in', { email, password: PASSWORD });
      expect(owner.statusCode).toBe(429);
    });

    it('counts sign-in attempts from one address across both processes', async () => {
      const sprayer = new WebClient(balanced, { remoteAddress: '203.0.113.77' });
      const statuses: number[] = [];
      // The limit counts every attempt, before the form is read: empty passwords keep the test
      // quick (no password hash is checked) and count the same.
      for (let attempt = 1; attempt <= SIGN_IN_ATTEMPTS_PER_ADDRESS + 1; attempt += 1) {
        const email = `sprayed${attempt}@example.org.uk`;
        statuses.push((await sprayer.submit('/sign-in', { email, password: '' })).statusCode);
      }
      expect(statuses.filter((status) => status === 400)).toHaveLength(SIGN_IN_ATTEMPTS_PER_ADDRESS);
      expect(statuses.at(-1)).toBe(429);
    });

    it('counts one delegate’s bookings across both processes', async () => {
      const booker = new WebClient(balanced);
      await registerAndVerify(one, new WebClient(one.app), 'Bo Booker', 'bo.booker@council.example.org.uk');
      await signIn(booker, 'bo.booker@council.example.org.uk');
      const statuses = await bookingPresses(booker, await futureSessionId(one), BOOKINGS_PER_MINUTE + 1);
      expect(statuses).toEqual([...Array<number>(BOOKINGS_PER_MINUTE).fill(303), 429]);
    });

    it('keeps its counts under the hub’s prefix, each key naming its limit’s route and whose count it is', async () => {
      const delegateId = async (email: string) =>
        (
          await one.database.db
            .selectFrom('delegates')
            .where('email', '=', email)
            .select('id')
            .executeTakeFirstOrThrow()
        ).id;
      // Read from Redis itself, as `redis-cli KEYS` would show them.
      const keys = await redisKeys(prefix);
      expect(keys).toContain(
        `${prefix}rate-limit:POST:/sessions/:id/book:delegate:${await delegateId('bo.booker@council.example.org.uk')}`,
      );
      expect(keys).toContain(`${prefix}rate-limit:POST:/sign-in:delegate-sign-in-address:203.0.113.77`);
      // A limit that does not say whose count it keeps counts per network address.
      expect(keys).toContain(`${prefix}rate-limit:POST:/register:address:127.0.0.1`);
      expect(keys).toContain(
        `${prefix}sign-in-throttle:delegate:${await delegateId('tara.spread@council.example.org.uk')}`,
      );
      // Every key is one of the two forms, with nothing unfilled in it.
      for (const key of keys) {
        expect(key).toMatch(
          new RegExp(
            `^${prefix}(rate-limit:(GET|POST):/[\\w/:-]*:[a-z-]+:[\\w.:]+|sign-in-throttle:(delegate|staff):\\d+)$`,
          ),
        );
        expect(key).not.toMatch(/undefined|null|\s/);
      }
    });
  });

  describe('two processes without Redis', () => {
    let one: TestApp;
    let two: TestApp;
    let balanced: FastifyInstance;
    beforeAll(async () => {
      [one, two] = await twoProcesses(dialect, {});
      balanced = roundRobin([one.app, two.app]);
    });
    afterAll(async () => {
      await two.close();
      await one.close();
    });

    it('count on their own: spread over both, a guesser and a booker go twice as far', async () => {
      const email = 'tara.alone@council.example.org.uk';
      await registerAndVerify(one, new WebClient(one.app), 'Tara Alone', email);
      const guesses = await wrongPasswords(new WebClient(balanced), email, FREE_FAILURES + 1);
      expect(guesses).toEqual(Array<number>(FREE_FAILURES + 1).fill(400));

      const booker = new WebClient(balanced);
      await registerAndVerify(one, new WebClient(one.app), 'Bo Alone', 'bo.alone@council.example.org.uk');
      await signIn(booker, 'bo.alone@council.example.org.uk');
      const presses = await bookingPresses(booker, await futureSessionId(one), BOOKINGS_PER_MINUTE + 1);
      expect(presses).toEqual(Array<number>(BOOKINGS_PER_MINUTE + 1).fill(303));
    });
  });

  describe('two processes whose Redis is out of reach', () => {
    let one: TestApp;
    let two: TestApp;
    let balanced: FastifyInstance;
    beforeAll(async () => {
      [one, two] = await twoProcesses(dialect, {
        REDIS_URL: CLOSED_REDIS_URL,
        REDIS_KEY_PREFIX: uniqueRedisPrefix(),
      });
      balanced = roundRobin([one.app, two.app]);
    });
    afterAll(async () => {
      await two.close();
      await one.close();
    });

    it('still sign people in and book their places, with no error page', async () => {
      const person = new WebClient(balanced);
      await registerAndVerify(one, new WebClient(one.app), 'Ria Reach', 'ria.reach@council.example.org.uk');
      await signIn(person, 'ria.reach@council.example.org.uk');
      const presses = await bookingPresses(person, await futureSessionId(one), 2);
      expect(presses).toEqual([303, 303]);
      const held = await one.database.db
        .selectFrom('bookings')
        .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
        .where('delegates.email', '=', 'ria.reach@council.example.org.uk')
        .select('bookings.id')
        .execute();
      expect(held).toHaveLength(1);
    });

    it('count bookings in each process’s memory instead: spread over both, a booker goes twice as far, no further', async () => {
      const booker = new WebClient(balanced);
      await registerAndVerify(one, new WebClient(one.app), 'Cy Reach', 'cy.reach@council.example.org.uk');
      await signIn(booker, 'cy.reach@council.example.org.uk');
      const presses = await bookingPresses(booker, await futureSessionId(one), 2 * BOOKINGS_PER_MINUTE + 1);
      expect(presses).toEqual([...Array<number>(2 * BOOKINGS_PER_MINUTE).fill(303), 429]);
    });

    it('slow guessing in each process’s memory instead', async () => {
      const email = 'sol.reach@council.example.org.uk';
      await registerAndVerify(one, new WebClient(one.app), 'Sol Reach', email);
      // Each process sees every other guess: its own count reaches the wait after twice as many.
      const statuses = await wrongPasswords(new WebClient(balanced), email, 2 * (FREE_FAILURES + 1));
      expect(statuses).toEqual([...Array<number>(2 * FREE_FAILURES).fill(400), 429, 429]);
    });
  });
});

describe.runIf(inject('postgresAvailable'))('how many Trellis processes share a database [postgres]', () => {
  let database: TestDatabase;
  const others: pg.Client[] = [];
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await Promise.all(others.map((client) => client.end()));
    await database.drop();
  });

  /** Another Trellis process's connection, named as data/db.ts names them. */
  async function anotherProcess(name: string): Promise<void> {
    const client = new pg.Client({ connectionString: database.url, application_name: name });
    await client.connect();
    others.push(client);
  }

  it('sees one process alone, then several once another connects, and warns once', async () => {
    expect(await trellisProcessesOnDatabase(database.db, 'postgres')).toBe(1);
    const warnings: Array<[string, number]> = [];
    const watch = watchForOtherProcesses(database.db, 'postgres', (...warning) => warnings.push(warning), 20);
    try {
      await watch.checked;
      expect(warnings).toEqual([]);

      // A command (an operator's backup, the jobs list) is not a second server.
      const command = openDatabase(database.url, { command: true, onConnectionError: () => undefined });
      try {
        await sql`select 1`.execute(command.db);
        const names = await sql<{ name: string }>`
          select distinct application_name as name from pg_stat_activity
          where datname = current_database() and application_name like 'trellis-command/%'
        `.execute(database.db);
        expect(names.rows.map((row) => row.name)).toEqual([applicationName(COMMAND_APPLICATION_NAME_PREFIX)]);
        expect(await trellisProcessesOnDatabase(database.db, 'postgres')).toBe(1);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(warnings).toEqual([]);
      } finally {
        await command.close();
      }

      // A process started later, on another host: noticed at the next look.
      await anotherProcess('trellis/web-2/4242');
      // Not Trellis: not counted.
      await anotherProcess('psql');
      expect(await trellisProcessesOnDatabase(database.db, 'postgres')).toBe(2);
      await vi.waitFor(() => expect(warnings).toEqual([[SEVERAL_PROCESSES_WARNING, 2]]), {
        timeout: 30_000,
        interval: 20,
      });
      expect(SEVERAL_PROCESSES_WARNING).toContain('REDIS_URL');

      // Once per process, however many more come and looks pass.
      await anotherProcess('trellis/web-3/99');
      expect(await trellisProcessesOnDatabase(database.db, 'postgres')).toBe(3);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(warnings).toHaveLength(1);
    } finally {
      watch.stop();
    }
  });
});

describe('how many Trellis processes share a database [sqlite]', () => {
  it('cannot be told on SQLite, so nothing is said', async () => {
    const database = await createTestDatabase('sqlite');
    try {
      expect(await trellisProcessesOnDatabase(database.db, 'sqlite')).toBeNull();
      const warnings: string[] = [];
      const watch = watchForOtherProcesses(database.db, 'sqlite', (message) => warnings.push(message));
      await watch.checked;
      watch.stop();
      expect(warnings).toEqual([]);
    } finally {
      await database.drop();
    }
  });
});
