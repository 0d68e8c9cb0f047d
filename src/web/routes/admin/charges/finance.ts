/**
 * Finance (issue 10, point 5). Everyone who reads finance totals sees the
 * hub's totals for this financial year and the last; only those who handle
 * money (admins, coordinators) see any organisation's figures:
 *
 *   GET /admin/finance             the totals; for those who handle money, invoices and
 *                                  credit notes with filters, 50 a page
 *   GET /admin/finance/balances    each organisation's outstanding balance, largest first
 *   GET /admin/finance/export.csv  the finance export for a finance system import: the
 *                                  list's filters, issued and paid documents only; streamed
 *
 * Filters are a GET form, so a filtered list is an address to bookmark and
 * the export link carries the same filters.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import {
  INVOICE_STATE_NAMES,
  INVOICE_STATES,
  type InvoiceState,
} from '../../../../domain/charges/charges.js';
import { formatPence, penceAsDecimal } from '../../../../domain/charges/money.js';
import {
  DOCUMENT_KINDS,
  DOCUMENT_NAMES,
  type DocumentKind,
} from '../../../../domain/charges/invoiceNumbers.js';
import { DATE_INPUT_PARTS, readDateInput, type DateInputPart } from '../../../../domain/time/dateInput.js';
import { holds } from '../../../../domain/accounts/permissions.js';
import { formatShortDate, londonToInstant } from '../../../../domain/time/time.js';
import { FormError } from '../../../../errors.js';
import { csvStream, type CsvColumn } from '../../../../formats/csv.js';
import type { FinanceExportRow, FinanceFilter } from '../../../../services/charges/financeService.js';
import type { Services } from '../../../../services/index.js';
import { dateInputParams, linkDateErrors } from '../../../dateInput.js';
import { formErrors } from '../../../forms.js';
import { sendCsv } from '../../../formats/csvDownload.js';
import { requireStaff } from '../auth.js';
import { paginationFor } from '../bookings/delegates.js';

/** The filter form's two dates, each in the three boxes of a GOV.UK date input. */
const DATES = (['from', 'to'] as const).map((id) => ({
  id,
  names: Object.fromEntries(DATE_INPUT_PARTS.map((part) => [part, `${id}-${part}`])) as Record<
    DateInputPart,
    string
  >,
  words: id === 'from' ? 'first date' : 'last date',
}));

const TEXT_FIELDS = ['organisation', 'state', 'kind', 'page'] as const;
const FIELD_ORDER = ['organisation', 'state', 'kind', 'from', 'to', 'page'];

const STATE_TAG_CLASSES: Record<InvoiceState, string> = {
  draft: 'govuk-tag--grey',
  issued: 'govuk-tag--blue',
  paid: 'govuk-tag--green',
  void: 'govuk-tag--grey',
};

/** "Mon 12 Jan 2026" for a London date (YYYY-MM-DD). */
function dayText(date: string | null): string {
  return date ? formatShortDate(londonToInstant(date, '12:00')) : '';
}

/** The finance export's columns, in the order a finance system's import expects them. */
export const FINANCE_EXPORT_COLUMNS: CsvColumn<FinanceExportRow>[] = [
  { header: 'Number', value: (row) => row.number },
  { header: 'Date', value: (row) => row.date },
  { header: 'Customer', value: (row) => row.customer },
  { header: 'Description', value: (row) => row.description },
  { header: 'Net', value: (row) => penceAsDecimal(row.netPence), amount: true },
  { header: 'VAT', value: (row) => penceAsDecimal(row.vatPence), amount: true },
  { header: 'Gross', value: (row) => penceAsDecimal(row.grossPence), amount: true },
  { header: 'Nominal code', value: (row) => row.nominalCode },
  { header: 'Purchase order', value: (row) => row.purchaseOrder },
  { header: 'Due date', value: (row) => row.dueOn },
];

interface ReadFilter {
  /** What was typed, to put back in the form and in links. */
  values: Record<string, string>;
  filter: FinanceFilter;
  page: number;
  fields: Record<string, string>;
}

