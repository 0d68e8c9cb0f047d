/**
 * Exports for the people who report on the programme: bookings on sessions
 * between two dates, as a CSV a coordinator can open in a spreadsheet.
 * (A session's register has its own CSV, beside the register.)
 *
 *   GET /admin/exports               choose the dates and which bookings
 *   GET /admin/exports/bookings.csv  the download; streamed, so it stays fast
 *                                    and small in memory at any size
 */
import type { FastifyInstance, FastifyReply } from 'fastify';

import { delegateNameOrAnonymised } from '../../../../domain/accounts/accounts.js';
import { BOOKING_STATE_WORDS } from '../../../../domain/programme/availability.js';
import { ORGANISATION_TYPE_NAMES } from '../../../../domain/programme/organisation.js';
import {
  DATE_INPUT_PARTS,
  dateInputValues,
  readDateInput,
  type DateInputPart,
} from '../../../../domain/time/dateInput.js';
import { addDays, londonDate } from '../../../../domain/time/time.js';
import { FormError } from '../../../../errors.js';
import type { OrganisationType } from '../../../../data/schema.js';
import { ATTENDANCE_WORDS, NOT_MARKED } from '../../../../domain/afterCourse/attendance.js';
import {
  EXPORT_CHOICES,
  type ExportChoice,
  type ExportedBooking,
} from '../../../../services/afterCourse/attendanceService.js';
import type { Services } from '../../../../services/index.js';
import { csvStream, spreadsheetDateTime, spreadsheetTime, type CsvColumn } from '../../../../formats/csv.js';
import { sendCsv } from '../../../formats/csvDownload.js';
import { dateInputParams, linkDateErrors } from '../../../dateInput.js';
import { formErrors } from '../../../forms.js';
import { requireStaff } from '../auth.js';

const CANCELLED_BY_WORDS = {
  delegate: 'The delegate',
  hub: 'The hub',
  system: 'Trellis (the offer ran out)',
} as const;

const CHOICE_WORDS: Record<ExportChoice, string> = {
  all: 'All bookings',
  confirmed: 'Confirmed places only',
  waiting: 'The waiting list only (including places offered)',
  cancelled: 'Cancelled bookings only',
};

/** "2026-03-01" as typed, or "1/3/2026" as many people write it; null if neither. */
export function readDate(text: string): string | null {
  const value = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  const british = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/.exec(value);
  const [year, month, day] = iso
    ? [iso[1], iso[2], iso[3]]
    : british
      ? [british[3], british[2], british[1]]
      : [];
  if (!year || !month || !day) return null;
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}

/** The form's two dates, each in the three boxes of a GOV.UK date input. */
const DATES = (['from', 'to'] as const).map((id) => ({
  id,
  names: Object.fromEntries(DATE_INPUT_PARTS.map((part) => [part, `${id}-${part}`])) as Record<
    DateInputPart,
    string
  >,
  words: id === 'from' ? 'first date' : 'last date',
}));

/** A YYYY-MM-DD date as the boxes of date `id` show it. */
function boxValues(id: 'from' | 'to', date: string): Record<string, string> {
  const boxes = dateInputValues(date);
  return Object.fromEntries(DATE_INPUT_PARTS.map((part) => [`${id}-${part}`, boxes[part]]));
}

/** Attendance in words: one word for a single part, each part's for several. */
function attendanceText(row: ExportedBooking, now: Date): string {
  const onRegister = ['confirmed', 'attended', 'partial', 'did_not_attend'].includes(row.state);
  if (!onRegister || row.sessionCancelled || row.sessionStartsAt > now) return '';
  const words = row.attendance.map((status) => (status ? ATTENDANCE_WORDS[status] : NOT_MARKED));
  if (words.length === 1) return words[0]!;
  return words.map((word, i) => `Part ${i + 1}: ${word}`).join('; ');
}

