/**
 * Fair charges, the whole way through, as issue 10 asks to see it:
 *
 * 1. a delegate from a private provider sees the price of a place on the
 *    session page and the booking page, and books;
 * 2. another delegate gives their place back after the cut-off, is told a
 *    charge may apply, and says why through the link in that email;
 * 3. a third is marked "did not attend" on the register by a coordinator;
 * 4. the coordinator waives the first charge with a reason from the hub's
 *    list and confirms the second in the review queue;
 * 5. the invoice run makes a draft for each organisation owing something
 *    (the paid place, the confirmed charge; nothing for the waived one);
 * 6. issuing numbers them, next in the financial year's gap-free sequence;
 *    each PDF says the right line and totals;
 * 7. a credit note puts the charged line right (and waives its charge);
 * 8. the finance export, downloaded from the finance page filtered to the
 *    day, matches the two invoices and the credit note to the penny.
 *
 * Run with JavaScript and without it; every page is checked for console
 * errors, CSP violations and failed requests, and with axe (without
 * JavaScript, the same HTML rendered with the app's script removed). The
 * app's clock is the test's, moved on past the cut-off and past the session.
 * The demo hub's own charges (one confirmed charge waiting for a run) are
 * invoiced and issued before the journeys, so each run finds only theirs.
 */
import { buffer } from 'node:stream/consumers';

import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';

import { PriceRecords } from '../../src/data/repositories/charges/priceRecords.js';
import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import { TEST_NOW } from '../support/app.js';
import { settableClock } from '../support/clock.js';
import { finishedSession, placeTaken } from '../support/finishedSessions.js';
import { pdfText } from '../support/pdfText.js';
import {
  Journey,
  MODES,
  h1,
  linkInEmail,
  mainText,
  newDelegate,
  pathOf,
  readNewestEmail,
  registerVerifyAndSignIn,
} from './accountSupport.js';
import { staffInBrowser } from './staffSupport.js';
import { summaryValue, useE2E, type E2E, BROWSER_HANG_TIMEOUT } from './support.js';
import { parseCsv } from '../support/csv.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A journey of four people, a dozen forms and two downloads, axe on every page. */
const JOURNEY_TIMEOUT = BROWSER_HANG_TIMEOUT;

