/**
 * Reads the catalogue's query string. A value that cannot be used is dropped
 * and reported, so the visitor still sees results and is told what to change
 * (the route answers 400 in that case).
 */
import { z } from 'zod';

import { COURSE_LEVELS, FORMAT_FILTERS } from '../../../domain/programme/course.js';
import { isMonthKey } from '../../../domain/time/time.js';
import type { CatalogueQuery } from '../../../services/programme/catalogueService.js';

export const MAX_SEARCH_LENGTH = 200;
const MAX_WORDS = 12;
const SLUG = /^[a-z0-9-]{1,80}$/;

export interface CatalogueForm {
  /** What the visitor typed, to put back in the form. */
  q: string;
  month: string;
  topic: string;
  audience: string;
  level: string;
  format: string;
  venue: string;
  places: boolean;
}

export interface ParsedCatalogueQuery {
  query: CatalogueQuery;
  form: CatalogueForm;
  /** Field name → what was wrong and how to fix it. */
  errors: Record<string, string>;
}

const single = z.union([z.string(), z.array(z.string())]).optional();

const fields = {
  q: z
    .string()
    .max(MAX_SEARCH_LENGTH, `Search words must be ${MAX_SEARCH_LENGTH} characters or fewer`)
    // eslint-disable-next-line no-control-regex
    .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'Search with letters and numbers only'),
  month: z.string().refine(isMonthKey, 'Choose a month from the list, or write it like 2026-03'),
  topic: z.string().regex(SLUG, 'Choose a topic from the list'),
  audience: z.string().regex(SLUG, 'Choose who the course is for from the list'),
  level: z.enum(COURSE_LEVELS, { error: 'Choose a level from the list' }),
  format: z.enum(FORMAT_FILTERS, { error: 'Choose in person or online' }),
  venue: z.string().regex(SLUG, 'Choose a venue from the list'),
  page: z.coerce
    .number({ error: 'The page number must be a whole number, 1 or more' })
    .int('The page number must be a whole number, 1 or more')
    .min(1, 'The page number must be a whole number, 1 or more')
    .max(10_000, 'There are not that many pages'),
} as const;

type FieldName = keyof typeof fields;

export function parseCatalogueQuery(raw: unknown): ParsedCatalogueQuery {
  const input = z
    .record(z.string(), single)
    .catch({})
    .parse(raw ?? {});
  const errors: Record<string, string> = {};
  const values: Partial<Record<FieldName, unknown>> = {};

  for (const name of Object.keys(fields) as FieldName[]) {
    const given = input[name];
    if (given === undefined || given === '') continue;
    if (Array.isArray(given)) {
      errors[name] = `Choose only one ${name === 'q' ? 'search' : name}`;
      continue;
    }
    const result = fields[name].safeParse(name === 'q' ? given : given.trim());
    if (result.success) values[name] = result.data;
    else errors[name] = result.error.issues[0]?.message ?? 'This value cannot be used';
  }

  const typed = typeof input.q === 'string' ? input.q : '';
  const q = typeof values.q === 'string' ? values.q : '';
  const words = q
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word.length > 0)
    .slice(0, MAX_WORDS);
  const places = input.places === '1' || input.places === 'yes' || input.places === 'on';

  const query: CatalogueQuery = {
    words,
    withPlacesOnly: places,
    page: (values.page as number | undefined) ?? 1,
    ...(values.month ? { month: values.month as string } : {}),
    ...(values.topic ? { topic: values.topic as string } : {}),
    ...(values.audience ? { audience: values.audience as string } : {}),
    ...(values.level ? { level: values.level as CatalogueQuery['level'] & string } : {}),
    ...(values.format ? { format: values.format as CatalogueQuery['format'] & string } : {}),
    ...(values.venue ? { venue: values.venue as string } : {}),
  };
  const text = (name: FieldName) => (typeof input[name] === 'string' ? (input[name] as string) : '');
  return {
    query,
    errors,
    form: {
      q: typed.slice(0, MAX_SEARCH_LENGTH),
      month: errors.month ? '' : text('month'),
      topic: errors.topic ? '' : text('topic'),
      audience: errors.audience ? '' : text('audience'),
      level: errors.level ? '' : text('level'),
      format: errors.format ? '' : text('format'),
      venue: errors.venue ? '' : text('venue'),
      places,
    },
  };
}

/** The query string for the same search on another page (or with a filter removed). */
export function catalogueHref(
  form: CatalogueForm,
  changes: Partial<CatalogueForm> & { page?: number } = {},
): string {
  const merged = { ...form, ...changes };
  const params = new URLSearchParams();
  if (merged.q) params.set('q', merged.q);
  for (const key of ['month', 'topic', 'audience', 'level', 'format', 'venue'] as const) {
    if (merged[key]) params.set(key, merged[key]);
  }
  if (merged.places) params.set('places', '1');
  if (changes.page && changes.page > 1) params.set('page', String(changes.page));
  const text = params.toString();
  return text ? `/courses?${text}` : '/courses';
}
