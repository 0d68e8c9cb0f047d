import { afterAll, beforeAll, expect, it } from 'vitest';

import { createTestApp, type TestApp } from '../support/app.js';
import { eachDatabase } from '../support/databases.js';

eachDatabase('security and errors', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    // A route that fails the way a bug would, to see what a person is shown.
    t.app.get('/test-only/fault', async () => {
      throw new Error('connection string postgres://secret@db/internal');
    });
  });
  afterAll(() => t.close());

  it('sends a strict content security policy and the usual security headers', async () => {
    const response = await t.app.inject('/courses');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(response.headers['strict-transport-security']).toContain('max-age=31536000');
  });

  it('has no inline script that the policy would block', async () => {
    for (const path of ['/courses', '/sessions/1', '/venues', '/trainers/lisa-cherry']) {
      const html = (await t.app.inject(path)).body;
      const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1] ?? '');
      for (const attributes of scripts)
        expect(attributes, path).toMatch(/src="\/assets\/|type="application\/ld\+json"/);
      expect(html, path).not.toMatch(/\sstyle="/);
      expect(html, path).not.toMatch(/\son[a-z]+="/);
    }
  });

  it('shows a calm 500 page without internals', async () => {
    const response = await t.app.inject('/test-only/fault');
    expect(response.statusCode).toBe(500);
    expect(response.body).toContain('Sorry, there is a problem with the service');
    expect(response.body).not.toContain('secret');
    expect(response.body).not.toMatch(/at \w+ \(|node_modules/);
  });

  it('answers JSON errors to JSON clients', async () => {
    const response = await t.app.inject({ url: '/sessions/999999', headers: { accept: 'application/json' } });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'Page not found', message: 'We could not find that session.' });
  });

  it('refuses a malformed request body with a 4xx, not a 500', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/courses',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
  });
});

eachDatabase('compressed pages', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('gzips public pages for clients that accept it, and only for them', async () => {
    const { gunzipSync } = await import('node:zlib');
    const plain = await t.app.inject('/courses');
    const zipped = await t.app.inject({
      url: '/courses',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toContain('Accept-Encoding');
    expect(gunzipSync(zipped.rawPayload).toString()).toBe(plain.body);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const refused = await t.app.inject({ url: '/courses', headers: { 'accept-encoding': 'gzip;q=0' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });
});
