/**
 * Do the public pages look the same after a change to the CSS, the scripts
 * or the layout? This takes screenshots of the pages a delegate sees most
 * (the seed course's next session, the catalogue, and the booking page
 * signed in) at a phone's and a desktop's width, and compares two sets of
 * them pixel by pixel in Chromium. It also records every layout shift while
 * each page loads over a slow phone connection, with what moved.
 *
 *   node --import tsx bench/screenshots.ts shoot <out dir> [checkout dir]
 *   node --import tsx bench/screenshots.ts compare <before dir> <after dir> [diff dir]
 *
 * `shoot` runs Trellis from the checkout (default: this one; its assets
 * built with `node scripts/build-assets.mjs`) in production mode with a
 * fresh SQLite database holding the demo programme, so a "before" can be
 * shot from an old commit unpacked elsewhere (`git archive <commit> | tar -x
 * -C <dir>`, with node_modules linked in). `compare` prints, for each image,
 * how many pixels differ and writes an image of where (in red).
 *
 * The demo's dates follow today's date: shoot both sets on the same day.
 * SCREENSHOTS_HOLD_SECONDS=<n> keeps Trellis running n seconds before the
 * screenshots (its address printed), to run Lighthouse against it.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { chromium, type Browser, type Page } from 'playwright-core';

import type * as Db from '../src/data/db.js';
import type * as Migrations from '../src/data/migrations/index.js';
import type * as LoadDemo from '../src/demo/loadDemo.js';
import type * as Programme from '../src/demo/programme.js';
import type * as SeedDelegates from '../test/support/seedDelegates.js';
import {
  delay,
  freePort,
  REPOSITORY_ROOT,
  runBenchmark,
  startChild,
  stopChild,
  waitForHealth,
} from './support/processes.js';
import { firstVisit, printFirstVisit } from './support/wire.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Seconds to keep Trellis running before the screenshots, to point another tool at it. */
const HOLD_SECONDS = Number(process.env.SCREENSHOTS_HOLD_SECONDS ?? 0);
const WIDTHS = [375, 1280];
const SEED_COURSE = 'trauma-informed-co-production';
/** Roughly Lighthouse's slow 4G: 150 ms round trips, 1.6 Mbit/s down, 750 kbit/s up. */
const SLOW_PHONE = { latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 };

interface ShotPage {
  name: string;
  path: string;
  signedIn: boolean;
}

async function importFrom<T>(checkout: string, path: string): Promise<T> {
  return (await import(pathToFileURL(join(checkout, path)).href)) as T;
}

/** A fresh SQLite database with the demo programme and one signed-in delegate, made with the checkout's own code. */
async function prepareDatabase(checkout: string, databaseUrl: string): Promise<string> {
  const { openDatabase } = await importFrom<typeof Db>(checkout, 'src/data/db.ts');
  const { migrateToLatest } = await importFrom<typeof Migrations>(checkout, 'src/data/migrations/index.ts');
  const { loadDemoIfNew } = await importFrom<typeof LoadDemo>(checkout, 'src/demo/loadDemo.ts');
  const { demoProgramme } = await importFrom<typeof Programme>(checkout, 'src/demo/programme.ts');
  const { createSignedInDelegates } = await importFrom<typeof SeedDelegates>(
    checkout,
    'test/support/seedDelegates.ts',
  );
  const database = openDatabase(databaseUrl, { command: true });
  try {
    await migrateToLatest(database.db, database.dialect);
    await loadDemoIfNew(database.db, demoProgramme, new Date());
    const [delegate] = await createSignedInDelegates(database.db, new Date(), 1, 'screenshots');
    return delegate!.sessionSecret;
  } finally {
    await database.close();
  }
}

/** Every layout shift while the page loads, each with the elements that moved. */
async function layoutShifts(page: Page, url: string): Promise<{ score: number; shifts: unknown[] }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, ...SLOW_PHONE });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(1_000);
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  await cdp.detach();
  return page.evaluate<{ score: number; shifts: unknown[] }>(READ_LAYOUT_SHIFTS);
}

