import { describe, expect, inject, it } from 'vitest';
import { useE2E, axeViolations, describeViolations, horizontalOverflow } from './support.js';

describe.runIf(inject('chromiumAvailable'))('smoke', () => {
  const e2e = useE2E();
  it('loads', async () => {
    const { page, problems } = await e2e.newPage({ javaScriptEnabled: false });
    let t = Date.now();
    await page.goto(e2e.url('/courses'));
    console.log('goto', Date.now() - t); t = Date.now();
    console.log(await Promise.race([page.evaluate('1+1'), new Promise((r) => setTimeout(() => r('timeout'), 3000))]));
    console.log(await page.locator('h1').textContent());
    console.log(await Promise.race([page.locator('h1').evaluate((e) => e.textContent), new Promise((r) => setTimeout(() => r('timeout'), 3000))]));
    console.log(await Promise.race([horizontalOverflow(page), new Promise((r) => setTimeout(() => r('timeout'), 3000))]));
    const p2 = await e2e.newPage();
    t = Date.now();
    await p2.page.goto(e2e.url('/courses'));
    console.log('goto', Date.now() - t); t = Date.now();
    const v = await axeViolations(p2.page);
    console.log('axe', Date.now() - t, describeViolations(v));
    console.log(problems);
    expect(1).toBe(1);
  }, 60000);
});
