import { AxeBuilder } from '@axe-core/playwright';
import { describe, expect, inject, it } from 'vitest';
import { useE2E, AXE_TAGS } from './support.js';

describe.runIf(inject('chromiumAvailable'))('smoke', () => {
  const e2e = useE2E();
  it('loads', async () => {
    const p2 = await e2e.newPage();
    for (const path of ['/courses', '/sessions/2', '/courses', '/sessions/2', '/terms']) {
      let t = Date.now();
      await p2.page.goto(e2e.url(path));
      console.log('goto', Date.now() - t); t = Date.now();
      await new AxeBuilder({ page: p2.page }).withTags(AXE_TAGS).analyze();
      console.log('axe', Date.now() - t); t = Date.now();
      await new AxeBuilder({ page: p2.page }).withTags(AXE_TAGS).options({ resultTypes: ['violations'] }).analyze();
      console.log('axe resultTypes', Date.now() - t);
    }
    expect(1).toBe(1);
  }, 60000);
});
