/**
 * Invoices and credit notes: organisations' billing details; the invoice
 * run, which charges paid places whose sessions have started and gathers
 * every confirmed charge not yet invoiced onto drafts (one a month per
 * organisation, or one per booking, as the organisation asked); drafts
 * looked at, a line taken off, voided or issued; issued invoices recorded
 * paid or put right by credit notes. Every write runs under the invoice lock
 * (data/invoiceLock.ts) and is audited in its transaction; the emails with
 * the PDFs attached are written to the outbox in the same transaction.
 *
 * Numbers come from `invoice_sequences` only at issue, in the transaction
 * that issues, so a draft that is voided or a refusal leaves no gap. An
 * issued invoice never changes: anything asked of it but a payment or a
 * credit note is a ConflictError (409) in words.
 */
import { DraftLineRecords } from '../../data/repositories/charges/draftLineRecords.js';
import { InvoiceLock } from '../../data/invoiceLock.js';
import { recordAudit } from '../../data/repositories/auditRecords.js';
import type { AuditActorType } from '../../data/schema.js';
import {
  InvoiceRepository,
  type BillingDetails,
  type Customer,
  type NewLine,
} from '../../data/repositories/charges/invoiceRepository.js';
import { CHARGE_KIND_NAMES, type InvoiceFrequency } from '../../domain/charges/charges.js';
import {
  documentNumber,
  documentTotals,
  financialYearOf,
  lineAmounts,
  type DocumentKind,
} from '../../domain/charges/invoiceNumbers.js';
import { formatPence, parsePounds } from '../../domain/charges/money.js';
import { addDays, formatShortDate, londonDate } from '../../domain/time/time.js';
import { creditNoteIssued, invoiceIssued } from '../../emails/index.js';
import { ConflictError, FormError, NotFoundError } from '../../errors.js';
import { dateWords, invoicePdf, type InvoiceContent, type InvoiceHub } from '../../formats/invoicePdf.js';
import type { ServiceDeps } from '../deps.js';
import type { SettingsService } from '../settingsService.js';

export type InvoiceActor = { type: 'staff'; id: number } | { type: 'system' };

export interface StaffActor {
  id: number;
}

export interface RunResult {
  /** Drafts made or added to. */
  invoices: number;
  /** Lines put on them. */
  lines: number;
  /** Paid places charged for the first time. */
  placesCharged: number;
}

export interface CreditNoteInput {
  /** Line id → the amount typed for it ("" for none). */
  amounts: Record<string, string>;
  reason: string;
  /** A waiver reason from the hub's list, to waive the charges of lines credited in full; "" to leave them. */
  waiverReason: string;
}

/** The longest reason a credit note gives. */
export const CREDIT_REASON_MAX = 300;
/** The longest payment reference kept. */
export const PAYMENT_REFERENCE_MAX = 100;

/** The field a credit note's amount for a line is typed in. */
export const amountField = (lineId: number) => `amount-${lineId}`;

