/**
 * Certificates in the browser: a delegate marked attended finds "Download
 * your certificate of attendance" in Your bookings, and the public
 * verification address (the one the PDF and its QR code carry) confirms the
 * certificate; an unknown number says so plainly. Every page with axe, with
 * JavaScript and without.
 */
import { describe, expect, inject, it } from 'vitest';

import { DELEGATE_SESSION_LIMITS } from '../../src/domain/accounts/accounts.js';
import { AccountRepository } from '../../src/data/repositories/accounts/accountRepository.js';
import { SignInSessions } from '../../src/services/accounts/signInSessions.js';
import { sessionCookieName } from '../../src/web/plugins/accounts.js';
import { expectNoAxeViolations, expectNoPageProblems, useE2E, visit } from './support.js';

describe.runIf(inject('chromiumAvailable'))('certificates, in a browser', () => {
  const e2e = useE2E();

  /** The demo's finished 2024 session, one delegate on it marked attended by a coordinator. */
  async function attendedDelegate() {
    const { services, database } = e2e.testApp;
    const db = database.db;
    const session = await db
      .selectFrom('sessions')
      .where('starts_at', '<', '2025-01-01')
      .select('id')
      .orderBy('starts_at')
      .executeTakeFirstOrThrow();
    const part = await db
      .selectFrom('session_parts')
      .where('session_id', '=', session.id)
      .select('id')
      .executeTakeFirstOrThrow();
    const booking = await db
      .selectFrom('bookings')
      .where('session_id', '=', session.id)
      .where('state', '=', 'confirmed')
      .select(['id', 'reference', 'delegate_id'])
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const staffId = await services.staff.create(
      { name: 'Cleo Coordinator', email: 'cleo.coordinator@hub.example.org.uk', role: 'coordinator' },
      'a coordinator passphrase',
    );
    await services.attendance.mark(session.id, { id: staffId, role: 'coordinator', trainerId: null }, [
      { bookingId: booking.id, partId: part.id, status: 'attended', note: '' },
    ]);
    const certificate = await db
      .selectFrom('certificates')
      .where('booking_id', '=', booking.id)
      .where('withdrawn_at', 'is', null)
      .select('number')
      .executeTakeFirstOrThrow();
    const now = services.clock.now();
    await new AccountRepository(db).markEmailVerified(booking.delegate_id, now);
    const secret = await new SignInSessions(db).start(
      { kind: 'delegate', id: booking.delegate_id },
      DELEGATE_SESSION_LIMITS,
      now,
    );
    return { reference: booking.reference, number: certificate.number, secret };
  }

  it('shows the download in Your bookings and confirms the certificate at its address', async () => {
    const { number, secret, reference } = await attendedDelegate();

    for (const javaScriptEnabled of [true, false]) {
      const { page, context, problems } = await e2e.newPage({ javaScriptEnabled });
      // The test app's address is https, so the cookie is a __Host- one (Chromium keeps Secure cookies for 127.0.0.1).
      await context.addCookies([
        { name: sessionCookieName(true), value: secret, domain: '127.0.0.1', path: '/', secure: true },
      ]);

      await visit(page, e2e.url('/bookings'));
      expect(new URL(page.url()).pathname).toBe('/bookings');
      const download = page.getByRole('link', { name: /Download your certificate of attendance/ });
      expect(await download.count()).toBe(1);
      if (javaScriptEnabled) await expectNoAxeViolations(page, 'Your bookings');

      // The booking page, where the "certificate ready" email sends people, offers it too.
      await visit(page, e2e.url(`/bookings/${reference}`));
      expect(await page.getByRole('link', { name: /Download your certificate of attendance/ }).count()).toBe(
        1,
      );
      if (javaScriptEnabled) await expectNoAxeViolations(page, 'the booking page');

      await visit(page, e2e.url(`/certificates/${number}`));
      const text = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
      expect(text).toContain('Trauma Informed Co-Production');
      if (javaScriptEnabled) await expectNoAxeViolations(page, 'a valid certificate');

      await visit(page, e2e.url('/certificates/TRC-AAAA-BBBB-CCCC-DDDD'), 404);
      expect((await page.locator('main').innerText()).toLowerCase()).toContain('not');
      if (javaScriptEnabled) await expectNoAxeViolations(page, 'an unknown certificate number');
      expectNoPageProblems(problems);
    }
  });
});
