/**
 * A hub at the size of a large safeguarding partnership after a few years
 * (`npm run seed:large`, and the back-office benchmark): thousands of
 * sessions over three years, tens of thousands of delegates, hundreds of
 * thousands of bookings, and attendance marked for what has happened, with
 * its certificates and feedback (largeHubAfterCourse.ts), and its charges
 * and invoices (largeHubCharges.ts): organisations' billing details, a
 * month of charges for the invoice run, a year of invoices before it.
 *
 * It adds to whatever the database holds (the demo programme, say) and is
 * repeatable: the same seed gives the same hub. Rows are written in batches
 * inside one transaction per table, as the app would store them (instants as
 * ISO text, London wall-clock times turned into instants by domain/time/time.ts).
 */
import { sql, type Insertable, type Kysely } from 'kysely';

import type {
  AttendanceTable,
  BookingsTable,
  DB,
  DelegatesTable,
  OrganisationType,
  SessionPartsTable,
} from '../data/schema.js';
import type { AttendanceStatus } from '../domain/afterCourse/attendance.js';
import { COURSE_LEVELS, SESSION_FORMATS } from '../domain/programme/course.js';
import { addDays, londonDate, londonToInstant, weekday } from '../domain/time/time.js';
import { isWorkingDay } from '../domain/time/workingDays.js';
import { newBookingReference } from '../services/bookings/bookingReference.js';
import {
  coursesWithOutcomes,
  type AfterCourseCounts,
  LARGE_HUB_AFTER_COURSE_STEPS,
  type LargeHubHistory,
  type MarkedBooking,
  type MarkedSessionFacts,
} from './largeHubAfterCourse.js';
import { chargeLargeHub, type LargeHubChargeCounts } from './largeHubCharges.js';
import { seededRandom } from './seededRandom.js';

export interface LargeHubSize {
  sessions: number;
  bookings: number;
  delegates: number;
  organisations: number;
  courses: number;
  venues: number;
  trainers: number;
}

export const LARGE_HUB: LargeHubSize = {
  sessions: 5_000,
  bookings: 200_000,
  delegates: 20_000,
  organisations: 300,
  courses: 60,
  venues: 25,
  trainers: 40,
};

export interface LargeHubResult extends LargeHubSize {
  attendance: number;
  /** Certificates issued, and feedback responses given (about half of those invited). */
  certificates: number;
  feedback: number;
  /** Follow-up requests sent to delegates three months on, and how many of them were answered. */
  followUps: number;
  followUpsAnswered: number;
  /** Charges and invoices (largeHubCharges.ts): the last month's, waiting for the invoice run, and a year's invoices. */
  charges: LargeHubChargeCounts;
  /** The first and last session dates (London), for exports over the whole range. */
  firstDate: string;
  lastDate: string;
}

/** Rows per INSERT: well under both databases' limits on bound parameters. */
const BATCH = 400;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

async function insertInBatches<T>(rows: readonly T[], insert: (batch: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += BATCH) await insert(rows.slice(i, i + BATCH));
}

const FIRST_NAMES = [
  'Amira',
  'Ben',
  'Chloe',
  'Dev',
  'Ellie',
  'Femi',
  'Grace',
  'Hassan',
  'Isla',
  'Jack',
  'Kiran',
  'Leah',
  'Mo',
  'Niamh',
  'Owen',
  'Priya',
  'Rhys',
  'Sade',
  'Tom',
  'Zara',
];
const SURNAMES = [
  'Ahmed',
  'Brown',
  'Clarke',
  'Davies',
  'Evans',
  'Fraser',
  'Green',
  'Hughes',
  'Iqbal',
  'Jones',
  'Khan',
  'Lewis',
  'Morgan',
  'Nowak',
  'Okafor',
  'Patel',
  'Roberts',
  'Singh',
  'Taylor',
  'Williams',
];
const JOB_ROLES = [
  'Social worker',
  'Police officer',
  'Health visitor',
  'Teacher',
  'Designated safeguarding lead',
  'Support worker',
  'Nurse',
  'Youth worker',
  'GP',
  'Volunteer',
];
const SUBJECTS = [
  'Safeguarding adults',
  'Child protection',
  'Domestic abuse',
  'Exploitation',
  'Neglect',
  'Self-neglect',
  'Mental capacity',
  'Trauma-informed practice',
  'Prevent',
  'Online safety',
  'Hoarding',
  'Modern slavery',
];
const ORGANISATION_TYPES: OrganisationType[] = ['partner_agency', 'voluntary', 'private', 'out_of_area'];
const START_TIMES = ['09:30', '10:00', '13:00'];

