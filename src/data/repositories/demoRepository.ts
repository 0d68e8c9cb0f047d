/**
 * Organisations, delegates and their bookings put in as they are, for the
 * demo loader filling a new database (tests set up hubs with it too). Nothing
 * here keeps the booking rules (locks, counting places, the waiting list):
 * bookings made while Trellis runs go through BookingRecords.
 */
import type { Kysely, Transaction } from 'kysely';

import type { BookingState } from '../../domain/availability.js';
import type { DB, OrganisationType } from '../schema.js';

type Executor = Kysely<DB> | Transaction<DB>;

export interface NewDelegate {
  name: string;
  email: string;
  organisationId: number | null;
  jobRole: string;
  lineManagerName: string;
  lineManagerEmail: string;
}

export interface NewBookingRecord {
  reference: string;
  sessionId: number;
  delegateId: number;
  state: BookingState;
  offerExpiresAt: Date | null;
}

export class DemoRepository {
  constructor(private readonly db: Executor) {}

  within(trx: Transaction<DB>): DemoRepository {
    return new DemoRepository(trx);
  }

  async createOrganisation(name: string, type: OrganisationType, confirmedAt: Date | null, now: Date) {
    const row = await this.db
      .insertInto('organisations')
      .values({ name, type, confirmed_at: confirmedAt?.toISOString() ?? null, created_at: now.toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async createDelegate(delegate: NewDelegate, now: Date) {
    const row = await this.db
      .insertInto('delegates')
      .values({
        name: delegate.name,
        email: delegate.email.toLowerCase(),
        organisation_id: delegate.organisationId,
        job_role: delegate.jobRole,
        line_manager_name: delegate.lineManagerName,
        line_manager_email: delegate.lineManagerEmail.toLowerCase(),
        created_at: now.toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async insertBookings(bookings: NewBookingRecord[], now: Date) {
    if (!bookings.length) return;
    const at = now.toISOString();
    await this.db
      .insertInto('bookings')
      .values(
        bookings.map((b) => ({
          reference: b.reference,
          session_id: b.sessionId,
          delegate_id: b.delegateId,
          state: b.state,
          offer_expires_at: b.offerExpiresAt?.toISOString() ?? null,
          cancelled_at: null,
          cancellation_reason: null,
          created_at: at,
          updated_at: at,
        })),
      )
      .execute();
  }
}
