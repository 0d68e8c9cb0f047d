/**
 * The email outbox. A change that tells someone by email writes the message
 * here in its own transaction (`within(trx)`), so the email exists exactly
 * when the change does; the outbox sender delivers it after commit.
 *
 * Claiming is portable (no `SKIP LOCKED`, which SQLite lacks): each candidate
 * is taken with a conditional UPDATE that succeeds for only one sender, and
 * the lease it sets keeps every other sender off the message until it runs
 * out, so two senders in two processes never send the same message at once.
 * A sender renews the leases of the messages it still holds while it sends
 * (`renewLeases`), so the lease can be short: mail claimed by a process that
 * died waits only one lease before another sender takes it.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';

import type { EmailAttachment, EmailMessage } from '../../emails/message.js';
import type { DB, OutboxMessagesTable } from '../schema.js';

type Executor = Kysely<DB> | Transaction<DB>;

/** An email to put in the outbox: the written message and who it is for. */
export interface NewOutboxMessage extends EmailMessage {
  to: { address: string; name: string };
  /** The booking it tells of, if any, so staff can find a booking's emails. */
  bookingId?: number | null;
}

export interface OutboxMessage {
  id: number;
  createdAt: Date;
  to: { address: string; name: string };
  subject: string;
  text: string;
  html: string;
  attachments: EmailAttachment[];
  kind: string;
  bookingId: number | null;
  /** How many times a sender has taken it, including the one in progress. */
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
  lastError: string | null;
  sentAt: Date | null;
}

/** A message staff should look at: not sent after several tries, or for too long. */
export type StuckMessage = Omit<OutboxMessage, 'text' | 'html' | 'attachments'>;

/** After this many attempts an unsent message is shown to staff. */
export const STUCK_AFTER_ATTEMPTS = 3;
/** An unsent message older than this is shown to staff. */
export const STUCK_AFTER_MS = 15 * 60_000;

/** Longest error text kept; enough for an SMTP reply code and its words. */
const MAX_ERROR_LENGTH = 200;

export class OutboxRecords {
  constructor(private readonly db: Executor) {}

  within(trx: Transaction<DB>): OutboxRecords {
    return new OutboxRecords(trx);
  }

