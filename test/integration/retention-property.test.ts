/**
 * The retention job's property, on both databases: fill random data
 * (delegates with random last activity, bookings on sessions at random past
 * dates with needs, notes, feedback and certificates, sent and unsent
 * emails, sign-ins, links and audit entries of random ages), move the clock
 * on, change the schedule at random, run the job, and check that nothing
 * older than its period remains, nothing younger was touched, and every
 * report figure (session, course and year) is what it was.
 */
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import { PersonalDataRecords } from '../../src/data/repositories/privacy/personalDataRecords.js';
import type { DB } from '../../src/data/schema.js';
import {
  RETENTION_FIELDS,
  retentionProblems,
  retentionSchema,
  type RetentionSettings,
} from '../../src/domain/hub/retention.js';
import { londonDate, addDays } from '../../src/domain/time/time.js';
import { newBookingReference } from '../../src/services/bookings/bookingReference.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import { eachDatabase } from '../support/databases.js';
import { finishedSession } from '../support/finishedSessions.js';

const DAY = 86_400_000;
const NUM_RUNS = 10;
const time = (value: unknown) =>
  value === null || value === undefined ? null : new Date(value as string).getTime();
const ADMIN = { id: 1, role: 'admin' as const, trainerId: null };

const settingsArb = fc
  .record(
    Object.fromEntries(
      RETENTION_FIELDS.map((f) => [
        f.name,
        fc.integer({ min: f.min, max: Math.min(f.max, f.unit === 'year' ? 8 : f.max) }),
      ]),
    ) as Record<keyof RetentionSettings, fc.Arbitrary<number>>,
  )
  .filter((s) => Object.keys(retentionProblems(retentionSchema.parse(s))).length === 0);

/**
 * An age in days: half the time near a period's edge (where a rule most
 * easily goes wrong by a day or a month), otherwise anywhere in 9 years.
 */
const ageArb = fc.tuple(
  fc.boolean(),
  fc.oneof(fc.integer({ min: -6, max: 6 }), fc.integer({ min: -40, max: 40 })),
  fc.integer({ min: 0, max: 3300 }),
);
type Age = [boolean, number, number];
const ageFor = ([near, offset, wide]: Age, periodDays: number) =>
  Math.max(0, near ? Math.round(periodDays) + offset : wide);

const personArb = fc.record({
  active: ageArb,
  /** Whether "near" means near the warning (else near the closing). */
  nearWarning: fc.boolean(),
  warned: fc.option(ageArb, { nil: null }),
  closed: fc.boolean(),
  sessions: fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 2 }),
});

const worldArb = fc.record({
  advanceDays: fc.integer({ min: 0, max: 400 }),
  settings: settingsArb,
  sessions: fc.tuple(ageArb, ageArb),
  people: fc.array(personArb, { minLength: 1, maxLength: 4 }),
  emails: fc.array(fc.record({ age: ageArb, nearRecord: fc.boolean(), sent: fc.boolean() }), {
    maxLength: 3,
  }),
  signIns: fc.array(
    fc.record({
      expiresDaysAgo: fc.oneof(fc.integer({ min: 5, max: 9 }), fc.integer({ min: -5, max: 30 })),
      revokedDaysAgo: fc.option(fc.oneof(fc.integer({ min: 5, max: 9 }), fc.integer({ min: 0, max: 30 })), {
        nil: null,
      }),
    }),
    { maxLength: 2 },
  ),
  links: fc.array(
    fc.record({
      expiresDaysAgo: fc.oneof(fc.integer({ min: 5, max: 9 }), fc.integer({ min: -5, max: 30 })),
      usedDaysAgo: fc.option(fc.oneof(fc.integer({ min: 5, max: 9 }), fc.integer({ min: 0, max: 30 })), {
        nil: null,
      }),
    }),
    { maxLength: 2 },
  ),
  audits: fc.array(ageArb, { maxLength: 2 }),
});
type World = typeof worldArb extends fc.Arbitrary<infer W> ? W : never;

/** The cancellations reports count, which the job keeps. */
const CANCELLED = ['cancelled_confirmed', 'booking_cancelled'];
const YEAR_DAYS = 365.25;
const MONTH_DAYS = YEAR_DAYS / 12;
/** Calendar months and years differ from these averages by under 3 days over 20 years. */
const SLACK_DAYS = 3;

