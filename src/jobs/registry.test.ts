import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { describeCadence } from './cadence.js';
import { JOBS } from './registry.js';

describe('the job registry', () => {
  it('names each job once', () => {
    expect(new Set(JOBS.map((job) => job.name)).size).toBe(JOBS.length);
  });

  it('is what docs/ARCHITECTURE.md describes: each job by name, with its cadence', () => {
    const docs = readFileSync(new URL('../../docs/ARCHITECTURE.md', import.meta.url), 'utf8');
    const listed = [...docs.matchAll(/^ {2}- `([a-z-]+)`: ([^.(\n]+)/gm)].map(([, name, cadence]) => [
      name,
      cadence?.trim(),
    ]);
    expect(listed).toEqual(JOBS.map((job) => [job.name, describeCadence(job.cadence)]));
  });
});
