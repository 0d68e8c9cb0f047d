/**
 * Slugs: the readable part of a public address (/courses/safer-recruitment).
 * Made once from a title or name and then kept, so links already shared, printed
 * or bookmarked keep working when the title is reworded.
 */

/** The longest slug made from a title, leaving room for "-2", "-3"… within the 120 that addresses accept. */
export const SLUG_BASE_LIMIT = 100;

/** "Trauma-Informed Co-Production: Level 2" → "trauma-informed-co-production-level-2". */
export function slugify(text: string, fallback = 'item'): string {
  const slug = text
    .normalize('NFKD')
    // Accents fall away ("Café" → "cafe"); apostrophes join words ("children’s" → "childrens").
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’‘`]/g, '')
    .replace(/&/g, ' and ')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const cut = slug.slice(0, SLUG_BASE_LIMIT).replace(/-+$/g, '');
  return cut || fallback;
}

/** `base` if no one has it, otherwise the first of base-2, base-3… that is free. */
export function uniqueSlug(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n += 1) {
    const candidate = `${base}-${n}`;
    if (!used.has(candidate)) return candidate;
  }
}
