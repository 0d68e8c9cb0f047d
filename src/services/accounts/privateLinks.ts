/**
 * Private links: every emailed link that acts without signing in (confirming
 * an address, resetting a password, the follow-up and a manager opting out,
 * telling the hub why about a proposed charge, giving up a booked place)
 * is issued, checked, used and cancelled here.
 *
 * The rules every such link keeps: the token is random and only its hash is
 * stored; a link works for its one purpose; it is issued in the transaction
 * of the change that emails it; it is used once, in the transaction of what
 * it does. And its page keeps the rule for mail scanners, which open links
 * before people do: a GET only shows a page with a button, and only the POST
 * (with CSRF) acts. An expired or used link gets a kind page saying what to do
 * next; an unknown one the ordinary 404.
 */
import {
  PrivateLinkRecords,
  type PrivateLinkSubject,
} from '../../data/repositories/accounts/privateLinkRecords.js';
import type { Executor, PrivateLinkPurpose, PrivateLinksTable } from '../../data/schema.js';
import type { Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import { hashSecret, newSecret } from './secrets.js';

export type PrivateLink = Selectable<PrivateLinksTable>;
export type { PrivateLinkSubject };

/** What a token is, for a purpose. The link is there whenever it was found, so callers can say more. */
export type LinkCheck =
  { state: 'valid' | 'used' | 'expired'; link: PrivateLink } | { state: 'unknown'; link: null };

export interface IssueLink {
  purpose: PrivateLinkPurpose;
  subject: PrivateLinkSubject;
  /** The address the link is sent to. */
  email: string;
  expiresAt: Date;
  registration?: { browserHash: string; returnPath: string | null } | null;
}

/** Longer than any token issued: a path segment past it is not worth hashing. */
const TOKEN_MAX = 200;

export class PrivateLinks {
  private readonly records: PrivateLinkRecords;

  constructor(
    db: Executor,
    private readonly clock: Clock,
  ) {
    this.records = new PrivateLinkRecords(db);
  }

  within(trx: Executor): PrivateLinks {
    return new PrivateLinks(trx, this.clock);
  }

  /** Issues a link inside the caller's transaction; returns the token for the emailed address. */
  async issue(link: IssueLink): Promise<string> {
    const token = newSecret();
    await this.records.insert({
      tokenHash: hashSecret(token),
      purpose: link.purpose,
      subject: link.subject,
      email: link.email,
      createdAt: this.clock.now().toISOString(),
      expiresAt: link.expiresAt.toISOString(),
      registration: link.registration,
    });
    return token;
  }

  /** Whether a token is a link for this purpose, and whether it is still good. Changes nothing. */
  async check(token: string, purpose: PrivateLinkPurpose): Promise<LinkCheck> {
    if (!token || token.length > TOKEN_MAX) return { state: 'unknown', link: null };
    const link = await this.records.find(hashSecret(token), purpose);
    if (!link) return { state: 'unknown', link: null };
    if (link.used_at) return { state: 'used', link };
    if (this.clock.now() >= new Date(link.expires_at)) return { state: 'expired', link };
    return { state: 'valid', link };
  }

  /** Uses a link once, inside the transaction of what it does: false if it was used meanwhile. */
  use(linkId: number): Promise<boolean> {
    return this.records.use(linkId, this.clock.now().toISOString());
  }

  /** Ends every unused link about a subject, or only its links for one purpose. */
  cancel(subject: PrivateLinkSubject, purpose?: PrivateLinkPurpose): Promise<void> {
    return this.records.cancel(subject, this.clock.now().toISOString(), purpose);
  }

  /**
   * A booking's unused give-up links work until its (new) session starts:
   * when its place moves to another session, their expiry moves with it.
   */
  moveGiveUpExpiry(bookingId: number, sessionStartsAt: Date): Promise<void> {
    return this.records.moveExpiry(bookingId, 'give_up_place', sessionStartsAt.toISOString());
  }

  /** Registration's extra: the registering browser is signed in by its link once. */
  useBrowserSignIn(linkId: number, browserSecret: string): Promise<boolean> {
    return this.records.useBrowserSignIn(linkId, hashSecret(browserSecret));
  }
}
