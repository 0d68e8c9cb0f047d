/** The back office's first page, as each role sees it. */
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';

eachDatabase('back office dashboard', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  /** Creates a staff member and signs them in, enrolling an authenticator on the way. */
  async function signedInStaff(role: 'admin' | 'coordinator' | 'trainer' | 'viewer', trainerSlug?: string) {
    const email = `${role}.${Math.random().toString(36).slice(2)}@hub.example.org.uk`;
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
    const enrol = parsePage((await client.get('/admin/enrol')).body);
    const secret = enrol.text('#setup-key').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const code = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
      timestamp: new Date(TEST_NOW).getTime(),
    });
    const confirmed = await client.submit('/admin/enrol', { code });
    expect(confirmed.statusCode, confirmed.body.slice(0, 500)).toBeLessThan(400);
    return client;
  }

  it('shows a coordinator the next sessions with how full they are, and stuck email', async () => {
    const coordinator = await signedInStaff('coordinator');
    const response = await coordinator.get('/admin');
    expect(response.statusCode).toBe(200);
    const page = parsePage(response.body);
    expect(page.h1()).toBe('Back office');
    const rows = page.listItems('main table tbody tr');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.some((row) => /100%/.test(row))).toBe(true);
    expect(page.text()).toContain('Every email has been sent or is on its way.');
    expect((await coordinator.get('/admin/emails')).statusCode).toBe(200);
  });

  it('shows a trainer only their own sessions, and no email page', async () => {
    const lisa = await signedInStaff('trainer', 'lisa-cherry');
    const page = parsePage((await lisa.get('/admin')).body);
    expect(page.text()).toContain('Your next sessions');
    const rows = page.listItems('main table tbody tr');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toContain('Trauma Informed Co-Production');
    expect(page.text()).not.toContain('Emails');
    expect((await lisa.get('/admin/emails')).statusCode).toBe(404);
  });

  it('is not found for anyone not signed in as staff, delegates included', async () => {
    expect((await new WebClient(t.app).get('/admin')).statusCode).toBe(404);
    expect((await new WebClient(t.app).get('/admin/emails')).statusCode).toBe(404);
  });
});
