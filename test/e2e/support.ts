/**
 * Shared helpers for the browser tests: the real app on a fresh SQLite demo
 * database, listening on a free port, and one headless Chromium per test
 * file. Pages are checked with axe (WCAG 2.2 AA) and for console errors,
 * uncaught exceptions, content security policy violations and failed
 * requests.
 *
 * Every suite using these is declared with
 * `describe.runIf(inject('chromiumAvailable'))`, so a missing browser is
 * skipped locally (with globalSetup's notice) and fails in CI.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import type AxeCore from 'axe-core';
import { afterAll, beforeAll, expect, inject } from 'vitest';

import { BUILT_ASSETS_DIR } from '../../src/paths.js';
import { AXE_LOG_FILE } from '../support/axeRecord.js';
import type { Clock } from '../../src/services/clock.js';
import { createTestApp, type TestApp } from '../support/app.js';

type AxeResult = AxeCore.Result;

/**
 * How long a browser test may run before it counts as hung. A hang detector,
 * not a speed limit: journeys of forty pages take one to three minutes on a
 * quiet machine and several times that when the two cores are shared, and
 * a limit near their usual time only measured the machine's load.
 */
export const BROWSER_HANG_TIMEOUT = 600_000;

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** The smallest width WCAG 1.4.10 (reflow) asks a page to work at. */
export const MOBILE_VIEWPORT = { width: 320, height: 640 };
export const DESKTOP_VIEWPORT = { width: 1280, height: 900 };

export interface E2E {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  readonly browser: Browser;
  readonly testApp: TestApp;
  /** An absolute URL for a path on the app. */
  url(path: string): string;
  /**
   * A page in a context of its own, watched for problems. Closed (with its
   * context) after the file's tests.
   */
  newPage(options?: BrowserContextOptions): Promise<WatchedPage>;
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  problems: PageProblems;
}

/**
 * Starts the app and the browser before the file's tests and stops both
 * after them. Use inside the suite's `describe`.
 */
export function useE2E(options: { clock?: Clock } = {}): E2E {
  let testApp: TestApp | undefined;
  let browser: Browser | undefined;
  let baseUrl = '';
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // The test command builds the assets first; say so plainly if they are missing.
    if (!existsSync(join(BUILT_ASSETS_DIR, 'manifest.json'))) {
      throw new Error(
        `No built assets in ${BUILT_ASSETS_DIR}: run \`npm run build\` (or \`node scripts/build-assets.mjs\`) first.`,
      );
    }
    testApp = await createTestApp('sqlite', options.clock ? { clock: options.clock } : {});
    await testApp.app.listen({ host: '127.0.0.1', port: 0 });
    const address = testApp.app.server.address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${address.port}`;
    // One Chromium for the whole run (started by globalSetup); each file has its own contexts.
    browser = await chromium.connect(inject('chromiumEndpoint'));
  });

  afterAll(async () => {
    await Promise.allSettled(contexts.map((context) => context.close()));
    // Closes this file's connection, not the shared browser.
    await browser?.close();
    await testApp?.close();
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new Error(`${what} has not started: call useE2E() inside the describe block`);
    return value;
  };

  return {
    get baseUrl() {
      return started(baseUrl || undefined, 'the app');
    },
    get browser() {
      return started(browser, 'the browser');
    },
    get testApp() {
      return started(testApp, 'the app');
    },
    url(path: string) {
      return new URL(path, started(baseUrl || undefined, 'the app')).toString();
    },
    async newPage(options: BrowserContextOptions = {}) {
      const context = await started(browser, 'the browser').newContext({
        viewport: DESKTOP_VIEWPORT,
        ...options,
      });
      contexts.push(context);
      const page = await context.newPage();
      return { page, context, problems: watchPage(page) };
    },
  };
}

/** What went wrong in a page while it was open, as readable lines. */
export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  cspViolations: string[];
  failedRequests: string[];
  /** Forgets what has been seen so far (say, after an expected error). */
  clear(): void;
}

/**
 * Records console errors, uncaught exceptions, content security policy
 * violations and failed sub-resource requests. A page's own document may
 * answer 400 or 404 on purpose (tests check the status themselves), so only
 * sub-resources (CSS, scripts, images) count as failed requests.
 */
export function watchPage(page: Page): PageProblems {
  const problems: PageProblems = {
    consoleErrors: [],
    pageErrors: [],
    cspViolations: [],
    failedRequests: [],
    clear() {
      this.consoleErrors.length = 0;
      this.pageErrors.length = 0;
      this.cspViolations.length = 0;
      this.failedRequests.length = 0;
    },
  };
  const documentErrors = new Set<string>();

  page.on('response', (response) => {
    const request = response.request();
    if (response.status() < 400) return;
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
      documentErrors.add(response.url());
    } else {
      problems.failedRequests.push(`${response.status()} ${request.method()} ${response.url()}`);
    }
  });
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? 'failed';
    // A download link (.ics) or a navigation away cancels a request: not a fault.
    if (reason === 'net::ERR_ABORTED') return;
    problems.failedRequests.push(`${reason} ${request.method()} ${request.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const where = message.location().url;
    if (/Content Security Policy/i.test(text)) {
      problems.cspViolations.push(text);
      return;
    }
    // Chrome logs the 400/404 of the page's own document; that is the test's to check.
    if (text.startsWith('Failed to load resource') && documentErrors.has(where)) return;
    problems.consoleErrors.push(where ? `${text} (${where})` : text);
  });
  page.on('pageerror', (error) => {
    problems.pageErrors.push(error.stack ?? error.message);
  });
  return problems;
}

