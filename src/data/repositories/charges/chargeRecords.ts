/**
 * ChargeRecords: the one way in for charges (migration 017), used by the
 * services that propose them inside their own changes (a late cancellation,
 * a "did not attend" mark, a session cancelled), by the coordinators' review
 * and the delegate's "tell us why" page, and by the booking pages that show
 * them.
 *
 * What every writer keeps: one live (not withdrawn) charge of a kind per
 * booking (the partial unique index `charges_live_once`), and no decision on
 * a charge once it is on an invoice (`invoice_id`): every decision is a
 * conditional update that names the state it was read in and needs
 * `invoice_id` null, so a stale page or an invoice run in between changes
 * nothing and the caller can say why. (A paid place on a draft may be
 * waived: its line is taken off the draft first, under the invoice lock.) A
 * charge withdrawn while on an issued invoice keeps `invoice_id`: it needs a
 * credit note until its line is credited in full.
 */
import type { SelectQueryBuilder } from 'kysely';

import type { ChargeKind, ChargeState, DelegateReason } from '../../../domain/charges/charges.js';
import type { AttendanceStatus } from '../../../domain/afterCourse/attendance.js';
import type { DB, Executor, Instant } from '../../schema.js';

export interface NewCharge {
  bookingId: number;
  organisationId: number;
  kind: ChargeKind;
  proposedPence: number;
}

export interface Decision {
  state: 'confirmed' | 'waived';
  amountPence: number | null;
  waiverReason: string | null;
  note: string;
  staffId: number;
}

/** The charges on a page of the review queue (fees, and paid places, which may be waived), oldest first. */
export const QUEUE_PAGE_SIZE = 50;

function withFacts<O>(query: SelectQueryBuilder<DB, 'charges', O>) {
  return query
    .innerJoin('bookings', 'bookings.id', 'charges.booking_id')
    .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
    .innerJoin('organisations', 'organisations.id', 'charges.organisation_id')
    .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
    .innerJoin('courses', 'courses.id', 'sessions.course_id')
    .leftJoin('invoices', 'invoices.id', 'charges.invoice_id')
    .select([
      'invoices.number as invoice_number',
      'invoices.state as invoice_state',
      'charges.id',
      'charges.booking_id',
      'charges.kind',
      'charges.state',
      'charges.proposed_pence',
      'charges.amount_pence',
      'charges.created_at',
      'charges.delegate_reason',
      'charges.delegate_note',
      'charges.delegate_answered_at',
      'charges.decided_at',
      'charges.waiver_reason',
      'charges.decision_note',
      'charges.invoice_id',
      'bookings.reference',
      'bookings.state as booking_state',
      'bookings.price_pence',
      'delegates.id as delegate_id',
      'delegates.name as delegate_name',
      'delegates.email as delegate_email',
      'delegates.line_manager_name',
      'delegates.line_manager_email',
      'organisations.name as organisation_name',
      'organisations.type as organisation_type',
      'sessions.id as session_id',
      'sessions.starts_at',
      'courses.title as course_title',
    ]);
}

export class ChargeRecords {
  constructor(private readonly db: Executor) {}

  within(trx: Executor): ChargeRecords {
    return new ChargeRecords(trx);
  }

  // ---- Proposing ------------------------------------------------------------

  /**
   * What a proposal rests on: the booking, its price, the organisation the price was fixed for (not the
   * delegate's now, which they may change) and its type, its session.
   */
  bookingFacts(bookingId: number) {
    return this.db
      .selectFrom('bookings')
      .leftJoin('organisations', 'organisations.id', 'bookings.organisation_id')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .where('bookings.id', '=', bookingId)
      .select([
        'bookings.id',
        'bookings.state',
        'bookings.price_pence',
        'bookings.session_id',
        'sessions.starts_at',
        'sessions.cancelled_at as session_cancelled_at',
        'organisations.id as organisation_id',
        'organisations.type as organisation_type',
      ])
      .executeTakeFirst();
  }

  /** Each booking's marks, part by part. */
  marks(bookingIds: readonly number[]): Promise<
    { booking_id: number; session_part_id: number; status: AttendanceStatus }[]
  > {
    if (!bookingIds.length) return Promise.resolve([]);
    return this.db
      .selectFrom('attendance')
      .where('booking_id', 'in', bookingIds)
      .select(['booking_id', 'session_part_id', 'status'])
      .execute();
  }

