/**
 * Scheduling sessions for coordinators: the session list, new sessions with their parts, changes of date, time, venue or capacity (emailing booked delegates an updated calendar file), and cancelling a whole session.
 *
 * Every change to a session's places (capacity, cancelling) runs inside the
 * booking service's session lock, so it never races a delegate booking; the
 * emails a change causes and its audit entries are written in that same
 * transaction, so they exist exactly when the change does.
 */
import { recordAudit } from '../../data/repositories/auditRecords.js';
import { BookingRecords } from '../../data/repositories/bookings/bookingRecords.js';
import { PriceRecords } from '../../data/repositories/charges/priceRecords.js';
import { ProgrammeRecords } from '../../data/repositories/programmeRecords.js';
import {
  SessionAdminRepository,
  type BookingCounts,
  type SessionListState,
} from '../../data/repositories/sessionAdminRepository.js';
import { SESSION_FORMAT_LABELS, type SessionFormat } from '../../domain/programme/course.js';
import {
  effectivePrices,
  orderedPrices,
  priceFormValues,
  priceSummary,
  readPriceFields,
} from '../../domain/charges/prices.js';
import { DATE_INPUT_PARTS, dateInputValues } from '../../domain/time/dateInput.js';
import type { SessionPartTimes } from '../../domain/programme/session.js';
import {
  momentDateName,
  partFieldId,
  partFieldName,
  readScheduleForm,
  type ScheduleValues,
} from '../../domain/programme/sessionSchedule.js';
import type { StaffRole } from '../../domain/accounts/staff.js';
import { seesOnlyOwnSessions, sessionsTaughtBy } from '../../domain/accounts/permissions.js';
import { formatDate, formatMoment, formatShortDate, formatTime, londonDate } from '../../domain/time/time.js';
import { sessionChanged, sessionCancelled, type SessionChangeLine } from '../../emails/index.js';
import { sessionView } from '../../emails/facts.js';
import { ConflictError, FormError, NotFoundError } from '../../errors.js';
import { sessionCalendar } from '../../formats/calendar.js';
import type { Executor } from '../../data/schema.js';
import { PrivateLinks } from '../accounts/privateLinks.js';
import type { ServiceDeps } from '../deps.js';
import type { MailContext } from '../email/notifications.js';

/** Who is asking: trainers see only the sessions they teach. */
export interface StaffActor {
  id: number;
  role: StaffRole;
  trainerId: number | null;
}

export interface SessionListQuery {
  state: SessionListState;
  from?: Date;
  to?: Date;
  courseId?: number;
  venueId?: number | 'online';
  trainerId?: number;
  words: string[];
  page: number;
}

export const SESSIONS_PER_PAGE = 50;

/** The reasons offered on the cancel page; "other" asks for words of the coordinator's own. */
export const CANCELLATION_REASONS = {
  trainer: 'The trainer is unavailable',
  bookings: 'Too few bookings',
  venue: 'The venue is unavailable',
} as const;

type SessionRow = NonNullable<Awaited<ReturnType<SessionAdminRepository['session']>>>;

/** How staff name a session in the place it happens. */
function describeWhere(
  format: SessionFormat,
  venue: { name: string | null; town: string | null; address?: string[] } | null,
): string {
  const place = venue?.name
    ? [venue.name, ...(venue.address ?? []), venue.town].filter(Boolean).join(', ')
    : '';
  if (format === 'online' || !place) return 'Online';
  return format === 'hybrid' ? `${place}, or online` : place;
}

/** The venue's street address lines, without town and postcode. */
function venueAddress(row: SessionRow): string[] {
  return (row.venue_address_lines ?? '').split('\n').filter((line) => line.trim() !== '');
}

/** The venue's whole address: street lines, town, postcode. */
function venueFullAddress(row: SessionRow): string[] {
  return [...venueAddress(row), row.venue_town ?? '', row.venue_postcode ?? ''].filter(
    (line) => line.trim() !== '',
  );
}

function partsOf(rows: readonly { starts_at: string; ends_at: string }[]): SessionPartTimes[] {
  return rows.map((p) => ({ startsAt: new Date(p.starts_at), endsAt: new Date(p.ends_at) }));
}