/**
 * The schedule as the property states it, worked out apart from the code
 * under test: past `older` a row must be gone (or changed), from `younger`
 * on it must be untouched. Periods in days are exact; in months and years
 * they are the average length give or take SLACK_DAYS, and between the two
 * lines nothing is asserted.
 */
function oracle(settings: RetentionSettings, now: Date) {
  const exact = (days: number) => ({
    older: now.getTime() - days * DAY,
    younger: now.getTime() - days * DAY,
  });
  const around = (days: number) => ({
    older: now.getTime() - (days + SLACK_DAYS) * DAY,
    younger: now.getTime() - (days - SLACK_DAYS) * DAY,
  });
  const close = settings.inactiveAccountMonths * MONTH_DAYS;
  return {
    close: around(close),
    warn: around(close - settings.closureWarningDays),
    warned: exact(settings.closureWarningDays),
    sessions: around(settings.bookingDetailsYears * YEAR_DAYS),
    words: exact(settings.sentEmailBodyDays),
    records: around(Math.max(settings.sentEmailRecordMonths * MONTH_DAYS, settings.sentEmailBodyDays)),
    spent: exact(7),
    audit: around(settings.auditLogYears * YEAR_DAYS),
  };
}

/**
 * A report with its groups in key order: groups with equal figures may come
 * in either order (the report sorts by figures), and the order is no figure.
 */
function inKeyOrder(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(inKeyOrder);
    const keyed = items.every((item) => typeof item === 'object' && item !== null && 'key' in item);
    return keyed ? items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : items;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inKeyOrder(v)]));
  }
  return value;
}

