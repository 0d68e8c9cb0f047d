/**
 * The staff sign-in pages' error messages, on both databases: each problem
 * is said once in the error summary and once by its field, never twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestApp, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';

const PASSWORD = 'a staff passphrase for messages';

/** How many times `words` appear in the page's main content. */
function timesSaid(body: string, words: string): number {
  return parsePage(body).text().split(words).length - 1;
}

eachDatabase('staff sign-in messages', (dialect) => {
  let t: TestApp;
  const email = `cora.${dialect}@hub.example.org.uk`;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    await t.services.staff.create({ name: 'Cora Coordinator', email, role: 'coordinator' }, PASSWORD);
  });
  afterAll(() => t.close());

  describe('the password page', () => {
    it('says a wrong email address or password once, by the password, keeping the email address', async () => {
      const response = await new WebClient(t.app).submit('/admin/sign-in', {
        email,
        password: 'not the password',
      });
      expect(response.statusCode).toBe(400);
      const page = parsePage(response.body);
      expect(page.links('.govuk-error-summary a')).toEqual([
        { text: 'Enter a correct email address and password', href: '#password' },
      ]);
      expect(page.text('#password-error')).toContain('Enter a correct email address and password');
      expect(page.document.querySelector('#email-error')).toBeNull();
      // Once in the summary, once by the field.
      expect(timesSaid(response.body, 'Enter a correct email address and password')).toBe(2);
      expect(page.document.querySelector('#email')!.getAttribute('value')).toBe(email);
    });

    it('says it once when both answers are too long to be right', async () => {
      const response = await new WebClient(t.app).submit('/admin/sign-in', {
        email: `${'a'.repeat(260)}@example.org.uk`,
        password: 'p'.repeat(300),
      });
      expect(response.statusCode).toBe(400);
      expect(parsePage(response.body).listItems('.govuk-error-summary li')).toEqual([
        'Enter a correct email address and password',
      ]);
      expect(timesSaid(response.body, 'Enter a correct email address and password')).toBe(2);
    });

    it('names each missing answer once', async () => {
      const response = await new WebClient(t.app).submit('/admin/sign-in', { email: '', password: '' });
      const page = parsePage(response.body);
      expect(page.links('.govuk-error-summary a')).toEqual([
        { text: 'Enter your email address', href: '#email' },
        { text: 'Enter your password', href: '#password' },
      ]);
      expect(timesSaid(response.body, 'Enter your email address')).toBe(2);
      expect(timesSaid(response.body, 'Enter your password')).toBe(2);
    });
  });

  describe('the code page', () => {
    it('says a wrong code once in the summary and once by the field', async () => {
      // Enrolled first (an authenticator set up), so a later sign-in asks for a code.
      await signedInStaff(t, 'coordinator');
      const enrolled = await t.database.db
        .selectFrom('staff_users')
        .where('totp_enrolled_at', 'is not', null)
        .select('email')
        .executeTakeFirstOrThrow();
      const client = new WebClient(t.app);
      const signedIn = await client.submit('/admin/sign-in', {
        email: enrolled.email,
        password: 'a staff password for tests',
      });
      expect(signedIn.headers.location).toBe('/admin/sign-in/code');
      const response = await client.submit('/admin/sign-in/code', { code: 'not-a-code' });
      expect(response.statusCode).toBe(400);
      const page = parsePage(response.body);
      expect(page.links('.govuk-error-summary a')).toHaveLength(1);
      const [entry] = page.links('.govuk-error-summary a');
      expect(entry!.href).toBe('#code');
      expect(timesSaid(response.body, entry!.text)).toBe(2);
    });
  });
});
