/**
 * The large hub's charges and invoices (src/demo/largeHub.ts), at the size
 * the finance pages, the finance export and the monthly invoice run are
 * measured at (`npm run bench:backoffice`):
 *
 * - the last month: a charge for each place a charged organisation's
 *   delegate did not come to (£25 a half-day part missed, as the demo hub
 *   charges), some confirmed, some waived with a reason, some waiting for
 *   review (half with the delegate's reason); and paid places: every course
 *   has a price for private and out-of-area organisations, agreed on their
 *   places from the last month on, and each such place that has started has
 *   its confirmed `place` charge. None is invoiced yet: that is the next
 *   monthly invoice run's work.
 * - the eleven months before: the same charges confirmed (a few waived),
 *   invoiced at the end of each month (one invoice per organisation, or per
 *   booking for an organisation that asked), most paid, a few put right by a
 *   credit note: a year of documents for the finance pages and the export.
 *
 * Written in batches, as the rest of the large hub is, keeping what the
 * invoice service keeps: numbers follow each kind's sequence per financial
 * year (continuing `invoice_sequences`), totals are the sums of the lines,
 * a credit note's amount is counted on the line it credits.
 */
import type { Insertable, Kysely } from 'kysely';

import type { ChargesTable, DB, InvoiceLinesTable, InvoicesTable, OrganisationType } from '../data/schema.js';
import { DEFAULT_WAIVER_REASONS } from '../domain/charges/chargesSettings.js';
import { DELEGATE_REASONS, type InvoiceFrequency } from '../domain/charges/charges.js';
import { feeFor, organisationCharged } from '../domain/charges/fees.js';
import {
  documentNumber,
  documentTotals,
  financialYearOf,
  lineAmounts,
  type DocumentKind,
} from '../domain/charges/invoiceNumbers.js';
import { addDays, formatShortDate, londonDate, londonToInstant } from '../domain/time/time.js';
import { DEMO_CHARGES_SETTINGS } from './demoCharges.js';
import type { LargeHubHistory } from './largeHubAfterCourse.js';
import type { SeededRandom } from './seededRandom.js';

/** Rows per INSERT: well under both databases' limits on bound parameters. */
const BATCH = 400;
const DAY = 86_400_000;

/** What every large-hub course costs a private and an out-of-area organisation's delegate. */
export const LARGE_HUB_PRICES: readonly { type: OrganisationType; pence: number }[] = [
  { type: 'private', pence: 6_000 },
  { type: 'out_of_area', pence: 9_000 },
];

export interface LargeHubChargeCounts {
  /** Charges of the last month, not yet invoiced: the next invoice run's work. */
  monthCharges: number;
  /** Of which confirmed (fees and paid places). */
  monthConfirmed: number;
  /** Charges of the eleven months before (invoiced, or waived). */
  historyCharges: number;
  invoices: number;
  creditNotes: number;
}

/** A marked place's organisation, as invoiced, and the price agreed for it. */
interface PlaceFacts {
  organisation_id: number;
  price_pence: number;
  name: string;
  type: OrganisationType;
  billing_contact: string;
  billing_email: string;
  billing_address: string;
  purchase_order: string;
  invoice_frequency: InvoiceFrequency;
}

async function inBatches<T>(rows: readonly T[], write: (batch: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += BATCH) await write(rows.slice(i, i + BATCH));
}

/** The last day of a London date's month. */
function monthEnd(date: string): string {
  return addDays(`${addDays(`${date.slice(0, 7)}-28`, 4).slice(0, 7)}-01`, -1);
}