function columns(now: Date): CsvColumn<ExportedBooking>[] {
  return [
    { header: 'Booking reference', value: (b) => b.reference },
    { header: 'Course', value: (b) => b.courseTitle },
    { header: 'Session date', value: (b) => londonDate(b.sessionStartsAt) },
    { header: 'Session start', value: (b) => spreadsheetTime(b.sessionStartsAt) },
    { header: 'Session cancelled', value: (b) => (b.sessionCancelled ? 'Yes' : 'No') },
    { header: 'Venue', value: (b) => b.venue ?? 'Online' },
    { header: 'Delegate name', value: (b) => delegateNameOrAnonymised(b.delegateName) },
    { header: 'Email', value: (b) => b.email },
    { header: 'Organisation', value: (b) => b.organisation },
    {
      header: 'Organisation type',
      value: (b) =>
        b.organisationType ? ORGANISATION_TYPE_NAMES[b.organisationType as OrganisationType] : '',
    },
    { header: 'Job role', value: (b) => b.jobRole },
    { header: 'Booking status', value: (b) => BOOKING_STATE_WORDS[b.state] },
    { header: 'Booked on', value: (b) => spreadsheetDateTime(b.bookedAt) },
    { header: 'Cancelled on', value: (b) => (b.cancelledAt ? spreadsheetDateTime(b.cancelledAt) : '') },
    { header: 'Cancelled by', value: (b) => (b.cancelledBy ? CANCELLED_BY_WORDS[b.cancelledBy] : '') },
    { header: 'Cancellation reason', value: (b) => b.cancellationReason },
    { header: 'Attended', value: (b) => attendanceText(b, now) },
  ];
}

export default async function adminExportRoutes(app: FastifyInstance, { services }: { services: Services }) {
  function renderChooser(reply: FastifyReply, values: Record<string, string>, error?: FormError) {
    const hints = {
      from: 'Sessions starting on or after this date. For example, 1 3 2026',
      to: 'Sessions starting on or before this date, at most 2 years after the first date. For example, 31 3 2026',
    };
    return reply.page(
      'pages/admin/exports/exports.njk',
      {
        pageTitle: 'Exports',
        values,
        dates: DATES.map((group) =>
          dateInputParams(group, values, error?.fields[group.id], {
            legend: group.id === 'from' ? 'First date' : 'Last date',
            hint: hints[group.id],
          }),
        ),
        choices: EXPORT_CHOICES.map((value) => ({
          value,
          text: CHOICE_WORDS[value],
          checked: (values.which || 'all') === value,
        })),
        errors: error
          ? linkDateErrors(formErrors(error.fields, ['from', 'to', 'which']), DATES, values)
          : null,
      },
      error ? 400 : 200,
    );
  }

  app.get('/admin/exports', { preHandler: requireStaff('readReports') }, async (_request, reply) => {
    // From the start of this month to a month ahead: what a coordinator most often wants.
    const today = londonDate(services.clock.now());
    const firstOfMonth = `${today.slice(0, 8)}01`;
    return renderChooser(reply, {
      ...boxValues('from', firstOfMonth),
      ...boxValues('to', addDays(today, 30)),
      which: 'all',
    });
  });

  // No HEAD: it would run the export (and log a download) for nothing.
  app.get(
    '/admin/exports/bookings.csv',
    { preHandler: requireStaff('readReports'), exposeHeadRoute: false },
    async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const text = (name: string) =>
        typeof query[name] === 'string' ? (query[name] as string).slice(0, 40) : '';
      // Opened bare (a bookmark, say): the choice, not an error.
      if (!Object.keys(query).length) return renderChooser(reply, { which: 'all' });

      const values: Record<string, string> = { which: text('which') };
      const fields: Record<string, string> = {};
      const dates: Partial<Record<'from' | 'to', string>> = {};
      for (const group of DATES) {
        const names = Object.values(group.names);
        if (names.some((name) => name in query)) {
          for (const name of names) values[name] = text(name);
        } else {
          // An address written by hand or kept from elsewhere may give the
          // date in one (from=2026-03-01): read it into the boxes.
          const one = readDate(text(group.id));
          if (one) Object.assign(values, boxValues(group.id, one));
        }
        const typed = Object.fromEntries(
          DATE_INPUT_PARTS.map((part) => [part, values[group.names[part]] ?? '']),
        );
        const reading = readDateInput(typed, `The ${group.words}`);
        if (reading.kind === 'empty') fields[group.id] = `Enter the ${group.words}`;
        else if (reading.kind === 'problem') fields[group.id] = reading.message;
        else dates[group.id] = reading.date;
      }
      const { from, to } = dates;
      const which = (values.which || 'all') as ExportChoice;
      if (!EXPORT_CHOICES.includes(which)) fields.which = 'Choose which bookings to export';
      if (Object.keys(fields).length || !from || !to)
        return renderChooser(reply, values, new FormError(fields));

      let download;
      try {
        download = await services.attendance.bookingsExport({ from, to, which }, request.staffSession!.staff);
      } catch (error) {
        if (error instanceof FormError) return renderChooser(reply, values, error);
        throw error;
      }
      return sendCsv(
        reply,
        ['bookings', from, 'to', to, ...(which === 'all' ? [] : [which])],
        csvStream(columns(services.clock.now()), download.rows, (error) =>
          request.log.error({ err: error }, 'bookings export failed part-way'),
        ),
      );
    },
  );
}