/** Fails listing every console error, exception, CSP violation and failed request. */
export function expectNoPageProblems(problems: PageProblems, where = 'the page'): void {
  const lines = [
    ...problems.cspViolations.map((text) => `CSP violation: ${text}`),
    ...problems.pageErrors.map((text) => `Uncaught exception: ${text}`),
    ...problems.consoleErrors.map((text) => `Console error: ${text}`),
    ...problems.failedRequests.map((text) => `Failed request: ${text}`),
  ];
  expect(lines, `Problems in ${where}:\n${lines.join('\n')}`).toEqual([]);
}

/**
 * axe-core's own script, read once per test file, and put into a page by
 * `axeViolations` when a check is due.
 *
 * Why then, not with every document (an init script, as before): axe runs
 * once per page structure in a run (`expectNoAxeViolationsOnce`), so most
 * documents are never checked, yet an init script made Chromium compile and
 * run axe's 560 KB in each of them. Measured on Trellis's pages (the loaded
 * two-core machine, 30 navigations each way): a navigation took 182 ms of
 * Chromium's processor time without it and 278 ms with it, while a check
 * that sends the script first took 1,026 ms against 984 ms with it already
 * loaded. A run has about 425 checks and several times as many documents.
 *
 * Why not @axe-core/playwright's AxeBuilder: it also sends the source
 * before every check, and it runs axe on every call, where these helpers
 * skip a structure already checked.
 */
let axeScript: string | undefined;
export function axeSource(): string {
  axeScript ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return axeScript;
}

/**
 * Runs axe (WCAG 2.0, 2.1 and 2.2, A and AA) on the page as it is now, in
 * the page itself (Trellis's pages have no frames, and the content security
 * policy allows no other origin). axe's script is put into the document
 * first unless it is there already (a second check of the same document);
 * an evaluated script is not subject to the page's content security policy.
 */
export async function axeViolations(page: Page): Promise<AxeResult[]> {
  // In the page: its `window` and `document` (this project's TypeScript has no DOM types).
  type InPage = { axe?: typeof AxeCore; document: AxeCore.ElementContext };
  const loaded = await page.evaluate(() => typeof (globalThis as unknown as InPage).axe === 'object');
  if (!loaded) await page.evaluate(axeSource());
  return page.evaluate(async (tags) => {
    const { axe, document } = globalThis as unknown as Required<InPage>;
    const results = await axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return results.violations;
  }, AXE_TAGS);
}

