/** Staff sign-in through its pages: a password, then a second factor, on both databases. */
import type { Kysely } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { createAdmin } from '../../src/cli/createAdmin.js';
import type { StaffDB } from '../../src/data/repositories/accounts/staffRepository.js';
import type { StaffRole } from '../../src/domain/accounts/staff.js';
import { TEST_NOW } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { COORDINATORS_ONLY, createStaffTestApp, type StaffTestApp } from '../support/staffApp.js';

const STAFF_COOKIE = '__Host-trellis_staff';
const DELEGATE_COOKIE = '__Host-trellis_session';
const PASSWORD = 'correct horse battery staple';

eachDatabase('staff sign-in', (dialect) => {
  let t: StaffTestApp;
  let clock: SettableClock;

  beforeAll(async () => {
    clock = settableClock(TEST_NOW);
    t = await createStaffTestApp(dialect, { clock });
  });
  afterAll(() => t.close());

  /** The database, with the staff tables' types (not yet in schema.ts). */
  const db = () => t.database.db as unknown as Kysely<StaffDB>;

  /** The code an authenticator app would show now, computed as the app does. */
  const codeFor = (secret: string) =>
    new TOTP({ secret: Secret.fromBase32(secret.replace(/\s/g, '')), digits: 6, period: 30 }).generate({
      timestamp: clock.now().getTime(),
    });

  /** Into the next 30-second step, so a fresh code is not the one just used. */
  const nextStep = () => clock.advance(30_000);

  async function createStaff(role: StaffRole, email: string) {
    await t.staff.create({ name: `Sam ${role}`, email, role }, PASSWORD);
  }

  /** First sign-in: password, enrol, recovery codes. Returns the secret and codes. */
  async function enrol(client: WebClient, email: string, password = PASSWORD) {
    const signedIn = await client.submit('/admin/sign-in', { email, password });
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe('/admin/enrol');
    const page = parsePage((await client.get('/admin/enrol')).body);
    const secret = page.text('#setup-key');
    const done = await client.submit('/admin/enrol', { code: codeFor(secret) });
    expect(done.statusCode).toBe(200);
    const recoveryCodes = parsePage(done.body).listItems('#recovery-codes li');
    return { secret, recoveryCodes };
  }

  async function signIn(client: WebClient, email: string, code: string) {
    const signedIn = await client.submit('/admin/sign-in', { email, password: PASSWORD });
    expect(signedIn.headers.location).toBe('/admin/sign-in/code');
    return client.submit('/admin/sign-in/code', { code });
  }

  it('lets the first admin enrol an authenticator and see ten recovery codes once', async () => {
    const admin = await createAdmin(
      { name: 'Alex Admin', email: 'Alex.Admin@hub.example.org.uk' },
      t.services,
    );
    expect(admin.password.length).toBeGreaterThanOrEqual(20);
    const stored = await t.staff.findByEmail('alex.admin@hub.example.org.uk');
    expect(stored?.role).toBe('admin');
    expect(stored?.password_hash).toMatch(/^\$argon2id\$/);
    await expect(createAdmin({ name: 'Again', email: admin.email }, t.services)).rejects.toThrow(/already/);

    const client = new WebClient(t.app);
    const wrong = await client.submit('/admin/sign-in', { email: admin.email, password: 'not the password' });
    expect(wrong.statusCode).toBe(400);
    expect(parsePage(wrong.body).text('#password-error')).toContain(
      'Enter a correct email address and password',
    );
    expect(client.hasCookie(STAFF_COOKIE)).toBe(false);

    const signedIn = await client.submit('/admin/sign-in', { email: admin.email, password: admin.password });
    expect(signedIn.headers.location).toBe('/admin/enrol');
    expect(client.hasCookie(STAFF_COOKIE)).toBe(true);
    expect(client.hasCookie(DELEGATE_COOKIE)).toBe(false);
    // Part-way through signing in is not signed in.
    expect((await client.get('/admin')).statusCode).toBe(404);
    expect((await client.get('/admin/sign-in/code')).headers.location).toBe('/admin/enrol');

    const enrolPage = await client.get('/admin/enrol');
    expect(enrolPage.headers['cache-control']).toBe('no-store');
    const page = parsePage(enrolPage.body);
    const secret = page.text('#setup-key');
    expect(secret.replace(/\s/g, '')).toMatch(/^[A-Z2-7]{32}$/);
    // The same secret on reload, as text and in the QR code.
    expect(parsePage((await client.get('/admin/enrol')).body).text('#setup-key')).toBe(secret);
    const src = page.document.querySelector('img.trellis-qr-code')?.getAttribute('src') ?? '';
    expect(src).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(src.split(',')[1]!, 'base64').toString('utf8')).toContain('<svg');

    const badCode = await client.submit('/admin/enrol', {
      code: '000000' === codeFor(secret) ? '111111' : '000000',
    });
    expect(badCode.statusCode).toBe(400);
    expect(parsePage(badCode.body).text('#code-error')).toContain('6-digit code');

    const done = await client.submit('/admin/enrol', { code: codeFor(secret) });
    expect(done.statusCode).toBe(200);
    expect(done.headers['cache-control']).toBe('no-store');
    const codes = parsePage(done.body).listItems('#recovery-codes li');
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    // Stored hashed, never as shown.
    const hashes = await db().selectFrom('staff_recovery_codes').select('code_hash').execute();
    expect(hashes).toHaveLength(10);
    expect(hashes.map((h) => h.code_hash)).not.toContain(codes[0]);
    // The authenticator secret is stored sealed, not as the app was given it.
    const stored2 = await db()
      .selectFrom('staff_users')
      .where('email', '=', admin.email)
      .select('totp_secret')
      .executeTakeFirstOrThrow();
    expect(stored2.totp_secret).toMatch(/^v1\./);
    expect(stored2.totp_secret).not.toContain(secret.replace(/\s/g, ''));

    // The one-time password gets them only as far as choosing their own.
    for (const path of ['/admin', COORDINATORS_ONLY, '/admin/settings']) {
      const sent = await client.get(path);
      expect(sent.statusCode, path).toBe(303);
      expect(sent.headers.location).toBe('/admin/password');
    }
    const short = await client.submit('/admin/password', {
      currentPassword: admin.password,
      newPassword: 'too short',
      confirmPassword: 'too short',
    });
    expect(short.statusCode).toBe(400);
    expect(parsePage(short.body).text('#newPassword-error')).toContain('at least 12 characters');
    const wrongCurrent = await client.submit('/admin/password', {
      currentPassword: 'not the one-time password',
      newPassword: PASSWORD,
      confirmPassword: PASSWORD,
    });
    expect(parsePage(wrongCurrent.body).text('#currentPassword-error')).toContain('not right');
    const mismatch = await client.submit('/admin/password', {
      currentPassword: admin.password,
      newPassword: PASSWORD,
      confirmPassword: `${PASSWORD}!`,
    });
    expect(parsePage(mismatch.body).text('#confirmPassword-error')).toContain('do not match');
    const chosen = await client.submit('/admin/password', {
      currentPassword: admin.password,
      newPassword: PASSWORD,
      confirmPassword: PASSWORD,
    });
    expect(chosen.headers.location).toBe('/admin/password?done=changed');

    const home = await client.get('/admin');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Alex Admin');
    expect((await client.get(COORDINATORS_ONLY)).statusCode).toBe(200);
    // The one-time password no longer works; the chosen one does.
    const again = new WebClient(t.app);
    expect(
      (await again.submit('/admin/sign-in', { email: admin.email, password: admin.password })).statusCode,
    ).toBe(400);
    expect(
      (await again.submit('/admin/sign-in', { email: admin.email, password: PASSWORD })).headers.location,
    ).toBe('/admin/sign-in/code');
    // Enrolment is over: the page sends a signed-in admin on.
    expect((await client.get('/admin/enrol')).headers.location).toBe('/admin');
  });

  it('refuses a one-time password after 24 hours, telling its holder to ask for a new one', async () => {
    const admin = await createAdmin(
      { name: 'Late Starter', email: 'late.starter@hub.example.org.uk' },
      t.services,
    );
    clock.advance(24 * 3_600_000);
    const late = await new WebClient(t.app).submit('/admin/sign-in', {
      email: admin.email,
      password: admin.password,
    });
    expect(late.statusCode).toBe(400);
    expect(parsePage(late.body).text('#password-error')).toContain(
      'This one-time password has expired. Ask an administrator of your hub for a new one',
    );
    // A wrong password is not told whether the one-time one expired.
    const wrong = await new WebClient(t.app).submit('/admin/sign-in', {
      email: admin.email,
      password: 'nope',
    });
    expect(parsePage(wrong.body).text('#password-error')).toContain(
      'Enter a correct email address and password',
    );
    // The command line gives the first administrator a new one, which works.
    const again = await createAdmin({ name: 'Late Starter', email: admin.email }, t.services);
    expect(again.password).not.toBe(admin.password);
    const signedIn = await new WebClient(t.app).submit('/admin/sign-in', {
      email: admin.email,
      password: again.password,
    });
    expect(signedIn.headers.location).toBe('/admin/enrol');
  });

  it('asks for a code at later sign-ins, and accepts each code only once', async () => {
    const email = 'cora.coordinator@hub.example.org.uk';
    await createStaff('coordinator', email);
    const { secret } = await enrol(new WebClient(t.app), email);

    // The code used to enrol is spent, even in a new browser within its 30 seconds.
    const reuse = new WebClient(t.app);
    const refused = await signIn(reuse, email, codeFor(secret));
    expect(refused.statusCode).toBe(400);
    expect(parsePage(refused.body).text('#code-error')).toContain('Enter a correct code');
    expect((await reuse.get('/admin')).statusCode).toBe(404);

    nextStep();
    const client = new WebClient(t.app);
    const code = codeFor(secret);
    const accepted = await signIn(client, email, code);
    expect(accepted.statusCode).toBe(303);
    expect(accepted.headers.location).toBe('/admin');
    expect((await client.get(COORDINATORS_ONLY)).statusCode).toBe(200);

    // Someone who saw that code cannot use it in the same step.
    const onlooker = new WebClient(t.app);
    expect((await signIn(onlooker, email, code)).statusCode).toBe(400);
    // Nor is a code from a long-past step accepted.
    const old = new TOTP({ secret: Secret.fromBase32(secret.replace(/\s/g, '')) }).generate({
      timestamp: clock.now().getTime() - 10 * 60_000,
    });
    nextStep();
    expect((await signIn(new WebClient(t.app), email, old)).statusCode).toBe(400);
  });

  it('accepts a recovery code instead, once', async () => {
    const email = 'rory.recovery@hub.example.org.uk';
    await createStaff('viewer', email);
    const { recoveryCodes } = await enrol(new WebClient(t.app), email);
    const [first] = recoveryCodes;

    const client = new WebClient(t.app);
    const typed = first!.toUpperCase().replace(/-/g, ' ');
    const accepted = await signIn(client, email, typed);
    expect(accepted.statusCode).toBe(303);
    expect((await client.get('/admin')).statusCode).toBe(200);

    const again = await signIn(new WebClient(t.app), email, first!);
    expect(again.statusCode).toBe(400);
    // Another person's recovery code is not this person's.
    const otherEmail = 'olive.other@hub.example.org.uk';
    await createStaff('viewer', otherEmail);
    const other = await enrol(new WebClient(t.app), otherEmail);
    expect((await signIn(new WebClient(t.app), email, other.recoveryCodes[0]!)).statusCode).toBe(400);
  });

  it('shows a trainer or viewer “page not found” for pages their role may not use', async () => {
    for (const role of ['trainer', 'viewer'] as const) {
      const email = `${role}.only@hub.example.org.uk`;
      await createStaff(role, email);
      const client = new WebClient(t.app);
      await enrol(client, email);
      expect((await client.get('/admin')).statusCode).toBe(200);
      const refused = await client.get(COORDINATORS_ONLY);
      expect(refused.statusCode).toBe(404);
      expect(parsePage(refused.body).h1()).toBe('Page not found');
    }
    // Signed out, or signed in only as a delegate, it is the same 404.
    expect((await new WebClient(t.app).get(COORDINATORS_ONLY)).statusCode).toBe(404);
  });

  it('ends sessions after 30 idle minutes, 10 hours after the password, or 10 minutes part-way', async () => {
    const email = 'tess.timeout@hub.example.org.uk';
    await createStaff('coordinator', email);
    const { secret } = await enrol(new WebClient(t.app), email);

    // Idle: 29 minutes is fine, then 31 more is not.
    nextStep();
    let client = new WebClient(t.app);
    expect((await signIn(client, email, codeFor(secret))).statusCode).toBe(303);
    clock.advance(29 * 60_000);
    expect((await client.get('/admin')).statusCode).toBe(200);
    clock.advance(31 * 60_000);
    expect((await client.get('/admin')).statusCode).toBe(404);

    // Absolute: active every 20 minutes, still ended ten hours after the password.
    nextStep();
    client = new WebClient(t.app);
    expect((await signIn(client, email, codeFor(secret))).statusCode).toBe(303);
    for (let minutes = 20; minutes < 600; minutes += 20) {
      clock.advance(20 * 60_000);
      expect((await client.get('/admin')).statusCode, `after ${minutes} minutes`).toBe(200);
    }
    clock.advance(20 * 60_000);
    expect((await client.get('/admin')).statusCode).toBe(404);

    // Part-way: the code page, left for eleven minutes, starts again.
    nextStep();
    const slow = new WebClient(t.app);
    await slow.submit('/admin/sign-in', { email, password: PASSWORD });
    const form = parsePage((await slow.get('/admin/sign-in/code')).body);
    const csrf = form.document.querySelector('input[name="_csrf"]')?.getAttribute('value') ?? '';
    clock.advance(11 * 60_000);
    const late = await slow.post('/admin/sign-in/code', { _csrf: csrf, code: codeFor(secret) });
    expect(late.statusCode).toBe(303);
    expect(late.headers.location).toBe('/admin/sign-in');
    expect((await slow.get('/admin')).statusCode).toBe(404);
  });

  it('signs out on the server: the session is revoked, not only the cookie cleared', async () => {
    const email = 'sol.signout@hub.example.org.uk';
    await createStaff('admin', email);
    const client = new WebClient(t.app);
    await enrol(client, email);
    const sessions = async () =>
      (
        await db()
          .selectFrom('sign_in_sessions')
          .innerJoin('staff_users', 'staff_users.id', 'sign_in_sessions.staff_id')
          .where('staff_users.email', '=', email)
          .where('sign_in_sessions.stage', '=', 'signed_in')
          .select('sign_in_sessions.revoked_at')
          .execute()
      ).map((row) => row.revoked_at);
    expect(await sessions()).toEqual([null]);
    const staffCookie = await cookieValue(client, STAFF_COOKIE);

    // The sign-out button will sit in the back office's header; any form's token serves.
    const csrf = parsePage((await client.get('/sign-in')).body)
      .document.querySelector('input[name="_csrf"]')
      ?.getAttribute('value');
    const out = await client.post('/admin/sign-out', { _csrf: csrf ?? '' });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/admin/sign-in?signed-out=1');
    expect(client.hasCookie(STAFF_COOKIE)).toBe(false);
    expect(await sessions()).not.toContain(null);
    expect(parsePage((await client.get('/admin/sign-in?signed-out=1')).body).text()).toContain(
      'You have signed out',
    );
    // A copy of the old cookie is worth nothing.
    const replay = await t.app.inject({ method: 'GET', url: '/admin', headers: { cookie: staffCookie } });
    expect(replay.statusCode).toBe(404);
  });

  it('slows password guessing per account without locking its owner out, and limits code attempts', async () => {
    const email = 'guessed.at@hub.example.org.uk';
    await createStaff('admin', email);
    await enrol(new WebClient(t.app), email);

    const statuses: number[] = [];
    // enrol() signed in once (and so started afresh): five wrong, then a wait.
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (await new WebClient(t.app).submit('/admin/sign-in', { email, password: `guess ${i}` })).statusCode,
      );
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    // During the wait even the right password is not checked…
    const paused = await new WebClient(t.app).submit('/admin/sign-in', {
      email: email.toUpperCase(),
      password: PASSWORD,
    });
    expect(paused.statusCode).toBe(429);
    expect(paused.headers['retry-after']).toBe('1');
    expect(parsePage(paused.body).text('#password-error')).toContain('wait 1 second, then try again');
    // …and once it is over, the right password works.
    clock.advance(1_000);
    const owner = await new WebClient(t.app).submit('/admin/sign-in', { email, password: PASSWORD });
    expect(owner.statusCode).toBe(303);
    expect(owner.headers.location).toBe('/admin/sign-in/code');

    const codeEmail = 'code.guessed@hub.example.org.uk';
    await createStaff('admin', codeEmail);
    const other = await enrol(new WebClient(t.app), codeEmail);
    nextStep();
    const client = new WebClient(t.app);
    await client.submit('/admin/sign-in', { email: codeEmail, password: PASSWORD });
    const wrong = codeFor(other.secret) === '123456' ? '654321' : '123456';
    const codeStatuses: number[] = [];
    for (let i = 0; i < 11; i++)
      codeStatuses.push((await client.submit('/admin/sign-in/code', { code: wrong })).statusCode);
    expect(codeStatuses.slice(0, 10)).toEqual(Array(10).fill(400));
    expect(codeStatuses[10]).toBe(429);
  });
});

/** "name=value" of a cookie the client holds, to replay it from elsewhere. */
async function cookieValue(client: WebClient, name: string): Promise<string> {
  const cookies = (client as unknown as { cookies: Map<string, string> }).cookies;
  return `${name}=${cookies.get(name) ?? ''}`;
}