const FINANCE_HEADER = [
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

/**
 * Each mode's story starts four weeks after the last one's, so the clock only
 * goes forward: a Monday, the session a fortnight later, 9:30 to 3:30
 * (London is on GMT for both). The words are the hub's cut-off (five working
 * days), the day invoices are issued (the day after the session) and their
 * due date (30 days on).
 */
const STORIES = [
  {
    ...MODES[0],
    label: 'js',
    delegate: newDelegate('Dana Price', 'dana.price@acmecare.example.co.uk'),
    provider: 'Acme Care Ltd',
    cutOffDay: 'Monday 19 January 2026',
    sessionDay: 'Monday 26 January 2026',
    sessionShort: 'Mon 26 Jan 2026',
    issuedWords: 'Tuesday 27 January 2026',
    dueWords: 'Thursday 26 February 2026',
    issuedOn: '2026-01-27',
    dueOn: '2026-02-26',
  },
  {
    ...MODES[1],
    label: 'nojs',
    delegate: newDelegate('Eli Morgan', 'eli.morgan@brightwater.example.co.uk'),
    provider: 'Brightwater Homecare Ltd',
    cutOffDay: 'Monday 16 February 2026',
    sessionDay: 'Monday 23 February 2026',
    sessionShort: 'Mon 23 Feb 2026',
    issuedWords: 'Tuesday 24 February 2026',
    dueWords: 'Thursday 26 March 2026',
    issuedOn: '2026-02-24',
    dueOn: '2026-03-26',
  },
].map((story, index) => ({ ...story, startsAt: new Date(Date.parse(TEST_NOW) + index * 28 * DAY) }));

/** Invoices issued in January and February 2026 are in the financial year from April 2025. */
const FINANCIAL_YEAR = 2025;

describe.runIf(inject('chromiumAvailable'))(
  'fair charges, from a price on a page to the finance export',
  () => {
    const clock = settableClock(TEST_NOW);
    const e2e = useE2E({ clock });
    /** A staff member for what the journeys set up outside the browser. */
    let settlerId: number;

    beforeAll(async () => {
      const { services } = e2e.testApp;
      // The hub's fees policy: £50 a day, £25 a half day, for partner agencies, private and out-of-area
      // organisations; no VAT; income posted to 4120; 30 days to pay; the year starting in April.
      await services.settings.updateCharges({
        feeBasis: 'length',
        dayFeePence: 5_000,
        halfDayFeePence: 2_500,
        chargedOrganisationTypes: ['partner_agency', 'private', 'out_of_area'],
        vatRateBasisPoints: 0,
        nominalCode: '4120',
        paymentTermsDays: 30,
        financialYearStartMonth: 4,
      });
      await services.settings.updatePolicy({ cancellationWorkingDays: 5 });
      settlerId = await services.staff.create(
        { name: 'Fran Finance', email: 'fran.finance@hub.example.org.uk', role: 'admin', trainerId: null },
        'a staff passphrase for the finance team',
      );
      // What the demo had waiting for an invoice run, invoiced and issued: the journeys' runs find only theirs.
      await services.invoices.run({ type: 'system' });
      const settled = await services.invoices.issueAll({ id: settlerId });
      expect(settled.refused).toEqual([]);
      expect(await draftCount(e2e)).toBe(0);
    });

    describe.each(STORIES)('$mode', (story) => {
      const { javaScriptEnabled } = story;

      it(
        'a price seen and booked, a late cancellation explained and waived, a missed session confirmed, invoiced, numbered, credited and exported',
        async () => {
          const db = e2e.testApp.database.db;
          const { services } = e2e.testApp;
          const publicUrl = e2e.testApp.config.publicUrl;
          clock.set(story.startsAt);
          const sessionStartsAt = new Date(story.startsAt.getTime() + 14 * DAY + 30 * MINUTE);
          const { sessionId, courseTitle } = await finishedSession(db, sessionStartsAt, clock.now());
          // This date costs private organisations £120.00; the course itself is free to everyone.
          await new PriceRecords(db).setSessionPrices(sessionId, { private: 12_000 });
          const providerId = await new DemoRepository(db).createOrganisation(
            story.provider,
            'private',
            clock.now(),
            clock.now(),
          );
          // The third delegate, from a partner agency, has had a (free) place since the start.
          const absent = await placeTaken(db, sessionId, clock.now(), `dna-${story.label}`, {
            attended: false,
          });
          const absentOrganisation = `Northshire Council (dna-${story.label})`;

          // 1. The private provider's delegate sees the price before committing, and books.
          const booker = await Journey.start(e2e, javaScriptEnabled);
          await registerVerifyAndSignIn(e2e, booker, story.delegate);
          await db
            .updateTable('delegates')
            .set({ organisation_id: providerId })
            .where('email', '=', story.delegate.email)
            .execute();
          const page = booker.page;
          await booker.visit(`/sessions/${sessionId}`);
          expect(await summaryValue(page, 'Price').textContent()).toContain(
            '£120.00 for private organisations',
          );
          expect((await page.locator('#your-price').textContent())?.replace(/\s+/g, ' ').trim()).toBe(
            `Your price: £120.00 (${story.provider}, a private organisation)`,
          );
          await booker.go(() => page.locator('#book').getByRole('button', { name: 'Book a place' }).click());
          expect(pathOf(page)).toBe(`/sessions/${sessionId}/book`);
          expect(await summaryValue(page, 'Your price').textContent()).toContain(
            `£120.00 (${story.provider}, a private organisation)`,
          );
          expect((await page.locator('#charges ~ p.govuk-body').first().textContent())?.trim()).toBe(
            `Your organisation is invoiced £120.00 after the session. You can cancel free of charge until ${story.cutOffDay}; after that, the training team may still charge the price.`,
          );
          await booker.press('Confirm booking');
          expect(await page.locator('.govuk-panel__title').textContent()).toContain('Your place is booked');
          expect(await summaryValue(page, 'Price').textContent()).toContain(
            `£120.00 (${story.provider}, a private organisation)`,
          );
          const bookerReference = pathOf(page).split('/')[2]!.split('?')[0]!;

          // 2. Four days after the cut-off, another delegate gives their place back and says why.
          clock.set(new Date(story.startsAt.getTime() + 10 * DAY + HOUR));
          const late = await placeTaken(db, sessionId, clock.now(), `late-${story.label}`, {
            attended: false,
          });
          const lateOrganisation = `Northshire Council (late-${story.label})`;
          const canceller = await Journey.start(e2e, javaScriptEnabled);
          await canceller.delegate.context.addCookies([
            {
              name: '__Host-trellis_session',
              value: late.delegate.sessionSecret,
              url: e2e.baseUrl.replace(/^http:/, 'https:'),
            },
          ]);
          const cancelPage = canceller.page;
          await canceller.visit(`/bookings/${late.reference}`);
          await canceller.go(() => cancelPage.getByRole('button', { name: 'Cancel my place' }).click());
          expect(await h1(cancelPage)).toBe('Cancel your place?');
          expect(await mainText(cancelPage)).toContain('It is after the cut-off');
          expect(await mainText(cancelPage)).toContain(
            'A charge of £50.00 may be proposed to your organisation',
          );
          await canceller.press('Yes, cancel my place');
          expect(await mainText(cancelPage)).toContain('The training team is looking at this');

          const email = await readNewestEmail(
            canceller,
            late.delegate.email,
            new RegExp(`^A charge may apply: ${escape(courseTitle)}, ${story.sessionDay}$`),
          );
          expect(email).toContain(
            `You cancelled your place on ${courseTitle} on ${story.sessionDay} after the cut-off`,
          );
          expect(email).toContain(`a charge of £50.00 may apply to ${lateOrganisation}`);
          await canceller.visit(linkInEmail(email, 'Tell us why', publicUrl));
          expect(await h1(cancelPage)).toBe('Tell us why');
          await cancelPage.getByLabel('Transport', { exact: true }).check();
          await cancelPage
            .getByLabel('Anything you want us to know')
            .fill('The trains were cancelled and the roads closed by floods.');
          await canceller.press('Send your answer');
          expect(await cancelPage.locator('.govuk-notification-banner').textContent()).toContain(
            'We have your answer',
          );
          expect(await chargeOf(e2e, late.bookingId)).toMatchObject({
            kind: 'late_cancellation',
            state: 'proposed',
            proposed_pence: 5_000,
            delegate_reason: 'transport',
          });

          // 3. The day after the session: a coordinator marks the register.
          clock.set(new Date(sessionStartsAt.getTime() + DAY + 30 * MINUTE));
          const coordinator = await staffIn(e2e, javaScriptEnabled);
          const staff = coordinator.page;
          await coordinator.visit(`/admin/sessions/${sessionId}/attendance`);
          await staff
            .getByRole('group', { name: new RegExp(escape(story.delegate.name)) })
            .getByLabel('Attended', { exact: true })
            .check();
          await staff
            .getByRole('group', { name: new RegExp(escape(absent.delegate.name)) })
            .getByLabel('Did not attend', { exact: true })
            .check();
          await coordinator.press('Save attendance');
          expect(await chargeOf(e2e, absent.bookingId)).toMatchObject({
            kind: 'non_attendance',
            state: 'proposed',
            proposed_pence: 5_000,
          });
          // The paid place that was attended proposes nothing: it is invoiced at its price.
          expect(await chargesOnBooking(e2e, bookerReference)).toEqual([]);

          // 4. The review queue: the late cancellation waived with a reason, the missed session confirmed.
          await coordinator.visit('/admin/charges');
          expect(await h1(staff)).toBe('Charges to review');
          const lateCard = staff.locator('.govuk-summary-card', { hasText: late.delegate.name });
          expect(await lateCard.textContent()).toContain('Transport');
          expect(await lateCard.textContent()).toContain(
            'The trains were cancelled and the roads closed by floods.',
          );
          await lateCard.getByText(`Waive ${late.delegate.name}’s charge`, { exact: true }).click();
          await lateCard
            .getByLabel(`Why waive ${late.delegate.name}’s charge?`)
            .selectOption('Transport problems');
          await lateCard.getByLabel('Note (optional)').fill('Floods closed every way in.');
          await coordinator.go(() => lateCard.getByRole('button', { name: 'Waive the charge' }).click());
          expect(await staff.locator('.govuk-notification-banner').textContent()).toContain('Saved');
          expect(await chargeOf(e2e, late.bookingId)).toMatchObject({
            state: 'waived',
            waiver_reason: 'Transport problems',
            invoice_id: null,
          });

          const absentCard = staff.locator('.govuk-summary-card', { hasText: absent.delegate.name });
          await coordinator.go(() =>
            absentCard
              .getByRole('button', { name: `Confirm ${absent.delegate.name}’s charge at £50.00` })
              .click(),
          );
          expect(await chargeOf(e2e, absent.bookingId)).toMatchObject({
            state: 'confirmed',
            amount_pence: 5_000,
          });

          // Billing details: the provider's through the back office's form, the council's as already on file.
          await coordinator.visit(`/admin/organisations/${providerId}`);
          await staff.getByLabel('Billing contact').fill('Accounts payable');
          await staff
            .getByLabel('Billing email address')
            .fill(`accounts.${story.label}@provider.example.co.uk`);
          await staff.getByLabel('Postal address').fill('Unit 4, Wharf Road\nBanbury\nOX16 5TT');
          await staff
            .getByLabel('Purchase-order number (optional)')
            .fill(`PO-${story.label.toUpperCase()}-77`);
          await staff.getByLabel('One invoice a month', { exact: true }).check();
          await coordinator.press('Save billing details');
          expect(await staff.locator('.govuk-notification-banner').textContent()).toContain(
            'Billing details saved',
          );
          const absentOrganisationId = await organisationIdOf(e2e, absent.delegate.id);
          await services.invoices.saveBillingDetails(
            absentOrganisationId,
            {
              billingContact: 'Finance Team',
              billingEmail: `invoices.${story.label}@northshire.example.gov.uk`,
              billingAddress: 'County Hall\nNorthshire\nNS1 1AA',
              purchaseOrder: '',
              invoiceFrequency: 'monthly',
            },
            { id: settlerId },
          );

          // 5. The invoice run: one draft for each organisation owing something, none for the waived charge.
          await coordinator.visit('/admin/invoices');
          await coordinator.press('Make draft invoices');
          expect(
            (await staff.locator('.govuk-notification-banner').textContent())?.replace(/\s+/g, ' '),
          ).toContain('Draft invoices made: 2 lines on 2 drafts. Check them, then issue them.');
          const draftRows = staff.locator('main table').first().locator('tbody tr');
          expect(await draftRows.count()).toBe(2);
          const draftLink = (customer: string) =>
            draftRows.getByRole('link').filter({ hasText: new RegExp(`^${escape(customer)}: draft \\d+$`) });
          expect(await draftLink(story.provider).count()).toBe(1);
          expect(await draftLink(absentOrganisation).count()).toBe(1);
          expect(await staff.locator('main').textContent()).not.toContain(lateOrganisation);
          expect(await draftRows.filter({ hasText: story.provider }).textContent()).toContain('£120.00');
          expect(await draftRows.filter({ hasText: absentOrganisation }).textContent()).toContain('£50.00');

          // 6. Issuing numbers them, next in the year's sequence, in the order issued.
          const lastInvoice = await lastSequence(e2e, 'invoice');
          const providerNumber = invoiceNumber('INV', lastInvoice + 1);
          const absentNumber = invoiceNumber('INV', lastInvoice + 2);

          await coordinator.go(() => draftLink(story.provider).click());
          expect(await h1(staff)).toBe(`Draft invoice for ${story.provider}`);
          const providerLines = await lineRows(staff);
          expect(providerLines).toHaveLength(1);
          expectInOrder(providerLines[0]!, [story.delegate.name, courseTitle, '£120.00']);
          expect(await staff.locator('tfoot').textContent()).toContain('£120.00');
          await coordinator.press('Issue and email this invoice');
          expect(await h1(staff)).toBe(`Invoice ${providerNumber}`);
          expect(await summaryValue(staff, 'Status').textContent()).toContain('Issued');
          const providerPdf = readPdf(await download(staff, `Download ${providerNumber} as a PDF`));
          expectInOrder(providerPdf, [
            `Invoice ${providerNumber}`,
            'Safeguarding Partnership Training Hub Civic Centre, Market Square Oxford OX1 1AA',
            'Outside the scope of VAT',
            `To ${story.provider} For the attention of Accounts payable Unit 4, Wharf Road Banbury OX16 5TT`,
            `Invoice number: ${providerNumber} Date: ${story.issuedWords} Please pay by: ${story.dueWords}`,
            `Your purchase order: PO-${story.label.toUpperCase()}-77`,
            'Delegate Session Description Net VAT Total',
            // The one line: the delegate, the session, what it is for, net, VAT and total.
            `${story.delegate.name} ${story.sessionShort} ${courseTitle} — ${story.sessionShort} — Place £120.00 £0.00 £120.00`,
            'Net £120.00 VAT £0.00 Total to pay £120.00',
            'How to pay Pay by bank transfer',
            `Please quote ${providerNumber} with your payment.`,
          ]);
          expect(providerPdf).not.toContain(absent.delegate.name);
          expect(providerPdf).not.toContain('£50.00');

          await coordinator.visit('/admin/invoices');
          await coordinator.go(() => draftLink(absentOrganisation).click());
          const absentLines = await lineRows(staff);
          expect(absentLines).toHaveLength(1);
          expectInOrder(absentLines[0]!, [absent.delegate.name, courseTitle, 'Did not attend', '£50.00']);
          await coordinator.press('Issue and email this invoice');
          expect(await h1(staff)).toBe(`Invoice ${absentNumber}`);
          const absentPdf = readPdf(await download(staff, `Download ${absentNumber} as a PDF`));
          expectInOrder(absentPdf, [
            `Invoice ${absentNumber}`,
            `To ${absentOrganisation} For the attention of Finance Team County Hall Northshire NS1 1AA`,
            `Invoice number: ${absentNumber} Date: ${story.issuedWords} Please pay by: ${story.dueWords}`,
            'Delegate Session Description Net VAT Total',
            `${absent.delegate.name} ${story.sessionShort} ${courseTitle} — ${story.sessionShort} — Did not attend £50.00 £0.00 £50.00`,
            'Net £50.00 VAT £0.00 Total to pay £50.00',
            `Please quote ${absentNumber} with your payment.`,
          ]);
          expect(absentPdf).not.toContain('purchase order');
          expect(absentPdf).not.toContain(story.delegate.name);
          const absentInvoiceUrl = pathOf(staff);

          // Gap-free: the year's invoice numbers run 1, 2, 3 … with none missing or twice.
          const sequences = await issuedSequences(e2e, 'invoice');
          expect(sequences).toEqual(sequences.map((_, index) => index + 1));
          expect(sequences.at(-1)).toBe(lastInvoice + 2);
          // Each was emailed to its billing contact with the PDF.
          expect(await emailedTo(e2e, `accounts.${story.label}@provider.example.co.uk`)).toEqual([
            'invoice_issued',
          ]);

          // 7. A credit note puts the charged line right: the delegate was in hospital, it turns out.
          const lastCredit = await lastSequence(e2e, 'credit_note');
          const creditNumber = invoiceNumber('CN', lastCredit + 1);
          await coordinator.go(() =>
            staff.getByRole('link', { name: 'Issue a credit note against it' }).click(),
          );
          const amounts = staff.locator('input[name^="amount-"]');
          expect(await amounts.count()).toBe(1);
          await amounts.fill('50.00');
          await staff.getByLabel('Why is it credited?').fill('Admitted to hospital that morning');
          await staff.getByLabel('Waive the charges of lines credited in full?').selectOption('Illness');
          await coordinator.press('Issue and email the credit note');
          expect(await h1(staff)).toBe(`Credit note ${creditNumber}`);
          const creditPdf = readPdf(await download(staff, `Download ${creditNumber} as a PDF`));
          expectInOrder(creditPdf, [
            `Credit note ${creditNumber}`,
            `To ${absentOrganisation} For the attention of Finance Team County Hall Northshire NS1 1AA`,
            `Credit note number: ${creditNumber} Date: ${story.issuedWords} Credits invoice: ${absentNumber}`,
            'Reason: Admitted to hospital that morning',
            'Delegate Session Description Net VAT Total',
            `${absent.delegate.name} ${story.sessionShort} Credit: ${courseTitle} — ${story.sessionShort} — Did not attend £50.00 £0.00 £50.00`,
            'Net credited £50.00 VAT £0.00 Total credited £50.00',
            `This credit note reduces what is owed on invoice ${absentNumber} by £50.00.`,
          ]);
          expect(await chargeOf(e2e, absent.bookingId)).toMatchObject({
            state: 'waived',
            waiver_reason: 'Illness',
          });
          await coordinator.visit(absentInvoiceUrl);
          expect(await mainText(staff)).toContain(`${creditNumber}`);
          expect(await staff.getByRole('link', { name: 'Issue a credit note against it' }).count()).toBe(0);

          // 8. Finance: the day's documents, and the export, to the penny.
          await coordinator.visit('/admin/finance');
          const [year, month, day] = story.issuedOn.split('-');
          for (const name of ['Issued on or after', 'Issued on or before']) {
            const group = staff.getByRole('group', { name });
            await group.getByLabel('Day').fill(String(Number(day)));
            await group.getByLabel('Month').fill(String(Number(month)));
            await group.getByLabel('Year').fill(year!);
          }
          await coordinator.press('Show invoices and credit notes');
          expect(
            (await staff.locator('#documents tbody tr td:first-child a').allTextContents())
              .map((t) => t.trim())
              .sort(),
          ).toEqual([providerNumber, absentNumber, creditNumber].sort());

          const csv = (await download(staff, 'Download the finance export (CSV)')).toString('utf8');
          const [header, ...rows] = parseCsv(csv.replace(/^\ufeff/, ''));
          expect(header).toEqual(FINANCE_HEADER);
          const byNumber = (a: string[], b: string[]) => a[0]!.localeCompare(b[0]!);
          expect(rows.sort(byNumber)).toEqual(
            [
              [
                providerNumber,
                story.issuedOn,
                story.provider,
                'Training: 1 place',
                '120.00',
                '0.00',
                '120.00',
                '4120',
                `PO-${story.label.toUpperCase()}-77`,
                story.dueOn,
              ],
              [
                absentNumber,
                story.issuedOn,
                absentOrganisation,
                'Training: 1 place',
                '50.00',
                '0.00',
                '50.00',
                '4120',
                '',
                story.dueOn,
              ],
              [
                creditNumber,
                story.issuedOn,
                absentOrganisation,
                `Credit note against ${absentNumber}: Admitted to hospital that morning`,
                '-50.00',
                '0.00',
                '-50.00',
                '4120',
                '',
                '',
              ],
            ].sort(byNumber),
          );
          // Balances: the provider owes its place; the council, credited in full, owes nothing.
          await coordinator.go(() =>
            staff.getByRole('link', { name: 'What each organisation owes' }).click(),
          );
          expect(await h1(staff)).toBe('Balances owed');
          const balanceRow = (name: string) =>
            staff.locator('main tbody tr').filter({ has: staff.getByRole('link', { name, exact: true }) });
          const providerBalance = (await balanceRow(story.provider).locator('td').allTextContents()).map(
            (t) => t.trim(),
          );
          expect([providerBalance[0], providerBalance[1], providerBalance[3], providerBalance[4]]).toEqual([
            story.provider,
            '1',
            'None',
            '£120.00',
          ]);
          expect(await balanceRow(absentOrganisation).count()).toBe(0);
          expect(await balanceRow(lateOrganisation).count()).toBe(0);

          // Everyone was told: the billing contacts with each document, the delegate of each decision.
          expect(await emailedTo(e2e, `invoices.${story.label}@northshire.example.gov.uk`)).toEqual([
            'invoice_issued',
            'credit_note_issued',
          ]);
          expect(
            (await emailedTo(e2e, late.delegate.email)).filter((kind) => kind.startsWith('charge_')),
          ).toEqual(['charge_proposed', 'charge_decided']);
          // (Told of the proposal and of its confirmation; the waiver the credit note made is not emailed.)
          expect(
            (await emailedTo(e2e, absent.delegate.email))
              .filter((kind) => kind.startsWith('charge_'))
              .slice(0, 2),
          ).toEqual(['charge_proposed', 'charge_decided']);

          // The export's figures are the documents' own.
          for (const [number, , , , net, vat, gross] of rows) {
            const document = await db
              .selectFrom('invoices')
              .where('number', '=', number!)
              .select(['kind', 'net_pence', 'vat_pence', 'gross_pence'])
              .executeTakeFirstOrThrow();
            const sign = document.kind === 'credit_note' ? -1 : 1;
            expect([net, vat, gross].map(toPence), number).toEqual(
              [document.net_pence, document.vat_pence, document.gross_pence].map(
                (p) => sign * Number(p) || 0,
              ),
            );
          }
        },
        JOURNEY_TIMEOUT,
      );
    });
  },
);

/** A coordinator signed in (with an authenticator) whose pages are checked as a journey's in this mode. */
async function staffIn(e2e: E2E, javaScriptEnabled: boolean): Promise<Journey> {
  const signedIn = await staffInBrowser(e2e, 'coordinator');
  const journey = await Journey.start(e2e, javaScriptEnabled);
  await journey.delegate.context.addCookies(await signedIn.context.cookies());
  await signedIn.context.close();
  return journey;
}

async function chargeOf(e2e: E2E, bookingId: number) {
  return e2e.testApp.database.db
    .selectFrom('charges')
    .where('booking_id', '=', bookingId)
    .select([
      'kind',
      'state',
      'proposed_pence',
      'amount_pence',
      'waiver_reason',
      'delegate_reason',
      'invoice_id',
    ])
    .executeTakeFirstOrThrow();
}

async function chargesOnBooking(e2e: E2E, reference: string) {
  return e2e.testApp.database.db
    .selectFrom('charges')
    .innerJoin('bookings', 'bookings.id', 'charges.booking_id')
    .where('bookings.reference', '=', reference)
    .select(['charges.kind', 'charges.state'])
    .execute();
}

async function organisationIdOf(e2e: E2E, delegateId: number): Promise<number> {
  const row = await e2e.testApp.database.db
    .selectFrom('delegates')
    .where('id', '=', delegateId)
    .select('organisation_id')
    .executeTakeFirstOrThrow();
  return Number(row.organisation_id);
}

async function draftCount(e2e: E2E): Promise<number> {
  const rows = await e2e.testApp.database.db
    .selectFrom('invoices')
    .where('state', '=', 'draft')
    .select('id')
    .execute();
  return rows.length;
}

/** The highest number issued so far this financial year (0 for none). */
async function lastSequence(e2e: E2E, kind: 'invoice' | 'credit_note'): Promise<number> {
  const sequences = await issuedSequences(e2e, kind);
  return sequences.at(-1) ?? 0;
}

async function issuedSequences(e2e: E2E, kind: 'invoice' | 'credit_note'): Promise<number[]> {
  const rows = await e2e.testApp.database.db
    .selectFrom('invoices')
    .where('kind', '=', kind)
    .where('financial_year', '=', FINANCIAL_YEAR)
    .where('sequence', 'is not', null)
    .select('sequence')
    .orderBy('sequence')
    .execute();
  return rows.map((row) => Number(row.sequence));
}

function invoiceNumber(prefix: 'INV' | 'CN', sequence: number): string {
  return `${prefix}-${FINANCIAL_YEAR}-${String(sequence).padStart(4, '0')}`;
}

/** The kinds of email written to the outbox for an address. */
async function emailedTo(e2e: E2E, address: string): Promise<string[]> {
  const rows = await e2e.testApp.database.db
    .selectFrom('outbox_messages')
    .where('to_address', '=', address)
    .select('kind')
    .orderBy('id')
    .execute();
  return rows.map((row) => row.kind);
}

/** An invoice page's lines, each row's cells joined by " | ". */
async function lineRows(page: Page): Promise<string[]> {
  const rows = page.locator('main table').first().locator('tbody tr');
  const found: string[] = [];
  for (let n = 0; n < (await rows.count()); n++) {
    const cells = await rows.nth(n).locator('th, td').allTextContents();
    found.push(cells.map((t) => t.replace(/\s+/g, ' ').trim()).join(' | '));
  }
  return found;
}

/** A PDF's text, a word broken at its hyphen across two lines of a table cell made whole again. */
function readPdf(pdf: Buffer): string {
  return pdfText(pdf).replace(/(\w)- (\w)/g, '$1-$2');
}

/** Follows a download link and reads the file. */
async function download(page: Page, linkName: string): Promise<Buffer> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: linkName, exact: true }).click(),
  ]);
  // The browser is shared over a connection (globalSetup), so the file is read as a stream, not from its path.
  return buffer(await file.createReadStream());
}

/** Each of `parts` appears in `text`, in this order. */
function expectInOrder(text: string, parts: readonly string[]): void {
  let from = 0;
  for (const part of parts) {
    const at = text.indexOf(part, from);
    expect(at, `"${part}" after position ${from} in:\n${text}`).toBeGreaterThanOrEqual(0);
    from = at + part.length;
  }
}

/** "120.00" or "-50.00" as whole pence, without floating point. */
function toPence(amount: string | undefined): number {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(amount ?? '');
  expect(match, `an amount like 120.00, not ${amount}`).not.toBeNull();
  const pence = Number(match![2]) * 100 + Number(match![3]);
  return match![1] ? -pence : pence;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
