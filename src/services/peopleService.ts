/**
 * Delegates and organisations for staff: search, a delegate's history,
 * merging duplicate accounts, confirming, typing and merging organisations.
 *
 * Merging two accounts touches places (a person booked twice on one session
 * keeps one booking), so it runs under the sessions' locks, in one
 * transaction with its audit entries and any waiting-list offers it causes.
 */
import { PeopleRepository, type AccountKind, type LiveState } from '../data/repositories/peopleRepository.js';
import { recordAudit } from '../data/repositories/auditRecords.js';
import type { AttendanceStatus, Instant, OrganisationType } from '../data/schema.js';
import { ATTENDANCE_WORDS, NOT_MARKED } from '../domain/afterCourse/attendance.js';
import { BOOKING_STATE_WORDS, type BookingState } from '../domain/programme/availability.js';
import { ConflictError, FormError, NotFoundError } from '../errors.js';
import type { Executor } from '../data/schema.js';
import type { ServiceDeps } from './deps.js';

export const DELEGATES_PAGE_SIZE = 50;

// Where the routes have always found them.
export { ORGANISATION_TYPES, ORGANISATION_TYPE_NAMES } from '../domain/programme/organisation.js';

/** Why the losing copy of a double booking was cancelled; delegates see it in their bookings. */
export const MERGE_CANCELLATION_REASON = 'Duplicate account merged';

/** Who is making a change, for the audit log. */
export interface StaffActor {
  id: number;
}

export interface DelegateQuery {
  words: string[];
  organisationId?: number;
  account?: AccountKind;
  page: number;
}

export interface OrganisationInput {
  name: string;
  type: OrganisationType;
  /** Confirm it too (it joins the list delegates choose from). */
  confirm: boolean;
}

/** A live booking as a merge sees it. */
export interface LiveBooking {
  id: number;
  delegate_id: number;
  session_id: number;
  state: LiveState;
  offer_expires_at: Instant | null;
  created_at: Instant;
}

const RANK: Record<LiveState, number> = { confirmed: 0, offered: 1, waitlisted: 2 };

/**
 * An offer whose time is up is about to be closed by the waiting-list job:
 * keeping it over a place on the waiting list would lose the person both.
 */
function rank(booking: LiveBooking, now: Instant): number {
  if (booking.state === 'offered' && (!booking.offer_expires_at || booking.offer_expires_at <= now)) return 3;
  return RANK[booking.state];
}

/**
 * Of two live bookings on one session, the one to keep: confirmed, then
 * offered, then waiting (an offer that has run out last); else the earlier.
 */
export function betterBooking<B extends LiveBooking>(a: B, b: B, now: Instant): B {
  const [ra, rb] = [rank(a, now), rank(b, now)];
  if (ra !== rb) return ra < rb ? a : b;
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? a : b;
  return a.id < b.id ? a : b;
}

/**
 * Where both accounts hold a live booking on the same session, which to
 * keep and which to cancel. Everything else simply moves.
 */
export function planMerge<B extends LiveBooking>(kept: readonly B[], duplicate: readonly B[], now: Instant) {
  const keptBySession = new Map(kept.map((b) => [b.session_id, b]));
  const conflicts: { sessionId: number; keep: B; cancel: B }[] = [];
  for (const other of duplicate) {
    const mine = keptBySession.get(other.session_id);
    if (!mine) continue;
    const keep = betterBooking(mine, other, now);
    conflicts.push({ sessionId: other.session_id, keep, cancel: keep === mine ? other : mine });
  }
  return { conflicts };
}

/**
 * What a booking's attendance marks say: one word when every part agrees,
 * part by part otherwise. "In full" means every part attended: only then do
 * the course's CPD hours count.
 */
