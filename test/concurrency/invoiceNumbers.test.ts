/**
 * Invoices under concurrency, as properties checked with fast-check on both
 * databases (on PostgreSQL the calls run on several pooled connections at
 * once; on SQLite they queue on its one write lock):
 * - drafts issued at once (each pressed twice) get unique numbers, and every
 *   number issued in the year runs 1..n with no gap;
 * - the invoice run, twice at once, puts each confirmed charge on exactly one
 *   line, never a waived, proposed or withdrawn one, each document's totals
 *   are the sums of its lines, and a third run changes nothing;
 * - credit notes against one line at once never credit more than its total.
 * Everything is read back from the tables, not from the service under test.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';

import type { ChargeKind, ChargeState, InvoiceFrequency } from '../../src/domain/charges/charges.js';
import { penceForInput } from '../../src/domain/charges/money.js';
import { ConflictError, FormError } from '../../src/errors.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { eachDatabase } from '../support/databases.js';
import { billedOrganisation, chargeOn, placeFor } from '../support/invoiceRun.js';
import { createBookableSessions } from '../support/seedDelegates.js';
import { SettableClock, DAY_MS } from './support.js';

/** Runs `work`; a refusal in words (409 or a form's 400) is an expected answer, not a failure. */
async function refusedOrDone<T>(work: () => Promise<T>): Promise<T | ConflictError | FormError> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ConflictError || error instanceof FormError) return error;
    throw error;
  }
}

const CHARGE: fc.Arbitrary<{ organisation: number; state: ChargeState; amount: number; kind: ChargeKind }> =
  fc.record({
    organisation: fc.nat({ max: 3 }),
    state: fc.constantFrom<ChargeState>('proposed', 'confirmed', 'confirmed', 'waived', 'withdrawn'),
    amount: fc.integer({ min: 0, max: 25_000 }),
    kind: fc.constantFrom<ChargeKind>('late_cancellation', 'non_attendance'),
  });

