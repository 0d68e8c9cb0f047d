/**
 * Faults, on both databases:
 *
 * - The mail server is down (not listening), or refusing with 451, when a
 *   delegate books. The booking must stand and its confirmation wait in the
 *   outbox; the outbox sender fails, backs off, and once the server is back
 *   and the time has come, delivers the email exactly once, calendar file
 *   attached once. Real SMTP (smtp-server in this process), read back with
 *   mailparser.
 * - The server process is killed (SIGKILL) in the middle of a burst of
 *   bookings and started again on the same database. Nothing acknowledged is
 *   lost, nothing is overbooked, no delegate holds two places, and every
 *   booking has exactly its one email in the outbox, and no email is about a
 *   booking that does not exist. The server runs as production runs it, in
 *   its own process (`node --import tsx src/server.ts`), over real HTTP.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';

import { inPool } from '../../bench/rush/http.js';
import { freePort } from '../../bench/support/processes.js';
import { OutboxSender, type JobLogger } from '../../src/jobs/outboxSender.js';
import { createSmtpMailer, messageIdFor, type Mailer } from '../../src/services/email/mailer.js';
import { openBookingForm, postBooking, type BookingForm } from '../faults/http.js';
import { ServerProcess } from '../faults/server.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { settableClock } from '../support/clock.js';
import { createTestDatabase, eachDatabase, type TestDatabase } from '../support/databases.js';
import {
  SEEDED_COURSE_SLUG,
  SEEDED_COURSE_TITLE,
  createBookableSession,
  createSignedInDelegates,
  type SignedInDelegate,
} from '../support/seedDelegates.js';
import { TestSmtpServer } from '../support/smtp.js';

const MINUTE = 60_000;
const NEW_BOOKING = /^\/bookings\/(TRL-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\?new=1$/;
const NEW_OR_HELD = /^\/bookings\/(TRL-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\?(new|already)=1$/;

function quietLogger(): JobLogger {
  return { info: () => undefined, warn: () => undefined, error: () => undefined };
}

eachDatabase('faults: the mail server is down when a delegate books', (dialect) => {
  const clock = settableClock(TEST_NOW);
  const smtp = new TestSmtpServer();
  let t: TestApp;
  let mailer: Mailer;
  let sessionId: number;

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: false, clock });
    sessionId = await createBookableSession(
      t.database.db,
      clock.now(),
      new Date('2026-02-16T09:30:00.000Z'),
      12,
    );
    // Started once to fix its port; each test stops or breaks it.
    await smtp.start();
    mailer = createSmtpMailer({
      url: smtp.url,
      from: { address: 'training@example.org.uk', name: 'Training bookings' },
      timeoutMs: 5_000,
    });
  });

  afterAll(async () => {
    await mailer?.close();
    await smtp.stop();
    await t?.close();
  });

  afterEach(async () => {
    smtp.refuseWith451 = false;
    smtp.received = [];
    if (!smtp.running) await smtp.start();
  });

  function sender(): OutboxSender {
    // No jitter, so the retry times are exact.
    return new OutboxSender({
      outbox: t.services.outbox,
      mailer,
      clock,
      logger: quietLogger(),
      random: () => 0,
    });
  }

  /** Books through the real app as the signed-in delegate: the booking page, then its form. */
  async function book(delegate: SignedInDelegate): Promise<LightMyRequestResponse> {
    // PUBLIC_URL is https in tests, so the cookies carry the __Host- prefix.
    const session = `__Host-trellis_session=${delegate.sessionSecret}`;
    const page = await t.app.inject({
      method: 'GET',
      url: `/sessions/${sessionId}/book`,
      headers: { cookie: session },
    });
    expect(page.statusCode).toBe(200);
    const csrf = (page.cookies as { name: string; value: string }[]).find(
      (c) => c.name === '__Host-trellis_csrf',
    );
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    expect(csrf && token, 'the booking page gives a CSRF cookie and token').toBeTruthy();
    return t.app.inject({
      method: 'POST',
      url: `/sessions/${sessionId}/book`,
      headers: {
        cookie: `${session}; __Host-trellis_csrf=${csrf!.value}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ _csrf: token!, accessNeeds: '', dietaryNeeds: '' }).toString(),
    });
  }

  /** Books, and checks the booking is saved and its one confirmation is waiting, unsent. */
  async function bookAndFindConfirmation(delegate: SignedInDelegate) {
    const reply = await book(delegate);
    expect(reply.statusCode, reply.body.slice(0, 500)).toBe(303);
    const reference = NEW_BOOKING.exec(String(reply.headers.location))?.[1];
    expect(reference, String(reply.headers.location)).toBeDefined();
    const booking = await t.database.db
      .selectFrom('bookings')
      .where('reference', '=', reference!)
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(booking).toMatchObject({ delegate_id: delegate.id, session_id: sessionId, state: 'confirmed' });
    const emails = await t.database.db
      .selectFrom('outbox_messages')
      .where('booking_id', '=', booking.id)
      .selectAll()
      .execute();
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({
      kind: 'booking_confirmed',
      to_address: delegate.email,
      attempts: 0,
      sent_at: null,
    });
    return { reference: reference!, booking, outboxId: Number(emails[0]!.id) };
  }

  /** The confirmation reached the mail server once, whole, with one calendar file. */
  async function expectDeliveredOnce(delegate: SignedInDelegate, reference: string, outboxId: number) {
    const mails = smtp.received.filter((r) => r.rcptTo.includes(delegate.email));
    expect(mails).toHaveLength(1);
    expect(smtp.received).toHaveLength(1);
    const { mail } = mails[0]!;
    expect(mail.subject).toBe(`Your place is confirmed: ${SEEDED_COURSE_TITLE}, Monday 16 February 2026`);
    expect(mail.text).toContain(reference);
    const row = await t.services.outbox.find(outboxId);
    expect(row!.sentAt).toEqual(clock.now());
    expect(mail.messageId).toBe(messageIdFor(row!, 'example.org.uk'));

    expect(mail.attachments).toHaveLength(1);
    const [calendar] = mail.attachments;
    expect(calendar!.contentType).toBe('text/calendar');
    expect(calendar!.filename).toBe(`${SEEDED_COURSE_SLUG}-${sessionId}.ics`);
    const ics = calendar!.content.toString('utf8');
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(1);
    expect(ics).toContain(SEEDED_COURSE_TITLE);
  }

  it('keeps the booking and its email while SMTP is not listening, then delivers it exactly once', async () => {
    const [delegate] = await createSignedInDelegates(t.database.db, clock.now(), 1, 'down');
    await smtp.stop();

    const { reference, booking, outboxId } = await bookAndFindConfirmation(delegate!);

    const worker = sender();
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 1, deferred: 0 });
    const failed = await t.services.outbox.find(outboxId);
    expect(failed).toMatchObject({ attempts: 1, sentAt: null, leaseUntil: null });
    expect(failed!.lastError).toMatch(/ECONNREFUSED/);
    expect(failed!.nextAttemptAt.getTime() - clock.now().getTime()).toBe(MINUTE);
    // The booking stands whatever becomes of its email.
    const after = await t.database.db
      .selectFrom('bookings')
      .where('id', '=', booking.id)
      .select('state')
      .executeTakeFirstOrThrow();
    expect(after.state).toBe('confirmed');

    // The server is back, but the retry is not due yet: nothing goes early.
    await smtp.start();
    clock.advance(MINUTE - 1_000);
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 0, deferred: 0 });
    expect(smtp.received).toHaveLength(0);

    clock.advance(1_000);
    expect(await worker.runOnce()).toEqual({ sent: 1, failed: 0, deferred: 0 });
    await expectDeliveredOnce(delegate!, reference, outboxId);

    // And never again, however long the sender keeps running.
    clock.advance(3 * 60 * MINUTE);
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 0, deferred: 0 });
    expect(await sender().runOnce()).toEqual({ sent: 0, failed: 0, deferred: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it('keeps retrying, further apart, while SMTP refuses with 451, then delivers exactly once', async () => {
    const [delegate] = await createSignedInDelegates(t.database.db, clock.now(), 1, 'busy');
    smtp.refuseWith451 = true;

    const { reference, outboxId } = await bookAndFindConfirmation(delegate!);

    const worker = sender();
    for (const [attempt, wait] of [
      [1, MINUTE],
      [2, 2 * MINUTE],
    ] as const) {
      expect(await worker.runOnce()).toEqual({ sent: 0, failed: 1, deferred: 0 });
      const row = await t.services.outbox.find(outboxId);
      expect(row).toMatchObject({ attempts: attempt, sentAt: null, leaseUntil: null });
      expect(row!.lastError).toMatch(/451/);
      expect(row!.lastError).not.toContain('@');
      expect(row!.nextAttemptAt.getTime() - clock.now().getTime()).toBe(wait);
      clock.advance(wait);
    }
    expect(smtp.received).toHaveLength(0);

    smtp.refuseWith451 = false;
    expect(await worker.runOnce()).toEqual({ sent: 1, failed: 0, deferred: 0 });
    await expectDeliveredOnce(delegate!, reference, outboxId);
    expect((await t.services.outbox.find(outboxId))!.attempts).toBe(3);

    clock.advance(3 * 60 * MINUTE);
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 0, deferred: 0 });
    expect(smtp.received).toHaveLength(1);
  });
});

eachDatabase('faults: the server is killed in the middle of a booking rush', (dialect) => {
  const CAPACITY = 20;
  const DELEGATES = 200;
  const CONCURRENCY = 40;
  /** The server is killed as this many bookings have been acknowledged. */
  const KILL_AFTER = 25;

  let database: TestDatabase;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });

  afterAll(async () => {
    for (const server of servers) await server.kill();
    await database?.drop();
  });

  async function startServer(): Promise<ServerProcess> {
    const server = new ServerProcess(await freePort(), database.url);
    servers.push(server);
    await server.start();
    return server;
  }

  it('loses no acknowledged booking, overbooks nothing, and leaves each booking with its one email', async () => {
    const { db } = database;
    const now = new Date();
    const sessionId = await createBookableSession(
      db,
      now,
      new Date(now.getTime() + 30 * 24 * 60 * MINUTE),
      CAPACITY,
    );
    const delegates = await createSignedInDelegates(db, now, DELEGATES, 'rush');

    const first = await startServer();
    const forms: BookingForm[] = [];
    await inPool(delegates, 20, async (delegate) => {
      forms.push(await openBookingForm(first.baseUrl, sessionId, delegate));
    });

    // The burst. As the KILL_AFTER-th booking is acknowledged, the server is
    // killed with up to CONCURRENCY requests in flight; the rest are refused.
    const acknowledged = new Map<number, string>();
    const unanswered: BookingForm[] = [];
    /** Unanswered because the connection broke mid-request, not because it was refused. */
    let cutOff = 0;
    const unexpected: string[] = [];
    let killed: Promise<void> | undefined;
    await inPool(forms, CONCURRENCY, async (form) => {
      try {
        const reply = await postBooking(first.baseUrl, sessionId, form);
        const reference = NEW_BOOKING.exec(reply.location)?.[1];
        if (reply.status !== 303 || !reference) {
          unexpected.push(`${reply.status} ${reply.location || reply.body.slice(0, 200)}`);
          return;
        }
        acknowledged.set(form.delegate.id, reference);
        if (acknowledged.size === KILL_AFTER) killed = first.kill();
      } catch (error) {
        unanswered.push(form);
        if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED') cutOff += 1;
      }
    });
    await killed;
    expect(unexpected).toEqual([]);
    expect(first.running).toBe(false);
    // Killed mid-burst: some bookings were answered, others were not.
    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(unanswered.length).toBeGreaterThan(0);
    expect(cutOff, 'requests were in flight when the server died').toBeGreaterThan(0);
    expect(acknowledged.size + unanswered.length).toBe(DELEGATES);

    // Every booking acknowledged before the kill survived it.
    const survived = await db
      .selectFrom('bookings')
      .where('session_id', '=', sessionId)
      .select(['reference', 'delegate_id'])
      .execute();
    const survivedReferences = new Map(survived.map((b) => [b.reference, b.delegate_id]));
    for (const [delegateId, reference] of acknowledged) {
      expect(survivedReferences.get(reference)).toBe(delegateId);
    }

    // Started again on the same database. Each delegate left without an
    // answer presses Book twice at once (an impatient double click): one
    // press books, the other is told of that booking, unless the killed
    // server had saved it already, when both are. And some delegates who
    // were answered press Book again, as after a lost page: they keep their
    // booking and get no second one.
    const second = await startServer();
    let savedUnanswered = 0;
    const answer = async (form: BookingForm) => {
      const reply = await postBooking(second.baseUrl, sessionId, form);
      const match = NEW_OR_HELD.exec(reply.location);
      if (reply.status !== 303 || !match) {
        unexpected.push(`after restart: ${reply.status} ${reply.location || reply.body.slice(0, 200)}`);
        return undefined;
      }
      return { reference: match[1]!, held: match[2] === 'already' };
    };
    await inPool(unanswered, CONCURRENCY / 2, async (form) => {
      const [one, two] = await Promise.all([answer(form), answer(form)]);
      if (!one || !two) return;
      expect(one.reference).toBe(two.reference);
      if (one.held && two.held) savedUnanswered += 1;
      else expect([one.held, two.held].sort()).toEqual([false, true]);
    });
    const answeredAgain = forms.filter((form) => acknowledged.has(form.delegate.id)).slice(0, 10);
    await inPool(answeredAgain, CONCURRENCY, async (form) => {
      expect(await answer(form)).toEqual({ reference: acknowledged.get(form.delegate.id), held: true });
    });
    await second.stop();
    expect(unexpected).toEqual([]);
    // Only requests in flight at the kill can have been saved without an answer.
    expect(savedUnanswered).toBeLessThanOrEqual(CONCURRENCY);

    const bookings = await db
      .selectFrom('bookings')
      .where('session_id', '=', sessionId)
      .select(['id', 'delegate_id', 'state'])
      .execute();
    const confirmed = bookings.filter((b) => b.state === 'confirmed');
    const waitlisted = bookings.filter((b) => b.state === 'waitlisted');
    // No more confirmed than places; and, everyone having booked, exactly that.
    expect(confirmed.length).toBeLessThanOrEqual(CAPACITY);
    expect(confirmed).toHaveLength(CAPACITY);
    expect(waitlisted).toHaveLength(DELEGATES - CAPACITY);
    expect(bookings).toHaveLength(DELEGATES);

    // No delegate holds two live bookings on the session; each holds one.
    const perDelegate = new Map<number, number>();
    for (const b of bookings) perDelegate.set(b.delegate_id, (perDelegate.get(b.delegate_id) ?? 0) + 1);
    expect([...perDelegate.values()].filter((n) => n > 1)).toEqual([]);
    expect(perDelegate.size).toBe(DELEGATES);

    // Each booking has exactly its one email: a confirmation or a waiting-list letter.
    const emails = await db
      .selectFrom('outbox_messages')
      .select(['id', 'booking_id', 'kind'])
      .where('booking_id', 'is not', null)
      .execute();
    const emailKinds = new Map<number, string[]>();
    for (const email of emails) {
      emailKinds.set(email.booking_id!, [...(emailKinds.get(email.booking_id!) ?? []), email.kind]);
    }
    const wrong = bookings
      .map((b) => ({
        id: b.id,
        state: b.state,
        emails: emailKinds.get(b.id) ?? [],
        expected: b.state === 'confirmed' ? 'booking_confirmed' : 'waitlist_joined',
      }))
      .filter((b) => b.emails.length !== 1 || b.emails[0] !== b.expected);
    expect(wrong).toEqual([]);

    // No email is about a booking that does not exist (a rolled-back one, say).
    const bookingIds = new Set(bookings.map((b) => b.id));
    expect(emails.filter((e) => !bookingIds.has(e.booking_id!))).toEqual([]);
    const orphans = await db
      .selectFrom('outbox_messages')
      .leftJoin('bookings', 'bookings.id', 'outbox_messages.booking_id')
      .where('outbox_messages.booking_id', 'is not', null)
      .where('bookings.id', 'is', null)
      .select('outbox_messages.id')
      .execute();
    expect(orphans).toEqual([]);

    // And the audit log has each booking once.
    const audits = await db
      .selectFrom('audit_log')
      .where('entity_type', '=', 'booking')
      .select(['entity_id', 'action'])
      .execute();
    expect(audits).toHaveLength(DELEGATES);
    expect(new Set(audits.map((a) => a.entity_id))).toEqual(bookingIds);

    console.warn(
      `[${dialect}] killed after ${acknowledged.size} acknowledged bookings; ${unanswered.length} unanswered ` +
        `(${cutOff} cut off in flight, the rest refused), ` +
        `of which ${savedUnanswered} had been saved before the kill (both presses answered "already booked")`,
    );
  }, 120_000);
});