/** The filters from the address, with a message by each one that cannot be used. */
function readFilter(request: FastifyRequest): ReadFilter {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const text = (name: string, max = 200) =>
    (typeof query[name] === 'string' ? (query[name] as string) : '').slice(0, max);
  const values: Record<string, string> = {};
  for (const name of TEXT_FIELDS) values[name] = text(name, name === 'organisation' ? 400 : 40);
  for (const group of DATES) for (const name of Object.values(group.names)) values[name] = text(name, 20);

  const fields: Record<string, string> = {};
  const filter: FinanceFilter = {};
  const organisation = values.organisation!.trim();
  if (organisation.length > 200) fields.organisation = 'Enter 200 characters or fewer';
  else if (organisation) filter.organisation = organisation;
  if (values.state) {
    if ((INVOICE_STATES as readonly string[]).includes(values.state))
      filter.state = values.state as InvoiceState;
    else fields.state = 'Choose a state from the list';
  }
  if (values.kind) {
    if ((DOCUMENT_KINDS as readonly string[]).includes(values.kind))
      filter.kind = values.kind as DocumentKind;
    else fields.kind = 'Choose invoices, credit notes or both from the list';
  }
  for (const group of DATES) {
    const typed = Object.fromEntries(DATE_INPUT_PARTS.map((part) => [part, values[group.names[part]] ?? '']));
    const reading = readDateInput(typed, `The ${group.words}`);
    if (reading.kind === 'problem') fields[group.id] = reading.message;
    else if (reading.kind === 'date') filter[group.id === 'from' ? 'issuedFrom' : 'issuedTo'] = reading.date;
  }
  let page = 1;
  if (values.page) {
    if (/^\d{1,5}$/.test(values.page) && Number(values.page) >= 1) page = Number(values.page);
    else fields.page = 'The page number must be a whole number, 1 or more';
  }
  return { values, filter, page, fields };
}

/** The address of the list (or export) with these filters. */
function filterHref(path: string, values: Record<string, string>, fields: Record<string, string>, page = 1) {
  const params = new URLSearchParams();
  for (const name of ['organisation', 'state', 'kind']) {
    if (values[name] && !fields[name]) params.set(name, values[name]!.trim());
  }
  for (const group of DATES) {
    if (fields[group.id]) continue;
    for (const name of Object.values(group.names)) if (values[name]) params.set(name, values[name]!.trim());
  }
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return `${path}${query ? `?${query}` : ''}`;
}

