/**
 * Staff accounts and staff sign-in: a password, then a second factor.
 *
 * A correct password starts a short "part-way" session (ten minutes) that
 * can do one thing: enter a code from an authenticator app or a recovery
 * code or, the first time, enrol an authenticator. Only when that succeeds
 * is the part-way session ended and a signed-in one started with a new
 * secret, so a cookie seen before the second factor is worth nothing after.
 *
 * Signed-in sessions end after 30 idle minutes or ten hours after the
 * password was accepted, and can be revoked on the server.
 */
import { randomBytes, randomInt } from 'node:crypto';

import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import type { Kysely, Transaction } from 'kysely';
import { Secret, TOTP } from 'otpauth';

import { StaffRepository, type NewStaff } from '../../data/repositories/accounts/staffRepository.js';
import type { DB } from '../../data/schema.js';
import { holds } from '../../domain/accounts/permissions.js';
import {
  RECOVERY_CODE_COUNT,
  STAFF_PART_WAY_LIMITS,
  STAFF_SESSION_LIMITS,
  TOTP_DIGITS,
  TOTP_PERIOD_SECONDS,
  TOTP_WINDOW,
  staffSessionLimits,
  type StaffRole,
  type StaffSessionStage,
} from '../../domain/accounts/staff.js';
import { ConflictError, NotFoundError, UserFacingError } from '../../errors.js';
import type { Clock } from '../clock.js';
import type { SecretBox } from './secretBox.js';
import { hashSecret } from './secrets.js';
import { SignInSessions } from './signInSessions.js';
import { MemorySignInThrottle, type SignInThrottle } from './signInThrottle.js';

export interface SignedInStaff {
  id: number;
  name: string;
  email: string;
  role: StaffRole;
  /** The trainer this person is, for a trainer's own sessions. */
  trainerId: number | null;
  /** Signed in with a one-time password: they must choose their own before anything else. */
  mustChangePassword: boolean;
}

export interface StaffChanges {
  name: string;
  role: StaffRole;
  /** Required for a trainer (their own sessions are this trainer's). */
  trainerId: number | null;
}

export interface StaffSession {
  staff: SignedInStaff;
  /** Only `signed_in` may use the back office. */
  stage: StaffSessionStage;
  sessionIdHash: string;
}

export interface Enrolment {
  /** Base32, to type into an authenticator app. */
  secret: string;
  /** The otpauth:// address a QR code carries. */
  uri: string;
}

/** How long a one-time password works unless configured (ONE_TIME_PASSWORD_HOURS). */
export const DEFAULT_ONE_TIME_PASSWORD_HOURS = 24;

/** The right one-time password, but too long after it was made. */
export class OneTimePasswordExpiredError extends UserFacingError {
  readonly statusCode = 400;
  readonly title = 'This one-time password has expired';
  constructor() {
    super(
      'This one-time password has expired. Ask an administrator of your hub for a new one, then sign in with it.',
    );
  }
}

/** What an authenticator is given as the account's issuer when none is said. */
const DEFAULT_ISSUER = 'Trellis';

// A wrong email takes as long as a wrong password (see AccountService).
const NO_ACCOUNT_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$dCxIG6gG4s2DF6O59XuAjw$7rWxHY6KpuiyRpPaF0JZrAqNu42PW2cFqGfwHC7OYQc';

/** No 0/o, 1/l/i: read from paper and typed back. 16 characters of 32 = 80 bits. */
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const RECOVERY_CODE_LENGTH = 16;

/** A random password for a new account, given once (by the create-admin command, say). */
export function newOneTimePassword(): string {
  return randomBytes(15).toString('base64url');
}

function newRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < RECOVERY_CODE_LENGTH; i++)
    code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  return code.match(/.{4}/g)!.join('-');
}

/** As typed: any case, with or without spaces and hyphens. */
function normaliseCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

/** Stored per person, so the same code on two accounts hashes differently. */
function recoveryCodeHash(staffId: number, code: string): string {
  return hashSecret(`${staffId}:${normaliseCode(code)}`);
}

export class StaffService {
  private readonly staff: StaffRepository;
  /** Staff sign-ins, in the store shared with delegates'. */
  private readonly sessions: SignInSessions;

  constructor(
    db: Kysely<DB>,
    private readonly clock: Clock,
    /** Authenticator secrets are stored sealed with it (see secretBox.ts). */
    private readonly box: SecretBox,
    options: { oneTimePasswordHours?: number | undefined; signInThrottle?: SignInThrottle } = {},
  ) {
    this.oneTimePasswordMs = (options.oneTimePasswordHours ?? DEFAULT_ONE_TIME_PASSWORD_HOURS) * 3_600_000;
    this.staff = new StaffRepository(db);
    this.sessions = new SignInSessions(db);
    this.signInThrottle = options.signInThrottle ?? new MemorySignInThrottle(clock);
  }

