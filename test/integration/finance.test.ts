/**
 * Finance: the totals every reader of finance sees (and nothing more for a
 * reporting viewer), invoices and credit notes with filters, each
 * organisation's balance (issued less credited, paid left out), and the
 * finance export exact to the penny, with credit notes negative, the
 * nominal code from settings and formulas in a customer's name neutralised.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestApp, type TestApp } from '../support/app.js';
import type { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { normalise, parsePage } from '../support/html.js';
import { billedOrganisation, issuedCreditNote, issuedInvoice } from '../support/invoices.js';
import { pdfText } from '../support/pdfText.js';
import { signedInStaff } from '../support/staff.js';
import { parseCsv } from '../support/csv.js';

const HEADER = [
  'Number',
  'Date',
  'Customer',
  'Description',
  'Net',
  'VAT',
  'Gross',
  'Nominal code',
  'Purchase order',
  'Due date',
];

const FORMULA_NAME = '=HYPERLINK("http://evil.example","Pay here")';

/** A date's three boxes in an address. */
function dateQuery(id: 'from' | 'to', day: string, month: string, year: string) {
  return `${id}-day=${day}&${id}-month=${month}&${id}-year=${year}`;
}

eachDatabase('finance', (dialect) => {
  let t: TestApp;
  let coordinator: WebClient;
  let viewer: WebClient;
  const db = () => t.database.db;

  beforeAll(async () => {
    // No demo: the hub's invoices are exactly the ones made here (TEST_NOW is 12 January 2026).
    t = await createTestApp(dialect, { demo: false });
    await t.services.settings.updateCharges({ nominalCode: '4010' });
    const northshire = await billedOrganisation(db(), 'Northshire County Council', {
      purchaseOrder: 'PO-778',
    });
    const formula = await billedOrganisation(db(), FORMULA_NAME, { type: 'private' });
    const hillview = await billedOrganisation(db(), 'Hillview Care Homes Ltd', { type: 'private' });

    // This financial year (April 2025 to March 2026)…
    const first = await issuedInvoice(db(), {
      organisationId: northshire,
      issuedOn: '2025-05-10',
      netPence: [5000, 2500],
    });
    await issuedCreditNote(db(), first, {
      issuedOn: '2025-06-01',
      netPence: [2500],
      reason: 'Charged in error',
    });
    await issuedInvoice(db(), {
      organisationId: northshire,
      issuedOn: '2025-11-20',
      netPence: [5000],
      paidOn: '2025-12-15',
    });
    await issuedInvoice(db(), {
      organisationId: formula,
      issuedOn: '2025-12-01',
      netPence: [12345],
      vatRateBasisPoints: 2000,
    });
    // …and last (April 2024 to March 2025).
    await issuedInvoice(db(), { organisationId: hillview, issuedOn: '2025-02-10', netPence: [9999] });
    // A draft: no number, not issued, never exported.
    await db()
      .insertInto('invoices')
      .values({
        kind: 'invoice',
        state: 'draft',
        organisation_id: hillview,
        customer_name: 'Hillview Care Homes Ltd',
        net_pence: 4000,
        gross_pence: 4000,
        created_at: '2026-01-05T10:00:00.000Z',
      })
      .execute();

    coordinator = await signedInStaff(t, 'coordinator');
    viewer = await signedInStaff(t, 'viewer');
  });
  afterAll(() => t.close());

  /** The numbers in the list, top to bottom. */
  async function listed(query = '') {
    const response = await coordinator.get(`/admin/finance${query ? `?${query}` : ''}`);
    expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
    const page = parsePage(response.body);
    return page.listItems('#documents tbody tr td:first-child a');
  }

  describe('totals', () => {
    it('shows a viewer the totals for this financial year and the last, and no organisation or invoice', async () => {
      const response = await viewer.get('/admin/finance');
      expect(response.statusCode).toBe(200);
      const page = parsePage(response.body);
      const rows = page.listItems('main table tbody tr');
      expect(rows).toEqual([
        'Invoiced £273.14 £99.99',
        'Credited by credit notes £25.00 £0.00',
        'Paid £50.00 £0.00',
        'Outstanding £198.14 £99.99',
        'Credited after payment — refunds due £0.00 £0.00',
      ]);
      expect(page.text('main table thead')).toContain('April 2025 to March 2026');
      expect(page.text('main table thead')).toContain('April 2024 to March 2025');
      const text = page.text();
      for (const hidden of ['Northshire', 'Hillview', 'HYPERLINK', 'INV-', 'CN-', '£148.14', '£75.00']) {
        expect(text).not.toContain(hidden);
      }
      expect(page.links().map((link) => link.href)).not.toContain('/admin/finance/balances');
      expect(page.document.querySelector('main form')).toBeNull();
      // Filters in the address change nothing for a viewer.
      expect(parsePage((await viewer.get('/admin/finance?organisation=hillview')).body).text()).not.toContain(
        'Hillview',
      );
    });

    it('gives a viewer and a trainer the ordinary 404 where money is handled, and a trainer no finance at all', async () => {
      expect((await viewer.get('/admin/finance/balances')).statusCode).toBe(404);
      expect((await viewer.get('/admin/finance/export.csv')).statusCode).toBe(404);
      const trainer = await signedInStaff(t, 'trainer');
      for (const path of ['/admin/finance', '/admin/finance/balances', '/admin/finance/export.csv']) {
        expect((await trainer.get(path)).statusCode, path).toBe(404);
      }
    });

    it('shows a coordinator the same totals above the list', async () => {
      const page = parsePage((await coordinator.get('/admin/finance')).body);
      expect(page.listItems('main table:first-of-type tbody tr')[0]).toBe('Invoiced £273.14 £99.99');
    });
  });

  describe('the list', () => {
    it('lists every invoice and credit note, newest first, each linking to its page', async () => {
      const response = await coordinator.get('/admin/finance');
      const page = parsePage(response.body);
      expect(page.text('main [role="status"]')).toBe('6 invoices and credit notes.');
      expect(await listed()).toEqual([
        'Invoice (draft, no number yet)',
        'INV-2024-0001',
        'INV-2025-0003',
        'INV-2025-0002',
        'CN-2025-0001',
        'INV-2025-0001',
      ]);
      const links = page.links('#documents tbody a');
      expect(links.every((link) => /^\/admin\/invoices\/\d+$/.test(link.href))).toBe(true);
      const rows = page.listItems('#documents tbody tr');
      expect(rows.find((row) => row.startsWith('CN-2025-0001'))).toContain(
        'Credit note against INV-2025-0001',
      );
      expect(rows.find((row) => row.startsWith('CN-2025-0001'))).toContain('−£25.00');
      // Still owed: the gross less the credit note.
      expect(rows.find((row) => row.startsWith('INV-2025-0001'))).toMatch(/£75\.00 £50\.00$/);
    });

    it('filters by organisation, state, kind and the dates issued', async () => {
      expect(await listed('organisation=northshire+county')).toEqual([
        'INV-2025-0002',
        'CN-2025-0001',
        'INV-2025-0001',
      ]);
      expect(await listed('state=paid')).toEqual(['INV-2025-0002']);
      expect(await listed('state=draft')).toEqual(['Invoice (draft, no number yet)']);
      expect(await listed('kind=credit_note')).toEqual(['CN-2025-0001']);
      expect(
        await listed(`${dateQuery('from', '1', '6', '2025')}&${dateQuery('to', '30', '11', '2025')}`),
      ).toEqual(['INV-2025-0002', 'CN-2025-0001']);
      expect(await listed(`kind=invoice&state=issued&${dateQuery('from', '1', '1', '2025')}`)).toEqual([
        'INV-2024-0001',
        'INV-2025-0003',
        'INV-2025-0001',
      ]);
      const none = parsePage((await coordinator.get('/admin/finance?organisation=nobody')).body);
      expect(none.text()).toContain('No invoices or credit notes match');
      // The filters are kept in the form and in the export's link.
      const kept = parsePage(
        (await coordinator.get(`/admin/finance?organisation=Hillview&${dateQuery('from', '1', '1', '2025')}`))
          .body,
      );
      expect(kept.document.querySelector('#organisation')!.getAttribute('value')).toBe('Hillview');
      expect(kept.document.querySelector('#from-year')!.getAttribute('value')).toBe('2025');
      const exportLink = kept.links().find((link) => link.href.startsWith('/admin/finance/export.csv'));
      expect(exportLink?.href).toBe(
        '/admin/finance/export.csv?organisation=Hillview&from-day=1&from-month=1&from-year=2025',
      );
    });

    it('says what is wrong with a date, by the date, with what was typed kept (400, never 500)', async () => {
      const cases: [string, string, string][] = [
        [dateQuery('from', '31', '2', '2025'), 'from', 'The first date must be a real date'],
        [dateQuery('from', '1', '', '2025'), 'from', 'The first date must include a month'],
        [dateQuery('to', '1', '13', '2025'), 'to', 'The last date must be a real date'],
        [
          `${dateQuery('from', '1', '6', '2025')}&${dateQuery('to', '1', '5', '2025')}`,
          'to',
          'The last date must be the same as or after the first date',
        ],
        ['state=unpaid', 'state', 'Choose a state from the list'],
        ['kind=receipt', 'kind', 'Choose invoices, credit notes or both from the list'],
      ];
      for (const [query, field, message] of cases) {
        const response = await coordinator.get(`/admin/finance?${query}`);
        expect(response.statusCode, query).toBe(400);
        const page = parsePage(response.body);
        expect(page.text('.govuk-error-summary'), query).toContain(message);
        expect(page.text(`#${field}-error`), query).toContain(message);
        expect(page.document.querySelector('#documents'), query).toBeNull();
      }
      const kept = parsePage(
        (await coordinator.get(`/admin/finance?${dateQuery('from', '31', '2', '2025')}`)).body,
      );
      expect(kept.document.querySelector('#from-day')!.getAttribute('value')).toBe('31');
      expect(kept.document.querySelector('#from-day')!.getAttribute('class')).toContain('govuk-input--error');
    });

    it('pages past the end kindly', async () => {
      const response = await coordinator.get('/admin/finance?page=9');
      expect(response.statusCode).toBe(200);
      expect(parsePage(response.body).text()).toContain('There is only one page');
      expect((await coordinator.get('/admin/finance?page=nine')).statusCode).toBe(400);
    });
  });

  describe('balances', () => {
    it('shows what each organisation owes: issued invoices less credit notes, paid ones left out, largest first', async () => {
      const response = await coordinator.get('/admin/finance/balances');
      expect(response.statusCode).toBe(200);
      const page = parsePage(response.body);
      expect(page.text('main [role="status"]')).toBe('3 organisations owe £298.13 in all.');
      const rows = page.listItems('main tbody tr');
      expect(rows).toEqual([
        `${FORMULA_NAME} 1 Wed 31 Dec 2025 £148.14 £148.14`,
        'Hillview Care Homes Ltd 1 Wed 12 Mar 2025 £99.99 £99.99',
        // INV-2025-0001 (£75.00) less CN-2025-0001 (£25.00); INV-2025-0002 is paid.
        'Northshire County Council 1 Mon 9 Jun 2025 £50.00 £50.00',
      ]);
      expect(page.links('main tbody a')[0]!.href).toMatch(/^\/admin\/organisations\/\d+$/);
    });
  });

  describe('the finance export', () => {
    async function download(query = '') {
      const response = await coordinator.get(`/admin/finance/export.csv${query ? `?${query}` : ''}`);
      expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toMatch(
        /^attachment; filename="finance[a-z0-9-]*\.csv"$/,
      );
      const body = response.rawPayload.toString('utf8');
      expect(body.startsWith('\ufeff')).toBe(true);
      const [header, ...rows] = parseCsv(body.slice(1));
      expect(header).toEqual(HEADER);
      return rows;
    }

    it('has a row per issued or paid document, by date, exact to the penny, credit notes negative', async () => {
      expect(await download()).toEqual([
        [
          'INV-2024-0001',
          '2025-02-10',
          'Hillview Care Homes Ltd',
          'Training: 1 place',
          '99.99',
          '0.00',
          '99.99',
          '4010',
          '',
          '2025-03-12',
        ],
        [
          'INV-2025-0001',
          '2025-05-10',
          'Northshire County Council',
          'Training: 2 places',
          '75.00',
          '0.00',
          '75.00',
          '4010',
          'PO-778',
          '2025-06-09',
        ],
        [
          'CN-2025-0001',
          '2025-06-01',
          'Northshire County Council',
          'Credit note against INV-2025-0001: Charged in error',
          '-25.00',
          '0.00',
          '-25.00',
          '4010',
          'PO-778',
          '',
        ],
        [
          'INV-2025-0002',
          '2025-11-20',
          'Northshire County Council',
          'Training: 1 place',
          '50.00',
          '0.00',
          '50.00',
          '4010',
          'PO-778',
          '2025-12-20',
        ],
        // The customer's name is neutralised; its amounts are numbers (VAT at 20%, rounded per line).
        [
          'INV-2025-0003',
          '2025-12-01',
          `'${FORMULA_NAME}`,
          'Training: 1 place',
          '123.45',
          '24.69',
          '148.14',
          '4010',
          '',
          '2025-12-31',
        ],
      ]);
    });

    it('exports what the filters pick out, and takes its nominal code from the settings', async () => {
      await t.services.settings.updateCharges({ nominalCode: 'TRN-01' });
      try {
        const rows = await download(`${dateQuery('from', '1', '6', '2025')}&kind=invoice`);
        expect(rows.map((row) => [row[0], row[7]])).toEqual([
          ['INV-2025-0002', 'TRN-01'],
          ['INV-2025-0003', 'TRN-01'],
        ]);
        expect(await download('state=draft')).toEqual([]);
      } finally {
        await t.services.settings.updateCharges({ nominalCode: '4010' });
      }
    });

    it('records each download: which export and its range, no personal data', async () => {
      const before = await db()
        .selectFrom('audit_log')
        .where('action', '=', 'export_downloaded')
        .select('id')
        .execute();
      await download(`${dateQuery('from', '1', '4', '2025')}&${dateQuery('to', '31', '3', '2026')}`);
      const entries = await db()
        .selectFrom('audit_log')
        .where('action', '=', 'export_downloaded')
        .select(['entity_type', 'details', 'actor_type'])
        .orderBy('id')
        .execute();
      expect(entries).toHaveLength(before.length + 1);
      const entry = entries.at(-1)!;
      expect(entry.entity_type).toBe('export');
      expect(entry.actor_type).toBe('staff');
      expect(JSON.parse(entry.details)).toEqual({
        export: 'finance',
        from: '2025-04-01',
        to: '2026-03-31',
        documents: 4,
      });
    });

    it('shows the page with messages, not a file, for dates that are wrong', async () => {
      const response = await coordinator.get(
        `/admin/finance/export.csv?${dateQuery('from', '30', '2', '2025')}`,
      );
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('text/html');
      expect(parsePage(response.body).text('.govuk-error-summary')).toContain(
        'The first date must be a real date',
      );
    });
  });
});

