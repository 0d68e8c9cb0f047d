/**
 * Delegates and organisations as staff see them: searching, a delegate's
 * history with attendance, and the writes behind merging duplicates. The
 * rules (which booking wins, what may be merged) are the people service's;
 * this file only reads and writes rows.
 */
import { sql, type Kysely, type SqlBool, type Transaction } from 'kysely';

import type { DialectName } from '../db.js';
import type { DB, Instant, OrganisationType } from '../schema.js';
import { PrivateLinkRecords } from './accounts/privateLinkRecords.js';
import { AccountRepository } from './accounts/accountRepository.js';
import { LIVE_STATES, partsOfSessions, type LiveState } from './sharedQueries.js';

type Executor = Kysely<DB> | Transaction<DB>;

// The people service ranks a merge's live bookings by state.
export type { LiveState } from './sharedQueries.js';

/** Who holds the account: a password set by the person, one staff added, or a merged duplicate. */
export type AccountKind = 'password' | 'staff' | 'merged';

export interface DelegateSearch {
  /** Each word must appear in the name, email or organisation (any case). */
  words: readonly string[];
  organisationId?: number;
  /** Without it, every account that has not been merged. */
  account?: AccountKind;
  /** Left out of the results (the account being merged into, say). */
  excludeId?: number;
  limit: number;
  offset: number;
}

