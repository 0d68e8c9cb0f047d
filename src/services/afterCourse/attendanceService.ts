/**
 * Registers and attendance: who is expected at each part of a session,
 * marking attended, partial or absent (a trainer in the room, on a phone),
 * corrections audited; and the CSV exports, each download audited because
 * staff reading personal data in bulk should leave a trace.
 */
import { AttendanceRepository } from '../../data/repositories/attendanceRepository.js';
import { recordAudit } from '../../data/repositories/auditRecords.js';
import { AttendanceExportRepository } from '../../data/repositories/attendanceExportRepository.js';
import type { Instant } from '../../data/schema.js';
import {
  ATTENDANCE_NOTE_MAX,
  isAttendanceStatus,
  markingOpen,
  ON_REGISTER,
  surnameKey,
  type AttendanceStatus,
} from '../../domain/afterCourse/attendance.js';
import type { BookingState } from '../../domain/programme/availability.js';
import { holds, maySeeSession } from '../../domain/accounts/permissions.js';
import type { StaffRole } from '../../domain/accounts/staff.js';
import { addDays, formatMoment, InvalidLocalTimeError, londonToInstant } from '../../domain/time/time.js';
import { BadRequestError, ConflictError, FormError, NotFoundError } from '../../errors.js';
import type { Executor } from '../../data/schema.js';
import { CertificateIssuing } from '../afterCourse/certificateIssuing.js';
import type { ServiceDeps } from '../deps.js';
import type { MailContext } from '../email/notifications.js';

/** Who is asking: what they may see and do depends on it. */
export interface StaffMember {
  id: number;
  role: StaffRole;
  /** A trainer sees only sessions this trainer teaches. */
  trainerId: number | null;
}

export interface RegisterPart {
  id: number;
  /** 1 for the first part. */
  position: number;
  startsAt: Date;
  endsAt: Date;
}

export interface RegisterMark {
  status: AttendanceStatus;
  note: string;
  markedAt: Date;
  /** Null when the staff account that marked it has since gone. */
  markedBy: string | null;
}

export interface RegisterEntry {
  bookingId: number;
  reference: string;
  name: string;
  email: string;
  organisation: string | null;
  jobRole: string;
  bookedAt: Date;
  /** Part id → its mark; parts not yet marked are absent. */
  marks: Record<number, RegisterMark>;
}

export interface Register {
  session: {
    id: number;
    courseTitle: string;
    courseSlug: string;
    format: string;
    startsAt: Date;
    endsAt: Date;
    cancelledAt: Date | null;
    cancellationReason: string | null;
    venue: { name: string; addressLines: string[]; town: string; postcode: string | null } | null;
  };
  parts: RegisterPart[];
  trainers: string[];
  /** Delegates with a confirmed place, by surname. */
  delegates: RegisterEntry[];
  /** How many told us of access needs; null when this person is not to be told. */
  accessNeedsCount: number | null;
  /** Whether this person's role marks attendance at all (a viewer only reads). */
  mayMark: boolean;
  /** Whether marking is open now: the session has begun and is not cancelled. */
  markingOpen: boolean;
}

export interface MarkInput {
  bookingId: number;
  partId: number;
  status: AttendanceStatus;
  note: string;
}

export interface MarkOutcome {
  /** Marks made for the first time. */
  marked: number;
  /** Marks that replaced a different one. */
  corrected: number;
}

/** Which bookings an export holds. */
export const EXPORT_CHOICES = ['all', 'confirmed', 'waiting', 'cancelled'] as const;
export type ExportChoice = (typeof EXPORT_CHOICES)[number];

const EXPORT_STATES: Record<ExportChoice, readonly BookingState[]> = {
  all: ['confirmed', 'waitlisted', 'offered', 'cancelled', 'attended', 'partial', 'did_not_attend'],
  confirmed: ON_REGISTER,
  // Offered places are still the waiting list's until accepted.
  waiting: ['waitlisted', 'offered'],
  cancelled: ['cancelled'],
};

/** An export covers at most this many days: enough for two years, not a whole history at once. */
export const EXPORT_MAX_DAYS = 731;
/** Bookings read from the database per batch while an export streams. */
export const EXPORT_BATCH = 1_000;

