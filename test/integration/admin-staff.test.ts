/**
 * Administrators managing staff accounts through the pages: adding someone
 * with a one-time password, roles, disabling, and the two sign-in rescues
 * (a lost authenticator, a forgotten password). Every change audited.
 */
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { createTestApp, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';

const OWN_PASSWORD = 'a password of their own choosing';

eachDatabase('staff accounts', (dialect) => {
  let t: TestApp;
  let admin: WebClient;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    admin = await signedInStaff(t, 'admin');
  });
  afterAll(() => t.close());

  const codeFor = (secret: string) =>
    new TOTP({ secret: Secret.fromBase32(secret.replace(/\s/g, '')), digits: 6, period: 30 }).generate({
      timestamp: t.services.clock.now().getTime(),
    });

  const staffRow = (email: string) =>
    t.database.db.selectFrom('staff_users').where('email', '=', email).selectAll().executeTakeFirstOrThrow();

  const auditActions = async (staffId: number) =>
    (
      await t.database.db
        .selectFrom('audit_log')
        .where('entity_type', '=', 'staff')
        .where('entity_id', '=', staffId)
        .select('action')
        .orderBy('id')
        .execute()
    ).map((row) => row.action);

  /** Signs in with a password through enrolment, and chooses a password if asked. */
  async function firstSignIn(email: string, password: string) {
    const client = new WebClient(t.app);
    expect((await client.submit('/admin/sign-in', { email, password })).headers.location).toBe(
      '/admin/enrol',
    );
    const secret = parsePage((await client.get('/admin/enrol')).body).text('#setup-key');
    expect((await client.submit('/admin/enrol', { code: codeFor(secret) })).statusCode).toBe(200);
    return client;
  }

  it('adds a coordinator with a one-time password, who then sets up an authenticator and chooses a password', async () => {
    const form = await admin.get('/admin/staff/new');
    expect(form.statusCode).toBe(200);
    const added = await admin.submit('/admin/staff/new', {
      name: 'Cora Coordinator',
      email: 'Cora.Coordinator@hub.example.org.uk',
      role: 'coordinator',
      trainerId: '',
    });
    expect(added.statusCode).toBe(200);
    expect(added.headers['cache-control']).toBe('no-store');
    const password = parsePage(added.body).text('#one-time-password');
    expect(password.length).toBeGreaterThanOrEqual(20);
    // 24 hours from the (test's) now, 9am on Monday 12 January 2026.
    expect(parsePage(added.body).text('#one-time-password-expiry')).toContain(
      'It works until 9am on Tuesday 13 January 2026',
    );

    const row = await staffRow('cora.coordinator@hub.example.org.uk');
    expect(row.role).toBe('coordinator');
    expect(row.password_change_required_at).not.toBeNull();
    expect(row.password_hash).not.toContain(password);
    expect(await auditActions(row.id)).toEqual(['staff_created']);

    const list = parsePage((await admin.get('/admin/staff')).body);
    expect(list.text('main')).toContain('Cora Coordinator');
    expect(list.text('main')).toContain('Authenticator not set up');

    const cora = await firstSignIn(row.email, password);
    expect((await cora.get('/admin/sessions')).headers.location).toBe('/admin/password');
    const chosen = await cora.submit('/admin/password', {
      currentPassword: password,
      newPassword: OWN_PASSWORD,
      confirmPassword: OWN_PASSWORD,
    });
    expect(chosen.headers.location).toBe('/admin/password?done=changed');
    expect((await cora.get('/admin')).statusCode).toBe(200);
    expect((await staffRow(row.email)).password_change_required_at).toBeNull();
    expect(await auditActions(row.id)).toEqual(['staff_created', 'staff_password_changed']);
  });

  it('refuses a bad form by the field, keeping what was typed', async () => {
    const refused = await admin.submit('/admin/staff/new', {
      name: 'Tariq Trainer',
      email: 'not an email',
      role: 'trainer',
      trainerId: '',
    });
    expect(refused.statusCode).toBe(400);
    const page = parsePage(refused.body);
    expect(page.text('#email-error')).toContain('correct format');
    expect(page.document.querySelector('#name')?.getAttribute('value')).toBe('Tariq Trainer');
    expect(page.document.querySelector('#email')?.getAttribute('value')).toBe('not an email');

    const noTrainer = await admin.submit('/admin/staff/new', {
      name: 'Tariq Trainer',
      email: 'tariq@hub.example.org.uk',
      role: 'trainer',
      trainerId: '',
    });
    expect(noTrainer.statusCode).toBe(400);
    expect(parsePage(noTrainer.body).text('#trainerId-error')).toContain('Choose which trainer they are');

    const unknownRole = await admin.submit('/admin/staff/new', {
      name: 'Tariq Trainer',
      email: 'tariq@hub.example.org.uk',
      role: 'superuser',
      trainerId: '',
    });
    expect(unknownRole.statusCode).toBe(400);
    expect(parsePage(unknownRole.body).text('#role-error')).toContain('Choose what they do');

    const taken = await admin.submit('/admin/staff/new', {
      name: 'Someone Else',
      email: 'cora.coordinator@hub.example.org.uk',
      role: 'viewer',
      trainerId: '',
    });
    expect(taken.statusCode).toBe(400);
    expect(parsePage(taken.body).text('#email-error')).toContain('already a staff account');
    const tariq = await t.database.db
      .selectFrom('staff_users')
      .where('email', '=', 'tariq@hub.example.org.uk')
      .select('id')
      .executeTakeFirst();
    expect(tariq).toBeUndefined();
  });

  it('changes a role (a trainer linked to their trainer), and audits what changed', async () => {
    const cora = await staffRow('cora.coordinator@hub.example.org.uk');
    const trainer = await t.database.db
      .selectFrom('trainers')
      .where('slug', '=', 'lisa-cherry')
      .select('id')
      .executeTakeFirstOrThrow();
    const saved = await admin.submit(`/admin/staff/${cora.id}`, {
      name: 'Cora Coordinator',
      role: 'trainer',
      trainerId: String(trainer.id),
    });
    expect(saved.headers.location).toBe(`/admin/staff/${cora.id}?done=saved`);
    const after = await staffRow(cora.email);
    expect(after.role).toBe('trainer');
    expect(after.trainer_id).toBe(trainer.id);
    const entry = await t.database.db
      .selectFrom('audit_log')
      .where('action', '=', 'staff_updated')
      .where('entity_id', '=', cora.id)
      .select('details')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(entry.details)).toMatchObject({
      changed: ['role', 'trainer'],
      role: { from: 'coordinator', to: 'trainer' },
    });
  });

  it('never leaves the hub without an administrator, and nobody disables themselves', async () => {
    // A hub with one administrator: the one signed in here.
    const solo = await createTestApp(dialect);
    try {
      const only = await signedInStaff(solo, 'admin');
      const me = await solo.database.db
        .selectFrom('staff_users')
        .select(['id', 'name'])
        .executeTakeFirstOrThrow();
      const demoted = await only.submit(`/admin/staff/${me.id}`, {
        name: me.name,
        role: 'viewer',
        trainerId: '',
      });
      expect(demoted.statusCode).toBe(400);
      expect(parsePage(demoted.body).text('#role-error')).toContain('only administrator');
      // The page offers no disable button for yourself; posting anyway is refused.
      const page = parsePage((await only.get(`/admin/staff/${me.id}`)).body);
      expect(page.document.querySelector(`form[action="/admin/staff/${me.id}/disable"]`)).toBeNull();
      const csrf = page.document.querySelector('input[name="_csrf"]')?.getAttribute('value') ?? '';
      const forced = await only.post(`/admin/staff/${me.id}/disable`, { _csrf: csrf });
      expect(forced.statusCode).toBe(409);
      expect(forced.body).toContain('cannot disable your own account');
      const row = await solo.database.db.selectFrom('staff_users').selectAll().executeTakeFirstOrThrow();
      expect(row.role).toBe('admin');
      expect(row.disabled_at).toBeNull();
    } finally {
      await solo.close();
    }
  });

  it('disabling signs the person out everywhere at once; opening the account again lets them back', async () => {
    const viewer = await signedInStaff(t, 'viewer');
    expect((await viewer.get('/admin')).statusCode).toBe(200);
    const row = await t.database.db
      .selectFrom('staff_users')
      .where('role', '=', 'viewer')
      .select(['id'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const disabled = await admin.submit(`/admin/staff/${row.id}`, {}, `/admin/staff/${row.id}/disable`);
    expect(disabled.headers.location).toBe(`/admin/staff/${row.id}?done=disabled`);
    expect((await viewer.get('/admin')).statusCode).toBe(404);
    const enabled = await admin.submit(`/admin/staff/${row.id}`, {}, `/admin/staff/${row.id}/enable`);
    expect(enabled.headers.location).toBe(`/admin/staff/${row.id}?done=enabled`);
    expect(await auditActions(row.id)).toEqual(['staff_disabled', 'staff_enabled']);
  });

  it('resets a lost authenticator: signed out, and the next sign-in sets up a new one', async () => {
    const cora = await staffRow('cora.coordinator@hub.example.org.uk');
    const signInWithPassword = async () =>
      (await new WebClient(t.app).submit('/admin/sign-in', { email: cora.email, password: OWN_PASSWORD }))
        .headers.location;
    expect(await signInWithPassword()).toBe('/admin/sign-in/code');

    const confirm = await admin.get(`/admin/staff/${cora.id}/reset-second-factor`);
    expect(confirm.statusCode).toBe(200);
    expect(parsePage(confirm.body).text('h1')).toBe('Reset their authenticator');
    const reset = await admin.submit(`/admin/staff/${cora.id}/reset-second-factor`, {});
    expect(reset.headers.location).toBe(`/admin/staff/${cora.id}?done=second-factor-reset`);
    const row = await staffRow(cora.email);
    expect(row.totp_secret).toBeNull();
    expect(row.totp_enrolled_at).toBeNull();
    const codes = await t.database.db
      .selectFrom('staff_recovery_codes')
      .where('staff_id', '=', cora.id)
      .select('id')
      .execute();
    expect(codes).toHaveLength(0);
    // With the password, the next sign-in sets up a new authenticator.
    expect(await signInWithPassword()).toBe('/admin/enrol');
    expect(await auditActions(cora.id)).toContain('staff_second_factor_reset');
  });

  it('gives a forgotten password a new one-time one, shown once; the old one stops working', async () => {
    const cora = await staffRow('cora.coordinator@hub.example.org.uk');
    const made = await admin.submit(`/admin/staff/${cora.id}/reset-password`, {});
    expect(made.statusCode).toBe(200);
    expect(made.headers['cache-control']).toBe('no-store');
    const password = parsePage(made.body).text('#one-time-password');
    const client = new WebClient(t.app);
    expect(
      (await client.submit('/admin/sign-in', { email: cora.email, password: OWN_PASSWORD })).statusCode,
    ).toBe(400);
    // (Her authenticator was reset above, so the next step is setting one up.)
    expect((await client.submit('/admin/sign-in', { email: cora.email, password })).headers.location).toBe(
      '/admin/enrol',
    );
    expect((await staffRow(cora.email)).password_change_required_at).not.toBeNull();
    expect(await auditActions(cora.id)).toContain('staff_password_reset');
  });
});
