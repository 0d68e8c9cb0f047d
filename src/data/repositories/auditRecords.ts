/**
 * The audit log: what happened, who did it, when. Entries are written by
 * `recordAudit` inside the transaction that makes the change, so there is an
 * entry exactly when the change happened.
 */
import type { Kysely, Transaction } from 'kysely';

import type { AuditActorType, DB, Instant } from '../schema.js';

export interface AuditEntry {
  actorType: AuditActorType;
  /** The staff member or delegate; null for the system. */
  actorId: number | null;
  /** What was done, in snake case: `course_updated`, `attendance_corrected`… */
  action: string;
  /** What it was done to: `booking`, `course`, `session`, `delegate`… */
  entityType: string;
  entityId: number;
  /** What changed (field names, before and after): ids and values, never passwords or secrets. */
  details?: Record<string, unknown>;
}

export async function recordAudit(
  db: Kysely<DB> | Transaction<DB>,
  entry: AuditEntry,
  now: Date,
): Promise<void> {
  await recordAudits(db, [entry], now);
}

/** Several entries at once, all at `now`, in one statement (a rush's bookings, done together). */
export async function recordAudits(
  db: Kysely<DB> | Transaction<DB>,
  entries: AuditEntry[],
  now: Date,
): Promise<void> {
  if (!entries.length) return;
  const at = now.toISOString();
  await db
    .insertInto('audit_log')
    .values(
      entries.map((entry) => ({
        at,
        actor_type: entry.actorType,
        actor_id: entry.actorId,
        action: entry.action,
        entity_type: entry.entityType,
        entity_id: entry.entityId,
        details: JSON.stringify(entry.details ?? {}),
      })),
    )
    .execute();
}

export interface AuditFilter {
  action?: string;
  actorType?: AuditActorType;
  entityType?: string;
  entityId?: number;
  from?: Instant;
  to?: Instant;
  limit: number;
  offset: number;
}

export class AuditRecords {
  constructor(private readonly db: Kysely<DB>) {}

  /** Entries newest first, with who did each by name and, for a booking, its reference. */
  async list(filter: AuditFilter) {
    let query = this.db.selectFrom('audit_log');
    if (filter.action) query = query.where('action', '=', filter.action);
    if (filter.actorType) query = query.where('actor_type', '=', filter.actorType);
    if (filter.entityType) query = query.where('entity_type', '=', filter.entityType);
    if (filter.entityId !== undefined) query = query.where('entity_id', '=', filter.entityId);
    if (filter.from) query = query.where('at', '>=', filter.from);
    if (filter.to) query = query.where('at', '<', filter.to);
    const [rows, total] = await Promise.all([
      query
        .leftJoin('staff_users', (join) =>
          join.onRef('staff_users.id', '=', 'audit_log.actor_id').on('audit_log.actor_type', '=', 'staff'),
        )
        .leftJoin('delegates', (join) =>
          join.onRef('delegates.id', '=', 'audit_log.actor_id').on('audit_log.actor_type', '=', 'delegate'),
        )
        .leftJoin('bookings', (join) =>
          join.onRef('bookings.id', '=', 'audit_log.entity_id').on('audit_log.entity_type', '=', 'booking'),
        )
        .selectAll('audit_log')
        .select(['staff_users.name as staff_name', 'delegates.name as delegate_name', 'bookings.reference'])
        .orderBy('audit_log.at', 'desc')
        .orderBy('audit_log.id', 'desc')
        .limit(filter.limit)
        .offset(filter.offset)
        .execute(),
      query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  }

  /** What entries are about so far (booking, course, session…), for the filter's choices. */
  async entityTypes(): Promise<string[]> {
    const rows = await this.db.selectFrom('audit_log').select('entity_type').distinct().orderBy('entity_type').execute();
    return rows.map((r) => r.entity_type);
  }

  /** The actions recorded so far, for the filter's choices. */
  async actions(): Promise<string[]> {
    const rows = await this.db.selectFrom('audit_log').select('action').distinct().orderBy('action').execute();
    return rows.map((r) => r.action);
  }
}
