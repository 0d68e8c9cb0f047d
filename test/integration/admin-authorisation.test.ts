/**
 * Who may open each back-office page, as a table (test/integration/admin-rules/).
 * The first test fails when a route under /admin has no rule, so nothing is
 * added unguarded; the others sign in as each role and check every rule:
 * allowed is 200, not allowed is the ordinary 404; and a trainer gets 404 for
 * the pages of a session they do not teach.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { STAFF_ROLES, type StaffRole } from '../../src/domain/staff.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';
import { RULES } from './admin-rules/index.js';

/** The trainer the "trainer" role signs in as. */
const TRAINER_SLUG = 'lisa-cherry';

type Samples = Record<string, string>;

/** Sample values for route parameters: a session the trainer teaches, and what hangs off it. */
async function sampleParams(t: TestApp, teaches: boolean): Promise<Samples> {
  const db = t.database.db;
  const trainer = await db
    .selectFrom('trainers')
    .where('slug', '=', TRAINER_SLUG)
    .select('id')
    .executeTakeFirstOrThrow();
  const taughtBy = db
    .selectFrom('session_trainers')
    .where('trainer_id', '=', trainer.id)
    .select('session_id');
  const session = await db
    .selectFrom('sessions')
    .where('id', teaches ? 'in' : 'not in', taughtBy)
    .where('starts_at', '>', TEST_NOW)
    .where('cancelled_at', 'is', null)
    .where((eb) =>
      eb.exists(eb.selectFrom('bookings').whereRef('bookings.session_id', '=', 'sessions.id').select('id')),
    )
    .select(['id', 'course_id', 'venue_id'])
    .orderBy('starts_at')
    .executeTakeFirstOrThrow();
  const booking = await db
    .selectFrom('bookings')
    .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
    .where('session_id', '=', session.id)
    .select(['bookings.reference', 'delegates.id as delegateId', 'delegates.organisation_id'])
    .orderBy('bookings.id')
    .executeTakeFirstOrThrow();
  const venue = await db.selectFrom('venues').select('id').orderBy('id').executeTakeFirstOrThrow();
  const organisation = await db
    .selectFrom('organisations')
    .select('id')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  const staff = await db.selectFrom('staff_users').select('id').orderBy('id').executeTakeFirst();
  return {
    sessionId: String(session.id),
    courseId: String(session.course_id),
    venueId: String(session.venue_id ?? venue.id),
    trainerId: String(trainer.id),
    reference: booking.reference,
    delegateId: String(booking.delegateId),
    organisationId: String(booking.organisation_id ?? organisation.id),
    staffId: String(staff?.id ?? 1),
  };
}

function pathFor(route: string, samples: Samples): string {
  return route.replace(/^[A-Z]+ /, '').replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = samples[name];
    if (value === undefined) throw new Error(`No sample value for :${name} (see admin-rules/types.ts)`);
    return encodeURIComponent(value);
  });
}

eachDatabase('back-office authorisation', (dialect) => {
  let t: TestApp;
  let own: Samples;
  let others: Samples;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await t.app.ready();
    // A staff account exists for :staffId before anyone signs in.
    await signedInStaff(t, 'viewer');
    own = await sampleParams(t, true);
    others = await sampleParams(t, false);
  });
  afterAll(() => t.close());

  const pages = Object.entries(RULES).filter((entry): entry is [string, readonly StaffRole[]] =>
    Array.isArray(entry[1]),
  );
  const pagesToOpen = pages.filter(([route]) => route.startsWith('GET '));

  it('has a rule for every route under /admin', () => {
    const adminRoutes = t.app.routeTable
      .filter((route) => route.url === '/admin' || route.url.startsWith('/admin/'))
      .filter((route) => route.method !== 'HEAD')
      .map((route) => `${route.method} ${route.url}`);
    expect(adminRoutes.length).toBeGreaterThan(5);
    expect(adminRoutes.filter((route) => !(route in RULES))).toEqual([]);
    // …and no rule for a route that does not exist (a renamed one, say).
    expect(Object.keys(RULES).filter((rule) => !adminRoutes.includes(rule))).toEqual([]);
  });

  describe('each role', () => {
    for (const role of STAFF_ROLES) {
      it(`${role}: opens the pages the table allows, and gets 404 for the rest`, async () => {
        const client = await signedInStaff(t, role, role === 'trainer' ? TRAINER_SLUG : undefined);
        // Pages to open: GET routes (forms are checked by their own tests).
        for (const [route, allowed] of pagesToOpen) {
          const expected = allowed.includes(role) ? 200 : 404;
          expect((await client.get(pathFor(route, own))).statusCode, `${role} ${route}`).toBe(expected);
        }
      });
    }

    it('trainer: 404 for the pages of a session they do not teach', async () => {
      const client = await signedInStaff(t, 'trainer', TRAINER_SLUG);
      const sessionPages = pagesToOpen.filter(
        ([route, allowed]) => allowed.includes('trainer') && /:(sessionId|reference)/.test(route),
      );
      for (const [route] of sessionPages) {
        expect((await client.get(pathFor(route, others))).statusCode, route).toBe(404);
      }
    });

    it('signed out, or signed in only as a delegate: 404 everywhere', async () => {
      for (const [route] of pagesToOpen) {
        expect((await new WebClient(t.app).get(pathFor(route, own))).statusCode, route).toBe(404);
      }
    });

    it('a form sent by a role the table does not allow is refused with 404 and changes nothing', async () => {
      const viewer = await signedInStaff(t, 'viewer');
      const forms = pages.filter(
        ([route, allowed]) => !route.startsWith('GET ') && !allowed.includes('viewer'),
      );
      const before = await t.database.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      // A real CSRF token, so the refusal is the role's and not the token's.
      const _csrf = parsePage((await viewer.get('/admin')).body)
        .document.querySelector('input[name="_csrf"]')
        ?.getAttribute('value');
      expect(_csrf).toBeTruthy();
      for (const [route] of forms) {
        const response = await viewer.post(pathFor(route, own), { _csrf: _csrf ?? '' });
        expect(response.statusCode, route).toBe(404);
      }
      const after = await t.database.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });
  });
});