function sameParts(a: readonly SessionPartTimes[], b: readonly SessionPartTimes[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (part, i) =>
        part.startsAt.getTime() === b[i]?.startsAt.getTime() &&
        part.endsAt.getTime() === b[i]?.endsAt.getTime(),
    )
  );
}

/** "9:30am to 3:30pm", or "9:30am, until Tue 3 Mar 2026 12:30pm" for a session over several days. */
function timeSpan(startsAt: Date, endsAt: Date): string {
  if (londonDate(startsAt) === londonDate(endsAt)) return `${formatTime(startsAt)} to ${formatTime(endsAt)}`;
  return `${formatTime(startsAt)}, until ${formatShortDate(endsAt)} ${formatTime(endsAt)}`;
}

/** The messages of the schedule and the price fields together, so every problem is shown at once. */
function formProblems(
  reading: { ok: true } | { ok: false; errors: Record<string, string> },
  prices: { ok: true } | { ok: false; errors: Record<string, string> },
): Record<string, string> {
  return { ...(reading.ok ? {} : reading.errors), ...(prices.ok ? {} : prices.errors) };
}

/**
 * Why the capacity cannot go as low as asked: how many places are held, and
 * what to do about it.
 */
export function capacityTooLow(confirmed: number, offered: number): string {
  const held = confirmed + offered;
  const confirmedText =
    confirmed === 1 ? '1 delegate has a confirmed place' : `${confirmed} delegates have confirmed places`;
  const offeredText = offered === 1 ? '1 has an offer open' : `${offered} have offers open`;
  return `${offered ? `${confirmedText} and ${offeredText}` : confirmedText}, so the capacity cannot be less than ${held}. Cancel or move bookings first.`;
}

export class SessionAdminService {
  private readonly sessions: SessionAdminRepository;

  constructor(private readonly deps: ServiceDeps) {
    this.sessions = new SessionAdminRepository(deps.db);
  }

  // ----- reading -----

  /** A page of the session list, with what the filter can choose from. */
  async list(staff: StaffActor, query: SessionListQuery) {
    const now = this.deps.clock.now().toISOString();
    const page = Math.max(1, query.page);
    const onlyTrainerId = sessionsTaughtBy(staff);
    const { rows, total } = await this.sessions.list({
      state: query.state,
      ...(query.from ? { from: query.from.toISOString() } : {}),
      ...(query.to ? { to: query.to.toISOString() } : {}),
      ...(query.courseId !== undefined ? { courseId: query.courseId } : {}),
      ...(query.venueId !== undefined ? { venueId: query.venueId } : {}),
      ...(query.trainerId !== undefined ? { trainerId: query.trainerId } : {}),
      // A trainer's own sessions, whatever the filter says; a trainer account
      // not linked to a trainer teaches nothing.
      ...(onlyTrainerId !== undefined ? { onlyTrainerId } : {}),
      words: query.words,
      now,
      limit: SESSIONS_PER_PAGE,
      offset: (page - 1) * SESSIONS_PER_PAGE,
    });
    const ids = rows.map((row) => row.id);
    const [counts, trainers] = await Promise.all([
      this.sessions.bookingCounts(ids, now),
      this.sessions.trainersOf(ids),
    ]);
    return {
      total,
      page,
      pageCount: Math.max(1, Math.ceil(total / SESSIONS_PER_PAGE)),
      rows: rows.map((row) => {
        const startsAt = new Date(row.starts_at);
        const endsAt = new Date(row.ends_at);
        const booked = counts.get(row.id) ?? { confirmed: 0, offered: 0, waitlisted: 0 };
        return {
          id: row.id,
          courseTitle: row.course_title,
          date: formatShortDate(startsAt),
          time: timeSpan(startsAt, endsAt),
          where: describeWhere(row.format, { name: row.venue_name, town: row.venue_town }),
          trainers: (trainers.get(row.id) ?? []).map((t) => t.name),
          capacity: row.capacity,
          ...booked,
          cancelled: row.cancelled_at !== null,
          finished: endsAt.getTime() <= Date.parse(now),
        };
      }),
    };
  }

