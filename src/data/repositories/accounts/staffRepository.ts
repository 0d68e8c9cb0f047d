/**
 * Staff accounts and their recovery codes (their sign-in sessions are in
 * signInSessionRepository.ts, with delegates'). Secrets are never stored:
 * recovery codes are kept as hashes, and authenticator secrets sealed
 * (services/secretBox.ts) before they get here.
 */
import type { Kysely, Transaction } from 'kysely';

import { rolesHolding } from '../../../domain/accounts/permissions.js';
import type { StaffRole } from '../../../domain/accounts/staff.js';
import type { DB } from '../../schema.js';
import { recordAudit, type AuditEntry } from '../auditRecords.js';

/** The whole database, staff tables included (they are in schema.ts). */
export type StaffDB = DB;

type Executor = Kysely<StaffDB> | Transaction<StaffDB>;

export interface NewStaff {
  name: string;
  email: string;
  role: StaffRole;
  trainerId?: number | null;
}

export class StaffRepository {
  private readonly db: Executor;

  constructor(db: Kysely<DB> | Transaction<DB> | Executor) {
    this.db = db as unknown as Executor;
  }

  within(trx: Transaction<StaffDB>): StaffRepository {
    return new StaffRepository(trx);
  }

  /** `trx` is also given, for work alongside in other stores (signing out, say). */
  transaction<T>(work: (repository: StaffRepository, trx: Transaction<StaffDB>) => Promise<T>): Promise<T> {
    return (this.db as Kysely<StaffDB>).transaction().execute((trx) => work(this.within(trx), trx));
  }

  /** `oneTime`: the password was given by someone else, so its holder must choose their own. */
  async create(staff: NewStaff, passwordHash: string, now: Date, oneTime = false): Promise<number> {
    const at = now.toISOString();
    const row = await this.db
      .insertInto('staff_users')
      .values({
        name: staff.name,
        email: staff.email.trim().toLowerCase(),
        role: staff.role,
        trainer_id: staff.trainerId ?? null,
        password_hash: passwordHash,
        totp_secret: null,
        totp_enrolled_at: null,
        totp_last_step: null,
        disabled_at: null,
        password_change_required_at: oneTime ? at : null,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  findByEmail(email: string) {
    return this.db
      .selectFrom('staff_users')
      .where('email', '=', email.trim().toLowerCase())
      .selectAll()
      .executeTakeFirst();
  }

  find(id: number) {
    return this.db.selectFrom('staff_users').where('id', '=', id).selectAll().executeTakeFirst();
  }

  /**
   * Keeps a secret waiting for its first code (enrolment not yet confirmed),
   * unless one is already waiting: two tabs opening the page show the same.
   */
  async setPendingTotpSecret(id: number, secret: string, now: Date): Promise<void> {
    await this.db
      .updateTable('staff_users')
      .set({ totp_secret: secret, totp_last_step: null, updated_at: now.toISOString() })
      .where('id', '=', id)
      .where('totp_enrolled_at', 'is', null)
      .where('totp_secret', 'is', null)
      .execute();
  }

  async confirmTotp(id: number, step: number, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('staff_users')
      .set({ totp_enrolled_at: now.toISOString(), totp_last_step: step, updated_at: now.toISOString() })
      .where('id', '=', id)
      .where('totp_enrolled_at', 'is', null)
      .where('totp_secret', 'is not', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Records a TOTP step as used: false if it (or a later one) already was, so a code works once. */
  async useTotpStep(id: number, step: number): Promise<boolean> {
    const result = await this.db
      .updateTable('staff_users')
      .set({ totp_last_step: step })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Replaces every recovery code of a staff member's with these hashes. */
  async replaceRecoveryCodes(staffId: number, codeHashes: readonly string[], now: Date): Promise<void> {
    await this.db.deleteFrom('staff_recovery_codes').where('staff_id', '=', staffId).execute();
    if (!codeHashes.length) return;
    await this.db
      .insertInto('staff_recovery_codes')
      .values(
        codeHashes.map((code_hash) => ({
          staff_id: staffId,
          code_hash,
          created_at: now.toISOString(),
          used_at: null,
        })),
      )
      .execute();
  }

  /** Uses a recovery code once: false if it is not this person's or was used already. */
  async useRecoveryCode(staffId: number, codeHash: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('staff_recovery_codes')
      .set({ used_at: now.toISOString() })
      .where('staff_id', '=', staffId)
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async unusedRecoveryCodes(staffId: number): Promise<number> {
    const row = await this.db
      .selectFrom('staff_recovery_codes')
      .where('staff_id', '=', staffId)
      .where('used_at', 'is', null)
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Every staff account, with the trainer each trainer is, for administrators. */
  list() {
    return this.db
      .selectFrom('staff_users')
      .leftJoin('trainers', 'trainers.id', 'staff_users.trainer_id')
      .select([
        'staff_users.id',
        'staff_users.name',
        'staff_users.email',
        'staff_users.role',
        'staff_users.trainer_id',
        'trainers.name as trainer_name',
        'staff_users.totp_enrolled_at',
        'staff_users.disabled_at',
        'staff_users.password_change_required_at',
        'staff_users.created_at',
      ])
      .orderBy('staff_users.disabled_at', (ob) => ob.nullsFirst())
      .orderBy('staff_users.name')
      .execute();
  }

  async update(
    id: number,
    changes: { name: string; role: StaffRole; trainerId: number | null },
    now: Date,
  ): Promise<void> {
    await this.db
      .updateTable('staff_users')
      .set({
        name: changes.name,
        role: changes.role,
        trainer_id: changes.trainerId,
        updated_at: now.toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }

  async setDisabled(id: number, disabledAt: Date | null, now: Date): Promise<void> {
    await this.db
      .updateTable('staff_users')
      .set({ disabled_at: disabledAt?.toISOString() ?? null, updated_at: now.toISOString() })
      .where('id', '=', id)
      .execute();
  }

  /** Forgets the authenticator and recovery codes: the next sign-in sets up a new one. */
  async clearSecondFactor(id: number, now: Date): Promise<void> {
    await this.db
      .updateTable('staff_users')
      .set({ totp_secret: null, totp_enrolled_at: null, totp_last_step: null, updated_at: now.toISOString() })
      .where('id', '=', id)
      .execute();
    await this.db.deleteFrom('staff_recovery_codes').where('staff_id', '=', id).execute();
  }

  /** `oneTime`: set by an administrator to pass on, so it must be changed at next sign-in. */
  async setPassword(id: number, passwordHash: string, oneTime: boolean, now: Date): Promise<void> {
    await this.db
      .updateTable('staff_users')
      .set({
        password_hash: passwordHash,
        password_change_required_at: oneTime ? now.toISOString() : null,
        updated_at: now.toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Open accounts that may manage staff: the hub always keeps one. */
  async activeAdministrators(): Promise<number> {
    const row = await this.db
      .selectFrom('staff_users')
      .where('role', 'in', rolesHolding('manageStaff'))
      .where('disabled_at', 'is', null)
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** A staff action on a staff account, in this repository's transaction. */
  async audit(entry: Omit<AuditEntry, 'actorType' | 'entityType'>, now: Date): Promise<void> {
    await recordAudit(this.db, { ...entry, actorType: 'staff', entityType: 'staff' }, now);
  }

  /** The trainers a trainer's account can be linked to. */
  trainers() {
    return this.db.selectFrom('trainers').select(['id', 'name']).orderBy('name').execute();
  }
}
