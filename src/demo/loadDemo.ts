/**
 * Loads the demo programme into a new database, in one transaction: either
 * the whole programme is there or none of it is. Its past sessions come with
 * their history (pastSessions.ts): registers marked, certificates, feedback,
 * and the three-month follow-up for those long enough ago; and the hub's
 * charges (demoCharges.ts): fees, billing details, charges and invoices.
 */
import type { Kysely } from 'kysely';

import { DemoRepository } from '../data/repositories/demoRepository.js';
import { ProgrammeRecords } from '../data/repositories/programmeRecords.js';
import { SettingsRecords } from '../data/repositories/settingsRecords.js';
import type { DB } from '../data/schema.js';
import { DEFAULT_HUB_SETTINGS } from '../domain/hub/hub.js';
import { policySchema, type PolicyInput } from '../domain/hub/policy.js';
import { addDays, londonDate, londonToInstant, weekday } from '../domain/time/time.js';
import { isWorkingDay } from '../domain/time/workingDays.js';
import { newBookingReference } from '../services/bookings/bookingReference.js';
import { chargeTheDemo } from './demoCharges.js';
import { AFTER_COURSE_STEPS, markRegister, type MarkedSession } from './pastSessions.js';
import { seededRandom } from './seededRandom.js';
import type { DemoProgramme, DemoSession } from './types.js';

const DEMO_MARKER = 'demo_content_loaded_at';

export interface DemoLoadResult {
  loaded: boolean;
  courses: number;
  sessions: number;
}

/**
 * Loads the demo unless this database already has courses or has had the
 * demo before (so deleting demo courses does not bring them back).
 */
export async function loadDemoIfNew(
  db: Kysely<DB>,
  programme: DemoProgramme,
  now: Date,
): Promise<DemoLoadResult> {
  const settings = await new SettingsRecords(db).all();
  const course = await db.selectFrom('courses').select('id').limit(1).executeTakeFirst();
  if (course || settings[DEMO_MARKER]) return { loaded: false, courses: 0, sessions: 0 };
  return loadDemo(db, programme, now);
}

/**
 * Loads the demo under the default policy, or under `policy` (stored as the
 * hub's, as the settings page would store it) so that its history is what
 * that policy would have made: line managers' follow-up answers appear only
 * when the policy asks line managers, which is also what delegates are told.
 */
export async function loadDemo(
  db: Kysely<DB>,
  programme: DemoProgramme,
  now: Date,
  policy?: PolicyInput,
): Promise<DemoLoadResult> {
  const hubPolicy = policySchema.parse(policy ?? {});
  return db.transaction().execute(async (trx) => {
    const programmeRepo = new ProgrammeRecords(trx);
    const people = new DemoRepository(trx);
    const settings = new SettingsRecords(trx);

    const topicIds = new Map<string, number>();
    for (const topic of programme.topics)
      topicIds.set(topic.slug, await programmeRepo.createTopic(topic.slug, topic.name));
    const audienceIds = new Map<string, number>();
    for (const audience of programme.audiences) {
      audienceIds.set(audience.slug, await programmeRepo.createAudience(audience.slug, audience.name));
    }
    const venueIds = new Map<string, number>();
    for (const venue of programme.venues)
      venueIds.set(venue.slug, await programmeRepo.createVenue(venue, now));
    const trainerIds = new Map<string, number>();
    for (const trainer of programme.trainers) {
      trainerIds.set(
        trainer.slug,
        await programmeRepo.createTrainer(
          { ...trainer, photoPath: null, employment: trainer.isExternal ? 'external' : 'hub' },
          now,
        ),
      );
    }

    const organisationIds: number[] = [];
    for (const [name, type] of DEMO_ORGANISATIONS) {
      organisationIds.push(await people.createOrganisation(name, type, now, now));
    }
    const delegates = new DemoDelegates(people, organisationIds, now);

    const firstMonday = mondayOfWeek(londonDate(now));
    let sessionCount = 0;
    const ended: number[] = [];
    for (const course of programme.courses) {
      const courseId = await programmeRepo.createCourse(
        {
          ...course,
          testimonials: course.testimonials.map((t) => ({ ...t, publishedAt: now })),
          topicIds: course.topics.map((slug) => lookup(topicIds, slug, 'topic')),
          audienceIds: course.audiences.map((slug) => lookup(audienceIds, slug, 'audience')),
        },
        now,
      );
      for (const session of course.sessions) {
        const day = sessionDate(session, firstMonday);
        const sessionId = await programmeRepo.createSession(
          {
            courseId,
            format: session.format,
            venueId: session.venue ? lookup(venueIds, session.venue, 'venue') : null,
            onlineJoiningUrl:
              session.format === 'in_person'
                ? null
                : `https://meet.example.org.uk/trellis-demo-${course.slug}`,
            capacity: session.capacity,
            parts: session.parts.map((part) => {
              const date = addDays(day, part.dayOffset);
              return { startsAt: londonToInstant(date, part.start), endsAt: londonToInstant(date, part.end) };
            }),
            trainerIds: session.trainers.map((slug) => lookup(trainerIds, slug, 'trainer')),
            notes: session.notes ?? '',
            bookingOpensAt: null,
            bookingClosesAt: null,
          },
          now,
        );
        sessionCount += 1;
        const lastPart = session.parts[session.parts.length - 1]!;
        const endsAt = londonToInstant(addDays(day, lastPart.dayOffset), lastPart.end);
        if (endsAt <= now && !session.registerLeftUnmarked) ended.push(sessionId);
        const confirmed = await delegates.take(session.confirmed);
        const waiting = await delegates.take(session.waitlisted ?? 0);
        await people.insertBookings(
          [
            ...confirmed.map((delegateId) => ({ delegateId, state: 'confirmed' as const })),
            ...waiting.map((delegateId) => ({ delegateId, state: 'waitlisted' as const })),
          ].map((b) => ({ ...b, sessionId, reference: newBookingReference(), offerExpiresAt: null })),
          now,
        );
      }
    }

    const rng = seededRandom(2024);
    const marked: MarkedSession[] = [];
    for (const sessionId of ended) marked.push(await markRegister(trx, sessionId, rng));
    for (const step of AFTER_COURSE_STEPS) await step(trx, marked, rng, now, hubPolicy);
    // Fees, billing details, a priced course, and charges and invoices from the past sessions' registers.
    await chargeTheDemo(
      trx,
      DEMO_ORGANISATIONS.map(([name], index) => ({ id: organisationIds[index]!, name })),
      marked,
      now,
    );

    await settings.put('hub', DEFAULT_HUB_SETTINGS, now.toISOString());
    if (policy) await settings.put('policy', hubPolicy, now.toISOString());
    await settings.put(DEMO_MARKER, now.toISOString(), now.toISOString());
    return { loaded: true, courses: programme.courses.length, sessions: sessionCount };
  });
}