  /** What the list's filter offers: trainers are not offered a choice of trainer. */
  async listChoices(staff: StaffActor) {
    const [courses, venues, trainers] = await Promise.all([
      this.sessions.courses(false),
      this.sessions.venues(),
      seesOnlyOwnSessions(staff.role) ? Promise.resolve([]) : this.sessions.trainers(),
    ]);
    return { courses, venues, trainers };
  }

  /** A session as staff see it; a trainer sees only their own (others are not found). */
  async detail(staff: StaffActor, sessionId: number) {
    const row = await this.visibleSession(staff, sessionId);
    const now = this.deps.clock.now();
    const [parts, trainers, counts, prices, { charges }] = await Promise.all([
      this.sessions.parts(sessionId),
      this.sessions.trainersOf([sessionId]),
      this.sessions.bookingCounts([sessionId], now.toISOString()),
      new PriceRecords(this.deps.db).sessionPriceList(sessionId),
      this.deps.context(),
    ]);
    const booked: BookingCounts = counts.get(sessionId) ?? { confirmed: 0, offered: 0, waitlisted: 0 };
    const startsAt = new Date(row.starts_at);
    const endsAt = new Date(row.ends_at);
    const finished = now >= endsAt;
    const started = now >= startsAt;
    return {
      id: row.id,
      course: {
        id: row.course_id,
        title: row.course_title,
        slug: row.course_slug,
        archived: row.course_archived_at !== null,
      },
      date: formatDate(startsAt),
      parts: parts.map((part, index) => ({
        number: index + 1,
        date: formatDate(new Date(part.starts_at)),
        time: timeSpan(new Date(part.starts_at), new Date(part.ends_at)),
      })),
      format: SESSION_FORMAT_LABELS[row.format],
      isOnline: row.format !== 'in_person',
      venue: row.venue_name
        ? {
            name: row.venue_name,
            address: venueFullAddress(row),
            phone: row.venue_phone,
          }
        : null,
      // Only a web address is ever made a link, whatever an older record holds.
      onlineJoiningUrl:
        row.format !== 'in_person' && /^https?:\/\//i.test(row.online_joining_url ?? '')
          ? row.online_joining_url
          : null,
      capacity: row.capacity,
      /** What a place costs each kind of organisation: the session's own prices, else the course's. */
      pricesText: priceSummary(prices, charges.vatRateBasisPoints),
      ...booked,
      placesLeft: Math.max(0, row.capacity - booked.confirmed - booked.offered),
      bookingOpens: row.booking_opens_at ? formatMoment(new Date(row.booking_opens_at)) : null,
      bookingCloses: row.booking_closes_at ? formatMoment(new Date(row.booking_closes_at)) : null,
      startsAtText: formatMoment(startsAt),
      trainers: (trainers.get(sessionId) ?? []).map((t) => t.name),
      notes: row.notes,
      cancelled: row.cancelled_at ? formatMoment(new Date(row.cancelled_at)) : null,
      cancellationReason: row.cancellation_reason,
      status: row.cancelled_at ? 'cancelled' : finished ? 'finished' : started ? 'in progress' : 'upcoming',
      /** Whether it can still be changed or cancelled (by those allowed to). */
      changeable: !row.cancelled_at && !finished,
    };
  }

  /** Courses, venues and trainers for the session form. */
  async formChoices(currentCourseId?: number) {
    const [courses, venues, trainers] = await Promise.all([
      this.sessions.courses(true),
      this.sessions.venues(),
      this.sessions.trainers(),
    ]);
    return {
      courses: courses.filter((c) => c.archived_at === null || c.id === currentCourseId),
      venues,
      trainers,
    };
  }

  /** A course to preselect on the new-session form (?courseId=), when it is live. */
  async liveCourse(courseId: number) {
    return (await this.sessions.liveCourseExists(courseId)) ? courseId : null;
  }