export function describeViolations(violations: AxeResult[]): string {
  return violations
    .map((violation) => {
      const targets = violation.nodes
        .map(
          (node) =>
            `    - ${node.target.map(String).join(' ')}${node.failureSummary ? `\n      ${node.failureSummary.replace(/\n/g, '\n      ')}` : ''}`,
        )
        .join('\n');
      return `  [${violation.impact ?? 'unknown'}] ${violation.id}: ${violation.help}\n    ${violation.helpUrl}\n${targets}`;
    })
    .join('\n');
}

/**
 * Runs axe on the page now, failing with a readable list of violations: rule,
 * help and the elements at fault. For a check inside `expectNoAxeViolationsOnce`.
 */
export async function expectAxeFindsNothing(page: Page, label: string): Promise<void> {
  const violations = await axeViolations(page);
  expect(
    violations.map((violation) => violation.id),
    `axe found ${violations.length} accessibility ${violations.length === 1 ? 'violation' : 'violations'} on ${label}:\n${describeViolations(violations)}`,
  ).toEqual([]);
}

/**
 * Checks the page with axe, unless a page of the same structure (its
 * `pageStructure`) has already passed axe in this test run.
 *
 * Why: axe was three quarters of the browser tests' time, and most of it
 * checked the same pages again (the same form, list or confirmation, reached
 * in a dozen journeys with other names and numbers in it). axe's rules look
 * at elements, roles, attributes, which elements have text, the styles and
 * the window's size, not at which words or numbers are shown, so a page of
 * the same structure gets the same result. A page differing in any of those
 * ways is still checked. Page problems (console errors, CSP) are not cached:
 * callers check them on every page.
 */
export async function expectNoAxeViolations(page: Page, where?: string): Promise<void> {
  const label = where ?? new URL(page.url()).pathname + new URL(page.url()).search;
  await expectNoAxeViolationsOnce(page, label, async () => {
    await expectAxeFindsNothing(page, label);
  });
}

/**
 * Checks with axe a page seen without JavaScript, in a scriptless twin (a
 * page whose app script is removed: see `withoutAppScripts`) that
 * `showInTwin` loads with the same page and returns, unless a page of the
 * seen page's structure has already passed this way in this run.
 *
 * Why: the twin's load is about half of such a check, and in a whole run
 * most pages seen without JavaScript have been checked already (journeys in
 * accountSupport.ts share the record), so the twin is loaded only when a
 * check is due. `kind` keeps apart twins checked in more ways than one.
 */
export async function expectScriptlessTwinPasses(
  seen: Page,
  label: string,
  showInTwin: () => Promise<Page>,
  kind = 'scriptless twin',
): Promise<void> {
  await expectNoAxeViolationsOnce(
    seen,
    label,
    async () => expectAxeFindsNothing(await showInTwin(), label),
    kind,
  );
}

/**
 * As expectScriptlessTwinPasses, for a walk that keeps its twin beside the
 * visitor: when a check is due, loads `url` (the address the visitor is on)
 * in the twin, and then fails on the twin's own page problems too.
 */
export async function expectTwinOfPagePasses(
  seen: Page,
  twin: WatchedPage | null,
  url: string,
  label: string,
): Promise<void> {
  if (!twin) throw new Error('no scriptless page to check with axe');
  await expectScriptlessTwinPasses(seen, label, async () => {
    await twin.page.goto(url, { waitUntil: 'load' });
    return twin.page;
  });
  expectNoPageProblems(twin.problems, label);
}

/**
 * The memory of page structures that passed axe in this run: one empty file
 * per structure in a directory globalSetup makes, so parallel test files
 * share it. A structure is written only once axe has passed it; a page that
 * fails is checked (and fails) on every visit.
 */
function passedDirectory(): string | null {
  // Setting TRELLIS_AXE_EVERY_PAGE=true runs axe on every visit, for comparing.
  if (process.env.TRELLIS_AXE_EVERY_PAGE === 'true') return null;
  return inject('axePassedDirectory') || null;
}

/**
 * Runs `check` (an axe check of `seen`, or of a scriptless twin showing the
 * HTML `seen` got) unless a page of the same structure already passed.
 * `kind` keeps apart structures checked in different ways (say, a page
 * without JavaScript checked through its twin).
 */
