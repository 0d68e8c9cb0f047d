/** Staff members signed in through the real pages, authenticator code and all. */
import { Secret, TOTP } from 'otpauth';
import { expect } from 'vitest';

import type { StaffRole } from '../../src/domain/accounts/staff.js';
import type { TestApp } from './app.js';
import { WebClient } from './client.js';
import { parsePage } from './html.js';

let count = 0;

export async function signedInStaff(t: TestApp, role: StaffRole, trainerSlug?: string): Promise<WebClient> {
  count += 1;
  const email = `${role}.${count}.${Date.now()}@hub.example.org.uk`;
  const password = 'a staff password for tests';
  const trainer = trainerSlug
    ? await t.database.db
        .selectFrom('trainers')
        .where('slug', '=', trainerSlug)
        .select('id')
        .executeTakeFirstOrThrow()
    : undefined;
  await t.services.staff.create(
    { name: `Test ${role}`, email, role, trainerId: trainer?.id ?? null },
    password,
  );
  const client = new WebClient(t.app);
  const signedIn = await client.submit('/admin/sign-in', { email, password });
  expect(signedIn.headers.location).toBe('/admin/enrol');
  const secret = parsePage((await client.get('/admin/enrol')).body)
    .text('#setup-key')
    .replace(/\s/g, '');
  const code = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: t.services.clock.now().getTime(),
  });
  const confirmed = await client.submit('/admin/enrol', { code });
  expect(confirmed.statusCode).toBeLessThan(400);
  return client;
}
