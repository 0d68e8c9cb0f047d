/**
 * What the concurrency tests share: a clock the test moves, a course with
 * sessions of a chosen capacity, delegates in bulk, and the bookings of a
 * session read straight from the database (not through the service under
 * test, so a wrong answer from the service cannot hide a wrong record).
 */
import type { Kysely } from 'kysely';

import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import { ProgrammeRecords } from '../../src/data/repositories/programmeRecords.js';
import type { DB } from '../../src/data/schema.js';
import type { BookingState } from '../../src/domain/programme/availability.js';
import type { Clock } from '../../src/services/clock.js';
import { ConflictError } from '../../src/errors.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * A clock the test sets and moves. With `tickMs` above 0 every reading moves
 * it on, like a real clock read by requests that arrive one after another.
 */
export class SettableClock implements Clock {
  private at: number;

  constructor(
    start: Date | string,
    /** How far each reading moves the clock on; 0 stands still. */
    public tickMs = 0,
  ) {
    this.at = new Date(start).getTime();
  }

  now(): Date {
    const reading = new Date(this.at);
    this.at += this.tickMs;
    return reading;
  }

  /** The current time without moving a ticking clock on. */
  peek(): Date {
    return new Date(this.at);
  }

  set(at: Date | number): void {
    this.at = typeof at === 'number' ? at : at.getTime();
  }

  advance(ms: number): void {
    this.at += ms;
  }
}

export async function createCourse(db: Kysely<DB>, slug: string, now: Date): Promise<number> {
  return new ProgrammeRecords(db).createCourse(
    {
      slug,
      title: `Concurrency ${slug}`,
      summary: 'A course for the concurrency tests.',
      description: 'Places on its sessions are booked by many people at once.',
      audience: 'Everyone',
      level: 'foundation',
      contentNotes: '',
      cpdHours: 3,
      practicalNotes: '',
      keyAreas: [],
      learningOutcomes: [],
      testimonials: [],
      topicIds: [],
      audienceIds: [],
    },
    now,
  );
}

/** An online session of `capacity` places, three hours long, starting at `startsAt`. */
export async function createSession(
  db: Kysely<DB>,
  courseId: number,
  capacity: number,
  startsAt: Date,
  now: Date,
): Promise<number> {
  return new ProgrammeRecords(db).createSession(
    {
      courseId,
      format: 'online',
      venueId: null,
      onlineJoiningUrl: 'https://meet.example.org.uk/concurrency',
      capacity,
      parts: [{ startsAt, endsAt: new Date(startsAt.getTime() + 3 * HOUR_MS) }],
      trainerIds: [],
      notes: '',
      bookingOpensAt: null,
      bookingClosesAt: null,
    },
    now,
  );
}

let delegateSerial = 0;

/** `count` new delegates, made in one transaction; their ids in creation order. */
export async function createDelegates(db: Kysely<DB>, count: number, now: Date): Promise<number[]> {
  return db.transaction().execute(async (trx) => {
    const people = new DemoRepository(trx);
    const ids: number[] = [];
    for (let i = 0; i < count; i += 1) {
      delegateSerial += 1;
      ids.push(
        await people.createDelegate(
          {
            name: `Delegate ${delegateSerial}`,
            email: `delegate.${delegateSerial}.${Math.random().toString(36).slice(2, 8)}@council.example.org.uk`,
            organisationId: null,
            jobRole: 'Family support worker',
            lineManagerName: 'Pat Manager',
            lineManagerEmail: 'pat.manager@council.example.org.uk',
          },
          now,
        ),
      );
    }
    return ids;
  });
}

export interface BookingRow {
  id: number;
  reference: string;
  delegate_id: number;
  state: BookingState;
  offer_expires_at: string | null;
  created_at: string;
}