export async function seedLargeHub(
  db: Kysely<DB>,
  now: Date,
  size: LargeHubSize = LARGE_HUB,
  seed = 2026,
): Promise<LargeHubResult> {
  const rng = seededRandom(seed);
  const at = now.toISOString();
  // Unique per run, so seeding twice adds a second hub's worth rather than colliding.
  const run = `${seed}-${now.getTime().toString(36)}`;

  const ids = await db.transaction().execute(async (trx) => {
    const venueIds: number[] = [];
    for (let i = 0; i < size.venues; i++) {
      const row = await trx
        .insertInto('venues')
        .values({
          slug: `large-venue-${run}-${i + 1}`,
          name: `Training Room ${i + 1}`,
          address_lines: `${i + 1} Civic Centre Road`,
          town: rng.pick(['Leeds', 'Bradford', 'Wakefield', 'Halifax', 'Huddersfield']),
          postcode: `LS${(i % 28) + 1} ${(i % 9) + 1}AB`,
          phone: null,
          travel_notes: '',
          access_notes: 'Step-free access throughout.',
          created_at: at,
          updated_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      venueIds.push(row.id);
    }
    const trainerIds: number[] = [];
    const trainerNames = new Map<number, string>();
    for (let i = 0; i < size.trainers; i++) {
      const name = `${rng.pick(FIRST_NAMES)} ${rng.pick(SURNAMES)}`;
      const row = await trx
        .insertInto('trainers')
        .values({
          slug: `large-trainer-${run}-${i + 1}`,
          name,
          role_title: 'Safeguarding trainer',
          biography: 'An experienced practitioner and trainer.',
          photo_path: null,
          employment: i % 3 === 0 ? 'external' : 'hub',
          created_at: at,
          updated_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      trainerIds.push(row.id);
      trainerNames.set(row.id, name);
    }
    const courses: { id: number; cpd: number; title: string }[] = [];
    for (let i = 0; i < size.courses; i++) {
      const subject = SUBJECTS[i % SUBJECTS.length]!;
      const level = COURSE_LEVELS[i % COURSE_LEVELS.length]!;
      const cpd = rng.pick([3, 3.5, 6, 6.5]);
      const title = `${subject}: ${level} (${Math.floor(i / SUBJECTS.length) + 1})`;
      const row = await trx
        .insertInto('courses')
        .values({
          slug: `large-course-${run}-${i + 1}`,
          title,
          summary: `${subject} for practitioners across the partnership.`,
          description: `What ${subject.toLowerCase()} looks like in practice, and what to do.`,
          audience: 'Anyone who works with children, young people or adults.',
          level,
          content_notes: '',
          cpd_hours: cpd,
          practical_notes: '',
          archived_at: null,
          created_at: at,
          updated_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      courses.push({ id: row.id, cpd, title });
      await trx
        .insertInto('course_key_areas')
        .values([1, 2, 3].map((position) => ({ course_id: row.id, position, text: `Key area ${position}` })))
        .execute();
      await trx
        .insertInto('course_learning_outcomes')
        .values([1, 2].map((position) => ({ course_id: row.id, position, text: `Outcome ${position}` })))
        .execute();
    }
    const organisationIds: number[] = [];
    for (let i = 0; i < size.organisations; i++) {
      const name = `${rng.pick(['North', 'South', 'East', 'West', 'Central'])} ${rng.pick(['Health', 'Schools', 'Housing', 'Care', 'Police', 'Youth'])} ${run.slice(-4)}-${i + 1}`;
      const row = await trx
        .insertInto('organisations')
        .values({
          name,
          type: ORGANISATION_TYPES[i % ORGANISATION_TYPES.length]!,
          confirmed_at: i % 10 === 0 ? null : at,
          merged_into_id: null,
          created_at: at,
          // Billing details (no random draws, so the rest of the hub is as it was).
          billing_contact: i % 2 === 0 ? 'Accounts Payable' : 'Finance Team',
          billing_email: `invoices.${i + 1}.${run}@example.org.uk`.toLowerCase(),
          billing_address: `${name}\n${i + 1} Town Hall Square\nLeeds\nLS${(i % 28) + 1} 1AA`,
          purchase_order: i % 4 === 0 ? `PO-${10_000 + i}` : '',
          // A mix: most want one invoice a month, one in six one per booking.
          invoice_frequency: i % 6 === 5 ? 'per_booking' : 'monthly',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      organisationIds.push(row.id);
    }
    return { venueIds, trainerIds, trainerNames, courses, organisationIds };
  });

  // Delegates: ids are read back by email so the batch insert stays portable.
  const delegates: Insertable<DelegatesTable>[] = Array.from({ length: size.delegates }, (_, i) => {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(SURNAMES);
    return {
      name: `${first} ${last}`,
      email: `${first}.${last}.${i + 1}.${run}@example.org.uk`.toLowerCase(),
      organisation_id: rng.pick(ids.organisationIds),
      job_role: rng.pick(JOB_ROLES),
      line_manager_name: `${rng.pick(FIRST_NAMES)} ${rng.pick(SURNAMES)}`,
      line_manager_email: `manager.${i + 1}@example.org.uk`,
      password_hash: null,
      email_verified_at: at,
      merged_into_id: null,
      created_at: at,
      updated_at: at,
    };
  });
  await db
    .transaction()
    .execute((trx) =>
      insertInBatches(delegates, (batch) => trx.insertInto('delegates').values(batch).execute()),
    );
  const delegateRows = await db
    .selectFrom('delegates')
    .where('email', 'like', `%.${run}@example.org.uk`)
    .select(['id', 'organisation_id'])
    .orderBy('id')
    .execute();
  const delegateIds = delegateRows.map((row) => row.id);
  // Each booking's price is fixed for its delegate's organisation (bookings.organisation_id).
  const organisationOfDelegate = new Map(delegateRows.map((row) => [row.id, row.organisation_id]));

  // Sessions over three years: two behind, one ahead; working days only.
  const today = londonDate(now);
  const firstDate = addDays(today, -730);
  const days: string[] = [];
  for (let date = firstDate; date <= addDays(today, 365); date = addDays(date, 1)) {
    if (weekday(date) < 6 && isWorkingDay(date)) days.push(date);
  }
  const perSession = Math.floor(size.bookings / size.sessions);
  let extra = size.bookings - perSession * size.sessions;
  const bookings: Insertable<BookingsTable>[] = [];
  const attendanceDue: { reference: string; parts: number }[] = [];
  const parts: Insertable<SessionPartsTable>[] = [];

  const sessionRows = Array.from({ length: size.sessions }, (_, i) => {
    const date = days[Math.floor((i * days.length) / size.sessions)]!;
    const start = rng.pick(START_TIMES);
    const twoParts = rng.next() < 0.2;
    const parts = [
      {
        starts_at: londonToInstant(date, start),
        ends_at: londonToInstant(date, start === '13:00' ? '16:30' : '12:30'),
      },
    ];
    if (twoParts) {
      const second = addDays(date, 7);
      parts.push({ starts_at: londonToInstant(second, '09:30'), ends_at: londonToInstant(second, '12:30') });
    }
    const format = SESSION_FORMATS[i % 5 === 0 ? 1 : i % 7 === 0 ? 2 : 0]!;
    return {
      i,
      parts,
      row: {
        course_id: ids.courses[i % ids.courses.length]!.id,
        format,
        venue_id: format === 'online' ? null : rng.pick(ids.venueIds),
        online_joining_url: format === 'in_person' ? null : `https://meet.example.org.uk/large-${i + 1}`,
        capacity: rng.int(25, 50),
        starts_at: parts[0]!.starts_at.toISOString(),
        ends_at: parts[parts.length - 1]!.ends_at.toISOString(),
        booking_opens_at: null,
        booking_closes_at: null,
        notes: '',
        cancelled_at: null,
        cancellation_reason: null,
        created_at: at,
        updated_at: at,
      },
    };
  });

  const sessionIds: number[] = [];
  const trainerOfSession = new Map<number, string>();
  await db.transaction().execute(async (trx) => {
    for (const session of sessionRows) {
      const row = await trx
        .insertInto('sessions')
        .values(session.row)
        .returning('id')
        .executeTakeFirstOrThrow();
      sessionIds.push(row.id);
      session.parts.forEach((part, position) =>
        parts.push({
          session_id: row.id,
          position: position + 1,
          starts_at: part.starts_at.toISOString(),
          ends_at: part.ends_at.toISOString(),
        }),
      );
    }
    await insertInBatches(parts, (batch) => trx.insertInto('session_parts').values(batch).execute());
    const sessionTrainers = sessionIds.map((session_id) => ({
      session_id,
      trainer_id: rng.pick(ids.trainerIds),
      position: 1,
    }));
    for (const { session_id, trainer_id } of sessionTrainers) {
      trainerOfSession.set(session_id, ids.trainerNames.get(trainer_id)!);
    }
    await insertInBatches(sessionTrainers, (batch) =>
      trx.insertInto('session_trainers').values(batch).execute(),
    );
  });

  // Bookings: a share of each session's places, distinct delegates per session.
  sessionRows.forEach((session, index) => {
    const sessionId = sessionIds[index]!;
    const past = session.parts[session.parts.length - 1]!.ends_at <= now;
    const count = perSession + (extra-- > 0 ? 1 : 0);
    // A stride sharing no factor with the number of delegates visits each once.
    let stride = rng.int(1, 997);
    while (gcd(stride, delegateIds.length) !== 1) stride += 1;
    const offset = rng.int(0, delegateIds.length - 1);
    let confirmed = 0;
    for (let n = 0; n < count; n++) {
      const delegateId = delegateIds[(offset + n * stride) % delegateIds.length]!;
      const cancelled = rng.next() < 0.08;
      const full = confirmed >= session.row.capacity;
      const state = cancelled || (past && full) ? 'cancelled' : full ? 'waitlisted' : 'confirmed';
      if (state === 'confirmed') confirmed += 1;
      const bookedAt = new Date(
        session.parts[0]!.starts_at.getTime() - rng.int(2, 60) * 86_400_000,
      ).toISOString();
      const reference = newBookingReference();
      bookings.push({
        reference,
        session_id: sessionId,
        delegate_id: delegateId,
        organisation_id: organisationOfDelegate.get(delegateId) ?? null,
        state,
        offer_expires_at: null,
        cancelled_at: state === 'cancelled' ? bookedAt : null,
        cancellation_reason: state === 'cancelled' ? 'Cannot attend' : null,
        cancelled_by: state === 'cancelled' ? 'delegate' : null,
        access_needs: null,
        dietary_needs: null,
        needs_consent_at: null,
        offered_at: null,
        reminder_sent_at: null,
        created_at: bookedAt,
        updated_at: bookedAt,
      });
      if (past && state === 'confirmed') attendanceDue.push({ reference, parts: session.parts.length });
    }
  });
  await db
    .transaction()
    .execute((trx) =>
      insertInBatches(bookings, (batch) => trx.insertInto('bookings').values(batch).execute()),
    );

  // Attendance for sessions that have happened, marked as trainers would.
  const bookingIds = new Map(
    (
      await db
        .selectFrom('bookings')
        .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
        .where('session_id', 'in', db.selectFrom('sessions').where('ends_at', '<=', at).select('id'))
        .where('state', '=', 'confirmed')
        .select([
          'bookings.id',
          'bookings.reference',
          'bookings.session_id',
          'delegates.name',
          'delegates.email',
        ])
        .execute()
    ).map((row) => [row.reference, row]),
  );
  const partIds = new Map<number, number[]>();
  for (const part of await db
    .selectFrom('session_parts')
    .innerJoin('sessions', 'sessions.id', 'session_parts.session_id')
    .where('sessions.ends_at', '<=', at)
    .select(['session_parts.id', 'session_parts.session_id'])
    .orderBy('session_parts.position')
    .execute()) {
    partIds.set(part.session_id, [...(partIds.get(part.session_id) ?? []), part.id]);
  }
  const attendance: Insertable<AttendanceTable>[] = [];
  const marked: MarkedBooking[] = [];
  for (const due of attendanceDue) {
    const booking = bookingIds.get(due.reference);
    if (!booking) continue;
    const marks = new Map<number, AttendanceStatus>();
    for (const partId of partIds.get(booking.session_id) ?? []) {
      const roll = rng.next();
      const status = roll < 0.86 ? 'attended' : roll < 0.91 ? 'partial' : 'absent';
      marks.set(partId, status);
      attendance.push({
        booking_id: booking.id,
        session_part_id: partId,
        status,
        note: '',
        marked_by_staff_id: null,
        marked_at: at,
      });
    }
    marked.push({
      bookingId: booking.id,
      sessionId: booking.session_id,
      delegateName: booking.name,
      delegateEmail: booking.email,
      marks,
    });
  }
  await db
    .transaction()
    .execute((trx) =>
      insertInBatches(attendance, (batch) => trx.insertInto('attendance').values(batch).execute()),
    );

  // What follows a marked register: certificates, feedback and the follow-up, each in bulk.
  const sessions = new Map<number, MarkedSessionFacts>();
  sessionRows.forEach((session, index) => {
    const id = sessionIds[index]!;
    const partsHere = partIds.get(id);
    if (!partsHere) return;
    sessions.set(id, {
      courseId: session.row.course_id,
      endsAt: session.parts[session.parts.length - 1]!.ends_at,
      parts: session.parts.map((part, position) => ({
        id: partsHere[position]!,
        startsAt: part.starts_at,
        endsAt: part.ends_at,
      })),
      trainers: [trainerOfSession.get(id)!],
    });
  });
  const history: LargeHubHistory = {
    marked,
    sessions,
    courses: await coursesWithOutcomes(db, ids.courses),
  };
  const after: AfterCourseCounts = {};
  for (const step of LARGE_HUB_AFTER_COURSE_STEPS) Object.assign(after, await step(db, history, rng, now));

  // Charges: a month waiting for the invoice run, and a year of invoices before it (own random draws).
  const charges = await chargeLargeHub(
    db,
    history,
    ids.courses.map((course) => course.id),
    seededRandom(seed + 1),
    now,
  );

  // Fresh statistics, so the query planner knows the tables' new sizes (on
  // PostgreSQL, autovacuum would get there in its own time).
  await sql`analyze`.execute(db);

  return {
    ...size,
    attendance: attendance.length,
    certificates: after.certificates ?? 0,
    feedback: after.feedback ?? 0,
    followUps: after.followUps ?? 0,
    followUpsAnswered: after.followUpsAnswered ?? 0,
    charges,
    firstDate: days[0]!,
    lastDate: days[days.length - 1]!,
  };
}
