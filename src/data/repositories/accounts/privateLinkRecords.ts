/**
 * PrivateLinkRecords: the one way in for emailed links that act without
 * signing in, about an account, a follow-up request, a charge or a booking
 * (services/privateLinks.ts is their one service; the people
 * repository ends a merged delegate's links through it). Only the hash of a
 * link's token is stored.
 */
import type { Executor, Instant, PrivateLinkPurpose } from '../../schema.js';

/** What a link is about: a delegate's account, a follow-up request, a charge, or a booking (giving up its place). */
export type PrivateLinkSubject =
  | { delegateId: number }
  | { followUpRequestId: number }
  | { chargeId: number }
  | { bookingId: number };

export interface NewPrivateLink {
  tokenHash: string;
  purpose: PrivateLinkPurpose;
  subject: PrivateLinkSubject;
  email: string;
  createdAt: Instant;
  expiresAt: Instant;
  /** Registration only: the registering browser's secret's hash, and the page to go back to. */
  registration?: { browserHash: string; returnPath: string | null } | null;
}

function subjectColumns(subject: PrivateLinkSubject) {
  const none = { delegate_id: null, follow_up_request_id: null, charge_id: null, booking_id: null };
  if ('delegateId' in subject) return { ...none, delegate_id: subject.delegateId };
  if ('chargeId' in subject) return { ...none, charge_id: subject.chargeId };
  if ('bookingId' in subject) return { ...none, booking_id: subject.bookingId };
  return { ...none, follow_up_request_id: subject.followUpRequestId };
}

export class PrivateLinkRecords {
  constructor(private readonly db: Executor) {}

  within(trx: Executor): PrivateLinkRecords {
    return new PrivateLinkRecords(trx);
  }

  async insert(link: NewPrivateLink): Promise<void> {
    await this.db
      .insertInto('private_links')
      .values({
        token_hash: link.tokenHash,
        purpose: link.purpose,
        ...subjectColumns(link.subject),
        email: link.email.toLowerCase(),
        browser_hash: link.registration?.browserHash ?? null,
        return_path: link.registration?.returnPath ?? null,
        created_at: link.createdAt,
        expires_at: link.expiresAt,
        used_at: null,
      })
      .execute();
  }

  /** A link by its token's hash, only for the purpose asked: a reset link never confirms an address. */
  find(tokenHash: string, purpose: PrivateLinkPurpose) {
    return this.db
      .selectFrom('private_links')
      .where('token_hash', '=', tokenHash)
      .where('purpose', '=', purpose)
      .selectAll()
      .executeTakeFirst();
  }

  /** Uses a link once: false if it was already used (by a second click, say). */
  async use(id: number, now: Instant): Promise<boolean> {
    const result = await this.db
      .updateTable('private_links')
      .set({ used_at: now })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Ends every unused link about a subject (a delegate's, after a merge, say),
   * or only those for one purpose (a delegate's other reset links).
   */
  async cancel(subject: PrivateLinkSubject, now: Instant, purpose?: PrivateLinkPurpose): Promise<void> {
    const columns = subjectColumns(subject);
    let query = this.db.updateTable('private_links').set({ used_at: now }).where('used_at', 'is', null);
    if (purpose) query = query.where('purpose', '=', purpose);
    query =
      columns.delegate_id !== null
        ? query.where('delegate_id', '=', columns.delegate_id)
        : columns.charge_id !== null
          ? query.where('charge_id', '=', columns.charge_id)
          : columns.booking_id !== null
            ? query.where('booking_id', '=', columns.booking_id)
            : query.where('follow_up_request_id', '=', columns.follow_up_request_id);
    await query.execute();
  }

  /**
   * A booking's unused links for a purpose end at a new time (its place moved
   * to another session: the give-up link works until the new session starts).
   */
  async moveExpiry(bookingId: number, purpose: PrivateLinkPurpose, expiresAt: Instant): Promise<void> {
    await this.db
      .updateTable('private_links')
      .set({ expires_at: expiresAt })
      .where('booking_id', '=', bookingId)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .execute();
  }

  /**
   * The registering browser is signed in by its link once: false if this is
   * not that browser, or it has been signed in by the link already.
   */
  async useBrowserSignIn(id: number, browserHash: string): Promise<boolean> {
    const result = await this.db
      .updateTable('private_links')
      .set({ browser_hash: null })
      .where('id', '=', id)
      .where('browser_hash', '=', browserHash)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