export async function expectNoAxeViolationsOnce(
  seen: Page,
  where: string,
  check: () => Promise<void>,
  kind = 'as shown',
): Promise<void> {
  const directory = passedDirectory();
  if (!directory) {
    await check();
    return;
  }
  const structure = createHash('sha256')
    .update(`${AXE_CONFIGURATION}\n${kind}\n${await pageStructure(seen)}`)
    .digest('hex');
  const record = join(directory, structure);
  if (existsSync(record)) {
    appendFileSync(join(directory, AXE_LOG_FILE), `skipped\t${where}\n`);
    return;
  }
  await check();
  // 'wx': another test file may have checked the same structure at the same time.
  try {
    writeFileSync(record, `${where}\n`, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  appendFileSync(join(directory, AXE_LOG_FILE), `checked\t${where}\n`);
}

/** What axe is asked to do: a structure that passed other rules has not passed these. */
const AXE_CONFIGURATION = JSON.stringify({
  axe: (createRequire(import.meta.url)('axe-core/package.json') as { version: string }).version,
  tags: AXE_TAGS,
});

/**
 * The page's structure as far as axe can see it, as one string built in the
 * page (where JavaScript off only stops the page's own scripts):
 * - every element, nested, with its tag, whether it has text of its own, and
 *   whether it has focus (focus changes how it is drawn); a run of identical
 *   siblings counts as one or as "two or more", so a list of 5 sessions is
 *   the same as one of 9 (siblings with ids of their own differ, so never collapse);
 * - every attribute: ids and the attributes referring to ids (for,
 *   aria-describedby, href="#…") renamed in order of first appearance, so
 *   a slug or number in an id does not matter but which element points to
 *   which still does; attributes holding words, addresses or numbers
 *   (href, value, alt, title, aria-label…) only as empty or not, which is what
 *   axe asks of them; data-* attributes (for the app's scripts) by name; any
 *   other value (class, role, type, autocomplete, lang…) with digits made `0`;
 * - the stylesheets: their address, how many rules, and the whole text of a
 *   small one (brand.css holds the hub's colours, which decide contrast);
 * - the window's size (layout decides reflow, contrast over other elements
 *   and target sizes).
 * Only the tag names and attribute names are kept of what is not shown
 * (script, style, template text is never read).
 */
export async function pageStructure(page: Page): Promise<string> {
  return page.evaluate<string>(String.raw`(() => {
    const WORDS = new Set(['href', 'src', 'srcset', 'action', 'formaction', 'value', 'alt', 'title',
      'placeholder', 'label', 'datetime', 'nonce', 'integrity', 'download', 'cite', 'poster',
      'aria-label', 'aria-description', 'aria-valuetext', 'aria-valuenow', 'aria-valuemin',
      'aria-valuemax', 'aria-roledescription', 'aria-placeholder', 'aria-keyshortcuts']);
    const ID_REFERENCES = new Set(['id', 'for', 'headers', 'list', 'form', 'aria-labelledby',
      'aria-describedby', 'aria-controls', 'aria-owns', 'aria-activedescendant',
      'aria-errormessage', 'aria-details', 'aria-flowto']);
    const NO_TEXT = new Set(['SCRIPT', 'STYLE', 'TEMPLATE']);
    const ids = new Map();
    const idName = (value) => {
      if (!ids.has(value)) ids.set(value, '@' + ids.size);
      return ids.get(value);
    };
    const attribute = (element, { name, value }) => {
      if (name.startsWith('data-')) return name;
      if (ID_REFERENCES.has(name)) return name + '=' + value.split(/\s+/).filter(Boolean).map(idName).join(' ');
      if (name === 'href' && value.startsWith('#')) return name + '=#' + (value.length > 1 ? idName(value.slice(1)) : '');
      // axe reads a meta element's content only for zooming (viewport) and refreshing (http-equiv), as written.
      if (name === 'content' && element.tagName === 'META') {
        const read = element.getAttribute('name') === 'viewport' || element.hasAttribute('http-equiv');
        return name + '=' + (read ? value : value.trim() ? '…' : '');
      }
      if (WORDS.has(name)) return name + (value.trim() ? '=…' : '=');
      return name + '=' + value.replace(/\d+/g, '0');
    };
    const focused = document.activeElement;
    // An element and everything in it, in brackets, so equal subtrees give equal strings.
    const subtree = (element) => {
      const attributes = Array.from(element.attributes, (a) => attribute(element, a)).sort();
      const hasText = !NO_TEXT.has(element.tagName) &&
        Array.from(element.childNodes).some((node) => node.nodeType === 3 && node.nodeValue.trim() !== '');
      const children = [];
      for (const child of element.children) {
        const text = subtree(child);
        // A run of identical siblings (rows, cards, options without ids) counts as one or
        // "two or more": a list of 5 sessions is the same page to axe as one of 9, but
        // not as one of 1, where no item has a neighbour (target spacing).
        const last = children[children.length - 1];
        if (last && last.text === text) last.many = true;
        else children.push({ text, many: false });
      }
      return element.tagName + (element === focused ? '*' : '') + (hasText ? ' +text' : '') +
        (attributes.length ? ' ' + attributes.join(' ') : '') +
        (children.length ? '{' + children.map((c) => c.text + (c.many ? ' x2+' : '')).join(';') + '}' : '');
    };
    const lines = [subtree(document.documentElement)];
    const sheets = Array.from(document.styleSheets, (sheet) => {
      const address = sheet.href ? new URL(sheet.href).pathname + new URL(sheet.href).search : 'inline';
      let rules;
      try { rules = Array.from(sheet.cssRules); } catch { return address + ' unreadable'; }
      return address + ' ' + rules.length + (rules.length <= 20 ? ' ' + rules.map((rule) => rule.cssText).join(' ') : '');
    });
    return [window.innerWidth + 'x' + window.innerHeight, ...sheets, ...lines].join('\n');
  })()`);
}

/**
 * Opens a path and checks the status of the answer. Waits for the load event
 * so stylesheets and scripts have run before anything is measured.
 */
export async function visit(page: Page, url: string, expectedStatus = 200): Promise<void> {
  const response = await page.goto(url, { waitUntil: 'load' });
  expect(response, `no response for ${url}`).not.toBeNull();
  expect(response?.status(), `status of ${url}`).toBe(expectedStatus);
}

/**
 * How wide the page is against the window: a page wider than the window
 * scrolls sideways, which fails WCAG 1.4.10 (reflow) at 320px.
 */
export async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate<{ scrollWidth: number; innerWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
  );
}

/** How an element is drawn: the properties a focus indicator changes. */
export interface DrawnStyle {
  outline: string;
  outlineVisible: boolean;
  boxShadow: string;
  backgroundColor: string;
  color: string;
  borderColor: string;
  textDecoration: string;
}

/** What is focused now, and how it is drawn focused and not, for keyboard tests. */
export interface FocusedElement {
  tag: string;
  id: string;
  text: string;
  href: string | null;
  /** A short description for failure messages. */
  label: string;
  /** It has a size and is inside the window (focus scrolls it into view). */
  onScreen: boolean;
  inMain: boolean;
  /** Where the indicator is drawn: the element, or (checkboxes) its label's ::before box. */
  indicatorOn: 'element' | 'label::before';
  focused: DrawnStyle;
  unfocused: DrawnStyle;
}

/**
 * Describes the focused element. To compare it with how it looks without
 * focus, it is blurred and focused again (without scrolling), which leaves
 * the place Tab continues from unchanged.
 */
export async function focusedElement(page: Page): Promise<FocusedElement | null> {
  // String.raw: the regular expressions below reach the browser as written.
  return page.evaluate<FocusedElement | null>(String.raw`(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const checkable = el.tagName === 'INPUT' && (el.type === 'checkbox' || el.type === 'radio');
    const drawn = () => {
      const style = checkable && el.labels && el.labels[0]
        ? getComputedStyle(el.labels[0], '::before')
        : getComputedStyle(el);
      const transparent = /^transparent$|^rgba\(.*,\s*0\)$/.test(style.outlineColor.trim());
      return {
        outline: style.outlineStyle + ' ' + style.outlineWidth + ' ' + style.outlineColor,
        outlineVisible: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 && !transparent,
        boxShadow: style.boxShadow,
        backgroundColor: style.backgroundColor,
        color: style.color,
        borderColor: style.borderColor,
        textDecoration: style.textDecorationLine + ' ' + style.textDecorationThickness,
      };
    };
    const focused = drawn();
    el.blur();
    const unfocused = drawn();
    el.focus({ preventScroll: true });
    const rect = el.getBoundingClientRect();
    const text = el.tagName === 'SELECT' ? '' : (el.textContent || '').replace(/\s+/g, ' ').trim();
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      text,
      href: el.getAttribute('href'),
      label: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.getAttribute('href') ? '[href="' + el.getAttribute('href') + '"]' : '') +
        (text ? ' "' + text.slice(0, 50) + '"' : ''),
      onScreen: rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0 &&
        rect.top < window.innerHeight && rect.left < window.innerWidth,
      inMain: Boolean(el.closest('main')),
      indicatorOn: checkable ? 'label::before' : 'element',
      focused,
      unfocused,
    };
  })()`);
}

/**
 * A focus indicator a sighted keyboard user can see: with focus the element
 * has an outline that is not transparent, or a box shadow, and it looks
 * different from the same element without focus. (GOV.UK links have a
 * transparent outline, for forced-colours mode, and show focus with a yellow
 * background and box shadow; buttons have a box shadow even unfocused.)
 */
export function hasVisibleFocusStyle(element: FocusedElement): boolean {
  const { focused, unfocused } = element;
  const marked = focused.outlineVisible || (focused.boxShadow !== 'none' && focused.boxShadow !== '');
  const changed = (Object.keys(focused) as (keyof DrawnStyle)[]).some(
    (key) => focused[key] !== unfocused[key],
  );
  return marked && changed;
}

/**
 * Presses Tab until `matches` accepts the focused element, failing after
 * `limit` presses. Returns the element and how many presses it took.
 */
export async function tabUntil(
  page: Page,
  matches: (focused: FocusedElement) => boolean,
  limit = 80,
): Promise<{ focused: FocusedElement; presses: number }> {
  const seen: string[] = [];
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press('Tab');
    const focused = await focusedElement(page);
    if (focused && matches(focused)) return { focused, presses };
    seen.push(focused ? focused.label : '(nothing)');
  }
  throw new Error(`Tab never reached the element after ${limit} presses. Focus went:\n${seen.join('\n')}`);
}

