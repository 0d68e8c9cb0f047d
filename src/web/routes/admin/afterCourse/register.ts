/**
 * A session's register: the printable sign-in sheet, its CSV, and marking
 * attendance (a trainer in the room, on a phone).
 *
 *   GET  /admin/sessions/:sessionId/register      the sign-in sheet (print CSS)
 *   GET  /admin/sessions/:sessionId/register.csv  the register as a spreadsheet
 *   GET  /admin/sessions/:sessionId/attendance    marks so far, and the form once the session has begun
 *   POST /admin/sessions/:sessionId/attendance    saves the marks answered
 *   GET  /admin/sessions/:sessionId/attendance/mark-everyone
 *        asks "Are you sure?" before marking everyone not yet marked as attended
 *   POST /admin/sessions/:sessionId/attendance/mark-everyone  marks them (never changing a mark)
 *   GET  /admin/sessions/:sessionId/certificates.pdf  every certificate of attendance issued, to print
 *
 * Everyone in the back office may read a register; trainers only of their
 * own sessions (others are the ordinary 404). A reporting viewer reads
 * attendance but does not mark it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { delegateNameOrAnonymised } from '../../../../domain/accounts/accounts.js';
import { z } from 'zod';

import {
  ATTENDANCE_NOTE_MAX,
  ATTENDANCE_STATUSES,
  ATTENDANCE_WORDS,
  isAttendanceStatus,
  NOT_MARKED,
} from '../../../../domain/afterCourse/attendance.js';
import {
  formatDate,
  formatMoment,
  formatShortDate,
  formatTime,
  formatTimeRange,
  londonDate,
} from '../../../../domain/time/time.js';
import { BadRequestError, ConflictError, FormError, NotFoundError } from '../../../../errors.js';
import {
  unmarkedOnRegister,
  type MarkInput,
  type Register,
  type RegisterPart,
} from '../../../../services/afterCourse/attendanceService.js';
import type { Services } from '../../../../services/index.js';
import { csvStream, spreadsheetDateTime, type CsvColumn } from '../../../../formats/csv.js';
import { sendCsv } from '../../../formats/csvDownload.js';
import { formErrors, keepTyped, parseForm } from '../../../forms.js';
import { requireStaff } from '../auth.js';

const STATUS_FIELD = /^status-(\d{1,10})-(\d{1,10})$/;
const NOTE_FIELD = /^note-(\d{1,10})-(\d{1,10})$/;

function sessionIdOf(request: FastifyRequest): number {
  const raw = (request.params as { sessionId?: string }).sessionId ?? '';
  const id = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) throw new NotFoundError('session');
  return id;
}

function staffOf(request: FastifyRequest) {
  return request.staffSession!.staff;
}

/** "Part 1" on multi-part sessions; nothing to say on a single part. */
function partLabel(register: Register, part: RegisterPart): string {
  return register.parts.length > 1 ? `Part ${part.position}` : '';
}

/** What every register page shows about the session. */
function sessionFacts(register: Register) {
  const { session } = register;
  return {
    id: session.id,
    courseTitle: session.courseTitle,
    date: formatDate(session.startsAt),
    cancelled: session.cancelledAt
      ? { on: formatDate(session.cancelledAt), reason: session.cancellationReason }
      : null,
    where: session.venue
      ? [session.venue.name, ...session.venue.addressLines, session.venue.town, session.venue.postcode]
          .filter(Boolean)
          .join(', ')
      : 'Online',
    trainers: register.trainers.join(', '),
    trainerCount: register.trainers.length,
    parts: register.parts.map((part) => ({
      id: part.id,
      label: partLabel(register, part),
      date: formatDate(part.startsAt),
      shortDate: formatShortDate(part.startsAt),
      time: formatTimeRange(part.startsAt, part.endsAt),
    })),
  };
}