  /** The session form's values for a session, to change it. */
  async editForm(sessionId: number) {
    const row = await this.session(sessionId);
    this.assertChangeable(row, this.deps.clock.now());
    const prices = new PriceRecords(this.deps.db);
    const [parts, trainerIds, own, course] = await Promise.all([
      this.sessions.parts(sessionId),
      this.sessions.trainerIdsOf(sessionId),
      prices.sessionPrices(sessionId),
      prices.coursePrices(row.course_id),
    ]);
    const values: Record<string, string> = {
      ...priceFormValues(own),
      format: row.format,
      venueId: row.venue_id ? String(row.venue_id) : '',
      onlineJoiningUrl: row.online_joining_url ?? '',
      capacity: String(row.capacity),
      notes: row.notes,
      ...momentFields('bookingOpens', row.booking_opens_at),
      ...momentFields('bookingCloses', row.booking_closes_at),
    };
    parts.forEach((part, index) => {
      const startsAt = new Date(part.starts_at);
      const date = dateInputValues(londonDate(startsAt));
      for (const box of DATE_INPUT_PARTS) values[partFieldName(index, box)] = date[box];
      // As people say them ("9:30am"), as the form reads them back.
      values[partFieldName(index, 'start')] = formatTime(startsAt);
      values[partFieldName(index, 'end')] = formatTime(new Date(part.ends_at));
    });
    return {
      session: {
        id: row.id,
        courseId: row.course_id,
        courseTitle: row.course_title,
        date: formatDate(new Date(row.starts_at)),
        /** The course's prices, which a blank price field keeps. */
        coursePrices: effectivePrices(course),
      },
      values,
      trainerIds: trainerIds.map(String),
      partCount: parts.length,
    };
  }

  /** What cancelling will do: who will be told. */
  async cancelPreview(sessionId: number) {
    const row = await this.session(sessionId);
    const live = await this.sessions.liveBookings(sessionId);
    const count = (state: string) => live.filter((b) => b.state === state).length;
    return {
      session: {
        id: row.id,
        courseTitle: row.course_title,
        date: formatDate(new Date(row.starts_at)),
        time: timeSpan(new Date(row.starts_at), new Date(row.ends_at)),
      },
      alreadyCancelled: row.cancelled_at !== null,
      finished: new Date(row.ends_at) <= this.deps.clock.now(),
      confirmed: count('confirmed'),
      offered: count('offered'),
      waitlisted: count('waitlisted'),
    };
  }

  // ----- changing -----

  /** Schedules a new session from the form; FormError with a message per field when it cannot. */
  async schedule(staff: StaffActor, body: Record<string, unknown>): Promise<number> {
    const now = this.deps.clock.now();
    const reading = readScheduleForm(body, { now, asksCourse: true });
    const prices = readPriceFields(body, 'course');
    if (!reading.ok || !prices.ok) throw new FormError(formProblems(reading, prices));
    const values = reading.values;
    await this.assertKnownChoices(values);
    const courseId = values.courseId as number;
    return this.deps.db.transaction().execute(async (trx) => {
      const id = await new ProgrammeRecords(trx).createSession(
        {
          courseId,
          format: values.format,
          venueId: values.venueId,
          onlineJoiningUrl: values.onlineJoiningUrl,
          capacity: values.capacity,
          parts: values.parts,
          trainerIds: values.trainerIds,
          notes: values.notes,
          bookingOpensAt: values.bookingOpensAt,
          bookingClosesAt: values.bookingClosesAt,
        },
        now,
      );
      await new PriceRecords(trx).setSessionPrices(id, prices.prices);
      await recordAudit(
        trx,
        {
          actorType: 'staff',
          actorId: staff.id,
          action: 'session_scheduled',
          entityType: 'session',
          entityId: id,
          details: { courseId, ...auditValues(values), prices: orderedPrices(prices.prices) },
        },
        now,
      );
      return id;
    });
  }

