/**
 * Delegate accounts: registering, verifying an email address, signing in and
 * out, resetting a password and keeping details up to date when someone
 * changes job (one account for life, not a new one per employer).
 *
 * Every change and the email that tells of it are written in one
 * transaction; the outbox sender delivers the email after commit.
 */
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import type { Kysely, Transaction } from 'kysely';

import { AccountRepository, type DelegateDetails } from '../data/repositories/accountRepository.js';
import type { DB } from '../data/schema.js';
import {
  PASSWORD_RESET_LINK_MINUTES,
  SHARED_ADDRESS_MESSAGE,
  SESSION_ABSOLUTE_HOURS,
  VERIFY_EMAIL_LINK_HOURS,
  sessionState,
} from '../domain/accounts.js';
import { isRefusedSharedAddress } from '../domain/policy.js';
import { FormError } from '../errors.js';
import type { Clock } from './clock.js';
import type { MailContext, Notifications, Recipient } from './notifications.js';
import { hashSecret, newSecret } from './secrets.js';
import { SignInThrottle } from './signInThrottle.js';

export interface RegistrationInput extends Omit<DelegateDetails, 'organisationId'> {
  /** An organisation from the hub's list, or… */
  organisationId: number | null;
  /** …the name of one that is not on it yet (staff confirm it later). */
  newOrganisationName: string | null;
  password: string;
}

export interface SignedInDelegate {
  id: number;
  name: string;
  email: string;
  emailVerified: boolean;
  /** The hash of this browser's session, to sign out this browser only. */
  sessionIdHash: string;
}

export type TokenOutcome = 'done' | 'used' | 'expired' | 'unknown';

// Verifying against this when no account matches makes a wrong email take as
// long as a wrong password, so timing does not reveal who has an account.
const NO_ACCOUNT_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$dCxIG6gG4s2DF6O59XuAjw$7rWxHY6KpuiyRpPaF0JZrAqNu42PW2cFqGfwHC7OYQc';

/** Last-seen times are written at most this often, not on every page. */
const TOUCH_EVERY_MILLISECONDS = 60_000;

