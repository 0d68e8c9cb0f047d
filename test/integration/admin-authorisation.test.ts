/**
 * Who may open each back-office page, as a table. The first test fails when
 * a route under /admin has no rule here, so nothing is added unguarded; the
 * second signs in as each role and checks every rule: allowed is 200, not
 * allowed is the ordinary 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { STAFF_ROLES, type StaffRole } from '../../src/domain/staff.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { signedInStaff } from '../support/staff.js';

/** Steps of signing in, open to anyone (each checks its own stage). */
type SignInStep = 'sign-in step';

const RULES: Record<string, readonly StaffRole[] | SignInStep> = {
  'GET /admin': ['admin', 'coordinator', 'trainer', 'viewer'],
  'GET /admin/emails': ['admin', 'coordinator'],
  'GET /admin/audit': ['admin'],
  'GET /admin/settings': ['admin'],
  'POST /admin/settings': ['admin'],
  'GET /admin/sign-in': 'sign-in step',
  'POST /admin/sign-in': 'sign-in step',
  'GET /admin/sign-in/code': 'sign-in step',
  'POST /admin/sign-in/code': 'sign-in step',
  'GET /admin/enrol': 'sign-in step',
  'POST /admin/enrol': 'sign-in step',
  'POST /admin/sign-out': 'sign-in step',
};

eachDatabase('back-office authorisation', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await t.app.ready();
  });
  afterAll(() => t.close());

  it('has a rule for every route under /admin', () => {
    const adminRoutes = t.app.routeTable
      .filter((route) => route.url === '/admin' || route.url.startsWith('/admin/'))
      .filter((route) => route.method !== 'HEAD')
      .map((route) => `${route.method} ${route.url}`);
    expect(adminRoutes.length).toBeGreaterThan(5);
    expect(adminRoutes.filter((route) => !(route in RULES))).toEqual([]);
  });

  describe('each role', () => {
    const pages = Object.entries(RULES).filter((entry): entry is [string, readonly StaffRole[]] =>
      Array.isArray(entry[1]),
    );
    for (const role of STAFF_ROLES) {
      it(`${role}: opens the pages the table allows, and gets 404 for the rest`, async () => {
        const client = await signedInStaff(t, role, role === 'trainer' ? 'lisa-cherry' : undefined);
        // Pages to open: GET routes (forms are checked by their own tests).
        for (const [route, allowed] of pages.filter(([r]) => r.startsWith('GET '))) {
          const path = route.replace(/^GET /, '');
          const expected = allowed.includes(role) ? 200 : 404;
          expect((await client.get(path)).statusCode, `${role} ${route}`).toBe(expected);
        }
      });
    }

    it('signed out, or signed in only as a delegate: 404 everywhere', async () => {
      for (const [route] of pages.filter(([r]) => r.startsWith('GET '))) {
        expect((await new WebClient(t.app).get(route.replace(/^GET /, ''))).statusCode, route).toBe(404);
      }
    });
  });
});