  /**
   * Changes a session from the form. Capacity below the places held is
   * refused; a higher one is offered to the waiting list at once. A new date,
   * time or place is emailed to everyone with a live booking (confirmed places
   * with an updated calendar file). Returns the fields that changed and how
   * many delegates are told.
   */
  async change(
    staff: StaffActor,
    sessionId: number,
    body: Record<string, unknown>,
  ): Promise<{ changed: string[]; told: number }> {
    const before = await this.session(sessionId);
    this.assertChangeable(before, this.deps.clock.now());
    const oldParts = await this.sessions.parts(sessionId);
    const reading = readScheduleForm(body, {
      now: this.deps.clock.now(),
      asksCourse: false,
      existingParts: partsOf(oldParts),
    });
    const prices = readPriceFields(body, 'course');
    if (!reading.ok || !prices.ok) throw new FormError(formProblems(reading, prices));
    const values = reading.values;
    await this.assertKnownChoices(values);
    // Removing a part would delete the attendance already marked on it.
    const removed = oldParts.slice(values.parts.length);
    const marked = await this.sessions.partsWithAttendance(removed.map((p) => p.id));
    if (marked.length) {
      const index = values.parts.length;
      throw new FormError({
        [partFieldId(index, 'date')]:
          `Part ${index + 1} has attendance marked, so it cannot be removed. Put its date and times back`,
      });
    }
    const ctx = await this.deps.context();

    return this.deps.sessionLock.forSession(sessionId, async (trx) => {
      const now = this.deps.clock.now();
      const repo = this.sessions.within(trx);
      // Again under the lock: someone may have cancelled it, or booked, meanwhile.
      const current = await repo.session(sessionId);
      if (!current) throw new NotFoundError('session');
      this.assertChangeable(current, now);
      const held = (await repo.bookingCounts([sessionId], now.toISOString())).get(sessionId) ?? {
        confirmed: 0,
        offered: 0,
        waitlisted: 0,
      };
      if (values.capacity < held.confirmed + held.offered) {
        throw new FormError({ capacity: capacityTooLow(held.confirmed, held.offered) });
      }
      const currentParts = partsOf(await repo.parts(sessionId));
      const currentTrainers = await repo.trainerIdsOf(sessionId);
      const beforeValues: Record<string, unknown> = {
        format: current.format,
        venueId: current.venue_id,
        onlineJoiningUrl: current.online_joining_url,
        capacity: current.capacity,
        parts: currentParts.map(isoPart),
        bookingOpensAt: current.booking_opens_at,
        bookingClosesAt: current.booking_closes_at,
        trainerIds: currentTrainers,
        notes: current.notes,
        // The session's own prices, in pence; a type not named costs what the course says.
        prices: await new PriceRecords(trx).sessionPrices(sessionId),
      };
      const afterValues: Record<string, unknown> = {
        format: values.format,
        venueId: values.venueId,
        onlineJoiningUrl: values.onlineJoiningUrl,
        capacity: values.capacity,
        parts: values.parts.map(isoPart),
        bookingOpensAt: values.bookingOpensAt?.toISOString() ?? null,
        bookingClosesAt: values.bookingClosesAt?.toISOString() ?? null,
        trainerIds: values.trainerIds,
        notes: values.notes,
        prices: orderedPrices(prices.prices),
      };
      const changed = Object.keys(afterValues).filter(
        (field) => JSON.stringify(beforeValues[field]) !== JSON.stringify(afterValues[field]),
      );
      if (!changed.length) return { changed, told: 0 };

      // Each change must give calendars a higher SEQUENCE than the last, even
      // two changes within the same second.
      const updatedAt = new Date(
        Math.max(now.getTime(), Math.floor(Date.parse(current.updated_at) / 1000) * 1000 + 1000),
      );
      await repo.update(
        sessionId,
        {
          format: values.format,
          venueId: values.venueId,
          onlineJoiningUrl: values.onlineJoiningUrl,
          capacity: values.capacity,
          parts: values.parts,
          bookingOpensAt: values.bookingOpensAt,
          bookingClosesAt: values.bookingClosesAt,
          trainerIds: values.trainerIds,
          notes: values.notes,
        },
        updatedAt.toISOString(),
      );
      // A new price is for bookings from now on: places booked keep the price their delegates agreed.
      if (changed.includes('prices')) await new PriceRecords(trx).setSessionPrices(sessionId, prices.prices);
      // Joining links can carry a passcode: the log says it changed, not what it is.
      const redact = (record: Record<string, unknown>) =>
        Object.fromEntries(
          changed.map((field) => [
            field,
            field === 'onlineJoiningUrl' ? (record[field] ? '(a link)' : null) : record[field],
          ]),
        );
      await recordAudit(
        trx,
        {
          actorType: 'staff',
          actorId: staff.id,
          action: 'session_changed',
          entityType: 'session',
          entityId: sessionId,
          details: { changed, before: redact(beforeValues), after: redact(afterValues) },
        },
        now,
      );

      const after = await repo.session(sessionId);
      if (!after) throw new NotFoundError('session');
      const told = await this.tellOfChange(trx, ctx, current, currentParts, after, values.parts, updatedAt);

      if (values.capacity > current.capacity) {
        await this.deps.bookings.offerFreedPlaces(trx, sessionId, now, ctx);
      }
      return { changed, told };
    });
  }