export function attendanceSummary(
  partIds: readonly number[],
  marks: readonly { session_part_id: number; status: AttendanceStatus }[],
): { text: string | null; inFull: boolean } {
  if (!marks.length || !partIds.length) return { text: null, inFull: false };
  const byPart = new Map(marks.map((m) => [m.session_part_id, m.status]));
  const statuses = partIds.map((id) => byPart.get(id));
  const inFull = statuses.every((s) => s === 'attended');
  const first = statuses[0];
  if (first && statuses.every((s) => s === first)) return { text: ATTENDANCE_WORDS[first], inFull };
  const text = statuses
    .map((s, i) => `Part ${i + 1}: ${s ? ATTENDANCE_WORDS[s].toLowerCase() : 'not marked'}`)
    .join('; ');
  return { text, inFull };
}

export class PeopleService {
  private readonly people: PeopleRepository;

  constructor(private readonly deps: ServiceDeps) {
    this.people = new PeopleRepository(deps.db);
  }

  // ----- Delegates -------------------------------------------------------

  async searchDelegates(query: DelegateQuery) {
    const [{ rows, total }, organisations] = await Promise.all([
      this.people.searchDelegates({
        words: query.words,
        ...(query.organisationId !== undefined ? { organisationId: query.organisationId } : {}),
        ...(query.account ? { account: query.account } : {}),
        limit: DELEGATES_PAGE_SIZE,
        offset: (query.page - 1) * DELEGATES_PAGE_SIZE,
      }),
      this.people.organisationChoices({ confirmedOnly: false }),
    ]);
    const counts = await this.people.bookingCounts(
      rows.map((r) => r.id),
      this.deps.clock.now().toISOString(),
    );
    return {
      delegates: rows.map((row) => ({
        ...row,
        bookings: counts.get(row.id) ?? { total: 0, upcoming: 0, lastBookedAt: null },
      })),
      total,
      pageCount: Math.max(1, Math.ceil(total / DELEGATES_PAGE_SIZE)),
      organisations,
    };
  }

  /** A delegate's details and every booking they have held, with attendance and CPD hours. */
  async delegate(id: number) {
    const delegate = await this.people.findDelegate(id);
    if (!delegate) throw new NotFoundError('delegate');
    const bookings = await this.people.delegateBookings(id);
    const [parts, marks] = await Promise.all([
      this.people.sessionParts([...new Set(bookings.map((b) => b.session_id))]),
      this.people.attendanceFor(bookings.map((b) => b.id)),
    ]);
    const partsBySession = groupBy(parts, (p) => p.session_id);
    const marksByBooking = groupBy(marks, (m) => m.booking_id);
    const now = this.deps.clock.now();
    let cpdHours = 0;
    const history = bookings.map((booking) => {
      const partIds = (partsBySession.get(booking.session_id) ?? []).map((p) => p.id);
      const summary = attendanceSummary(partIds, marksByBooking.get(booking.id) ?? []);
      if (summary.inFull) cpdHours += Number(booking.cpd_hours);
      const started = new Date(booking.starts_at) <= now;
      const attendance =
        summary.text ??
        (booking.state === 'cancelled' || booking.session_cancelled_at
          ? null
          : started
            ? NOT_MARKED
            : 'Not yet');
      return { ...booking, attendance, stateText: bookingStateText(booking.state) };
    });
    return { delegate, history, cpdHours };
  }

  /** Step 1 of a merge: accounts that could be duplicates of this one, an exact email match first. */
  async findDuplicates(keptId: number, find: string) {
    const kept = await this.mergeableTarget(keptId);
    const text = find.trim();
    if (!text) {
      return { kept, candidates: [] };
    }
    const [exact, { rows }] = await Promise.all([
      this.people.findDelegateByEmail(text),
      this.people.searchDelegates({
        words: searchWords(text),
        excludeId: keptId,
        limit: 20,
        offset: 0,
      }),
    ]);
    const candidates = exact
      ? [...rows.filter((r) => r.id === exact.id), ...rows.filter((r) => r.id !== exact.id)]
      : rows;
    return { kept, candidates };
  }

