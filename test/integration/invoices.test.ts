/**
 * Invoices through the back office, on both databases: organisations'
 * billing details; the invoice run (paid places charged, confirmed charges
 * gathered onto monthly and per-booking drafts, waived and proposed ones
 * never); drafts (a line taken off, voided, issued with a gap-free number
 * and emailed with the PDF); payments; credit notes; and everything refused
 * with words: changing an issued invoice, marking a draft paid,
 * over-crediting, issuing without a billing email, unknown ids, and people
 * who do not handle money.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { NotFoundError } from '../../src/errors.js';

import { migrateTo, migrateToLatest } from '../../src/data/migrations/index.js';
import { findJob } from '../../src/jobs/registry.js';
import type { JobContext } from '../../src/jobs/job.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import type { WebClient } from '../support/client.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import { eachDatabase } from '../support/databases.js';
import { normalise, parsePage } from '../support/html.js';
import { billedOrganisation, chargeOn, placeFor } from '../support/invoiceRun.js';
import { pdfText } from '../support/pdfText.js';
import { createBookableSessions, SEEDED_COURSE_TITLE } from '../support/seedDelegates.js';
import { signedInStaff } from '../support/staff.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

eachDatabase('invoices and credit notes', (dialect) => {
  let t: TestApp;
  let clock: SettableClock;
  let coordinator: WebClient;
  let past: number;
  let future: number;
  const now = new Date(TEST_NOW);

  beforeAll(async () => {
    clock = settableClock(TEST_NOW);
    t = await createTestApp(dialect, { demo: false, clock });
    // Started ten days ago (a Friday, 2 January 2026, 9am); starts in ten days.
    [past, future] = (await createBookableSessions(
      t.database.db,
      new Date(now.getTime() - 30 * DAY),
      [new Date(now.getTime() - 10 * DAY), new Date(now.getTime() + 10 * DAY)],
      50,
    )) as [number, number];
    await t.services.settings.updateCharges({
      billingAddress: 'Safeguarding Partnership\n1 Town Hall Square\nBanbury OX16 5QA',
      paymentInstructions: 'Pay by bank transfer to sort code 12-34-56, account 12345678.',
      paymentTermsDays: 30,
    });
    coordinator = await signedInStaff(t, 'coordinator');
  });
  afterAll(() => t.close());

  const db = () => t.database.db;

  async function invoicesOf(organisationId: number) {
    return db()
      .selectFrom('invoices')
      .where('organisation_id', '=', organisationId)
      .selectAll()
      .orderBy('id')
      .execute();
  }

  async function linesOf(invoiceId: number) {
    return db()
      .selectFrom('invoice_lines')
      .where('invoice_id', '=', invoiceId)
      .selectAll()
      .orderBy('position')
      .execute();
  }

  async function charge(id: number) {
    return db().selectFrom('charges').where('id', '=', id).selectAll().executeTakeFirstOrThrow();
  }

  async function auditCount() {
    const row = await db()
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Posts a form straight to `path` with a real CSRF token (for buttons a page no longer shows). */
  async function post(path: string, fields: Record<string, string> = {}) {
    const _csrf =
      parsePage((await coordinator.get('/admin/invoices')).body)
        .document.querySelector('input[name="_csrf"]')
        ?.getAttribute('value') ?? '';
    return coordinator.post(path, { _csrf, ...fields });
  }

  async function outbox(kind: string) {
    return db().selectFrom('outbox_messages').where('kind', '=', kind).selectAll().orderBy('id').execute();
  }

  describe('billing details', () => {
    it('are set on the organisation page by those who handle money, checked, and audited', async () => {
      const organisationId = await billedOrganisation(db(), now, {
        billing: false,
        name: 'Brightwell Care Ltd',
      });
      const page = `/admin/organisations/${organisationId}`;
      expect(normalise(parsePage((await coordinator.get(page)).body).text('main'))).toContain(
        'Billing details',
      );

      const bad = await coordinator.submit(
        page,
        {
          billingContact: 'Accounts payable',
          billingEmail: 'accounts at brightwell',
          billingAddress: '2 Mill Lane\nBanbury',
          purchaseOrder: 'PO-77',
          invoiceFrequency: 'monthly',
        },
        `/admin/organisations/${organisationId}/billing`,
      );
      expect(bad.statusCode).toBe(400);
      const badPage = parsePage(bad.body);
      expect(badPage.text('#billingEmail-error')).toContain(
        'Enter the billing email address in the right form',
      );
      expect(badPage.document.querySelector('#billingContact')?.getAttribute('value')).toBe(
        'Accounts payable',
      );
      expect((await t.services.invoices.billingDetails(organisationId)).billing_email).toBe('');

      const before = await auditCount();
      const good = await coordinator.submit(
        page,
        {
          billingContact: 'Accounts payable',
          billingEmail: 'Accounts@Brightwell.example.org.uk',
          billingAddress: '  2 Mill Lane \r\n\r\nBanbury\r\nOX16 2AA ',
          purchaseOrder: 'PO-77',
          invoiceFrequency: 'per_booking',
        },
        `/admin/organisations/${organisationId}/billing`,
      );
      expect(good.statusCode).toBe(303);
      const saved = await t.services.invoices.billingDetails(organisationId);
      expect(saved).toMatchObject({
        billing_contact: 'Accounts payable',
        billing_email: 'Accounts@Brightwell.example.org.uk',
        billing_address: '2 Mill Lane\nBanbury\nOX16 2AA',
        purchase_order: 'PO-77',
        invoice_frequency: 'per_booking',
      });
      expect(await auditCount()).toBe(before + 1);
      const entry = await db()
        .selectFrom('audit_log')
        .where('action', '=', 'billing_details_updated')
        .select('details')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      // Which fields changed, never the address itself.
      expect(entry.details).not.toContain('brightwell');

      const missingChoice = await coordinator.submit(
        page,
        { billingEmail: '', invoiceFrequency: 'weekly' },
        `/admin/organisations/${organisationId}/billing`,
      );
      expect(missingChoice.statusCode).toBe(400);
      expect(parsePage(missingChoice.body).text('.govuk-error-summary')).toContain('Choose how often');
    });

    it('are not shown to a reporting viewer, who cannot change them', async () => {
      const organisationId = await billedOrganisation(db(), now);
      const viewer = await signedInStaff(t, 'viewer');
      const page = await viewer.get(`/admin/organisations/${organisationId}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('Billing details');
      expect(page.body).not.toContain('agency.example.org.uk');
    });
  });

  describe('the run, drafts, issuing, payments and credit notes', () => {
    let monthly: number;
    let perBooking: number;
    let noEmail: number;
    let absent: number;
    let waived: number;
    let proposed: number;
    let paidPlace: { bookingId: number };
    let futurePlace: { bookingId: number };
    let draftId: number;

    beforeAll(async () => {
      monthly = await billedOrganisation(db(), now, { name: 'Oakfield Homes Ltd' });
      perBooking = await billedOrganisation(db(), now, { frequency: 'per_booking' });
      noEmail = await billedOrganisation(db(), now, { billing: false });
      absent = await chargeOn(
        db(),
        now,
        await placeFor(db(), now, past, monthly),
        monthly,
        'confirmed',
        5000,
      );
      waived = await chargeOn(db(), now, await placeFor(db(), now, past, monthly), monthly, 'waived', 5000);
      proposed = await chargeOn(
        db(),
        now,
        await placeFor(db(), now, past, monthly),
        monthly,
        'proposed',
        5000,
      );
      paidPlace = await placeFor(db(), now, past, monthly, 12_000);
      futurePlace = await placeFor(db(), now, future, monthly, 12_000);
      for (let i = 0; i < 2; i += 1)
        await chargeOn(
          db(),
          now,
          await placeFor(db(), now, past, perBooking),
          perBooking,
          'confirmed',
          2500,
          'late_cancellation',
        );
      await chargeOn(db(), now, await placeFor(db(), now, past, noEmail), noEmail, 'confirmed', 5000);
    });

    it('gathers confirmed charges and paid places onto drafts, never a waived or proposed charge', async () => {
      const made = await coordinator.submit('/admin/invoices', {}, '/admin/invoices/run');
      expect(made.statusCode).toBe(303);
      expect(made.headers.location).toBe('/admin/invoices?made=4-5');

      const [draft, ...others] = await invoicesOf(monthly);
      expect(others).toEqual([]);
      expect(draft).toMatchObject({
        kind: 'invoice',
        state: 'draft',
        number: null,
        customer_name: 'Oakfield Homes Ltd',
      });
      draftId = Number(draft!.id);
      const lines = await linesOf(draftId);
      expect(lines.map((l) => [l.description, Number(l.gross_pence)])).toEqual([
        [`${SEEDED_COURSE_TITLE} — Fri 2 Jan 2026 — Did not attend`, 5000],
        [`${SEEDED_COURSE_TITLE} — Fri 2 Jan 2026 — Place`, 12_000],
      ]);
      expect(
        lines.every((l) => l.session_date === '2026-01-02' && l.delegate_name.startsWith('Delegate')),
      ).toBe(true);
      expect(Number(draft!.gross_pence)).toBe(17_000);
      expect(Number(draft!.net_pence)).toBe(17_000);
      expect(Number(draft!.vat_pence)).toBe(0);

      // The paid place whose session has started is charged; the one to come is not.
      const placeCharges = await db().selectFrom('charges').where('kind', '=', 'place').selectAll().execute();
      expect(placeCharges.map((c) => [Number(c.booking_id), c.state, Number(c.amount_pence)])).toEqual([
        [paidPlace.bookingId, 'confirmed', 12_000],
      ]);
      expect(placeCharges.some((c) => Number(c.booking_id) === futurePlace.bookingId)).toBe(false);
      expect((await charge(absent)).invoice_id).toBe(draftId);
      expect((await charge(waived)).invoice_id).toBeNull();
      expect((await charge(proposed)).invoice_id).toBeNull();

      // One draft per booking for the organisation that asked.
      const drafts = await invoicesOf(perBooking);
      expect(drafts).toHaveLength(2);
      expect(new Set(drafts.map((d) => d.booking_id)).size).toBe(2);

      const page = parsePage((await coordinator.get('/admin/invoices?made=4-5')).body);
      expect(page.text('.govuk-notification-banner')).toContain('5 lines on 4 drafts');
      expect(page.text('main')).toContain('Oakfield Homes Ltd');
      expect(page.text('main')).toContain('£170.00');
    });

    it('changes nothing when run again, and adds a new charge to the open monthly draft', async () => {
      const before = await auditCount();
      expect(await t.services.invoices.run({ type: 'system' })).toEqual({
        invoices: 0,
        lines: 0,
        placesCharged: 0,
      });
      expect(await auditCount()).toBe(before);

      await chargeOn(
        db(),
        now,
        await placeFor(db(), now, past, monthly),
        monthly,
        'confirmed',
        2500,
        'late_cancellation',
      );
      expect(await t.services.invoices.run({ type: 'staff', id: 1 })).toEqual({
        invoices: 1,
        lines: 1,
        placesCharged: 0,
      });
      expect(await invoicesOf(monthly)).toHaveLength(1);
      expect((await linesOf(draftId)).map((l) => l.position)).toEqual([1, 2, 3]);
      expect(Number((await invoicesOf(monthly))[0]!.gross_pence)).toBe(19_500);
    });

    it('takes a line off a draft, letting its charge go, and voids a draft', async () => {
      const lines = await linesOf(draftId);
      const last = lines[2]!;
      const removed = await coordinator.submit(
        `/admin/invoices/${draftId}`,
        {},
        `/admin/invoices/${draftId}/lines/${last.id}/remove`,
      );
      expect(removed.statusCode).toBe(303);
      expect(await linesOf(draftId)).toHaveLength(2);
      expect((await charge(Number(last.charge_id))).invoice_id).toBeNull();
      expect(Number((await invoicesOf(monthly))[0]!.gross_pence)).toBe(17_000);

      const [, second] = await invoicesOf(perBooking);
      const secondLines = await linesOf(Number(second!.id));
      const voided = await coordinator.submit(
        `/admin/invoices/${second!.id}`,
        {},
        `/admin/invoices/${second!.id}/void`,
      );
      expect(voided.statusCode).toBe(303);
      expect((await invoicesOf(perBooking))[1]).toMatchObject({ state: 'void', number: null });
      expect((await charge(Number(secondLines[0]!.charge_id))).invoice_id).toBeNull();

      // Both charges go onto new drafts with the next run: the line taken off
      // joins the monthly draft again, the voided draft's charge a new one.
      expect(await t.services.invoices.run({ type: 'system' })).toMatchObject({ invoices: 2, lines: 2 });
      expect(await invoicesOf(perBooking)).toHaveLength(3);
      // Taken off again, and waived (as a coordinator would), so the draft is as it was.
      const again = (await linesOf(draftId))[2]!;
      await coordinator.submit(
        `/admin/invoices/${draftId}`,
        {},
        `/admin/invoices/${draftId}/lines/${again.id}/remove`,
      );
      await db()
        .updateTable('charges')
        .set({ state: 'waived' })
        .where('id', '=', Number(again.charge_id))
        .execute();
    });

    it('refuses to mark a draft paid or credit it', async () => {
      const paidPage = await coordinator.get(`/admin/invoices/${draftId}/paid`);
      expect(paidPage.statusCode).toBe(409);
      expect(paidPage.body).toContain('A draft cannot be marked paid');
      const paid = await post(`/admin/invoices/${draftId}/paid`, {
        'paidOn-day': '12',
        'paidOn-month': '1',
        'paidOn-year': '2026',
        reference: 'BACS 1',
      });
      expect(paid.statusCode).toBe(409);
      expect(paid.body).toContain('A draft cannot be');
      expect((await coordinator.get(`/admin/invoices/${draftId}/credit`)).statusCode).toBe(409);
      expect((await invoicesOf(monthly))[0]!.state).toBe('draft');
    });

    it('refuses to issue a draft for an organisation without a billing email or address', async () => {
      const [draft] = await invoicesOf(noEmail);
      const refused = await coordinator.submit(
        `/admin/invoices/${draft!.id}`,
        {},
        `/admin/invoices/${draft!.id}/issue`,
      );
      expect(refused.statusCode).toBe(409);
      expect(normalise(parsePage(refused.body).text('.govuk-error-summary'))).toContain(
        'has no billing email address or postal address for invoices',
      );
      expect((await invoicesOf(noEmail))[0]).toMatchObject({ state: 'draft', number: null });
      expect(await db().selectFrom('invoice_sequences').selectAll().execute()).toEqual([]);
    });

    it('issues a draft with the next number, dates, and the PDF emailed to the billing contact', async () => {
      const issued = await coordinator.submit(
        `/admin/invoices/${draftId}`,
        {},
        `/admin/invoices/${draftId}/issue`,
      );
      expect(issued.statusCode).toBe(303);
      const [invoice] = await invoicesOf(monthly);
      // 12 January 2026 is in the financial year that started in April 2025.
      expect(invoice).toMatchObject({
        state: 'issued',
        number: 'INV-2025-0001',
        financial_year: 2025,
        sequence: 1,
        issued_on: '2026-01-12',
        due_on: '2026-02-11',
        purchase_order: expect.stringMatching(/^PO-/),
      });

      const [email] = await outbox('invoice_issued');
      expect(email!.to_address).toBe(invoice!.billing_email);
      expect(email!.subject).toBe(`Invoice INV-2025-0001 from Safeguarding Training Hub: £170.00`);
      expect(email!.text_body).toContain('Please pay by: Wednesday 11 February 2026');
      expect(email!.text_body).toContain('sort code 12-34-56');
      const attachments = JSON.parse(email!.attachments) as {
        filename: string;
        contentType: string;
        content: string;
        encoding: string;
      }[];
      expect(attachments.map((a) => [a.filename, a.contentType, a.encoding])).toEqual([
        ['INV-2025-0001.pdf', 'application/pdf', 'base64'],
      ]);
      const text = pdfText(Buffer.from(attachments[0]!.content, 'base64'));
      for (const words of [
        'Invoice INV-2025-0001',
        'Safeguarding Training Hub',
        '1 Town Hall Square',
        'Outside the scope of VAT',
        'Oakfield Homes Ltd',
        invoice!.purchase_order,
        'Fri 2 Jan 2026',
        'Did not attend',
        '£50.00',
        '£120.00',
        'Total to pay',
        '£170.00',
        'Wednesday 11 February 2026',
        'sort code 12-34-56',
      ])
        expect(text, words).toContain(words);

      const download = await coordinator.get(`/admin/invoices/${draftId}/document.pdf`);
      expect(download.statusCode).toBe(200);
      expect(download.headers['content-type']).toBe('application/pdf');
      expect(pdfText(download.rawPayload)).toContain('INV-2025-0001');
      expect((await coordinator.get(`/admin/invoices/${draftId}`)).body).toContain('/document.pdf');
    });

    it('never changes an issued invoice: each attempt is a 409 in words', async () => {
      const lines = await linesOf(draftId);
      for (const action of ['issue', 'void', `lines/${lines[0]!.id}/remove`]) {
        const response = await post(`/admin/invoices/${draftId}/${action}`);
        expect(response.statusCode, action).toBe(409);
        expect(normalise(parsePage(response.body).text('.govuk-error-summary')), action).toContain(
          'INV-2025-0001 has been issued, and an issued invoice never changes',
        );
      }
      expect(await linesOf(draftId)).toHaveLength(2);
      expect((await invoicesOf(monthly))[0]).toMatchObject({ state: 'issued', number: 'INV-2025-0001' });
    });

    it('issues every draft that can be, and says which could not', async () => {
      const response = await coordinator.submit('/admin/invoices', {}, '/admin/invoices/issue-all');
      expect(response.statusCode).toBe(409);
      expect(parsePage(response.body).text('.govuk-error-summary')).toContain('has no billing email address');
      const numbers = (await invoicesOf(perBooking))
        .map((i) => i.number)
        .filter(Boolean)
        .sort();
      expect(numbers).toEqual(['INV-2025-0002', 'INV-2025-0003']);
    });

    it('credits lines of an issued invoice, never more than is left, and waives a charge credited in full', async () => {
      const lines = await linesOf(draftId);
      const [absentLine, placeLine] = lines as [(typeof lines)[0], (typeof lines)[0]];
      const page = `/admin/invoices/${draftId}/credit`;
      const action = page;

      const over = await coordinator.submit(
        page,
        { [`amount-${absentLine.id}`]: '50.01', reason: 'Ill on the day' },
        action,
      );
      expect(over.statusCode).toBe(400);
      expect(parsePage(over.body).text(`#amount-${absentLine.id}-error`)).toContain('£50.00');
      const nothing = await coordinator.submit(page, { reason: '' }, action);
      expect(nothing.statusCode).toBe(400);
      const nothingPage = parsePage(nothing.body).text('.govuk-error-summary');
      expect(nothingPage).toContain('Enter an amount to credit on at least one line');
      expect(nothingPage).toContain('Enter why this credit note is issued');
      const badWaiver = await coordinator.submit(
        page,
        { [`amount-${absentLine.id}`]: '50', reason: 'Ill', waiverReason: 'Because' },
        action,
      );
      expect(badWaiver.statusCode).toBe(400);
      expect(await outbox('credit_note_issued')).toEqual([]);

      const credited = await coordinator.submit(
        page,
        {
          [`amount-${absentLine.id}`]: '£50.00',
          [`amount-${placeLine.id}`]: '20',
          reason: 'Ill on the day',
          waiverReason: 'Illness',
        },
        action,
      );
      expect(credited.statusCode).toBe(303);
      const note = await db()
        .selectFrom('invoices')
        .where('kind', '=', 'credit_note')
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(credited.headers.location).toBe(`/admin/invoices/${note.id}?done=credited`);
      expect(note).toMatchObject({
        state: 'issued',
        number: 'CN-2025-0001',
        credits_invoice_id: draftId,
        reason: 'Ill on the day',
      });
      expect(Number(note.gross_pence)).toBe(7000);
      expect(
        (await linesOf(Number(note.id))).map((l) => [Number(l.credits_line_id), Number(l.gross_pence)]),
      ).toEqual([
        [absentLine.id, 5000],
        [placeLine.id, 2000],
      ]);
      expect((await linesOf(draftId)).map((l) => Number(l.credited_pence))).toEqual([5000, 2000]);
      // The charge credited in full is waived with the reason; the one credited in part is still owed.
      // Waived as the review queue waives one: nothing owed, and the delegate told.
      expect(await charge(absent)).toMatchObject({
        state: 'waived',
        waiver_reason: 'Illness',
        amount_pence: null,
      });
      expect((await charge(Number(placeLine.charge_id))).state).toBe('confirmed');
      const told = await outbox('charge_decided');
      expect(told).toHaveLength(1);
      expect(told[0]!.subject).toMatch(/waived/i);

      const [email] = await outbox('credit_note_issued');
      expect(email!.subject).toContain('CN-2025-0001');
      const attachment = (JSON.parse(email!.attachments) as { content: string }[])[0]!;
      const text = pdfText(Buffer.from(attachment.content, 'base64'));
      for (const words of [
        'Credit note CN-2025-0001',
        'Credits invoice',
        'INV-2025-0001',
        'Ill on the day',
        '£70.00',
      ])
        expect(text, words).toContain(words);

      // Nothing is left on the first line; the second has £100.00 left.
      const again = await coordinator.submit(
        page,
        { [`amount-${placeLine.id}`]: '100.01', reason: 'More' },
        action,
      );
      expect(again.statusCode).toBe(400);
      expect(parsePage(again.body).text(`#amount-${placeLine.id}-error`)).toContain('£100.00');
      const shown = parsePage((await coordinator.get(page)).body);
      expect(shown.document.querySelector(`#amount-${absentLine.id}`)).toBeNull();
      expect(shown.text('main')).toContain('Credited in full already');
    });

    it('records an issued invoice paid, with a real date no later than today and a reference', async () => {
      const page = `/admin/invoices/${draftId}/paid`;
      // The credit note of the test before took £70.00 off: the page says what is left to pay.
      const form = parsePage((await coordinator.get(page)).body).text('main');
      expect(form).toMatch(/Credit notes have taken £70\.00 off it, so £[\d,]+\.\d\d is left to pay\./);
      const future = await coordinator.submit(page, {
        'paidOn-day': '13',
        'paidOn-month': '1',
        'paidOn-year': '2026',
        reference: 'BACS 991',
      });
      expect(future.statusCode).toBe(400);
      expect(parsePage(future.body).text('#paidOn-error')).toContain('today or in the past');
      const notADate = await coordinator.submit(page, {
        'paidOn-day': '31',
        'paidOn-month': '2',
        'paidOn-year': '2026',
        reference: '',
      });
      expect(notADate.statusCode).toBe(400);
      const errors = parsePage(notADate.body).text('.govuk-error-summary');
      expect(errors).toContain('Enter the payment’s reference');
      expect(parsePage(notADate.body).document.querySelector('#paidOn-day')?.getAttribute('value')).toBe(
        '31',
      );

      const paid = await coordinator.submit(page, {
        'paidOn-day': '12',
        'paidOn-month': '1',
        'paidOn-year': '2026',
        reference: 'BACS 991',
      });
      expect(paid.statusCode).toBe(303);
      expect((await invoicesOf(monthly))[0]).toMatchObject({
        state: 'paid',
        paid_on: '2026-01-12',
        paid_reference: 'BACS 991',
      });
      const again = await coordinator.get(page);
      expect(again.statusCode).toBe(409);
      expect(again.body).toContain('recorded as paid');
      // A paid invoice can still be credited.
      expect((await coordinator.get(`/admin/invoices/${draftId}/credit`)).statusCode).toBe(200);
    });

    it('answers 404 for unknown ids, and for anyone who does not handle money', async () => {
      expect((await coordinator.get('/admin/invoices/999999')).statusCode).toBe(404);
      expect((await coordinator.get('/admin/invoices/999999/document.pdf')).statusCode).toBe(404);
      expect((await coordinator.get('/admin/invoices/abc')).statusCode).toBe(404);
      expect((await post('/admin/invoices/999999/void')).statusCode).toBe(404);
      expect((await post('/admin/invoices/999999/issue')).statusCode).toBe(404);
      expect((await post('/admin/invoices/999999/credit', { reason: 'x' })).statusCode).toBe(404);
      // An unknown line on an issued invoice: the invoice's refusal comes first.
      expect((await post(`/admin/invoices/${draftId}/lines/999999/remove`)).statusCode).toBe(409);
      for (const role of ['viewer', 'trainer'] as const) {
        const someone = await signedInStaff(t, role);
        expect((await someone.get('/admin/invoices')).statusCode, role).toBe(404);
        expect((await someone.get(`/admin/invoices/${draftId}`)).statusCode, role).toBe(404);
        expect((await someone.get(`/admin/invoices/${draftId}/document.pdf`)).statusCode, role).toBe(404);
      }
    });
  });

  it('invoices a charge of an organisation since merged to the one it was merged into', async () => {
    const kept = await billedOrganisation(db(), now, { name: 'Kept Agency Ltd' });
    const duplicate = await billedOrganisation(db(), now, { billing: false, name: 'Kept Agency' });
    const chargeId = await chargeOn(
      db(),
      now,
      await placeFor(db(), now, past, duplicate),
      duplicate,
      'confirmed',
      4000,
    );
    await db()
      .updateTable('organisations')
      .set({ merged_into_id: kept })
      .where('id', '=', duplicate)
      .execute();
    await t.services.invoices.run({ type: 'system' });
    const [draft] = await invoicesOf(kept);
    expect(draft).toMatchObject({ customer_name: 'Kept Agency Ltd', state: 'draft' });
    expect((await charge(chargeId)).invoice_id).toBe(draft!.id);
    expect(await invoicesOf(duplicate)).toEqual([]);
  });

  describe('what an issued document keeps, merged organisations, VAT rates and issuing all', () => {
    let staffId: number;
    const hubDetails = {
      billingAddress: 'Safeguarding Partnership\n1 Town Hall Square\nBanbury OX16 5QA',
      paymentInstructions: 'Pay by bank transfer to sort code 12-34-56, account 12345678.',
      vatNumber: '',
      vatRateBasisPoints: 0,
    };

    beforeAll(async () => {
      staffId = Number(
        (await db().selectFrom('staff_users').select('id').orderBy('id').executeTakeFirstOrThrow()).id,
      );
    });
    afterAll(async () => {
      await t.services.settings.updateCharges(hubDetails);
    });

    async function draftFor(organisationId: number, pence = 5000) {
      await chargeOn(
        db(),
        now,
        await placeFor(db(), now, past, organisationId),
        organisationId,
        'confirmed',
        pence,
      );
      await t.services.invoices.run({ type: 'system' });
      const drafts = (await invoicesOf(organisationId)).filter((i) => i.state === 'draft');
      return Number(drafts.at(-1)!.id);
    }

    it('keeps an issued invoice’s and credit note’s PDF as issued when the hub’s details change', async () => {
      await t.services.settings.updateCharges({ ...hubDetails, vatNumber: 'GB 123 4567 89' });
      const organisationId = await billedOrganisation(db(), now, { name: 'Larkspur Nurseries Ltd' });
      const invoiceId = await draftFor(organisationId);
      await t.services.invoices.issue(invoiceId, { id: staffId });
      const [line] = await linesOf(invoiceId);
      const credit = await t.services.invoices.creditNote(
        invoiceId,
        { amounts: { [String(line!.id)]: '10.00' }, reason: 'Goodwill', waiverReason: '' },
        { id: staffId },
      );
      const invoiceText = pdfText((await t.services.invoices.pdf(invoiceId)).pdf);
      const creditText = pdfText((await t.services.invoices.pdf(credit.id)).pdf);
      expect(invoiceText).toContain('1 Town Hall Square');
      expect(invoiceText).toContain('GB 123 4567 89');

      await t.services.settings.updateCharges({
        billingAddress: 'Safeguarding Partnership\n9 New Road\nBicester OX26 6AA',
        vatNumber: 'GB 999 9999 99',
        paymentInstructions: 'Pay online at pay.example.org.uk',
      });
      expect(pdfText((await t.services.invoices.pdf(invoiceId)).pdf)).toBe(invoiceText);
      expect(pdfText((await t.services.invoices.pdf(credit.id)).pdf)).toBe(creditText);
      const download = await coordinator.get(`/admin/invoices/${invoiceId}/document.pdf`);
      expect(pdfText(download.rawPayload)).toBe(invoiceText);

      // An invoice issued now prints the hub as it is now.
      const later = await draftFor(organisationId);
      await t.services.invoices.issue(later, { id: staffId });
      const laterText = pdfText((await t.services.invoices.pdf(later)).pdf);
      expect(laterText).toContain('9 New Road');
      expect(laterText).toContain('GB 999 9999 99');
      expect(laterText).not.toContain('1 Town Hall Square');
      await t.services.settings.updateCharges(hubDetails);
    });

    it('gives documents issued before migration 020 the hub as it was then, never changed after', async () => {
      const organisationId = await billedOrganisation(db(), now, { name: 'Elmstead Lodge Ltd' });
      const invoiceId = await draftFor(organisationId);
      await t.services.invoices.issue(invoiceId, { id: staffId });
      // As if it had been issued before migration 020: the column is made again, and filled.
      await migrateTo(db(), dialect, '018-charge-reason-links');
      await migrateToLatest(db(), dialect);
      const row = await db()
        .selectFrom('invoices')
        .where('id', '=', invoiceId)
        .select('issuer')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(row.issuer!)).toMatchObject({
        name: 'Safeguarding Training Hub',
        address: hubDetails.billingAddress,
        paymentInstructions: hubDetails.paymentInstructions,
      });
      const before = pdfText((await t.services.invoices.pdf(invoiceId)).pdf);
      await t.services.settings.updateCharges({ billingAddress: 'Elsewhere\n2 Station Road' });
      expect(pdfText((await t.services.invoices.pdf(invoiceId)).pdf)).toBe(before);
      await t.services.settings.updateCharges(hubDetails);
    });

    it('issues a draft of an organisation merged since to the kept one, and the run adds to it there', async () => {
      const kept = await billedOrganisation(db(), now, { name: 'Hollybush Care Group' });
      const duplicate = await billedOrganisation(db(), now, { billing: false, name: 'Hollybush Care' });
      const draftId = await draftFor(duplicate);
      await db()
        .updateTable('organisations')
        .set({ merged_into_id: kept })
        .where('id', '=', duplicate)
        .execute();

      await chargeOn(db(), now, await placeFor(db(), now, past, duplicate), duplicate, 'confirmed', 2500);
      await t.services.invoices.run({ type: 'system' });
      expect((await invoicesOf(kept)).map((i) => Number(i.id))).toEqual([draftId]);
      const moved = await db()
        .selectFrom('audit_log')
        .where('action', '=', 'invoice_draft_moved')
        .where('entity_id', '=', draftId)
        .select('actor_type')
        .executeTakeFirstOrThrow();
      expect(moved.actor_type).toBe('system');
      expect(await linesOf(draftId)).toHaveLength(2);

      const number = await t.services.invoices.issue(draftId, { id: staffId });
      const [invoice] = await invoicesOf(kept);
      expect(invoice).toMatchObject({
        number,
        state: 'issued',
        customer_name: 'Hollybush Care Group',
        billing_address: expect.stringContaining('Market Street'),
      });
      expect(Number(invoice!.gross_pence)).toBe(7500);
      expect(await invoicesOf(duplicate)).toEqual([]);
    });

    it('keeps a draft’s VAT rate, and starts a new draft when the hub’s rate has changed', async () => {
      const organisationId = await billedOrganisation(db(), now, { name: 'Quarry Lane Services Ltd' });
      const atZero = await draftFor(organisationId);
      await t.services.settings.updateCharges({ vatRateBasisPoints: 2000 });
      const atTwenty = await draftFor(organisationId);
      expect(atTwenty).not.toBe(atZero);
      const drafts = await invoicesOf(organisationId);
      expect(
        drafts.map((d) => [Number(d.id), Number(d.vat_rate_basis_points), Number(d.gross_pence)]),
      ).toEqual([
        [atZero, 0, 5000],
        [atTwenty, 2000, 6000],
      ]);
      // Another charge at the same rate goes on the draft with that rate, at its rate.
      expect(await draftFor(organisationId, 2500)).toBe(atTwenty);
      expect((await linesOf(atTwenty)).map((l) => [Number(l.net_pence), Number(l.vat_pence)])).toEqual([
        [5000, 1000],
        [2500, 500],
      ]);
      expect(await linesOf(atZero)).toHaveLength(1);
      expect(Number((await invoicesOf(organisationId))[0]!.vat_rate_basis_points)).toBe(0);
      await t.services.settings.updateCharges({ vatRateBasisPoints: 0 });
    });

    it('shows coordinators a proposed charge "plus VAT at 20%" in the review queue when the hub charges VAT', async () => {
      const organisationId = await billedOrganisation(db(), now, { name: 'Thornbury Care Ltd' });
      await chargeOn(
        db(),
        now,
        await placeFor(db(), now, past, organisationId),
        organisationId,
        'proposed',
        4200,
      );
      const queue = async () =>
        normalise(parsePage((await coordinator.get('/admin/charges')).body).text('main'));
      expect(await queue()).toContain('£42.00');
      expect(await queue()).not.toContain('VAT');
      await t.services.settings.updateCharges({ vatRateBasisPoints: 2000 });
      try {
        expect(await queue()).toContain('£42.00 plus VAT at 20%');
      } finally {
        await t.services.settings.updateCharges({ vatRateBasisPoints: 0 });
      }
    });

    it('issues all it can and names every draft it could not, a vanished one too, never a 404', async () => {
      const first = await draftFor(await billedOrganisation(db(), now));
      const gone = await draftFor(await billedOrganisation(db(), now));
      const last = await draftFor(await billedOrganisation(db(), now));
      const issue = t.services.invoices.issue.bind(t.services.invoices);
      // As if another member of staff's run had removed this draft after the list was read.
      const spy = vi.spyOn(t.services.invoices, 'issue').mockImplementation(async (id, actor) => {
        if (id === gone) throw new NotFoundError('invoice');
        return issue(id, actor);
      });
      try {
        const response = await coordinator.submit('/admin/invoices', {}, '/admin/invoices/issue-all');
        expect(response.statusCode).toBe(409);
        const summary = normalise(parsePage(response.body).text('.govuk-error-summary'));
        expect(summary).toContain(
          `Draft ${gone}: It could not be issued: it, or its organisation, is no longer there.`,
        );
        for (const id of [first, last])
          expect(
            (await db().selectFrom('invoices').where('id', '=', id).select('state').executeTakeFirstOrThrow())
              .state,
          ).toBe('issued');
      } finally {
        spy.mockRestore();
      }
    });
  });

  it('the monthly job runs the invoice run', async () => {
    const organisationId = await billedOrganisation(db(), now);
    await placeFor(db(), now, past, organisationId, 9_900);
    const job = findJob('invoice-run')!;
    expect(job.cadence).toEqual({ monthlyAt: '06:00' });
    const context = { services: t.services } as unknown as JobContext;
    expect(await job.run(context)).toEqual({ invoices: 1, lines: 1, placesCharged: 1 });
    expect(await job.run(context)).toEqual({ invoices: 0, lines: 0, placesCharged: 0 });
    const [draft] = await invoicesOf(organisationId);
    expect(draft).toMatchObject({ state: 'draft', created_by_staff_id: null });
    const entry = await db()
      .selectFrom('audit_log')
      .where('entity_type', '=', 'invoice')
      .where('entity_id', '=', Number(draft!.id))
      .select(['actor_type', 'action'])
      .executeTakeFirstOrThrow();
    expect(entry).toEqual({ actor_type: 'system', action: 'invoice_drafted' });
  });
});