  /** Wrong passwords slow further attempts at that account (see signInThrottle.ts). */
  private readonly signInThrottle: SignInThrottle;

  /** How long a one-time password can be used after it is made. */
  private readonly oneTimePasswordMs: number;

  /** Whether a one-time password made at `issuedAt` can no longer be used. */
  oneTimePasswordHasExpired(issuedAt: Date | string): boolean {
    return this.clock.now() >= this.oneTimePasswordExpiry(issuedAt);
  }

  /** Until when a one-time password made at `issuedAt` can be used. */
  oneTimePasswordExpiry(issuedAt: Date | string): Date {
    return new Date(new Date(issuedAt).getTime() + this.oneTimePasswordMs);
  }

  /**
   * Creates a staff account with this password (argon2id); it must enrol a
   * second factor at first sign-in. `oneTime`: the password is to be passed
   * on, and its holder must choose their own after signing in.
   */
  async create(details: NewStaff, password: string, options: { oneTime?: boolean } = {}): Promise<number> {
    return this.staff.create(details, await argon2Hash(password), this.clock.now(), options.oneTime ?? false);
  }

  list() {
    return this.staff.list();
  }

  /** The trainers a trainer's account can be linked to. */
  trainers() {
    return this.staff.trainers();
  }

  async find(id: number) {
    const staff = await this.staff.find(id);
    if (!staff) throw new NotFoundError('staff member');
    return staff;
  }

  /**
   * An administrator adds someone: a one-time password to pass on (shown
   * once), changed at their first sign-in, after they set up an authenticator.
   */
  async invite(
    actorId: number,
    details: StaffChanges & { email: string },
  ): Promise<{ id: number; password: string; expiresAt: Date }> {
    const password = newOneTimePassword();
    const hash = await argon2Hash(password);
    const now = this.clock.now();
    const id = await this.staff.transaction(async (repository) => {
      const id = await repository.create(details, hash, now, true);
      await repository.audit(
        { actorId, action: 'staff_created', entityId: id, details: { role: details.role } },
        now,
      );
      return id;
    });
    return { id, password, expiresAt: this.oneTimePasswordExpiry(now) };
  }

  /** Name, role and trainer. The hub always keeps at least one administrator. */
  async update(actorId: number, id: number, changes: StaffChanges): Promise<string[]> {
    const now = this.clock.now();
    return this.staff.transaction(async (repository) => {
      const before = await repository.find(id);
      if (!before) throw new NotFoundError('staff member');
      if (holds(before.role, 'manageStaff') && !holds(changes.role, 'manageStaff') && !before.disabled_at) {
        if ((await repository.activeAdministrators()) <= 1) {
          throw new ConflictError(
            `${before.name} is the only administrator. Make someone else an administrator first, so the hub is never left without one.`,
          );
        }
      }
      const changed: string[] = (['name', 'role'] as const).filter(
        (field) => before[field] !== changes[field],
      );
      if (before.trainer_id !== changes.trainerId) changed.push('trainer');
      if (!changed.length) return [];
      await repository.update(id, changes, now);
      await repository.audit(
        {
          actorId,
          action: 'staff_updated',
          entityId: id,
          details: {
            changed,
            role: before.role !== changes.role ? { from: before.role, to: changes.role } : undefined,
          },
        },
        now,
      );
      return changed;
    });
  }

  /** Disabling signs the person out everywhere at once. Nobody disables themselves or the last administrator. */
  async setDisabled(actorId: number, id: number, disabled: boolean): Promise<void> {
    const now = this.clock.now();
    await this.staff.transaction(async (repository, trx) => {
      const staff = await repository.find(id);
      if (!staff) throw new NotFoundError('staff member');
      if (disabled && id === actorId) {
        throw new ConflictError('You cannot disable your own account. Ask another administrator.');
      }
      if (
        disabled &&
        holds(staff.role, 'manageStaff') &&
        !staff.disabled_at &&
        (await repository.activeAdministrators()) <= 1
      ) {
        throw new ConflictError(`${staff.name} is the only administrator, so their account stays open.`);
      }
      if (Boolean(staff.disabled_at) === disabled) return;
      await repository.setDisabled(id, disabled ? now : null, now);
      if (disabled) await this.sessions.within(trx).endAll({ kind: 'staff', id }, now);
      await repository.audit(
        { actorId, action: disabled ? 'staff_disabled' : 'staff_enabled', entityId: id },
        now,
      );
    });
  }