export default async function adminRegisterRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  const { attendance } = services;

  app.get(
    '/admin/sessions/:sessionId/register',
    { preHandler: requireStaff('seeSessions') },
    async (request, reply) => {
      const register = await attendance.register(sessionIdOf(request), staffOf(request));
      const session = sessionFacts(register);
      return reply.page('pages/admin/register/register.njk', {
        pageTitle: `Register: ${session.courseTitle}, ${session.date}`,
        session,
        delegates: register.delegates.map((d) => ({
          name: d.name,
          organisation: d.organisation ?? '',
          jobRole: d.jobRole,
        })),
        accessNeedsCount: register.accessNeedsCount,
        mayMark: register.mayMark,
      });
    },
  );

  // Those who mark attendance hand out what it earns. No HEAD, as for the CSV.
  app.get(
    '/admin/sessions/:sessionId/certificates.pdf',
    { preHandler: requireStaff('markAttendance'), exposeHeadRoute: false },
    async (request, reply) => {
      const file = await services.certificates.sessionCertificates(sessionIdOf(request), staffOf(request));
      return reply
        .header('Cache-Control', 'no-store')
        .header('Content-Disposition', `attachment; filename="${file.filename}"`)
        .type('application/pdf')
        .send(file.pdf);
    },
  );

  // No HEAD: it would build the file (and log a download) for nothing.
  app.get(
    '/admin/sessions/:sessionId/register.csv',
    { preHandler: requireStaff('seeSessions'), exposeHeadRoute: false },
    async (request, reply) => {
      const register = await attendance.registerForDownload(sessionIdOf(request), staffOf(request));
      const single = register.parts.length === 1;
      type Row = Register['delegates'][number];
      const columns: CsvColumn<Row>[] = [
        { header: 'Booking reference', value: (d) => d.reference },
        { header: 'Name', value: (d) => delegateNameOrAnonymised(d.name) },
        { header: 'Email', value: (d) => d.email },
        { header: 'Organisation', value: (d) => d.organisation },
        { header: 'Job role', value: (d) => d.jobRole },
        { header: 'Booked on', value: (d) => spreadsheetDateTime(d.bookedAt) },
        ...register.parts.flatMap((part): CsvColumn<Row>[] => {
          const when = `${formatShortDate(part.startsAt)} ${formatTime(part.startsAt)}`;
          const mark = (d: Row) => d.marks[part.id];
          return [
            {
              header: single ? `Attendance (${when})` : `Part ${part.position} (${when}) attendance`,
              value: (d) => {
                const m = mark(d);
                return m ? ATTENDANCE_WORDS[m.status] : NOT_MARKED;
              },
            },
            { header: single ? 'Note' : `Part ${part.position} note`, value: (d) => mark(d)?.note },
          ];
        }),
      ];
      return sendCsv(
        reply,
        ['register', register.session.courseSlug, londonDate(register.session.startsAt)],
        csvStream(columns, register.delegates, (error) =>
          request.log.error({ err: error }, 'register CSV failed'),
        ),
      );
    },
  );

  async function renderAttendance(
    request: FastifyRequest,
    reply: FastifyReply,
    register: Register,
    options: {
      typed?: Record<string, string>;
      error?: FormError;
      saved?: string;
      markedEveryone?: number;
    } = {},
  ) {
    const now = services.clock.now();
    const session = sessionFacts(register);
    const firstPart = register.parts[0];
    const fieldOrder: string[] = [];
    const delegates = register.delegates.map((d) => ({
      bookingId: d.bookingId,
      name: d.name,
      organisation: d.organisation ?? '',
      jobRole: d.jobRole,
      parts: session.parts.map((part) => {
        const mark = d.marks[part.id];
        const statusField = `status-${d.bookingId}-${part.id}`;
        const noteField = `note-${d.bookingId}-${part.id}`;
        fieldOrder.push(statusField, noteField);
        return {
          ...part,
          statusField,
          noteField,
          status: options.typed ? (options.typed[statusField] ?? '') : (mark?.status ?? ''),
          note: options.typed ? (options.typed[noteField] ?? '') : (mark?.note ?? ''),
          word: mark ? ATTENDANCE_WORDS[mark.status] : NOT_MARKED,
          savedNote: mark?.note ?? '',
          markedBy: mark
            ? `Marked by ${mark.markedBy ?? 'a former member of staff'} at ${formatMoment(mark.markedAt)}`
            : '',
        };
      }),
    }));
    const tally = register.parts.map((part) => {
      const counts = { attended: 0, partial: 0, absent: 0, unmarked: 0 };
      for (const d of register.delegates) {
        const mark = d.marks[part.id];
        if (mark) counts[mark.status] += 1;
        else counts.unmarked += 1;
      }
      return { label: partLabel(register, part), ...counts };
    });
    return reply.page(
      'pages/admin/register/attendance.njk',
      {
        pageTitle: `Attendance: ${session.courseTitle}, ${session.date}`,
        session,
        delegates,
        tally,
        tallyRows: [
          ...ATTENDANCE_STATUSES.map((key) => ({ key, text: ATTENDANCE_WORDS[key] })),
          { key: 'unmarked', text: NOT_MARKED },
        ],
        statuses: ATTENDANCE_STATUSES.map((value) => ({ value, text: ATTENDANCE_WORDS[value] })),
        noteMax: ATTENDANCE_NOTE_MAX,
        mayMark: register.mayMark,
        markingOpen: register.markingOpen,
        showForm: register.mayMark && register.markingOpen && register.delegates.length > 0,
        anyMarks: register.delegates.some((d) => Object.keys(d.marks).length > 0),
        opensAt: firstPart && now < firstPart.startsAt ? formatMoment(firstPart.startsAt) : null,
        saved: options.saved,
        markedEveryone:
          options.markedEveryone === undefined
            ? null
            : `${options.markedEveryone} ${options.markedEveryone === 1 ? 'delegate' : 'delegates'} marked as attended`,
        unmarkedCount: unmarkedOnRegister(register, now).delegates.length,
        errors: options.error ? formErrors(options.error.fields, fieldOrder) : null,
        csrfToken: reply.generateCsrf(),
      },
      options.error ? 400 : 200,
    );
  }

  app.get(
    '/admin/sessions/:sessionId/attendance',
    { preHandler: requireStaff('seeSessions') },
    async (request, reply) => {
      const register = await attendance.register(sessionIdOf(request), staffOf(request));
      const { saved, marked } = request.query as Record<string, unknown>;
      return renderAttendance(request, reply, register, {
        ...(saved === '1' || saved === '0' ? { saved } : {}),
        ...(typeof marked === 'string' && /^\d{1,5}$/.test(marked) ? { markedEveryone: Number(marked) } : {}),
      });
    },
  );

  app.post(
    '/admin/sessions/:sessionId/attendance',
    { preHandler: [app.csrfProtection, requireStaff('markAttendance')] },
    async (request, reply) => {
      const sessionId = sessionIdOf(request);
      const staff = staffOf(request);
      const register = await attendance.register(sessionId, staff);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const typed = keepTyped(body);
      try {
        parseForm(z.record(z.string(), z.unknown()), body);
      } catch (error) {
        if (error instanceof FormError) return renderAttendance(request, reply, register, { typed, error });
        throw error;
      }

      const names = new Map(register.delegates.map((d) => [d.bookingId, d]));
      const partsById = new Map(register.parts.map((p) => [p.id, p]));
      const describe = (bookingId: number, partId: number) => {
        const part = partsById.get(partId);
        const name = names.get(bookingId)?.name ?? 'this delegate';
        return register.parts.length > 1 && part ? `${name} (part ${part.position})` : name;
      };

      const marks = new Map<string, MarkInput>();
      const fields: Record<string, string> = {};
      for (const [key, value] of Object.entries(body)) {
        const match = STATUS_FIELD.exec(key);
        if (!match) continue;
        // Only a form that was tampered with sends anything else.
        if (!isAttendanceStatus(value)) {
          throw new BadRequestError('Attendance is attended, partly attended or did not attend.');
        }
        const bookingId = Number(match[1]);
        const partId = Number(match[2]);
        marks.set(`${bookingId}-${partId}`, { bookingId, partId, status: value, note: '' });
      }
      for (const [key, value] of Object.entries(body)) {
        const match = NOTE_FIELD.exec(key);
        if (!match || typeof value !== 'string') continue;
        const note = value.trim().replace(/\s+/g, ' ');
        const bookingId = Number(match[1]);
        const partId = Number(match[2]);
        const mark = marks.get(`${bookingId}-${partId}`);
        if (note.length > ATTENDANCE_NOTE_MAX) {
          fields[key] =
            `The note for ${describe(bookingId, partId)} must be ${ATTENDANCE_NOTE_MAX} characters or fewer`;
        } else if (note && !mark) {
          fields[`status-${bookingId}-${partId}`] =
            `Choose whether ${describe(bookingId, partId)} attended, or clear the note`;
        } else if (mark) {
          mark.note = note;
        }
      }
      if (Object.keys(fields).length) {
        return renderAttendance(request, reply, register, { typed, error: new FormError(fields) });
      }

      const outcome = await attendance.mark(sessionId, staff, [...marks.values()]);
      const changed = outcome.marked + outcome.corrected > 0 ? '1' : '0';
      return reply.redirect(`/admin/sessions/${sessionId}/attendance?saved=${changed}`, 303);
    },
  );

  // ----- marking everyone not yet marked as attended -----

  function renderMarkEveryone(
    reply: FastifyReply,
    register: Register,
    options: { changedSince?: boolean; closedBecause?: string } = {},
  ) {
    const session = sessionFacts(register);
    const now = services.clock.now();
    const { delegates, parts, notBegun } = unmarkedOnRegister(register, now);
    const multi = register.parts.length > 1;
    const positions = parts.map((part) => `part ${part.position}`);
    const closedBecause =
      options.closedBecause ??
      (session.cancelled
        ? `This session was cancelled on ${session.cancelled.on}, so there is no attendance to mark.`
        : !register.markingOpen && register.parts[0]
          ? `You can mark attendance from ${formatMoment(register.parts[0].startsAt)}, when the session starts.`
          : null);
    return reply.page(
      'pages/admin/register/mark-everyone.njk',
      {
        pageTitle: closedBecause
          ? 'There is no attendance to mark yet'
          : delegates.length
            ? `Mark ${delegates.length} ${delegates.length === 1 ? 'delegate' : 'delegates'} as attended?`
            : 'Everyone is already marked',
        session,
        count: closedBecause ? 0 : delegates.length,
        names: delegates.map((d) => d.name),
        partWords: multi
          ? positions.length > 1
            ? `${positions.slice(0, -1).join(', ')} and ${positions.at(-1)}`
            : positions[0]
          : '',
        laterParts:
          multi && notBegun.length
            ? `${notBegun.map((part) => `Part ${part.position}`).join(' and ')} ${notBegun.length === 1 ? 'has' : 'have'} not started yet, so ${notBegun.length === 1 ? 'it stays' : 'they stay'} unmarked.`
            : '',
        closedBecause,
        changedSince: options.changedSince ?? false,
        csrfToken: reply.generateCsrf(),
      },
      options.changedSince || options.closedBecause ? 409 : 200,
    );
  }

  app.get(
    '/admin/sessions/:sessionId/attendance/mark-everyone',
    { preHandler: requireStaff('markAttendance') },
    async (request, reply) => {
      const register = await attendance.register(sessionIdOf(request), staffOf(request));
      return renderMarkEveryone(reply, register);
    },
  );

  app.post(
    '/admin/sessions/:sessionId/attendance/mark-everyone',
    { preHandler: [app.csrfProtection, requireStaff('markAttendance')] },
    async (request, reply) => {
      const sessionId = sessionIdOf(request);
      const staff = staffOf(request);
      const count = ((request.body ?? {}) as Record<string, unknown>).count;
      // Only a form that was tampered with sends anything else.
      if (typeof count !== 'string' || !/^\d{1,5}$/.test(count)) {
        throw new BadRequestError('Confirm how many delegates to mark from the attendance page.');
      }
      let outcome;
      try {
        outcome = await attendance.markUnmarkedAttended(sessionId, staff, Number(count));
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        const register = await attendance.register(sessionId, staff);
        return renderMarkEveryone(reply, register, { closedBecause: error.message });
      }
      if ('askAgain' in outcome) {
        const register = await attendance.register(sessionId, staff);
        return renderMarkEveryone(reply, register, { changedSince: true });
      }
      const done = outcome.marked ? `?marked=${outcome.marked}` : '';
      return reply.redirect(`/admin/sessions/${sessionId}/attendance${done}`, 303);
    },
  );
}