  /** Step 2 of a merge: both accounts, and what merging would do. */
  async mergePreview(keptId: number, duplicateId: number) {
    const kept = await this.mergeableTarget(keptId);
    const duplicate = await this.mergeableDuplicate(keptId, duplicateId);
    const live = await this.people.liveBookingsOf([keptId, duplicateId]);
    const { conflicts } = planMerge(
      live.filter((b) => b.delegate_id === keptId),
      live.filter((b) => b.delegate_id === duplicateId),
      this.deps.clock.now().toISOString(),
    );
    const [keptTotal, duplicateTotal] = await Promise.all([
      this.people.countBookings(keptId),
      this.people.countBookings(duplicateId),
    ]);
    return {
      kept: {
        ...kept,
        bookingCount: keptTotal,
        liveCount: live.filter((b) => b.delegate_id === keptId).length,
      },
      duplicate: {
        ...duplicate,
        bookingCount: duplicateTotal,
        liveCount: live.filter((b) => b.delegate_id === duplicateId).length,
      },
      conflicts: conflicts.map((c) => ({
        ...c,
        keepIsKeptAccount: c.keep.delegate_id === keptId,
        keepStateText: bookingStateText(c.keep.state),
        cancelStateText: bookingStateText(c.cancel.state),
      })),
    };
  }

  /**
   * Merges a duplicate account into this one: its bookings move here; where
   * both held a live booking on one session the better is kept and the other
   * cancelled; the duplicate is signed out everywhere and can no longer sign
   * in. One transaction, under the locks of the sessions whose places change.
   */
  async mergeDelegates(keptId: number, duplicateId: number, actor: StaffActor) {
    await this.mergeableTarget(keptId);
    await this.mergeableDuplicate(keptId, duplicateId);
    const ctx = await this.deps.context();
    const seen = await this.people.liveBookingsOf([keptId, duplicateId]);
    const seenConflicts = planMerge(
      seen.filter((b) => b.delegate_id === keptId),
      seen.filter((b) => b.delegate_id === duplicateId),
      this.deps.clock.now().toISOString(),
    ).conflicts.map((c) => c.sessionId);
    const { dialect } = this.deps;

    const merge = async (db: Executor) => {
      const now = this.deps.clock.now();
      const at = now.toISOString();
      const people = this.people.within(db);
      const accounts = await people.lockDelegates([keptId, duplicateId], dialect);
      if (accounts.length !== 2 || accounts.some((a) => a.merged_into_id !== null)) {
        throw new ConflictError(
          'One of these accounts was merged by someone else a moment ago. Check both accounts again.',
        );
      }
      // Read again under the locks: the bookings may have changed since the preview.
      const live = await people.liveBookingsOf([keptId, duplicateId]);
      const { conflicts } = planMerge(
        live.filter((b) => b.delegate_id === keptId),
        live.filter((b) => b.delegate_id === duplicateId),
        at,
      );
      // A double booking made since the first look: its session is locked now.
      await people.lockSessions(
        conflicts.map((c) => c.sessionId).filter((id) => !seenConflicts.includes(id)),
        dialect,
      );
      // Losers are cancelled before anything moves, so the kept account never
      // holds two live bookings on one session (bookings_one_live_per_delegate).
      // No email: the person keeps their place through the other booking, and
      // a cancellation email would tell them they had lost it.
      for (const { cancel, keep } of conflicts) {
        if (!(await people.cancelDuplicateBooking(cancel.id, cancel.state, MERGE_CANCELLATION_REASON, at))) {
          throw new ConflictError('A booking changed while the accounts were being merged. Try again.');
        }
        await recordAudit(
          db,
          {
            actorType: 'staff',
            actorId: actor.id,
            action: 'booking_cancelled_by_merge',
            entityType: 'booking',
            entityId: cancel.id,
            details: { delegateId: cancel.delegate_id, state: cancel.state, keptBookingId: keep.id },
          },
          now,
        );
      }
      const moved = await people.moveBookings(duplicateId, keptId, at);
      for (const booking of moved) {
        await recordAudit(
          db,
          {
            actorType: 'staff',
            actorId: actor.id,
            action: 'booking_moved_by_merge',
            entityType: 'booking',
            entityId: booking.id,
            details: { fromDelegateId: duplicateId, toDelegateId: keptId },
          },
          now,
        );
      }
      await people.markDelegateMerged(duplicateId, keptId, at);
      await people.endSignIns(duplicateId, at);
      await recordAudit(
        db,
        {
          actorType: 'staff',
          actorId: actor.id,
          action: 'delegate_merged',
          entityType: 'delegate',
          entityId: keptId,
          details: {
            mergedDelegateId: duplicateId,
            bookingsMoved: moved.map((b) => b.id),
            bookingsCancelled: conflicts.map((c) => c.cancel.id),
          },
        },
        now,
      );
      // A cancelled confirmed place or offer frees a place for the waiting list.
      for (const { sessionId, cancel } of conflicts) {
        if (cancel.state !== 'waitlisted') await this.deps.bookings.offerFreedPlaces(db, sessionId, now, ctx);
      }
      return { moved: moved.length, cancelled: conflicts.length };
    };

    // The sessions whose places may change are locked first (SQLite locks
    // the whole database, which also covers a merge with no double bookings).
    try {
      return await this.deps.sessionLock.forSessions(seenConflicts, merge);
    } catch (error) {
      // A booking made for either account at the very moment of the merge.
      if (isUniqueViolation(error) || isDeadlock(error)) {
        throw new ConflictError('A booking changed while the accounts were being merged. Try again.');
      }
      throw error;
    }
  }

