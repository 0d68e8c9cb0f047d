/**
 * The one session store behind delegates' and staff's sign-ins, on both
 * databases: the limits each kind is given, "last seen", signing out one
 * browser, all of them or all but one, and the two kinds never mistaken
 * for each other, whether asked of the store or through the app's cookies.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { migrateTo, migrateToLatest } from '../../src/data/migrations/index.js';
import { AccountRepository } from '../../src/data/repositories/accounts/accountRepository.js';
import { DELEGATE_SESSION_LIMITS } from '../../src/domain/accounts/accounts.js';
import {
  STAFF_PART_WAY_LIMITS,
  STAFF_SESSION_LIMITS,
  staffSessionLimits,
} from '../../src/domain/accounts/staff.js';
import { hashSecret } from '../../src/services/accounts/secrets.js';
import { SignInSessions, type SignInPerson } from '../../src/services/accounts/signInSessions.js';
import { TEST_NOW } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { signedInStaff } from '../support/staff.js';
import { createStaffTestApp, type StaffTestApp } from '../support/staffApp.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
// PUBLIC_URL is https in the test app, so the cookies have the __Host- names.
const DELEGATE_COOKIE = '__Host-trellis_session';
const STAFF_COOKIE = '__Host-trellis_staff';

const start = new Date(TEST_NOW);
const at = (milliseconds: number) => new Date(start.getTime() + milliseconds);

eachDatabase('sign-in sessions', (dialect) => {
  let t: StaffTestApp;
  let store: SignInSessions;
  let delegate: SignInPerson;
  let staff: SignInPerson;

  beforeAll(async () => {
    t = await createStaffTestApp(dialect);
    store = new SignInSessions(t.database.db);
    const accounts = new AccountRepository(t.database.db);
    const delegateId = await accounts.createDelegate(
      {
        name: 'Robin Ellis',
        email: 'robin.ellis@council.example.org.uk',
        organisationId: null,
        jobRole: 'Social worker',
        lineManagerName: '',
        lineManagerEmail: '',
      },
      null,
      start,
    );
    await accounts.markEmailVerified(delegateId, start);
    const staffId = await t.staff.create(
      { name: 'Robin Staff', email: 'robin.staff@hub.example.org.uk', role: 'coordinator' },
      'a staff password for tests',
    );
    delegate = { kind: 'delegate', id: delegateId };
    staff = { kind: 'staff', id: staffId };
  });
  afterAll(() => t.close());

  const row = (secret: string) =>
    t.database.db
      .selectFrom('sign_in_sessions')
      .where('id_hash', '=', hashSecret(secret))
      .selectAll()
      .executeTakeFirstOrThrow();

  describe('the store', () => {
    it('ends a sign-in after its idle limit, however recent its start', async () => {
      const secret = await store.start(delegate, DELEGATE_SESSION_LIMITS, start);
      expect(await store.check('delegate', secret, DELEGATE_SESSION_LIMITS, at(59 * MINUTE))).not.toBeNull();
      // Seen at 59 minutes: idle from then.
      expect(await store.check('delegate', secret, DELEGATE_SESSION_LIMITS, at(118 * MINUTE))).not.toBeNull();
      expect(await store.check('delegate', secret, DELEGATE_SESSION_LIMITS, at(179 * MINUTE))).toBeNull();

      // The same session, asked with staff's shorter idle limit, has gone idle sooner.
      const other = await store.start(delegate, DELEGATE_SESSION_LIMITS, start);
      expect(await store.check('delegate', other, STAFF_SESSION_LIMITS, at(31 * MINUTE))).toBeNull();
    });

    it('ends a sign-in at its absolute end, however active', async () => {
      const secret = await store.start(delegate, DELEGATE_SESSION_LIMITS, start);
      expect((await row(secret)).expires_at).toBe(at(12 * HOUR).toISOString());
      for (let minutes = 50; minutes < 12 * 60; minutes += 50) {
        expect(
          await store.check('delegate', secret, DELEGATE_SESSION_LIMITS, at(minutes * MINUTE)),
        ).not.toBeNull();
      }
      expect(await store.check('delegate', secret, DELEGATE_SESSION_LIMITS, at(12 * HOUR))).toBeNull();
    });

    it('reads a delegate’s session and who the delegate is in one, with the same rules as any session', async () => {
      const secret = await store.start(delegate, DELEGATE_SESSION_LIMITS, start);
      const found = await store.checkDelegate(secret, DELEGATE_SESSION_LIMITS, at(2 * MINUTE));
      expect(found).toEqual({
        signIn: { person: delegate, stage: null, idHash: hashSecret(secret) },
        delegate: {
          id: delegate.id,
          name: 'Robin Ellis',
          email: 'robin.ellis@council.example.org.uk',
          emailVerifiedAt: start.toISOString(),
          mergedIntoId: null,
        },
      });
      // Seen, as `check` marks it.
      expect((await row(secret)).last_seen_at).toBe(at(2 * MINUTE).toISOString());
      // Idle past its limit, or signed out: nothing.
      expect(await store.checkDelegate(secret, DELEGATE_SESSION_LIMITS, at(63 * MINUTE))).toBeNull();
      const other = await store.start(delegate, DELEGATE_SESSION_LIMITS, start);
      await store.end('delegate', hashSecret(other), at(MINUTE));
      expect(await store.checkDelegate(other, DELEGATE_SESSION_LIMITS, at(2 * MINUTE))).toBeNull();
      // A member of staff's session is not a delegate's, nor is a secret nobody was given.
      const staffSecret = await store.start(staff, STAFF_SESSION_LIMITS, start, { stage: 'signed_in' });
      expect(await store.checkDelegate(staffSecret, DELEGATE_SESSION_LIMITS, at(MINUTE))).toBeNull();
      expect(await store.checkDelegate('not-a-secret', DELEGATE_SESSION_LIMITS, at(MINUTE))).toBeNull();
    });

    it('writes “last seen” at most once a minute', async () => {
      const secret = await store.start(delegate, DELEGATE_SESSION_LIMITS, start);
      await store.check('delegate', secret, DELEGATE_SESSION_LIMITS, at(30_000));
      expect((await row(secret)).last_seen_at).toBe(start.toISOString());
      await store.check('delegate', secret, DELEGATE_SESSION_LIMITS, at(61_000));
      expect((await row(secret)).last_seen_at).toBe(at(61_000).toISOString());
    });

    it('signs out one browser, every browser but one, or every browser', async () => {
      const [laptop, phone, tablet] = await Promise.all(
        [1, 2, 3].map(() => store.start(delegate, DELEGATE_SESSION_LIMITS, start)),
      );
      const check = (secret: string) => store.check('delegate', secret, DELEGATE_SESSION_LIMITS, at(MINUTE));

      expect(await store.end('delegate', hashSecret(laptop!), start)).toBe(true);
      expect(await store.end('delegate', hashSecret(laptop!), start)).toBe(false);
      expect(await check(laptop!)).toBeNull();
      expect(await check(phone!)).not.toBeNull();

      await store.endAll(delegate, start, hashSecret(phone!));
      expect(await check(phone!)).not.toBeNull();
      expect(await check(tablet!)).toBeNull();

      await store.endAll(delegate, start);
      expect(await check(phone!)).toBeNull();
    });

    it('keeps delegates’ and staff’s sessions apart, even for the same id', async () => {
      // Each kind numbers its people from one, so ids alone would not tell them apart.
      expect(delegate.id).toBe(staff.id);
      const delegateSecret = await store.start(delegate, DELEGATE_SESSION_LIMITS, start);
      const staffSecret = await store.start(staff, STAFF_SESSION_LIMITS, start, { stage: 'signed_in' });
      const now = at(MINUTE);

      expect(await store.check('staff', delegateSecret, STAFF_SESSION_LIMITS, now)).toBeNull();
      expect(await store.check('delegate', staffSecret, DELEGATE_SESSION_LIMITS, now)).toBeNull();
      expect(await store.end('staff', hashSecret(delegateSecret), now)).toBe(false);
      expect(await store.end('delegate', hashSecret(staffSecret), now)).toBe(false);

      await store.endAll(staff, now, hashSecret(staffSecret));
      await store.endAll({ kind: 'staff', id: delegate.id }, now, hashSecret(staffSecret));
      expect(await store.check('delegate', delegateSecret, DELEGATE_SESSION_LIMITS, now)).toMatchObject({
        person: delegate,
        stage: null,
      });
      await store.endAll({ kind: 'delegate', id: staff.id }, now);
      expect(await store.check('staff', staffSecret, STAFF_SESSION_LIMITS, now)).toMatchObject({
        person: staff,
        stage: 'signed_in',
      });
    });

    it('refuses a row that belongs to both kinds, or to a member of staff without a stage', async () => {
      const insert = (values: {
        kind: 'delegate' | 'staff';
        delegate_id: number | null;
        staff_id: number | null;
        stage: 'signed_in' | null;
      }) =>
        t.database.db
          .insertInto('sign_in_sessions')
          .values({
            id_hash: hashSecret(JSON.stringify(values)),
            ...values,
            created_at: TEST_NOW,
            last_seen_at: TEST_NOW,
            expires_at: TEST_NOW,
            revoked_at: null,
          })
          .execute();
      await expect(
        insert({ kind: 'delegate', delegate_id: delegate.id, staff_id: staff.id, stage: null }),
      ).rejects.toThrow();
      await expect(
        insert({ kind: 'delegate', delegate_id: delegate.id, staff_id: null, stage: 'signed_in' }),
      ).rejects.toThrow();
      await expect(
        insert({ kind: 'staff', delegate_id: null, staff_id: staff.id, stage: null }),
      ).rejects.toThrow();
      await expect(
        insert({ kind: 'staff', delegate_id: delegate.id, staff_id: null, stage: 'signed_in' }),
      ).rejects.toThrow();
    });

    it('renews a part-way staff session with a new secret, its end still counted from the password', async () => {
      const partWay = await store.start(staff, STAFF_PART_WAY_LIMITS, start, { stage: 'second_factor' });
      expect((await row(partWay)).expires_at).toBe(at(10 * MINUTE).toISOString());
      const now = at(5 * MINUTE);
      const checked = await store.check('staff', partWay, staffSessionLimits, now);
      expect(checked?.stage).toBe('second_factor');

      const signedIn = await store.renew('staff', checked!.idHash, 'signed_in', STAFF_SESSION_LIMITS, now);
      expect(signedIn).not.toBeNull();
      // A second tab finishing the same step gets nothing.
      expect(await store.renew('staff', checked!.idHash, 'signed_in', STAFF_SESSION_LIMITS, now)).toBeNull();
      expect(await store.check('staff', partWay, staffSessionLimits, now)).toBeNull();
      expect(await store.check('staff', signedIn!, staffSessionLimits, now)).toMatchObject({
        stage: 'signed_in',
      });
      expect((await row(signedIn!)).expires_at).toBe(at(10 * HOUR).toISOString());
      // Past ten minutes, the signed-in session is held to staff's 30 idle minutes, not the part-way limit.
      expect(await store.check('staff', signedIn!, staffSessionLimits, at(30 * MINUTE))).not.toBeNull();
    });
  });

  describe('through the app’s cookies', () => {
    it('never lets a delegate’s cookie into the back office, nor a staff cookie into an account', async () => {
      const delegateSecret = await store.start(delegate, DELEGATE_SESSION_LIMITS, start);
      const delegateClient = new WebClient(t.app);
      delegateClient.setCookie(DELEGATE_COOKIE, delegateSecret);
      expect((await delegateClient.get('/bookings')).statusCode).toBe(200);
      const staffClient = await signedInStaff(t, 'admin');
      expect((await staffClient.get('/admin')).statusCode).toBe(200);
      const staffSecret = cookie(staffClient, STAFF_COOKIE);

      const nobody = await new WebClient(t.app).get('/admin');
      const delegateAtTheBackOffice = new WebClient(t.app);
      delegateAtTheBackOffice.setCookie(STAFF_COOKIE, delegateSecret);
      const refused = await delegateAtTheBackOffice.get('/admin');
      expect(refused.statusCode).not.toBe(200);
      expect([refused.statusCode, refused.headers.location]).toEqual([
        nobody.statusCode,
        nobody.headers.location,
      ]);

      const staffAtAnAccount = new WebClient(t.app);
      staffAtAnAccount.setCookie(DELEGATE_COOKIE, staffSecret);
      const sentToSignIn = await staffAtAnAccount.get('/bookings');
      expect(sentToSignIn.statusCode).toBe(303);
      expect(sentToSignIn.headers.location).toMatch(/^\/sign-in/);
    });

    it('keeps everyone signed in across migration 012, and back', async () => {
      const delegateSecret = await store.start(delegate, DELEGATE_SESSION_LIMITS, start);
      const delegateClient = new WebClient(t.app);
      delegateClient.setCookie(DELEGATE_COOKIE, delegateSecret);
      const staffClient = await signedInStaff(t, 'coordinator');
      const ended = await store.start(delegate, DELEGATE_SESSION_LIMITS, start);
      await store.end('delegate', hashSecret(ended), start);

      await migrateTo(t.database.db, dialect, '011-job-runs');
      const before = await sql<{ n: number | string }>`
        select (select count(*) from auth_sessions) + (select count(*) from staff_sessions) as n`.execute(
        t.database.db,
      );
      await migrateToLatest(t.database.db, dialect);
      const after = await t.database.db
        .selectFrom('sign_in_sessions')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.rows[0]!.n));

      expect((await delegateClient.get('/bookings')).statusCode).toBe(200);
      expect((await staffClient.get('/admin')).statusCode).toBe(200);
      // A session ended before stays ended, and the kinds stay apart.
      expect(await store.check('delegate', ended, DELEGATE_SESSION_LIMITS, start)).toBeNull();
      expect(await store.check('staff', delegateSecret, STAFF_SESSION_LIMITS, start)).toBeNull();
    });
  });
});

function cookie(client: WebClient, name: string): string {
  const value = (client as unknown as { cookies: Map<string, string> }).cookies.get(name);
  if (!value) throw new Error(`no ${name} cookie`);
  return value;
}
