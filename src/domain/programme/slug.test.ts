import { describe, expect, it } from 'vitest';

import { SLUG_BASE_LIMIT, slugify, uniqueSlug } from './slug.js';

describe('slugify', () => {
  it('makes a readable address from a title', () => {
    expect(slugify('Trauma Informed Co-Production')).toBe('trauma-informed-co-production');
    expect(slugify('  Safeguarding: Level 2 (refresher)  ')).toBe('safeguarding-level-2-refresher');
  });

  it('keeps words whole across apostrophes, accents and ampersands', () => {
    expect(slugify('Children’s voices & Café conversations')).toBe('childrens-voices-and-cafe-conversations');
    expect(slugify("Working with children's services")).toBe('working-with-childrens-services');
  });

  it('falls back when nothing readable is left', () => {
    expect(slugify('!!! ???', 'course')).toBe('course');
    expect(slugify('中文', 'venue')).toBe('venue');
  });

  it('is never longer than the limit and never ends with a hyphen', () => {
    const slug = slugify(`${'a'.repeat(SLUG_BASE_LIMIT - 1)} b c d`);
    expect(slug.length).toBeLessThanOrEqual(SLUG_BASE_LIMIT);
    expect(slug.endsWith('-')).toBe(false);
  });
});

describe('uniqueSlug', () => {
  it('keeps the base when it is free', () => {
    expect(uniqueSlug('think-family', ['other'])).toBe('think-family');
  });

  it('appends -2, -3… to the first free number', () => {
    expect(uniqueSlug('think-family', ['think-family'])).toBe('think-family-2');
    expect(uniqueSlug('think-family', ['think-family', 'think-family-2', 'think-family-4'])).toBe(
      'think-family-3',
    );
  });
});
