/**
 * Who may open each back-office page, as a table (test/integration/admin-rules/).
 * The first test fails when a route under /admin has no rule, so nothing is
 * added unguarded; the next that every route asks for a capability from
 * domain/accounts/permissions.ts held by exactly the roles its rule allows, and that
 * each menu item names the capability of the page it links to; the others
 * sign in as each role and check every rule: allowed is 200, not allowed is
 * the ordinary 404; and a trainer gets 404 for the pages of a session they
 * do not teach.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rolesHolding } from '../../src/domain/accounts/permissions.js';
import { STAFF_ROLES, type StaffRole } from '../../src/domain/accounts/staff.js';
import { ADMIN_AREAS } from '../../src/web/adminNavigation.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';
import { pathFor, sampleParams, TRAINER_SLUG, type Samples } from '../support/adminSamples.js';
import { RULES } from './admin-rules/index.js';

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

  it('guards every back-office route with a capability held by exactly the roles its rule allows', () => {
    const routes = new Map(t.app.routeTable.map((route) => [`${route.method} ${route.url}`, route]));
    const sorted = (roles: readonly StaffRole[]) => [...roles].sort();
    for (const [route, allowed] of pages) {
      const capability = routes.get(route)?.capability;
      expect(capability, `${route} asks for no capability`).toBeDefined();
      if (capability)
        expect(sorted(rolesHolding(capability)), `${route}: ${capability}`).toEqual(sorted(allowed));
    }
    // The steps of signing in come before anyone has a role.
    for (const [route] of Object.entries(RULES).filter(([, rule]) => rule === 'sign-in step')) {
      expect(routes.get(route)?.capability, route).toBeUndefined();
    }
  });

  it('names, for each menu item, the capability of the page it links to', () => {
    expect(ADMIN_AREAS.length).toBeGreaterThan(5);
    for (const area of ADMIN_AREAS) {
      const page = t.app.routeTable.find((route) => route.method === 'GET' && route.url === area.href);
      expect(page?.capability, area.href).toBe(area.capability);
    }
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
