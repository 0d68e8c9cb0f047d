import { describe, expect, it } from 'vitest';

import { PageCache, gzippedBody } from './pageCache.js';

describe('PageCache', () => {
  const page = { statusCode: 200, body: '<p>hello</p>' };

  it('serves a page again for the same version and minute only', () => {
    const cache = new PageCache();
    cache.set('/courses', 7, 100, page);
    expect(cache.get('/courses', 7, 100)).toMatchObject(page);
    expect(cache.get('/courses', 8, 100)).toBeUndefined();
    cache.set('/courses', 8, 100, page);
    expect(cache.get('/courses', 8, 101)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops the least recently used page when full', () => {
    const cache = new PageCache(2);
    cache.set('a', 1, 1, page);
    cache.set('b', 1, 1, page);
    cache.get('a', 1, 1);
    cache.set('c', 1, 1, page);
    expect(cache.get('b', 1, 1)).toBeUndefined();
    expect(cache.get('a', 1, 1)).toBeDefined();
    expect(cache.get('c', 1, 1)).toBeDefined();
  });
});

describe('gzippedBody', () => {
  it('compresses once and keeps the result with the page', async () => {
    const { gunzipSync } = await import('node:zlib');
    const page = { statusCode: 200, body: '<p>hello</p>'.repeat(100) };
    const first = gzippedBody(page);
    expect(gzippedBody(page)).toBe(first);
    expect(gunzipSync(first).toString()).toBe(page.body);
    expect(first.length).toBeLessThan(page.body.length / 10);
  });
});