  /** The account everything is merged into: it must exist and not itself be merged. */
  private async mergeableTarget(keptId: number) {
    const kept = await this.people.findDelegate(keptId);
    if (!kept) throw new NotFoundError('delegate');
    if (kept.merged_into_id !== null) {
      throw new ConflictError(
        `This account has been merged into ${kept.merged_into_name ?? 'another account'}. Merge duplicates into that account instead.`,
      );
    }
    return kept;
  }

  private async mergeableDuplicate(keptId: number, duplicateId: number) {
    if (duplicateId === keptId) {
      throw new FormError({ find: 'Choose a different account: an account cannot be merged into itself' });
    }
    const duplicate = await this.people.findDelegate(duplicateId);
    if (!duplicate) throw new FormError({ find: 'That account could not be found. Search for it again' });
    if (duplicate.merged_into_id !== null) {
      throw new FormError({
        find: `That account has already been merged into ${duplicate.merged_into_name ?? 'another account'}. Choose a different account`,
      });
    }
    return duplicate;
  }

  // ----- Organisations ---------------------------------------------------

  /** Organisations delegates added (newest first), then the confirmed list. */
  async organisations(type?: OrganisationType) {
    const rows = await this.people.organisations(type);
    return {
      unconfirmed: rows
        .filter((o) => !o.confirmed_at)
        .sort((a, b) => (a.created_at === b.created_at ? b.id - a.id : a.created_at < b.created_at ? 1 : -1)),
      confirmed: rows.filter((o) => o.confirmed_at),
    };
  }

  async organisation(id: number) {
    const organisation = await this.people.findOrganisation(id);
    if (!organisation) throw new NotFoundError('organisation');
    return { organisation, delegateCount: await this.people.countDelegatesOf(id) };
  }

