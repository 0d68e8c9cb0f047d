/**
 * What a rush left behind, read from the database and the mail sink, and the
 * checks `npm run bench:cluster` makes of it: the places (exactly the
 * capacity confirmed, the rest waiting), every 303 a real booking of that
 * delegate on that session, one email per booking in the outbox, and each of
 * those emails arrived at the sink exactly once (by its Message-ID, at its
 * address).
 */
import type { Database } from '../../src/data/db.js';
import { messageIdFor } from '../../src/services/email/mailer.js';
import { delay } from '../support/processes.js';
import { ALREADY_BOOKED, BOOKED, type BookingResponse } from './bookings.js';
import type { SmtpSink } from './smtpSink.js';

/** The email each live booking's delegate is sent on booking. */
const EMAIL_OF_STATE: Record<string, string> = {
  confirmed: 'booking_confirmed',
  waitlisted: 'waitlist_joined',
};

interface SessionEmail {
  id: number;
  createdAt: string;
  to: string;
  kind: string;
  bookingId: number;
  sent: boolean;
}

async function sessionEmails(database: Database, sessionId: number): Promise<SessionEmail[]> {
  const rows = await database.db
    .selectFrom('outbox_messages')
    .innerJoin('bookings', 'bookings.id', 'outbox_messages.booking_id')
    .where('bookings.session_id', '=', sessionId)
    .select([
      'outbox_messages.id',
      'outbox_messages.created_at',
      'outbox_messages.to_address',
      'outbox_messages.kind',
      'outbox_messages.booking_id',
      'outbox_messages.sent_at',
    ])
    .execute();
  return rows.map((row) => ({
    id: Number(row.id),
    createdAt: row.created_at,
    to: row.to_address.toLowerCase(),
    kind: row.kind,
    bookingId: Number(row.booking_id),
    sent: row.sent_at !== null,
  }));
}

export interface DrainResult {
  seconds: number;
  unsent: number;
  /** Why some are not sent yet, for the report: leases and errors as the outbox has them. */
  stuck: string[];
}

/**
 * Waits until every email about the session's bookings is marked sent, or
 * `timeoutMs` has passed (a message claimed by a process that died waits
 * for its lease to run out, OUTBOX_LEASE_SECONDS, before another sends it).
 */
export async function waitForOutbox(
  database: Database,
  sessionId: number,
  timeoutMs: number,
): Promise<DrainResult> {
  const started = Date.now();
  for (;;) {
    const unsent = (await sessionEmails(database, sessionId)).filter((email) => !email.sent);
    if (!unsent.length || Date.now() - started > timeoutMs) {
      const stuck = unsent.length
        ? await database.db
            .selectFrom('outbox_messages')
            .where(
              'id',
              'in',
              unsent.slice(0, 5).map((email) => email.id),
            )
            .select(['id', 'attempts', 'lease_until', 'next_attempt_at', 'last_error'])
            .execute()
            .then((rows) =>
              rows.map(
                (row) =>
                  `outbox ${row.id}: ${row.attempts} attempts, lease until ${row.lease_until ?? '-'}, ` +
                  `next at ${row.next_attempt_at}${row.last_error ? `, last error ${row.last_error}` : ''}`,
              ),
            )
        : [];
      return { seconds: (Date.now() - started) / 1000, unsent: unsent.length, stuck };
    }
    await delay(500);
  }
}

export interface RushOutcome {
  confirmed: number;
  waitlisted: number;
  otherStates: number;
  /** Delegates holding more than one booking on the session. */
  doubleBooked: number;
  /** 303 responses whose booking is not in the database as that delegate's, on that session, live. */
  falseRedirects: string[];
  /** Live bookings without exactly one email of the kind their state calls for. */
  bookingsWithoutOneEmail: number;
  emails: number;
  emailsUnsent: number;
  /** Emails the sink never received. */
  emailsLost: number;
  /** Emails the sink received more than once (same Message-ID): at-least-once delivery showing. */
  emailsTwice: number;
  /** Emails that arrived addressed to someone else than their outbox row says. */
  emailsMisaddressed: number;
}

/**
 * Reads the session's bookings and emails. `responses` are every booking
 * response the rush got (retries included): each 303 must name a live
 * booking of its delegate on this session.
 */
