/**
 * Renders an email's two versions from its Nunjucks templates in
 * `templates/`: `<name>.html.njk` with autoescaping on, and `<name>.txt.njk`
 * with it off (plain text has nothing to escape, and `&lt;` would show as is).
 *
 * The text version is safe without escaping because every value reaches the
 * templates cleaned first (see `cleanValues`): no control characters, so a
 * name or title cannot add lines of its own or smuggle a header-like line,
 * and no bidirectional overrides, so it cannot disguise a link. Values are
 * data, never template source.
 */
import { join } from 'node:path';

import nunjucks from 'nunjucks';

import { PROJECT_ROOT } from '../paths.js';
import type { HubFacts } from './message.js';

/** Beside the source, like the page views, so the compiled build finds them too. */
export const EMAIL_TEMPLATES_DIR = join(PROJECT_ROOT, 'src', 'emails', 'templates');

const loader = new nunjucks.FileSystemLoader(EMAIL_TEMPLATES_DIR, { noCache: false, watch: false });
const common = { throwOnUndefined: true, trimBlocks: true, lstripBlocks: true };

const htmlEnvironment = new nunjucks.Environment(loader, { ...common, autoescape: true });
const textEnvironment = new nunjucks.Environment(loader, { ...common, autoescape: false });

/** What every email's layout needs; each message adds its own facts. */
export interface EmailView {
  hub: HubFacts;
  subject: string;
  /** The heading at the top of the email. */
  heading: string;
  /** Finishes "You are getting this email because …" (no full stop). */
  reason: string;
  [fact: string]: unknown;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/**
 * Inline styles for the HTML version (email clients drop style sheets):
 * GOV.UK-like type and colours, all text at 4.5:1 contrast or more.
 */
const STYLES = {
  body: 'margin:0;padding:0;background-color:#ffffff;color:#0b0c0c;font-family:Arial,Helvetica,sans-serif;font-size:19px;line-height:1.45;',
  article: 'max-width:640px;margin:0 auto;padding:16px;',
  masthead:
    'margin:0 0 24px;padding:0 0 8px;border-bottom:4px solid #0b0c0c;font-size:19px;font-weight:bold;',
  h1: 'margin:0 0 24px;font-size:32px;line-height:1.2;',
  h2: 'margin:32px 0 16px;font-size:24px;line-height:1.25;',
  p: 'margin:0 0 16px;',
  small: 'margin:0 0 16px;font-size:16px;',
  panel: 'margin:0 0 24px;padding:16px;border-left:5px solid #1d70b8;background-color:#f3f2f1;',
  a: 'color:#1d70b8;text-decoration:underline;',
  rule: 'border:0;border-top:1px solid #b1b4b6;margin:32px 0 16px;',
};

export function renderEmail(name: string, view: EmailView): RenderedEmail {
  const context = { ...(cleanValues(view) as EmailView), s: STYLES };
  return {
    subject: context.subject,
    html: htmlEnvironment.render(`${name}.html.njk`, context),
    text: tidyText(textEnvironment.render(`${name}.txt.njk`, context)),
  };
}

// C0 and C1 controls (line breaks and tabs included), line and paragraph
// separators, and the bidirectional embedding, override and isolate marks.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;

/** What `cleanLine` would change: an unsafe character, two spaces together, or space at either end. */
// eslint-disable-next-line no-control-regex
const NEEDS_CLEANING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]| {2}|^\s|\s$/;

/** One line of plain text: control characters become spaces, runs of spaces one. */
export function cleanLine(value: string): string {
  // Nearly every value is clean already, and is then returned as it is rather than copied
  // three times: a booking rush renders an email per booking while it holds the session.
  if (!NEEDS_CLEANING.test(value)) return value;
  return value.replace(UNSAFE_CHARACTERS, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Every string in the view made one clean line. Multi-line text is passed as an array of paragraphs. */
export function cleanValues(value: unknown): unknown {
  if (typeof value === 'string') return cleanLine(value);
  if (Array.isArray(value)) return value.map(cleanValues);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const cleaned: Record<string, unknown> = {};
    for (const key of Object.keys(value)) cleaned[key] = cleanValues((value as Record<string, unknown>)[key]);
    return cleaned;
  }
  return value;
}

/** No space at the end of any line, no more than one blank line in a row, one line break at the end. */
function tidyText(text: string): string {
  return `${text
    .replace(/[^\S\n]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
