/**
 * What the fault tests start from, written with Trellis's own repositories:
 * a session open for booking, and verified delegates already signed in (the
 * session secret minted as AccountService.signIn mints it after a password,
 * without argon2 or the sign-in route's rate limit).
 */
import type { Kysely } from 'kysely';

import { AccountRepository } from '../../src/data/repositories/accountRepository.js';
import { PeopleRepository } from '../../src/data/repositories/peopleRepository.js';
import { ProgrammeRepository } from '../../src/data/repositories/programmeRepository.js';
import type { DB } from '../../src/data/schema.js';
import { SESSION_ABSOLUTE_HOURS } from '../../src/domain/accounts.js';
import { hashSecret, newSecret } from '../../src/services/secrets.js';

export const COURSE_SLUG = 'safeguarding-adults-level-2';
export const COURSE_TITLE = 'Safeguarding Adults: Level 2';

export interface SignedInDelegate {
  id: number;
  name: string;
  email: string;
  /** The session cookie's value. */
  sessionSecret: string;
}

/** An in-person session of `capacity` places starting at `startsAt`, booking open now. */
export async function createSession(db: Kysely<DB>, now: Date, startsAt: Date, capacity: number) {
  return db.transaction().execute(async (trx) => {
    const programme = new ProgrammeRepository(trx);
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
        slug: COURSE_SLUG,
        title: COURSE_TITLE,
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
    return programme.createSession(
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
    );
  });
}

/**
 * `count` verified delegates, each signed in at `now` (a sign-in goes idle
 * after an hour, so mint them when they are needed). `label` keeps the
 * addresses of each call apart.
 */
export async function createSignedInDelegates(
  db: Kysely<DB>,
  now: Date,
  count: number,
  label: string,
): Promise<SignedInDelegate[]> {
  return db.transaction().execute(async (trx) => {
    const people = new PeopleRepository(trx);
    const accounts = new AccountRepository(db).within(trx);
    const organisationId = await people.createOrganisation(
      `Northshire Council (${label})`,
      'partner_agency',
      now,
      now,
    );
    const expires = new Date(now.getTime() + SESSION_ABSOLUTE_HOURS * 3_600_000);
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
      const sessionSecret = newSecret();
      await accounts.createSession(hashSecret(sessionSecret), id, now, expires);
      delegates.push({ id, name, email, sessionSecret });
    }
    return delegates;
  });
}