export async function readOutcome(
  database: Database,
  sessionId: number,
  responses: readonly BookingResponse[],
  sink: SmtpSink,
  mailDomain: string,
): Promise<RushOutcome> {
  const bookings = await database.db
    .selectFrom('bookings')
    .where('session_id', '=', sessionId)
    .select(['id', 'reference', 'delegate_id', 'state'])
    .execute();
  const byReference = new Map(bookings.map((booking) => [booking.reference, booking]));
  const perDelegate = new Map<number, number>();
  for (const booking of bookings) {
    const delegateId = Number(booking.delegate_id);
    perDelegate.set(delegateId, (perDelegate.get(delegateId) ?? 0) + 1);
  }

  const falseRedirects: string[] = [];
  for (const response of responses) {
    if (response.status !== 303) continue;
    const reference = (BOOKED.exec(response.location) ?? ALREADY_BOOKED.exec(response.location))?.[1];
    const booking = reference ? byReference.get(reference) : undefined;
    if (
      !booking ||
      Number(booking.delegate_id) !== response.ready.delegate.id ||
      !(booking.state in EMAIL_OF_STATE)
    ) {
      falseRedirects.push(
        `delegate ${response.ready.delegate.id}: 303 to ${response.location || '(nowhere)'}`,
      );
    }
  }

  const emails = await sessionEmails(database, sessionId);
  const emailsOf = new Map<string, number>();
  for (const email of emails) {
    const key = `${email.bookingId}:${email.kind}`;
    emailsOf.set(key, (emailsOf.get(key) ?? 0) + 1);
  }
  const received = sink.byMessageId();
  let lost = 0;
  let twice = 0;
  let misaddressed = 0;
  for (const email of emails) {
    const messageId = messageIdFor({ id: email.id, createdAt: new Date(email.createdAt) }, mailDomain);
    const arrival = received.get(messageId);
    if (!arrival) lost += 1;
    else {
      if (arrival.count > 1) twice += 1;
      if (arrival.recipients.size !== 1 || !arrival.recipients.has(email.to)) misaddressed += 1;
    }
  }

  return {
    confirmed: bookings.filter((b) => b.state === 'confirmed').length,
    waitlisted: bookings.filter((b) => b.state === 'waitlisted').length,
    otherStates: bookings.filter((b) => !(b.state in EMAIL_OF_STATE)).length,
    doubleBooked: [...perDelegate.values()].filter((n) => n > 1).length,
    falseRedirects,
    bookingsWithoutOneEmail: bookings.filter(
      (b) => emailsOf.get(`${b.id}:${EMAIL_OF_STATE[b.state] ?? '?'}`) !== 1,
    ).length,
    emails: emails.length,
    emailsUnsent: emails.filter((email) => !email.sent).length,
    emailsLost: lost,
    emailsTwice: twice,
    emailsMisaddressed: misaddressed,
  };
}

/** The problems with an outcome: what must hold after every scenario. */
export function outcomeProblems(outcome: RushOutcome, capacity: number): string[] {
  const problems: string[] = [];
  if (outcome.confirmed !== capacity) problems.push(`${outcome.confirmed} confirmed, not ${capacity}`);
  if (outcome.otherStates) problems.push(`${outcome.otherStates} bookings neither confirmed nor waiting`);
  if (outcome.doubleBooked) problems.push(`${outcome.doubleBooked} delegates booked twice`);
  if (outcome.falseRedirects.length) {
    problems.push(
      `${outcome.falseRedirects.length} responses were a 303 to no real booking (${outcome.falseRedirects
        .slice(0, 3)
        .join('; ')})`,
    );
  }
  if (outcome.bookingsWithoutOneEmail) {
    problems.push(`${outcome.bookingsWithoutOneEmail} bookings without exactly one email in the outbox`);
  }
  if (outcome.emailsUnsent) problems.push(`${outcome.emailsUnsent} emails not sent`);
  if (outcome.emailsLost) problems.push(`${outcome.emailsLost} emails never arrived at the mail server`);
  if (outcome.emailsTwice) {
    problems.push(
      `${outcome.emailsTwice} emails arrived twice, each with its one Message-ID (another process ` +
        "sent it again after the first one's lease ran out, before the first had recorded it sent)",
    );
  }
  if (outcome.emailsMisaddressed) problems.push(`${outcome.emailsMisaddressed} emails to the wrong address`);
  return problems;
}
