/** Staff signed in to the back office in a real browser: password, then an authenticator code. */
import type { Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { expect } from 'vitest';

import type { StaffRole } from '../../src/domain/accounts/staff.js';
import type { E2E, WatchedPage } from './support.js';

let count = 0;

/** The code an authenticator app would show at the app's (fixed) time. */
export function authenticatorCode(e2e: E2E, secret: string, stepsAhead = 0): string {
  return new TOTP({ secret: Secret.fromBase32(secret.replace(/\s/g, '')), digits: 6, period: 30 }).generate({
    timestamp: e2e.testApp.services.clock.now().getTime() + stepsAhead * 30_000,
  });
}

async function submit(page: Page, button: RegExp | string) {
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: button }).click()]);
}

/**
 * A new staff member with `role` (a trainer is the trainer `trainerSlug`),
 * signed in through the pages, enrolling an authenticator on the way.
 * Returns the page, now on the dashboard, and the authenticator secret.
 */
export async function staffInBrowser(
  e2e: E2E,
  role: StaffRole,
  options: { trainerSlug?: string; name?: string } = {},
): Promise<WatchedPage & { secret: string; email: string }> {
  count += 1;
  const email = `${role}.${count}@hub.example.org.uk`;
  const password = 'a staff passphrase for the browser';
  const trainer = options.trainerSlug
    ? await e2e.testApp.database.db
        .selectFrom('trainers')
        .where('slug', '=', options.trainerSlug)
        .select('id')
        .executeTakeFirstOrThrow()
    : undefined;
  await e2e.testApp.services.staff.create(
    { name: options.name ?? `Sam ${role}`, email, role, trainerId: trainer?.id ?? null },
    password,
  );
  const watched = await e2e.newPage();
  const { page } = watched;
  await page.goto(e2e.url('/admin/sign-in'));
  await page.getByLabel('Email address', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await submit(page, /sign in|continue/i);
  expect(new URL(page.url()).pathname).toBe('/admin/enrol');
  const secret = ((await page.locator('#setup-key').textContent()) ?? '').replace(/\s/g, '');
  await page.getByLabel(/code/i).first().fill(authenticatorCode(e2e, secret));
  await submit(page, /confirm|continue|set up/i);
  await page.goto(e2e.url('/admin'));
  expect(await page.locator('h1').textContent()).toBe('Back office');
  return { ...watched, secret, email };
}
