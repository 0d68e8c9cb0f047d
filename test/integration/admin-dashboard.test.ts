/** The back office's first page, as each role sees it. */
import { afterAll, beforeAll, expect, it } from 'vitest';

import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { signedInStaff as signInStaff } from '../support/staff.js';

eachDatabase('back office dashboard', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  const signedInStaff = (role: 'admin' | 'coordinator' | 'trainer' | 'viewer', trainerSlug?: string) =>
    signInStaff(t, role, trainerSlug);

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

  it('lets an administrator read and filter the audit log, and no one else', async () => {
    // Something to audit: a delegate books, the hub's job offers nothing (the session has room).
    const session = await t.database.db
      .selectFrom('sessions')
      .where('starts_at', '>', TEST_NOW)
      .where('capacity', '>=', 30)
      .select('id')
      .executeTakeFirstOrThrow();
    const delegate = {
      id: await new DemoRepository(t.database.db).createDelegate(
        {
          name: 'Audit Subject',
          email: 'audit.subject@example.org.uk',
          organisationId: null,
          jobRole: 'Nurse',
          lineManagerName: 'M',
          lineManagerEmail: 'm@example.org.uk',
        },
        new Date(TEST_NOW),
      ),
    };
    const booked = await t.services.bookings.book(delegate.id, session.id, {
      accessNeeds: null,
      dietaryNeeds: null,
      consent: false,
    });
    const row = await t.database.db
      .selectFrom('bookings')
      .where('reference', '=', booked.reference)
      .select('id')
      .executeTakeFirstOrThrow();

    const admin = await signedInStaff('admin');
    const all = parsePage((await admin.get('/admin/audit')).body);
    expect(all.h1()).toBe('Audit log');
    const filtered = await admin.get(`/admin/audit?action=booked&actor=delegate&about=booking&id=${row.id}`);
    expect(filtered.statusCode).toBe(200);
    const rows = parsePage(filtered.body).listItems('main table tbody tr');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain(`Booking #${row.id}`);
    // Who did it, by name; and a link to the booking.
    expect(rows[0]).toContain('Audit Subject (delegate)');
    expect(
      parsePage(filtered.body)
        .links('main table tbody a')
        .map((l) => l.href),
    ).toEqual([`/admin/bookings/${booked.reference}`]);

    const bad = await admin.get('/admin/audit?from=2026-02-30&actor=robot&id=abc');
    expect(bad.statusCode).toBe(400);
    expect(
      parsePage(bad.body)
        .links('.govuk-error-summary a')
        .map((l) => l.href)
        .sort(),
    ).toEqual(['#actor', '#id']);

    const coordinator = await signedInStaff('coordinator');
    expect((await coordinator.get('/admin/audit')).statusCode).toBe(404);
  });

  it('lets an administrator change the hub’s settings, at once and audited, refusing bad values by the field', async () => {
    const admin = await signedInStaff('admin');
    const form = parsePage((await admin.get('/admin/settings')).body);
    expect(form.h1()).toBe('Hub settings');
    const values: Record<string, string> = {};
    for (const field of form.document.querySelectorAll('main input[name], main textarea[name]')) {
      const name = field.getAttribute('name')!;
      if (name !== '_csrf') values[name] = field.getAttribute('value') ?? field.textContent ?? '';
    }
    expect(values.cancellationWorkingDays).toBe('6');

    const bad = await admin.submit('/admin/settings', {
      ...values,
      name: 'Riverside Safeguarding Partnership',
      brandColour: 'teal',
      cancellationWorkingDays: '45',
    });
    expect(bad.statusCode).toBe(400);
    const badPage = parsePage(bad.body);
    expect(badPage.links('.govuk-error-summary a').map((l) => l.href)).toEqual([
      '#brandColour',
      '#cancellationWorkingDays',
    ]);
    expect(badPage.document.querySelector('input#name')?.getAttribute('value')).toBe(
      'Riverside Safeguarding Partnership',
    );
    expect(parsePage((await t.app.inject('/courses')).body).text('header')).not.toContain('Riverside');

    const good = await admin.submit('/admin/settings', {
      ...values,
      name: 'Riverside Safeguarding Partnership',
      cancellationWorkingDays: '3',
    });
    expect(good.statusCode).toBe(303);
    expect(parsePage((await t.app.inject('/courses')).body).text('header')).toContain(
      'Riverside Safeguarding Partnership',
    );
    expect((await t.services.settings.policy()).cancellationWorkingDays).toBe(3);
    const entry = await t.database.db
      .selectFrom('audit_log')
      .where('action', '=', 'changed_settings')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(JSON.parse(entry.details)).toEqual({ changed: ['name', 'cancellationWorkingDays'] });
    expect(entry.actor_type).toBe('staff');

    const coordinator = await signedInStaff('coordinator');
    expect((await coordinator.get('/admin/settings')).statusCode).toBe(404);
  });

  it('is not found for anyone not signed in as staff, delegates included', async () => {
    expect((await new WebClient(t.app).get('/admin')).statusCode).toBe(404);
    expect((await new WebClient(t.app).get('/admin/emails')).statusCode).toBe(404);
    expect((await new WebClient(t.app).get('/admin/audit')).statusCode).toBe(404);
  });
});
