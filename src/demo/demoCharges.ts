/**
 * The demo hub's charges, so a newcomer's charge queue and finance pages
 * show figures on the first start: the typical fees (£50 a day, £25 a half
 * day, for partner agencies, private and out-of-area organisations), the
 * hub's postal address and how to pay, organisations' billing details, one
 * course priced for private and out-of-area organisations, and, on the
 * demo's past sessions, a charge for each place a charged organisation's
 * delegate did not come to:
 *
 * - the most recent two waiting for review, one with the delegate's reason
 *   and one without;
 * - the one before waived, with a reason;
 * - the others confirmed and invoiced (one invoice per organisation and
 *   month, or per booking for an organisation that asked), issued at the end
 *   of the month they were confirmed in, in date order so their numbers
 *   follow, the oldest invoice paid; but for one, reviewed only this week,
 *   which waits for the next invoice run.
 *
 * Runs inside the demo loader's transaction, after the registers are
 * marked; makes nothing up from randomness, so every load tells the same story.
 */
import type { Transaction } from 'kysely';

import {
  DemoChargesRepository,
  type BillingDetails,
} from '../data/repositories/charges/demoChargesRepository.js';
import { SettingsRecords } from '../data/repositories/settingsRecords.js';
import type { DB, OrganisationType } from '../data/schema.js';
import { CHARGE_KIND_NAMES } from '../domain/charges/charges.js';
import { chargesSettingsSchema, type ChargesSettings } from '../domain/charges/chargesSettings.js';
import { feeFor, organisationCharged } from '../domain/charges/fees.js';
import { financialYearOf, lineAmounts } from '../domain/charges/invoiceNumbers.js';
import { addDays, formatShortDate, londonDate, londonToInstant } from '../domain/time/time.js';
import type { MarkedSession } from './pastSessions.js';

/** The demo hub's charging rules and billing details, as an administrator would set them. */
export const DEMO_CHARGES_SETTINGS: ChargesSettings = chargesSettingsSchema.parse({
  feeBasis: 'length',
  dayFeePence: 5_000,
  halfDayFeePence: 2_500,
  chargedOrganisationTypes: ['partner_agency', 'private', 'out_of_area'],
  partlyAttendedCountsAsAttended: true,
  billingAddress: 'Safeguarding Partnership Training Hub\nCivic Centre, Market Square\nOxford\nOX1 1AA',
  paymentInstructions:
    'Pay by bank transfer to Safeguarding Partnership Training Hub, sort code 12-34-56, account 12345678, ' +
    'quoting the invoice number. Questions about an invoice: training.finance@hub.example.org.uk or 01865 000000.',
  vatRateBasisPoints: 0,
  nominalCode: '4120',
  paymentTermsDays: 30,
  financialYearStartMonth: 4,
});

/** The course priced for private and out-of-area organisations: its sessions are all ahead. */
export const DEMO_PRICED_COURSE = 'mental-capacity-act-in-practice';
export const DEMO_PRICES: readonly { type: OrganisationType; pence: number }[] = [
  { type: 'private', pence: 9_500 },
  { type: 'out_of_area', pence: 12_000 },
];

