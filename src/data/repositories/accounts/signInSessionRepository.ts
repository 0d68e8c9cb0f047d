/**
 * Signed-in browsers, delegates' and staff's, in one table (migration 012).
 * Only the SHA-256 of the cookie's random secret is stored. Every lookup
 * names the kind of person it is for, so a delegate's cookie never finds a
 * session in the back office, nor a member of staff's an account.
 */
import type { StaffSessionStage } from '../../../domain/accounts/staff.js';
import type { SignInKind } from '../../../domain/accounts/signInSessions.js';
import { preparedQuery } from '../../preparedQuery.js';
import type { Executor } from '../../schema.js';

/**
 * A delegate's session and the delegate, in one query: every request of a
 * signed-in delegate asks it first (see preparedQuery for why it is prepared).
 */
const delegateSession = preparedQuery(['idHash'], (db, { idHash }: { idHash: string }) =>
  db
    .selectFrom('sign_in_sessions')
    .innerJoin('delegates', 'delegates.id', 'sign_in_sessions.delegate_id')
    .where('sign_in_sessions.id_hash', '=', idHash)
    .where('sign_in_sessions.kind', '=', 'delegate')
    .select([
      'sign_in_sessions.id_hash',
      'sign_in_sessions.stage',
      'sign_in_sessions.created_at',
      'sign_in_sessions.last_seen_at',
      'sign_in_sessions.expires_at',
      'sign_in_sessions.revoked_at',
      'delegates.id as delegate_id',
      'delegates.name as delegate_name',
      'delegates.email as delegate_email',
      'delegates.email_verified_at as delegate_email_verified_at',
      'delegates.merged_into_id as delegate_merged_into_id',
    ]),
);

/** Whose sessions: a delegate's or a member of staff's id. */
export interface SignInPerson {
  kind: SignInKind;
  id: number;
}

/** The column pointing at the person, by kind. */
const HOLDER = { delegate: 'delegate_id', staff: 'staff_id' } as const;

export class SignInSessionRepository {
  constructor(private readonly db: Executor) {}

  /** `stage`: how far through signing in a member of staff is; null for a delegate. */
  async create(
    idHash: string,
    person: SignInPerson,
    stage: StaffSessionStage | null,
    now: Date,
    expiresAt: Date,
  ): Promise<void> {
    await this.db
      .insertInto('sign_in_sessions')
      .values({
        id_hash: idHash,
        kind: person.kind,
        delegate_id: person.kind === 'delegate' ? person.id : null,
        staff_id: person.kind === 'staff' ? person.id : null,
        stage: person.kind === 'staff' ? stage : null,
        created_at: now.toISOString(),
        last_seen_at: now.toISOString(),
        expires_at: expiresAt.toISOString(),
        revoked_at: null,
      })
      .execute();
  }

  /** A session of this kind, ended or not; a session of the other kind is not found. */
  async find(kind: SignInKind, idHash: string) {
    const row = await this.db
      .selectFrom('sign_in_sessions')
      .where('id_hash', '=', idHash)
      .where('kind', '=', kind)
      .select(['id_hash', 'delegate_id', 'staff_id', 'stage', 'created_at', 'last_seen_at', 'expires_at', 'revoked_at'])
      .executeTakeFirst();
    if (!row) return undefined;
    const { delegate_id, staff_id, ...session } = row;
    return { ...session, person: { kind, id: (kind === 'delegate' ? delegate_id : staff_id)! } };
  }

  /**
   * A delegate's session of this hash, ended or not, as `find` gives it, with
   * the delegate's name, email, whether it is confirmed and whether the
   * account was merged into another: what signing in needs, in one query.
   */
  async findDelegateSession(idHash: string) {
    const [row] = await delegateSession.execute(this.db, { idHash });
    if (!row) return undefined;
    const {
      delegate_id: id,
      delegate_name: name,
      delegate_email: email,
      delegate_email_verified_at: emailVerifiedAt,
      delegate_merged_into_id: mergedIntoId,
      ...session
    } = row;
    return {
      ...session,
      person: { kind: 'delegate' as const, id },
      delegate: { id, name, email, emailVerifiedAt, mergedIntoId },
    };
  }

  async touch(idHash: string, now: Date): Promise<void> {
    await this.db
      .updateTable('sign_in_sessions')
      .set({ last_seen_at: now.toISOString() })
      .where('id_hash', '=', idHash)
      .execute();
  }

  /** Ends a session: false if it had already ended (a second tab finishing the same step, say). */
  async revoke(kind: SignInKind, idHash: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('sign_in_sessions')
      .set({ revoked_at: now.toISOString() })
      .where('id_hash', '=', idHash)
      .where('kind', '=', kind)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Signs someone out everywhere, except perhaps the browser whose session has the hash `except`. */
  async revokeAll(person: SignInPerson, now: Date, except?: string): Promise<void> {
    let query = this.db
      .updateTable('sign_in_sessions')
      .set({ revoked_at: now.toISOString() })
      .where('kind', '=', person.kind)
      .where(HOLDER[person.kind], '=', person.id)
      .where('revoked_at', 'is', null);
    if (except) query = query.where('id_hash', '<>', except);
    await query.execute();
  }
}
