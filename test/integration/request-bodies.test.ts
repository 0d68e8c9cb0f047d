/**
 * Forms are read only as browsers send them (application/x-www-form-urlencoded).
 * Whatever else arrives at a POST route (JSON objects and arrays, text, a
 * field sent twice so it reads as a list) is answered with a 4xx and a clear
 * page, never a 500. Every POST route in the app's route table is tried,
 * signed out and as a signed-in administrator with a valid form token.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { VIEWS_DIR } from '../../src/paths.js';
import { createTestApp, type TestApp } from '../support/app.js';
import type { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';

/** Every field name any page's form has. */
function fieldNames(): string[] {
  const names = new Set<string>(['_csrf', 'email', 'password', 'code', 'next']);
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.njk')) {
        const text = readFileSync(path, 'utf8');
        for (const match of text.matchAll(/name(?:=|:\s*)["']([\w[\].-]+)["']/g)) names.add(match[1]!);
      }
    }
  };
  walk(VIEWS_DIR);
  return [...names];
}

eachDatabase('request bodies other than forms', (dialect) => {
  let t: TestApp;
  let admin: WebClient;
  let routes: string[];

  beforeAll(async () => {
    t = await createTestApp(dialect);
    admin = await signedInStaff(t, 'admin');
    routes = t.app.routeTable
      .filter((route) => route.method === 'POST')
      // Signing out last would only end the administrator's session.
      .filter((route) => !route.url.endsWith('/sign-out'))
      .map((route) => route.url.replace(/:\w+/g, '1'));
  });
  afterAll(() => t.close());

  const bodies: [string, string][] = [
    ['application/json', JSON.stringify({ _csrf: { $ne: '' }, email: { a: 1 }, password: ['x'], code: 1 })],
    ['application/json', JSON.stringify([{ email: 'a' }, 'b'])],
    ['text/plain', 'email=a'],
  ];

  it('there are POST routes to try', () => {
    expect(routes.length).toBeGreaterThan(30);
  });

  it('answers JSON and text with 415 and a clear message, signed out or signed in', async () => {
    const token = parsePage((await admin.get('/admin')).body)
      .document.querySelector('input[name="_csrf"]')
      ?.getAttribute('value');
    // With a good token, objects and lists where every form expects words.
    const withToken = Object.fromEntries(fieldNames().map((name) => [name, { a: ['b'] }]));
    const problems: string[] = [];
    for (const url of routes) {
      for (const [type, payload] of [
        ...bodies,
        ['application/json', JSON.stringify({ ...withToken, _csrf: token })] as [string, string],
      ]) {
        for (const cookie of ['', admin.cookieHeader()]) {
          const response = await t.app.inject({
            method: 'POST',
            url,
            headers: { 'content-type': type, cookie },
            payload,
          });
          if (response.statusCode !== 415) problems.push(`${url} ${type}: ${response.statusCode}`);
        }
      }
    }
    expect(problems).toEqual([]);
    const page = await t.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":{}}',
    });
    expect(parsePage(page.body).h1()).toBe('This form could not be read');
  });

  it('never answers a form with every field sent twice (or its token as a list) with a 500', async () => {
    const names = fieldNames();
    const token = parsePage((await admin.get('/admin')).body)
      .document.querySelector('input[name="_csrf"]')
      ?.getAttribute('value');
    expect(token).toBeTruthy();
    const problems: string[] = [];
    for (const url of routes) {
      const twice = new URLSearchParams({ _csrf: token! });
      for (const name of names.filter((n) => n !== '_csrf')) {
        twice.append(name, 'one');
        twice.append(name, 'two');
      }
      const listedToken = new URLSearchParams([
        ['_csrf', token!],
        ['_csrf', token!],
      ]);
      for (const fields of [twice, listedToken]) {
        const response = await admin.post(url, fields);
        if (response.statusCode >= 500) problems.push(`${url}: ${response.statusCode}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
