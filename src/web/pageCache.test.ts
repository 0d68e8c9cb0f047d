import { describe, expect, it } from 'vitest';

import { PageCache, gzippedBody, type CachedPage } from './pageCache.js';

/** A render that finishes only when the test says, counting how many were started. */
function controlledRenders() {
  const finishers: Array<(page: CachedPage) => void> = [];
  return {
    get started() {
      return finishers.length;
    },
    render: () =>
      new Promise<CachedPage>((resolve) => {
        finishers.push(resolve);
      }),
    finish(index: number, body: string) {
      finishers[index]?.({ statusCode: 200, body });
    },
  };
}

/** Lets every promise callback queued so far run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('PageCache', () => {
  const page = { statusCode: 200, body: '<p>hello</p>' };

  it('serves a page again for the same version and minute, not for a later one', () => {
    const cache = new PageCache();
    cache.set('/courses', 7, 100, page);
    expect(cache.get('/courses', 7, 100)).toMatchObject(page);
    expect(cache.get('/courses', 8, 100)).toBeUndefined();
    cache.set('/courses', 8, 100, page);
    expect(cache.get('/courses', 8, 101)).toBeUndefined();
    // A page rendered at a later version answers a request whose read came back earlier.
    expect(cache.get('/courses', 7, 100)).toMatchObject(page);
  });

  it('drops the least recently used page when full', () => {
    const cache = new PageCache({ limit: 2 });
    cache.set('a', 1, 1, page);
    cache.set('b', 1, 1, page);
    cache.get('a', 1, 1);
    cache.set('c', 1, 1, page);
    expect(cache.get('b', 1, 1)).toBeUndefined();
    expect(cache.get('a', 1, 1)).toBeDefined();
    expect(cache.get('c', 1, 1)).toBeDefined();
  });

  it('renders a page that many requests miss at once only once, and gives it to all of them', async () => {
    const cache = new PageCache({ renderGapFactor: 0 });
    const renders = controlledRenders();
    const waiting = Array.from({ length: 20 }, () => cache.page('/sessions/1', 1, 1, renders.render));
    await settle();
    expect(renders.started).toBe(1);
    renders.finish(0, 'first');
    const pages = await Promise.all(waiting);
    expect(pages.map((p) => p.body)).toEqual(Array(20).fill('first'));
    // Now cached: no render at all.
    expect((await cache.page('/sessions/1', 1, 1, renders.render)).body).toBe('first');
    expect(renders.started).toBe(1);
  });

  it('gives the page being replaced during a render, and the new page after it', async () => {
    const cache = new PageCache({ renderGapFactor: 0 });
    const renders = controlledRenders();
    const first = cache.page('/sessions/1', 1, 1, renders.render);
    renders.finish(0, 'version 1');
    await first;

    // A change (version 2): the first request to see it starts a render...
    const rendering = cache.page('/sessions/1', 2, 1, renders.render);
    await settle();
    expect(renders.started).toBe(2);
    // ...and those arriving meanwhile, even at a later version, get the page it replaces at once.
    expect((await cache.page('/sessions/1', 2, 1, renders.render)).body).toBe('version 1');
    expect((await cache.page('/sessions/1', 3, 1, renders.render)).body).toBe('version 1');
    expect(renders.started).toBe(2);

    renders.finish(1, 'version 2');
    expect((await rendering).body).toBe('version 2');
    expect((await cache.page('/sessions/1', 2, 1, renders.render)).body).toBe('version 2');
    // A request after the render, at a version newer than it, starts the next render.
    const next = cache.page('/sessions/1', 3, 1, renders.render);
    await settle();
    expect(renders.started).toBe(3);
    renders.finish(2, 'version 3');
    expect((await next).body).toBe('version 3');
  });

  it('renders each page apart: a render of one does not hold back another', async () => {
    const cache = new PageCache({ renderGapFactor: 0 });
    const renders = controlledRenders();
    const one = cache.page('/sessions/1', 1, 1, renders.render);
    const two = cache.page('/sessions/2', 1, 1, renders.render);
    await settle();
    expect(renders.started).toBe(2);
    renders.finish(1, 'two');
    expect((await two).body).toBe('two');
    renders.finish(0, 'one');
    expect((await one).body).toBe('one');
  });

  it('renders again after the minute turns, giving the old page while it does', async () => {
    const cache = new PageCache({ renderGapFactor: 0 });
    const renders = controlledRenders();
    const first = cache.page('/courses', 1, 100, renders.render);
    renders.finish(0, 'minute 100');
    await first;
    const next = cache.page('/courses', 1, 101, renders.render);
    expect((await cache.page('/courses', 1, 101, renders.render)).body).toBe('minute 100');
    renders.finish(1, 'minute 101');
    expect((await next).body).toBe('minute 101');
  });

  it('waits before rendering a page again soon after its last render, giving the old page meanwhile', async () => {
    const cache = new PageCache({ renderGapFactor: 9 });
    const renders = controlledRenders();
    const first = cache.page('/sessions/1', 1, 1, renders.render);
    await new Promise((resolve) => setTimeout(resolve, 10));
    renders.finish(0, 'version 1');
    await first;

    // The last render took 10 ms or more: the next starts 90 ms or more after it.
    const next = cache.page('/sessions/1', 2, 1, renders.render);
    // (A timer that long cannot fire before this loop's immediates run.)
    await settle();
    expect(renders.started).toBe(1);
    expect((await cache.page('/sessions/1', 3, 1, renders.render)).body).toBe('version 1');
    while (renders.started < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    renders.finish(1, 'version 2');
    // The request that found the page out of date waited for the render, so it sees the change.
    expect((await next).body).toBe('version 2');
  });

  it('shares a failed render with those who waited for it, and tries again on the next request', async () => {
    const cache = new PageCache();
    let calls = 0;
    const failing = async (): Promise<CachedPage> => {
      calls += 1;
      throw new Error('no such session');
    };
    const results = await Promise.allSettled([
      cache.page('/sessions/9', 1, 1, failing),
      cache.page('/sessions/9', 1, 1, failing),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    await expect(cache.page('/sessions/9', 1, 1, failing)).rejects.toThrow('no such session');
    expect(calls).toBe(2);
    expect(cache.size).toBe(0);
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