  /** Renames, sets the type of, and perhaps confirms an organisation; audited by field. */
  async updateOrganisation(id: number, input: OrganisationInput, actor: StaffActor) {
    const current = await this.editableOrganisation(id);
    const name = input.name.trim();
    const clash = await this.people.organisationNamed(name, id);
    if (clash) throw new FormError({ name: nameTakenMessage(clash) });
    const changes: Record<string, { before: string; after: string }> = {};
    if (name !== current.name) changes.name = { before: current.name, after: name };
    if (input.type !== current.type) changes.type = { before: current.type, after: input.type };
    const confirming = input.confirm && !current.confirmed_at;
    try {
      await this.deps.db.transaction().execute(async (trx) => {
        const now = this.deps.clock.now();
        await this.people.within(trx).updateOrganisation(id, {
          name,
          type: input.type,
          ...(confirming ? { confirmedAt: now.toISOString() } : {}),
        });
        if (Object.keys(changes).length) {
          await recordAudit(
            trx,
            {
              actorType: 'staff',
              actorId: actor.id,
              action: 'organisation_updated',
              entityType: 'organisation',
              entityId: id,
              details: { changes },
            },
            now,
          );
        }
        if (confirming) {
          await recordAudit(
            trx,
            {
              actorType: 'staff',
              actorId: actor.id,
              action: 'organisation_confirmed',
              entityType: 'organisation',
              entityId: id,
              details: { name, type: input.type },
            },
            now,
          );
        }
      });
    } catch (error) {
      // Someone else took the name a moment ago.
      if (isUniqueViolation(error)) {
        throw new FormError({ name: 'Another organisation already has that name. Choose a different name' });
      }
      throw error;
    }
    return { changed: Object.keys(changes).length > 0, confirmed: confirming };
  }

  /** What merging this organisation needs: the confirmed organisations it could join. */
  async organisationMergeChoices(id: number) {
    const organisation = await this.editableOrganisation(id);
    const [choices, delegateCount] = await Promise.all([
      this.people.organisationChoices({ confirmedOnly: true, excludeId: id }),
      this.people.countDelegatesOf(id),
    ]);
    return { organisation, choices, delegateCount };
  }

  /** Merges a duplicate organisation into a confirmed one: its delegates move, and it leaves every list. */
  async mergeOrganisation(sourceId: number, targetId: number, actor: StaffActor) {
    await this.editableOrganisation(sourceId);
    if (targetId === sourceId) {
      throw new FormError({
        target: 'Choose a different organisation: an organisation cannot be merged into itself',
      });
    }
    const { dialect } = this.deps;
    return this.deps.db.transaction().execute(async (trx) => {
      const now = this.deps.clock.now();
      const people = this.people.within(trx);
      const rows = await people.lockOrganisations([sourceId, targetId], dialect);
      const source = rows.find((r) => r.id === sourceId);
      const target = rows.find((r) => r.id === targetId);
      if (!source || source.merged_into_id !== null) {
        throw new ConflictError('This organisation was merged by someone else a moment ago.');
      }
      if (!target || target.merged_into_id !== null || !target.confirmed_at) {
        throw new FormError({ target: 'Choose an organisation from the list' });
      }
      const delegatesMoved = await people.mergeOrganisation(sourceId, targetId, now.toISOString());
      await recordAudit(
        trx,
        {
          actorType: 'staff',
          actorId: actor.id,
          action: 'organisation_merged',
          entityType: 'organisation',
          entityId: targetId,
          details: { mergedOrganisationId: sourceId, mergedOrganisationName: source.name, delegatesMoved },
        },
        now,
      );
      return { targetId, delegatesMoved };
    });
  }

  private async editableOrganisation(id: number) {
    const organisation = await this.people.findOrganisation(id);
    if (!organisation) throw new NotFoundError('organisation');
    if (organisation.merged_into_id !== null) {
      throw new ConflictError(
        `This organisation has been merged into ${organisation.merged_into_name ?? 'another organisation'}, so it can no longer be changed.`,
      );
    }
    return organisation;
  }
}

/** The words of a search, each looked for on its own; a handful is plenty. */
export function searchWords(text: string): string[] {
  return text
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 8)
    .map((word) => word.slice(0, 100));
}

export function bookingStateText(state: BookingState): string {
  return BOOKING_STATE_WORDS[state];
}

function nameTakenMessage(clash: { name: string; merged_into_id: number | null }): string {
  return clash.merged_into_id === null
    ? `“${clash.name}” is already on the list. Choose a different name, or merge this organisation into it`
    : `“${clash.name}” was merged into another organisation, and its name cannot be reused. Choose a different name`;
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** A unique constraint refused a row: SQLite and PostgreSQL say it differently. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** PostgreSQL chose this transaction to end a deadlock between two merges. */
function isDeadlock(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '40P01';
}