export interface BookingsExportRequest {
  /** London dates, YYYY-MM-DD, both included: sessions starting on these days. */
  from: string;
  to: string;
  which: ExportChoice;
}

export interface ExportedBooking {
  reference: string;
  courseTitle: string;
  sessionStartsAt: Date;
  sessionCancelled: boolean;
  /** The venue's name and town, or null for an online session. */
  venue: string | null;
  format: string;
  delegateName: string;
  email: string;
  organisation: string | null;
  organisationType: string | null;
  jobRole: string;
  state: BookingState;
  bookedAt: Date;
  cancelledAt: Date | null;
  cancelledBy: 'delegate' | 'hub' | 'system' | null;
  cancellationReason: string | null;
  /** One entry per part of the session: its mark, or null when unmarked. */
  attendance: (AttendanceStatus | null)[];
}

export interface BookingsExport {
  /** How many bookings the export holds (counted as it began). */
  count: number;
  rows: AsyncIterable<ExportedBooking>;
}

export class AttendanceService {
  private readonly registers: AttendanceRepository;
  private readonly exports: AttendanceExportRepository;
  private readonly certificates: CertificateIssuing;

  constructor(private readonly deps: ServiceDeps) {
    this.registers = new AttendanceRepository(deps.db);
    this.exports = new AttendanceExportRepository(deps.db);
    this.certificates = new CertificateIssuing(deps.mail);
  }

  /** A session's register as `staff` may see it; NotFoundError for a session not theirs. */
  async register(sessionId: number, staff: StaffMember): Promise<Register> {
    const session = await this.registers.findSession(sessionId);
    if (!session) throw new NotFoundError('session');
    const [parts, trainers, bookings, marks] = await Promise.all([
      this.registers.parts(sessionId),
      this.registers.trainers(sessionId),
      this.registers.registerBookings(sessionId),
      this.registers.marks(sessionId),
    ]);
    const teachesIt = trainers.some((trainer) => trainer.id === staff.trainerId);
    if (!maySeeSession(staff, teachesIt)) throw new NotFoundError('session');

    const marksByBooking = new Map<number, Record<number, RegisterMark>>();
    for (const mark of marks) {
      const entry = marksByBooking.get(mark.booking_id) ?? {};
      entry[mark.session_part_id] = {
        status: mark.status,
        note: mark.note,
        markedAt: new Date(mark.marked_at),
        markedBy: mark.marked_by_name,
      };
      marksByBooking.set(mark.booking_id, entry);
    }
    const delegates = bookings
      .map((booking) => ({
        key: surnameKey(booking.name),
        entry: {
          bookingId: booking.id,
          reference: booking.reference,
          name: booking.name,
          email: booking.email,
          organisation: booking.organisation_name,
          jobRole: booking.job_role,
          bookedAt: new Date(booking.created_at),
          marks: marksByBooking.get(booking.id) ?? {},
        },
      }))
      .sort((a, b) => a.key.localeCompare(b.key, 'en-GB') || a.entry.bookingId - b.entry.bookingId)
      .map(({ entry }) => entry);

    const firstPart = parts[0];
    const cancelled = session.cancelled_at !== null;
    return {
      session: {
        id: session.id,
        courseTitle: session.course_title,
        courseSlug: session.course_slug,
        format: session.format,
        startsAt: new Date(session.starts_at),
        endsAt: new Date(session.ends_at),
        cancelledAt: cancelled ? new Date(session.cancelled_at as Instant) : null,
        cancellationReason: session.cancellation_reason,
        venue: session.venue_name
          ? {
              name: session.venue_name,
              addressLines: (session.venue_address_lines ?? '').split('\n').filter(Boolean),
              town: session.venue_town ?? '',
              postcode: session.venue_postcode,
            }
          : null,
      },
      // Positions are stored from 0; people count parts from 1.
      parts: parts.map((part, index) => ({
        id: part.id,
        position: index + 1,
        startsAt: new Date(part.starts_at),
        endsAt: new Date(part.ends_at),
      })),
      trainers: trainers.map((trainer) => trainer.name),
      delegates,
      accessNeedsCount: holds(staff.role, 'seeAccessNeeds')
        ? bookings.filter((booking) => Number(booking.has_access_needs) === 1).length
        : null,
      mayMark: holds(staff.role, 'markAttendance'),
      markingOpen:
        !cancelled &&
        firstPart !== undefined &&
        markingOpen(new Date(firstPart.starts_at), this.deps.clock.now()),
    };
  }