export async function chargeLargeHub(
  db: Kysely<DB>,
  history: LargeHubHistory,
  courseIds: readonly number[],
  rng: SeededRandom,
  now: Date,
): Promise<LargeHubChargeCounts> {
  const settings = DEMO_CHARGES_SETTINGS;
  const today = londonDate(now);
  const monthStart = new Date(now.getTime() - 30 * DAY);
  const yearStart = new Date(now.getTime() - 365 * DAY);

  // Prices: every course, for private and out-of-area organisations; agreed on places from a month ago on.
  await inBatches(
    courseIds.flatMap((course_id) =>
      LARGE_HUB_PRICES.map((p) => ({ course_id, organisation_type: p.type, amount_pence: p.pence })),
    ),
    (batch) => db.insertInto('course_prices').values(batch).execute(),
  );
  const recentSessions = db
    .selectFrom('sessions')
    .where('course_id', 'in', courseIds)
    .where('starts_at', '>=', monthStart.toISOString())
    .select('id');
  for (const price of LARGE_HUB_PRICES) {
    await db
      .updateTable('bookings')
      .set({ price_pence: price.pence })
      .where('session_id', 'in', recentSessions)
      .where('state', '=', 'confirmed')
      .where(
        'delegate_id',
        'in',
        db
          .selectFrom('delegates')
          .innerJoin('organisations', 'organisations.id', 'delegates.organisation_id')
          .where('organisations.type', '=', price.type)
          .select('delegates.id'),
      )
      .execute();
  }

  // The year's marked places, with their organisation (and its billing details) and price.
  const marked = history.marked.filter((b) => history.sessions.get(b.sessionId)!.endsAt > yearStart);
  const facts = new Map<number, PlaceFacts>();
  for (let i = 0; i < marked.length; i += 1_000) {
    const rows = await db
      .selectFrom('bookings')
      .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
      .innerJoin('organisations', 'organisations.id', 'delegates.organisation_id')
      .where(
        'bookings.id',
        'in',
        marked.slice(i, i + 1_000).map((b) => b.bookingId),
      )
      .select([
        'bookings.id',
        'bookings.price_pence',
        'organisations.id as organisation_id',
        'organisations.name',
        'organisations.type',
        'organisations.billing_contact',
        'organisations.billing_email',
        'organisations.billing_address',
        'organisations.purchase_order',
        'organisations.invoice_frequency',
      ])
      .execute();
    for (const row of rows) facts.set(row.id, row);
  }

  type Planned = {
    charge: Insertable<ChargesTable>;
    /** Invoiced at the end of this month (history only). */
    invoice: boolean;
    sessionId: number;
    delegateName: string;
  };
  const planned: Planned[] = [];
  for (const booking of marked) {
    const place = facts.get(booking.bookingId);
    if (!place) continue;
    const session = history.sessions.get(booking.sessionId)!;
    const recent = session.endsAt > monthStart;
    const createdAt = new Date(session.endsAt.getTime() + 3_600_000).toISOString();
    const base = {
      booking_id: booking.bookingId,
      organisation_id: place.organisation_id,
      created_at: createdAt,
      delegate_note: '',
      decision_note: '',
      invoice_id: null,
      decided_by_staff_id: null,
    };
    const decidedAt = new Date(session.endsAt.getTime() + 3 * DAY).toISOString();
    if (place.price_pence > 0) {
      // A paid place: its price is owed, whether or not they came.
      planned.push({
        charge: {
          ...base,
          kind: 'place',
          state: 'confirmed',
          proposed_pence: place.price_pence,
          amount_pence: place.price_pence,
          decided_at: createdAt,
        },
        invoice: false,
        sessionId: booking.sessionId,
        delegateName: booking.delegateName,
      });
      continue;
    }
    const missed = session.parts.filter((part) => booking.marks.get(part.id) === 'absent');
    if (missed.length !== session.parts.length || !organisationCharged(place.type, settings)) continue;
    const fee = feeFor(missed, settings);
    const roll = rng.next();
    const state = recent
      ? roll < 0.5
        ? 'confirmed'
        : roll < 0.7
          ? 'waived'
          : 'proposed'
      : roll < 0.85
        ? 'confirmed'
        : 'waived';
    const answered = state !== 'confirmed' && rng.next() < 0.5;
    planned.push({
      charge: {
        ...base,
        kind: 'non_attendance',
        state,
        proposed_pence: fee,
        amount_pence: state === 'confirmed' ? fee : null,
        decided_at: state === 'proposed' ? null : decidedAt,
        waiver_reason: state === 'waived' ? rng.pick(DEFAULT_WAIVER_REASONS) : null,
        delegate_reason: answered ? rng.pick(DELEGATE_REASONS) : null,
        delegate_answered_at: answered ? new Date(session.endsAt.getTime() + DAY).toISOString() : null,
      },
      invoice: !recent && state === 'confirmed',
      sessionId: booking.sessionId,
      delegateName: booking.delegateName,
    });
  }

  // The charges, with their ids read back by booking and kind (one live charge of each).
  const chargeIds = new Map<string, number>();
  await inBatches(planned, async (batch) => {
    const rows = await db
      .insertInto('charges')
      .values(batch.map((p) => p.charge))
      .returning(['id', 'booking_id', 'kind'])
      .execute();
    for (const row of rows) chargeIds.set(`${row.booking_id} ${row.kind}`, row.id);
  });

  // Invoices for the history: one per organisation and month, or per booking where asked.
  const groups = new Map<string, Planned[]>();
  for (const item of planned.filter((p) => p.invoice)) {
    const place = facts.get(item.charge.booking_id)!;
    const month = londonDate(history.sessions.get(item.sessionId)!.endsAt).slice(0, 7);
    const key =
      place.invoice_frequency === 'per_booking'
        ? `${month} booking ${item.charge.booking_id}`
        : `${month} organisation ${place.organisation_id}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const sequences = new Map(
    (await db.selectFrom('invoice_sequences').selectAll().execute()).map((row) => [
      `${row.kind} ${row.financial_year}`,
      row.last_sequence,
    ]),
  );
  const number = (kind: DocumentKind, issuedOn: string) => {
    const year = financialYearOf(issuedOn, settings.financialYearStartMonth);
    const sequence = (sequences.get(`${kind} ${year}`) ?? 0) + 1;
    sequences.set(`${kind} ${year}`, sequence);
    return { financial_year: year, sequence, number: documentNumber(kind, year, sequence) };
  };
  const invoices = [...groups.values()]
    .map((items) => {
      const month = londonDate(history.sessions.get(items[0]!.sessionId)!.endsAt);
      return { items, issuedOn: monthEnd(month) };
    })
    .filter((invoice) => invoice.issuedOn < today)
    .sort(
      (a, b) =>
        a.issuedOn.localeCompare(b.issuedOn) || a.items[0]!.charge.booking_id - b.items[0]!.charge.booking_id,
    );

  const invoiceRows: Insertable<InvoicesTable>[] = [];
  const lines: { number: string; line: Omit<Insertable<InvoiceLinesTable>, 'invoice_id'> }[] = [];
  const credits: { invoiceNumber: string; issuedOn: string; organisationId: number; place: PlaceFacts }[] =
    [];
  for (const invoice of invoices) {
    const place = facts.get(invoice.items[0]!.charge.booking_id)!;
    const numbered = number('invoice', invoice.issuedOn);
    const amounts = invoice.items.map((item) =>
      lineAmounts(item.charge.amount_pence!, settings.vatRateBasisPoints),
    );
    const totals = documentTotals(amounts);
    const paidOn = addDays(invoice.issuedOn, rng.int(10, 40));
    const paid = paidOn < today && rng.next() < 0.85;
    const issuedAt = londonToInstant(invoice.issuedOn, '10:00').toISOString();
    invoiceRows.push({
      kind: 'invoice',
      state: paid ? 'paid' : 'issued',
      organisation_id: place.organisation_id,
      booking_id: place.invoice_frequency === 'per_booking' ? invoice.items[0]!.charge.booking_id : null,
      credits_invoice_id: null,
      ...numbered,
      customer_name: place.name,
      billing_contact: place.billing_contact,
      billing_email: place.billing_email,
      billing_address: place.billing_address,
      purchase_order: place.purchase_order,
      vat_rate_basis_points: settings.vatRateBasisPoints,
      net_pence: totals.netPence,
      vat_pence: totals.vatPence,
      gross_pence: totals.grossPence,
      created_at: issuedAt,
      issued_at: issuedAt,
      issued_on: invoice.issuedOn,
      due_on: addDays(invoice.issuedOn, settings.paymentTermsDays),
      paid_on: paid ? paidOn : null,
      paid_reference: paid ? `BACS ${paidOn}` : null,
    });
    invoice.items.forEach((item, index) => {
      const session = history.sessions.get(item.sessionId)!;
      const course = history.courses.get(session.courseId)!;
      const startsAt = session.parts[0]!.startsAt;
      lines.push({
        number: numbered.number,
        line: {
          position: index + 1,
          charge_id: chargeIds.get(`${item.charge.booking_id} ${item.charge.kind}`)!,
          credits_line_id: null,
          description: `${course.title} — ${formatShortDate(startsAt)} — Did not attend`,
          delegate_name: item.delegateName,
          session_date: londonDate(startsAt),
          net_pence: amounts[index]!.netPence,
          vat_pence: amounts[index]!.vatPence,
          gross_pence: amounts[index]!.grossPence,
        },
      });
    });
    const creditOn = addDays(invoice.issuedOn, 10);
    if (creditOn < today && rng.next() < 0.03) {
      credits.push({
        invoiceNumber: numbered.number,
        issuedOn: creditOn,
        organisationId: place.organisation_id,
        place,
      });
    }
  }

  const invoiceIds = new Map<string, number>();
  await inBatches(invoiceRows, async (batch) => {
    const rows = await db.insertInto('invoices').values(batch).returning(['id', 'number']).execute();
    for (const row of rows) invoiceIds.set(row.number!, row.id);
  });
  await inBatches(lines, (batch) =>
    db
      .insertInto('invoice_lines')
      .values(batch.map(({ number, line }) => ({ ...line, invoice_id: invoiceIds.get(number)! })))
      .execute(),
  );
  await inBatches(lines, async (batch) => {
    const byInvoice = new Map<number, number[]>();
    for (const { number, line } of batch) {
      const invoiceId = invoiceIds.get(number)!;
      byInvoice.set(invoiceId, [...(byInvoice.get(invoiceId) ?? []), line.charge_id!]);
    }
    for (const [invoiceId, ids] of byInvoice) {
      await db.updateTable('charges').set({ invoice_id: invoiceId }).where('id', 'in', ids).execute();
    }
  });

  // Credit notes: each puts right the first line of its invoice in full.
  credits.sort((a, b) => a.issuedOn.localeCompare(b.issuedOn));
  for (const credit of credits) {
    const invoiceId = invoiceIds.get(credit.invoiceNumber)!;
    const line = await db
      .selectFrom('invoice_lines')
      .where('invoice_id', '=', invoiceId)
      .where('position', '=', 1)
      .selectAll()
      .executeTakeFirstOrThrow();
    const issuedAt = londonToInstant(credit.issuedOn, '10:00').toISOString();
    const { id } = await db
      .insertInto('invoices')
      .values({
        kind: 'credit_note',
        state: 'issued',
        organisation_id: credit.organisationId,
        booking_id: null,
        credits_invoice_id: invoiceId,
        ...number('credit_note', credit.issuedOn),
        customer_name: credit.place.name,
        billing_contact: credit.place.billing_contact,
        billing_email: credit.place.billing_email,
        billing_address: credit.place.billing_address,
        purchase_order: credit.place.purchase_order,
        vat_rate_basis_points: settings.vatRateBasisPoints,
        net_pence: line.net_pence,
        vat_pence: line.vat_pence,
        gross_pence: line.gross_pence,
        reason: 'Charged in error: a colleague came in their place',
        created_at: issuedAt,
        issued_at: issuedAt,
        issued_on: credit.issuedOn,
        due_on: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('invoice_lines')
      .values({
        invoice_id: id,
        position: 1,
        charge_id: null,
        credits_line_id: line.id,
        description: `Credit: ${line.description}`,
        delegate_name: line.delegate_name,
        session_date: line.session_date,
        net_pence: line.net_pence,
        vat_pence: line.vat_pence,
        gross_pence: line.gross_pence,
      })
      .execute();
    await db
      .updateTable('invoice_lines')
      .set({ credited_pence: line.gross_pence })
      .where('id', '=', line.id)
      .execute();
  }

  // The sequences continue from the numbers given here.
  for (const [key, last] of sequences) {
    const [kind, year] = key.split(' ') as [DocumentKind, string];
    const updated = await db
      .updateTable('invoice_sequences')
      .set({ last_sequence: last })
      .where('kind', '=', kind)
      .where('financial_year', '=', Number(year))
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      await db
        .insertInto('invoice_sequences')
        .values({ kind, financial_year: Number(year), last_sequence: last })
        .execute();
    }
  }

  const month = planned.filter((p) => history.sessions.get(p.sessionId)!.endsAt > monthStart);
  return {
    monthCharges: month.length,
    monthConfirmed: month.filter((p) => p.charge.state === 'confirmed').length,
    historyCharges: planned.length - month.length,
    invoices: invoiceRows.length,
    creditNotes: credits.length,
  };
}