function lookup(ids: Map<string, number>, slug: string, kind: string): number {
  const id = ids.get(slug);
  if (id === undefined) throw new Error(`Demo programme names an unknown ${kind}: ${slug}`);
  return id;
}

function mondayOfWeek(date: string): string {
  return addDays(date, 1 - weekday(date));
}

function sessionDate(session: DemoSession, firstMonday: string): string {
  if ('date' in session.when) return session.when.date;
  const weeks = 'weeksAgo' in session.when ? -session.when.weeksAgo : session.when.weeksAhead;
  let date = addDays(firstMonday, weeks * 7 + session.when.weekday - 1);
  // Dates are relative to the day the demo loads: a hub would not run a
  // course on Christmas Day or a bank holiday Monday, so move to the next working day.
  while (!isWorkingDay(date)) date = addDays(date, 1);
  return date;
}

const DEMO_ORGANISATIONS = [
  ['County Council Children’s Services', 'partner_agency'],
  ['County Council Adult Social Care', 'partner_agency'],
  ['Thames Valley area police', 'partner_agency'],
  ['University Hospitals NHS Trust', 'partner_agency'],
  ['Health and Care NHS Foundation Trust', 'partner_agency'],
  ['Riverside Academy Trust', 'partner_agency'],
  ['Open Door Advice Centre', 'voluntary'],
  ['Young Carers Together', 'voluntary'],
  ['Hillview Care Homes Ltd', 'private'],
] as const;

const FIRST_NAMES = [
  'Amira',
  'Ben',
  'Chloe',
  'Dev',
  'Ellie',
  'Femi',
  'Grace',
  'Hamza',
  'Isla',
  'Jack',
  'Kasia',
  'Liam',
  'Maya',
  'Niamh',
  'Owen',
  'Priya',
  'Rhys',
  'Sana',
  'Tom',
  'Zofia',
];
const LAST_NAMES = [
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
  'Morris',
  'Nowak',
  'Okafor',
  'Patel',
];
const JOB_ROLES = [
  'Social worker',
  'Police constable',
  'Health visitor',
  'Designated safeguarding lead',
  'Support worker',
  'Community nurse',
  'Family support worker',
  'Volunteer coordinator',
];

/**
 * Demo delegates to fill places. Each session takes the next ones from a
 * pool, reusing people across sessions as a real programme would.
 */
class DemoDelegates {
  private readonly pool: number[] = [];
  private next = 0;

  constructor(
    private readonly people: DemoRepository,
    private readonly organisationIds: number[],
    private readonly now: Date,
  ) {}

  async take(count: number): Promise<number[]> {
    while (this.pool.length < 120 && this.pool.length < this.next + count) await this.create();
    const taken: number[] = [];
    for (let i = 0; i < count; i += 1) taken.push(this.pool[(this.next + i) % this.pool.length] as number);
    this.next += count;
    return taken;
  }

  private async create(): Promise<void> {
    const n = this.pool.length;
    const first = FIRST_NAMES[n % FIRST_NAMES.length] as string;
    const last = LAST_NAMES[Math.floor(n / FIRST_NAMES.length) % LAST_NAMES.length] as string;
    const id = await this.people.createDelegate(
      {
        name: `${first} ${last}`,
        email: `${first}.${last}.${n}@demo.example.org.uk`,
        organisationId: this.organisationIds[n % this.organisationIds.length] ?? null,
        jobRole: JOB_ROLES[n % JOB_ROLES.length] as string,
        lineManagerName: 'Demo Line Manager',
        lineManagerEmail: `manager.${n}@demo.example.org.uk`,
      },
      this.now,
    );
    this.pool.push(id);
  }
}
