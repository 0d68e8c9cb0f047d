/**
 * Delegate accounts (their signed-in sessions are in signInSessionRepository.ts,
 * their emailed links in privateLinkRecords.ts).
 */
import type { Kysely, Transaction } from 'kysely';

import type { DB, OrganisationType } from '../../schema.js';
import { choosableOrganisations } from '../sharedQueries.js';
import { SignInSessionRepository } from './signInSessionRepository.js';

type Executor = Kysely<DB> | Transaction<DB>;

export interface DelegateDetails {
  name: string;
  email: string;
  /** Null for someone with no employer (a volunteer, say). */
  organisationId: number | null;
  jobRole: string;
  lineManagerName: string;
  lineManagerEmail: string;
}

export class AccountRepository {
  constructor(private readonly db: Executor) {}

  within(trx: Transaction<DB>): AccountRepository {
    return new AccountRepository(trx);
  }

  findDelegateByEmail(email: string) {
    return this.db.selectFrom('delegates').where('email', '=', email.toLowerCase()).selectAll().executeTakeFirst();
  }

  findDelegate(id: number) {
    return this.db
      .selectFrom('delegates')
      .leftJoin('organisations', 'organisations.id', 'delegates.organisation_id')
      .where('delegates.id', '=', id)
      .selectAll('delegates')
      .select(['organisations.name as organisation_name', 'organisations.confirmed_at as organisation_confirmed_at'])
      .executeTakeFirst();
  }

  /** A new delegate; without a password (booked by staff) they can set one later with "Forgot your password". */
  async createDelegate(details: DelegateDetails, passwordHash: string | null, now: Date): Promise<number> {
    const at = now.toISOString();
    const row = await this.db
      .insertInto('delegates')
      .values({
        name: details.name,
        email: details.email.toLowerCase(),
        organisation_id: details.organisationId,
        job_role: details.jobRole,
        line_manager_name: details.lineManagerName,
        line_manager_email: details.lineManagerEmail.toLowerCase(),
        password_hash: passwordHash,
        email_verified_at: null,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Everything but the email address, which changes only once the new one is confirmed. */
  async updateDetails(id: number, details: Omit<DelegateDetails, 'email'>, now: Date): Promise<void> {
    await this.db
      .updateTable('delegates')
      .set({
        name: details.name,
        organisation_id: details.organisationId,
        job_role: details.jobRole,
        line_manager_name: details.lineManagerName,
        line_manager_email: details.lineManagerEmail.toLowerCase(),
        updated_at: now.toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }

  /** A new address to confirm (or null to forget it); the one in use stays until then. */
  async setPendingEmail(id: number, email: string | null, now: Date): Promise<void> {
    await this.db
      .updateTable('delegates')
      .set({ pending_email: email === null ? null : email.toLowerCase(), updated_at: now.toISOString() })
      .where('id', '=', id)
      .execute();
  }

  /**
   * The pending address becomes the one in use, confirmed by its link: false
   * if it is no longer the pending one (changed or cancelled meanwhile).
   */
  async confirmPendingEmail(id: number, email: string, now: Date): Promise<boolean> {
    const at = now.toISOString();
    const result = await this.db
      .updateTable('delegates')
      .set({ email: email.toLowerCase(), pending_email: null, email_verified_at: at, updated_at: at })
      .where('id', '=', id)
      .where('pending_email', '=', email.toLowerCase())
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async setPassword(id: number, passwordHash: string, now: Date): Promise<void> {
    await this.db
      .updateTable('delegates')
      .set({ password_hash: passwordHash, updated_at: now.toISOString() })
      .where('id', '=', id)
      .execute();
  }

  async markEmailVerified(id: number, now: Date): Promise<void> {
    await this.db
      .updateTable('delegates')
      .set({ email_verified_at: now.toISOString() })
      .where('id', '=', id)
      .where('email_verified_at', 'is', null)
      .execute();
  }

  /** The hub's confirmed organisations, for the registration list (not duplicates staff merged away). */
  listOrganisations() {
    return choosableOrganisations(this.db)
      .select(['id', 'name', 'type'])
      .orderBy('name')
      .execute();
  }

  /** An organisation a delegate may choose: one merged away (a stale form, say) is not found. */
  findOrganisation(id: number) {
    return this.db
      .selectFrom('organisations')
      .where('id', '=', id)
      .where('merged_into_id', 'is', null)
      .selectAll()
      .executeTakeFirst();
  }

  findOrganisationByName(name: string) {
    return this.db.selectFrom('organisations').where('name', '=', name).selectAll().executeTakeFirst();
  }

  /** An organisation a delegate named that is not on the list yet: staff confirm it later. */
  async createUnconfirmedOrganisation(name: string, type: OrganisationType, now: Date): Promise<number> {
    const row = await this.db
      .insertInto('organisations')
      .values({ name, type, confirmed_at: null, created_at: now.toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /**
   * Signs a delegate out everywhere, in the one session store
   * (signInSessionRepository.ts): merging a duplicate account ends its
   * sign-ins through this, exactly as a password reset does.
   */
  async revokeAllSessions(delegateId: number, now: Date): Promise<void> {
    await new SignInSessionRepository(this.db).revokeAll({ kind: 'delegate', id: delegateId }, now);
  }
}