  /**
   * Cancels the whole session: every live booking is cancelled by the hub
   * with the reason, and every delegate told, with the course's other dates.
   * Returns 'already' when it had been cancelled before (a second click).
   */
  async cancel(staff: StaffActor, sessionId: number, reason: string): Promise<'cancelled' | 'already'> {
    const before = await this.session(sessionId);
    if (before.cancelled_at) return 'already';
    if (new Date(before.ends_at) <= this.deps.clock.now()) {
      throw new ConflictError('This session has finished, so it cannot be cancelled.');
    }
    const ctx = await this.deps.context();
    return this.deps.sessionLock.forSession(sessionId, async (trx) => {
      const now = this.deps.clock.now();
      const repo = this.sessions.within(trx);
      const current = await repo.session(sessionId);
      if (!current) throw new NotFoundError('session');
      if (current.cancelled_at) return 'already';
      if (new Date(current.ends_at) <= now) {
        throw new ConflictError('This session has finished, so it cannot be cancelled.');
      }
      const updatedAt = new Date(
        Math.max(now.getTime(), Math.floor(Date.parse(current.updated_at) / 1000) * 1000 + 1000),
      );
      if (!(await repo.cancel(sessionId, reason, now.toISOString(), updatedAt.toISOString())))
        return 'already';

      const bookings = new BookingRecords(trx);
      const live = await repo.liveBookings(sessionId);
      const others = await repo.otherDates(current.course_id, sessionId, now.toISOString());
      const otherDates = others.map((s) => ({
        when: `${formatDate(new Date(s.starts_at))}, ${timeSpan(new Date(s.starts_at), new Date(s.ends_at))}`,
        url: `${this.deps.publicUrl}/sessions/${s.id}`,
      }));
      const courseUrl = current.course_archived_at
        ? `${this.deps.publicUrl}/courses`
        : `${this.deps.publicUrl}/courses/${current.course_slug}`;
      const parts = partsOf(await repo.parts(sessionId));
      const calendar = {
        ics: sessionCalendar(
          {
            id: sessionId,
            course: { title: current.course_title, summary: current.course_summary },
            venue: current.venue_name
              ? {
                  name: current.venue_name,
                  fullAddress: venueFullAddress(current),
                }
              : null,
            parts,
            cancelled: true,
            sequence: Math.floor(updatedAt.getTime() / 1000),
          },
          ctx.hub,
          this.deps.publicUrl,
        ),
        filename: `${current.course_slug}-${sessionId}.ics`,
      };

      let cancelled = 0;
      const byState = { confirmed: 0, offered: 0, waitlisted: 0 };
      for (const booking of live) {
        const state = booking.state as 'confirmed' | 'offered' | 'waitlisted';
        const done = await bookings.transition(booking.id, state, 'cancelled', now, {
          cancelledBy: 'hub',
          cancellationReason: reason,
        });
        if (!done) continue;
        cancelled += 1;
        byState[state] += 1;
        await recordAudit(
          trx,
          {
            actorType: 'staff',
            actorId: staff.id,
            action: 'booking_cancelled',
            entityType: 'booking',
            entityId: booking.id,
            details: { sessionId, from: state, reason, sessionCancelled: true },
          },
          now,
        );
        const facts = await this.deps.mail.bookingFacts(trx, booking.id);
        await this.deps.mail.enqueue(
          trx,
          facts.to,
          sessionCancelled({
            hub: ctx.hub,
            delegateName: facts.to.name,
            session: facts.session,
            bookingReference: facts.row.reference,
            bookingState: state,
            reason,
            otherDates,
            courseUrl,
            ...(state === 'confirmed' ? { calendar } : {}),
          }),
          booking.id,
        );
        if (state === 'confirmed') await this.deps.mail.lineManagerTold(trx, ctx, booking.id, 'cancelled');
      }
      // Late cancellations and absences from a session the hub called off are not charged.
      await this.deps.chargeProposals.sessionCancelled(
        trx,
        ctx,
        sessionId,
        { type: 'staff', id: staff.id },
        now,
      );
      await recordAudit(
        trx,
        {
          actorType: 'staff',
          actorId: staff.id,
          action: 'session_cancelled',
          entityType: 'session',
          entityId: sessionId,
          details: { reason, bookingsCancelled: cancelled, ...byState },
        },
        now,
      );
      return 'cancelled';
    });
  }