  /** The register for a CSV download, leaving an entry in the audit log. */
  async registerForDownload(sessionId: number, staff: StaffMember): Promise<Register> {
    const register = await this.register(sessionId, staff);
    await recordAudit(
      this.deps.db,
      {
        actorType: 'staff',
        actorId: staff.id,
        action: 'export_downloaded',
        entityType: 'session',
        entityId: sessionId,
        details: { export: 'register', bookings: register.delegates.length },
      },
      this.deps.clock.now(),
    );
    return register;
  }

  /**
   * Saves the marks given (parts left unanswered stay as they were). A mark
   * for the first time is audited as `attendance_marked`; a different one
   * replacing it as `attendance_corrected`, with before and after. Saving
   * the same again changes nothing and is not audited.
   */
  async mark(sessionId: number, staff: StaffMember, marks: readonly MarkInput[]): Promise<MarkOutcome> {
    const register = await this.registerToMark(sessionId, staff);
    const bookingIds = new Set(register.delegates.map((d) => d.bookingId));
    const partIds = new Set(register.parts.map((p) => p.id));
    for (const mark of marks) {
      if (!bookingIds.has(mark.bookingId)) {
        throw new BadRequestError('That delegate is not on this session’s register.');
      }
      if (!partIds.has(mark.partId)) throw new BadRequestError('That part is not a part of this session.');
      if (!isAttendanceStatus(mark.status)) {
        throw new BadRequestError('Attendance is attended, partly attended or did not attend.');
      }
      if (mark.note.length > ATTENDANCE_NOTE_MAX) {
        throw new BadRequestError(`A note is at most ${ATTENDANCE_NOTE_MAX} characters.`);
      }
    }

    const now = this.deps.clock.now();
    const ctx = await this.deps.context();
    return this.deps.sessionLock.forSession(sessionId, async (trx) => {
      const repository = new AttendanceRepository(trx);
      const existing = await this.marksUnderLock(repository, sessionId);
      return this.writeMarks(trx, ctx, register, staff, marks, existing, now);
    });
  }

  /**
   * Marks everyone on the register who has no mark yet (for each part that
   * has begun) as attended, never changing a mark someone made; audited as
   * any first mark is. `expected` is how many delegates the person was told
   * would be marked: if the register has changed since, nothing is saved and
   * the number now is returned, to ask again.
   */
  async markUnmarkedAttended(
    sessionId: number,
    staff: StaffMember,
    expected: number,
  ): Promise<{ marked: number } | { askAgain: number }> {
    const register = await this.registerToMark(sessionId, staff);
    const now = this.deps.clock.now();
    const ctx = await this.deps.context();
    return this.deps.sessionLock.forSession(sessionId, async (trx) => {
      const repository = new AttendanceRepository(trx);
      const existing = await this.marksUnderLock(repository, sessionId);
      const onRegister = (await repository.registerBookings(sessionId)).map((b) => b.id);
      const unmarked = unmarkedParts(onRegister, register.parts, existing, now);
      const delegates = new Set(unmarked.map((m) => m.bookingId)).size;
      if (delegates !== expected) return { askAgain: delegates };
      const marks = unmarked.map((m) => ({ ...m, status: 'attended' as const, note: '' }));
      await this.writeMarks(trx, ctx, register, staff, marks, existing, now);
      return { marked: delegates };
    });
  }

  /** The register, when `staff` may mark it now; NotFoundError or ConflictError otherwise. */
  private async registerToMark(sessionId: number, staff: StaffMember): Promise<Register> {
    if (!holds(staff.role, 'markAttendance')) throw new NotFoundError('session');
    const register = await this.register(sessionId, staff);
    if (register.session.cancelledAt) {
      throw new ConflictError('This session was cancelled, so there is no attendance to mark.');
    }
    const firstPart = register.parts[0];
    if (!firstPart || !register.markingOpen) {
      throw new ConflictError(
        firstPart
          ? `Attendance can be marked from ${formatMoment(firstPart.startsAt)}, when the session starts.`
          : 'This session has no parts to mark.',
      );
    }
    return register;
  }

