/**
 * /metrics and /health, as the people who run Trellis use them: /metrics is
 * closed to the public (a 404 without METRICS_TOKEN, a 401 without the right
 * bearer token, open only on the loopback metrics port), and what it says is
 * true (a booking is counted once under its outcome, requests under their
 * route's pattern and never a path with a token in it, the outbox backlog
 * and its oldest message's age, job runs and failures, the database pool).
 * /health is 503 while the database cannot be reached or hangs, and 200
 * again by itself when it is back.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import {
  ChildServer,
  REPOSITORY_ROOT,
  delay,
  freePort,
  waitForHealth,
} from '../../bench/support/processes.js';
import { buildApp, buildMetricsApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/data/db.js';
import { SchedulerRepository } from '../../src/data/repositories/schedulerRepository.js';
import type { JobContext, RecordedJob } from '../../src/jobs/job.js';
import { Scheduler, startJobs } from '../../src/jobs/scheduler.js';
import { buildServices, type Services } from '../../src/services/index.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import { createTestDatabase, eachDatabase, type TestDatabase } from '../support/databases.js';
import { createBookableSessions, createSignedInDelegates } from '../support/seedDelegates.js';
import { TcpProxy } from '../faults/tcpProxy.js';

// PUBLIC_URL is https in the test app, so the sign-in cookie has the __Host- name.
const SESSION_COOKIE = '__Host-trellis_session';
const TOKEN = randomBytes(24).toString('hex');
const DAY_MS = 24 * 3_600_000;
const silentLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Reads the Prometheus text format strictly: every line a comment (# HELP,
 * # TYPE) or `name{label="value",…} number`; anything else fails the test.
 */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* /.test(line)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not the Prometheus text format: ${line}`);
    const labels: Record<string, string> = {};
    const labelText = match[2] ?? '';
    const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
    let read = 0;
    for (const label of labelText.matchAll(labelPattern)) {
      labels[label[1]!] = label[2]!;
      read += label[0].length;
    }
    if (read !== labelText.length) throw new Error(`labels not understood: ${line}`);
    const value = Number(match[3]);
    if (Number.isNaN(value) && !/^nan$/i.test(match[3]!)) throw new Error(`not a number: ${line}`);
    samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/** The one sample with this name and these labels (others allowed); undefined if none. */
function sample(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

async function scrape(app: FastifyInstance): Promise<Sample[]> {
  const response = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
  return parseMetrics(response.body);
}

/** Polls until `check` holds; a hang detector, not a speed limit. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await delay(50);
  }
}

eachDatabase('metrics', (dialect) => {
  describe('without METRICS_TOKEN', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(dialect, { demo: false });
    });
    afterAll(() => t.close());

    it('is a 404 like any unknown page, token or not', async () => {
      const unknown = await t.app.inject('/no-such-page');
      for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }]) {
        const response = await t.app.inject({ url: '/metrics', headers });
        expect(response.statusCode).toBe(404);
        expect(response.headers['content-type']).toBe(unknown.headers['content-type']);
        expect(response.body).not.toContain('trellis_');
      }
    });
  });

  describe('with METRICS_TOKEN', () => {
    let t: TestApp;
    let clock: SettableClock;
    let sessionId: number;
    /** Another session, whose booking form gives a delegate who holds a place a CSRF token to post again. */
    let otherSessionId: number;
    let labels = 0;

    beforeAll(async () => {
      clock = settableClock(TEST_NOW);
      t = await createTestApp(dialect, { demo: false, clock, env: { METRICS_TOKEN: TOKEN } });
      const start = clock.now().getTime();
      [sessionId, otherSessionId] = (await createBookableSessions(
        t.database.db,
        clock.now(),
        [new Date(start + 30 * DAY_MS), new Date(start + 31 * DAY_MS)],
        1,
      )) as [number, number];
    });
    afterAll(() => t.close());

    async function signedInDelegate(): Promise<{ id: number; client: WebClient }> {
      labels += 1;
      const [delegate] = await createSignedInDelegates(t.database.db, clock.now(), 1, `m${labels}`);
      const client = new WebClient(t.app);
      client.setCookie(SESSION_COOKIE, delegate!.sessionSecret);
      return { id: delegate!.id, client };
    }

    async function book(client: WebClient) {
      const path = `/sessions/${sessionId}/book`;
      return client.submit(path, {}, path);
    }

    /** The form's CSRF token, from a booking page showing a form. */
    async function formToken(client: WebClient, onSession: number): Promise<string> {
      const page = await client.get(`/sessions/${onSession}/book`);
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
      if (!token) throw new Error(`no booking form on session ${onSession}`);
      return token;
    }

    /** The form sent from a page opened earlier, whatever the page would show now. */
    function postBooking(client: WebClient, csrf: string) {
      return client.post(`/sessions/${sessionId}/book`, { _csrf: csrf, accessNeeds: '', dietaryNeeds: '' });
    }

    async function bookings(): Promise<Record<string, number | undefined>> {
      const samples = await scrape(t.app);
      return Object.fromEntries(
        ['confirmed', 'waitlisted', 'already_held', 'refused'].map((outcome) => [
          outcome,
          sample(samples, 'trellis_bookings_total', { outcome }),
        ]),
      );
    }

    it('refuses a request without the token, or with a wrong one, saying only "Bearer"', async () => {
      const wrong = [
        {},
        { authorization: '' },
        { authorization: 'Bearer' },
        { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
        { authorization: `Bearer ${TOKEN}x` },
        { authorization: `Basic ${Buffer.from(`prometheus:${TOKEN}`).toString('base64')}` },
        { authorization: TOKEN },
      ];
      for (const headers of wrong) {
        const response = await t.app.inject({ url: '/metrics', headers });
        expect(response.statusCode, JSON.stringify(headers)).toBe(401);
        expect(response.headers['www-authenticate']).toBe('Bearer');
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.body).toBe('');
      }
    });

    it('answers the token with the Prometheus text format, never cached', async () => {
      const response = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(response.headers['cache-control']).toBe('no-store');
      const samples = parseMetrics(response.body);
      // The process's own figures, from prom-client's defaults.
      expect(sample(samples, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
      expect(sample(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(sample(samples, 'trellis_database_up')).toBe(1);
      expect(sample(samples, 'trellis_bookings_total', { outcome: 'confirmed' })).toBe(0);
      // Not in the sitemap: it is for machines of the people who run Trellis.
      const sitemap = await t.app.inject('/sitemap.xml');
      expect(sitemap.body).not.toContain('/metrics');
    });

    it('counts each booking once under its outcome', async () => {
      const before = await bookings();
      const first = await signedInDelegate();
      expect((await book(first.client)).statusCode).toBe(303);
      expect(await bookings()).toEqual({ ...before, confirmed: before.confirmed! + 1 });

      // The same delegate again: they already hold that place.
      const again = await postBooking(first.client, await formToken(first.client, otherSessionId));
      expect(again.statusCode).toBe(303);
      expect(again.headers.location).toMatch(/\?already=1$/);
      expect(await bookings()).toEqual({
        ...before,
        confirmed: before.confirmed! + 1,
        already_held: before.already_held! + 1,
      });

      // One place, taken: the next delegate joins the waiting list.
      const second = await signedInDelegate();
      expect((await book(second.client)).statusCode).toBe(303);

      // Booking closes while the next has the form open: they are refused.
      const third = await signedInDelegate();
      const thirdToken = await formToken(third.client, sessionId);
      await t.database.db
        .updateTable('sessions')
        .set({ booking_closes_at: new Date(clock.now().getTime() - 60_000).toISOString() })
        .where('id', '=', sessionId)
        .execute();
      expect((await postBooking(third.client, thirdToken)).statusCode).toBe(409);

      expect(await bookings()).toEqual({
        confirmed: before.confirmed! + 1,
        already_held: before.already_held! + 1,
        waitlisted: before.waitlisted! + 1,
        refused: before.refused! + 1,
      });
    });

    it("counts the session lock's transactions: how many pieces each held, and for how long", async () => {
      const before = await scrape(t.app);
      const count = (samples: typeof before, name: string) => sample(samples, name) ?? 0;
      const delegate = await signedInDelegate();
      const path = `/sessions/${otherSessionId}/book`;
      expect((await delegate.client.submit(path, {}, path)).statusCode).toBe(303);
      const after = await scrape(t.app);
      // One booking, alone: one transaction of one piece, which held the lock for some time.
      expect(count(after, 'trellis_session_lock_batch_pieces_count')).toBe(
        count(before, 'trellis_session_lock_batch_pieces_count') + 1,
      );
      expect(count(after, 'trellis_session_lock_batch_pieces_sum')).toBe(
        count(before, 'trellis_session_lock_batch_pieces_sum') + 1,
      );
      expect(count(after, 'trellis_session_lock_held_seconds_count')).toBe(
        count(before, 'trellis_session_lock_held_seconds_count') + 1,
      );
      expect(count(after, 'trellis_session_lock_held_seconds_sum')).toBeGreaterThan(
        count(before, 'trellis_session_lock_held_seconds_sum'),
      );
    });

    it("times requests by their route's pattern, never by a path carrying a token", async () => {
      const token = `SECRET${randomBytes(12).toString('hex')}`;
      expect((await t.app.inject(`/account/reset-password/${token}`)).statusCode).toBeLessThan(500);
      expect((await t.app.inject(`/no-such-page/${token}`)).statusCode).toBe(404);
      const response = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.body).not.toContain(token);
      const samples = parseMetrics(response.body);
      const counted = (route: string) =>
        samples
          .filter((s) => s.name === 'trellis_http_request_duration_seconds_count' && s.labels.route === route)
          .reduce((sum, s) => sum + s.value, 0);
      expect(counted('/account/reset-password/:token')).toBeGreaterThanOrEqual(1);
      expect(
        sample(samples, 'trellis_http_request_duration_seconds_count', {
          method: 'GET',
          route: '(no route)',
          status_code: '404',
        }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        sample(samples, 'trellis_http_request_duration_seconds_count', {
          method: 'POST',
          route: '/sessions/:id/book',
          status_code: '303',
        }),
      ).toBeGreaterThanOrEqual(1);
      // Every route label is a pattern or "(no route)": no path with a value in it.
      for (const s of samples.filter((s) => s.name.startsWith('trellis_http_request_duration_seconds'))) {
        expect(s.labels.route).toMatch(/^(\(no route\)|\/[a-z0-9/_:*.-]*)$/);
      }
    });

    it('reads the outbox backlog and the age of its oldest unsent message when asked', async () => {
      const unsentDue = async () =>
        Number(
          (
            await t.database.db
              .selectFrom('outbox_messages')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('sent_at', 'is', null)
              .where('next_attempt_at', '<=', clock.now().toISOString())
              .executeTakeFirstOrThrow()
          ).n,
        );
      const oldest = await t.database.db
        .selectFrom('outbox_messages')
        .select((eb) => eb.fn.min('created_at').as('at'))
        .where('sent_at', 'is', null)
        .executeTakeFirstOrThrow();
      expect(oldest.at).not.toBeNull();

      clock.advance(90_000);
      let samples = await scrape(t.app);
      const due = await unsentDue();
      expect(due).toBeGreaterThan(0);
      expect(sample(samples, 'trellis_outbox_backlog_messages')).toBe(due);
      expect(sample(samples, 'trellis_outbox_oldest_unsent_age_seconds')).toBe(
        (clock.now().getTime() - new Date(oldest.at!).getTime()) / 1000,
      );

      // The outbox job sends them (to the development mailbox) and is counted.
      const jobs = startJobs(t.services, t.config, silentLogger, { start: false });
      const sent = await jobs.runNow('outbox');
      await jobs.stop();
      expect(sent).toMatchObject({ status: 'succeeded', result: { sent: due } });
      samples = await scrape(t.app);
      expect(sample(samples, 'trellis_outbox_backlog_messages')).toBe(0);
      expect(sample(samples, 'trellis_outbox_oldest_unsent_age_seconds')).toBe(0);
      expect(sample(samples, 'trellis_outbox_messages_total', { outcome: 'sent' })).toBe(due);
      expect(sample(samples, 'trellis_outbox_messages_total', { outcome: 'failed' })).toBe(0);
      expect(sample(samples, 'trellis_job_runs_total', { job: 'outbox' })).toBe(1);
      expect(sample(samples, 'trellis_job_failures_total', { job: 'outbox' })).toBe(0);
    });

    it("counts job runs and failures by the job's name", async () => {
      const failing: RecordedJob = {
        name: 'metrics-test-failing',
        description: 'fails, for the test',
        cadence: { every: 'minute' },
        run: async () => {
          throw new Error('the job could not finish');
        },
      };
      const jobs = startJobs(t.services, t.config, silentLogger, { start: false });
      const scheduler = new Scheduler({
        runs: new SchedulerRepository(t.database.db),
        context: { services: t.services } as JobContext,
        clock,
        logger: silentLogger,
        jobs: [failing],
        metrics: t.services.metrics,
      });
      let samples = await scrape(t.app);
      expect(sample(samples, 'trellis_job_runs_total', { job: 'waiting-lists' })).toBe(0);
      expect(sample(samples, 'trellis_job_runs_total', { job: failing.name })).toBe(0);

      expect(await jobs.runNow('waiting-lists')).toMatchObject({ status: 'succeeded' });
      expect(await scheduler.runNow(failing)).toMatchObject({ status: 'failed' });
      await jobs.stop();
      samples = await scrape(t.app);
      expect(sample(samples, 'trellis_job_runs_total', { job: 'waiting-lists' })).toBe(1);
      expect(sample(samples, 'trellis_job_failures_total', { job: 'waiting-lists' })).toBe(0);
      expect(sample(samples, 'trellis_job_runs_total', { job: failing.name })).toBe(1);
      expect(sample(samples, 'trellis_job_failures_total', { job: failing.name })).toBe(1);
    });

    it('shows the database pool on PostgreSQL, and nothing of one on SQLite', async () => {
      const samples = await scrape(t.app);
      const pool = samples.filter((s) => s.name.startsWith('trellis_database_pool_'));
      if (dialect === 'sqlite') {
        expect(pool).toEqual([]);
        return;
      }
      expect(sample(samples, 'trellis_database_pool_max_connections')).toBe(10);
      const open = sample(samples, 'trellis_database_pool_connections')!;
      expect(open).toBeGreaterThanOrEqual(1);
      expect(open).toBeLessThanOrEqual(10);
      expect(sample(samples, 'trellis_database_pool_idle_connections')).toBeLessThanOrEqual(open);
      expect(sample(samples, 'trellis_database_pool_waiting_requests')).toBe(0);
    });

    it('keeps two apps in one process apart', async () => {
      const other = await createTestApp(dialect, { demo: false, env: { METRICS_TOKEN: TOKEN } });
      try {
        const mine = sample(await scrape(t.app), 'trellis_bookings_total', { outcome: 'confirmed' });
        expect(mine).toBeGreaterThan(0);
        expect(sample(await scrape(other.app), 'trellis_bookings_total', { outcome: 'confirmed' })).toBe(0);
      } finally {
        await other.close();
      }
    });

    it('serves /metrics without a token and /health on the loopback metrics server', async () => {
      const metricsApp = await buildMetricsApp(t.config, t.services);
      try {
        await metricsApp.listen({ host: '127.0.0.1', port: 0 });
        const address = metricsApp.server.address();
        const base = `http://127.0.0.1:${address && typeof address === 'object' ? address.port : 0}`;
        const metrics = await fetch(`${base}/metrics`);
        expect(metrics.status).toBe(200);
        expect(metrics.headers.get('cache-control')).toBe('no-store');
        const samples = parseMetrics(await metrics.text());
        // The same figures as the main port's: the app's registry, not a second one.
        expect(sample(samples, 'trellis_bookings_total', { outcome: 'confirmed' })).toBe(
          sample(await scrape(t.app), 'trellis_bookings_total', { outcome: 'confirmed' }),
        );
        const health = await fetch(`${base}/health`);
        expect(health.status).toBe(200);
        expect(await health.json()).toEqual({ status: 'ok', database: 'ok' });
        expect((await fetch(`${base}/courses`)).status).toBe(404);
      } finally {
        await metricsApp.close();
      }
    });
  });
});