/**
 * A page whose own script is replaced by an empty one, so it renders exactly
 * as it does with JavaScript off (no `js-enabled` class, no components set
 * up) while axe, which needs script to run, can still check it. axe cannot run
 * in a context with `javaScriptEnabled: false`.
 */
export async function withoutAppScripts(page: Page): Promise<void> {
  // The built script has a content hash in its name (app.<hash>.js).
  await page.route(/\/assets\/app\.[0-9a-f]+\.js(\?|$)/, (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: '' }),
  );
}

/** The value of a row in a GOV.UK summary list, found by its key. */
export function summaryValue(page: Page, key: string, list = '.govuk-summary-list') {
  const exactKey = new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  return page
    .locator(`${list} .govuk-summary-list__row`)
    .filter({ has: page.locator('.govuk-summary-list__key', { hasText: exactKey }) })
    .locator('.govuk-summary-list__value');
}

/**
 * Does something that navigates (clicking a link, submitting a form) and
 * waits for the new page to load. Returns the status of the new document.
 */
export async function navigateBy(page: Page, action: () => Promise<void>): Promise<number> {
  const response = page.waitForResponse(
    (candidate) => candidate.request().isNavigationRequest() && candidate.frame() === page.mainFrame(),
  );
  const loaded = page.waitForEvent('load');
  await action();
  const [answer] = await Promise.all([response, loaded]);
  return answer.status();
}