  /**
   * The marks as they are, read under the session's lock, so two people
   * saving at once each audit what they really replaced, and a cancellation
   * in between is seen.
   */
  private async marksUnderLock(repository: AttendanceRepository, sessionId: number) {
    const session = await repository.findSession(sessionId);
    if (!session || session.cancelled_at) {
      throw new ConflictError('This session was cancelled, so there is no attendance to mark.');
    }
    return new Map(
      (await repository.marks(sessionId)).map((m) => [`${m.booking_id}:${m.session_part_id}`, m]),
    );
  }

  /**
   * Saves the marks that differ from `existing`, auditing first marks and
   * corrections, and brings the certificates of the bookings marked into
   * line with their marks (issued, or withdrawn and issued afresh).
   */
  private async writeMarks(
    trx: Executor,
    ctx: MailContext,
    register: Register,
    staff: StaffMember,
    marks: readonly MarkInput[],
    existing: Map<string, { status: AttendanceStatus; note: string }>,
    now: Date,
  ): Promise<MarkOutcome> {
    const sessionId = register.session.id;
    const position = new Map(register.parts.map((p) => [p.id, p.position]));
    const repository = new AttendanceRepository(trx);
    const byBooking = new Map<number, { first: unknown[]; changed: unknown[] }>();
    const outcome: MarkOutcome = { marked: 0, corrected: 0 };
    for (const mark of marks) {
      const before = existing.get(`${mark.bookingId}:${mark.partId}`);
      if (before && before.status === mark.status && before.note === mark.note) continue;
      await repository.saveMark(mark, staff.id, now.toISOString());
      const changes = byBooking.get(mark.bookingId) ?? { first: [], changed: [] };
      const part = { partId: mark.partId, part: position.get(mark.partId) };
      if (before) {
        // Notes can be personal ("left unwell"): the log says that one
        // changed, and the page keeps the words.
        changes.changed.push({
          ...part,
          before: before.status,
          after: mark.status,
          ...(before.note !== mark.note ? { noteChanged: true } : {}),
        });
        outcome.corrected += 1;
      } else {
        changes.first.push({ ...part, status: mark.status, ...(mark.note ? { withNote: true } : {}) });
        outcome.marked += 1;
      }
      byBooking.set(mark.bookingId, changes);
    }
    for (const [bookingId, changes] of byBooking) {
      const entry = {
        actorType: 'staff' as const,
        actorId: staff.id,
        entityType: 'booking',
        entityId: bookingId,
      };
      if (changes.first.length) {
        await recordAudit(
          trx,
          { ...entry, action: 'attendance_marked', details: { sessionId, parts: changes.first } },
          now,
        );
      }
      if (changes.changed.length) {
        await recordAudit(
          trx,
          { ...entry, action: 'attendance_corrected', details: { sessionId, parts: changes.changed } },
          now,
        );
      }
    }
    await this.certificates.review(trx, ctx, [...byBooking.keys()], { type: 'staff', id: staff.id }, now);
    // "Did not attend" proposes a charge for a person to review; a correction withdraws it.
    await this.deps.chargeProposals.afterMarks(
      trx,
      ctx,
      [...byBooking.keys()],
      { type: 'staff', id: staff.id },
      now,
    );
    // Absent from every part: the line manager is told, where the policy says (once a booking).
    for (const bookingId of byBooking.keys()) {
      const status = (partId: number) =>
        marks.find((m) => m.bookingId === bookingId && m.partId === partId)?.status ??
        existing.get(`${bookingId}:${partId}`)?.status;
      if (register.parts.length && register.parts.every((p) => status(p.id) === 'absent')) {
        await this.deps.mail.lineManagerTold(trx, ctx, bookingId, 'not_attended');
      }
    }
    return outcome;
  }