eachDatabase('finance export in batches', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: false });
  });
  afterAll(() => t.close());

  it('reads more than a batch, many on one day, each document once and in date order', async () => {
    const db = t.database.db;
    const organisationId = await billedOrganisation(db, 'Northshire County Council');
    // 1,050 invoices over two days: the batch of 1,000 ends part-way through a day.
    const rows = Array.from({ length: 1_050 }, (_, i) => ({
      kind: 'invoice' as const,
      state: 'issued' as const,
      organisation_id: organisationId,
      number: `INV-2025-${String(i + 1).padStart(4, '0')}`,
      financial_year: 2025,
      sequence: i + 1,
      customer_name: 'Northshire County Council',
      net_pence: i + 1,
      gross_pence: i + 1,
      created_at: '2025-06-01T10:00:00.000Z',
      issued_at: '2025-06-01T10:00:00.000Z',
      issued_on: i < 600 ? '2025-06-02' : '2025-06-01',
      due_on: '2025-07-01',
    }));
    for (let i = 0; i < rows.length; i += 200)
      await db
        .insertInto('invoices')
        .values(rows.slice(i, i + 200))
        .execute();
    const coordinator = await signedInStaff(t, 'coordinator');
    const response = await coordinator.get('/admin/finance/export.csv');
    expect(response.statusCode).toBe(200);
    const [, ...records] = parseCsv(response.rawPayload.toString('utf8').slice(1));
    expect(records).toHaveLength(1_050);
    // The 1st of June's (put in last) first, then the 2nd's, each day in the order they were made.
    const expected = [...rows.slice(600), ...rows.slice(0, 600)].map((row) => row.number);
    expect(records.map((record) => record[0])).toEqual(expected);
    expect(records[0]![6]).toBe('6.01');
  });

  it('leaves out of the balances an invoice credited in full', async () => {
    const db = t.database.db;
    const organisationId = await billedOrganisation(db, 'Brightside Care Ltd', { type: 'private' });
    const invoice = await issuedInvoice(db, {
      organisationId,
      issuedOn: '2024-09-01',
      netPence: [5000, 2500],
    });
    await issuedCreditNote(db, invoice, {
      issuedOn: '2024-09-10',
      netPence: [5000, 2500],
      reason: 'Sent in error',
    });
    const coordinator = await signedInStaff(t, 'coordinator');
    const page = parsePage((await coordinator.get('/admin/finance/balances')).body);
    expect(page.listItems('main tbody tr td:first-child')).toEqual(['Northshire County Council']);
  });
});