  /** Puts a message in the outbox, due now. Returns its id. */
  async enqueue(message: NewOutboxMessage, now: Date): Promise<number> {
    const row = await this.db
      .insertInto('outbox_messages')
      .values(outboxRow(message, now.toISOString()))
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** Puts several messages in the outbox, all due now, in one statement. */
  async enqueueAll(messages: NewOutboxMessage[], now: Date): Promise<void> {
    if (!messages.length) return;
    const at = now.toISOString();
    await this.db
      .insertInto('outbox_messages')
      .values(messages.map((message) => outboxRow(message, at)))
      .execute();
  }

  /** Whether an email of this kind was ever written about the booking (sent or not). */
  async anyAbout(bookingId: number, kind: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('outbox_messages')
      .select('id')
      .where('booking_id', '=', bookingId)
      .where('kind', '=', kind)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Takes up to `limit` due, unsent messages that no other sender holds,
   * leasing each until `now + leaseMs` and counting the attempt. A message
   * another sender took between our look and our UPDATE is simply skipped.
   */
  async claimDue(now: Date, leaseMs: number, limit: number): Promise<OutboxMessage[]> {
    const at = now.toISOString();
    const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
    const claimed: OutboxMessage[] = [];
    // A sender that loses the race for some candidates looks again, so it
    // moves on to the next messages instead of going away with fewer than it
    // could have. The ones it lost are passed over, and the rounds are bounded.
    const lost: number[] = [];
    for (let round = 0; round < 5 && claimed.length < limit; round++) {
      let query = this.db
        .selectFrom('outbox_messages')
        .select('id')
        .where('sent_at', 'is', null)
        .where('next_attempt_at', '<=', at)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', at)]))
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit - claimed.length);
      if (lost.length) query = query.where('id', 'not in', lost);
      const candidates = await query.execute();
      if (!candidates.length) break;

      for (const { id } of candidates) {
        // The same conditions again: only one sender's UPDATE can match.
        const row = await this.db
          .updateTable('outbox_messages')
          .set((eb) => ({ lease_until: leaseUntil, attempts: eb('attempts', '+', 1) }))
          .where('id', '=', id)
          .where('sent_at', 'is', null)
          .where('next_attempt_at', '<=', at)
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', at)]))
          .returningAll()
          .executeTakeFirst();
        if (row) claimed.push(toMessage(row));
        else lost.push(id);
      }
    }
    return claimed;
  }

  /**
   * The sender's heartbeat: moves the lease of messages it still holds on to
   * `leaseUntil`, in one conditional UPDATE. A message is renewed only while
   * unsent and its lease is still the one the sender last set (`leaseUntil`
   * as the sender knows it): if the lease ran out and another sender claimed
   * the message, its lease differs and it is left alone. Returns the ids
   * renewed; a message missing from them may be another sender's now.
   */
  async renewLeases(
    messages: readonly Pick<OutboxMessage, 'id' | 'leaseUntil'>[],
    leaseUntil: Date,
  ): Promise<number[]> {
    const held = messages.filter(
      (message): message is { id: number; leaseUntil: Date } => message.leaseUntil !== null,
    );
    if (!held.length) return [];
    const rows = await this.db
      .updateTable('outbox_messages')
      .set({ lease_until: leaseUntil.toISOString() })
      .where('sent_at', 'is', null)
      .where((eb) =>
        eb.or(
          held.map((message) =>
            eb.and([eb('id', '=', message.id), eb('lease_until', '=', message.leaseUntil.toISOString())]),
          ),
        ),
      )
      .returning('id')
      .execute();
    return rows.map((row) => Number(row.id));
  }

  /**
   * Hands back a message claimed but not tried (the mail server was down),
   * uncounting the attempt so it is due again at once. Only while the lease
   * is still the one this sender took: after that it may be another's.
   */
  async release(message: Pick<OutboxMessage, 'id' | 'leaseUntil'>): Promise<void> {
    if (!message.leaseUntil) return;
    await this.db
      .updateTable('outbox_messages')
      .set((eb) => ({ lease_until: null, attempts: eb('attempts', '-', 1) }))
      .where('id', '=', message.id)
      .where('sent_at', 'is', null)
      .where('lease_until', '=', message.leaseUntil.toISOString())
      .where('attempts', '>', 0)
      .execute();
  }

  /**
   * When messages to one address were sent after `since`, oldest first (the
   * index on to_address, sent_at serves it), for the per-recipient limit.
   */
  async sentTo(address: string, since: Date): Promise<Date[]> {
    const rows = await this.db
      .selectFrom('outbox_messages')
      .select('sent_at')
      .where('to_address', '=', address)
      .where('sent_at', '>', since.toISOString())
      .orderBy('sent_at')
      .execute();
    return rows.map((row) => new Date(row.sent_at!));
  }

  /**
   * Holds a claimed message back until `until` without trying it: its
   * address has had its hour's emails. Not a failure: the attempt is
   * uncounted, no error is written, and `stuck` leaves it out while it waits.
   * Only while the lease is still the one this sender took.
   */
  async hold(message: Pick<OutboxMessage, 'id' | 'leaseUntil'>, until: Date): Promise<void> {
    if (!message.leaseUntil) return;
    await this.db
      .updateTable('outbox_messages')
      .set((eb) => ({
        lease_until: null,
        next_attempt_at: until.toISOString(),
        attempts: eb('attempts', '-', 1),
      }))
      .where('id', '=', message.id)
      .where('sent_at', 'is', null)
      .where('lease_until', '=', message.leaseUntil.toISOString())
      .where('attempts', '>', 0)
      .execute();
  }

  /**
   * Records delivery, and says whether the lease was still this sender's.
   *
   * Unlike the other updates here, it is recorded whoever holds the lease
   * now: the mail server has taken the message, and left unrecorded it would
   * be sent again. If this sender stalled past its lease, another may have
   * claimed the message and be sending it too; being marked sent keeps it
   * from being taken again (the other's renewal, record and retry all need
   * it unsent), and the caller learns it was not the holder, so the
   * possible second copy is in the logs (it has the same Message-ID).
   */
  async markSent(message: Pick<OutboxMessage, 'id' | 'leaseUntil'>, now: Date): Promise<SentRecord> {
    const markSent = (whileLeaseIs: Date | null) => {
      let query = this.db
        .updateTable('outbox_messages')
        .set({ sent_at: now.toISOString(), lease_until: null })
        .where('id', '=', message.id)
        .where('sent_at', 'is', null);
      if (whileLeaseIs) query = query.where('lease_until', '=', whileLeaseIs.toISOString());
      return query.executeTakeFirst();
    };
    // The usual case in one statement; the second only once the lease has been lost.
    if (message.leaseUntil && Number((await markSent(message.leaseUntil)).numUpdatedRows) > 0) {
      return 'recorded';
    }
    return Number((await markSent(null)).numUpdatedRows) > 0 ? 'recordedWithoutLease' : 'alreadySent';
  }

  /**
   * Records a failed attempt and when to try again, releasing the lease.
   * Only while the lease is still the one this sender took, as `release` and
   * `hold`: a sender that stalled past its lease may fail after another
   * sender has claimed the message, and clearing that one's lease and moving
   * its next try would let a third sender claim it while the second is still
   * sending. Returns false when it was left alone for that reason (or was
   * sent meanwhile).
   *
   * The error is kept short and any email address in it is removed: staff
   * see it, and it must not become a second copy of personal data.
   */
  async markFailed(
    message: Pick<OutboxMessage, 'id' | 'leaseUntil'>,
    error: string,
    nextAttemptAt: Date,
  ): Promise<boolean> {
    if (!message.leaseUntil) return false;
    const result = await this.db
      .updateTable('outbox_messages')
      .set({
        last_error: safeErrorText(error),
        next_attempt_at: nextAttemptAt.toISOString(),
        lease_until: null,
      })
      .where('id', '=', message.id)
      .where('sent_at', 'is', null)
      .where('lease_until', '=', message.leaseUntil.toISOString())
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Unsent messages that have been tried at least three times or waited
   * fifteen minutes or more, oldest first: for staff to look into. A message
   * held back by the per-recipient limit (`hold`: due later, and no failed
   * try) is waiting as it should, not stuck, and is left out.
   */
  async stuck(now: Date): Promise<StuckMessage[]> {
    const olderThan = new Date(now.getTime() - STUCK_AFTER_MS).toISOString();
    const rows = await this.db
      .selectFrom('outbox_messages')
      .selectAll()
      .where('sent_at', 'is', null)
      .where((eb) => eb.or([eb('attempts', '>=', STUCK_AFTER_ATTEMPTS), eb('created_at', '<=', olderThan)]))
      .where((eb) =>
        eb.not(eb.and([eb('last_error', 'is', null), eb('next_attempt_at', '>', now.toISOString())])),
      )
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((row) => {
      const { text: _text, html: _html, attachments: _attachments, ...summary } = toMessage(row);
      return summary;
    });
  }

  /** The newest messages first, for the development mailbox. */
  async listRecent(limit: number): Promise<OutboxMessage[]> {
    const rows = await this.db
      .selectFrom('outbox_messages')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  async find(id: number): Promise<OutboxMessage | undefined> {
    const row = await this.db.selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toMessage(row);
  }

  /**
   * For /metrics, in one statement: how many unsent messages are due now
   * (waiting for a sender), and when the oldest unsent message was written,
   * whether due or waiting for a retry (null when everything is sent).
   */
  async backlog(now: Date): Promise<OutboxBacklog> {
    const row = await this.db
      .selectFrom('outbox_messages')
      .select((eb) => [
        eb.fn
          .sum<number | string | null>(
            eb.case().when('next_attempt_at', '<=', now.toISOString()).then(1).else(0).end(),
          )
          .as('due'),
        eb.fn.min('created_at').as('oldest_created_at'),
      ])
      .where('sent_at', 'is', null)
      .executeTakeFirstOrThrow();
    return {
      due: Number(row.due ?? 0),
      oldestUnsentAt: row.oldest_created_at ? new Date(row.oldest_created_at) : null,
    };
  }
}

/**
 * What `markSent` found: recorded while the lease was still the sender's (the
 * usual case); recorded though it was not (another sender may be sending the
 * message too); or already recorded by another sender, which also sent it.
 */
export type SentRecord = 'recorded' | 'recordedWithoutLease' | 'alreadySent';

/** What `backlog` reads: unsent messages due now, and when the oldest unsent one was written. */
export interface OutboxBacklog {
  due: number;
  oldestUnsentAt: Date | null;
}

/** Removes email addresses and line breaks and shortens the text. */
export function safeErrorText(error: string): string {
  const text = error
    .replace(/[^\s<>()[\]",;:@]+@[^\s<>()[\]",;:@]+/g, '[address]')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

function toMessage(row: Selectable<OutboxMessagesTable>): OutboxMessage {
  return {
    id: Number(row.id),
    createdAt: new Date(row.created_at),
    to: { address: row.to_address, name: row.to_name },
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    attachments: JSON.parse(row.attachments) as EmailAttachment[],
    kind: row.kind,
    bookingId: row.booking_id,
    attempts: Number(row.attempts),
    nextAttemptAt: new Date(row.next_attempt_at),
    leaseUntil: row.lease_until ? new Date(row.lease_until) : null,
    lastError: row.last_error,
    sentAt: row.sent_at ? new Date(row.sent_at) : null,
  };
}

/** A new message's row: unsent, untried, due at `at`. */
function outboxRow(message: NewOutboxMessage, at: string) {
  return {
    created_at: at,
    to_address: message.to.address,
    to_name: message.to.name,
    subject: message.subject,
    text_body: message.text,
    html_body: message.html,
    attachments: JSON.stringify(message.attachments ?? []),
    kind: message.kind,
    booking_id: message.bookingId ?? null,
    attempts: 0,
    next_attempt_at: at,
    lease_until: null,
    last_error: null,
    sent_at: null,
  };
}
