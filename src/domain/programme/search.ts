/**
 * What a visitor's search words mean to the catalogue's full-text search.
 *
 * Hubs and visitors spell the same idea in different ways: "co-production",
 * "coproduction" and "co production"; "trauma-informed" and "trauma informed".
 * A word typed with a hyphen (or any other mark inside it) is looked for both
 * joined up and as its parts side by side, and the index holds a hyphenated
 * word both ways too (see migration 010), so each spelling finds the others.
 *
 * Only letters and digits reach the database, so nothing typed can be read as
 * search syntax, and words too common to mean anything are dropped on both
 * databases alike.
 */

/** A word to find: joined up ("coproduction") or, for a word typed with marks, its parts in order. */
export interface SearchTerm {
  joined: string;
  /** The word's parts ("co", "production"); one part for a plain word. */
  parts: string[];
}

/**
 * Words too common to search for: PostgreSQL's English list, which it drops
 * itself, dropped here so that SQLite finds the same sessions.
 */
const STOP_WORDS = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her ' +
    'hers herself it its itself they them their theirs themselves what which who whom this that these ' +
    'those am is are was were be been being have has had having do does did doing a an the and but if or ' +
    'because as until while of at by for with about against between into through during before after ' +
    'above below to from up down in out on off over under again further then once here there when where ' +
    'why how all any both each few more most other some such no nor not only own same so than too very s ' +
    't can will just don should now'
  ).split(' '),
);

/** The terms to search for, from the visitor's words; none when no word can be searched for. */
export function searchTerms(words: readonly string[]): SearchTerm[] {
  const terms = new Map<string, SearchTerm>();
  for (const word of words) {
    const parts = word
      .normalize('NFKC')
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((part) => part.length > 0);
    const joined = parts.join('');
    if (joined.length === 0 || STOP_WORDS.has(joined)) continue;
    // "and/or": parts that are all too common would find any text, so only the joined word counts.
    const meaningful = parts.some((part) => !STOP_WORDS.has(part));
    if (!terms.has(joined)) terms.set(joined, { joined, parts: meaningful ? parts : [joined] });
  }
  return [...terms.values()];
}