export default async function adminFinanceRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { finance } = services;

  async function renderFinance(request: FastifyRequest, reply: FastifyReply, read: ReadFilter) {
    const staff = request.staffSession!.staff;
    const years = (await finance.totals()).map((totals) => ({
      words: totals.year.words,
      invoiced: formatPence(totals.invoicedPence),
      credited: formatPence(totals.creditedPence),
      paid: formatPence(totals.paidPence),
      outstanding: formatPence(totals.outstandingPence),
      refundsDue: formatPence(totals.refundsDuePence),
    }));
    if (!holds(staff.role, 'handleMoney')) {
      return reply.page('pages/admin/finance/index.njk', {
        pageTitle: 'Finance',
        years,
        handlesMoney: false,
      });
    }

    const { values, filter, page } = read;
    const fields = { ...read.fields };
    let result = null;
    if (!Object.keys(fields).length) {
      try {
        result = await finance.documents(filter, page, staff);
      } catch (error) {
        if (!(error instanceof FormError)) throw error;
        Object.assign(fields, error.fields);
      }
    }
    const errors = Object.keys(fields).length
      ? linkDateErrors(formErrors(fields, FIELD_ORDER), DATES, values)
      : null;
    const filtered = Boolean(
      values.organisation?.trim() ||
      values.state ||
      values.kind ||
      DATES.some((group) => Object.values(group.names).some((name) => values[name])),
    );
    return reply.page(
      'pages/admin/finance/index.njk',
      {
        pageTitle: 'Finance',
        years,
        handlesMoney: true,
        values,
        errors,
        filtered,
        stateItems: [
          { value: '', text: 'Any state' },
          ...INVOICE_STATES.map((state) => ({
            value: state,
            text: INVOICE_STATE_NAMES[state],
            selected: values.state === state,
          })),
        ],
        kindItems: [
          { value: '', text: 'Invoices and credit notes' },
          ...DOCUMENT_KINDS.map((kind) => ({
            value: kind,
            text: kind === 'invoice' ? 'Invoices only' : 'Credit notes only',
            selected: values.kind === kind,
          })),
        ],
        dates: DATES.map((group) =>
          dateInputParams(group, values, fields[group.id], {
            legend: group.id === 'from' ? 'Issued on or after' : 'Issued on or before',
            hint: group.id === 'from' ? 'For example, 1 4 2026' : 'For example, 31 3 2027',
          }),
        ),
        exportHref: filterHref('/admin/finance/export.csv', values, fields),
        result: result && {
          total: result.total,
          page,
          pageCount: result.pageCount,
          firstPageHref: filterHref('/admin/finance', values, fields),
          pagination:
            page <= result.pageCount
              ? paginationFor(page, result.pageCount, (n) => filterHref('/admin/finance', values, fields, n))
              : null,
          documents: result.documents.map((document) => ({
            ...document,
            href: `/admin/invoices/${document.id}`,
            title: document.number ?? `${DOCUMENT_NAMES[document.kind]} (draft, no number yet)`,
            kindText: DOCUMENT_NAMES[document.kind],
            stateText: INVOICE_STATE_NAMES[document.state],
            stateClasses: STATE_TAG_CLASSES[document.state],
            issuedText: dayText(document.issuedOn),
            dueText: document.kind === 'invoice' ? dayText(document.dueOn) : '',
            paidText: dayText(document.paidOn),
            amountText: formatPence(document.grossPence),
            outstandingText: document.outstandingPence === null ? '' : formatPence(document.outstandingPence),
          })),
        },
      },
      errors ? 400 : 200,
    );
  }

  app.get('/admin/finance', { preHandler: requireStaff('readFinanceTotals') }, async (request, reply) =>
    renderFinance(request, reply, readFilter(request)),
  );

  app.get('/admin/finance/balances', { preHandler: requireStaff('handleMoney') }, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const typed = typeof query.page === 'string' ? query.page.slice(0, 20) : '';
    const valid = /^\d{1,5}$/.test(typed) && Number(typed) >= 1;
    const page = valid ? Number(typed) : 1;
    const errors =
      typed && !valid ? formErrors({ page: 'The page number must be a whole number, 1 or more' }) : null;
    const result = await finance.balances(page, request.staffSession!.staff);
    const href = (n: number) => `/admin/finance/balances${n > 1 ? `?page=${n}` : ''}`;
    return reply.page(
      'pages/admin/finance/balances.njk',
      {
        pageTitle: 'Balances owed',
        errors,
        total: result.total,
        balanceText: formatPence(result.balancePence),
        page,
        pageCount: result.pageCount,
        pagination: page <= result.pageCount ? paginationFor(page, result.pageCount, href) : null,
        balances: result.rows.map((row) => ({
          ...row,
          balanceText: formatPence(row.balancePence),
          overdueText: row.overduePence > 0 ? formatPence(row.overduePence) : 'None',
          oldestDueText: dayText(row.oldestDueOn),
        })),
      },
      errors ? 400 : 200,
    );
  });

  // No HEAD: it would run the export (and record a download) for nothing.
  app.get(
    '/admin/finance/export.csv',
    { preHandler: requireStaff('handleMoney'), exposeHeadRoute: false },
    async (request, reply) => {
      const read = readFilter(request);
      // Wrong filters: the page with their messages, not a file of the wrong documents.
      if (Object.keys(read.fields).length) return renderFinance(request, reply, read);
      let download;
      try {
        download = await finance.financeExport(read.filter, request.staffSession!.staff);
      } catch (error) {
        if (error instanceof FormError) {
          return renderFinance(request, reply, { ...read, fields: { ...read.fields, ...error.fields } });
        }
        throw error;
      }
      const { issuedFrom, issuedTo } = read.filter;
      return sendCsv(
        reply,
        ['finance', ...(issuedFrom ? ['from', issuedFrom] : []), ...(issuedTo ? ['to', issuedTo] : [])],
        csvStream(FINANCE_EXPORT_COLUMNS, download.rows, (error) =>
          request.log.error({ err: error }, 'finance export failed part-way'),
        ),
      );
    },
  );
}
