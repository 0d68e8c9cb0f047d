/**
 * Finance in a browser, on the demo hub's invoices: a coordinator finds the
 * finance page from the menu, filters invoices (and corrects a date typed
 * wrong), opens the balances and downloads the finance export; a viewer
 * sees totals only. Every page passes axe; the same journey works with
 * JavaScript off.
 */
import { text } from 'node:stream/consumers';

import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';

import { staffInBrowser } from './staffSupport.js';
import {
  expectNoAxeViolations,
  expectNoPageProblems,
  navigateBy,
  useE2E,
  visit,
  withoutAppScripts,
} from './support.js';

const HEADER =
  '"Number","Date","Customer","Description","Net","VAT","Gross","Nominal code","Purchase order","Due date"';

/** The numbers (or draft names) in the list of invoices and credit notes. */
async function listed(page: Page): Promise<string[]> {
  return (await page.locator('#documents tbody tr td:first-child a').allTextContents()).map((t) => t.trim());
}

/** Filters the list by organisation, as typed, and shows it. */
async function filterByOrganisation(page: Page, words: string): Promise<number> {
  await page.getByLabel('Organisation', { exact: true }).fill(words);
  return navigateBy(page, () => page.getByRole('button', { name: 'Show invoices and credit notes' }).click());
}

/** Downloads the finance export from its link and reads the file. */
async function downloadExport(page: Page): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download the finance export (CSV)' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^finance[a-z0-9-]*\.csv$/);
  // The browser is shared over a connection (globalSetup), so the file is read as a stream, not from its path.
  return text(await download.createReadStream());
}

describe.runIf(inject('chromiumAvailable'))('finance, in a browser', () => {
  const e2e = useE2E();

  it('lets a coordinator filter invoices, see balances and download the export; every page passes axe', async () => {
    const { page, problems } = await staffInBrowser(e2e, 'coordinator');
    await navigateBy(page, () => page.getByRole('link', { name: 'Finance', exact: true }).click());
    expect(new URL(page.url()).pathname).toBe('/admin/finance');
    expect(await page.locator('h1').textContent()).toBe('Finance');
    // Invoiced, credited, paid, outstanding, and refunds due (credit notes after payment).
    await expect.poll(() => page.locator('main table').first().locator('tbody tr').count()).toBe(5);
    const all = await listed(page);
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(all.every((number) => /^INV-\d{4}-\d{4}$/.test(number))).toBe(true);
    await expectNoAxeViolations(page, 'finance');

    // Filter by an organisation's name: only its invoices.
    expect(await filterByOrganisation(page, 'health and care')).toBe(200);
    expect(new URL(page.url()).searchParams.get('organisation')).toBe('health and care');
    const theirs = await page.locator('#documents tbody tr td:nth-child(2)').allTextContents();
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.every((name) => name.trim() === 'Health and Care NHS Foundation Trust')).toBe(true);
    await expectNoAxeViolations(page, 'finance, filtered');

    // A date that does not exist: the message by the date and in the summary, what was typed kept.
    await page.getByLabel('Organisation', { exact: true }).fill('');
    const from = page.getByRole('group', { name: 'Issued on or after' });
    await from.getByLabel('Day').fill('31');
    await from.getByLabel('Month').fill('2');
    await from.getByLabel('Year').fill('2025');
    expect(
      await navigateBy(page, () =>
        page.getByRole('button', { name: 'Show invoices and credit notes' }).click(),
      ),
    ).toBe(400);
    await expect
      .poll(() => page.locator('.govuk-error-summary').textContent())
      .toContain('The first date must be a real date');
    expect(await from.getByLabel('Day').inputValue()).toBe('31');
    await page.locator('.govuk-error-summary a').first().click();
    expect(await page.evaluate<string>('document.activeElement ? document.activeElement.id : ""')).toBe(
      'from-day',
    );
    await expectNoAxeViolations(page, 'finance, a date wrong');

    // Corrected: the list is back, and the export follows the filters.
    await from.getByLabel('Day').fill('1');
    await from.getByLabel('Month').fill('4');
    await from.getByLabel('Year').fill('2025');
    expect(
      await navigateBy(page, () =>
        page.getByRole('button', { name: 'Show invoices and credit notes' }).click(),
      ),
    ).toBe(200);
    const sinceApril = await listed(page);
    expect(sinceApril.length).toBeGreaterThan(0);
    expect(sinceApril.length).toBeLessThan(all.length);
    const csv = await downloadExport(page);
    const lines = csv
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(HEADER);
    expect(
      lines
        .slice(1)
        .map((line) => line.split(',')[0]!.replace(/"/g, ''))
        .sort(),
    ).toEqual([...sinceApril].sort());
    expect(lines.slice(1).every((line) => line.includes('"4120"'))).toBe(true);

    await navigateBy(page, () => page.getByRole('link', { name: 'What each organisation owes' }).click());
    expect(await page.locator('h1').textContent()).toBe('Balances owed');
    expect(await page.locator('main tbody tr').count()).toBeGreaterThan(0);
    await expectNoAxeViolations(page, 'balances');
    expectNoPageProblems(problems, 'finance');
  }, 120_000);

  it('shows a viewer the totals only, and passes axe', async () => {
    const { page, problems } = await staffInBrowser(e2e, 'viewer');
    await visit(page, e2e.url('/admin/finance'));
    expect(await page.locator('main table').count()).toBe(1);
    expect(await page.locator('main form').count()).toBe(0);
    expect(await page.locator('main').textContent()).not.toContain('INV-');
    await expectNoAxeViolations(page, 'finance, for a viewer');
    expectNoPageProblems(problems, 'finance for a viewer');
  }, 60_000);

  it('works without JavaScript: filters, balances and the download', async () => {
    const signedIn = await staffInBrowser(e2e, 'coordinator');
    const cookies = await signedIn.context.cookies();
    const { page, context } = await e2e.newPage({ javaScriptEnabled: false });
    await context.addCookies(cookies);
    await visit(page, e2e.url('/admin/finance'));
    expect(await filterByOrganisation(page, 'riverside')).toBe(200);
    const theirs = await page.locator('#documents tbody tr td:nth-child(2)').allTextContents();
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.every((name) => name.trim() === 'Riverside Academy Trust')).toBe(true);
    const csv = await downloadExport(page);
    expect(csv.replace(/^\ufeff/, '').split('\r\n')[0]).toBe(HEADER);
    expect(csv).toContain('"Riverside Academy Trust"');
    await navigateBy(page, () => page.getByRole('link', { name: 'What each organisation owes' }).click());
    expect(await page.locator('main tbody tr').count()).toBeGreaterThan(0);

    // As it renders without JavaScript, checked by axe (which needs script itself to run).
    const twin = await e2e.newPage();
    await twin.context.addCookies(cookies);
    await withoutAppScripts(twin.page);
    for (const path of [
      '/admin/finance',
      '/admin/finance?organisation=riverside',
      '/admin/finance/balances',
    ]) {
      await visit(twin.page, e2e.url(path));
      await expectNoAxeViolations(twin.page, `${path} without JavaScript`);
    }
  }, 120_000);
});