  // ----- helpers -----

  private async session(sessionId: number): Promise<SessionRow> {
    const row = await this.sessions.session(sessionId);
    if (!row) throw new NotFoundError('session');
    return row;
  }

  /** The session, if this person may see it: a trainer only their own, as if others did not exist. */
  private async visibleSession(staff: StaffActor, sessionId: number): Promise<SessionRow> {
    const row = await this.session(sessionId);
    const onlyTrainerId = sessionsTaughtBy(staff);
    if (onlyTrainerId !== undefined && !(await this.sessions.teaches(sessionId, onlyTrainerId))) {
      throw new NotFoundError('session');
    }
    return row;
  }

  private assertChangeable(row: { cancelled_at: string | null; ends_at: string }, now: Date) {
    if (row.cancelled_at)
      throw new ConflictError('This session has been cancelled, so it can no longer be changed.');
    if (new Date(row.ends_at) <= now) {
      throw new ConflictError('This session has finished, so it can no longer be changed.');
    }
  }

  /** Course, venue and trainers chosen must exist (and the course be live): by the field otherwise. */
  private async assertKnownChoices(values: ScheduleValues) {
    const errors: Record<string, string> = {};
    const [courseOk, venueOk, trainers] = await Promise.all([
      values.courseId === null ? true : this.sessions.liveCourseExists(values.courseId),
      values.venueId === null ? true : this.sessions.venueExists(values.venueId),
      this.sessions.existingTrainerIds(values.trainerIds),
    ]);
    if (!courseOk) errors.courseId = 'Choose a course from the list (archived courses cannot have new dates)';
    if (!venueOk) errors.venueId = 'Choose a venue from the list';
    if (trainers.length !== values.trainerIds.length) errors.trainerIds = 'Choose trainers from the list';
    if (Object.keys(errors).length) throw new FormError(errors);
  }

