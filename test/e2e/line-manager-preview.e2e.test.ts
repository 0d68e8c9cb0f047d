/**
 * The booking page with the email the delegate's line manager will get shown
 * before they book, with JavaScript and without, checked with axe; the
 * booking then writes that email to the outbox.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';

import { TEST_NOW } from '../support/app.js';
import { createSignedInDelegates } from '../support/seedDelegates.js';
import { Journey, JOURNEY_TIMEOUT, MODES, mainText } from './accountSupport.js';
import { useE2E } from './support.js';

describe.runIf(inject('chromiumAvailable'))('the line manager’s email, shown before booking', () => {
  const e2e = useE2E();
  let sessionId: number;

  beforeAll(async () => {
    await e2e.testApp.services.settings.updatePolicy({
      lineManagerToldOfBooking: true,
      lineManagerToldOfCancellation: true,
    });
    const db = e2e.testApp.database.db;
    // An upcoming demo session with places and no booking window.
    const session = await db
      .selectFrom('sessions')
      .where('starts_at', '>', TEST_NOW)
      .where('cancelled_at', 'is', null)
      .where('booking_opens_at', 'is', null)
      .where('booking_closes_at', 'is', null)
      .where((eb) =>
        eb(
          'capacity',
          '>',
          eb
            .selectFrom('bookings')
            .select(eb.fn.countAll<number>().as('n'))
            .whereRef('bookings.session_id', '=', 'sessions.id')
            .where('state', 'in', ['confirmed', 'offered']),
        ),
      )
      .select('id')
      .orderBy('starts_at')
      .executeTakeFirstOrThrow();
    sessionId = session.id;
  });

  for (const { mode, javaScriptEnabled } of MODES) {
    it(
      `shows the email and which other events are told, ${mode}`,
      async () => {
        const db = e2e.testApp.database.db;
        const [person] = await createSignedInDelegates(
          db,
          new Date(TEST_NOW),
          1,
          javaScriptEnabled ? 'previewjs' : 'previewnojs',
        );
        const journey = await Journey.start(e2e, javaScriptEnabled);
        await journey.delegate.context.addCookies([
          {
            name: '__Host-trellis_session',
            value: person!.sessionSecret,
            url: e2e.baseUrl.replace(/^http:/, 'https:'),
          },
        ]);
        await journey.visit(`/sessions/${sessionId}/book`);
        const text = (await mainText(journey.page)).replace(/\s+/g, ' ');
        expect(text).toContain(
          'Your line manager, Pat Manager (pat.manager@council.example.org.uk), will get this email when you book:',
        );
        expect(text).toContain(`${person!.name} has a confirmed place on`);
        expect(text).toContain('We also email them when your place is cancelled');

        await journey.press('Confirm booking');
        const email = await db
          .selectFrom('outbox_messages')
          .innerJoin('bookings', 'bookings.id', 'outbox_messages.booking_id')
          .where('bookings.delegate_id', '=', person!.id)
          .where('outbox_messages.kind', '=', 'line_manager_booked')
          .select(['outbox_messages.to_address', 'outbox_messages.subject'])
          .executeTakeFirstOrThrow();
        expect(email.to_address).toBe('pat.manager@council.example.org.uk');
        expect(text).toContain(`Subject: ${email.subject}`);
      },
      JOURNEY_TIMEOUT,
    );
  }
});
