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

import {
  AccountRepository,
  type DelegateDetails,
} from '../../data/repositories/accounts/accountRepository.js';
import type { DB } from '../../data/schema.js';
import {
  DELEGATE_SESSION_LIMITS,
  PASSWORD_RESET_LINK_MINUTES,
  SHARED_ADDRESS_MESSAGE,
  VERIFY_EMAIL_LINK_HOURS,
} from '../../domain/accounts/accounts.js';
import { isRefusedSharedAddress } from '../../domain/hub/policy.js';
import { FormError } from '../../errors.js';
import { CertificateIssuing } from '../afterCourse/certificateIssuing.js';
import type { Clock } from '../clock.js';
import type { MailContext, Notifications, Recipient } from '../email/notifications.js';
import { PrivateLinks, type PrivateLink } from './privateLinks.js';
import { PersonalDataRecords } from '../../data/repositories/privacy/personalDataRecords.js';
import { hashSecret, newSecret } from './secrets.js';
import { SignInSessions } from './signInSessions.js';
import { MemorySignInThrottle, type SignInThrottle } from './signInThrottle.js';

export interface RegistrationInput extends Omit<DelegateDetails, 'organisationId'> {
  /** An organisation from the hub's list, or… */
  organisationId: number | null;
  /** …the name of one that is not on it yet (staff confirm it later); both null for no employer. */
  newOrganisationName: string | null;
  password: string;
}

/** A delegate's details as they change them: the email address changes on its own, confirmed. */
export type DetailsInput = Omit<RegistrationInput, 'password' | 'email'>;

export interface VerifyResult {
  outcome: TokenOutcome | 'taken';
  /** A new session's secret, when this is the browser that registered: it is signed in. */
  sessionSecret: string | null;
  /** The page registration started from (a session's booking page), to go back to. */
  returnPath: string | null;
  /** Whose address it was, when the link was one. */
  delegateId: number | null;
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

export class AccountService {
  private readonly accounts: AccountRepository;
  /** Delegates' sign-ins, in the store shared with staff's. */
  private readonly sessions: SignInSessions;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly mail: Notifications,
    /** The hub's settings and policy, read before each transaction. */
    private readonly context: () => Promise<MailContext>,
    private readonly publicUrl: string,
    /** Wrong passwords slow further attempts at that account (see signInThrottle.ts). */
    private readonly signInThrottle: SignInThrottle = new MemorySignInThrottle(clock),
  ) {
    this.accounts = new AccountRepository(db);
    this.sessions = new SignInSessions(db);
    this.links = new PrivateLinks(db, clock);
    this.activity = new PersonalDataRecords(db);
    this.certificates = new CertificateIssuing(mail);
  }

  /** Confirmation and reset links, in the one private-link service. */
  private readonly links: PrivateLinks;
  private readonly activity: PersonalDataRecords;

  /** Certificates state the name as registered: a new name re-issues them. */
  private readonly certificates: CertificateIssuing;

  organisations() {
    return this.accounts.listOrganisations();
  }

  /**
   * Registers a delegate and emails a link to verify their address. An
   * address that already has an account gets a password reset link instead,
   * and the person sees the same page either way, so registering cannot be
   * used to find out who has an account.
   *
   * Returns a secret for the registering browser's cookie: opening the link
   * in that browser signs it in and goes back to `returnPath`. (A secret is
   * returned either way, bound to nothing when no link was sent.)
   */
  async register(
    input: RegistrationInput,
    returnPath: string | null = null,
  ): Promise<{ browserSecret: string }> {
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
    const browserSecret = newSecret();
    const registration = { browserHash: hashSecret(browserSecret), returnPath };
    const registerOnce = () =>
      this.db.transaction().execute(async (trx) => {
        const accounts = this.accounts.within(trx);
        const existing = await accounts.findDelegateByEmail(input.email);
        if (existing) {
          // A merged duplicate cannot be brought back by resetting its password.
          if (existing.merged_into_id === null) await this.sendPasswordReset(trx, ctx, existing, now);
          return;
        }
        const organisationId = await this.organisationFor(accounts, input, now);
        const id = await accounts.createDelegate({ ...input, organisationId }, passwordHash, now);
        await this.sendVerification(
          trx,
          ctx,
          { id, name: input.name, email: input.email },
          now,
          registration,
        );
      });
    try {
      await registerOnce();
    } catch (error) {
      // Two registrations for one address at once: the second finds the first.
      if (!isUniqueViolation(error)) throw error;
      await registerOnce();
    }
    return { browserSecret };
  }

