/**
 * A course open for booking and verified delegates already signed in, for
 * the tests and the benchmark that send many bookings at once over real HTTP
 * (test/integration/faults.test.ts, bench/rush.ts). Written with Trellis's
 * own repositories, so the rows are exactly what the app writes.
 *
 * Sign-in sessions are minted as AccountService.signIn mints them after
 * checking a password: a random secret for the cookie, its SHA-256 in
 * sign_in_sessions. Signing hundreds or thousands of people in through the
 * sign-in route would run into its rate limit and spend minutes in argon2,
 * which is neither what is tested nor what is measured.
 */
import type { Kysely } from 'kysely';

import { AccountRepository } from '../../src/data/repositories/accounts/accountRepository.js';
import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import { ProgrammeRecords } from '../../src/data/repositories/programmeRecords.js';
import type { DB } from '../../src/data/schema.js';
import { DELEGATE_SESSION_LIMITS } from '../../src/domain/accounts/accounts.js';
import { SignInSessions } from '../../src/services/accounts/signInSessions.js';

export const SEEDED_COURSE_SLUG = 'safeguarding-adults-level-2';
export const SEEDED_COURSE_TITLE = 'Safeguarding Adults: Level 2';

const HOUR_MS = 3_600_000;

export interface SignedInDelegate {
  id: number;
  name: string;
  email: string;
  /** The value of the trellis_session cookie. */
  sessionSecret: string;
}

/**
 * The seeded course, at one venue, with an in-person session of `capacity`
 * places starting at each of `startTimes` (six hours long), booking open
 * from `now`. Returns the session ids in the order of `startTimes`. The
 * course and venue have fixed slugs, so call this once per database.
 */
export async function createBookableSessions(
  db: Kysely<DB>,
  now: Date,
  startTimes: readonly Date[],
  capacity: number,
): Promise<number[]> {
  return db.transaction().execute(async (trx) => {
    const programme = new ProgrammeRecords(trx);
    const venueId = await programme.createVenue(
      {
        slug: 'cherwell-learning-centre',
        name: 'Cherwell Learning Centre',
        addressLines: ['7 Canalside Walk'],
        town: 'Banbury',
        postcode: 'OX16 5ZT',
        phone: null,
        travelNotes: '',
        accessNotes: '',
      },
      now,
    );
    const courseId = await programme.createCourse(
      {
        slug: SEEDED_COURSE_SLUG,
        title: SEEDED_COURSE_TITLE,
        summary: 'Recognising and responding to abuse and neglect of adults.',
        description: 'Recognising and responding to abuse and neglect of adults.',
        audience: 'Frontline workers',
        level: 'intermediate',
        contentNotes: '',
        cpdHours: 6,
        practicalNotes: '',
        keyAreas: ['Types of abuse'],
        learningOutcomes: ['Know how to raise a concern'],
        testimonials: [],
        topicIds: [],
        audienceIds: [],
      },
      now,
    );
    const sessionIds: number[] = [];
    for (const startsAt of startTimes) {
      sessionIds.push(
        await programme.createSession(
          {
            courseId,
            format: 'in_person',
            venueId,
            onlineJoiningUrl: null,
            capacity,
            parts: [{ startsAt, endsAt: new Date(startsAt.getTime() + 6 * HOUR_MS) }],
            trainerIds: [],
            notes: '',
            bookingOpensAt: null,
            bookingClosesAt: null,
          },
          now,
        ),
      );
    }
    return sessionIds;
  });
}

/** `createBookableSessions` with a single session: returns its id. */
export async function createBookableSession(
  db: Kysely<DB>,
  now: Date,
  startsAt: Date,
  capacity: number,
): Promise<number> {
  const [sessionId] = await createBookableSessions(db, now, [startsAt], capacity);
  return sessionId!;
}

/**
 * `count` delegates with verified email addresses, each signed in at `now`
 * (a sign-in goes idle after an hour, so mint them when they are needed).
 * `label` keeps the names and addresses of each call on a database apart.
 */
export async function createSignedInDelegates(
  db: Kysely<DB>,
  now: Date,
  count: number,
  label: string,
): Promise<SignedInDelegate[]> {
  return db.transaction().execute(async (trx) => {
    const people = new DemoRepository(trx);
    const accounts = new AccountRepository(db).within(trx);
    const organisationId = await people.createOrganisation(
      `Northshire Council (${label})`,
      'partner_agency',
      now,
      now,
    );
    const sessions = new SignInSessions(trx);
    const delegates: SignedInDelegate[] = [];
    for (let n = 1; n <= count; n++) {
      const name = `Delegate ${label} ${n}`;
      const email = `delegate.${label}.${n}@council.example.org.uk`;
      const id = await people.createDelegate(
        {
          name,
          email,
          organisationId,
          jobRole: 'Social worker',
          lineManagerName: 'Pat Manager',
          lineManagerEmail: 'pat.manager@council.example.org.uk',
        },
        now,
      );
      await accounts.markEmailVerified(id, now);
      const sessionSecret = await sessions.start({ kind: 'delegate', id }, DELEGATE_SESSION_LIMITS, now);
      delegates.push({ id, name, email, sessionSecret });
    }
    return delegates;
  });
}