// Run in the page (as text: the benchmarks are compiled without the DOM's types).
const READ_LAYOUT_SHIFTS = `new Promise((resolveShifts) => {
  const shifts = [];
  let score = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.hadRecentInput) continue;
      score += entry.value;
      shifts.push({
        at: Math.round(entry.startTime),
        value: Number(entry.value.toFixed(4)),
        moved: entry.sources.map((source) => {
          const element = source.node instanceof Element ? source.node : source.node?.parentElement;
          return {
            element: element ? element.tagName.toLowerCase() + '.' + [...element.classList].join('.') : '?',
            from: [source.previousRect.y, source.previousRect.height].map(Math.round),
            to: [source.currentRect.y, source.currentRect.height].map(Math.round),
          };
        }),
      });
    }
  }).observe({ type: 'layout-shift', buffered: true });
  setTimeout(() => resolveShifts({ score: Number(score.toFixed(4)), shifts }), 100);
})`;

async function shoot(outDir: string, checkout: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const dataDir = await mkdtemp(join(os.tmpdir(), 'trellis-screenshots-'));
  let browser: Browser | undefined;
  try {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const databaseUrl = `sqlite:${join(dataDir, 'screenshots.sqlite')}`;
    const sessionSecret = await prepareDatabase(checkout, databaseUrl);
    const trellis = startChild('Trellis', ['--import', 'tsx', join(checkout, 'src', 'server.ts')], {
      ...process.env,
      NODE_ENV: 'production',
      SECRETS_KEY: '5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e',
      LOG_LEVEL: 'warn',
      PUBLIC_URL: baseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      DEMO_CONTENT: 'false',
      SESSION_SECRET: 'screenshots-only-secret-0123456789abcdef0123',
      SMTP_URL: 'smtp://127.0.0.1:9',
    });
    await waitForHealth(baseUrl, trellis, 60_000);

    const course = await (await fetch(`${baseUrl}/courses/${SEED_COURSE}`)).text();
    const sessionId = /href="\/sessions\/([^"/?#]+)"/.exec(course)?.[1];
    if (!sessionId) throw new Error(`no /sessions/<id> link on /courses/${SEED_COURSE}`);
    const pages: ShotPage[] = [
      { name: 'session', path: `/sessions/${sessionId}`, signedIn: false },
      { name: 'catalogue', path: '/courses', signedIn: false },
      { name: 'booking', path: `/sessions/${sessionId}/book`, signedIn: true },
    ];

    // What a first visit downloads, for comparison with the pictures.
    for (const shot of pages.filter((page) => !page.signedIn)) {
      printFirstVisit(`${shot.name} page, first visit`, await firstVisit(baseUrl + shot.path));
    }
    if (HOLD_SECONDS > 0) {
      console.log(
        `  Trellis stays at ${baseUrl}${pages[0]!.path} for ${HOLD_SECONDS} s (for Lighthouse, say)`,
      );
      await delay(HOLD_SECONDS * 1000);
    }

    browser = await chromium.launch({ executablePath: CHROMIUM });
    const report: Record<string, unknown> = {};
    for (const width of WIDTHS) {
      for (const shot of pages) {
        const context = await browser.newContext({ viewport: { width, height: 800 } });
        if (shot.signedIn) {
          await context.addCookies([{ name: 'trellis_session', value: sessionSecret, url: baseUrl }]);
        }
        const page = await context.newPage();
        const name = `${shot.name}-${width}`;
        report[name] = await layoutShifts(page, baseUrl + shot.path);
        await page.goto(baseUrl + shot.path, { waitUntil: 'networkidle' });
        await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true, animations: 'disabled' });
        await context.close();
        console.log(`  ${name}: ${shot.path}`);
      }
    }
    writeFileSync(join(outDir, 'layout-shifts.json'), JSON.stringify(report, null, 2) + '\n');
    for (const [name, result] of Object.entries(report)) {
      console.log(`  ${name}: layout shift ${(result as { score: number }).score}`);
    }
    await stopChild(trellis);
  } finally {
    await browser?.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Compares two PNGs in the browser: the count of differing pixels and an image marking them. */
async function compareImages(
  page: Page,
  before: Buffer,
  after: Buffer,
): Promise<{ width: number; height: number; sameSize: boolean; differing: number; diff: string }> {
  const urls = [before, after].map((png) => `data:image/png;base64,${png.toString('base64')}`);
  return page.evaluate(`(${COMPARE_IMAGES})(${JSON.stringify(urls)})`);
}

// Run in the page: unchanged pixels faded, changed ones red, so the change shows at a glance.
const COMPARE_IMAGES = `async ([beforeUrl, afterUrl]) => {
  const load = async (url) => {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    return context.getImageData(0, 0, canvas.width, canvas.height);
  };
  const [a, b] = await Promise.all([load(beforeUrl), load(afterUrl)]);
  const width = Math.max(a.width, b.width);
  const height = Math.max(a.height, b.height);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  const out = context.createImageData(width, height);
  let differing = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const inA = x < a.width && y < a.height;
      const inB = x < b.width && y < b.height;
      const ia = (y * a.width + x) * 4;
      const ib = (y * b.width + x) * 4;
      const same = inA && inB && a.data[ia] === b.data[ib] && a.data[ia + 1] === b.data[ib + 1] && a.data[ia + 2] === b.data[ib + 2];
      if (!same) differing++;
      const grey = inA ? Math.round((a.data[ia] + a.data[ia + 1] + a.data[ia + 2]) / 3) : 255;
      out.data[o] = same ? 200 + grey / 5 : 255;
      out.data[o + 1] = same ? 200 + grey / 5 : 0;
      out.data[o + 2] = same ? 200 + grey / 5 : 0;
      out.data[o + 3] = 255;
    }
  }
  context.putImageData(out, 0, 0);
  return {
    width,
    height,
    sameSize: a.width === b.width && a.height === b.height,
    differing,
    diff: canvas.toDataURL('image/png'),
  };
}`;

async function compare(beforeDir: string, afterDir: string, diffDir?: string): Promise<void> {
  if (diffDir) mkdirSync(diffDir, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  let changed = 0;
  try {
    const page = await browser.newPage();
    for (const file of readdirSync(beforeDir).filter((name) => name.endsWith('.png'))) {
      const result = await compareImages(
        page,
        readFileSync(join(beforeDir, file)),
        readFileSync(join(afterDir, file)),
      );
      const share = (100 * result.differing) / (result.width * result.height);
      console.log(
        `  ${file}: ${result.differing} of ${result.width}×${result.height} pixels differ (${share.toFixed(3)}%)` +
          (result.sameSize ? '' : ', sizes differ'),
      );
      if (result.differing > 0) changed++;
      if (diffDir && result.differing > 0) {
        writeFileSync(join(diffDir, file), Buffer.from(result.diff.split(',')[1]!, 'base64'));
      }
    }
  } finally {
    await browser.close();
  }
  console.log(changed === 0 ? 'SAME: every image identical' : `DIFFERENT: ${changed} image(s) changed`);
}

const [command, first, second, third] = process.argv.slice(2);
if (command === 'shoot' && first) {
  await runBenchmark(() => shoot(resolve(first), resolve(second ?? REPOSITORY_ROOT)), { budgetMs: 600_000 });
} else if (command === 'compare' && first && second) {
  await compare(resolve(first), resolve(second), third ? resolve(third) : undefined);
} else {
  console.error(
    'Usage: node --import tsx bench/screenshots.ts shoot <out dir> [checkout dir]\n' +
      '       node --import tsx bench/screenshots.ts compare <before dir> <after dir> [diff dir]',
  );
  process.exitCode = 2;
}