describe('the server with METRICS_TOKEN and METRICS_PORT [sqlite]', () => {
  let directory: string;
  let server: ChildServer;
  let base: string;
  let metricsBase: string;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'trellis-metrics-'));
    const [port, metricsPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${port}`;
    metricsBase = `http://127.0.0.1:${metricsPort}`;
    server = new ChildServer('the server', ['--import', 'tsx', join(REPOSITORY_ROOT, 'src', 'server.ts')], {
      ...process.env,
      NODE_ENV: 'production',
      SECRETS_KEY: '5e'.repeat(32),
      SESSION_SECRET: randomBytes(24).toString('hex'),
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: base,
      DATABASE_URL: `sqlite:${join(directory, 'trellis.sqlite')}`,
      DEMO_CONTENT: 'false',
      // Nothing listens here: emails stay in the outbox.
      SMTP_URL: 'smtp://127.0.0.1:9',
      LOG_LEVEL: 'warn',
      METRICS_TOKEN: TOKEN,
      METRICS_PORT: String(metricsPort),
    });
    await waitForHealth(base, server, 60_000);
  });

  afterAll(async () => {
    await server?.kill();
    rmSync(directory, { recursive: true, force: true });
  });

  it('opens /metrics to the token on the main port and to anyone on the loopback port, and closes both', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const withToken = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(withToken.status).toBe(200);
    expect(sample(parseMetrics(await withToken.text()), 'trellis_database_up')).toBe(1);

    const loopback = await fetch(`${metricsBase}/metrics`);
    expect(loopback.status).toBe(200);
    const samples = parseMetrics(await loopback.text());
    // The main port's requests are counted, and seen from the loopback port.
    expect(
      sample(samples, 'trellis_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/metrics',
        status_code: '401',
      }),
    ).toBe(1);
    expect((await fetch(`${metricsBase}/health`)).status).toBe(200);

    await server.stop();
    expect(await server.exited).toBe(0);
    await expect(fetch(`${metricsBase}/health`)).rejects.toThrow();
  });
});