eachDatabase('invoices under concurrency', (dialect) => {
  const clock = new SettableClock(TEST_NOW);
  let t: TestApp;
  let sessionId: number;
  let staffId: number;

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: false, clock });
    const now = clock.peek();
    [sessionId] = (await createBookableSessions(
      t.database.db,
      new Date(now.getTime() - 30 * DAY_MS),
      [new Date(now.getTime() - 5 * DAY_MS)],
      5_000,
    )) as [number];
    staffId = await t.services.staff.create(
      {
        name: 'Finance Coordinator',
        email: 'finance@hub.example.org.uk',
        role: 'coordinator',
        trainerId: null,
      },
      'a staff password for tests',
    );
  });
  afterAll(() => t.close());

  const db = () => t.database.db;

  /** Every issued invoice's sequence this financial year, in order. */
  async function issuedSequences(kind: 'invoice' | 'credit_note') {
    const rows = await db()
      .selectFrom('invoices')
      .where('kind', '=', kind)
      .where('number', 'is not', null)
      .select(['sequence', 'number', 'financial_year'])
      .orderBy('sequence')
      .execute();
    return rows.map((r) => ({ ...r, sequence: Number(r.sequence) }));
  }

  it('gives drafts issued at once unique numbers, 1..n with no gaps', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.boolean(), async (count, pressTwice) => {
        const now = clock.peek();
        const drafts: number[] = [];
        for (let i = 0; i < count; i += 1) {
          const organisationId = await billedOrganisation(db(), now);
          await chargeOn(
            db(),
            now,
            await placeFor(db(), now, sessionId, organisationId),
            organisationId,
            'confirmed',
            5000,
          );
          drafts.push(organisationId);
        }
        await t.services.invoices.run({ type: 'system' });
        const draftIds = (
          await db()
            .selectFrom('invoices')
            .where('organisation_id', 'in', drafts)
            .where('state', '=', 'draft')
            .select('id')
            .execute()
        ).map((r) => Number(r.id));
        expect(draftIds).toHaveLength(count);
        const presses = pressTwice ? [...draftIds, ...draftIds] : draftIds;
        const outcomes = await Promise.all(
          presses.map((id) => refusedOrDone(() => t.services.invoices.issue(id, { id: staffId }))),
        );
        const numbers = outcomes.filter((o): o is string => typeof o === 'string');
        // Each draft issued once; a second press is refused in words.
        expect(numbers).toHaveLength(count);
        expect(new Set(numbers).size).toBe(count);
        expect(outcomes.filter((o) => o instanceof ConflictError)).toHaveLength(presses.length - count);

        const all = await issuedSequences('invoice');
        expect(all.map((r) => r.sequence)).toEqual(all.map((_, index) => index + 1));
        expect(all.every((r) => r.number === `INV-2025-${String(r.sequence).padStart(4, '0')}`)).toBe(true);
        const counter = await db()
          .selectFrom('invoice_sequences')
          .where('kind', '=', 'invoice')
          .selectAll()
          .execute();
        expect(counter.map((c) => [Number(c.financial_year), Number(c.last_sequence)])).toEqual([
          [2025, all.length],
        ]);
      }),
      { numRuns: 6 },
    );
  });

  it('runs twice at once without putting a charge on two drafts, never invoices a waived or proposed charge, and totals are sums', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(CHARGE, { minLength: 1, maxLength: 12 }),
        fc.array(fc.constantFrom<InvoiceFrequency>('monthly', 'per_booking'), { minLength: 4, maxLength: 4 }),
        fc.constantFrom(0, 2000, 1750),
        fc.nat({ max: 3 }),
        async (charges, frequencies, vatRate, paidPlaces) => {
          await t.services.settings.updateCharges({ vatRateBasisPoints: vatRate });
          const now = clock.peek();
          const organisations: number[] = [];
          for (const frequency of frequencies)
            organisations.push(await billedOrganisation(db(), now, { frequency }));
          const made: { id: number; state: ChargeState; amount: number }[] = [];
          for (const c of charges) {
            const organisationId = organisations[c.organisation]!;
            const place = await placeFor(db(), now, sessionId, organisationId);
            made.push({
              id: await chargeOn(db(), now, place, organisationId, c.state, c.amount, c.kind),
              state: c.state,
              amount: c.amount,
            });
          }
          const places: number[] = [];
          for (let i = 0; i < paidPlaces; i += 1)
            places.push((await placeFor(db(), now, sessionId, organisations[i]!, 4_500 + i)).bookingId);

          const [one, two] = await Promise.all([
            t.services.invoices.run({ type: 'system' }),
            t.services.invoices.run({ type: 'staff', id: staffId }),
          ]);
          const owed = made.filter((c) => c.state === 'confirmed' && c.amount > 0);
          expect(one.lines + two.lines).toBe(owed.length + paidPlaces);
          expect(one.placesCharged + two.placesCharged).toBe(paidPlaces);
          expect(await t.services.invoices.run({ type: 'system' })).toEqual({
            invoices: 0,
            lines: 0,
            placesCharged: 0,
          });

          const rows = await db()
            .selectFrom('charges')
            .where('organisation_id', 'in', organisations)
            .select(['id', 'state', 'invoice_id', 'amount_pence', 'kind', 'booking_id'])
            .execute();
          const lines = await db()
            .selectFrom('invoice_lines')
            .innerJoin('charges', 'charges.id', 'invoice_lines.charge_id')
            .where('charges.organisation_id', 'in', organisations)
            .select([
              'invoice_lines.charge_id',
              'invoice_lines.invoice_id',
              'invoice_lines.net_pence',
              'invoice_lines.vat_pence',
              'invoice_lines.gross_pence',
            ])
            .execute();
          for (const row of rows) {
            const on = lines.filter((l) => Number(l.charge_id) === Number(row.id));
            const due = row.state === 'confirmed' && Number(row.amount_pence) > 0;
            // Exactly one line for each charge owed; none for anything else.
            expect(on, `charge ${row.id} (${row.state})`).toHaveLength(due ? 1 : 0);
            expect(row.invoice_id === null, `charge ${row.id}`).toBe(!due);
            if (due) {
              expect(Number(on[0]!.invoice_id)).toBe(Number(row.invoice_id));
              expect(Number(on[0]!.net_pence)).toBe(Number(row.amount_pence));
            }
          }
          expect(
            rows
              .filter((r) => r.kind === 'place')
              .map((r) => Number(r.booking_id))
              .sort(),
          ).toEqual([...places].sort());

          const invoices = await db()
            .selectFrom('invoices')
            .where('organisation_id', 'in', organisations)
            .select(['id', 'net_pence', 'vat_pence', 'gross_pence', 'booking_id'])
            .execute();
          for (const invoice of invoices) {
            const own = lines.filter((l) => Number(l.invoice_id) === Number(invoice.id));
            expect(own.length).toBeGreaterThan(0);
            const sum = (column: 'net_pence' | 'vat_pence' | 'gross_pence') =>
              own.reduce((total, l) => total + Number(l[column]), 0);
            expect([
              Number(invoice.net_pence),
              Number(invoice.vat_pence),
              Number(invoice.gross_pence),
            ]).toEqual([sum('net_pence'), sum('vat_pence'), sum('gross_pence')]);
            for (const l of own)
              expect(Number(l.gross_pence)).toBe(Number(l.net_pence) + Number(l.vat_pence));
          }
        },
      ),
      { numRuns: 12 },
    );
    await t.services.settings.updateCharges({ vatRateBasisPoints: 0 });
  });

  it('never credits a line for more than its total, however many credit notes at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20_000 }),
        fc.array(fc.integer({ min: 1, max: 12_000 }), { minLength: 2, maxLength: 6 }),
        async (gross, amounts) => {
          const now = clock.peek();
          const organisationId = await billedOrganisation(db(), now);
          await chargeOn(
            db(),
            now,
            await placeFor(db(), now, sessionId, organisationId),
            organisationId,
            'confirmed',
            gross,
          );
          await t.services.invoices.run({ type: 'system' });
          const invoice = await db()
            .selectFrom('invoices')
            .where('organisation_id', '=', organisationId)
            .select('id')
            .executeTakeFirstOrThrow();
          const invoiceId = Number(invoice.id);
          await t.services.invoices.issue(invoiceId, { id: staffId });
          const line = await db()
            .selectFrom('invoice_lines')
            .where('invoice_id', '=', invoiceId)
            .select('id')
            .executeTakeFirstOrThrow();

          const outcomes = await Promise.all(
            amounts.map((amount) =>
              refusedOrDone(() =>
                t.services.invoices.creditNote(
                  invoiceId,
                  {
                    amounts: { [String(line.id)]: penceForInput(amount) },
                    reason: 'Put right',
                    waiverReason: '',
                  },
                  { id: staffId },
                ),
              ),
            ),
          );
          const credited = Number(
            (
              await db()
                .selectFrom('invoice_lines')
                .where('id', '=', line.id)
                .select('credited_pence')
                .executeTakeFirstOrThrow()
            ).credited_pence,
          );
          const creditLines = await db()
            .selectFrom('invoice_lines')
            .where('credits_line_id', '=', line.id)
            .select(['gross_pence', 'net_pence', 'vat_pence'])
            .execute();
          const creditedByNotes = creditLines.reduce((total, l) => total + Number(l.gross_pence), 0);
          expect(credited).toBeLessThanOrEqual(gross);
          expect(creditedByNotes).toBe(credited);
          const accepted = amounts.filter((_, i) => !(outcomes[i] instanceof Error));
          expect(accepted.reduce((a, b) => a + b, 0)).toBe(credited);
          // Each one refused would have taken the line past its total when it was tried.
          expect(outcomes.filter((o) => o instanceof Error).length).toBe(amounts.length - accepted.length);
          const notes = await db()
            .selectFrom('invoices')
            .where('credits_invoice_id', '=', invoiceId)
            .select(['gross_pence'])
            .execute();
          expect(notes.reduce((total, n) => total + Number(n.gross_pence), 0)).toBe(credited);
        },
      ),
      { numRuns: 10 },
    );
    const notes = await issuedSequences('credit_note');
    expect(notes.map((n) => n.sequence)).toEqual(notes.map((_, index) => index + 1));
  });
});
