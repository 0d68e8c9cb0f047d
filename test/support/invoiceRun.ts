/**
 * What the invoice tests start from, put straight into the tables: an
 * organisation with (or without) billing details, a delegate of it with a
 * place on a session (paid or free), and a charge on that place in any state.
 */
import type { Kysely } from 'kysely';

import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import type { DB } from '../../src/data/schema.js';
import type { ChargeKind, ChargeState, InvoiceFrequency } from '../../src/domain/charges/charges.js';
import { newBookingReference } from '../../src/services/bookings/bookingReference.js';

let serial = 0;

export async function billedOrganisation(
  db: Kysely<DB>,
  now: Date,
  options: { name?: string; frequency?: InvoiceFrequency; billing?: boolean } = {},
): Promise<number> {
  serial += 1;
  const name = options.name ?? `Agency ${serial} ${Math.random().toString(36).slice(2, 6)}`;
  const id = await new DemoRepository(db).createOrganisation(name, 'private', now, now);
  if (options.billing ?? true) {
    await db
      .updateTable('organisations')
      .set({
        billing_contact: 'Accounts payable',
        billing_email: `accounts.${serial}@agency.example.org.uk`,
        billing_address: `${serial} Market Street\nBanbury\nOX16 5AA`,
        purchase_order: `PO-${serial}`,
        invoice_frequency: options.frequency ?? 'monthly',
      })
      .where('id', '=', id)
      .execute();
  } else if (options.frequency) {
    await db
      .updateTable('organisations')
      .set({ invoice_frequency: options.frequency })
      .where('id', '=', id)
      .execute();
  }
  return id;
}

export interface Place {
  bookingId: number;
  delegateId: number;
  delegateName: string;
}

/** A delegate of the organisation with a confirmed place on the session, at `pricePence`. */
export async function placeFor(
  db: Kysely<DB>,
  now: Date,
  sessionId: number,
  organisationId: number | null,
  pricePence = 0,
): Promise<Place> {
  serial += 1;
  const delegateName = `Delegate ${serial}`;
  const people = new DemoRepository(db);
  const delegateId = await people.createDelegate(
    {
      name: delegateName,
      email: `delegate.${serial}.${Math.random().toString(36).slice(2, 8)}@agency.example.org.uk`,
      organisationId,
      jobRole: 'Social worker',
      lineManagerName: 'Pat Manager',
      lineManagerEmail: 'pat.manager@agency.example.org.uk',
    },
    now,
  );
  const reference = newBookingReference();
  await people.insertBookings(
    [{ reference, sessionId, delegateId: Number(delegateId), state: 'confirmed', offerExpiresAt: null }],
    now,
  );
  const booking = await db
    .updateTable('bookings')
    .set({ price_pence: pricePence })
    .where('reference', '=', reference)
    .returning('id')
    .executeTakeFirstOrThrow();
  return { bookingId: Number(booking.id), delegateId: Number(delegateId), delegateName };
}

/** A charge on a place: confirmed and reduced ones are owed `amountPence`. */
export async function chargeOn(
  db: Kysely<DB>,
  now: Date,
  place: { bookingId: number },
  organisationId: number,
  state: ChargeState,
  amountPence: number,
  kind: ChargeKind = 'non_attendance',
): Promise<number> {
  const row = await db
    .insertInto('charges')
    .values({
      booking_id: place.bookingId,
      organisation_id: organisationId,
      kind,
      state,
      proposed_pence: amountPence,
      amount_pence: state === 'confirmed' ? amountPence : state === 'waived' ? 0 : null,
      created_at: now.toISOString(),
      decided_at: state === 'proposed' ? null : now.toISOString(),
      waiver_reason: state === 'waived' ? 'Illness' : null,
      invoice_id: null,
      delegate_reason: null,
      delegate_answered_at: null,
      decided_by_staff_id: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}