describe.runIf(inject('postgresAvailable'))('health while the database goes away [postgres]', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let appDatabase: Database;
  let services: Services;
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(new URL(database.url).port || 5432) });
    const url = new URL(database.url);
    url.port = String(proxy.port);
    appDatabase = openDatabase(url.toString(), { onConnectionError: () => undefined });
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: url.toString(),
      PUBLIC_URL: 'https://training.example.org.uk',
      METRICS_TOKEN: TOKEN,
    });
    services = buildServices(appDatabase, {
      clock: settableClock(TEST_NOW),
      publicUrl: config.publicUrl,
      secretsKey: randomBytes(32),
    });
    app = await buildApp(config, services);
  });

  afterAll(async () => {
    await app?.close();
    await proxy?.restore();
    await appDatabase?.close();
    await proxy?.close();
    await database?.drop();
  });

  async function health() {
    const response = await app.inject('/health');
    return { status: response.statusCode, body: response.json<Record<string, string>>() };
  }

  it('is 503 while the database refuses connections, and 200 again by itself', async () => {
    expect(await health()).toEqual({ status: 200, body: { status: 'ok', database: 'ok' } });

    await proxy.refuse();
    expect(await health()).toEqual({ status: 503, body: { status: 'unavailable', database: 'unreachable' } });
    // /metrics still answers, saying the database did not, and leaves out what it could not read.
    const samples = await scrape(app);
    expect(sample(samples, 'trellis_database_up')).toBe(0);
    expect(sample(samples, 'trellis_outbox_backlog_messages')).toBeUndefined();
    expect(sample(samples, 'trellis_outbox_oldest_unsent_age_seconds')).toBeUndefined();

    await proxy.restore();
    await eventually('/health to answer 200', async () => (await health()).status === 200);
    expect(sample(await scrape(app), 'trellis_database_up')).toBe(1);
  });

  it('answers 503 within its timeout while the database hangs, and 200 once it answers', async () => {
    expect((await health()).status).toBe(200);
    proxy.hang();
    expect(await health()).toEqual({
      status: 503,
      body: { status: 'unavailable', database: 'not answering' },
    });
    const openWhileHung = appDatabase.poolStats()!.total;
    // Later checks share the hung ping: they do not take connection after connection.
    expect((await health()).status).toBe(503);
    expect((await health()).status).toBe(503);
    expect(appDatabase.poolStats()!.total).toBe(openWhileHung);
    expect(sample(await scrape(app), 'trellis_database_up')).toBe(0);

    await proxy.restore();
    await eventually('/health to answer 200', async () => (await health()).status === 200);
  });
});
