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

import { BOOKING_STATE_WORDS } from '../../../domain/availability.js';
import { ORGANISATION_TYPE_NAMES } from '../../../domain/organisation.js';
import { addDays, londonDate } from '../../../domain/time.js';
import { FormError } from '../../../errors.js';
import type { OrganisationType } from '../../../data/schema.js';
import { ATTENDANCE_WORDS, NOT_MARKED } from '../../../domain/attendance.js';
import {
  EXPORT_CHOICES,
  type ExportChoice,
  type ExportedBooking,
} from '../../../services/attendanceService.js';
import type { Services } from '../../../services/index.js';
import { csvStream, spreadsheetDateTime, spreadsheetTime, type CsvColumn } from '../../../formats/csv.js';
import { sendCsv } from '../../formats/csvDownload.js';
import { formErrors } from '../../forms.js';
import { requireStaff } from './auth.js';

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

/** Whether a YYYY-MM-DD date is on the calendar (not 30 February). */
function isRealDate(date: string): boolean {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(year, month - 1, day));
  return probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
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
    { header: 'Delegate name', value: (b) => b.delegateName },
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
    return reply.page(
      'pages/admin/exports/exports.njk',
      {
        pageTitle: 'Exports',
        values,
        choices: EXPORT_CHOICES.map((value) => ({
          value,
          text: CHOICE_WORDS[value],
          checked: (values.which || 'all') === value,
        })),
        errors: error ? formErrors(error.fields, ['from', 'to', 'which']) : null,
      },
      error ? 400 : 200,
    );
  }

  app.get('/admin/exports', { preHandler: requireStaff('readReports') }, async (_request, reply) => {
    // From the start of this month to a month ahead: what a coordinator most often wants.
    const today = londonDate(services.clock.now());
    const firstOfMonth = `${today.slice(0, 8)}01`;
    return renderChooser(reply, { from: firstOfMonth, to: addDays(today, 30), which: 'all' });
  });

  // No HEAD: it would run the export (and log a download) for nothing.
  app.get(
    '/admin/exports/bookings.csv',
    { preHandler: requireStaff('readReports'), exposeHeadRoute: false },
    async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const text = (name: string) =>
        typeof query[name] === 'string' ? (query[name] as string).slice(0, 40) : '';
      const values = { from: text('from'), to: text('to'), which: text('which') };
      // Opened bare (a bookmark, say): the choice, not an error.
      if (!Object.keys(query).length) return renderChooser(reply, { which: 'all' });

      const fields: Record<string, string> = {};
      const from = readDate(values.from);
      const to = readDate(values.to);
      if (!values.from.trim()) fields.from = 'Enter the first date';
      else if (!from) fields.from = 'Enter the first date like 2026-03-01';
      else if (!isRealDate(from)) fields.from = 'Enter a real first date, like 2026-03-01';
      if (!values.to.trim()) fields.to = 'Enter the last date';
      else if (!to) fields.to = 'Enter the last date like 2026-03-31';
      else if (!isRealDate(to)) fields.to = 'Enter a real last date, like 2026-03-31';
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
