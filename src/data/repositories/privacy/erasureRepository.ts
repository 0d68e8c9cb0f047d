/**
 * ErasureRepository: what closing an account or erasing a person reads
 * first (services/privacy/erasure.ts): the person, their live bookings,
 * the certificates they can still download, the invoice lines that name
 * them. The changes themselves go through PersonalDataRecords.
 */
import type { BookingState } from '../../../domain/programme/availability.js';
import type { Executor } from '../../schema.js';

export class ErasureRepository {
  constructor(private readonly db: Executor) {}

  async person(delegateId: number) {
    return this.db
      .selectFrom('delegates')
      .where('id', '=', delegateId)
      .select(['id', 'name', 'email', 'password_hash', 'closed_at', 'anonymised_at'])
      .executeTakeFirst();
  }

  /** The delegate's bookings in these states, with their sessions, soonest first. */
  async liveBookings(delegateId: number, states: BookingState[]) {
    return this.db
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('bookings.delegate_id', '=', delegateId)
      .where('bookings.state', 'in', states)
      .where('sessions.cancelled_at', 'is', null)
      .select([
        'bookings.id',
        'bookings.reference',
        'bookings.state',
        'bookings.session_id',
        'sessions.starts_at',
        'courses.title as course_title',
      ])
      .orderBy('sessions.starts_at')
      .orderBy('bookings.id')
      .execute();
  }

  async bookingCount(delegateId: number): Promise<number> {
    const row = await this.db
      .selectFrom('bookings')
      .where('delegate_id', '=', delegateId)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Certificates the delegate can download now: valid and released. */
  async downloadableCertificates(delegateId: number) {
    return this.db
      .selectFrom('certificates')
      .innerJoin('bookings', 'bookings.id', 'certificates.booking_id')
      .where('bookings.delegate_id', '=', delegateId)
      .where('certificates.withdrawn_at', 'is', null)
      .where('certificates.released_at', 'is not', null)
      .select(['bookings.reference', 'certificates.number', 'certificates.course_title', 'certificates.attended_from'])
      .orderBy('certificates.attended_from')
      .execute();
  }

  /** How many invoice and credit note lines name the delegate (they are kept as financial records). */
  async invoiceLinesNaming(delegateId: number): Promise<number> {
    const row = await this.db
      .selectFrom('invoice_lines')
      .innerJoin('charges', 'charges.id', 'invoice_lines.charge_id')
      .innerJoin('bookings', 'bookings.id', 'charges.booking_id')
      .where('bookings.delegate_id', '=', delegateId)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