  /**
   * Every booking on sessions starting between two London dates (both
   * included), read in batches as the caller consumes them. The download is
   * audited (which export and its range; no personal data) before it begins.
   * Throws FormError, by field, for dates that are not real, out of order or
   * too far apart.
   */
  async bookingsExport(request: BookingsExportRequest, staff: StaffMember): Promise<BookingsExport> {
    const { from, to } = exportRange(request);
    const states = EXPORT_STATES[request.which];
    const sessions = await this.exports.sessionsStartingBetween(from, to, states);
    const count = sessions.reduce((sum, session) => sum + session.bookings, 0);
    await recordAudit(
      this.deps.db,
      {
        actorType: 'staff',
        actorId: staff.id,
        action: 'export_downloaded',
        entityType: 'export',
        // Not one record but a range of them: the details say which.
        entityId: 0,
        details: {
          export: 'bookings',
          from: request.from,
          to: request.to,
          which: request.which,
          bookings: count,
        },
      },
      this.deps.clock.now(),
    );
    return { count, rows: this.exportRows(sessions, states) };
  }

  /**
   * The export's rows, one database batch at a time: the next batch is
   * asked for as soon as this one arrives, so PostgreSQL reads it while
   * this one is written out (at most two batches are held at once).
   */
  private async *exportRows(
    sessions: Awaited<ReturnType<AttendanceExportRepository['sessionsStartingBetween']>>,
    states: readonly BookingState[],
  ): AsyncGenerator<ExportedBooking> {
    const pages = this.exportPages(sessions, states);
    let pending = pages.next();
    try {
      for (;;) {
        const page = await pending;
        if (page.done) return;
        pending = pages.next();
        yield* page.value;
      }
    } finally {
      // The download stopped early (the browser went away): let the batch
      // being read finish quietly, then stop.
      pending.catch(() => undefined);
      await pages.return(undefined).catch(() => undefined);
    }
  }

  private async *exportPages(
    sessions: Awaited<ReturnType<AttendanceExportRepository['sessionsStartingBetween']>>,
    states: readonly BookingState[],
  ): AsyncGenerator<ExportedBooking[]> {
    // Sessions in date order, gathered into batches of about EXPORT_BATCH
    // bookings; a session larger than that is read a batch at a time alone.
    let index = 0;
    while (index < sessions.length) {
      const batch = [sessions[index]!];
      let size = batch[0]!.bookings;
      index += 1;
      while (index < sessions.length && size + sessions[index]!.bookings <= EXPORT_BATCH) {
        size += sessions[index]!.bookings;
        batch.push(sessions[index]!);
        index += 1;
      }
      const ids = batch.map((s) => s.id);
      const alone = batch.length === 1;
      const [parts, markRows, firstPage] = await Promise.all([
        this.exports.partsOf(ids),
        this.exports.marksOf(ids),
        alone
          ? this.exports.bookingsOf(ids, states, { afterId: 0, limit: EXPORT_BATCH })
          : this.exports.bookingsOf(ids, states),
      ]);
      // Each part's place in its session (parts come in order, session by session).
      const partIndex = new Map<number, number>();
      const seen = new Map<number, number>();
      for (const part of parts) {
        const index = seen.get(part.session_id) ?? 0;
        partIndex.set(part.id, index);
        seen.set(part.session_id, index + 1);
      }
      const marks = new Map<number, (AttendanceStatus | null)[]>();
      for (const mark of markRows) {
        const index = partIndex.get(mark.session_part_id);
        if (index === undefined) continue;
        const list = marks.get(mark.booking_id) ?? [];
        list[index] = mark.status;
        marks.set(mark.booking_id, list);
      }
      const bySession = new Map(batch.map((s) => [s.id, s]));
      const exported = (row: (typeof firstPage)[number]): ExportedBooking => {
        const session = bySession.get(row.session_id)!;
        const partMarks = marks.get(row.id) ?? [];
        return {
          reference: row.reference,
          courseTitle: session.course_title,
          sessionStartsAt: new Date(session.starts_at),
          sessionCancelled: session.cancelled_at !== null,
          venue: session.venue_name
            ? [session.venue_name, session.venue_town].filter(Boolean).join(', ')
            : null,
          format: session.format,
          delegateName: row.name,
          email: row.email,
          organisation: row.organisation_name,
          organisationType: row.organisation_type,
          jobRole: row.job_role,
          state: row.state,
          bookedAt: new Date(row.created_at),
          cancelledAt: row.cancelled_at ? new Date(row.cancelled_at) : null,
          cancelledBy: row.cancelled_by,
          cancellationReason: row.cancellation_reason,
          attendance: Array.from({ length: session.parts }, (_, i) => partMarks[i] ?? null),
        };
      };

      if (!alone) {
        // The database returns them by session id; the export reads by date.
        yield inDateOrder(ids, firstPage).map(exported);
        continue;
      }
      let page = firstPage;
      for (;;) {
        if (page.length) yield page.map(exported);
        if (page.length < EXPORT_BATCH) break;
        page = await this.exports.bookingsOf(ids, states, {
          afterId: page[page.length - 1]!.id,
          limit: EXPORT_BATCH,
        });
      }
    }
  }
}

