/**
 * A page's meta description: what search engines and link previews show
 * under its title. One line of the page's own words, cut at a word before
 * 160 characters (about what a results page shows) rather than mid-word.
 */
const LONGEST = 160;

export function metaDescription(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= LONGEST) return line;
  const cut = line.slice(0, LONGEST - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > LONGEST / 2 ? cut.slice(0, lastSpace) : cut).replace(/[\s,;:.–-]+$/, '')}…`;
}

/** "A, B and C" */
export function listInWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
