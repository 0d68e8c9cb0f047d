/**
 * Helpers for browser tests of a delegate's account and bookings: filling in
 * the registration and sign-in forms, reading emails in the development
 * mailbox (/dev/mailbox, there whenever no SMTP server is configured outside
 * production, so in every test app) and following their links, and checking
 * every page a journey reaches.
 *
 * A journey runs with JavaScript on or off. With it off, axe (which needs
 * script) checks a twin page showing exactly the HTML the delegate's page
 * got, with the app's script removed. The twin is given the HTML rather than
 * the address, so pages that answer a form (a form shown again with its
 * errors) or follow a link that works once (email confirmation) are checked
 * as the delegate saw them, without sending anything twice.
 */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

import {
  expectAxeFindsNothing,
  expectNoAxeViolations,
  expectNoAxeViolationsOnce,
  expectNoPageProblems,
  summaryValue,
  visit,
  withoutAppScripts,
  type E2E,
  type WatchedPage,
  BROWSER_HANG_TIMEOUT,
} from './support.js';

/** A password the registration form accepts (at least 10 characters). */
export const PASSWORD = 'correct horse battery staple';

/**
 * A journey visits many pages and runs axe on each: 15–35s on two cores,
 * more when other test files share them (a loaded run took over 90s), so well beyond the default 20s.
 */
export const JOURNEY_TIMEOUT = BROWSER_HANG_TIMEOUT;

export const MODES = [
  { mode: 'with JavaScript', javaScriptEnabled: true },
  { mode: 'without JavaScript', javaScriptEnabled: false },
] as const;

/** What a new delegate types into the registration form. */
export interface NewDelegate {
  name: string;
  email: string;
  jobRole: string;
  lineManagerName: string;
  lineManagerEmail: string;
}

export function newDelegate(name: string, email: string): NewDelegate {
  return {
    name,
    email,
    jobRole: 'Family support worker',
    lineManagerName: 'Pat Manager',
    lineManagerEmail: 'pat.manager@example.org.uk',
  };
}