  /** The organisation chosen, or the one named (made if new), or none for someone with no employer. */
  private async organisationFor(
    accounts: AccountRepository,
    input: Pick<RegistrationInput, 'organisationId' | 'newOrganisationName'>,
    now: Date,
  ): Promise<number | null> {
    if (input.organisationId !== null) return input.organisationId;
    const name = input.newOrganisationName;
    if (!name) return null;
    const existing = await accounts.findOrganisationByName(name);
    // A name staff merged into another organisation means that one.
    if (existing) return existing.merged_into_id ?? existing.id;
    // Staff set the real type when they confirm it.
    return accounts.createUnconfirmedOrganisation(name, 'partner_agency', now);
  }

  /**
   * A link that confirms `to.email`: the account's own address, or the new
   * address it asked for (`pending_email`), whichever the link was sent to.
   */
  private async sendVerification(
    trx: Transaction<DB>,
    ctx: MailContext,
    to: Recipient,
    now: Date,
    registration: { browserHash: string; returnPath: string | null } | null = null,
    purpose: 'register' | 'change' = 'register',
  ) {
    const expires = new Date(now.getTime() + VERIFY_EMAIL_LINK_HOURS * 3_600_000);
    const token = await this.links.within(trx).issue({
      purpose: 'verify_email',
      subject: { delegateId: to.id },
      email: to.email,
      expiresAt: expires,
      registration,
    });
    await this.mail.verifyEmail(trx, ctx, to, `${this.publicUrl}/account/verify/${token}`, expires, purpose);
  }

  private async sendPasswordReset(trx: Transaction<DB>, ctx: MailContext, to: Recipient, now: Date) {
    const expires = new Date(now.getTime() + PASSWORD_RESET_LINK_MINUTES * 60_000);
    const token = await this.links.within(trx).issue({
      purpose: 'reset_password',
      subject: { delegateId: to.id },
      email: to.email,
      expiresAt: expires,
    });
    await this.mail.passwordReset(trx, ctx, to, `${this.publicUrl}/account/reset-password/${token}`, expires);
  }

  /**
   * What an emailed confirmation link would do, without doing it: opening a
   * link (a GET, which mail scanners make first) never acts, so the page asks
   * the person to press a button, and only that confirms (verifyEmail).
   */
  async verificationLink(
    token: string,
    browserSecret: string | null = null,
  ): Promise<{ outcome: TokenOutcome | 'open'; email: string | null }> {
    const found = (await this.links.check(token, 'verify_email')).link;
    const delegate = found?.delegate_id ? await this.accounts.findDelegate(found.delegate_id) : undefined;
    if (!found || !delegate || delegate.merged_into_id !== null) return { outcome: 'unknown', email: null };
    const toNewAddress = found.email !== delegate.email;
    if (toNewAddress && found.email !== delegate.pending_email) return { outcome: 'unknown', email: null };
    const expired = this.clock.now() >= new Date(found.expires_at);
    if (found.used_at) {
      const confirmed = !toNewAddress && delegate.email_verified_at !== null;
      // Confirmed from another device first: the browser that registered may still press to sign in.
      const thisBrowser =
        browserSecret !== null &&
        found.browser_hash !== null &&
        found.browser_hash === hashSecret(browserSecret);
      if (confirmed && thisBrowser && !expired) return { outcome: 'open', email: found.email };
      return { outcome: confirmed ? 'done' : 'used', email: found.email };
    }
    if (expired) return { outcome: 'expired', email: found.email };
    return { outcome: 'open', email: found.email };
  }