  /** The live (not withdrawn) charge of a kind on a booking, if there is one. */
  live(bookingId: number, kind: ChargeKind) {
    return this.db
      .selectFrom('charges')
      .where('booking_id', '=', bookingId)
      .where('kind', '=', kind)
      .where('state', '<>', 'withdrawn')
      .selectAll()
      .executeTakeFirst();
  }

  /** Whether the booking has any live (not withdrawn) charge, of whatever kind: then nothing more is proposed. */
  async anyLiveOn(bookingId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('charges')
      .where('booking_id', '=', bookingId)
      .where('state', '<>', 'withdrawn')
      .select('id')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Whether any of these bookings has a live charge of a kind. */
  async anyLive(bookingIds: readonly number[], kind: ChargeKind): Promise<boolean> {
    if (!bookingIds.length) return false;
    const row = await this.db
      .selectFrom('charges')
      .where('booking_id', 'in', bookingIds)
      .where('kind', '=', kind)
      .where('state', '<>', 'withdrawn')
      .select('id')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async insert(charge: NewCharge, now: Instant): Promise<number> {
    const row = await this.db
      .insertInto('charges')
      .values({
        booking_id: charge.bookingId,
        organisation_id: charge.organisationId,
        kind: charge.kind,
        state: 'proposed',
        proposed_pence: charge.proposedPence,
        amount_pence: null,
        created_at: now,
        delegate_reason: null,
        delegate_answered_at: null,
        decided_at: null,
        decided_by_staff_id: null,
        waiver_reason: null,
        invoice_id: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** A proposal's amount, changed by a corrected register while it still waits for a person. */
  async changeProposal(id: number, proposedPence: number): Promise<void> {
    await this.db
      .updateTable('charges')
      .set({ proposed_pence: proposedPence })
      .where('id', '=', id)
      .where('state', '=', 'proposed')
      .execute();
  }

  /**
   * Withdraws a charge that is not on an invoice (proposed, or decided but not
   * yet invoiced): false when it is invoiced, withdrawn already, or gone.
   */
  async withdraw(id: number, now: Instant): Promise<boolean> {
    const result = await this.db
      .updateTable('charges')
      .set({ state: 'withdrawn', decided_at: now })
      .where('id', '=', id)
      .where('state', 'in', ['proposed', 'confirmed', 'waived'])
      .where('invoice_id', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Withdraws a charge left on an issued invoice (which never changes): it
   * stays on it, and is owed nothing once a credit note credits its line.
   */
  async withdrawInvoiced(id: number, invoiceId: number, now: Instant): Promise<boolean> {
    const result = await this.db
      .updateTable('charges')
      .set({ state: 'withdrawn', decided_at: now })
      .where('id', '=', id)
      .where('state', 'in', ['proposed', 'confirmed'])
      .where('invoice_id', '=', invoiceId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The charges (proposed or confirmed, any kind) on a session's bookings, for withdrawing. */
  liveOnSession(sessionId: number) {
    return this.db
      .selectFrom('charges')
      .innerJoin('bookings', 'bookings.id', 'charges.booking_id')
      .where('bookings.session_id', '=', sessionId)
      .where('charges.state', 'in', ['proposed', 'confirmed'])
      .select(['charges.id', 'charges.booking_id', 'charges.kind', 'charges.state'])
      .orderBy('charges.id')
      .execute();
  }

  /** A booking's charges of these kinds that are proposed or decided (not withdrawn), for withdrawing. */
  liveOnBooking(bookingId: number, kinds: readonly ChargeKind[]) {
    return this.db
      .selectFrom('charges')
      .where('booking_id', '=', bookingId)
      .where('kind', 'in', [...kinds])
      .where('state', 'in', ['proposed', 'confirmed', 'waived'])
      .select(['id', 'kind', 'state', 'invoice_id'])
      .orderBy('id')
      .execute();
  }

  /** A charge with the invoice it is on (its state and number), read under the invoice lock. */
  withInvoice(id: number) {
    return this.db
      .selectFrom('charges')
      .leftJoin('invoices', 'invoices.id', 'charges.invoice_id')
      .where('charges.id', '=', id)
      .select([
        'charges.id',
        'charges.kind',
        'charges.state',
        'charges.invoice_id',
        'invoices.state as invoice_state',
        'invoices.number as invoice_number',
      ])
      .executeTakeFirst();
  }

  /**
   * Charges withdrawn while on an issued invoice whose line is not yet
   * credited in full: each needs a credit note. Oldest first.
   */
  needingCreditNotes(limit = 100) {
    return withFacts(this.db.selectFrom('charges'))
      .innerJoin('invoice_lines', (join) =>
        join.onRef('invoice_lines.charge_id', '=', 'charges.id').onRef('invoice_lines.invoice_id', '=', 'charges.invoice_id'),
      )
      .where('charges.state', '=', 'withdrawn')
      .where('invoices.state', 'in', ['issued', 'paid'])
      .whereRef('invoice_lines.credited_pence', '<', 'invoice_lines.gross_pence')
      .orderBy('charges.decided_at')
      .orderBy('charges.id')
      .limit(limit)
      .execute();
  }

  // ---- Reading ----------------------------------------------------------------

  /** One charge with what the review and the delegate's page show of it. */
  byId(id: number) {
    return withFacts(this.db.selectFrom('charges')).where('charges.id', '=', id).executeTakeFirst();
  }

  /** The review queue: charges in `states`, oldest first, a page at a time, with the number in all. */
  async queue(states: readonly ChargeState[], page: number) {
    const rows = await withFacts(this.db.selectFrom('charges'))
      .where('charges.state', 'in', [...states])
      .orderBy('charges.created_at')
      .orderBy('charges.id')
      .limit(QUEUE_PAGE_SIZE)
      .offset((page - 1) * QUEUE_PAGE_SIZE)
      .execute();
    const { n } = await this.db
      .selectFrom('charges')
      .where('state', 'in', [...states])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return { rows, total: Number(n) };
  }

  /** Charges (not withdrawn) on these bookings, for the booking pages. */
  forBookings(bookingIds: readonly number[]) {
    if (!bookingIds.length) return Promise.resolve([]);
    return this.db
      .selectFrom('charges')
      .where('booking_id', 'in', bookingIds)
      .where('kind', 'in', ['late_cancellation', 'non_attendance'])
      .where('state', '<>', 'withdrawn')
      .select([
        'id',
        'booking_id',
        'kind',
        'state',
        'proposed_pence',
        'amount_pence',
        'delegate_reason',
        'delegate_note',
        'waiver_reason',
        'decision_note',
        'invoice_id',
        'created_at',
        'decided_at',
      ])
      .orderBy('id')
      .execute();
  }

  /** Every charge on a booking, withdrawn ones too, for the back office. */
  allForBooking(bookingId: number) {
    return this.db
      .selectFrom('charges')
      .leftJoin('staff_users', 'staff_users.id', 'charges.decided_by_staff_id')
      .leftJoin('invoices', 'invoices.id', 'charges.invoice_id')
      .leftJoin('invoice_lines', (join) =>
        join.onRef('invoice_lines.charge_id', '=', 'charges.id').onRef('invoice_lines.invoice_id', '=', 'charges.invoice_id'),
      )
      .where('charges.booking_id', '=', bookingId)
      .selectAll('charges')
      .select([
        'staff_users.name as decided_by_name',
        'invoices.number as invoice_number',
        'invoices.state as invoice_state',
        'invoice_lines.credited_pence',
        'invoice_lines.gross_pence as line_gross_pence',
      ])
      .orderBy('charges.id')
      .execute();
  }

  // ---- The delegate's side ---------------------------------------------------

  /** Saves (or replaces) the delegate's reason while the charge waits for a decision: false once decided. */
  async saveReason(id: number, reason: DelegateReason, note: string, now: Instant): Promise<boolean> {
    const result = await this.db
      .updateTable('charges')
      .set({ delegate_reason: reason, delegate_note: note, delegate_answered_at: now })
      .where('id', '=', id)
      .where('state', '=', 'proposed')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  // ---- Decisions ----------------------------------------------------------------

  /**
   * Confirms, reduces or waives a charge read in state `seen` with the proposed
   * amount `seenProposedPence`: false when it has changed since or is on an
   * invoice (the caller reads it again to say which).
   */
  async decide(
    id: number,
    seen: ChargeState,
    seenProposedPence: number,
    decision: Decision,
    now: Instant,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('charges')
      .set({
        state: decision.state,
        amount_pence: decision.amountPence,
        waiver_reason: decision.waiverReason,
        decision_note: decision.note,
        decided_at: now,
        decided_by_staff_id: decision.staffId,
      })
      .where('id', '=', id)
      .where('state', '=', seen)
      // The amount the coordinator saw: a corrected register may have changed the proposal since.
      .where('proposed_pence', '=', seenProposedPence)
      .where('state', 'in', ['proposed', 'confirmed', 'waived'])
      .where('invoice_id', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