/** The page's main heading, trimmed. */
export async function h1(page: Page): Promise<string> {
  return ((await page.locator('h1').first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** The text of `main`, with white space collapsed. */
export async function mainText(page: Page): Promise<string> {
  return ((await page.locator('main').textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** The path and query of the page now shown. */
export function pathOf(page: Page): string {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

/** The id of the focused element ('' for none or one without an id). */
export async function focusedId(page: Page): Promise<string> {
  return page.evaluate<string>('document.activeElement ? document.activeElement.id : ""');
}

/** The class attribute of the focused element. */
export async function focusedClass(page: Page): Promise<string> {
  return page.evaluate<string>(
    'document.activeElement ? (document.activeElement.getAttribute("class") || "") : ""',
  );
}

/**
 * A delegate's browser page in one mode, and how every page it reaches is
 * checked: no console errors, exceptions, CSP violations or failed requests,
 * and no axe violations.
 */
export class Journey {
  private constructor(
    private readonly e2e: E2E,
    readonly delegate: WatchedPage,
    readonly javaScriptEnabled: boolean,
    /** Run axe on each page (page problems are always checked). */
    private readonly axe: boolean,
    private readonly viewport: { width: number; height: number } | undefined,
  ) {}

  /**
   * Without JavaScript: a page that shows the same HTML scriptless, for axe.
   * Opened at the first structure axe has not yet passed, not at the start:
   * a browser context costs about a second, and in a whole run most pages
   * without JavaScript have been checked by another file already.
   */
  private twin: Promise<WatchedPage> | undefined;
  private scriptlessTwin(): Promise<WatchedPage> {
    this.twin ??= (async () => {
      const twin = await this.e2e.newPage(this.viewport ? { viewport: this.viewport } : {});
      await withoutAppScripts(twin.page);
      return twin;
    })();
    return this.twin;
  }

  static async start(
    e2e: E2E,
    javaScriptEnabled: boolean,
    { axe = true, viewport }: { axe?: boolean; viewport?: { width: number; height: number } } = {},
  ): Promise<Journey> {
    const delegate = await e2e.newPage({ javaScriptEnabled, ...(viewport ? { viewport } : {}) });
    // Fail fast on a missing element: a journey has many steps within its time.
    delegate.page.setDefaultTimeout(10_000);
    return new Journey(e2e, delegate, javaScriptEnabled, axe, viewport);
  }

  get page(): Page {
    return this.delegate.page;
  }

  /** Checks the page now shown, named in failures by its path or `where`. */
  async check(where = pathOf(this.page)): Promise<void> {
    const { page, problems } = this.delegate;
    const bodyClass = (await page.locator('body').getAttribute('class')) ?? '';
    if (this.javaScriptEnabled) {
      // The app's script ran: the content security policy let it.
      expect(bodyClass, `${where}: the app's script did not run`).toContain('govuk-frontend-supported');
      expectNoPageProblems(problems, where);
      if (this.axe) await expectNoAxeViolations(page, where);
      return;
    }
    expect(bodyClass).not.toContain('js-enabled');
    expectNoPageProblems(problems, where);
    if (!this.axe) return;
    const label = `${where} (as shown without JavaScript)`;
    // The twin is loaded only for a structure axe has not yet passed: that load is half the check.
    await expectNoAxeViolationsOnce(
      page,
      label,
      async () => this.checkTwin(await this.scriptlessTwin(), label),
      'scriptless twin',
    );
  }

  /** Shows the HTML the delegate's page got in the scriptless twin, and checks it with axe. */
  private async checkTwin(twin: WatchedPage, label: string): Promise<void> {
    const { page } = this.delegate;
    const html = await page.content();
    const url = page.url();
    // Only the document itself is served from what the delegate saw; its
    // stylesheets and images come from the app as usual. A regular
    // expression, not a function: Playwright matches it in the browser's
    // server, where a function would send every request of the page
    // (stylesheets, script, images) through this process to be asked.
    const isDocument = exactUrl(url.replace(/#.*$/, ''));
    const serveSeenHtml = (route: Parameters<Parameters<Page['route']>[1]>[0]) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
    await twin.page.route(isDocument, serveSeenHtml);
    try {
      await twin.page.goto(url, { waitUntil: 'load' });
    } finally {
      await twin.page.unroute(isDocument, serveSeenHtml);
    }
    // The twin shows the page the delegate saw (not, say, a sign-in page it was sent to).
    expect(twin.page.url()).toBe(url);
    expect(await twin.page.locator('h1').allTextContents()).toEqual(
      await page.locator('h1').allTextContents(),
    );
    expect((await twin.page.locator('body').getAttribute('class')) ?? '').not.toContain('js-enabled');
    await expectAxeFindsNothing(twin.page, label);
    expectNoPageProblems(twin.problems, label);
  }

  /** Opens a path on the app, checks the status, then checks the page. */
  async visit(path: string, expectedStatus = 200): Promise<void> {
    await visit(this.page, this.e2e.url(path), expectedStatus);
    await this.check();
  }

  /** Navigates by an action (a click), checks the status, then checks the page. */
  async go(action: () => Promise<void>, expectedStatus = 200): Promise<void> {
    const status = await navigateFollowingRedirects(this.page, action);
    expect(status, `status of ${pathOf(this.page)}`).toBe(expectedStatus);
    await this.check();
  }

  /** Clicks a button and checks the page the form leads to. */
  async press(name: string, expectedStatus = 200): Promise<void> {
    await this.go(() => this.page.getByRole('button', { name, exact: true }).click(), expectedStatus);
  }
}

/** A pattern matching exactly this address (requests never carry a #fragment). */
function exactUrl(url: string): RegExp {
  return new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
}

/**
 * Like support.ts's `navigateBy`, but a form answered with a redirect (303)
 * gives the status of the page it leads to, not of the redirect.
 */
export async function navigateFollowingRedirects(page: Page, action: () => Promise<void>): Promise<number> {
  const response = page.waitForResponse(
    (candidate) =>
      candidate.request().isNavigationRequest() &&
      candidate.frame() === page.mainFrame() &&
      (candidate.status() < 300 || candidate.status() >= 400),
  );
  const loaded = page.waitForEvent('load');
  // If the action fails, its error is the one to report, not these waits'.
  response.catch(() => undefined);
  loaded.catch(() => undefined);
  await action();
  const [answer] = await Promise.all([response, loaded]);
  return answer.status();
}

/** Fills the registration form with the delegate's details. */
export async function fillRegistration(page: Page, delegate: NewDelegate): Promise<void> {
  await page.getByLabel('Full name', { exact: true }).fill(delegate.name);
  await page.getByLabel('Work email address', { exact: true }).fill(delegate.email);
  // The first organisation in the list ("Choose your organisation" is the empty choice).
  const organisation = page.getByLabel('Organisation', { exact: true });
  const firstReal = await organisation.locator('option').nth(1).getAttribute('value');
  expect(firstReal).toMatch(/^\d+$/);
  await organisation.selectOption(firstReal!);
  await page.getByLabel('Job role', { exact: true }).fill(delegate.jobRole);
  await page.getByLabel('Line manager’s full name', { exact: true }).fill(delegate.lineManagerName);
  await page.getByLabel('Line manager’s work email address', { exact: true }).fill(delegate.lineManagerEmail);
  await page.getByLabel('Create a password', { exact: true }).fill(PASSWORD);
}

/** Fills in the sign-in form (on the page now shown). */
export async function fillSignIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('Email address', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
}

/** A card in the development mailbox's list: the newest email to `to` whose subject matches. */
export function mailboxCard(page: Page, to: string, subject: RegExp): Locator {
  return page
    .locator('main li.trellis-session-card')
    .filter({ has: page.locator('.trellis-session-card__title a', { hasText: subject }) })
    .filter({ has: page.locator('p', { hasText: `<${to}>` }) })
    .first();
}

/**
 * Opens the development mailbox, then the newest email to `to` whose subject
 * matches, checking both pages. Returns the email's plain text version, as
 * the message page shows it.
 */
export async function readNewestEmail(journey: Journey, to: string, subject: RegExp): Promise<string> {
  const { page } = journey;
  await journey.visit('/dev/mailbox');
  expect(await h1(page)).toBe('Development mailbox');
  const card = mailboxCard(page, to, subject);
  expect(await card.count(), `no email to ${to} with a subject like ${subject} in the mailbox`).toBe(1);
  const link = card.locator('.trellis-session-card__title a');
  const subjectText = ((await link.textContent()) ?? '').trim();
  await journey.go(() => link.click());
  expect(pathOf(page)).toMatch(/^\/dev\/mailbox\/\d+$/);
  expect(await h1(page)).toBe(subjectText);
  expect(await summaryValue(page, 'To').textContent()).toContain(`<${to}>`);
  return (await page.locator('main pre.trellis-mailbox__text').textContent()) ?? '';
}

/**
 * The link after `label: ` in an email's text, as a path on the app. Emails
 * link to the hub's public address (PUBLIC_URL); the test app listens
 * elsewhere, so the link is followed on the test app at the same path.
 */
export function linkInEmail(text: string, label: string, publicUrl: string): string {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}: (\\S+)`).exec(text);
  expect(match, `no "${label}: <link>" in the email:\n${text}`).not.toBeNull();
  const url = new URL(match![1]!);
  expect(url.origin).toBe(new URL(publicUrl).origin);
  return url.pathname + url.search + url.hash;
}

/**
 * Registers through the form and confirms the address with the link in the
 * email (read in the development mailbox), which signs in this browser, the
 * one that registered. Every page on the way is checked. Ends on Your
 * bookings.
 */
export async function registerVerifyAndSignIn(
  e2e: E2E,
  journey: Journey,
  delegate: NewDelegate,
): Promise<void> {
  const { page } = journey;
  await journey.visit('/register');
  await fillRegistration(page, delegate);
  await journey.press('Create account');
  expect(pathOf(page)).toBe('/register/check-your-email');

  const email = await readNewestEmail(journey, delegate.email, /^Confirm your email address for /);
  await journey.visit(linkInEmail(email, 'Confirm your email address', e2e.testApp.config.publicUrl));
  // Opening the link only asks (mail scanners open links first); the button confirms.
  expect(await h1(page)).toBe('Confirm your email address');
  await journey.press('Confirm my email address');
  expect(await h1(page)).toBe('Your email address is confirmed');
  expect(await mainText(page)).toContain('You are signed in');

  await journey.go(() =>
    page.locator('main').getByRole('link', { name: 'your bookings', exact: true }).click(),
  );
  expect(pathOf(page)).toBe('/bookings');
  expect(await h1(page)).toBe('Your bookings');
}
