import { describe, expect, inject, it } from 'vitest';
import {
  useE2E,
  visit,
  expectNoPageProblems,
  axeViolations,
  describeViolations,
  horizontalOverflow,
} from './support.js';

describe.runIf(inject('chromiumAvailable'))('smoke', () => {
  const e2e = useE2E();
  it('loads', async () => {
    for (const js of [true, false]) {
      const { page, problems } = await e2e.newPage({ javaScriptEnabled: js });
      for (const path of [
        '/courses',
        '/courses?month=2026-13',
        '/sessions/1',
        '/sessions/14',
        '/sessions/19',
        '/sessions/19/book',
        '/courses/trauma-informed-co-production',
        '/venues',
        '/venues/westgate-collaboration-space',
        '/trainers',
        '/trainers/lisa-cherry',
        '/terms',
        '/privacy',
        '/accessibility',
        '/sessions/999999',
      ]) {
        const r = await page.goto(e2e.url(path));
        const v = await axeViolations(page).catch((e) => {
          console.log('axe failed', String(e));
          return [];
        });
        console.log(
          js,
          path,
          r?.status(),
          await page.evaluate('document.body.className'),
          describeViolations(v),
        );
        await page.setViewportSize({ width: 320, height: 640 });
        const v2 = await axeViolations(page).catch(() => []);
        console.log('  mobile', JSON.stringify(await horizontalOverflow(page)), describeViolations(v2));
        await page.setViewportSize({ width: 1280, height: 900 });
      }
      console.log(problems);
    }
    expect(1).toBe(1);
  }, 120000);
});