export class InvoiceService {
  private readonly lock: InvoiceLock;
  private readonly invoices: InvoiceRepository;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly settings: SettingsService,
  ) {
    this.lock = new InvoiceLock(deps.db, deps.dialect);
    this.invoices = new InvoiceRepository(deps.db);
  }

  // ---- Billing details --------------------------------------------------

  async billingDetails(organisationId: number) {
    const organisation = await this.invoices.organisation(organisationId);
    if (!organisation) throw new NotFoundError('organisation');
    return organisation;
  }

  /** Saves an organisation's billing details (validated by the form), audited by which fields changed. */
  async saveBillingDetails(
    organisationId: number,
    details: BillingDetails,
    actor: StaffActor,
  ): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const repo = this.invoices.within(trx);
      const current = await repo.organisation(organisationId);
      if (!current) throw new NotFoundError('organisation');
      if (current.merged_into_id !== null)
        throw new ConflictError(
          'This organisation was merged into another, which its invoices now go to: change the billing details there.',
        );
      const before: BillingDetails = {
        billingContact: current.billing_contact,
        billingEmail: current.billing_email,
        billingAddress: current.billing_address,
        purchaseOrder: current.purchase_order,
        invoiceFrequency: current.invoice_frequency,
      };
      const changed = (Object.keys(details) as (keyof BillingDetails)[]).filter(
        (key) => details[key] !== before[key],
      );
      if (!changed.length) return;
      await repo.updateBillingDetails(organisationId, details);
      // Which details changed, not what they say: the audit log is no address book.
      await recordAudit(
        trx,
        {
          actorType: 'staff',
          actorId: actor.id,
          action: 'billing_details_updated',
          entityType: 'organisation',
          entityId: organisationId,
          details: { changed },
        },
        this.deps.clock.now(),
      );
    });
  }

  // ---- The invoice run ----------------------------------------------------

  /**
   * Charges paid places whose sessions have started, then puts every
   * confirmed charge not yet on an invoice onto a draft: the organisation's
   * open monthly draft (made if there is none), or a draft per booking.
   * Under the invoice lock, so a job and a button press at once never put a
   * charge on two drafts; a second run finds nothing to do.
   */
  async run(actor: InvoiceActor): Promise<RunResult> {
    const { vatRateBasisPoints } = await this.settings.charges();
    return this.lock.run(async (db) => {
      const repo = this.invoices.within(db);
      const now = this.deps.clock.now();
      const at = now.toISOString();
      const placesCharged = await repo.chargePaidPlaces(at);
      // Drafts of organisations merged since go to the kept organisation, and are added to there.
      for (let pass = 0; pass < 10; pass += 1) {
        const moved = await repo.moveDraftsOfMerged();
        if (!moved.length) break;
        for (const draft of moved)
          await recordAudit(
            db,
            {
              ...auditActor(actor),
              action: 'invoice_draft_moved',
              entityType: 'invoice',
              entityId: draft.id,
              details: { organisationId: draft.organisation_id, reason: 'organisation merged' },
            },
            now,
          );
      }
      const due = await repo.dueCharges();
      const result: RunResult = { invoices: 0, lines: 0, placesCharged };
      if (!due.length) return result;

      const organisationIds = [...new Set(due.map((c) => Number(c.organisation_id)))];
      const customers = await repo.customers(organisationIds);
      const drafts = new Map<string, number>();
      for (const draft of await repo.drafts(organisationIds)) {
        // A draft keeps the VAT rate it was made with: after the hub's rate changes, a new draft is started.
        if (Number(draft.vat_rate_basis_points) !== vatRateBasisPoints) continue;
        const key = draftKey(
          Number(draft.organisation_id),
          draft.booking_id === null ? null : Number(draft.booking_id),
        );
        if (!drafts.has(key)) drafts.set(key, Number(draft.id));
      }
      const groups = new Map<
        string,
        { organisationId: number; bookingId: number | null; charges: typeof due }
      >();
      for (const charge of due) {
        const organisationId = Number(charge.organisation_id);
        const bookingId = perBooking(charge.invoice_frequency) ? Number(charge.booking_id) : null;
        const key = draftKey(organisationId, bookingId);
        const group = groups.get(key) ?? { organisationId, bookingId, charges: [] };
        group.charges.push(charge);
        groups.set(key, group);
      }

      for (const [key, group] of groups) {
        const customer = customers.get(group.organisationId);
        if (!customer) continue;
        const existing = drafts.get(key);
        const invoiceId =
          existing ??
          (await repo.createDocument({
            kind: 'invoice',
            state: 'draft',
            organisation_id: group.organisationId,
            booking_id: group.bookingId,
            credits_invoice_id: null,
            customer,
            vat_rate_basis_points: vatRateBasisPoints,
            reason: '',
            created_at: at,
            created_by_staff_id: actor.type === 'staff' ? actor.id : null,
          }));
        const claimed = new Map(
          (
            await repo.claimCharges(
              invoiceId,
              group.charges.map((c) => Number(c.id)),
            )
          ).map((c) => [c.id, c.amount_pence]),
        );
        if (!claimed.size) {
          if (existing === undefined) await repo.deleteEmptyDraft(invoiceId);
          continue;
        }
        let position = existing === undefined ? 1 : await repo.nextPosition(invoiceId);
        const lines: NewLine[] = [];
        for (const charge of group.charges) {
          const amount = claimed.get(Number(charge.id));
          if (amount === undefined) continue;
          const startsAt = new Date(charge.starts_at);
          const money = lineAmounts(amount, vatRateBasisPoints);
          lines.push({
            invoice_id: invoiceId,
            position: position++,
            charge_id: Number(charge.id),
            credits_line_id: null,
            description: `${charge.course_title} — ${formatShortDate(startsAt)} — ${CHARGE_KIND_NAMES[charge.kind]}`,
            delegate_name: charge.delegate_name,
            session_date: londonDate(startsAt),
            net_pence: money.netPence,
            vat_pence: money.vatPence,
            gross_pence: money.grossPence,
          });
        }
        await repo.insertLines(lines);
        // A new draft's lines are all here; one added to has others to count too.
        const totals = documentTotals(
          existing === undefined ? lines.map((line) => lineMoney(line)) : await repo.lineAmounts(invoiceId),
        );
        await repo.setTotals(invoiceId, totals, customer);
        await recordAudit(
          db,
          {
            ...auditActor(actor),
            action: existing === undefined ? 'invoice_drafted' : 'invoice_draft_added_to',
            entityType: 'invoice',
            entityId: invoiceId,
            details: { lines: lines.length, organisationId: group.organisationId },
          },
          now,
        );
        result.invoices += 1;
        result.lines += lines.length;
      }
      return result;
    });
  }

  // ---- Reading ----------------------------------------------------------------

  /** The invoices page: the drafts, and the latest documents issued. */
  async overview() {
    const [drafts, recent] = await Promise.all([this.invoices.draftList(), this.invoices.recentlyIssued(20)]);
    return {
      drafts: drafts.map((d) => ({
        ...d,
        id: Number(d.id),
        line_count: Number(d.line_count),
        gross_pence: Number(d.gross_pence),
      })),
      recent: recent.map((d) => ({ ...d, id: Number(d.id), gross_pence: Number(d.gross_pence) })),
    };
  }

  /** An invoice or credit note with its lines and, for an invoice, the credit notes against it. */
  async document(id: number) {
    const document = await this.invoices.document(id);
    if (!document) throw new NotFoundError('invoice');
    const [lines, creditNotes] = await Promise.all([
      this.invoices.lines(id),
      document.kind === 'invoice' ? this.invoices.creditNotes(id) : Promise.resolve([]),
    ]);
    return {
      document: numbers(document),
      lines: lines.map((line) => ({
        ...line,
        id: Number(line.id),
        net_pence: Number(line.net_pence),
        vat_pence: Number(line.vat_pence),
        gross_pence: Number(line.gross_pence),
        credited_pence: Number(line.credited_pence),
        left_pence: Number(line.gross_pence) - Number(line.credited_pence),
      })),
      creditNotes: creditNotes.map((c) => ({
        ...c,
        id: Number(c.id),
        gross_pence: Number(c.gross_pence),
        /** Issued after the invoice was paid: money to give back, not less to pay. */
        refundDue: creditedAfterPayment(c, document),
      })),
    };
  }

  /** The hub's waiver reasons, offered when a credit note puts a charge right. */
  async waiverReasons(): Promise<readonly string[]> {
    return (await this.settings.charges()).waiverReasons;
  }

  /** An issued (or paid) invoice or a credit note as a PDF; drafts and void ones have none. */
  async pdf(id: number): Promise<{ filename: string; pdf: Buffer }> {
    const { document, lines } = await this.document(id);
    if (!document.number || !document.issued_on) throw new NotFoundError('invoice');
    const pdf = await invoicePdf(
      this.content(
        {
          ...document,
          refund_due:
            document.kind === 'credit_note' &&
            creditedAfterPayment(document, {
              state: document.credits_state ?? '',
              paid_at: document.credits_paid_at,
              paid_on: document.credits_paid_on,
            }),
        },
        lines,
      ),
      issuerOf(document.issuer) ?? (await this.pdfHub()),
    );
    return { filename: `${document.number}.pdf`, pdf };
  }

  // ---- Drafts -------------------------------------------------------------------

  /** Takes a line off a draft: its charge is free to be decided again, or invoiced by the next run. */
  async removeLine(invoiceId: number, lineId: number, actor: StaffActor): Promise<void> {
    await this.lock.run(async (db) => {
      const repo = this.invoices.within(db);
      const document = await this.draftOrRefuse(repo, invoiceId, 'take a line off it');
      const removed = await new DraftLineRecords(db).takeOff({ invoiceId, lineId });
      if (!removed) throw new NotFoundError('line');
      await recordAudit(
        db,
        {
          actorType: 'staff',
          actorId: actor.id,
          action: 'invoice_line_removed',
          entityType: 'invoice',
          entityId: invoiceId,
          details: { lineId, chargeId: removed.chargeId, organisationId: Number(document.organisation_id) },
        },
        this.deps.clock.now(),
      );
    });
  }

  /** Voids a draft: its charges go back, to be decided again or invoiced by the next run. */
  async voidDraft(invoiceId: number, actor: StaffActor): Promise<void> {
    await this.lock.run(async (db) => {
      const repo = this.invoices.within(db);
      await this.draftOrRefuse(repo, invoiceId, 'void it');
      const now = this.deps.clock.now();
      if (!(await repo.voidDraft(invoiceId, now.toISOString())))
        throw new ConflictError('This invoice is no longer a draft, so it cannot be voided.');
      await recordAudit(
        db,
        {
          actorType: 'staff',
          actorId: actor.id,
          action: 'invoice_voided',
          entityType: 'invoice',
          entityId: invoiceId,
        },
        now,
      );
    });
  }

  /**
   * Issues a draft: the next number of its financial year, the dates, the
   * customer's details as they are now, and the PDF emailed to the billing
   * contact. Refused, with the reason, for a draft without a billing email
   * address or postal address, or with no lines.
   */
  async issue(invoiceId: number, actor: StaffActor): Promise<string> {
    const charges = await this.settings.charges();
    const ctx = await this.deps.context();
    const hub = await this.pdfHub();
    return this.lock.run(async (db) => {
      const repo = this.invoices.within(db);
      const document = await this.draftOrRefuse(repo, invoiceId, 'issue it again');
      // A draft of an organisation since merged goes to the one it was merged into, as its charges do.
      const mergedFrom = Number(document.organisation_id);
      const organisationId = await repo.keptOrganisation(mergedFrom);
      if (organisationId !== mergedFrom) {
        await repo.moveDraft(invoiceId, organisationId);
        document.organisation_id = organisationId;
      }
      const customer = (await repo.customers([organisationId])).get(organisationId);
      if (!customer) throw new NotFoundError('organisation');
      const missing = [
        ...(customer.billing_email ? [] : ['billing email address']),
        ...(customer.billing_address ? [] : ['postal address']),
      ];
      if (missing.length)
        throw new ConflictError(
          `${customer.customer_name} has no ${missing.join(' or ')} for invoices, so this invoice cannot be issued. Add ${missing.length > 1 ? 'them' : 'it'} to the organisation’s billing details, then issue it.`,
        );
      const lines = await repo.lines(invoiceId);
      if (!lines.length)
        throw new ConflictError('This draft has no lines, so there is nothing to invoice. Void it instead.');
      const now = this.deps.clock.now();
      const issuedOn = londonDate(now);
      const financialYear = financialYearOf(issuedOn, charges.financialYearStartMonth);
      const sequence = await repo.nextSequence('invoice', financialYear);
      const number = documentNumber('invoice', financialYear, sequence);
      const dueOn = addDays(issuedOn, charges.paymentTermsDays);
      const totals = documentTotals(lines.map(lineMoney));
      const issued = await repo.issue(invoiceId, {
        ...customer,
        number,
        financial_year: financialYear,
        sequence,
        issued_at: now.toISOString(),
        issued_by_staff_id: actor.id,
        issued_on: issuedOn,
        due_on: dueOn,
        issuer: JSON.stringify(hub),
      });
      // Someone else issued it a moment ago: throwing rolls the number back, so none is lost.
      if (!issued)
        throw new ConflictError('This invoice has been issued already. An issued invoice never changes.');
      await repo.setTotals(invoiceId, totals);
      await recordAudit(
        db,
        {
          actorType: 'staff',
          actorId: actor.id,
          action: 'invoice_issued',
          entityType: 'invoice',
          entityId: invoiceId,
          details: {
            number,
            grossPence: totals.grossPence,
            organisationId: Number(document.organisation_id),
            ...(organisationId !== mergedFrom ? { movedFromOrganisationId: mergedFrom } : {}),
          },
        },
        now,
      );
      const content = this.content(
        {
          ...numbers(document),
          ...customer,
          number,
          issued_on: issuedOn,
          due_on: dueOn,
          credits_number: null,
        },
        lines.map((line) => ({ ...line, ...lineMoneyColumns(line) })),
        totals,
      );
      const pdf = await invoicePdf(content, hub);
      await this.deps.mail.enqueue(
        db,
        {
          id: Number(document.organisation_id),
          name: customer.billing_contact || customer.customer_name,
          email: customer.billing_email,
        },
        invoiceIssued({
          hub: ctx.hub,
          contactName: customer.billing_contact || customer.customer_name,
          customerName: customer.customer_name,
          number,
          total: formatPence(totals.grossPence),
          issuedOn: dateWords(issuedOn),
          dueOn: dateWords(dueOn),
          purchaseOrder: customer.purchase_order,
          lineCount: lines.length,
          paymentInstructions: charges.paymentInstructions,
          pdf,
        }),
      );
      return number;
    });
  }

  /**
   * Issues every draft, each on its own; every one that could not be issued
   * (refused, or gone since the list was read) is named with the reason, so
   * a problem with one never hides what was issued before it.
   */
  async issueAll(actor: StaffActor) {
    const issued: string[] = [];
    const refused: { id: number; message: string }[] = [];
    for (const { id } of await this.invoices.draftIds()) {
      try {
        issued.push(await this.issue(Number(id), actor));
      } catch (error) {
        if (!(error instanceof ConflictError || error instanceof NotFoundError)) throw error;
        refused.push({
          id: Number(id),
          message:
            error instanceof NotFoundError
              ? 'It could not be issued: it, or its organisation, is no longer there. Look at the drafts again.'
              : error.message,
        });
      }
    }
    return { issued, refused };
  }

  // ---- Issued invoices --------------------------------------------------------

  /** Records an issued invoice paid, on a date (London, YYYY-MM-DD) with the payment's reference. */
  async markPaid(
    invoiceId: number,
    input: { paidOn: string; reference: string },
    actor: StaffActor,
  ): Promise<void> {
    const reference = input.reference.trim();
    await this.lock.run(async (db) => {
      const repo = this.invoices.within(db);
      const document = await repo.document(invoiceId);
      if (!document) throw new NotFoundError('invoice');
      refuseUnlessIssuedInvoice(document, 'recorded as paid');
      if (Number(document.gross_pence) - (await repo.creditedTotal(invoiceId)) <= 0)
        throw new ConflictError(
          `${document.number ?? 'This invoice'} has been credited in full, so nothing is left to pay and it cannot be recorded as paid.`,
        );
      const now = this.deps.clock.now();
      const fields: Record<string, string> = {};
      if (input.paidOn > londonDate(now)) fields.paidOn = 'The date paid must be today or in the past';
      else if (document.issued_on && input.paidOn < document.issued_on)
        fields.paidOn = `The date paid must be on or after the invoice’s date, ${dateWords(document.issued_on)}`;
      if (!reference)
        fields.reference = 'Enter the payment’s reference, as your bank or finance system shows it';
      else if (reference.length > PAYMENT_REFERENCE_MAX)
        fields.reference = `The reference must be ${PAYMENT_REFERENCE_MAX} characters or fewer`;
      if (Object.keys(fields).length) throw new FormError(fields);
      if (!(await repo.markPaid(invoiceId, input.paidOn, reference, now.toISOString())))
        throw new ConflictError('This invoice has been recorded as paid already.');
      await recordAudit(
        db,
        {
          actorType: 'staff',
          actorId: actor.id,
          action: 'invoice_paid',
          entityType: 'invoice',
          entityId: invoiceId,
          details: { number: document.number, paidOn: input.paidOn },
        },
        now,
      );
    });
  }

  /**
   * A credit note against an issued or paid invoice: the amounts chosen per
   * line (each no more than is left on it), a reason, issued at once with
   * its own number and emailed. Each line's credited total is raised by a
   * conditional update, so two credit notes at once can never credit more
   * than a line's total. With a waiver reason, the charges of lines now
   * credited in full are waived too (they are no longer owed).
   */
  async creditNote(
    invoiceId: number,
    input: CreditNoteInput,
    actor: StaffActor,
  ): Promise<{ id: number; number: string }> {
    const charges = await this.settings.charges();
    const ctx = await this.deps.context();
    const hub = await this.pdfHub();
    return this.lock.run(async (db) => {
      const repo = this.invoices.within(db);
      const invoice = await repo.document(invoiceId);
      if (!invoice) throw new NotFoundError('invoice');
      refuseUnlessIssuedInvoice(invoice, 'credited', true);
      const lines = await repo.lines(invoiceId);
      const fields: Record<string, string> = {};
      const chosen: { line: (typeof lines)[number]; amount: number; left: number }[] = [];
      for (const line of lines) {
        const typed = (input.amounts[String(line.id)] ?? '').trim();
        if (typed === '' || /^£?0+(\.0{1,2})?$/.test(typed)) continue;
        const left = Number(line.gross_pence) - Number(line.credited_pence);
        const parsed = parsePounds(typed, { label: 'the amount to credit', max: left });
        if (!parsed.ok) {
          fields[amountField(Number(line.id))] =
            left === 0
              ? 'Nothing is left to credit on this line'
              : parsed.message.replace(/ or less$/, ', what is left on this line, or less');
          continue;
        }
        if (parsed.pence > 0) chosen.push({ line, amount: parsed.pence, left });
      }
      const reason = input.reason.trim();
      if (!reason)
        fields.reason = 'Enter why this credit note is issued: the customer reads it on the credit note';
      else if (reason.length > CREDIT_REASON_MAX)
        fields.reason = `The reason must be ${CREDIT_REASON_MAX} characters or fewer`;
      if (input.waiverReason && !charges.waiverReasons.includes(input.waiverReason))
        fields.waiverReason = 'Choose a reason from the list, or not to waive the charges';
      if (!chosen.length && !Object.keys(fields).some((f) => f.startsWith('amount-'))) {
        const first = lines.find((l) => Number(l.gross_pence) > Number(l.credited_pence));
        fields[first ? amountField(Number(first.id)) : 'reason'] = first
          ? 'Enter an amount to credit on at least one line'
          : 'Everything on this invoice has been credited already';
      }
      if (Object.keys(fields).length) throw new FormError(fields);

      const now = this.deps.clock.now();
      const issuedOn = londonDate(now);
      const rate = Number(invoice.vat_rate_basis_points);
      const creditedNet = await repo.creditedNet(chosen.map((c) => Number(c.line.id)));
      const creditLines: Omit<NewLine, 'invoice_id'>[] = [];
      const fullyCredited: number[] = [];
      for (const [index, { line, amount, left }] of chosen.entries()) {
        if (!(await repo.creditLine(invoiceId, Number(line.id), amount)))
          throw new ConflictError(
            'Someone has credited this invoice in the meantime, so less is left on it than you saw. Look again and choose the amounts afresh.',
          );
        const netLeft = Number(line.net_pence) - (creditedNet.get(Number(line.id)) ?? 0);
        const net = amount === left ? netLeft : Math.min(netLeft, netOfGross(amount, rate));
        creditLines.push({
          position: index + 1,
          charge_id: null,
          credits_line_id: Number(line.id),
          description: `Credit: ${line.description}`,
          delegate_name: line.delegate_name,
          session_date: line.session_date,
          net_pence: net,
          vat_pence: amount - net,
          gross_pence: amount,
        });
        if (amount === left && line.charge_id !== null) fullyCredited.push(Number(line.charge_id));
      }
      const totals = documentTotals(
        creditLines.map((l) => ({ netPence: l.net_pence, vatPence: l.vat_pence, grossPence: l.gross_pence })),
      );
      const customer: Customer = {
        customer_name: invoice.customer_name,
        billing_contact: invoice.billing_contact,
        billing_email: invoice.billing_email,
        billing_address: invoice.billing_address,
        purchase_order: invoice.purchase_order,
      };
      const creditNoteId = await repo.createDocument({
        kind: 'credit_note',
        state: 'draft',
        organisation_id: Number(invoice.organisation_id),
        booking_id: invoice.booking_id,
        credits_invoice_id: invoiceId,
        customer,
        vat_rate_basis_points: rate,
        reason,
        created_at: now.toISOString(),
        created_by_staff_id: actor.id,
      });
      await repo.insertLines(creditLines.map((l) => ({ ...l, invoice_id: creditNoteId })));
      await repo.setTotals(creditNoteId, totals);
      const financialYear = financialYearOf(issuedOn, charges.financialYearStartMonth);
      const sequence = await repo.nextSequence('credit_note', financialYear);
      const number = documentNumber('credit_note', financialYear, sequence);
      await repo.issue(creditNoteId, {
        ...customer,
        number,
        financial_year: financialYear,
        sequence,
        issued_at: now.toISOString(),
        issued_by_staff_id: actor.id,
        issued_on: issuedOn,
        due_on: null,
        issuer: JSON.stringify(hub),
      });
      await recordAudit(
        db,
        {
          actorType: 'staff',
          actorId: actor.id,
          action: 'credit_note_issued',
          entityType: 'invoice',
          entityId: creditNoteId,
          details: { number, credits: invoice.number, grossPence: totals.grossPence },
        },
        now,
      );
      if (input.waiverReason) {
        const waived = await repo.waiveCharges(
          fullyCredited,
          input.waiverReason,
          actor.id,
          now.toISOString(),
        );
        for (const { id: chargeId, kind } of waived) {
          // The delegate was told of the fee and its confirmation, so they are told it is waived;
          // a place's price was never theirs to hear about.
          if (kind !== 'place') await this.deps.mail.chargeDecided(db, ctx, chargeId, 'waived');
          await recordAudit(
            db,
            {
              actorType: 'staff',
              actorId: actor.id,
              action: 'charge_waived',
              entityType: 'charge',
              entityId: chargeId,
              details: { reason: input.waiverReason, creditNote: number },
            },
            now,
          );
        }
      }
      const pdf = await invoicePdf(
        this.content(
          {
            kind: 'credit_note',
            number,
            issued_on: issuedOn,
            due_on: null,
            ...customer,
            vat_rate_basis_points: rate,
            reason,
            credits_number: invoice.number,
            // Against a paid invoice, a credit note is money to give back.
            refund_due: creditedAfterPayment({ issued_at: now.toISOString(), issued_on: issuedOn }, invoice),
          },
          creditLines,
          totals,
        ),
        hub,
      );
      if (customer.billing_email) {
        await this.deps.mail.enqueue(
          db,
          {
            id: Number(invoice.organisation_id),
            name: customer.billing_contact || customer.customer_name,
            email: customer.billing_email,
          },
          creditNoteIssued({
            hub: ctx.hub,
            contactName: customer.billing_contact || customer.customer_name,
            customerName: customer.customer_name,
            number,
            invoiceNumber: invoice.number ?? '',
            total: formatPence(totals.grossPence),
            issuedOn: dateWords(issuedOn),
            reason,
            pdf,
          }),
        );
      }
      return { id: creditNoteId, number };
    });
  }

  // ---- Helpers ------------------------------------------------------------------

  private async draftOrRefuse(repo: InvoiceRepository, invoiceId: number, what: string) {
    const document = await repo.document(invoiceId);
    if (!document) throw new NotFoundError('invoice');
    if (document.kind !== 'invoice' || document.state !== 'draft') {
      throw new ConflictError(
        document.state === 'void'
          ? `This draft was voided, so you cannot ${what}.`
          : `${document.number ?? 'This document'} has been issued, and an issued ${document.kind === 'credit_note' ? 'credit note' : 'invoice'} never changes, so you cannot ${what}. To put a mistake right, issue a credit note against it.`,
      );
    }
    return document;
  }

  private async pdfHub(): Promise<InvoiceHub> {
    const [{ hub }, charges] = await Promise.all([this.deps.context(), this.settings.charges()]);
    return {
      name: hub.name,
      brandColour: hub.brandColour,
      contactEmail: hub.contactEmail,
      address: charges.billingAddress,
      vatNumber: charges.vatNumber,
      paymentInstructions: charges.paymentInstructions,
    };
  }

  private content(
    document: {
      kind: DocumentKind;
      number: string | null;
      issued_on: string | null;
      due_on: string | null;
      customer_name: string;
      billing_contact: string;
      billing_address: string;
      purchase_order: string;
      vat_rate_basis_points: number;
      reason: string;
      credits_number: string | null;
      /** A credit note issued after its invoice was paid: a refund is due. */
      refund_due?: boolean;
    },
    lines: readonly {
      description: string;
      delegate_name: string;
      session_date: string;
      net_pence: number;
      vat_pence: number;
      gross_pence: number;
    }[],
    totals?: { netPence: number; vatPence: number; grossPence: number },
  ): InvoiceContent {
    const contentLines = lines.map((line) => ({
      description: line.description,
      delegateName: line.delegate_name,
      sessionDate: line.session_date,
      ...lineMoney(line),
    }));
    return {
      kind: document.kind,
      number: document.number ?? '',
      issuedOn: document.issued_on ?? '',
      dueOn: document.due_on,
      customer: {
        name: document.customer_name,
        contact: document.billing_contact,
        address: document.billing_address,
        purchaseOrder: document.purchase_order,
      },
      vatRateBasisPoints: Number(document.vat_rate_basis_points),
      lines: contentLines,
      totals: totals ?? documentTotals(contentLines),
      ...(document.kind === 'credit_note'
        ? {
            credits: {
              number: document.credits_number ?? '',
              reason: document.reason,
              refundDue: document.refund_due ?? false,
            },
          }
        : {}),
    };
  }
}