/** A LIKE pattern that finds `word` anywhere, with its own % and _ taken literally. */
export function containsPattern(word: string): string {
  return `%${word.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

export class PeopleRepository {
  constructor(private readonly db: Executor) {}

  within(db: Executor): PeopleRepository {
    return new PeopleRepository(db);
  }

  // ----- Delegates -------------------------------------------------------

  async searchDelegates(search: DelegateSearch) {
    // The filter reads the delegates table alone (an organisation's name is
    // matched once per word, not once per delegate), and only the page's 50
    // rows are joined to their organisations.
    // Anonymised rows (erased people, anonymous holders of old bookings) name no one: never found.
    let matching = this.db.selectFrom('delegates').where('delegates.anonymised_at', 'is', null);
    for (const word of search.words) {
      const pattern = containsPattern(word);
      // LOWER(…) on both sides: SQLite's LIKE ignores case but PostgreSQL's does not.
      const like = (column: 'delegates.name' | 'delegates.email' | 'organisations.name') =>
        sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '!'`;
      matching = matching.where((eb) =>
        eb.or([
          like('delegates.name'),
          like('delegates.email'),
          eb(
            'delegates.organisation_id',
            'in',
            eb.selectFrom('organisations').where(like('organisations.name')).select('organisations.id'),
          ),
        ]),
      );
    }
    if (search.organisationId !== undefined) {
      matching = matching.where('delegates.organisation_id', '=', search.organisationId);
    }
    if (search.excludeId !== undefined) matching = matching.where('delegates.id', '<>', search.excludeId);
    if (search.account === 'merged') {
      matching = matching.where('delegates.merged_into_id', 'is not', null);
    } else {
      matching = matching.where('delegates.merged_into_id', 'is', null);
      if (search.account === 'password') matching = matching.where('delegates.password_hash', 'is not', null);
      if (search.account === 'staff') matching = matching.where('delegates.password_hash', 'is', null);
    }
    const page = matching
      .select('delegates.id')
      .orderBy('delegates.name')
      .orderBy('delegates.id')
      .limit(search.limit)
      .offset(search.offset);
    const [rows, total] = await Promise.all([
      this.db
        .selectFrom('delegates')
        .leftJoin('organisations', 'organisations.id', 'delegates.organisation_id')
        .where('delegates.id', 'in', page)
        .select([
          'delegates.id',
          'delegates.name',
          'delegates.email',
          'delegates.job_role',
          'delegates.merged_into_id',
          'organisations.name as organisation_name',
        ])
        .select((eb) => eb('delegates.password_hash', 'is not', null).as('has_password'))
        .orderBy('delegates.name')
        .orderBy('delegates.id')
        .execute(),
      matching.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      rows: rows.map((row) => ({ ...row, has_password: Boolean(row.has_password) })),
      total: Number(total.n),
    };
  }

  /**
   * Booking counts for a page of delegates, in one grouped query over the
   * bookings(delegate_id) index: however many delegates the hub has, only
   * this page's are counted.
   */
  async bookingCounts(delegateIds: readonly number[], now: Instant) {
    if (!delegateIds.length) return new Map<number, { total: number; upcoming: number; lastBookedAt: Instant | null }>();
    const rows = await this.db
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .where('bookings.delegate_id', 'in', delegateIds)
      .groupBy('bookings.delegate_id')
      .select((eb) => [
        'bookings.delegate_id',
        eb.fn.countAll<number | string>().as('total'),
        sql<number | string>`sum(case when ${sql.ref('bookings.state')} = 'confirmed' and ${sql.ref(
          'sessions.starts_at',
        )} > ${now} and ${sql.ref('sessions.cancelled_at')} is null then 1 else 0 end)`.as('upcoming'),
        eb.fn.max('bookings.created_at').as('last_booked_at'),
      ])
      .execute();
    return new Map(
      rows.map((row) => [
        row.delegate_id,
        {
          total: Number(row.total),
          upcoming: Number(row.upcoming ?? 0),
          lastBookedAt: (row.last_booked_at as Instant | null) ?? null,
        },
      ]),
    );
  }

  findDelegate(id: number) {
    return this.db
      .selectFrom('delegates')
      .leftJoin('organisations', 'organisations.id', 'delegates.organisation_id')
      .leftJoin('delegates as kept', 'kept.id', 'delegates.merged_into_id')
      .where('delegates.id', '=', id)
      .select([
        'delegates.id',
        'delegates.name',
        'delegates.email',
        'delegates.email_verified_at',
        'delegates.organisation_id',
        'delegates.job_role',
        'delegates.line_manager_name',
        'delegates.line_manager_email',
        'delegates.merged_into_id',
        'delegates.created_at',
        'delegates.closed_at',
        'delegates.anonymised_at',
        'organisations.name as organisation_name',
        'organisations.type as organisation_type',
        'organisations.confirmed_at as organisation_confirmed_at',
        'kept.name as merged_into_name',
      ])
      .select((eb) => eb('delegates.password_hash', 'is not', null).as('has_password'))
      .executeTakeFirst()
      .then((row) => row && { ...row, has_password: Boolean(row.has_password) });
  }

  findDelegateByEmail(email: string) {
    return this.db
      .selectFrom('delegates')
      .where('email', '=', email.trim().toLowerCase())
      .select('id')
      .executeTakeFirst();
  }

  /** Every booking a delegate has held, the latest session first. */
  delegateBookings(delegateId: number) {
    return this.db
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('bookings.delegate_id', '=', delegateId)
      .select([
        'bookings.id',
        'bookings.reference',
        'bookings.state',
        'bookings.created_at',
        'bookings.cancelled_by',
        'bookings.cancellation_reason',
        'bookings.cancelled_at',
        'bookings.offer_expires_at',
        'bookings.session_id',
        'sessions.starts_at',
        'sessions.ends_at',
        'sessions.cancelled_at as session_cancelled_at',
        'courses.title as course_title',
        'courses.cpd_hours',
      ])
      .orderBy('sessions.starts_at', 'desc')
      .orderBy('bookings.id', 'desc')
      .execute();
  }

  /** The parts of these sessions, in order (attendance is marked per part). */
  sessionParts(sessionIds: readonly number[]) {
    return partsOfSessions(this.db, sessionIds);
  }

  attendanceFor(bookingIds: readonly number[]) {
    if (!bookingIds.length) return Promise.resolve([]);
    return this.db
      .selectFrom('attendance')
      .where('booking_id', 'in', bookingIds)
      .select(['booking_id', 'session_part_id', 'status'])
      .execute();
  }

  /** Live bookings (confirmed, offered, waiting) of either delegate, for a merge. */
  liveBookingsOf(delegateIds: readonly number[]) {
    return this.db
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('bookings.delegate_id', 'in', delegateIds)
      .where('bookings.state', 'in', LIVE_STATES)
      .select([
        'bookings.id',
        'bookings.reference',
        'bookings.delegate_id',
        'bookings.session_id',
        'bookings.state',
        'bookings.offer_expires_at',
        'bookings.created_at',
        'sessions.starts_at',
        'courses.title as course_title',
      ])
      .orderBy('sessions.starts_at')
      .orderBy('bookings.id')
      .execute()
      .then((rows) => rows.map((row) => ({ ...row, state: row.state as LiveState })));
  }

  async countBookings(delegateId: number): Promise<number> {
    const row = await this.db
      .selectFrom('bookings')
      .where('delegate_id', '=', delegateId)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Holds these sessions' locks for the rest of the transaction, in id order
   * so two merges cannot wait on each other. SQLite needs nothing: the
   * transaction began with BEGIN IMMEDIATE, which locks the whole database.
   */
  async lockSessions(sessionIds: readonly number[], dialect: DialectName): Promise<void> {
    if (dialect !== 'postgres' || !sessionIds.length) return;
    await this.db
      .selectFrom('sessions')
      .where('id', 'in', [...sessionIds].sort((a, b) => a - b))
      .select('id')
      .orderBy('id')
      .forUpdate()
      .execute();
  }

  /**
   * The two accounts of a merge, read (and on PostgreSQL locked, in id
   * order) inside its transaction: two people merging A into B and B into A
   * at once must not both succeed.
   */
  lockDelegates(ids: readonly number[], dialect: DialectName) {
    const query = this.db
      .selectFrom('delegates')
      .where('id', 'in', ids)
      .select(['id', 'merged_into_id'])
      .orderBy('id');
    return dialect === 'postgres' ? query.forUpdate().execute() : query.execute();
  }

  /** Cancels the losing copy of a double booking; false if it changed meanwhile. */
  async cancelDuplicateBooking(id: number, from: LiveState, reason: string, now: Instant): Promise<boolean> {
    const result = await this.db
      .updateTable('bookings')
      .set({
        state: 'cancelled',
        cancelled_at: now,
        cancelled_by: 'hub',
        cancellation_reason: reason,
        offer_expires_at: null,
        updated_at: now,
      })
      .where('id', '=', id)
      .where('state', '=', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Gives every booking of one delegate to another; returns the bookings moved. */
  moveBookings(fromDelegateId: number, toDelegateId: number, now: Instant) {
    return this.db
      .updateTable('bookings')
      .set({ delegate_id: toDelegateId, updated_at: now })
      .where('delegate_id', '=', fromDelegateId)
      .returning(['id', 'reference', 'session_id'])
      .execute();
  }

  /**
   * Marks the duplicate as merged, and points any account merged into it
   * earlier at the kept one, so a chain of merges never has to be followed.
   */
  async markDelegateMerged(duplicateId: number, keptId: number, now: Instant): Promise<void> {
    await this.db
      .updateTable('delegates')
      .set({ merged_into_id: keptId, updated_at: now })
      .where((eb) => eb.or([eb('id', '=', duplicateId), eb('merged_into_id', '=', duplicateId)]))
      .execute();
  }

  /** Signs the delegate out of every browser and ends every emailed link not yet used. */
  async endSignIns(delegateId: number, now: Instant): Promise<void> {
    // The account's own sign-out everywhere, so a merge ends sign-ins exactly as a password reset does.
    const accounts = new AccountRepository(this.db);
    await accounts.revokeAllSessions(delegateId, new Date(now));
    await new PrivateLinkRecords(this.db).cancel({ delegateId }, now);
  }

  // ----- Organisations ---------------------------------------------------

  /** Organisations not merged away, with how many (unmerged) delegates name each. */
  async organisations(type?: OrganisationType) {
    // One grouped count over delegates, not one count per organisation.
    let query = this.db
      .selectFrom('organisations')
      .leftJoin(
        (eb) =>
          eb
            .selectFrom('delegates')
            .where('merged_into_id', 'is', null)
            .groupBy('organisation_id')
            .select((eb) => ['organisation_id', eb.fn.countAll<number | string>().as('n')])
            .as('counts'),
        (join) => join.onRef('counts.organisation_id', '=', 'organisations.id'),
      )
      .where('organisations.merged_into_id', 'is', null);
    if (type) query = query.where('organisations.type', '=', type);
    const rows = await query
      .select([
        'organisations.id',
        'organisations.name',
        'organisations.type',
        'organisations.confirmed_at',
        'organisations.created_at',
        'counts.n as delegate_count',
      ])
      .orderBy('organisations.name')
      .orderBy('organisations.id')
      .execute();
    return rows.map((row) => ({ ...row, delegate_count: Number(row.delegate_count ?? 0) }));
  }

  /** Organisations to filter delegates by, or to merge into. */
  organisationChoices(options: { confirmedOnly: boolean; excludeId?: number }) {
    let query = this.db.selectFrom('organisations').where('merged_into_id', 'is', null);
    if (options.confirmedOnly) query = query.where('confirmed_at', 'is not', null);
    if (options.excludeId !== undefined) query = query.where('id', '<>', options.excludeId);
    return query.select(['id', 'name', 'confirmed_at']).orderBy('name').orderBy('id').execute();
  }

  findOrganisation(id: number) {
    return this.db
      .selectFrom('organisations')
      .leftJoin('organisations as kept', 'kept.id', 'organisations.merged_into_id')
      .where('organisations.id', '=', id)
      .selectAll('organisations')
      .select('kept.name as merged_into_name')
      .executeTakeFirst();
  }

  /** As lockDelegates, for the two organisations of a merge. */
  lockOrganisations(ids: readonly number[], dialect: DialectName) {
    const query = this.db
      .selectFrom('organisations')
      .where('id', 'in', ids)
      .select(['id', 'name', 'confirmed_at', 'merged_into_id'])
      .orderBy('id');
    return dialect === 'postgres' ? query.forUpdate().execute() : query.execute();
  }

  async countDelegatesOf(organisationId: number): Promise<number> {
    const row = await this.db
      .selectFrom('delegates')
      .where('organisation_id', '=', organisationId)
      .where('merged_into_id', 'is', null)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Another organisation with this name in any case (merged ones too: the name is still taken). */
  organisationNamed(name: string, exceptId: number) {
    return this.db
      .selectFrom('organisations')
      .where(sql<SqlBool>`lower(${sql.ref('name')}) = ${name.toLowerCase()}`)
      .where('id', '<>', exceptId)
      .select(['id', 'name', 'merged_into_id'])
      .executeTakeFirst();
  }

  async updateOrganisation(
    id: number,
    changes: { name: string; type: OrganisationType; confirmedAt?: Instant },
  ): Promise<void> {
    await this.db
      .updateTable('organisations')
      .set({
        name: changes.name,
        type: changes.type,
        ...(changes.confirmedAt ? { confirmed_at: changes.confirmedAt } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Moves every delegate of one organisation (merged accounts too, so
   * nothing points at it) to another, marks it merged, and points
   * organisations merged into it earlier at the kept one. Returns how many
   * delegate records moved.
   */
  async mergeOrganisation(sourceId: number, targetId: number, now: Instant): Promise<number> {
    const moved = await this.db
      .updateTable('delegates')
      .set({ organisation_id: targetId, updated_at: now })
      .where('organisation_id', '=', sourceId)
      .executeTakeFirst();
    await this.db
      .updateTable('organisations')
      .set({ merged_into_id: targetId })
      .where((eb) => eb.or([eb('id', '=', sourceId), eb('merged_into_id', '=', sourceId)]))
      .execute();
    return Number(moved.numUpdatedRows);
  }
}
