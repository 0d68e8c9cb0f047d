import { afterAll, beforeAll, expect, it } from 'vitest';

import { eachDatabase } from '../support/databases.js';
import { createTestApp, type TestApp } from '../support/app.js';

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

  it('answers 503, not 500, when the database is gone', async () => {
    await t.database.close();
    const response = await t.app.inject('/health');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'unavailable', database: 'unreachable' });
  });
});
