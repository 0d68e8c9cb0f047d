/**
 * Sample values for back-office route parameters, so a table of routes
 * (test/integration/admin-rules/) can be opened for real: a session the
 * sample trainer teaches (or, asked for, one they do not), and what hangs
 * off it. Used by the authorisation test and the back-office axe tour.
 */
import { TEST_NOW, type TestApp } from './app.js';

/** The trainer the "trainer" role signs in as. */
export const TRAINER_SLUG = 'lisa-cherry';

export type Samples = Record<string, string>;

/** Sample values for route parameters: a session the trainer teaches, and what hangs off it. */
export async function sampleParams(t: TestApp, teaches: boolean): Promise<Samples> {
  const db = t.database.db;
  const trainer = await db
    .selectFrom('trainers')
    .where('slug', '=', TRAINER_SLUG)
    .select('id')
    .executeTakeFirstOrThrow();
  const taughtBy = db
    .selectFrom('session_trainers')
    .where('trainer_id', '=', trainer.id)
    .select('session_id');
  const session = await db
    .selectFrom('sessions')
    .where('id', teaches ? 'in' : 'not in', taughtBy)
    .where('starts_at', '>', TEST_NOW)
    .where('cancelled_at', 'is', null)
    .where((eb) =>
      eb.exists(eb.selectFrom('bookings').whereRef('bookings.session_id', '=', 'sessions.id').select('id')),
    )
    .select(['id', 'course_id', 'venue_id'])
    .orderBy('starts_at')
    .executeTakeFirstOrThrow();
  const booking = await db
    .selectFrom('bookings')
    .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
    .where('session_id', '=', session.id)
    .select(['bookings.reference', 'delegates.id as delegateId', 'delegates.organisation_id'])
    .orderBy('bookings.id')
    .executeTakeFirstOrThrow();
  const venue = await db.selectFrom('venues').select('id').orderBy('id').executeTakeFirstOrThrow();
  const organisation = await db
    .selectFrom('organisations')
    .select('id')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  const staff = await db.selectFrom('staff_users').select('id').orderBy('id').executeTakeFirst();
  const invoice = await sampleInvoice(t, booking.organisation_id ?? organisation.id);
  return {
    sessionId: String(session.id),
    courseId: String(session.course_id),
    venueId: String(session.venue_id ?? venue.id),
    trainerId: String(trainer.id),
    reference: booking.reference,
    delegateId: String(booking.delegateId),
    organisationId: String(booking.organisation_id ?? organisation.id),
    staffId: String(staff?.id ?? 1),
    invoiceId: String(invoice.invoiceId),
    lineId: String(invoice.lineId),
  };
}

/**
 * An issued invoice with one line, so its pages (the invoice, recording a
 * payment, a credit note, the PDF) open for those who handle money. Made
 * once, straight into the tables, with a number from a year of its own.
 */
async function sampleInvoice(
  t: TestApp,
  organisationId: number,
): Promise<{ invoiceId: number; lineId: number }> {
  const db = t.database.db;
  const found = await db
    .selectFrom('invoices')
    .innerJoin('invoice_lines', 'invoice_lines.invoice_id', 'invoices.id')
    .where('invoices.number', '=', 'INV-2001-0001')
    .select(['invoices.id as invoiceId', 'invoice_lines.id as lineId'])
    .executeTakeFirst();
  if (found) return { invoiceId: Number(found.invoiceId), lineId: Number(found.lineId) };
  const invoice = await db
    .insertInto('invoices')
    .values({
      kind: 'invoice',
      state: 'issued',
      organisation_id: organisationId,
      booking_id: null,
      credits_invoice_id: null,
      number: 'INV-2001-0001',
      financial_year: 2001,
      sequence: 1,
      customer_name: 'Sample organisation',
      billing_contact: 'Accounts payable',
      billing_email: 'accounts@sample.example.org.uk',
      billing_address: '1 Sample Street\nSampletown',
      net_pence: 5000,
      vat_pence: 0,
      gross_pence: 5000,
      created_at: TEST_NOW,
      created_by_staff_id: null,
      issued_at: TEST_NOW,
      issued_by_staff_id: null,
      issued_on: TEST_NOW.slice(0, 10),
      due_on: TEST_NOW.slice(0, 10),
      paid_on: null,
      paid_reference: null,
      voided_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const line = await db
    .insertInto('invoice_lines')
    .values({
      invoice_id: invoice.id,
      position: 1,
      charge_id: null,
      credits_line_id: null,
      description: 'Sample course — Mon 12 Jan 2026 — Did not attend',
      delegate_name: 'Sample Delegate',
      session_date: TEST_NOW.slice(0, 10),
      net_pence: 5000,
      vat_pence: 0,
      gross_pence: 5000,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { invoiceId: Number(invoice.id), lineId: Number(line.id) };
}

export function pathFor(route: string, samples: Samples): string {
  return route.replace(/^[A-Z]+ /, '').replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = samples[name];
    if (value === undefined) throw new Error(`No sample value for :${name} (see admin-rules/types.ts)`);
    return encodeURIComponent(value);
  });
}
