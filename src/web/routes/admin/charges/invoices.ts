/**
 * Invoices and credit notes, for those who handle money:
 *   GET  /admin/invoices                              drafts, the latest issued, and the buttons for the run
 *   POST /admin/invoices/run                          make draft invoices now (as the monthly job does)
 *   POST /admin/invoices/issue-all                    issue every draft that can be
 *   GET  /admin/invoices/:invoiceId                   an invoice or credit note, and what can be done with it
 *   POST /admin/invoices/:invoiceId/issue             issue a draft
 *   POST /admin/invoices/:invoiceId/void              void a draft
 *   POST /admin/invoices/:invoiceId/lines/:lineId/remove  take a line off a draft
 *   GET|POST /admin/invoices/:invoiceId/paid          record an issued invoice paid
 *   GET|POST /admin/invoices/:invoiceId/credit        a credit note against an issued or paid invoice
 *   GET  /admin/invoices/:invoiceId/document.pdf      the PDF of an issued invoice or a credit note
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { INVOICE_STATE_NAMES } from '../../../../domain/charges/charges.js';
import { DOCUMENT_NAMES, vatStatusWords } from '../../../../domain/charges/invoiceNumbers.js';
import { formatPence, sumPence } from '../../../../domain/charges/money.js';
import { readDateInput } from '../../../../domain/time/dateInput.js';
import { formatDate, formatMoment, formatShortDate } from '../../../../domain/time/time.js';
import { ConflictError, FormError } from '../../../../errors.js';
import {
  amountField,
  CREDIT_REASON_MAX,
  PAYMENT_REFERENCE_MAX,
} from '../../../../services/charges/invoiceService.js';
import type { Services } from '../../../../services/index.js';
import { dateInputParams, linkDateErrors, type DateGroup } from '../../../dateInput.js';
import { formBody, formErrors, keepTyped } from '../../../forms.js';
import { idParam } from '../../public/params.js';
import { requireStaff } from '../auth.js';

type Params = { invoiceId: string };

const PAID_ON: DateGroup = {
  id: 'paidOn',
  names: { day: 'paidOn-day', month: 'paidOn-month', year: 'paidOn-year' },
};

const DONE: Record<string, string> = {
  issued: 'Invoice issued and emailed to the billing contact with the PDF attached.',
  voided: 'Draft voided. Its charges are free to be decided again, or invoiced by the next run.',
  removed: 'Line taken off the draft. Its charge is free to be decided again, or invoiced by the next run.',
  paid: 'Payment recorded.',
  credited: 'Credit note issued and emailed to the billing contact with the PDF attached.',
};

/** "Friday 3 April 2026" for a London date (YYYY-MM-DD). */
function dateText(date: string | null): string | null {
  return date ? formatDate(new Date(`${date}T12:00:00Z`)) : null;
}

function text(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value : '';
}