  /**
   * For someone who lost their phone and their recovery codes: forgets the
   * authenticator, so the next sign-in (with their password) sets up a new one.
   */
  async resetSecondFactor(actorId: number, id: number): Promise<void> {
    const now = this.clock.now();
    await this.staff.transaction(async (repository, trx) => {
      if (!(await repository.find(id))) throw new NotFoundError('staff member');
      await repository.clearSecondFactor(id, now);
      await this.sessions.within(trx).endAll({ kind: 'staff', id }, now);
      await repository.audit({ actorId, action: 'staff_second_factor_reset', entityId: id }, now);
    });
  }

  /** A new one-time password for someone who forgot theirs (shown once to the administrator), and until when it works. */
  async resetPassword(actorId: number | null, id: number): Promise<{ password: string; expiresAt: Date }> {
    const password = newOneTimePassword();
    const hash = await argon2Hash(password);
    const now = this.clock.now();
    await this.staff.transaction(async (repository, trx) => {
      if (!(await repository.find(id))) throw new NotFoundError('staff member');
      await repository.setPassword(id, hash, true, now);
      await this.sessions.within(trx).endAll({ kind: 'staff', id }, now);
      await repository.audit({ actorId, action: 'staff_password_reset', entityId: id }, now);
    });
    return { password, expiresAt: this.oneTimePasswordExpiry(now) };
  }

  /**
   * A staff member chooses a new password, giving their current one. Other
   * browsers are signed out; this one stays signed in. False when the
   * current password is wrong.
   */
  async changeOwnPassword(session: StaffSession, current: string, next: string): Promise<boolean> {
    const staff = await this.staff.find(session.staff.id);
    if (!staff || !(await argon2Verify(staff.password_hash, current).catch(() => false))) return false;
    const hash = await argon2Hash(next);
    const now = this.clock.now();
    await this.staff.transaction(async (repository, trx) => {
      await repository.setPassword(staff.id, hash, false, now);
      await this.sessions.within(trx).endAll({ kind: 'staff', id: staff.id }, now, session.sessionIdHash);
      await repository.audit(
        { actorId: staff.id, action: 'staff_password_changed', entityId: staff.id },
        now,
      );
    });
    return true;
  }

  findByEmail(email: string) {
    return this.staff.findByEmail(email);
  }

  /**
   * Checks the password and starts a part-way session: returns its secret
   * for the cookie and what comes next, or null when the email or password
   * is wrong or the account is disabled. Throws SignInPausedError, without
   * checking the password, while the account waits after several wrong ones.
   */
  async signIn(
    email: string,
    password: string,
  ): Promise<{ secret: string; stage: StaffSessionStage } | null> {
    const staff = await this.staff.findByEmail(email);
    if (staff) await this.signInThrottle.begin(`staff:${staff.id}`);
    const ok = await argon2Verify(staff?.password_hash ?? NO_ACCOUNT_HASH, password).catch(() => false);
    if (!staff || !ok || staff.disabled_at) return null;
    await this.signInThrottle.succeeded(`staff:${staff.id}`);
    // Told only to whoever knows the password: a one-time one left unused too long is refused.
    if (
      staff.password_change_required_at &&
      this.oneTimePasswordHasExpired(staff.password_change_required_at)
    ) {
      throw new OneTimePasswordExpiredError();
    }
    const now = this.clock.now();
    const stage: StaffSessionStage = staff.totp_enrolled_at ? 'second_factor' : 'enrol';
    const secret = await this.sessions.start({ kind: 'staff', id: staff.id }, STAFF_PART_WAY_LIMITS, now, {
      stage,
    });
    return { secret, stage };
  }

  /** Who holds this staff cookie, and how far they are through signing in. */
  async authenticate(secret: string): Promise<StaffSession | null> {
    const session = await this.sessions.check('staff', secret, staffSessionLimits, this.clock.now());
    if (!session) return null;
    const staff = await this.staff.find(session.person.id);
    if (!staff || staff.disabled_at) return null;
    return {
      staff: {
        id: staff.id,
        name: staff.name,
        email: staff.email,
        role: staff.role,
        trainerId: staff.trainer_id,
        mustChangePassword: staff.password_change_required_at !== null,
      },
      // Every staff session has a stage (the table's check says so).
      stage: session.stage!,
      sessionIdHash: session.idHash,
    };
  }

