/** Reading the audit log: what happened, who did it, when. Writes happen where the change is made. */
import type { Kysely } from 'kysely';

import type { AuditActorType, DB, Instant } from '../schema.js';

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

export class AuditRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async list(filter: AuditFilter) {
    let query = this.db.selectFrom('audit_log');
    if (filter.action) query = query.where('action', '=', filter.action);
    if (filter.actorType) query = query.where('actor_type', '=', filter.actorType);
    if (filter.entityType) query = query.where('entity_type', '=', filter.entityType);
    if (filter.entityId !== undefined) query = query.where('entity_id', '=', filter.entityId);
    if (filter.from) query = query.where('at', '>=', filter.from);
    if (filter.to) query = query.where('at', '<', filter.to);
    const [rows, total] = await Promise.all([
      query.selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute(),
      query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  }

  /** The actions recorded so far, for the filter's choices. */
  async actions(): Promise<string[]> {
    const rows = await this.db.selectFrom('audit_log').select('action').distinct().orderBy('action').execute();
    return rows.map((r) => r.action);
  }
}