  /**
   * Confirms the address a link was sent to: the account's own, or the new
   * one it asked to move to (which then replaces the old). Opening the link
   * again, or after a mail scanner opened it first, is not an error.
   *
   * Only the browser that registered (holding `browserSecret`) is signed in,
   * once, and only while the link has not expired; anyone else who opens it
   * just learns that the address is confirmed.
   */
  async verifyEmail(token: string, browserSecret: string | null = null): Promise<VerifyResult> {
    const now = this.clock.now();
    const found = (await this.links.check(token, 'verify_email')).link;
    const delegate = found?.delegate_id ? await this.accounts.findDelegate(found.delegate_id) : undefined;
    if (!found || !delegate || delegate.merged_into_id !== null) {
      return { outcome: 'unknown', sessionSecret: null, returnPath: null, delegateId: null };
    }
    const outcomeOnly = (outcome: VerifyResult['outcome'], returnPath: string | null = null) => ({
      outcome,
      sessionSecret: null,
      returnPath,
      delegateId: delegate.id,
    });
    // A link proves the mailbox it was sent to: the account's address, or the one it is moving to.
    if (found.email !== delegate.email) {
      return outcomeOnly(
        found.email === delegate.pending_email ? await this.confirmNewAddress(found, delegate) : 'unknown',
      );
    }
    let outcome: TokenOutcome;
    if (found.used_at) outcome = delegate.email_verified_at ? 'done' : 'used';
    else if (now >= new Date(found.expires_at)) outcome = 'expired';
    else {
      outcome = await this.db.transaction().execute(async (trx): Promise<TokenOutcome> => {
        const accounts = this.accounts.within(trx);
        if (await this.links.within(trx).use(found.id)) {
          await accounts.markEmailVerified(delegate.id, now);
        }
        return 'done';
      });
    }
    const returnPath = found.return_path;
    if (outcome !== 'done' || !browserSecret || !found.browser_hash || !delegate.password_hash) {
      return outcomeOnly(outcome, returnPath);
    }
    if (now >= new Date(found.expires_at)) return outcomeOnly(outcome, returnPath);
    if (!(await this.links.useBrowserSignIn(found.id, browserSecret))) {
      return outcomeOnly(outcome, returnPath);
    }
    return {
      outcome,
      sessionSecret: await this.startSession(delegate.id, now),
      returnPath,
      delegateId: delegate.id,
    };
  }

  /** The new address an account asked for becomes its own; the old one is told. */
  private async confirmNewAddress(
    found: PrivateLink,
    delegate: Recipient & { email_verified_at: string | null },
  ): Promise<TokenOutcome | 'taken'> {
    const newEmail = found.email;
    const now = this.clock.now();
    if (found.used_at) return 'used';
    if (now >= new Date(found.expires_at)) return 'expired';
    const ctx = await this.context();
    try {
      return await this.db.transaction().execute(async (trx): Promise<TokenOutcome | 'taken'> => {
        const accounts = this.accounts.within(trx);
        if (!(await this.links.within(trx).use(found.id))) return 'used';
        // Someone registered with the address (or staff added them) since it was asked for.
        if (await accounts.findDelegateByEmail(newEmail)) {
          await accounts.setPendingEmail(delegate.id, null, now);
          return 'taken';
        }
        if (!(await accounts.confirmPendingEmail(delegate.id, newEmail, now))) return 'used';
        // An address never confirmed may not be the person's: it is not sent account news.
        if (delegate.email_verified_at) await this.mail.detailsChanged(trx, ctx, delegate, 'email');
        return 'done';
      });
    } catch (error) {
      // Two accounts moving to one address at once: the second finds it taken.
      if (!isUniqueViolation(error)) throw error;
      return 'taken';
    }
  }