export class AccountService {
  private readonly accounts: AccountRepository;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly mail: Notifications,
    /** The hub's settings and policy, read before each transaction. */
    private readonly context: () => Promise<MailContext>,
    private readonly publicUrl: string,
  ) {
    this.accounts = new AccountRepository(db);
    this.signInThrottle = new SignInThrottle(clock);
  }

  /** Wrong passwords slow further attempts at that account (see signInThrottle.ts). */
  private readonly signInThrottle: SignInThrottle;

  organisations() {
    return this.accounts.listOrganisations();
  }

  /**
   * Registers a delegate and emails a link to verify their address. An
   * address that already has an account gets a password reset link instead,
   * and the person sees the same page either way, so registering cannot be
   * used to find out who has an account.
   */
  async register(input: RegistrationInput): Promise<void> {
    const ctx = await this.context();
    const { policy } = ctx;
    const now = this.clock.now();
    const problems: Record<string, string> = {};
    if (isRefusedSharedAddress(input.email, policy)) {
      problems.email = SHARED_ADDRESS_MESSAGE;
    }
    if (input.organisationId !== null && !(await this.accounts.findOrganisation(input.organisationId))) {
      problems.organisationId =
        'Choose your organisation from the list, or choose “My organisation is not listed”';
    }
    if (Object.keys(problems).length) throw new FormError(problems);

    const passwordHash = await argon2Hash(input.password);
    const registerOnce = () =>
      this.db.transaction().execute(async (trx) => {
        const accounts = this.accounts.within(trx);
        const existing = await accounts.findDelegateByEmail(input.email);
        if (existing) {
          // A merged duplicate cannot be brought back by resetting its password.
          if (existing.merged_into_id === null) await this.sendPasswordReset(trx, ctx, existing, now);
          return;
        }
        const organisationId =
          input.organisationId ??
          (await this.organisationFor(accounts, input.newOrganisationName ?? '', now));
        const id = await accounts.createDelegate({ ...input, organisationId }, passwordHash, now);
        await this.sendVerification(trx, ctx, { id, name: input.name, email: input.email }, now);
      });
    try {
      await registerOnce();
    } catch (error) {
      // Two registrations for one address at once: the second finds the first.
      if (!isUniqueViolation(error)) throw error;
      await registerOnce();
    }
  }

  private async organisationFor(accounts: AccountRepository, name: string, now: Date): Promise<number> {
    const existing = await accounts.findOrganisationByName(name);
    // A name staff merged into another organisation means that one.
    if (existing) return existing.merged_into_id ?? existing.id;
    // Staff set the real type when they confirm it.
    return accounts.createUnconfirmedOrganisation(name, 'partner_agency', now);
  }

  private async sendVerification(trx: Transaction<DB>, ctx: MailContext, to: Recipient, now: Date) {
    const token = newSecret();
    const expires = new Date(now.getTime() + VERIFY_EMAIL_LINK_HOURS * 3_600_000);
    await this.accounts
      .within(trx)
      .createToken(hashSecret(token), to.id, 'verify_email', to.email, now, expires);
    await this.mail.verifyEmail(trx, ctx, to, `${this.publicUrl}/account/verify/${token}`, expires);
  }

  private async sendPasswordReset(trx: Transaction<DB>, ctx: MailContext, to: Recipient, now: Date) {
    const token = newSecret();
    const expires = new Date(now.getTime() + PASSWORD_RESET_LINK_MINUTES * 60_000);
    await this.accounts
      .within(trx)
      .createToken(hashSecret(token), to.id, 'reset_password', to.email, now, expires);
    await this.mail.passwordReset(trx, ctx, to, `${this.publicUrl}/account/reset-password/${token}`, expires);
  }

  async verifyEmail(token: string): Promise<TokenOutcome> {
    const now = this.clock.now();
    const found = await this.accounts.findToken(hashSecret(token), 'verify_email');
    if (!found) return 'unknown';
    const delegate = await this.accounts.findDelegate(found.delegate_id);
    // A link proves the mailbox it was sent to, and only while the account still uses it.
    if (!delegate || found.email !== delegate.email) return 'unknown';
    // Opening the link again (or a mail scanner having opened it first) is not an error.
    if (found.used_at) return delegate.email_verified_at ? 'done' : 'used';
    if (now >= new Date(found.expires_at)) return 'expired';
    return this.db.transaction().execute(async (trx): Promise<TokenOutcome> => {
      const accounts = this.accounts.within(trx);
      if (!(await accounts.useToken(found.id, now.toISOString()))) return 'done';
      await accounts.markEmailVerified(found.delegate_id, now);
      return 'done';
    });
  }

  /** Sends a new verification link to a signed-in delegate who lost the first. */
  async resendVerification(delegateId: number): Promise<void> {
    const delegate = await this.accounts.findDelegate(delegateId);
    if (!delegate || delegate.email_verified_at) return;
    const ctx = await this.context();
    await this.db.transaction().execute((trx) => this.sendVerification(trx, ctx, delegate, this.clock.now()));
  }

  /**
   * Returns the new session's secret for the cookie, or null when the email
   * or password is wrong. Throws SignInPausedError, without checking the
   * password, while the account waits after several wrong ones.
   */
  async signIn(email: string, password: string): Promise<string | null> {
    const delegate = await this.accounts.findDelegateByEmail(email);
    if (delegate) this.signInThrottle.begin(`delegate:${delegate.id}`);
    const ok = await argon2Verify(delegate?.password_hash ?? NO_ACCOUNT_HASH, password).catch(() => false);
    // A duplicate staff merged into another account signs in like no account.
    if (!delegate || !delegate.password_hash || delegate.merged_into_id !== null || !ok) return null;
    this.signInThrottle.succeeded(`delegate:${delegate.id}`);
    const now = this.clock.now();
    const secret = newSecret();
    const expires = new Date(now.getTime() + SESSION_ABSOLUTE_HOURS * 3_600_000);
    await this.accounts.createSession(hashSecret(secret), delegate.id, now, expires);
    return secret;
  }

  /** Who holds this session cookie, if it is still valid. */
  async authenticate(secret: string): Promise<SignedInDelegate | null> {
    const idHash = hashSecret(secret);
    const session = await this.accounts.findSession(idHash);
    const now = this.clock.now();
    if (!session || sessionState(session, now) !== 'active') return null;
    const delegate = await this.accounts.findDelegate(session.delegate_id);
    if (!delegate || delegate.merged_into_id !== null) return null;
    if (now.getTime() - new Date(session.last_seen_at).getTime() > TOUCH_EVERY_MILLISECONDS) {
      await this.accounts.touchSession(idHash, now);
    }
    return {
      id: delegate.id,
      name: delegate.name,
      email: delegate.email,
      emailVerified: delegate.email_verified_at !== null,
      sessionIdHash: idHash,
    };
  }

  async signOut(sessionIdHash: string): Promise<void> {
    await this.accounts.revokeSession(sessionIdHash, this.clock.now());
  }

  /** Always looks the same from outside, whether or not the address has an account. */
  async requestPasswordReset(email: string): Promise<void> {
    const delegate = await this.accounts.findDelegateByEmail(email);
    if (!delegate || delegate.merged_into_id !== null) return;
    const ctx = await this.context();
    await this.db
      .transaction()
      .execute((trx) => this.sendPasswordReset(trx, ctx, delegate, this.clock.now()));
  }

  async checkPasswordResetToken(token: string): Promise<TokenOutcome | 'valid'> {
    const found = await this.accounts.findToken(hashSecret(token), 'reset_password');
    if (!found) return 'unknown';
    const delegate = await this.accounts.findDelegate(found.delegate_id);
    if (!delegate || found.email !== delegate.email) return 'unknown';
    if (found.used_at) return 'used';
    if (this.clock.now() >= new Date(found.expires_at)) return 'expired';
    return 'valid';
  }

  /** Sets a new password from an emailed link and signs the delegate out everywhere. */
  async resetPassword(token: string, password: string): Promise<TokenOutcome> {
    const state = await this.checkPasswordResetToken(token);
    if (state !== 'valid') return state;
    const found = (await this.accounts.findToken(hashSecret(token), 'reset_password'))!;
    const passwordHash = await argon2Hash(password);
    const now = this.clock.now();
    const ctx = await this.context();
    return this.db.transaction().execute(async (trx) => {
      const accounts = this.accounts.within(trx);
      if (!(await accounts.useToken(found.id, now.toISOString()))) return 'used';
      await accounts.setPassword(found.delegate_id, passwordHash, now);
      // The link proves the person holds the mailbox.
      await accounts.markEmailVerified(found.delegate_id, now);
      await accounts.revokeAllSessions(found.delegate_id, now);
      const delegate = await accounts.findDelegate(found.delegate_id);
      if (delegate) await this.mail.detailsChanged(trx, ctx, delegate, 'password');
      return 'done';
    });
  }

  async details(delegateId: number) {
    return this.accounts.findDelegate(delegateId);
  }

  /**
   * Changes a delegate's details, as when they move job. A new email address
   * must be verified again, and the old one is told of the change.
   */
  async updateDetails(
    delegateId: number,
    input: Omit<RegistrationInput, 'password'>,
    keepSessionIdHash?: string,
  ): Promise<void> {
    const ctx = await this.context();
    const { policy } = ctx;
    const now = this.clock.now();
    const current = await this.accounts.findDelegate(delegateId);
    if (!current) throw new FormError({ name: 'Your account could not be found: sign in again' });
    const emailChanged = current.email !== input.email.toLowerCase();
    const problems: Record<string, string> = {};
    if (emailChanged && isRefusedSharedAddress(input.email, policy)) {
      problems.email = SHARED_ADDRESS_MESSAGE;
    }
    if (emailChanged && (await this.accounts.findDelegateByEmail(input.email))) {
      problems.email =
        'That email address is already used by another account. Enter a different one, or contact the hub';
    }
    if (input.organisationId !== null && !(await this.accounts.findOrganisation(input.organisationId))) {
      problems.organisationId = 'Choose your organisation from the list';
    }
    if (Object.keys(problems).length) throw new FormError(problems);
    await this.db.transaction().execute(async (trx) => {
      const accounts = this.accounts.within(trx);
      const organisationId =
        input.organisationId ?? (await this.organisationFor(accounts, input.newOrganisationName ?? '', now));
      await accounts.updateDetails(delegateId, { ...input, organisationId }, emailChanged, now);
      if (emailChanged) {
        // Links sent to the old address stop working, and other browsers are
        // signed out: whoever changed the address may not be its owner.
        await accounts.cancelTokens(delegateId, now.toISOString());
        await accounts.revokeAllSessions(delegateId, now, keepSessionIdHash);
        await this.mail.detailsChanged(trx, ctx, current, 'email');
        await this.sendVerification(trx, ctx, { id: delegateId, name: input.name, email: input.email }, now);
      }
    });
  }
}

/** A unique constraint refused a row: SQLite and PostgreSQL say it differently. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
