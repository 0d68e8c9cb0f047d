/**
 * Rich text (course descriptions, notes, biographies) is Markdown written by
 * hub staff. It is rendered with raw HTML switched off and then sanitised, so
 * even a staff account cannot put a script on a public page.
 */
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: true, breaks: false });

const GOVUK_CLASSES: Record<string, string> = {
  p: 'govuk-body',
  ul: 'govuk-list govuk-list--bullet',
  ol: 'govuk-list govuk-list--number',
  h2: 'govuk-heading-m',
  h3: 'govuk-heading-s',
  h4: 'govuk-heading-s',
  a: 'govuk-link',
  blockquote: 'govuk-inset-text',
};

const SANITISE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'strong',
    'em',
    'ul',
    'ol',
    'li',
    'a',
    'h2',
    'h3',
    'h4',
    'blockquote',
    'code',
    'hr',
  ],
  allowedAttributes: { a: ['href'], '*': ['class'] },
  allowedSchemes: ['https', 'http', 'mailto', 'tel'],
  // Headings in content sit below the page's own h1 and section h2s.
  transformTags: {
    h1: () => ({ tagName: 'h2', attribs: { class: 'govuk-heading-m' } }),
    ...Object.fromEntries(
      Object.entries(GOVUK_CLASSES).map(([tag, className]) => [
        tag,
        (tagName: string, attribs: sanitizeHtml.Attributes) => ({
          tagName,
          attribs: { ...attribs, class: className },
        }),
      ]),
    ),
  },
  allowedClasses: { '*': Object.values(GOVUK_CLASSES).flatMap((c) => c.split(' ')) },
};

// Pages show the same few texts again and again; rendering once saves most
// of a page's cost. The cache is bounded so edited texts do not pile up.
const cache = new Map<string, string>();
const CACHE_LIMIT = 2_000;

export function renderMarkdown(text: string | null | undefined): string {
  if (!text) return '';
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const html = sanitizeHtml(markdown.render(text), SANITISE);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(text, html);
  return html;
}