  /**
   * Sends the link again to a signed-in delegate who lost it: to the new
   * address they asked for if there is one, or else to their unconfirmed one.
   */
  async resendVerification(delegateId: number): Promise<'pending' | 'account' | null> {
    const delegate = await this.accounts.findDelegate(delegateId);
    if (!delegate) return null;
    const ctx = await this.context();
    const now = this.clock.now();
    if (delegate.pending_email) {
      const newEmail = delegate.pending_email;
      await this.db.transaction().execute((trx) => this.sendToNewAddress(trx, ctx, delegate, newEmail, now));
      return 'pending';
    }
    if (delegate.email_verified_at) return null;
    await this.db.transaction().execute((trx) => this.sendVerification(trx, ctx, delegate, now));
    return 'account';
  }

  /**
   * A confirmation link to the new address, or, when it already has an
   * account, a note to that account's owner instead: whoever asked sees the
   * same either way.
   */
  private async sendToNewAddress(
    trx: Transaction<DB>,
    ctx: MailContext,
    delegate: Recipient,
    newEmail: string,
    now: Date,
  ) {
    const owner = await this.accounts.within(trx).findDelegateByEmail(newEmail);
    if (!owner) {
      await this.sendVerification(trx, ctx, { ...delegate, email: newEmail }, now, null, 'change');
    } else if (owner.merged_into_id === null) {
      await this.mail.emailInUse(trx, ctx, owner);
    }
  }

  /** Every delegate sign-in starts here, and keeps the account open (domain/hub/retention.ts). */
  private async startSession(delegateId: number, now: Date): Promise<string> {
    await this.activity.markActive(delegateId, now);
    return this.sessions.start({ kind: 'delegate', id: delegateId }, DELEGATE_SESSION_LIMITS, now);
  }

  /**
   * Returns the new session's secret for the cookie, or null when the email
   * or password is wrong. Throws SignInPausedError, without checking the
   * password, while the account waits after several wrong ones.
   */
  async signIn(email: string, password: string): Promise<string | null> {
    const delegate = await this.accounts.findDelegateByEmail(email);
    if (delegate) await this.signInThrottle.begin(`delegate:${delegate.id}`);
    const ok = await argon2Verify(delegate?.password_hash ?? NO_ACCOUNT_HASH, password).catch(() => false);
    // A duplicate staff merged into another account signs in like no account.
    if (!delegate || !delegate.password_hash || delegate.merged_into_id !== null || !ok) return null;
    await this.signInThrottle.succeeded(`delegate:${delegate.id}`);
    return this.startSession(delegate.id, this.clock.now());
  }

  /** Who holds this session cookie, if it is still valid. */
  async authenticate(secret: string): Promise<SignedInDelegate | null> {
    const found = await this.sessions.checkDelegate(secret, DELEGATE_SESSION_LIMITS, this.clock.now());
    if (!found || found.delegate.mergedIntoId !== null) return null;
    const { delegate, signIn } = found;
    return {
      id: delegate.id,
      name: delegate.name,
      email: delegate.email,
      emailVerified: delegate.emailVerifiedAt !== null,
      sessionIdHash: signIn.idHash,
    };
  }

  async signOut(sessionIdHash: string): Promise<void> {
    await this.sessions.end('delegate', sessionIdHash, this.clock.now());
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
    return (await this.resetLink(token)).state;
  }

  /** A reset link works only while the account still has the address it was sent to. */
  private async resetLink(
    token: string,
  ): Promise<
    { state: 'unknown' } | { state: 'valid' | 'used' | 'expired'; delegateId: number; linkId: number }
  > {
    const { state, link } = await this.links.check(token, 'reset_password');
    const delegate = link?.delegate_id ? await this.accounts.findDelegate(link.delegate_id) : undefined;
    if (!link || !delegate || link.email !== delegate.email) return { state: 'unknown' };
    return { state, delegateId: delegate.id, linkId: link.id };
  }

