import { describe, expect, it } from 'vitest';

import { catalogueHref, parseCatalogueQuery } from './catalogueQuery.js';

describe('parseCatalogueQuery', () => {
  it('reads every filter', () => {
    const parsed = parseCatalogueQuery({
      q: '  Trauma   CO-production ',
      month: '2026-03',
      topic: 'domestic-abuse',
      audience: 'health',
      level: 'foundation',
      format: 'online',
      venue: 'westgate-collaboration-space',
      places: '1',
      page: '2',
    });
    expect(parsed.errors).toEqual({});
    expect(parsed.query).toEqual({
      words: ['trauma', 'co-production'],
      month: '2026-03',
      topic: 'domestic-abuse',
      audience: 'health',
      level: 'foundation',
      format: 'online',
      venue: 'westgate-collaboration-space',
      withPlacesOnly: true,
      page: 2,
    });
  });

  it('drops and reports values it cannot use, keeping the rest', () => {
    const parsed = parseCatalogueQuery({ month: '2026-13', page: '-1', level: 'expert', topic: 'neglect' });
    expect(Object.keys(parsed.errors).sort()).toEqual(['level', 'month', 'page']);
    expect(parsed.errors.month).toMatch(/2026-03/);
    expect(parsed.query).toEqual({ words: [], withPlacesOnly: false, page: 1, topic: 'neglect' });
  });

  it('refuses a search of more than 200 characters but keeps the start of it in the form', () => {
    const parsed = parseCatalogueQuery({ q: 'a'.repeat(10_000) });
    expect(parsed.errors.q).toMatch(/200 characters/);
    expect(parsed.query.words).toEqual([]);
    expect(parsed.form.q).toHaveLength(200);
  });

  it('refuses repeated parameters and non-numeric pages', () => {
    const parsed = parseCatalogueQuery({ month: ['2026-01', '2026-02'], page: 'two' });
    expect(parsed.errors.month).toBeDefined();
    expect(parsed.errors.page).toBeDefined();
  });

  it('builds links that keep the search', () => {
    const { form } = parseCatalogueQuery({ q: 'abuse & neglect', format: 'online' });
    expect(catalogueHref(form, { page: 3 })).toBe('/courses?q=abuse+%26+neglect&format=online&page=3');
    expect(catalogueHref(form, { format: '' })).toBe('/courses?q=abuse+%26+neglect');
  });
});