eachDatabase('finance: what was paid, and refunds due', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    // TEST_NOW is 12 January 2026: this financial year runs April 2025 to March 2026.
    t = await createTestApp(dialect, { demo: false });
  });
  afterAll(() => t.close());

  it('counts as paid what was paid: the invoice less credit notes before payment; one after is a refund due', async () => {
    const db = t.database.db;
    const coordinator = await signedInStaff(t, 'coordinator');
    const staff = await db.selectFrom('staff_users').select('id').orderBy('id').executeTakeFirstOrThrow();
    const organisationId = await billedOrganisation(db, 'Meadowbank Care Ltd', { type: 'private' });
    const invoice = await issuedInvoice(db, {
      organisationId,
      issuedOn: '2025-12-01',
      netPence: [5000, 2500],
    });
    await issuedCreditNote(db, invoice, { issuedOn: '2025-12-05', netPence: [2500], reason: 'One day only' });
    await t.services.invoices.markPaid(
      invoice.id,
      { paidOn: '2026-01-10', reference: 'BACS 555' },
      { id: Number(staff.id) },
    );
    const refund = await t.services.invoices.creditNote(
      invoice.id,
      { amounts: { [String(invoice.lineIds[1])]: '10.00' }, reason: 'Goodwill', waiverReason: '' },
      { id: Number(staff.id) },
    );
    // Its PDF says a refund is due, not that less is owed.
    const refundText = pdfText((await t.services.invoices.pdf(refund.id)).pdf);
    expect(refundText).toContain(`Invoice ${invoice.number} has been paid`);
    expect(refundText).toContain('will refund £10.00 to you');
    expect(refundText).not.toContain('reduces what is owed');

    const page = parsePage((await coordinator.get('/admin/finance')).body);
    expect(page.listItems('main table:first-of-type tbody tr')).toEqual([
      'Invoiced £75.00 £0.00',
      'Credited by credit notes £35.00 £0.00',
      // £75.00 less the £25.00 credited before the payment: not the invoice's £75.00.
      'Paid £50.00 £0.00',
      'Outstanding £0.00 £0.00',
      'Credited after payment — refunds due £10.00 £0.00',
    ]);
    // The invoice's page says which credit note is a refund due: the one after the payment only.
    const shown = normalise(
      parsePage((await coordinator.get(`/admin/invoices/${invoice.id}`)).body).text('main'),
    );
    expect(shown).toContain('Goodwill) — credited after payment: a refund of £10.00 is due');
    expect(shown).not.toContain('One day only) — credited after payment');
    // The balances stay right: a paid invoice owes nothing, whatever was credited after.
    const balances = parsePage((await coordinator.get('/admin/finance/balances')).body);
    expect(balances.text('main')).not.toContain('Meadowbank');
  });

  it('refuses to record an invoice credited in full as paid, in words (409)', async () => {
    const db = t.database.db;
    const coordinator = await signedInStaff(t, 'coordinator');
    const organisationId = await billedOrganisation(db, 'Fernlea Homes Ltd', { type: 'private' });
    const invoice = await issuedInvoice(db, { organisationId, issuedOn: '2025-12-02', netPence: [4000] });
    await issuedCreditNote(db, invoice, {
      issuedOn: '2025-12-03',
      netPence: [4000],
      reason: 'Sent in error',
    });
    const page = `/admin/invoices/${invoice.id}/paid`;
    const shown = await coordinator.get(page);
    expect(shown.statusCode).toBe(409);
    expect(normalise(shown.body)).toContain('credited in full, so nothing is left to pay');
    const _csrf =
      parsePage((await coordinator.get('/admin/invoices')).body)
        .document.querySelector('input[name="_csrf"]')
        ?.getAttribute('value') ?? '';
    const posted = await coordinator.post(page, {
      _csrf,
      'paidOn-day': '10',
      'paidOn-month': '1',
      'paidOn-year': '2026',
      reference: 'BACS 1',
    });
    expect(posted.statusCode).toBe(409);
    expect(normalise(parsePage(posted.body).text('.govuk-error-summary'))).toContain(
      `${invoice.number} has been credited in full, so nothing is left to pay and it cannot be recorded as paid.`,
    );
    const row = await db
      .selectFrom('invoices')
      .where('id', '=', invoice.id)
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'issued', paid_on: null });
  });
});
