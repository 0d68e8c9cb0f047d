/**
 * Light pages for slow phones: every public page's CSS and script are sent
 * compressed (the build's Brotli and gzip copies, by Accept-Encoding) under
 * content-hashed names with a year-long cache lifetime, nothing unhashed is
 * kept that long, and every public page has a meta description of its own.
 * Needs the built assets (`node scripts/build-assets.mjs`, which `npm test`
 * runs first).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BUILT_ASSETS_DIR } from '../../src/paths.js';
import { AssetManifest } from '../../src/web/assetManifest.js';
import { metaDescription } from '../../src/web/routes/public/metaDescription.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { parsePage } from '../support/html.js';

const YEAR = 'public, max-age=31536000, immutable';
const MANIFEST = join(BUILT_ASSETS_DIR, 'manifest.json');

describe('assets and meta descriptions of the public pages', () => {
  let t: TestApp;
  let publicPaths: string[];

  beforeAll(async () => {
    if (!existsSync(MANIFEST)) {
      throw new Error(`No built assets in ${BUILT_ASSETS_DIR}: run \`node scripts/build-assets.mjs\` first.`);
    }
    t = await createTestApp('sqlite');
    // Every page the sitemap lists (courses, sessions, venues, trainers and
    // the three lists), and the hub's own pages.
    const sitemap = (await t.app.inject('/sitemap.xml')).body;
    const listed = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]!).pathname);
    publicPaths = [...listed, '/terms', '/privacy', '/accessibility'];
  });
  afterAll(() => t?.close());

  async function pageHead(path: string) {
    const response = await t.app.inject(path);
    expect(response.statusCode, path).toBe(200);
    const { document } = parsePage(response.body);
    return {
      description: document.querySelector('meta[name="description"]')?.getAttribute('content') ?? '',
      assets: [
        ...[...document.querySelectorAll('link[rel="stylesheet"]')].map((link) => link.getAttribute('href')!),
        ...[...document.querySelectorAll('script[src]')].map((script) => script.getAttribute('src')!),
      ],
    };
  }

  it('lists enough public pages to be worth checking', () => {
    for (const kind of ['/courses/', '/sessions/', '/venues/', '/trainers/']) {
      expect(publicPaths.some((path) => path.startsWith(kind))).toBe(true);
    }
  });

  it('gives every public page a meta description of its own words', async () => {
    const hub = await t.services.settings.hub();
    for (const path of publicPaths) {
      const { description } = await pageHead(path);
      expect(description.length, `${path} has a meta description`).toBeGreaterThan(20);
      expect(description.length, `${path}'s description is one line`).toBeLessThanOrEqual(160);
      // The strapline is the catalogue's; any other page has its own.
      if (path !== '/courses') expect(description, path).not.toBe(hub.strapline);
    }
    expect((await pageHead('/courses')).description).toBe(hub.strapline);

    const session = publicPaths.find((path) => path.startsWith('/sessions/'))!;
    const sessionId = Number(session.split('/')[2]);
    const { summary } = await t.database.db
      .selectFrom('sessions')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('sessions.id', '=', sessionId)
      .select('courses.summary')
      .executeTakeFirstOrThrow();
    expect((await pageHead(session)).description).toBe(metaDescription(summary));
    expect(summary.startsWith(metaDescription(summary).replace(/…$/, ''))).toBe(true);
  });

  it('sends every public page’s CSS and script compressed, hashed and kept a year', async () => {
    const assets = new Set<string>();
    for (const path of publicPaths) {
      const head = await pageHead(path);
      expect(head.assets.length, path).toBe(3);
      for (const asset of head.assets) assets.add(asset);
    }
    // The same three files on every page: trellis.css, the brand colours and app.js.
    expect(assets.size).toBe(3);
    for (const asset of assets) {
      expect(asset, 'a name that changes with its content').toMatch(
        /^\/assets\/(brand\/[0-9a-f]{6}\.css|[\w.-]+\.[0-9a-f]{10}\.(css|js))$/,
      );
      const plain = await t.app.inject({ url: asset, headers: { 'accept-encoding': 'identity' } });
      expect(plain.statusCode, asset).toBe(200);
      expect(plain.headers['cache-control'], asset).toBe(YEAR);
      if (asset.startsWith('/assets/brand/')) {
        // A few dozen bytes, made per request: nothing to gain by compressing.
        expect(plain.body).toMatch(/^:root\{--trellis-brand:#[0-9a-f]{6};--trellis-on-brand:#[0-9a-f]{6}\}/);
        continue;
      }
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.headers.vary).toContain('Accept-Encoding');

      const brotli = await t.app.inject({
        url: asset,
        headers: { 'accept-encoding': 'gzip, deflate, br, zstd' },
      });
      expect(brotli.headers['content-encoding'], asset).toBe('br');
      expect(brotli.headers['cache-control']).toBe(YEAR);
      expect(brotli.headers['content-type']).toMatch(asset.endsWith('.css') ? /^text\/css/ : /javascript/);
      expect(brotliDecompressSync(brotli.rawPayload).equals(plain.rawPayload)).toBe(true);
      expect(brotli.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);

      const gzip = await t.app.inject({ url: asset, headers: { 'accept-encoding': 'gzip' } });
      expect(gzip.headers['content-encoding'], asset).toBe('gzip');
      expect(gunzipSync(gzip.rawPayload).equals(plain.rawPayload)).toBe(true);
    }
  });

  it('keeps nothing a year that is not named by its content, and does not serve the manifest', async () => {
    const logo = await t.app.inject('/assets/logo.svg');
    expect(logo.statusCode).toBe(200);
    expect(logo.headers['cache-control']).not.toContain('immutable');
    expect(logo.headers['cache-control']).not.toContain('31536000');
    expect((await t.app.inject('/assets/manifest.json')).statusCode).toBe(404);
    expect((await t.app.inject('/assets/trellis.0123456789.css')).statusCode).toBe(404);
    // The header's logo is the hashed copy, kept a year like the CSS.
    const { document } = parsePage((await t.app.inject('/courses')).body);
    const logoSrc = document.querySelector('.trellis-header__logo')?.getAttribute('src') ?? '';
    expect(logoSrc).toMatch(/^\/assets\/logo\.[0-9a-f]{10}\.svg$/);
    expect((await t.app.inject(logoSrc)).headers['cache-control']).toBe(YEAR);
  });

  it('serves the hub’s colours at an address naming the colour, and a 404 for anything else there', async () => {
    await t.services.settings.updateHub({ brandColour: '#FFDD00' });
    const { assets } = await pageHead('/terms');
    expect(assets).toContain('/assets/brand/ffdd00.css');
    const css = await t.app.inject('/assets/brand/ffdd00.css');
    expect(css.body).toBe(':root{--trellis-brand:#ffdd00;--trellis-on-brand:#0b0c0c}\n');
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    for (const wrong of ['/assets/brand/red.css', '/assets/brand/ffdd00', '/assets/brand/FFDD00.css']) {
      expect((await t.app.inject(wrong)).statusCode, wrong).toBe(404);
    }
  });
});

describe('AssetManifest', () => {
  it('gives hashed addresses from the manifest, and says plainly when there is none', () => {
    const built = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
    const manifest = new AssetManifest(BUILT_ASSETS_DIR);
    expect(manifest.url('trellis.css')).toBe(`/assets/${built['trellis.css']}`);
    expect(manifest.url('/assets/logo.svg')).toBe(`/assets/${built['logo.svg']}`);
    expect(manifest.url('/assets/a-hubs-own-logo.png')).toBe('/assets/a-hubs-own-logo.png');
    expect(manifest.isHashed(built['app.js']!)).toBe(true);
    expect(manifest.isHashed('logo.svg')).toBe(false);

    const empty = mkdtempSync(join(tmpdir(), 'trellis-no-assets-'));
    try {
      const messages: string[] = [];
      const missing = new AssetManifest(empty, {
        watch: false,
        onMissing: (message) => messages.push(message),
      });
      expect(missing.built).toBe(false);
      expect(missing.url('trellis.css')).toBe('/assets/trellis.css');
      expect(messages).toEqual([expect.stringContaining('run `npm run build`')]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