/**
 * Whether a credit note was issued after its invoice was recorded paid (by
 * the instant recorded; for an invoice paid before migration 020, by the
 * dates), so it is a refund due rather than less to pay.
 */
export function creditedAfterPayment(
  creditNote: { issued_at: string | null; issued_on: string | null },
  invoice: { state: string; paid_at: string | null; paid_on: string | null },
): boolean {
  if (invoice.state !== 'paid') return false;
  if (invoice.paid_at) return (creditNote.issued_at ?? '') >= invoice.paid_at;
  return (creditNote.issued_on ?? '') > (invoice.paid_on ?? '');
}

/** The hub as an issued document printed it (migration 020), or null for one issued before that was kept. */
export function issuerOf(stored: string | null): InvoiceHub | null {
  if (!stored) return null;
  const value = JSON.parse(stored) as Partial<InvoiceHub>;
  const text = (key: keyof InvoiceHub) => (typeof value[key] === 'string' ? value[key] : '');
  return {
    name: text('name'),
    brandColour: text('brandColour'),
    contactEmail: text('contactEmail'),
    address: text('address'),
    vatNumber: text('vatNumber'),
    paymentInstructions: text('paymentInstructions'),
  };
}

function draftKey(organisationId: number, bookingId: number | null): string {
  return bookingId === null ? `${organisationId}` : `${organisationId}:${bookingId}`;
}

