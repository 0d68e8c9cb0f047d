/**
 * A coordinator's invoices in Chromium, without the app's JavaScript, each
 * page checked with axe (WCAG 2.2 AA): billing details set (a mistake first),
 * draft invoices made, a line taken off, a draft issued, a payment recorded
 * (a wrong date first) and a credit note (too much first).
 *
 * The app's clock is the test's: "today" is Monday 12 January 2026, 9am.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';

import { TEST_NOW } from '../support/app.js';
import { billedOrganisation, chargeOn, placeFor } from '../support/invoiceRun.js';
import { staffInBrowser } from './staffSupport.js';
import {
  expectNoAxeViolations,
  expectNoPageProblems,
  navigateBy,
  summaryValue,
  useE2E,
  visit,
  withoutAppScripts,
  BROWSER_HANG_TIMEOUT,
} from './support.js';

async function press(page: Page, name: string | RegExp): Promise<number> {
  return navigateBy(page, () => page.getByRole('button', { name }).first().click());
}

describe.runIf(inject('chromiumAvailable'))("a coordinator's invoices, without JavaScript", () => {
  const e2e = useE2E();

  it(
    'billing details, drafts, issuing, a payment and a credit note: each page passes axe',
    async () => {
      const db = e2e.testApp.database.db;
      const now = new Date(TEST_NOW);
      const past = await db
        .selectFrom('sessions')
        .where('starts_at', '<', TEST_NOW)
        .where('cancelled_at', 'is', null)
        .select('id')
        .orderBy('starts_at', 'desc')
        .executeTakeFirstOrThrow();
      const organisationId = await billedOrganisation(db, now, {
        billing: false,
        name: 'Riverside Care Ltd',
      });
      const absent = await placeFor(db, now, past.id, organisationId);
      await chargeOn(db, now, absent, organisationId, 'confirmed', 5000);
      await placeFor(db, now, past.id, organisationId, 12_000);
      const late = await placeFor(db, now, past.id, organisationId);
      await chargeOn(db, now, late, organisationId, 'confirmed', 2500, 'late_cancellation');

      const { page, problems } = await staffInBrowser(e2e, 'coordinator');
      await withoutAppScripts(page);

      // Billing details: a mistake, then right.
      await visit(page, e2e.url(`/admin/organisations/${organisationId}`));
      await page.getByLabel('Billing contact').fill('Accounts payable');
      await page.getByLabel('Billing email address').fill('accounts at riverside');
      await page.getByLabel('Postal address').fill('4 Wharf Road\nBanbury\nOX16 5TT');
      expect(await press(page, 'Save billing details')).toBe(400);
      expect(await page.locator('#billingEmail-error').textContent()).toContain('right form');
      expect(await page.locator('.govuk-error-summary').textContent()).toContain('billing email address');
      expect(await page.getByLabel('Billing contact').inputValue()).toBe('Accounts payable');
      await expectNoAxeViolations(page, 'billing details with a mistake');
      await page.getByLabel('Billing email address').fill('accounts@riverside.example.org.uk');
      expect(await press(page, 'Save billing details')).toBeLessThan(400);
      expect(await page.locator('.govuk-notification-banner').textContent()).toContain(
        'Billing details saved',
      );

      // Drafts.
      await visit(page, e2e.url('/admin/invoices'));
      expect(await press(page, 'Make draft invoices')).toBeLessThan(400);
      expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Draft invoices made');
      await expectNoAxeViolations(page, 'the invoices page');
      await navigateBy(page, () => page.getByRole('link', { name: /Riverside Care Ltd/ }).click());
      expect(await page.locator('h1').textContent()).toContain('Draft invoice for Riverside Care Ltd');
      expect(await page.locator('tfoot').textContent()).toContain('£195.00');
      await expectNoAxeViolations(page, 'a draft');
      expect(await press(page, `Take off the line for ${late.delegateName}`)).toBeLessThan(400);
      expect(await page.locator('tfoot').textContent()).toContain('£170.00');
      await expectNoAxeViolations(page, 'a draft after a line was taken off');

      // Issued.
      expect(await press(page, 'Issue and email this invoice')).toBeLessThan(400);
      expect(await page.locator('h1').textContent()).toMatch(/Invoice INV-2025-\d{4}/);
      expect(await summaryValue(page, 'Status').textContent()).toContain('Issued');
      await expectNoAxeViolations(page, 'an issued invoice');
      const invoiceUrl = page.url();

      // A payment: a date to come first.
      await navigateBy(page, () => page.getByRole('link', { name: 'Record a payment' }).click());
      await page.getByLabel('Day').fill('20');
      await page.getByLabel('Month').fill('1');
      await page.getByLabel('Year').fill('2026');
      await page.getByLabel('Payment reference').fill('BACS 4471');
      expect(await press(page, 'Record the payment')).toBe(400);
      expect(await page.locator('.govuk-error-summary').textContent()).toContain('today or in the past');
      await expectNoAxeViolations(page, 'a payment with a mistake');
      await page.getByLabel('Day').fill('12');
      expect(await press(page, 'Record the payment')).toBeLessThan(400);
      expect(await summaryValue(page, 'Paid').textContent()).toContain('BACS 4471');

      // A credit note: too much first.
      await visit(page, invoiceUrl);
      await navigateBy(page, () =>
        page.getByRole('link', { name: 'Issue a credit note against it' }).click(),
      );
      await expectNoAxeViolations(page, 'the credit note form');
      const amount = page.locator('input[name^="amount-"]').first();
      await amount.fill('500');
      await page.getByLabel('Why is it credited?').fill('Ill on the day');
      expect(await press(page, 'Issue and email the credit note')).toBe(400);
      expect(await page.locator('.govuk-error-summary').textContent()).toContain('or less');
      expect(await page.getByLabel('Why is it credited?').inputValue()).toBe('Ill on the day');
      await expectNoAxeViolations(page, 'the credit note form with a mistake');
      await amount.fill('50');
      await page.getByLabel('Waive the charges of lines credited in full?').selectOption('Illness');
      expect(await press(page, 'Issue and email the credit note')).toBeLessThan(400);
      expect(await page.locator('h1').textContent()).toMatch(/Credit note CN-2025-\d{4}/);
      await expectNoAxeViolations(page, 'a credit note');

      expectNoPageProblems(problems, 'the invoices pages');
    },
    BROWSER_HANG_TIMEOUT,
  );
});