  /**
   * Emails everyone with a live booking what changed, when the date, a
   * time or the place did. Confirmed places get the calendar file (same
   * event ids, a higher SEQUENCE) and the joining link; offers and the
   * waiting list get the notice alone. Returns how many were emailed.
   */
  private async tellOfChange(
    trx: Executor,
    ctx: MailContext,
    before: SessionRow,
    oldParts: SessionPartTimes[],
    after: SessionRow,
    newParts: SessionPartTimes[],
    updatedAt: Date,
  ): Promise<number> {
    const changes: SessionChangeLine[] = [];
    if (!sameParts(oldParts, newParts)) {
      const lines = (parts: SessionPartTimes[]) =>
        sessionView({ courseTitle: after.course_title, parts, venue: null, sessionUrl: this.deps.publicUrl })
          .when;
      changes.push({ label: 'Date and time', before: lines(oldParts), after: lines(newParts) });
    }
    const whereBefore = describeWhere(before.format, {
      name: before.venue_name,
      town: before.venue_town,
      address: venueAddress(before),
    });
    const whereAfter = describeWhere(after.format, {
      name: after.venue_name,
      town: after.venue_town,
      address: venueAddress(after),
    });
    if (whereBefore !== whereAfter)
      changes.push({ label: 'Where', before: [whereBefore], after: [whereAfter] });
    // Only people with a place are given the link, so only they hear it changed.
    const linkChanged =
      after.format !== 'in_person' &&
      before.format !== 'in_person' &&
      (before.online_joining_url ?? '') !== (after.online_joining_url ?? '');
    if (!changes.length && !linkChanged) return 0;

    const live = await this.sessions.within(trx).liveBookings(after.id);
    if (!live.length) return 0;
    // The "I can't come" links work until the session starts: a new start moves their expiry with it.
    const newStart = newParts[0]?.startsAt;
    if (newStart && newStart.getTime() !== oldParts[0]?.startsAt.getTime()) {
      const links = new PrivateLinks(trx, this.deps.clock);
      for (const booking of live) await links.moveGiveUpExpiry(booking.id, newStart);
    }
    const calendar = {
      ics: sessionCalendar(
        {
          id: after.id,
          course: { title: after.course_title, summary: after.course_summary },
          venue: after.venue_name
            ? {
                name: after.venue_name,
                fullAddress: venueFullAddress(after),
              }
            : null,
          parts: newParts,
          cancelled: false,
          sequence: Math.floor(updatedAt.getTime() / 1000),
          withdrawnParts: oldParts.slice(newParts.length),
        },
        ctx.hub,
        this.deps.publicUrl,
      ),
      filename: `${after.course_slug}-${after.id}.ics`,
    };
    let told = 0;
    for (const booking of live) {
      const state = booking.state as 'confirmed' | 'offered' | 'waitlisted';
      const confirmed = state === 'confirmed';
      const lines =
        confirmed && linkChanged
          ? [
              ...changes,
              {
                label: 'Online joining link',
                before: ['The link we sent you before'],
                after: [after.online_joining_url ?? 'We will send you the new link before the session'],
              },
            ]
          : changes;
      if (!lines.length) continue;
      const facts = await this.deps.mail.bookingFacts(trx, booking.id);
      await this.deps.mail.enqueue(
        trx,
        facts.to,
        sessionChanged({
          hub: ctx.hub,
          delegateName: facts.to.name,
          session: confirmed ? facts.confirmedSession : facts.session,
          bookingReference: facts.row.reference,
          bookingState: state,
          changes: lines,
          manageBookingUrl: facts.manageUrl,
          ...(confirmed
            ? { calendar, tooLateToCancel: this.deps.mail.tooLateToCancel(facts.confirmedSession, ctx) }
            : {}),
        }),
        booking.id,
      );
      told += 1;
    }
    return told;
  }
}

function isoPart(part: SessionPartTimes) {
  return { startsAt: part.startsAt.toISOString(), endsAt: part.endsAt.toISOString() };
}

/** A booking window moment as the form's two fields. */
function momentFields(prefix: string, instant: string | null): Record<string, string> {
  const at = instant ? new Date(instant) : null;
  const date = at ? dateInputValues(londonDate(at)) : { day: '', month: '', year: '' };
  return {
    ...Object.fromEntries(DATE_INPUT_PARTS.map((box) => [momentDateName(prefix, box), date[box]])),
    [`${prefix}Time`]: at ? formatTime(at) : '',
  };
}

/** What the audit log keeps of a new session: no joining link (it may carry a passcode). */
function auditValues(values: ScheduleValues) {
  return {
    format: values.format,
    venueId: values.venueId,
    onlineJoiningLink: values.onlineJoiningUrl ? '(a link)' : null,
    capacity: values.capacity,
    parts: values.parts.map(isoPart),
    bookingOpensAt: values.bookingOpensAt?.toISOString() ?? null,
    bookingClosesAt: values.bookingClosesAt?.toISOString() ?? null,
    trainerIds: values.trainerIds,
  };
}
