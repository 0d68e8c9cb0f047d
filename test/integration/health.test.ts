import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { eachDatabase } from '../support/databases.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { POSTGRES_ADMIN_URL } from '../support/environment.js';

eachDatabase('health endpoint', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: false });
  });
  afterAll(() => t.close());

  it('answers 200 while the database answers', async () => {
    const response = await t.app.inject('/health');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', database: 'ok' });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  // PostgreSQL only: SQLite has no connections to drop.
  if (dialect === 'postgres') {
    it('carries on when PostgreSQL drops its idle connections', async () => {
      expect((await t.app.inject('/courses')).statusCode).toBe(200);
      const name = new URL(t.database.url).pathname.slice(1);
      const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await admin.connect();
      const { rowCount } = await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1',
        [name],
      );
      await admin.end();
      expect(rowCount).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await t.app.inject('/health')).statusCode).toBe(200);
      expect((await t.app.inject('/courses')).statusCode).toBe(200);
    });
  }

  it('answers 503, not 500, when the database is gone', async () => {
    await t.database.close();
    const response = await t.app.inject('/health');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'unavailable', database: 'unreachable' });
  });
});
