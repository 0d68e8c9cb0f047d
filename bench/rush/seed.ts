/**
 * Setup for the booking rush (not timed): a course with sessions, and
 * verified delegates who are already signed in, written with Trellis's own
 * repositories so the rows are exactly what the app writes.
 *
 * Sessions are minted as AccountService.signIn mints them after checking a
 * password (a random secret in the cookie, its SHA-256 in auth_sessions).
 * Signing 2,000 people in through the sign-in route would hit its rate limit
 * and spend minutes in argon2, which is not what is being measured.
 */
import type { Kysely } from 'kysely';

import { AccountRepository } from '../../src/data/repositories/accountRepository.js';
import { PeopleRepository } from '../../src/data/repositories/peopleRepository.js';
import { ProgrammeRepository } from '../../src/data/repositories/programmeRepository.js';
import type { DB } from '../../src/data/schema.js';
import { SESSION_ABSOLUTE_HOURS } from '../../src/domain/accounts.js';
import { hashSecret, newSecret } from '../../src/services/secrets.js';

const DAY_MS = 86_400_000;

export interface SignedInDelegate {
  id: number;
  email: string;
  /** The value of the trellis_session cookie. */
  sessionSecret: string;
}

/**
 * One in-person course with `count` sessions of `capacity` places, four
 * weeks from `now`, booking open. Returns the session ids.
 */
export async function createSessions(
  db: Kysely<DB>,
  now: Date,
  count: number,
  capacity: number,
): Promise<number[]> {
  return db.transaction().execute(async (trx) => {
    const programme = new ProgrammeRepository(trx);
    const venueId = await programme.createVenue(
      {
        slug: 'rush-venue',
        name: 'Rush Learning Centre',
        addressLines: ['1 Bench Street'],
        town: 'Northshire',
        postcode: 'NS1 1AA',
        phone: null,
        travelNotes: '',
        accessNotes: '',
      },
      now,
    );
    const courseId = await programme.createCourse(
      {
        slug: 'rush-course',
        title: 'Safeguarding Adults: Level 2',
        summary: 'A course everyone wants at once.',
        description: 'Recognising and responding to abuse and neglect.',
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
    const ids: number[] = [];
    for (let n = 0; n < count; n++) {
      const startsAt = new Date(
        Math.ceil((now.getTime() + (28 + n) * DAY_MS) / DAY_MS) * DAY_MS + 9.5 * 3_600_000,
      );
      ids.push(
        await programme.createSession(
          {
            courseId,
            format: 'in_person',
            venueId,
            onlineJoiningUrl: null,
            capacity,
            parts: [{ startsAt, endsAt: new Date(startsAt.getTime() + 6 * 3_600_000) }],
            trainerIds: [],
            notes: '',
            bookingOpensAt: null,
            bookingClosesAt: null,
          },
          now,
        ),
      );
    }
    return ids;
  });
}

/** `count` delegates with verified email addresses, each signed in once. */
export async function createSignedInDelegates(
  db: Kysely<DB>,
  now: Date,
  count: number,
): Promise<SignedInDelegate[]> {
  return db.transaction().execute(async (trx) => {
    const people = new PeopleRepository(trx);
    const accounts = new AccountRepository(db).within(trx);
    const organisationId = await people.createOrganisation('Northshire Council', 'partner_agency', now, now);
    const expires = new Date(now.getTime() + SESSION_ABSOLUTE_HOURS * 3_600_000);
    const delegates: SignedInDelegate[] = [];
    for (let n = 1; n <= count; n++) {
      const email = `rush.delegate.${n}@council.example.org.uk`;
      const id = await people.createDelegate(
        {
          name: `Rush Delegate ${n}`,
          email,
          organisationId,
          jobRole: 'Social worker',
          lineManagerName: 'Pat Manager',
          lineManagerEmail: 'pat.manager@council.example.org.uk',
        },
        now,
      );
      await accounts.markEmailVerified(id, now);
      const sessionSecret = newSecret();
      await accounts.createSession(hashSecret(sessionSecret), id, now, expires);
      delegates.push({ id, email, sessionSecret });
    }
    return delegates;
  });
}
