/**
 * The back office's sign-in with a second factor and its first pages, in
 * Chromium: axe on each, and the QR code shown without inline script or style.
 */
import { Secret, TOTP } from 'otpauth';
import { describe, expect, inject, it } from 'vitest';

import { expectNoAxeViolations, expectNoPageProblems, useE2E, watchPage } from './support.js';

describe.runIf(inject('chromiumAvailable'))('back office sign-in, in a browser', () => {
  const e2e = useE2E();

  it('signs an administrator in with a password and an authenticator code, and shows the back office', async () => {
    const email = 'admin.e2e@hub.example.org.uk';
    const password = 'an administrator passphrase';
    await e2e.testApp.services.staff.create({ name: 'Ada Administrator', email, role: 'admin' }, password);
    const context = await e2e.browser.newContext();
    const page = await context.newPage();
    const problems = watchPage(page);

    await page.goto(`${e2e.baseUrl}/admin/sign-in`);
    await expectNoAxeViolations(page, 'staff sign-in');
    await page.getByLabel('Email address', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await Promise.all([
      page.waitForURL('**/admin/enrol'),
      page.getByRole('button', { name: /sign in|continue/i }).click(),
    ]);
    await expectNoAxeViolations(page, 'enrol an authenticator');
    expect(await page.locator('main img[src^="data:image/svg+xml;base64,"]').count()).toBe(1);

    const secret = ((await page.locator('#setup-key').textContent()) ?? '').replace(/\s/g, '');
    // The test app's clock is fixed, so the code is for that moment.
    const now = e2e.testApp.services.clock.now().getTime();
    const code = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
      timestamp: now,
    });
    await page.getByLabel(/code/i).first().fill(code);
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: /confirm|continue|set up/i }).click(),
    ]);
    await expectNoAxeViolations(page, 'recovery codes');
    expect(await page.locator('main').textContent()).toMatch(/recovery codes?/i);

    await page.goto(`${e2e.baseUrl}/admin`);
    expect(await page.locator('h1').textContent()).toBe('Back office');
    await expectNoAxeViolations(page, 'dashboard');
    await page.goto(`${e2e.baseUrl}/admin/emails`);
    await expectNoAxeViolations(page, 'emails that could not be sent');
    await page.goto(`${e2e.baseUrl}/admin/audit?from=2026-02-30`);
    await expectNoAxeViolations(page, 'audit log with a filter error');
    await page.goto(`${e2e.baseUrl}/admin/audit`);
    await expectNoAxeViolations(page, 'audit log');
    await page.goto(`${e2e.baseUrl}/admin/settings`);
    await expectNoAxeViolations(page, 'hub settings');
    await page.getByLabel('Brand colour', { exact: true }).fill('teal');
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: 'Save settings' }).click(),
    ]);
    expect(await page.locator('.govuk-error-summary').count()).toBe(1);
    await expectNoAxeViolations(page, 'hub settings with an error');
    expectNoPageProblems(problems, 'the back office');
    await context.close();
  });
});
