/**
 * Who may do what is decided only in permissions.ts. These tests read every
 * source file and template under src/ and fail on a list of roles or a
 * decision on a role name anywhere else, so a second copy cannot drift
 * from the first.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { CAPABILITIES, holds, maySeeSession, sessionsTaughtBy } from './permissions.js';
import { STAFF_ROLES } from './staff.js';

const SRC = fileURLToPath(new URL('../..', import.meta.url));

const ROLE = `(?:${STAFF_ROLES.join('|')})`;
const QUOTED_ROLE = `(['"\`])${ROLE}\\1`;
const ROLE_DECISIONS: readonly RegExp[] = [
  // ['admin', 'coordinator'] or ['trainer'], on one line or several
  new RegExp(`\\[\\s*(?:(['"\`])${ROLE}\\1\\s*,?\\s*)+\\]`, 'g'),
  // role === 'trainer', staff.role != "viewer" (and in templates, ==)
  new RegExp(`\\brole\\s*[!=]==?\\s*${QUOTED_ROLE}`, 'g'),
  new RegExp(`${QUOTED_ROLE}\\s*[!=]==?\\s*[\\w.!?]*\\brole\\b`, 'g'),
  // .includes('viewer')
  new RegExp(`\\.includes\\(\\s*${QUOTED_ROLE}`, 'g'),
  // .where('role', '=', 'admin')
  new RegExp(`['"]role['"]\\s*,\\s*['"][^'"]+['"]\\s*,\\s*${QUOTED_ROLE}`, 'g'),
];

/** Every role decision in `text`, as the text that makes it. */
function roleDecisions(text: string): string[] {
  return ROLE_DECISIONS.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[0]));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|njk)$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('permissions are decided in one place', () => {
  it('finds role lists and role decisions written in the ways Trellis writes them', () => {
    expect(roleDecisions("const RUNNERS: readonly StaffRole[] = ['admin', 'coordinator'];")).toHaveLength(1);
    expect(roleDecisions("requireStaff(['admin'])")).toHaveLength(1);
    expect(
      roleDecisions("const MARKERS = [\n  'admin',\n  'coordinator',\n  'trainer',\n] as const;"),
    ).toHaveLength(1);
    expect(roleDecisions("return role !== 'viewer';")).toHaveLength(1);
    expect(roleDecisions("staff.role === 'admin' || staff.role === 'coordinator'")).toHaveLength(2);
    expect(roleDecisions('{% if staff.role == "trainer" %}')).toHaveLength(1);
    expect(roleDecisions("'trainer' === actor.role")).toHaveLength(1);
    expect(roleDecisions("TOLD.includes('viewer')")).toHaveLength(1);
    expect(roleDecisions(".where('role', '=', 'admin')")).toHaveLength(1);
    // Not role decisions: other words that happen to be role names.
    expect(roleDecisions("const SHARED = ['admin', 'office', 'info'];")).toEqual([]);
    expect(roleDecisions("throw new NotFoundError('trainer');")).toEqual([]);
    expect(roleDecisions("{ role: 'admin' }")).toEqual([]);
  });

  it('lists roles and decides on them nowhere in src/ but domain/accounts/permissions.ts', () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((file) => {
      const name = relative(SRC, file).split('\\').join('/');
      if (name === 'domain/accounts/permissions.ts') return [];
      let text = readFileSync(file, 'utf8');
      // The roles themselves are defined once, beside their names.
      if (name === 'domain/accounts/staff.ts')
        text = text.replace(/export const STAFF_ROLES = \[[^\]]*\]/, '');
      return roleDecisions(text).map((decision) => `${name}: ${decision}`);
    });
    expect(found).toEqual([]);
  });
});

describe('the permissions', () => {
  it('names only roles that exist, and gives every role something', () => {
    for (const roles of Object.values(CAPABILITIES)) {
      for (const role of roles) expect(STAFF_ROLES).toContain(role);
    }
    for (const role of STAFF_ROLES) expect(holds(role, 'useBackOffice')).toBe(true);
  });

  it('limits trainers to the sessions they teach, and a trainer linked to no trainer to none', () => {
    expect(sessionsTaughtBy({ role: 'trainer', trainerId: 7 })).toBe(7);
    expect(sessionsTaughtBy({ role: 'trainer', trainerId: null })).toBe(-1);
    expect(maySeeSession({ role: 'trainer', trainerId: 7 }, true)).toBe(true);
    expect(maySeeSession({ role: 'trainer', trainerId: 7 }, false)).toBe(false);
    expect(maySeeSession({ role: 'trainer', trainerId: null }, true)).toBe(false);
    for (const role of ['admin', 'coordinator', 'viewer'] as const) {
      expect(sessionsTaughtBy({ role, trainerId: null })).toBeUndefined();
      expect(maySeeSession({ role, trainerId: null }, false)).toBe(true);
    }
  });
});