/** Who receives each demo organisation's invoices (by its name); most want one a month. */
function billingDetailsFor(name: string, index: number): BillingDetails {
  const domain = name
    .toLowerCase()
    .replace(/[’']/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return {
    contact: index % 2 === 0 ? 'Accounts Payable' : 'Finance Team',
    email: `invoices@${domain}.example.org.uk`,
    address: `${name}\nPO Box ${100 + index * 7}\nOxford\nOX${(index % 9) + 1} ${index + 1}ZZ`,
    purchaseOrder: index % 3 === 0 ? `PO-${24_000 + index * 131}` : '',
    // A private provider asks for an invoice for each booking.
    frequency: name.endsWith('Ltd') ? 'per_booking' : 'monthly',
  };
}

export async function chargeTheDemo(
  trx: Transaction<DB>,
  organisations: readonly { id: number; name: string }[],
  marked: readonly MarkedSession[],
  now: Date,
): Promise<void> {
  const settings = DEMO_CHARGES_SETTINGS;
  await new SettingsRecords(trx).put('charges', settings, now.toISOString());
  const repository = new DemoChargesRepository(trx);
  for (const [index, organisation] of organisations.entries()) {
    await repository.setBillingDetails(organisation.id, billingDetailsFor(organisation.name, index));
  }
  await repository.priceCourse(DEMO_PRICED_COURSE, DEMO_PRICES);

  // Each place a delegate did not come to, from the oldest session to the newest.
  const missed = marked.flatMap((session) =>
    session.register.filter((r) => r.attendance === 'did_not_attend').map((r) => r.bookingId),
  );
  const places = (await repository.places(missed)).filter((place) =>
    organisationCharged(place.organisation_type, settings),
  );
  if (places.length < 7)
    throw new Error(`The demo needs seven missed places to charge, not ${places.length}`);

  const today = londonDate(now);
  const markedAt = new Map(
    marked.flatMap((session) => session.register.map((r) => [r.bookingId, session.markedAt] as const)),
  );
  const charged = [];
  for (const [index, place] of places.entries()) {
    const fromNewest = places.length - 1 - index;
    const fee = feeFor(
      place.parts.map((part) => ({ startsAt: new Date(part.starts_at), endsAt: new Date(part.ends_at) })),
      settings,
    );
    const createdAt = markedAt.get(place.booking_id)!;
    const hoursLater = (hours: number) => new Date(createdAt.getTime() + hours * 3_600_000).toISOString();
    const base = {
      bookingId: place.booking_id,
      organisationId: place.organisation_id,
      kind: 'non_attendance' as const,
      proposedPence: fee,
      createdAt: createdAt.toISOString(),
    };
    if (fromNewest === 0) {
      await repository.insertCharge({ ...base, state: 'proposed', amountPence: null });
    } else if (fromNewest === 1) {
      await repository.insertCharge({
        ...base,
        state: 'proposed',
        amountPence: null,
        delegateReason: 'caring',
        delegateNote:
          'My son’s childminder was ill that morning and there was nobody else to look after him.',
        delegateAnsweredAt: hoursLater(20),
      });
    } else if (fromNewest === 2) {
      await repository.insertCharge({
        ...base,
        state: 'waived',
        amountPence: null,
        delegateReason: 'illness',
        delegateAnsweredAt: hoursLater(6),
        decidedAt: hoursLater(48),
        waiverReason: 'Illness',
        decisionNote: 'Rang in sick on the morning; booked on the next date instead.',
      });
    } else if (fromNewest === 4) {
      // Reviewed only this week: confirmed, and waiting for the next invoice run.
      await repository.insertCharge({
        ...base,
        state: 'confirmed',
        amountPence: fee,
        decidedAt: new Date(now.getTime() - 2 * 86_400_000).toISOString(),
        decisionNote: 'Spoke to their manager: no reason given for not coming.',
      });
    } else {
      const chargeId = await repository.insertCharge({
        ...base,
        state: 'confirmed',
        amountPence: fee,
        decidedAt: hoursLater(72),
      });
      charged.push({ place, chargeId, fee, decidedOn: londonDate(new Date(hoursLater(72))) });
    }
  }

  // Invoices: one per organisation and month of decision, or one per booking where asked.
  const groups = new Map<string, typeof charged>();
  for (const item of charged) {
    const key =
      item.place.invoice_frequency === 'per_booking'
        ? `booking ${item.place.booking_id}`
        : `${item.place.organisation_id} ${item.decidedOn.slice(0, 7)}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const invoices = [...groups.values()]
    .map((items) => {
      // Issued at the end of the month the charges were decided in (or today, if sooner).
      const lastDecided = items
        .map((item) => item.decidedOn)
        .sort()
        .at(-1)!;
      const monthEnd = addDays(`${addDays(`${lastDecided.slice(0, 7)}-28`, 4).slice(0, 7)}-01`, -1);
      return { items, issuedOn: monthEnd < today ? monthEnd : today };
    })
    .sort((a, b) => a.issuedOn.localeCompare(b.issuedOn) || a.items[0]!.chargeId - b.items[0]!.chargeId);

  for (const [index, invoice] of invoices.entries()) {
    const place = invoice.items[0]!.place;
    const issuedOn = invoice.issuedOn;
    const paidOn = addDays(issuedOn, 21);
    const paid = index === 0 && paidOn <= today;
    await repository.insertDocument({
      kind: 'invoice',
      state: paid ? 'paid' : 'issued',
      organisationId: place.organisation_id,
      bookingId: place.invoice_frequency === 'per_booking' ? place.booking_id : null,
      customerName: place.organisation_name,
      billingContact: place.billing_contact,
      billingEmail: place.billing_email,
      billingAddress: place.billing_address,
      purchaseOrder: place.purchase_order,
      vatRateBasisPoints: settings.vatRateBasisPoints,
      financialYear: financialYearOf(issuedOn, settings.financialYearStartMonth),
      issuedAt: londonToInstant(issuedOn, '10:00').toISOString(),
      issuedOn,
      dueOn: addDays(issuedOn, settings.paymentTermsDays),
      ...(paid ? { paidOn, paidReference: `BACS ${place.purchase_order || 'remittance'} ${paidOn}` } : {}),
      lines: invoice.items.map((item) => ({
        chargeId: item.chargeId,
        description: `${item.place.course_title} — ${formatShortDate(new Date(item.place.starts_at))} — ${CHARGE_KIND_NAMES.non_attendance}`,
        delegateName: item.place.delegate_name,
        sessionDate: londonDate(new Date(item.place.starts_at)),
        ...lineAmounts(item.fee, settings.vatRateBasisPoints),
      })),
    });
  }
}