  /** Sets a new password from an emailed link and signs the delegate out everywhere. */
  async resetPassword(token: string, password: string): Promise<TokenOutcome> {
    const found = await this.resetLink(token);
    if (found.state !== 'valid') return found.state;
    const passwordHash = await argon2Hash(password);
    const now = this.clock.now();
    const ctx = await this.context();
    return this.db.transaction().execute(async (trx) => {
      const accounts = this.accounts.within(trx);
      const links = this.links.within(trx);
      if (!(await links.use(found.linkId))) return 'used';
      // One reset is enough: the account's other reset links (in an old email, say) stop working.
      await links.cancel({ delegateId: found.delegateId }, 'reset_password');
      await accounts.setPassword(found.delegateId, passwordHash, now);
      // The link proves the person holds the mailbox.
      await accounts.markEmailVerified(found.delegateId, now);
      await this.sessions.within(trx).endAll({ kind: 'delegate', id: found.delegateId }, now);
      // Whoever knew the old password may have asked to move the account to their own address.
      await accounts.setPendingEmail(found.delegateId, null, now);
      const delegate = await accounts.findDelegate(found.delegateId);
      if (delegate) await this.mail.detailsChanged(trx, ctx, delegate, 'password');
      return 'done';
    });
  }

  async details(delegateId: number) {
    return this.accounts.findDelegate(delegateId);
  }

  /** Changes a delegate's details, as when they move job. The email address changes on its own (`changeEmail`). */
  async updateDetails(delegateId: number, input: DetailsInput): Promise<void> {
    const now = this.clock.now();
    const current = await this.accounts.findDelegate(delegateId);
    if (!current) throw new FormError({ name: 'Your account could not be found: sign in again' });
    if (input.organisationId !== null && !(await this.accounts.findOrganisation(input.organisationId))) {
      throw new FormError({ organisationId: 'Choose your organisation from the list' });
    }
    const ctx = current.name === input.name ? null : await this.context();
    await this.db.transaction().execute(async (trx) => {
      const accounts = this.accounts.within(trx);
      const organisationId = await this.organisationFor(accounts, input, now);
      await accounts.updateDetails(delegateId, { ...input, organisationId }, now);
      if (ctx) await this.certificates.reviewDelegate(trx, ctx, delegateId, now);
    });
  }

  /**
   * Asks to move an account to a new email address, with its password: the
   * new address waits until the link sent to it is used, and the old one
   * keeps working meanwhile and is told. An address that already has an
   * account gets a note instead of a link, and the person asking sees the
   * same as for any other address.
   */
  async changeEmail(
    delegateId: number,
    newEmail: string,
    password: string,
    keepSessionIdHash?: string,
  ): Promise<void> {
    const ctx = await this.context();
    const now = this.clock.now();
    const current = await this.accounts.findDelegate(delegateId);
    if (!current) throw new FormError({ email: 'Your account could not be found: sign in again' });
    const email = newEmail.toLowerCase();
    const problems: Record<string, string> = {};
    if (email === current.email) {
      problems.email = 'This is the email address your account uses now. Enter the new one';
    } else if (isRefusedSharedAddress(email, ctx.policy)) {
      problems.email = SHARED_ADDRESS_MESSAGE;
    }
    const ok = await argon2Verify(current.password_hash ?? NO_ACCOUNT_HASH, password).catch(() => false);
    if (!ok || !current.password_hash) {
      problems.password = 'Enter your password correctly: it is the one you sign in with';
    }
    if (Object.keys(problems).length) throw new FormError(problems);
    await this.db.transaction().execute(async (trx) => {
      const accounts = this.accounts.within(trx);
      await accounts.setPendingEmail(delegateId, email, now);
      await this.sendToNewAddress(trx, ctx, current, email, now);
      // An address never confirmed may not be the person's: it is not sent account news.
      if (current.email_verified_at) await this.mail.emailChangeRequested(trx, ctx, current, email);
      // Other browsers are signed out: whoever is in them may not be the account's owner.
      await this.sessions.within(trx).endAll({ kind: 'delegate', id: delegateId }, now, keepSessionIdHash);
    });
  }

  /** Forgets a new address not yet confirmed: its link stops working. */
  async cancelEmailChange(delegateId: number): Promise<void> {
    await this.accounts.setPendingEmail(delegateId, null, this.clock.now());
  }
}

/** A unique constraint refused a row: SQLite and PostgreSQL say it differently. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