  /**
   * The authenticator secret to enrol, made on first asking and kept until a
   * code from it is confirmed, so reloading the page shows the same one.
   */
  async enrolment(session: StaffSession, issuer = DEFAULT_ISSUER): Promise<Enrolment | null> {
    if (session.stage !== 'enrol') return null;
    let staff = await this.staff.find(session.staff.id);
    if (!staff || staff.totp_enrolled_at) return null;
    if (!staff.totp_secret) {
      const fresh = new Secret({ size: 20 }).base32;
      await this.staff.setPendingTotpSecret(staff.id, this.box.seal(fresh), this.clock.now());
      staff = await this.staff.find(staff.id);
      if (!staff?.totp_secret) return null;
    }
    const secret = this.box.open(staff.totp_secret);
    return { secret, uri: this.totp(secret, staff.email, issuer).toString() };
  }

  /**
   * Confirms enrolment with a code from the new authenticator: makes ten
   * recovery codes (returned once, stored hashed) and signs in. Null when
   * the code is wrong.
   */
  async confirmEnrolment(
    session: StaffSession,
    code: string,
  ): Promise<{ secret: string; recoveryCodes: string[] } | null> {
    if (session.stage !== 'enrol') return null;
    const staff = await this.staff.find(session.staff.id);
    if (!staff?.totp_secret || staff.totp_enrolled_at) return null;
    const now = this.clock.now();
    const step = this.validTotpStep(this.box.open(staff.totp_secret), staff.email, code, now);
    if (step === null) return null;
    const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    const secret = await this.staff.transaction(async (repository, trx) => {
      if (!(await repository.confirmTotp(staff.id, step, now))) return null;
      await repository.replaceRecoveryCodes(
        staff.id,
        recoveryCodes.map((c) => recoveryCodeHash(staff.id, c)),
        now,
      );
      return this.promote(trx, session, now);
    });
    return secret ? { secret, recoveryCodes } : null;
  }

  /**
   * The second factor at sign-in: a code from the authenticator (each
   * accepted once) or an unused recovery code. Returns the signed-in
   * session's secret, or null.
   */
  async completeSecondFactor(
    session: StaffSession,
    code: string,
  ): Promise<{ secret: string; usedRecoveryCode: boolean; recoveryCodesLeft: number } | null> {
    if (session.stage !== 'second_factor') return null;
    const staff = await this.staff.find(session.staff.id);
    if (!staff?.totp_secret || !staff.totp_enrolled_at) return null;
    const now = this.clock.now();
    const typed = normaliseCode(code);
    const isTotp = new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(typed);
    const result = await this.staff.transaction(async (repository, trx) => {
      if (isTotp) {
        const step = this.validTotpStep(this.box.open(staff.totp_secret!), staff.email, typed, now);
        if (step === null || !(await repository.useTotpStep(staff.id, step))) return null;
      } else if (!(await repository.useRecoveryCode(staff.id, recoveryCodeHash(staff.id, typed), now))) {
        return null;
      }
      return this.promote(trx, session, now);
    });
    if (!result) return null;
    return {
      secret: result,
      usedRecoveryCode: !isTotp,
      recoveryCodesLeft: await this.staff.unusedRecoveryCodes(staff.id),
    };
  }

  async signOut(sessionIdHash: string): Promise<void> {
    await this.sessions.end('staff', sessionIdHash, this.clock.now());
  }

  /** Ends every session of a staff member's, everywhere. */
  async signOutEverywhere(staffId: number): Promise<void> {
    await this.sessions.endAll({ kind: 'staff', id: staffId }, this.clock.now());
  }

  /** Ends the part-way session and starts a signed-in one, ten hours from the password. */
  private promote(trx: Transaction<DB>, session: StaffSession, now: Date): Promise<string | null> {
    return this.sessions
      .within(trx)
      .renew('staff', session.sessionIdHash, 'signed_in', STAFF_SESSION_LIMITS, now);
  }

  private totp(secret: string, label: string, issuer = DEFAULT_ISSUER): TOTP {
    return new TOTP({
      issuer,
      label,
      secret: Secret.fromBase32(secret),
      algorithm: 'SHA1',
      digits: TOTP_DIGITS,
      period: TOTP_PERIOD_SECONDS,
    });
  }

  /** The time step the code belongs to, if it is valid now (one step either side). */
  private validTotpStep(secret: string, label: string, code: string, now: Date): number | null {
    const token = normaliseCode(code);
    if (!new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(token)) return null;
    const delta = this.totp(secret, label).validate({ token, timestamp: now.getTime(), window: TOTP_WINDOW });
    if (delta === null) return null;
    return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS) + delta;
  }
}