eachDatabase('the retention job, for any data and any schedule', (dialect) => {
  let t: TestApp;
  let clock: SettableClock;
  let db: Kysely<DB>;
  let organisationId: number;
  let label = 0;

  beforeAll(async () => {
    clock = settableClock(TEST_NOW);
    t = await createTestApp(dialect, { clock });
    db = t.database.db;
    organisationId = await new DemoRepository(db).createOrganisation(
      'Property Trust',
      'partner_agency',
      clock.now(),
      clock.now(),
    );
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Puts one random world into the database, as of the clock now; returns its sessions. */
  async function fill(world: World): Promise<number[]> {
    const now = clock.now();
    const ago = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
    const run = ++label;
    const { settings } = world;
    const YEAR = 365.25;
    const MONTH = YEAR / 12;
    const sessions: number[] = [];
    for (const age of world.sessions) {
      // The session ends six hours after it starts: its age is its end's.
      const days = Math.max(1, ageFor(age, settings.bookingDetailsYears * YEAR));
      sessions.push(
        (await finishedSession(db, new Date(now.getTime() - days * DAY - 6 * 3_600_000), now)).sessionId,
      );
    }
    const people = new DemoRepository(db);
    for (const [n, person] of world.people.entries()) {
      const closeDays = settings.inactiveAccountMonths * MONTH;
      const activeDaysAgo = ageFor(
        person.active,
        person.nearWarning ? closeDays - settings.closureWarningDays : closeDays,
      );
      const warnedDaysAgo =
        person.warned === null ? null : ageFor(person.warned, settings.closureWarningDays);
      const id = await people.createDelegate(
        {
          name: `Property ${run}-${n}`,
          email: `property.${run}.${n}@trust.example.org.uk`,
          organisationId,
          jobRole: n % 2 ? 'Nurse' : 'Social worker',
          lineManagerName: 'Pat',
          lineManagerEmail: 'pat@trust.example.org.uk',
        },
        new Date(ago(activeDaysAgo)),
      );
      await db
        .updateTable('delegates')
        .set({
          last_active_at: ago(activeDaysAgo),
          closure_warned_at: warnedDaysAgo === null ? null : ago(Math.min(warnedDaysAgo, activeDaysAgo)),
        })
        .where('id', '=', id)
        .execute();
      for (const which of new Set(person.sessions)) {
        const reference = newBookingReference();
        await people.insertBookings(
          [
            {
              reference,
              sessionId: sessions[which]!,
              delegateId: id,
              state: 'confirmed',
              offerExpiresAt: null,
            },
          ],
          now,
        );
        const booking = await db
          .selectFrom('bookings')
          .where('reference', '=', reference)
          .select('id')
          .executeTakeFirstOrThrow();
        await db
          .updateTable('bookings')
          .set({ access_needs: 'A hearing loop', dietary_needs: 'Vegan' })
          .where('id', '=', booking.id)
          .execute();
        const part = await db
          .selectFrom('session_parts')
          .where('session_id', '=', sessions[which]!)
          .select('id')
          .executeTakeFirstOrThrow();
        await db
          .insertInto('attendance')
          .values({
            booking_id: booking.id,
            session_part_id: part.id,
            status: 'attended',
            note: 'Left early to collect her son',
            marked_by_staff_id: null,
            marked_at: now.toISOString(),
          })
          .execute();
        await db
          .insertInto('feedback_responses')
          .values({
            booking_id: booking.id,
            usefulness: 1 + (n % 5),
            do_differently: 'Ask more',
            hub_should_change: 'Longer lunch',
            quote: 'Great day',
            quote_consent: 'name',
            submitted_at: now.toISOString(),
            updated_at: now.toISOString(),
            quote_withdrawn_at: null,
          })
          .execute();
        await db
          .insertInto('certificates')
          .values({
            number: `P${run}X${n}X${which}${reference}`,
            booking_id: booking.id,
            delegate_name: `Property ${run}-${n}`,
            course_title: 'A course',
            attended_from: now.toISOString(),
            facts: '{}',
            issued_at: now.toISOString(),
            withdrawn_at: null,
            released_at: now.toISOString(),
          })
          .execute();
      }
      if (person.closed) await new PersonalDataRecords(db).closeAccount(id, now);
      for (const [k, link] of world.links.entries()) {
        if (k !== n) continue;
        await db
          .insertInto('private_links')
          .values({
            token_hash: `property-${run}-${n}-${k}`,
            purpose: 'reset_password',
            delegate_id: id,
            follow_up_request_id: null,
            email: `property.${run}.${n}@trust.example.org.uk`,
            browser_hash: null,
            return_path: null,
            created_at: ago(40),
            expires_at: ago(link.expiresDaysAgo),
            used_at: link.usedDaysAgo === null ? null : ago(link.usedDaysAgo),
          })
          .execute();
      }
      for (const [k, signIn] of world.signIns.entries()) {
        if (k !== n) continue;
        await db
          .insertInto('sign_in_sessions')
          .values({
            id_hash: `property-${run}-${n}-${k}`,
            kind: 'delegate',
            delegate_id: id,
            staff_id: null,
            stage: null,
            created_at: ago(40),
            last_seen_at: ago(40),
            expires_at: ago(signIn.expiresDaysAgo),
            revoked_at: signIn.revokedDaysAgo === null ? null : ago(signIn.revokedDaysAgo),
          })
          .execute();
      }
    }
    for (const email of world.emails) {
      const days = email.sent
        ? ageFor(
            email.age,
            email.nearRecord ? settings.sentEmailRecordMonths * MONTH : settings.sentEmailBodyDays,
          )
        : null;
      await db
        .insertInto('outbox_messages')
        .values({
          created_at: ago(days ?? 0),
          to_address: 'someone@trust.example.org.uk',
          to_name: 'Someone',
          subject: 'Hello',
          text_body: 'Words',
          html_body: '<p>Words</p>',
          attachments: '[{"filename":"a.ics","contentType":"text/calendar","content":"x"}]',
          kind: 'booking_confirmed',
          booking_id: null,
          attempts: days === null ? 3 : 1,
          next_attempt_at: ago(days ?? 0),
          lease_until: null,
          last_error: null,
          sent_at: days === null ? null : ago(days),
        })
        .execute();
    }
    for (const age of world.audits) {
      const days = ageFor(age, settings.auditLogYears * YEAR);
      await db
        .insertInto('audit_log')
        .values({
          at: ago(days),
          actor_type: 'system',
          actor_id: null,
          action: 'property',
          entity_type: 'settings',
          entity_id: 0,
          details: '{}',
        })
        .execute();
    }
    return sessions;
  }

  async function snapshot() {
    const [delegates, bookings, outbox, signIns, links, audit, live] = await Promise.all([
      db.selectFrom('delegates').selectAll().execute(),
      db
        .selectFrom('bookings')
        .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
        .select([
          'bookings.id',
          'bookings.delegate_id',
          'bookings.access_needs',
          'bookings.dietary_needs',
          'sessions.ends_at',
        ])
        .execute(),
      db
        .selectFrom('outbox_messages')
        .select(['id', 'sent_at', 'text_body', 'html_body', 'attachments', 'booking_id'])
        .execute(),
      db
        .selectFrom('sign_in_sessions')
        .select(['id_hash', 'expires_at', 'revoked_at', 'delegate_id'])
        .execute(),
      db
        .selectFrom('private_links')
        .select(['id', 'expires_at', 'used_at', 'delegate_id', 'booking_id'])
        .execute(),
      db.selectFrom('audit_log').select(['id', 'at', 'entity_type', 'action']).execute(),
      db
        .selectFrom('bookings')
        .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
        .where('bookings.state', 'in', ['confirmed', 'waitlisted', 'offered'])
        .where('sessions.ends_at', '>', clock.now().toISOString())
        .select('bookings.delegate_id')
        .execute(),
    ]);
    return {
      delegates,
      bookings,
      outbox,
      signIns,
      links,
      audit,
      live: new Set(live.map((r) => r.delegate_id)),
    };
  }

  async function figures(sessions: number[]) {
    const policy = await t.services.settings.policy();
    const out: unknown[] = [];
    for (const sessionId of sessions) {
      const { session, report } = await t.services.reports.sessionReport(sessionId, ADMIN);
      const day = londonDate(session.startsAt);
      const year =
        Number(day.slice(0, 4)) - (Number(day.slice(5, 7)) >= policy.reportingYearStartMonth ? 0 : 1);
      out.push(report, (await t.services.reports.yearReport(year)).report);
      out.push(
        (
          await t.services.reports.courseReport(session.courseId, {
            from: addDays(day, -300),
            to: addDays(day, 300),
          })
        ).report,
      );
    }
    return inKeyOrder(JSON.parse(JSON.stringify(out)));
  }

  it('removes all that is past its period, touches nothing younger, and keeps every report figure', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async (world) => {
        clock.advance(world.advanceDays * DAY + 3_600_000);
        await t.services.settings.updateRetention(world.settings);
        const sessions = await fill(world);
        const now = clock.now();
        const lines = oracle(world.settings, now);
        const before = await snapshot();
        const reportsBefore = await figures(sessions);

        const plan = await t.services.retention.plan(now);
        const done = await t.services.retention.run(now);
        expect(done).toEqual(plan.counts);
        const after = await snapshot();

        const beforeDelegates = new Map(before.delegates.map((d) => [d.id, d]));
        const afterDelegates = new Map(after.delegates.map((d) => [d.id, d]));
        const closedNow = new Set(
          after.delegates
            .filter((d) => d.closed_at && !beforeDelegates.get(d.id)?.closed_at)
            .map((d) => d.id),
        );
        const lastActive = (d: { last_active_at: unknown; created_at: unknown }) =>
          time(d.last_active_at) ?? time(d.created_at)!;

        // Accounts: none left open past its period, none younger touched.
        for (const d of after.delegates) {
          const open =
            !d.closed_at &&
            !d.anonymised_at &&
            d.merged_into_id === null &&
            !d.email.endsWith('.invalid') &&
            !after.live.has(d.id);
          if (open && lastActive(d) < lines.warn.older)
            expect(d.closure_warned_at, `account ${d.id} not warned`).not.toBeNull();
          if (open && d.closure_warned_at && time(d.closure_warned_at)! <= lines.warned.older)
            expect(lastActive(d), `account ${d.id} left open`).toBeGreaterThanOrEqual(lines.close.older);
          const was = beforeDelegates.get(d.id);
          if (was && lastActive(was) >= lines.warn.younger && !was.closed_at) {
            expect({ closed: d.closed_at, warned: d.closure_warned_at, email: d.email }).toEqual({
              closed: was.closed_at,
              warned: was.closure_warned_at,
              email: was.email,
            });
          }
        }
        // Closed or merged rows with no bookings left that were so before the run have lost their name.
        const holders = new Set(before.bookings.map((b) => b.delegate_id));
        for (const was of before.delegates) {
          if ((was.closed_at || was.merged_into_id !== null) && !was.anonymised_at && !holders.has(was.id)) {
            expect(afterDelegates.get(was.id)).toMatchObject({ name: '' });
          }
        }

        // Bookings: anonymised past their years, untouched before.
        const anonymisedNow = new Set<number>();
        for (const b of after.bookings) {
          const was = before.bookings.find((x) => x.id === b.id)!;
          if (time(b.ends_at)! < lines.sessions.older) {
            expect(afterDelegates.get(b.delegate_id)?.anonymised_at, `booking ${b.id}`).not.toBeNull();
            expect([b.access_needs, b.dietary_needs]).toEqual([null, null]);
            if (was.delegate_id !== b.delegate_id) anonymisedNow.add(b.id);
          } else if (time(b.ends_at)! >= lines.sessions.younger) {
            expect([b.delegate_id, b.access_needs]).toEqual([was.delegate_id, was.access_needs]);
          }
        }
        const oldIds = after.bookings.filter((b) => time(b.ends_at)! < lines.sessions.older).map((b) => b.id);
        if (oldIds.length) {
          const notes = await db
            .selectFrom('attendance')
            .where('booking_id', 'in', oldIds)
            .where('note', '!=', '')
            .select('id')
            .execute();
          const names = await db
            .selectFrom('certificates')
            .where('booking_id', 'in', oldIds)
            .where('delegate_name', '!=', '')
            .select('id')
            .execute();
          const words = await db
            .selectFrom('feedback_responses')
            .where('booking_id', 'in', oldIds)
            .where((eb) => eb.or([eb('do_differently', '!=', ''), eb('quote', '!=', '')]))
            .select('id')
            .execute();
          expect([notes, names, words]).toEqual([[], [], []]);
        }

        // Emails: words and records gone on time; unsent ones and younger ones kept.
        const afterOutbox = new Map(after.outbox.map((m) => [m.id, m]));
        for (const was of before.outbox) {
          const sent = time(was.sent_at);
          const now_ = afterOutbox.get(was.id);
          if (sent !== null && sent < lines.records.older) expect(now_).toBeUndefined();
          else if (sent !== null && sent < lines.records.younger) continue;
          else if (was.booking_id !== null && anonymisedNow.size) continue;
          else if (sent !== null && sent < lines.words.older)
            expect([now_?.text_body, now_?.html_body, now_?.attachments]).toEqual(['', '', '[]']);
          else expect(now_).toEqual(was);
        }
        // Sign-ins and links: spent ones gone after 7 days; the rest kept (unless their account closed now).
        const spent = lines.spent.older;
        const afterSignIns = new Set(after.signIns.map((s) => s.id_hash));
        for (const was of before.signIns) {
          const gone = time(was.expires_at)! < spent || (time(was.revoked_at) ?? Infinity) < spent;
          if (gone) expect(afterSignIns.has(was.id_hash)).toBe(false);
          else if (!closedNow.has(was.delegate_id!)) expect(afterSignIns.has(was.id_hash)).toBe(true);
        }
        const afterLinks = new Set(after.links.map((l) => l.id));
        for (const was of before.links) {
          const gone = time(was.expires_at)! < spent || (time(was.used_at) ?? Infinity) < spent;
          if (gone) expect(afterLinks.has(was.id)).toBe(false);
          else if (!closedNow.has(was.delegate_id!) && was.booking_id === null)
            expect(afterLinks.has(was.id)).toBe(true);
        }
        // The audit log: old entries gone, the rest kept.
        const afterAudit = new Set(after.audit.map((a) => a.id));
        for (const was of before.audit) {
          const reported = was.entity_type === 'booking' && CANCELLED.includes(was.action);
          if (reported || time(was.at)! >= lines.audit.younger) expect(afterAudit.has(was.id)).toBe(true);
          else if (time(was.at)! < lines.audit.older) expect(afterAudit.has(was.id)).toBe(false);
        }

        // Every report figure is as it was.
        expect(await figures(sessions)).toEqual(reportsBefore);
      }),
      { numRuns: NUM_RUNS, interruptAfterTimeLimit: 30_000 },
    );
  }, 120_000);
});