function perBooking(frequency: InvoiceFrequency): boolean {
  return frequency === 'per_booking';
}

function auditActor(actor: InvoiceActor): { actorType: AuditActorType; actorId: number | null } {
  return actor.type === 'staff'
    ? { actorType: 'staff', actorId: actor.id }
    : { actorType: 'system', actorId: null };
}

function lineMoney(line: { net_pence: number; vat_pence: number; gross_pence: number }) {
  return {
    netPence: Number(line.net_pence),
    vatPence: Number(line.vat_pence),
    grossPence: Number(line.gross_pence),
  };
}

function lineMoneyColumns(line: { net_pence: number; vat_pence: number; gross_pence: number }) {
  return {
    net_pence: Number(line.net_pence),
    vat_pence: Number(line.vat_pence),
    gross_pence: Number(line.gross_pence),
  };
}

/** The net part of a gross amount at a VAT rate, to the nearest penny, in integers only. */
export function netOfGross(grossPence: number, rateBasisPoints: number): number {
  const divisor = 10_000 + rateBasisPoints;
  return Math.floor((grossPence * 10_000 + Math.floor(divisor / 2)) / divisor);
}

/** An invoice's money columns as numbers (PostgreSQL may give big integers as text). */
function numbers<
  T extends { net_pence: number; vat_pence: number; gross_pence: number; vat_rate_basis_points: number },
>(document: T): T {
  return {
    ...document,
    net_pence: Number(document.net_pence),
    vat_pence: Number(document.vat_pence),
    gross_pence: Number(document.gross_pence),
    vat_rate_basis_points: Number(document.vat_rate_basis_points),
  };
}

function refuseUnlessIssuedInvoice(
  document: { kind: DocumentKind; state: string; number: string | null; paid_on: string | null },
  what: string,
  paidToo = false,
): void {
  if (document.kind !== 'invoice')
    throw new ConflictError(`A credit note cannot be ${what}: only an invoice can.`);
  if (document.state === 'draft')
    throw new ConflictError(
      `A draft cannot be ${what}: it has not been issued. Issue it first${what === 'credited' ? ', or take the line off the draft' : ''}.`,
    );
  if (document.state === 'void') throw new ConflictError(`This draft was voided, so it cannot be ${what}.`);
  if (document.state === 'paid' && !paidToo)
    throw new ConflictError(
      `${document.number ?? 'This invoice'} was recorded as paid${document.paid_on ? ` on ${dateWords(document.paid_on)}` : ''} already.`,
    );
}
