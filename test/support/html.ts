/** Reading pages in tests the way a person reads them: as text and links. */
import { parseHTML } from 'linkedom';

export function parsePage(html: string) {
  const { document } = parseHTML(html);
  const text = (selector = 'main') => normalise(document.querySelector(selector)?.textContent ?? '');
  return {
    document,
    /** The visible text of `main` (or another element), with white space folded. */
    text,
    h1: () => normalise(document.querySelector('h1')?.textContent ?? ''),
    links: (selector = 'main a') =>
      [...document.querySelectorAll(selector)].map((a) => ({
        text: normalise(a.textContent ?? ''),
        href: a.getAttribute('href') ?? '',
      })),
    listItems: (selector: string) =>
      [...document.querySelectorAll(selector)].map((li) => normalise(li.textContent ?? '')),
  };
}

export function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