/**
 * The instants an export's London dates cover: from the first day's
 * midnight to the midnight after the last. FormError by field otherwise.
 */
export function exportRange(request: { from: string; to: string }): { from: Instant; to: Instant } {
  const fields: Record<string, string> = {};
  const midnight = (date: string, field: 'from' | 'to', words: string) => {
    try {
      return londonToInstant(date, '00:00');
    } catch (error) {
      if (!(error instanceof InvalidLocalTimeError)) throw error;
      fields[field] = `Enter a real ${words}, like 2026-03-01`;
      return null;
    }
  };
  const from = midnight(request.from, 'from', 'first date');
  const end = midnight(request.to, 'to', 'last date');
  if (from && end) {
    // Calendar days, whatever the clocks did in between.
    const days = (Date.parse(`${request.to}T00:00Z`) - Date.parse(`${request.from}T00:00Z`)) / 86_400_000 + 1;
    if (days < 1) fields.to = 'The last date must be the same as or after the first date';
    else if (days > EXPORT_MAX_DAYS) {
      fields.to = 'Choose dates at most 2 years apart: export a longer period in parts';
    }
  }
  if (Object.keys(fields).length || !from || !end) throw new FormError(fields);
  const after = londonToInstant(addDays(request.to, 1), '00:00');
  return { from: from.toISOString(), to: after.toISOString() };
}

/** Rows read by session id, put back in the sessions' (date) order. */
function inDateOrder<T extends { session_id: number }>(
  sessionIds: readonly number[],
  rows: readonly T[],
): T[] {
  const bySession = new Map<number, T[]>();
  for (const row of rows) {
    const list = bySession.get(row.session_id) ?? [];
    list.push(row);
    bySession.set(row.session_id, list);
  }
  return sessionIds.flatMap((id) => bySession.get(id) ?? []);
}

/**
 * The parts (begun by `now`) of bookings on the register that nobody has
 * marked: what marking everyone not yet marked as attended would mark.
 */
export function unmarkedParts(
  bookingIds: readonly number[],
  parts: readonly RegisterPart[],
  marked: { has(key: string): boolean },
  now: Date,
): { bookingId: number; partId: number }[] {
  const begun = parts.filter((part) => part.startsAt <= now);
  return bookingIds.flatMap((bookingId) =>
    begun
      .filter((part) => !marked.has(`${bookingId}:${part.id}`))
      .map((part) => ({ bookingId, partId: part.id })),
  );
}

/**
 * What marking everyone not yet marked as attended would do now: the
 * delegates it would mark, the parts it would mark (those begun) and those
 * it leaves (not begun yet).
 */
export function unmarkedOnRegister(register: Register, now: Date) {
  const marked = new Set(
    register.delegates.flatMap((d) => Object.keys(d.marks).map((partId) => `${d.bookingId}:${partId}`)),
  );
  const unmarked = unmarkedParts(
    register.delegates.map((d) => d.bookingId),
    register.parts,
    marked,
    now,
  );
  const bookings = new Set(unmarked.map((m) => m.bookingId));
  const partIds = new Set(unmarked.map((m) => m.partId));
  return {
    delegates: register.delegates.filter((d) => bookings.has(d.bookingId)),
    parts: register.parts.filter((part) => partIds.has(part.id)),
    notBegun: register.parts.filter((part) => part.startsAt > now),
  };
}