/** Every booking on the session, in waiting-list order: (created_at, id). */
export async function bookingsOn(db: Kysely<DB>, sessionId: number): Promise<BookingRow[]> {
  const rows = await db
    .selectFrom('bookings')
    .where('session_id', '=', sessionId)
    .select(['id', 'reference', 'delegate_id', 'state', 'offer_expires_at', 'created_at'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ ...row, id: Number(row.id), delegate_id: Number(row.delegate_id) }));
}

export const LIVE: readonly BookingState[] = ['confirmed', 'waitlisted', 'offered'];

/** Places held at `now`: confirmed bookings and offers not yet expired. */
export function placesHeld(rows: readonly BookingRow[], now: Date): number {
  return rows.filter(
    (row) =>
      row.state === 'confirmed' ||
      (row.state === 'offered' && row.offer_expires_at !== null && new Date(row.offer_expires_at) > now),
  ).length;
}

/** Delegates with more than one live booking on the session. */
export function delegatesHoldingTwice(rows: readonly BookingRow[]): number[] {
  const live = new Map<number, number>();
  for (const row of rows) {
    if (LIVE.includes(row.state)) live.set(row.delegate_id, (live.get(row.delegate_id) ?? 0) + 1);
  }
  return [...live].filter(([, n]) => n > 1).map(([delegateId]) => delegateId);
}

/** Runs `work`; a ConflictError (an action the rules refuse now) is an expected answer, not a failure. */
export async function allowingConflict<T>(work: () => Promise<T>): Promise<T | ConflictError> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ConflictError) return error;
    throw error;
  }
}

/** A small seeded random source, so a failing round can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    // xorshift32
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

/** The state each audited action moves a booking into (see bookingService). */
const AUDITED_MOVES: Record<string, BookingState> = {
  booked: 'confirmed',
  joined_waitlist: 'waitlisted',
  offered_place: 'offered',
  accepted_offer: 'confirmed',
  cancelled_confirmed: 'cancelled',
  cancelled_waitlisted: 'cancelled',
  cancelled_offered: 'cancelled',
  offer_expired: 'cancelled',
};

/** The moves a booking may make; anything else is a bug. */
export const ALLOWED_MOVES: Record<string, readonly BookingState[]> = {
  confirmed: ['cancelled'],
  waitlisted: ['offered', 'cancelled'],
  offered: ['confirmed', 'cancelled'],
  cancelled: [],
};

/**
 * Every booking's history from the audit log, checked move by move: it
 * starts confirmed or waitlisted, makes only allowed moves, and ends in the
 * state the booking is in. Returns the problems found, empty when none.
 */
export async function auditedHistoryProblems(db: Kysely<DB>, rows: readonly BookingRow[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const entries = await db
    .selectFrom('audit_log')
    .where('entity_type', '=', 'booking')
    .where(
      'entity_id',
      'in',
      rows.map((r) => r.id),
    )
    .select(['entity_id', 'action'])
    .orderBy('id')
    .execute();
  const history = new Map<number, string[]>();
  for (const entry of entries) {
    const id = Number(entry.entity_id);
    history.set(id, [...(history.get(id) ?? []), entry.action]);
  }
  const problems: string[] = [];
  for (const row of rows) {
    const actions = history.get(row.id) ?? [];
    let state: BookingState | undefined;
    for (const action of actions) {
      const next = AUDITED_MOVES[action];
      if (!next) {
        problems.push(`booking ${row.id}: unknown audited action ${action}`);
        break;
      }
      const allowed = state === undefined ? ['confirmed', 'waitlisted'] : (ALLOWED_MOVES[state] ?? []);
      const from = action.startsWith('cancelled_') ? action.slice('cancelled_'.length) : undefined;
      if (!allowed.includes(next) || (from !== undefined && from !== state)) {
        problems.push(`booking ${row.id}: ${state ?? 'new'} → ${next} by ${action} (${actions.join(', ')})`);
      }
      state = next;
    }
    if (state !== row.state) {
      problems.push(`booking ${row.id} is ${row.state} but its audit trail ends ${state ?? 'empty'}`);
    }
  }
  return problems;
}