export default async function adminInvoiceRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { invoices } = services;
  const staffOf = (request: FastifyRequest) => ({ id: request.staffSession!.staff.id });
  const invoiceIdOf = (request: FastifyRequest<{ Params: Params }>) =>
    idParam(request.params.invoiceId, 'invoice');

  async function renderIndex(
    reply: FastifyReply,
    banner: string | null,
    problems: string[] = [],
    status = 200,
  ) {
    const { drafts, recent } = await invoices.overview();
    return reply.page(
      'pages/admin/invoices/index.njk',
      {
        pageTitle: 'Invoices',
        drafts: drafts.map((d) => ({
          ...d,
          totalText: formatPence(d.gross_pence),
          madeText: formatShortDate(new Date(d.created_at)),
        })),
        recent: recent.map((d) => ({
          ...d,
          kindText: DOCUMENT_NAMES[d.kind],
          stateText: INVOICE_STATE_NAMES[d.state],
          totalText: formatPence(d.gross_pence),
          issuedText: dateText(d.issued_on),
        })),
        banner,
        problems,
        csrfToken: reply.generateCsrf(),
      },
      status,
    );
  }

  app.get('/admin/invoices', { preHandler: requireStaff('handleMoney') }, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const made = typeof query.made === 'string' ? query.made : null;
    const issued =
      typeof query.issued === 'string' && /^\d{1,6}$/.test(query.issued) ? Number(query.issued) : null;
    let banner: string | null = null;
    if (made !== null) {
      const [invoiceCount = 0, lineCount = 0] = made.split('-').map(Number);
      banner =
        invoiceCount > 0
          ? `Draft invoices made: ${lineCount} ${lineCount === 1 ? 'line' : 'lines'} on ${invoiceCount} ${invoiceCount === 1 ? 'draft' : 'drafts'}. Check them, then issue them.`
          : 'Nothing new to invoice: every confirmed charge is on an invoice already.';
    } else if (issued !== null) {
      banner = `${issued} ${issued === 1 ? 'invoice' : 'invoices'} issued and emailed.`;
    }
    return renderIndex(reply, banner);
  });

  app.post(
    '/admin/invoices/run',
    { preHandler: [app.csrfProtection, requireStaff('handleMoney')] },
    async (request, reply) => {
      const result = await invoices.run({ type: 'staff', id: staffOf(request).id });
      return reply.redirect(`/admin/invoices?made=${result.invoices}-${result.lines}`, 303);
    },
  );

  app.post(
    '/admin/invoices/issue-all',
    { preHandler: [app.csrfProtection, requireStaff('handleMoney')] },
    async (request, reply) => {
      const { issued, refused } = await invoices.issueAll(staffOf(request));
      if (!refused.length) return reply.redirect(`/admin/invoices?issued=${issued.length}`, 303);
      return renderIndex(
        reply,
        issued.length
          ? `${issued.length} ${issued.length === 1 ? 'invoice' : 'invoices'} issued and emailed.`
          : null,
        refused.map((r) => `Draft ${r.id}: ${r.message}`),
        409,
      );
    },
  );

  async function renderShow(
    request: FastifyRequest<{ Params: Params }>,
    reply: FastifyReply,
    id: number,
    problem: string | null = null,
  ) {
    const { document, lines, creditNotes } = await invoices.document(id);
    const done = (request.query as Record<string, unknown> | undefined)?.done;
    const kindText = DOCUMENT_NAMES[document.kind];
    return reply.page(
      'pages/admin/invoices/show.njk',
      {
        pageTitle: document.number
          ? `${kindText} ${document.number}`
          : `Draft invoice for ${document.customer_name}`,
        document: {
          ...document,
          kindText,
          stateText: INVOICE_STATE_NAMES[document.state],
          netText: formatPence(document.net_pence),
          vatText: formatPence(document.vat_pence),
          grossText: formatPence(document.gross_pence),
          vatStatus: vatStatusWords(document.vat_rate_basis_points),
          issuedText: dateText(document.issued_on),
          dueText: dateText(document.due_on),
          paidText: dateText(document.paid_on),
          voidedText: document.voided_at ? formatMoment(new Date(document.voided_at)) : null,
          addressLines: document.billing_address.split(/\r?\n/).filter((l) => l.trim()),
        },
        lines: lines.map((line) => ({
          ...line,
          sessionText: dateText(line.session_date),
          netText: formatPence(line.net_pence),
          vatText: formatPence(line.vat_pence),
          grossText: formatPence(line.gross_pence),
          creditedText: line.credited_pence ? formatPence(line.credited_pence) : null,
        })),
        creditNotes: creditNotes.map((c) => ({
          ...c,
          totalText: formatPence(c.gross_pence),
          issuedText: dateText(c.issued_on),
        })),
        isDraft: document.state === 'draft',
        // Nothing is left to pay on an invoice credited in full.
        canPay:
          document.kind === 'invoice' &&
          document.state === 'issued' &&
          document.gross_pence - creditNotes.reduce((sum, note) => sum + note.gross_pence, 0) > 0,
        canCredit:
          document.kind === 'invoice' &&
          (document.state === 'issued' || document.state === 'paid') &&
          lines.some((l) => l.left_pence > 0),
        hasPdf: document.number !== null,
        done: !problem && typeof done === 'string' ? (DONE[done] ?? null) : null,
        problem,
        csrfToken: reply.generateCsrf(),
      },
      problem ? 409 : 200,
    );
  }

  app.get<{ Params: Params }>(
    '/admin/invoices/:invoiceId',
    { preHandler: requireStaff('handleMoney') },
    async (request, reply) => renderShow(request, reply, invoiceIdOf(request)),
  );

  /** A POST that changes a draft: done → back to the page; refused → the page with the reason, 409. */
  function draftAction(
    path: string,
    act: (request: FastifyRequest<{ Params: Params & { lineId?: string } }>, id: number) => Promise<unknown>,
    done: string,
  ) {
    app.post<{ Params: Params & { lineId?: string } }>(
      path,
      { preHandler: [app.csrfProtection, requireStaff('handleMoney')] },
      async (request, reply) => {
        const id = invoiceIdOf(request);
        try {
          await act(request, id);
        } catch (error) {
          if (error instanceof ConflictError) return renderShow(request, reply, id, error.message);
          throw error;
        }
        return reply.redirect(`/admin/invoices/${id}?done=${done}`, 303);
      },
    );
  }

  draftAction(
    '/admin/invoices/:invoiceId/issue',
    (request, id) => invoices.issue(id, staffOf(request)),
    'issued',
  );
  draftAction(
    '/admin/invoices/:invoiceId/void',
    (request, id) => invoices.voidDraft(id, staffOf(request)),
    'voided',
  );
  draftAction(
    '/admin/invoices/:invoiceId/lines/:lineId/remove',
    (request, id) => invoices.removeLine(id, idParam(request.params.lineId, 'line'), staffOf(request)),
    'removed',
  );

  // ---- Paid ----

  async function renderPaid(
    request: FastifyRequest<{ Params: Params }>,
    reply: FastifyReply,
    id: number,
    values: Record<string, string>,
    error?: FormError | ConflictError,
  ) {
    const { document, creditNotes } = await invoices.document(id);
    const credited = sumPence(creditNotes.map((note) => note.gross_pence));
    const leftToPay = document.gross_pence - credited;
    const creditedInFull = leftToPay <= 0;
    if (
      error instanceof ConflictError ||
      document.kind !== 'invoice' ||
      document.state !== 'issued' ||
      creditedInFull
    )
      return renderShow(
        request,
        reply,
        id,
        error instanceof ConflictError
          ? error.message
          : document.state === 'issued'
            ? `${document.number} has been credited in full, so nothing is left to pay and it cannot be recorded as paid.`
            : document.state === 'draft'
              ? 'A draft cannot be marked paid: it has not been issued. Issue it first.'
              : document.state === 'paid'
                ? `${document.number} was recorded as paid already.`
                : 'Only an issued invoice can be marked paid.',
      );
    const errors = error
      ? linkDateErrors(formErrors(error.fields, ['paidOn', 'reference']), [PAID_ON], values)
      : null;
    return reply.page(
      'pages/admin/invoices/paid.njk',
      {
        pageTitle: `Record a payment of ${document.number}`,
        document: {
          ...document,
          grossText: formatPence(document.gross_pence),
          issuedText: dateText(document.issued_on),
          creditedText: credited > 0 ? formatPence(credited) : null,
          leftText: formatPence(leftToPay),
        },
        paidOn: dateInputParams(PAID_ON, values, errors?.fields.paidOn, {
          legend: 'Date paid',
          hint: 'As your bank statement or finance system shows it, for example 27 3 2026.',
        }),
        values,
        referenceMax: PAYMENT_REFERENCE_MAX,
        errors,
        csrfToken: reply.generateCsrf(),
      },
      error ? 400 : 200,
    );
  }

  app.get<{ Params: Params }>(
    '/admin/invoices/:invoiceId/paid',
    { preHandler: requireStaff('handleMoney') },
    async (request, reply) => renderPaid(request, reply, invoiceIdOf(request), {}),
  );

  app.post<{ Params: Params }>(
    '/admin/invoices/:invoiceId/paid',
    { preHandler: [app.csrfProtection, requireStaff('handleMoney')] },
    async (request, reply) => {
      const id = invoiceIdOf(request);
      const body = formBody(request);
      const values = keepTyped(body);
      try {
        const reading = readDateInput(
          {
            day: text(body, 'paidOn-day'),
            month: text(body, 'paidOn-month'),
            year: text(body, 'paidOn-year'),
          },
          'The date paid',
        );
        const fields: Record<string, string> = {};
        if (reading.kind === 'empty') fields.paidOn = 'Enter the date the invoice was paid';
        else if (reading.kind === 'problem') fields.paidOn = reading.message;
        const reference = text(body, 'reference');
        if (!reference.trim())
          fields.reference = 'Enter the payment’s reference, as your bank or finance system shows it';
        if (Object.keys(fields).length) throw new FormError(fields);
        await invoices.markPaid(
          id,
          { paidOn: reading.kind === 'date' ? reading.date : '', reference },
          staffOf(request),
        );
      } catch (error) {
        if (error instanceof FormError || error instanceof ConflictError)
          return renderPaid(request, reply, id, values, error);
        throw error;
      }
      return reply.redirect(`/admin/invoices/${id}?done=paid`, 303);
    },
  );

  // ---- Credit notes ----

  async function renderCredit(
    request: FastifyRequest<{ Params: Params }>,
    reply: FastifyReply,
    id: number,
    values: Record<string, string>,
    error?: FormError | ConflictError,
  ) {
    const { document, lines } = await invoices.document(id);
    if (
      error instanceof ConflictError ||
      document.kind !== 'invoice' ||
      (document.state !== 'issued' && document.state !== 'paid')
    )
      return renderShow(
        request,
        reply,
        id,
        error instanceof ConflictError
          ? error.message
          : document.kind !== 'invoice'
            ? 'A credit note cannot be credited: only an invoice can.'
            : 'A draft cannot be credited: it has not been issued. Take the line off the draft instead.',
      );
    const order = [...lines.map((l) => amountField(l.id)), 'reason', 'waiverReason'];
    const errors = error ? formErrors(error.fields, order) : null;
    const reasons = await invoices.waiverReasons();
    return reply.page(
      'pages/admin/invoices/credit.njk',
      {
        pageTitle: `Credit note against ${document.number}`,
        document: { ...document, grossText: formatPence(document.gross_pence) },
        lines: lines.map((line) => ({
          ...line,
          field: amountField(line.id),
          sessionText: dateText(line.session_date),
          grossText: formatPence(line.gross_pence),
          leftText: formatPence(line.left_pence),
          value: values[amountField(line.id)] ?? '',
          error: errors?.fields[amountField(line.id)] ?? null,
        })),
        waiverItems: [
          { value: '', text: 'Do not waive the charges', selected: !values.waiverReason },
          ...reasons.map((reason) => ({
            value: reason,
            text: reason,
            selected: values.waiverReason === reason,
          })),
        ],
        values,
        reasonMax: CREDIT_REASON_MAX,
        errors,
        csrfToken: reply.generateCsrf(),
      },
      error ? 400 : 200,
    );
  }

  app.get<{ Params: Params }>(
    '/admin/invoices/:invoiceId/credit',
    { preHandler: requireStaff('handleMoney') },
    async (request, reply) => renderCredit(request, reply, invoiceIdOf(request), {}),
  );

  app.post<{ Params: Params }>(
    '/admin/invoices/:invoiceId/credit',
    { preHandler: [app.csrfProtection, requireStaff('handleMoney')] },
    async (request, reply) => {
      const id = invoiceIdOf(request);
      const body = formBody(request);
      const values = keepTyped(body);
      let creditNote;
      try {
        const amounts: Record<string, string> = {};
        for (const [name, value] of Object.entries(body)) {
          const match = /^amount-(\d{1,10})$/.exec(name);
          if (match && typeof value === 'string') amounts[match[1]!] = value;
        }
        creditNote = await invoices.creditNote(
          id,
          { amounts, reason: text(body, 'reason'), waiverReason: text(body, 'waiverReason') },
          staffOf(request),
        );
      } catch (error) {
        if (error instanceof FormError || error instanceof ConflictError)
          return renderCredit(request, reply, id, values, error);
        throw error;
      }
      return reply.redirect(`/admin/invoices/${creditNote.id}?done=credited`, 303);
    },
  );

  // No HEAD: it would draw the file for nothing.
  app.get<{ Params: Params }>(
    '/admin/invoices/:invoiceId/document.pdf',
    { preHandler: requireStaff('handleMoney'), exposeHeadRoute: false },
    async (request, reply) => {
      const file = await invoices.pdf(invoiceIdOf(request));
      return reply
        .header('Cache-Control', 'no-store')
        .header('Content-Disposition', `attachment; filename="${file.filename}"`)
        .type('application/pdf')
        .send(file.pdf);
    },
  );
}
