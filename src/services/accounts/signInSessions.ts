/**
 * The one session store for delegates and staff: a sign-in is a random
 * secret in the browser's cookie and its hash in `sign_in_sessions`, so it
 * can be revoked on the server. Each kind brings its own limits
 * (domain/accounts/accounts.ts, domain/accounts/staff.ts); the rules for applying them, the
 * "last seen" writes and signing out live only here.
 *
 * Delegates and staff share one table rather than keeping two alike: the
 * only thing staff add is the stage of signing in (password, then second
 * factor), and a kind on every row and every lookup keeps the two apart.
 */
import type { Transaction } from 'kysely';

import {
  SignInSessionRepository,
  type SignInPerson,
} from '../../data/repositories/accounts/signInSessionRepository.js';
import type { DB, Executor } from '../../data/schema.js';
import {
  absoluteEnd,
  sessionState,
  type SessionLimits,
  type SignInKind,
} from '../../domain/accounts/signInSessions.js';
import type { StaffSessionStage } from '../../domain/accounts/staff.js';
import { hashSecret, newSecret } from './secrets.js';

export type { SignInPerson } from '../../data/repositories/accounts/signInSessionRepository.js';

/** "Last seen" is written at most this often, not on every page. */
export const TOUCH_EVERY_MILLISECONDS = 60_000;

/** A session that still holds. */
export interface ActiveSignIn {
  person: SignInPerson;
  /** A member of staff's stage of signing in; null for a delegate. */
  stage: StaffSessionStage | null;
  /** The hash of the cookie's secret, to sign out this browser only. */
  idHash: string;
}

/** A session as read, of either kind. */
type FoundSession = NonNullable<Awaited<ReturnType<SignInSessionRepository['find']>>>;

/** Who a delegate's session belongs to, read with it. */
export type SessionDelegate = NonNullable<
  Awaited<ReturnType<SignInSessionRepository['findDelegateSession']>>
>['delegate'];

/** The limits, or for staff the limits at the session's stage. */
type LimitsFor = SessionLimits | ((stage: StaffSessionStage | null) => SessionLimits);

export class SignInSessions {
  private readonly sessions: SignInSessionRepository;

  constructor(db: Executor) {
    this.sessions = new SignInSessionRepository(db);
  }

  /** The same store inside a transaction, so a sign-out lands with the change that causes it. */
  within(trx: Transaction<DB>): SignInSessions {
    return new SignInSessions(trx);
  }

  /**
   * Starts a session and returns its secret for the cookie. It ends for good
   * `limits.absoluteMinutes` after `startedAt` (now, unless it continues an
   * earlier sign-in).
   */
  async start(
    person: SignInPerson,
    limits: SessionLimits,
    now: Date,
    options: { stage?: StaffSessionStage; startedAt?: Date | string } = {},
  ): Promise<string> {
    const secret = newSecret();
    const expires = absoluteEnd(options.startedAt ?? now, limits);
    await this.sessions.create(hashSecret(secret), person, options.stage ?? null, now, expires);
    return secret;
  }

  /**
   * Whose session of this kind the cookie's secret is, if it still holds:
   * not revoked, not past its absolute end, not idle longer than its limit.
   * Marks it seen (at most once a minute).
   */
  async check(kind: SignInKind, secret: string, limits: LimitsFor, now: Date): Promise<ActiveSignIn | null> {
    const idHash = hashSecret(secret);
    const session = await this.sessions.find(kind, idHash);
    return session && (await this.stillActive(session, limits, now)) ? this.active(session) : null;
  }

  /**
   * `check` for a delegate, with who the delegate is read in the same query:
   * every signed-in delegate's request starts here.
   */
  async checkDelegate(
    secret: string,
    limits: SessionLimits,
    now: Date,
  ): Promise<{ signIn: ActiveSignIn; delegate: SessionDelegate } | null> {
    const session = await this.sessions.findDelegateSession(hashSecret(secret));
    if (!session || !(await this.stillActive(session, limits, now))) return null;
    return { signIn: this.active(session), delegate: session.delegate };
  }

  /** Whether a session found holds: not revoked, past its end or idle too long. Marks it seen. */
  private async stillActive(session: FoundSession, limits: LimitsFor, now: Date): Promise<boolean> {
    const applying = typeof limits === 'function' ? limits(session.stage) : limits;
    if (sessionState(session, applying, now) !== 'active') return false;
    if (now.getTime() - new Date(session.last_seen_at).getTime() > TOUCH_EVERY_MILLISECONDS) {
      await this.sessions.touch(session.id_hash, now);
    }
    return true;
  }

  private active(session: FoundSession): ActiveSignIn {
    return { person: session.person, stage: session.stage, idHash: session.id_hash };
  }

  /**
   * Ends a session and starts its successor with a new secret, at a new
   * stage but with the same absolute end counted from the first, so a cookie
   * seen before a step (the second factor) is worth nothing after it. Null
   * when the session had already ended (a second tab took the step first).
   */
  async renew(
    kind: SignInKind,
    idHash: string,
    stage: StaffSessionStage,
    limits: SessionLimits,
    now: Date,
  ): Promise<string | null> {
    const before = await this.sessions.find(kind, idHash);
    if (!before || !(await this.sessions.revoke(kind, idHash, now))) return null;
    return this.start(before.person, limits, now, { stage, startedAt: before.created_at });
  }

  /** Signs one browser out: false if its session had already ended. */
  end(kind: SignInKind, idHash: string, now: Date): Promise<boolean> {
    return this.sessions.revoke(kind, idHash, now);
  }

  /** Signs someone out everywhere, or everywhere but the browser whose session is `keepIdHash`. */
  endAll(person: SignInPerson, now: Date, keepIdHash?: string): Promise<void> {
    return this.sessions.revokeAll(person, now, keepIdHash);
  }
}
