/**
 * Reports: a course's figures over a period equal a plain count of the
 * database's rows (a property test on random bookings, attendance,
 * cancellations, feedback and follow-up requests and answers), the session report is a trainer's for their own sessions,
 * the year report follows the hub's reporting year, bad dates are refused
 * by the field, and every report downloads as a CSV.
 */
import fc from 'fast-check';
import { sql, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { recordAudit } from '../../src/data/repositories/auditRecords.js';
import { seedLargeHub } from '../../src/demo/largeHub.js';
import { ReportService } from '../../src/services/afterCourse/reportService.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { ProgrammeRecords } from '../../src/data/repositories/programmeRecords.js';
import type { AttendanceStatus } from '../../src/domain/afterCourse/attendance.js';
import type { BookingState } from '../../src/domain/programme/availability.js';
import { CONFIDENCE_WORDS, USEFULNESS_WORDS } from '../../src/domain/afterCourse/feedback.js';
import {
  PRACTICE_CHANGE_WORDS,
  PRACTICE_CHANGES,
  type FollowUpRespondent,
  type PracticeChange,
} from '../../src/domain/afterCourse/followUp.js';
import { ORGANISATION_TYPE_NAMES, type OrganisationType } from '../../src/domain/programme/organisation.js';
import { selfCancellationDeadline } from '../../src/domain/hub/policy.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import type { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { normalise, parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';

const HOUR = 3_600_000;
/** Sessions of the generated courses: in the past (the test clock is January 2026), two parts each. */
const SESSION_STARTS = ['2025-06-10T08:30:00.000Z', '2025-07-15T08:30:00.000Z', '2025-09-02T08:30:00.000Z'];
const ORGANISATIONS: { name: string; type: OrganisationType }[] = [
  { name: 'Northshire County Council', type: 'partner_agency' },
  { name: 'Riverside Women’s Aid', type: 'voluntary' },
  { name: 'Brightcare Homes', type: 'private' },
];
const JOB_ROLES = ['Social worker', 'social worker ', 'Nurse', ''];
/** The generated courses' learning outcomes now; answers may also be in words since changed. */
const OUTCOMES_NOW = ['Recognise the signs of trauma', 'Plan support with the person'];
const OUTCOME_WORDINGS = [...OUTCOMES_NOW, 'Plan support with people, not for them'];
/** The generated courses' key areas now; follow-up answers may also be in words since changed. */
const KEY_AREAS_NOW = ['Types of abuse', 'Sharing information'];
const KEY_AREA_WORDINGS = [...KEY_AREAS_NOW, 'Sharing information safely'];

/** A follow-up request sent about a place, and what came back. */
interface GeneratedRequest {
  outcome: 'answered' | 'no_longer_works_with' | null;
  /** Only stored when answered, as the form does. */
  answers: { area: number; change: PracticeChange }[];
}

interface GeneratedFeedback {
  invited: boolean;
  /** Answers given (only if invited, as the form allows): usefulness and, by wording, before and after. */
  answers: {
    usefulness: number | null;
    outcomes: { wording: number; before: number | null; after: number | null }[];
  } | null;
}

interface GeneratedBooking {
  session: number;
  organisation: number | null;
  jobRole: string;
  state: BookingState;
  /** One mark per part, or null when unmarked. */
  marks: (AttendanceStatus | null)[];
  /** For cancelled bookings: who, from which state, and how far before the cut-off (negative: after it). */
  cancel: { by: 'delegate' | 'hub'; from: 'confirmed' | 'waitlisted'; hoursBeforeCutOff: number };
  feedback: GeneratedFeedback;
  followUp: Record<FollowUpRespondent, GeneratedRequest | null>;
}

const generatedRequest = (outcomes: GeneratedRequest['outcome'][]) =>
  fc.option(
    fc.record({
      outcome: fc.constantFrom(...outcomes),
      answers: fc.uniqueArray(
        fc.record({
          area: fc.nat({ max: KEY_AREA_WORDINGS.length - 1 }),
          change: fc.constantFrom(...PRACTICE_CHANGES),
        }),
        { selector: (answer) => answer.area, maxLength: KEY_AREA_WORDINGS.length },
      ),
    }),
    { nil: null },
  );

const mark = fc.constantFrom<AttendanceStatus | null>(null, 'attended', 'partial', 'absent');
const generatedBooking: fc.Arbitrary<GeneratedBooking> = fc.record({
  session: fc.nat({ max: SESSION_STARTS.length - 1 }),
  organisation: fc.option(fc.nat({ max: ORGANISATIONS.length - 1 }), { nil: null }),
  jobRole: fc.constantFrom(...JOB_ROLES),
  state: fc.constantFrom<BookingState>('confirmed', 'confirmed', 'cancelled', 'waitlisted', 'did_not_attend'),
  marks: fc.array(mark, { minLength: 2, maxLength: 2 }),
  cancel: fc.record({
    by: fc.constantFrom('delegate' as const, 'hub' as const),
    from: fc.constantFrom('confirmed' as const, 'waitlisted' as const),
    hoursBeforeCutOff: fc.constantFrom(-30, -1, 0, 1, 50),
  }),
  feedback: fc.record({
    invited: fc.boolean(),
    answers: fc.option(
      fc.record({
        usefulness: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
        outcomes: fc.uniqueArray(
          fc.record({
            wording: fc.nat({ max: OUTCOME_WORDINGS.length - 1 }),
            before: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
            after: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
          }),
          { selector: (answer) => answer.wording, maxLength: OUTCOME_WORDINGS.length },
        ),
      }),
      { nil: null },
    ),
  }),
  followUp: fc.record({
    delegate: generatedRequest([null, 'answered']),
    line_manager: generatedRequest([null, 'answered', 'no_longer_works_with']),
  }),
});

const NO_FOLLOW_UP: GeneratedBooking['followUp'] = { delegate: null, line_manager: null };

const NO_FEEDBACK: GeneratedFeedback = { invited: false, answers: null };

/** RFC 4180 records of a download (quoted fields, empty ones bare, CRLF), without the byte-order mark. */
function csvRecords(body: string): string[][] {
  return body
    .replace(/^\ufeff/, '')
    .split('\r\n')
    .filter(Boolean)
    .map((line) =>
      [...line.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,"]*))/g)].map((m) =>
        m[1] === undefined ? m[2]! : m[1].replace(/""/g, '"'),
      ),
    );
}

eachDatabase('reports', (dialect) => {
  let t: TestApp;
  let coordinator: WebClient;
  let runs = 0;
  const db = () => t.database.db;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    coordinator = await signedInStaff(t, 'coordinator');
  });
  afterAll(() => t.close());

  /** A new course with the three sessions, and `bookings` on them as generated. */
  async function courseWith(bookings: readonly GeneratedBooking[]) {
    runs += 1;
    const now = t.services.clock.now();
    const policy = await t.services.settings.policy();
    return db()
      .transaction()
      .execute(async (trx) => {
        const programme = new ProgrammeRecords(trx);
        const courseId = await programme.createCourse(
          {
            slug: `report-course-${runs}`,
            title: `Report course ${runs}`,
            summary: 'A course to count.',
            description: 'A course to count.',
            audience: 'Frontline workers',
            level: 'intermediate',
            contentNotes: '',
            cpdHours: 6,
            practicalNotes: '',
            keyAreas: KEY_AREAS_NOW,
            learningOutcomes: OUTCOMES_NOW,
            testimonials: [],
            topicIds: [],
            audienceIds: [],
          },
          now,
        );
        const sessions: { id: number; startsAt: Date; parts: number[] }[] = [];
        for (const start of SESSION_STARTS) {
          const startsAt = new Date(start);
          const id = await programme.createSession(
            {
              courseId,
              format: 'online',
              venueId: null,
              onlineJoiningUrl: 'https://meet.example.org/room',
              capacity: 40,
              parts: [
                { startsAt, endsAt: new Date(startsAt.getTime() + 3 * HOUR) },
                {
                  startsAt: new Date(startsAt.getTime() + 24 * HOUR),
                  endsAt: new Date(startsAt.getTime() + 27 * HOUR),
                },
              ],
              trainerIds: [],
              notes: '',
              bookingOpensAt: null,
              bookingClosesAt: null,
            },
            now,
          );
          const parts = await trx
            .selectFrom('session_parts')
            .where('session_id', '=', id)
            .orderBy('position')
            .select('id')
            .execute();
          sessions.push({ id, startsAt, parts: parts.map((p) => p.id) });
        }
        const organisationIds: number[] = [];
        for (const organisation of ORGANISATIONS) {
          const row = await trx
            .insertInto('organisations')
            .values({
              name: `${organisation.name} ${runs}`,
              type: organisation.type,
              confirmed_at: now.toISOString(),
              created_at: now.toISOString(),
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          organisationIds.push(row.id);
        }
        for (const [n, booking] of bookings.entries()) {
          const session = sessions[booking.session]!;
          const delegate = await trx
            .insertInto('delegates')
            .values({
              name: `Delegate ${runs}-${n}`,
              email: `delegate.${runs}.${n}@example.org.uk`,
              organisation_id: booking.organisation === null ? null : organisationIds[booking.organisation]!,
              job_role: booking.jobRole,
              line_manager_name: 'A Manager',
              line_manager_email: 'manager@example.org.uk',
              created_at: now.toISOString(),
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          const cutOff = selfCancellationDeadline(session.startsAt, policy).getTime();
          const cancelledAt =
            booking.state === 'cancelled'
              ? new Date(cutOff - booking.cancel.hoursBeforeCutOff * HOUR).toISOString()
              : null;
          const { id } = await trx
            .insertInto('bookings')
            .values({
              reference: `RPT-${runs}-${n}`,
              session_id: session.id,
              delegate_id: delegate.id,
              state: booking.state,
              cancelled_at: cancelledAt,
              cancelled_by: cancelledAt ? booking.cancel.by : null,
              feedback_invited_at: booking.feedback.invited ? now.toISOString() : null,
              created_at: now.toISOString(),
              updated_at: now.toISOString(),
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          if (cancelledAt) {
            // As the delegate's own cancelling and the hub's record them.
            await recordAudit(
              trx,
              booking.cancel.by === 'delegate'
                ? {
                    actorType: 'delegate',
                    actorId: delegate.id,
                    action: `cancelled_${booking.cancel.from}`,
                    entityType: 'booking',
                    entityId: id,
                  }
                : {
                    actorType: 'staff',
                    actorId: null,
                    action: 'booking_cancelled',
                    entityType: 'booking',
                    entityId: id,
                    details: { reason: 'Asked to', fromState: booking.cancel.from },
                  },
              new Date(cancelledAt),
            );
          }
          const answers = booking.feedback.invited ? booking.feedback.answers : null;
          if (answers) {
            const response = await trx
              .insertInto('feedback_responses')
              .values({
                booking_id: id,
                usefulness: answers.usefulness,
                do_differently: '',
                hub_should_change: '',
                quote: '',
                quote_consent: null,
                submitted_at: now.toISOString(),
                updated_at: now.toISOString(),
              })
              .returning('id')
              .executeTakeFirstOrThrow();
            for (const answer of answers.outcomes) {
              await trx
                .insertInto('feedback_outcome_answers')
                .values({
                  response_id: response.id,
                  // As the form stores them: an id per wording asked.
                  learning_outcome_id: 1_000 * runs + answer.wording,
                  outcome_text: OUTCOME_WORDINGS[answer.wording]!,
                  confidence_before: answer.before,
                  confidence_after: answer.after,
                })
                .execute();
            }
          }
          for (const respondent of ['delegate', 'line_manager'] as const) {
            const request = booking.followUp[respondent];
            if (!request) continue;
            const sent = new Date(now.getTime() - 10 * 24 * HOUR).toISOString();
            const row = await trx
              .insertInto('follow_up_requests')
              .values({
                booking_id: id,
                respondent,
                email:
                  respondent === 'delegate'
                    ? `delegate.${runs}.${n}@example.org.uk`
                    : 'manager@example.org.uk',
                sent_at: sent,
                expires_at: now.toISOString(),
                answered_at: request.outcome ? now.toISOString() : null,
                outcome: request.outcome,
                example: '',
                obstacles: '',
              })
              .returning('id')
              .executeTakeFirstOrThrow();
            if (request.outcome === 'answered' && request.answers.length) {
              await trx
                .insertInto('follow_up_answers')
                .values(
                  request.answers.map((answer) => ({
                    request_id: row.id,
                    key_area_id: 1_000 * runs + answer.area,
                    key_area_text: KEY_AREA_WORDINGS[answer.area]!,
                    practice_change: answer.change,
                  })),
                )
                .execute();
            }
          }
          if (['confirmed', 'did_not_attend'].includes(booking.state)) {
            for (const [position, status] of booking.marks.entries()) {
              if (!status) continue;
              await trx
                .insertInto('attendance')
                .values({
                  booking_id: id,
                  session_part_id: session.parts[position]!,
                  status,
                  note: '',
                  marked_by_staff_id: null,
                  marked_at: now.toISOString(),
                })
                .execute();
            }
          }
        }
        return { courseId, sessions };
      });
  }

  /** The figures counted straight from the rows, one booking at a time. */
  async function plainCount(courseId: number) {
    const policy = await t.services.settings.policy();
    const bookings = await db()
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
      .leftJoin('organisations', 'organisations.id', 'delegates.organisation_id')
      .where('sessions.course_id', '=', courseId)
      .select([
        'bookings.id',
        'organisations.name as organisation_name',
        'organisations.type as organisation_type',
        'bookings.state',
        'bookings.cancelled_at',
        'bookings.cancelled_by',
        'sessions.starts_at',
        'sessions.id as session_id',
        'bookings.feedback_invited_at',
      ])
      .execute();
    const total = { places: 0, attended: 0, partial: 0, didNotAttend: 0, notMarked: 0, late: 0 };
    const feedback = { invited: 0, responses: 0, usefulness: [0, 0, 0, 0, 0] };
    const outcomes = new Map<string, { before: number[]; after: number[] }>();
    const emptyRequests = () => ({ asked: 0, answered: 0, left: 0 });
    const requests = { delegate: emptyRequests(), line_manager: emptyRequests() };
    type Requests = typeof requests;
    /** By the grouping's row name as shown ("No organisation given" for delegates with none), then respondent. */
    const requestsBy = {
      'organisation type': new Map<string, Requests>(),
      organisation: new Map<string, Requests>(),
    };
    /** By key area wording and respondent, how many gave each answer. */
    const keyAreas = new Map<string, Record<PracticeChange, number>>();
    for (const booking of bookings) {
      const sent = await db()
        .selectFrom('follow_up_requests')
        .where('booking_id', '=', booking.id)
        .select(['id', 'respondent', 'outcome'])
        .execute();
      const groups = [
        [
          requestsBy['organisation type'],
          booking.organisation_type
            ? ORGANISATION_TYPE_NAMES[booking.organisation_type]
            : 'No organisation given',
        ],
        [requestsBy.organisation, booking.organisation_name ?? 'No organisation given'],
      ] as const;
      for (const request of sent) {
        const tallies = [
          requests,
          ...groups.map(([byName, name]) => {
            const group = byName.get(name) ?? { delegate: emptyRequests(), line_manager: emptyRequests() };
            byName.set(name, group);
            return group;
          }),
        ];
        for (const tally of tallies) {
          const counts = tally[request.respondent];
          counts.asked += 1;
          if (request.outcome === 'answered') counts.answered += 1;
          if (request.outcome === 'no_longer_works_with') counts.left += 1;
        }
        const answers = await db()
          .selectFrom('follow_up_answers')
          .where('request_id', '=', request.id)
          .select(['key_area_text', 'practice_change'])
          .execute();
        for (const answer of answers) {
          const key = `${answer.key_area_text}|${request.respondent}`;
          const area =
            keyAreas.get(key) ??
            (Object.fromEntries(PRACTICE_CHANGES.map((c) => [c, 0])) as Record<PracticeChange, number>);
          area[answer.practice_change] += 1;
          keyAreas.set(key, area);
        }
      }
      if (['confirmed', 'attended', 'partial', 'did_not_attend'].includes(booking.state)) {
        total.places += 1;
        if (booking.feedback_invited_at) feedback.invited += 1;
        const response = await db()
          .selectFrom('feedback_responses')
          .where('booking_id', '=', booking.id)
          .select(['id', 'usefulness'])
          .executeTakeFirst();
        if (response) {
          feedback.responses += 1;
          if (response.usefulness) feedback.usefulness[response.usefulness - 1]! += 1;
          const answers = await db()
            .selectFrom('feedback_outcome_answers')
            .where('response_id', '=', response.id)
            .selectAll()
            .execute();
          for (const answer of answers) {
            const counts = outcomes.get(answer.outcome_text) ?? {
              before: [0, 0, 0, 0, 0],
              after: [0, 0, 0, 0, 0],
            };
            if (answer.confidence_before) counts.before[answer.confidence_before - 1]! += 1;
            if (answer.confidence_after) counts.after[answer.confidence_after - 1]! += 1;
            outcomes.set(answer.outcome_text, counts);
          }
        }
        const marks = await db()
          .selectFrom('attendance')
          .where('booking_id', '=', booking.id)
          .select('status')
          .execute();
        const statuses = marks.map((m) => m.status);
        if (statuses.length < 2) total.notMarked += 1;
        else if (statuses.every((s) => s === 'attended')) total.attended += 1;
        else if (statuses.every((s) => s === 'absent')) total.didNotAttend += 1;
        else total.partial += 1;
      }
      if (booking.state === 'cancelled') {
        const audit = await db()
          .selectFrom('audit_log')
          .where('entity_type', '=', 'booking')
          .where('entity_id', '=', booking.id)
          .select(['action', 'details'])
          .executeTakeFirstOrThrow();
        const fromState =
          audit.action === 'booking_cancelled'
            ? JSON.parse(audit.details).fromState
            : audit.action.replace('cancelled_', '');
        const deadline = selfCancellationDeadline(new Date(booking.starts_at), policy);
        if (fromState === 'confirmed' && new Date(booking.cancelled_at!) >= deadline) total.late += 1;
      }
    }
    return { ...total, feedback, outcomes, requests, requestsBy, keyAreas };
  }

  function courseQuery(courseId: number, from = ['1', '4', '2025'], to = ['31', '3', '2026']) {
    return new URLSearchParams({
      course: String(courseId),
      'from-day': from[0]!,
      'from-month': from[1]!,
      'from-year': from[2]!,
      'to-day': to[0]!,
      'to-month': to[1]!,
      'to-year': to[2]!,
    }).toString();
  }

  it('counts as a plain count of the database does, in total and by each grouping', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(generatedBooking, { maxLength: 14 }), async (generated) => {
        const { courseId } = await courseWith(generated);
        const response = await coordinator.get(`/admin/reports/course.csv?${courseQuery(courseId)}`);
        expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
        const [header, ...rows] = csvRecords(response.rawPayload.toString('utf8'));
        expect(header).toEqual([
          'Grouped by',
          'Name',
          'Places taken',
          'Attended',
          'Partly attended',
          'Did not attend',
          'Attendance not marked',
          'Late cancellations',
          'Too few to read into (under 5)',
          'Invited to give feedback',
          'Feedback responses',
          'Response rate (% of those invited)',
          ...USEFULNESS_WORDS.map((word) => `Usefulness: ${word}`),
          'Usefulness mean (1 to 5)',
          ...['before', 'after'].flatMap((when) => [
            ...CONFIDENCE_WORDS.map((word) => `Confidence ${when}: ${word}`),
            `Confidence ${when} mean (1 to 5)`,
          ]),
          'Learning outcome still asked in these words',
          'Feedback too few to read into (under 5 responses or answers)',
          'Follow-up asked of',
          'Follow-up asked',
          'Follow-up answered',
          'Follow-up: delegate no longer works with the line manager',
          'Follow-up response rate (% of those asked)',
          ...PRACTICE_CHANGES.map((change) => `Practice changed: ${PRACTICE_CHANGE_WORDS[change]}`),
          'Key area still asked in these words',
          'Follow-up too few to read into (under 5 answered, or answers not counting "Not applicable")',
        ]);
        const column = (name: string) => header!.indexOf(name);
        const expected = await plainCount(courseId);
        const totalRow = rows.find((row) => row[0] === 'Total')!;
        expect(totalRow.slice(2, 8).map(Number)).toEqual([
          expected.places,
          expected.attended,
          expected.partial,
          expected.didNotAttend,
          expected.notMarked,
          expected.late,
        ]);
        expect(totalRow[8]).toBe(expected.places + expected.late < 5 ? 'Yes' : 'No');

        // Feedback: who was asked and answered, and how useful, as counted one booking at a time.
        const { invited, responses, usefulness } = expected.feedback;
        expect(totalRow.slice(9, 17).map(Number)).toEqual([
          invited,
          responses,
          invited ? Math.round((responses / invited) * 100) : 0,
          ...usefulness,
        ]);
        if (!invited) expect(totalRow[11]).toBe('');
        const useful = usefulness.reduce((n, c) => n + c, 0);
        expect(totalRow[column('Usefulness mean (1 to 5)')]).toBe(
          useful ? (usefulness.reduce((n, c, i) => n + c * (i + 1), 0) / useful).toFixed(2) : '',
        );
        const feedbackTooFew = column('Feedback too few to read into (under 5 responses or answers)');
        const followUpTooFew = header!.length - 1;
        expect(totalRow[feedbackTooFew]).toBe(responses < 5 ? 'Yes' : 'No');

        // Each learning outcome's answers, by the words they were asked in.
        const outcomeRows = rows.filter((row) => row[0] === 'Learning outcome');
        expect(new Set(outcomeRows.map((row) => row[1]))).toEqual(new Set(expected.outcomes.keys()));
        for (const row of outcomeRows) {
          const counts = expected.outcomes.get(row[1]!)!;
          const before = column(`Confidence before: ${CONFIDENCE_WORDS[0]}`);
          const after = column(`Confidence after: ${CONFIDENCE_WORDS[0]}`);
          expect(row.slice(before, before + 5).map(Number), row[1]).toEqual(counts.before);
          expect(row.slice(after, after + 5).map(Number), row[1]).toEqual(counts.after);
          const answers = (c: number[]) => c.reduce((n, x) => n + x, 0);
          const mean = (c: number[]) =>
            answers(c) ? (c.reduce((n, x, i) => n + x * (i + 1), 0) / answers(c)).toFixed(2) : '';
          expect(row[before + 5]).toBe(mean(counts.before));
          expect(row[after + 5]).toBe(mean(counts.after));
          expect(row[column('Learning outcome still asked in these words')]).toBe(
            OUTCOMES_NOW.includes(row[1]!) ? 'Yes' : 'No',
          );
          expect(row[feedbackTooFew]).toBe(
            answers(counts.before) < 5 || answers(counts.after) < 5 ? 'Yes' : 'No',
          );
          // Not a group of places: its attendance cells are empty.
          expect(row.slice(2, 12).every((cell) => cell === '')).toBe(true);
        }
        // The follow-up: who was asked and answered, delegates and line managers apart.
        const asked = column('Follow-up asked');
        for (const [respondent, who] of [
          ['delegate', 'Delegates'],
          ['line_manager', 'Line managers'],
        ] as const) {
          const row = rows.find((r) => r[0] === 'Follow-up' && r[column('Follow-up asked of')] === who)!;
          const counted = expected.requests[respondent];
          expect(row.slice(asked, asked + 4), who).toEqual([
            String(counted.asked),
            String(counted.answered),
            respondent === 'line_manager' ? String(counted.left) : '',
            counted.asked ? String(Math.round((counted.answered / counted.asked) * 100)) : '',
          ]);
          expect(row[followUpTooFew]).toBe(counted.answered < 5 ? 'Yes' : 'No');
          expect(row.slice(2, asked - 1).every((cell) => cell === '')).toBe(true);
        }
        // By the delegate's organisation type and organisation: a row per group with any asked, per respondent.
        for (const grouping of ['organisation type', 'organisation'] as const) {
          const groupRows = rows.filter((row) => row[0] === `Follow-up by ${grouping}`);
          const counted = expected.requestsBy[grouping];
          expect(new Set(groupRows.map((row) => row[1])), grouping).toEqual(new Set(counted.keys()));
          expect(groupRows.length, grouping).toBe(counted.size * 2);
          for (const row of groupRows) {
            const respondent =
              row[column('Follow-up asked of')] === 'Delegates' ? 'delegate' : 'line_manager';
            const counts = counted.get(row[1]!)![respondent];
            expect(row.slice(asked, asked + 4), `${grouping} ${row[1]} ${respondent}`).toEqual([
              String(counts.asked),
              String(counts.answered),
              respondent === 'line_manager' ? String(counts.left) : '',
              counts.asked ? String(Math.round((counts.answered / counts.asked) * 100)) : '',
            ]);
            expect(row[followUpTooFew]).toBe(counts.answered < 5 ? 'Yes' : 'No');
            expect(row.slice(2, asked - 1).every((cell) => cell === '')).toBe(true);
          }
        }
        // Each key area's answers, by the words they were asked in and by who answered.
        const areaRows = rows.filter((row) => row[0] === 'Follow-up key area');
        const wordings = new Set([...expected.keyAreas.keys()].map((key) => key.split('|')[0]));
        expect(new Set(areaRows.map((row) => row[1]))).toEqual(wordings);
        expect(areaRows.length).toBe(wordings.size * 2);
        const firstChange = column(`Practice changed: ${PRACTICE_CHANGE_WORDS.not_at_all}`);
        for (const row of areaRows) {
          const respondent = row[column('Follow-up asked of')] === 'Delegates' ? 'delegate' : 'line_manager';
          const counts =
            expected.keyAreas.get(`${row[1]}|${respondent}`) ??
            (Object.fromEntries(PRACTICE_CHANGES.map((c) => [c, 0])) as Record<PracticeChange, number>);
          expect(row.slice(firstChange, firstChange + 5).map(Number), row[1]).toEqual(
            PRACTICE_CHANGES.map((change) => counts[change]),
          );
          expect(row[column('Key area still asked in these words')]).toBe(
            KEY_AREAS_NOW.includes(row[1]!) ? 'Yes' : 'No',
          );
          const onScale = PRACTICE_CHANGES.filter((c) => c !== 'not_applicable').reduce(
            (n, c) => n + counts[c],
            0,
          );
          expect(row[followUpTooFew]).toBe(onScale < 5 ? 'Yes' : 'No');
          expect(row[asked]).toBe('');
        }
        // Each grouping splits the same total, with no row lost or counted twice.
        for (const grouping of ['Session', 'Organisation type', 'Organisation', 'Job role']) {
          const groupRows = rows.filter((row) => row[0] === grouping);
          for (const index of [2, 3, 4, 5, 6, 7, 9, 10, 12, 13, 14, 15, 16]) {
            const sum = groupRows.reduce((n, row) => n + Number(row[index]), 0);
            expect(sum, `${grouping} column ${header![index]}`).toBe(Number(totalRow[index]));
          }
        }
        // Job roles typed with different capitals and spaces are one role.
        const roles = rows.filter((row) => row[0] === 'Job role').map((row) => row[1]);
        expect(new Set(roles).size).toBe(roles.length);
        expect(roles.every((role) => role !== 'social worker ')).toBe(true);
      }),
      { numRuns: 12 },
    );
  });

  it('shows a course’s report as tables with its figures, marking groups too small to read into', async () => {
    const { courseId } = await courseWith([
      {
        session: 0,
        organisation: 0,
        jobRole: 'Nurse',
        state: 'confirmed',
        marks: ['attended', 'attended'],
        cancel: { by: 'delegate', from: 'confirmed', hoursBeforeCutOff: 1 },
        feedback: NO_FEEDBACK,
        followUp: NO_FOLLOW_UP,
      },
      {
        session: 0,
        organisation: 0,
        jobRole: 'Nurse',
        state: 'confirmed',
        marks: ['attended', 'absent'],
        cancel: { by: 'delegate', from: 'confirmed', hoursBeforeCutOff: 1 },
        feedback: NO_FEEDBACK,
        followUp: NO_FOLLOW_UP,
      },
      {
        session: 1,
        organisation: 1,
        jobRole: 'Nurse',
        state: 'cancelled',
        marks: [null, null],
        cancel: { by: 'hub', from: 'confirmed', hoursBeforeCutOff: -1 },
        feedback: NO_FEEDBACK,
        followUp: NO_FOLLOW_UP,
      },
    ]);
    const response = await coordinator.get(`/admin/reports/course?${courseQuery(courseId)}`);
    expect(response.statusCode).toBe(200);
    const page = parsePage(response.body);
    expect(page.h1()).toBe(`Report: Report course ${runs}`);
    const total = page.document.querySelector('main table tbody tr')!;
    expect([...total.querySelectorAll('td')].map((td) => td.textContent?.trim())).toEqual([
      '2',
      '1',
      '1',
      '0',
      '0',
      '1',
    ]);
    expect(total.textContent).toContain('Too few to read into');
    expect(page.listItems('main table:not(.trellis-chart-table) caption')).toEqual([
      'In total',
      'By session',
      'By organisation type',
      'By organisation',
      'By job role',
      'Feedback in total',
      'Feedback by session',
      'Feedback by organisation type',
      'Feedback by organisation',
      'Follow-up in total',
      'Follow-up by organisation type',
      'Follow-up by organisation',
    ]);
    expect(page.text('#by-organisationType')).toContain('Partner agency');
    expect(page.document.querySelector('main a[href^="/admin/reports/course.csv?"]')).not.toBeNull();
    const answers = page.document.querySelector(`main a[href="/admin/courses/${courseId}/feedback"]`);
    expect(answers?.textContent).toContain('feedback and follow-up answers');
  });

  it('shows feedback beside the attendance: response rate, usefulness, and a chart and table per outcome wording', async () => {
    const answered = (usefulness: number): GeneratedBooking => ({
      session: 0,
      organisation: 0,
      jobRole: 'Nurse',
      state: 'confirmed',
      marks: ['attended', 'attended'],
      cancel: { by: 'delegate', from: 'confirmed', hoursBeforeCutOff: 1 },
      feedback: {
        invited: true,
        answers: {
          usefulness,
          outcomes: [
            { wording: 0, before: 2, after: 4 },
            ...(usefulness === 5 ? [{ wording: 2, before: 1, after: 5 }] : []),
          ],
        },
      },
      followUp: NO_FOLLOW_UP,
    });
    const { sessions } = await courseWith([
      answered(4),
      answered(4),
      answered(5),
      answered(5),
      answered(3),
      answered(4),
      { ...answered(4), feedback: { invited: true, answers: null } },
    ]);
    const sessionId = sessions[0]!.id;
    const response = await coordinator.get(`/admin/reports/sessions/${sessionId}`);
    expect(response.statusCode).toBe(200);
    const page = parsePage(response.body);
    expect(
      page.document.querySelector(`main a[href="/admin/sessions/${sessionId}/feedback"]`),
    ).not.toBeNull();
    const cells = (selector: string) =>
      [...page.document.querySelectorAll(selector)].map((cell) => cell.textContent!.trim());

    // 6 of the 7 invited answered: enough to read into.
    expect(cells('#feedback-total tbody td')).toEqual(['7', '6', '86%', '4.2']);
    expect(page.text('#feedback-total tbody th')).not.toContain('Too few');
    expect(page.text('#feedback')).toContain('Response rate: responses as a share of those invited.');
    expect(cells('#usefulness tbody td')).toEqual(['0', '0', '1', '3', '2', '6', '4.2']);
    const usefulnessChart = page.document.querySelector('#usefulness svg[role="img"]')!;
    expect(usefulnessChart.querySelector('title')!.textContent).toBe('How useful delegates found the course');

    // One block per wording asked, in the order first asked; the old wording says so.
    const blocks = [...page.document.querySelectorAll('#feedback .trellis-chart-pair[id^="outcome-"]')];
    expect(blocks.map((block) => block.querySelector('h4')!.textContent!.trim())).toEqual([
      OUTCOME_WORDINGS[0],
      `${OUTCOME_WORDINGS[2]} No longer asked in these words`,
    ]);
    const [current, old] = blocks;
    const rows = (block: (typeof blocks)[number]) =>
      [...block.querySelectorAll('tbody tr')].map((tr) =>
        [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent!.trim()),
      );
    expect(rows(current!)).toEqual([
      ['1: Not at all confident', '0', '0'],
      ['2: Slightly confident', '6', '0'],
      ['3: Somewhat confident', '0', '0'],
      ['4: Fairly confident', '0', '6'],
      ['5: Very confident', '0', '0'],
      ['Answers', '6', '6'],
      ['Mean (1 to 5)', '2.0', '4.0'],
    ]);
    expect(current!.querySelector('caption')!.textContent).not.toContain('Too few');
    const chart = current!.querySelector('svg[role="img"]')!;
    const [titleId, descId] = chart.getAttribute('aria-labelledby')!.split(' ');
    expect(chart.querySelector(`[id="${titleId}"]`)!.textContent).toBe(
      `Confidence before and after the course: ${OUTCOME_WORDINGS[0]}`,
    );
    expect(chart.querySelector(`[id="${descId}"]`)!.textContent).toContain(
      'Before: 6 answers: Not at all confident 0, Slightly confident 6',
    );
    // Two answers: too few, in the table and in the chart.
    expect(old!.querySelector('caption')!.textContent).toContain('Too few to read into');
    expect([...old!.querySelectorAll('svg text')].map((text) => text.textContent)).toContain(
      'Too few to read into',
    );
    expect(page.text('#feedback')).toContain('were reworded or removed after delegates answered');

    const csv = csvRecords(
      (await coordinator.get(`/admin/reports/sessions/${sessionId}/report.csv`)).rawPayload.toString('utf8'),
    );
    const outcomeRows = csv.filter((row) => row[0] === 'Learning outcome');
    const header = csv[0]!;
    const still = header.indexOf('Learning outcome still asked in these words');
    expect(outcomeRows.map((row) => [row[1], row[still], row[still + 1]])).toEqual([
      [OUTCOME_WORDINGS[0], 'Yes', 'No'],
      [OUTCOME_WORDINGS[2], 'No', 'Yes'],
    ]);
  });

  it('says when nobody has answered on the learning outcomes, and marks too few responses', async () => {
    const { sessions } = await courseWith([
      {
        session: 0,
        organisation: 1,
        jobRole: 'Carer',
        state: 'confirmed',
        marks: ['attended', 'attended'],
        cancel: { by: 'delegate', from: 'confirmed', hoursBeforeCutOff: 1 },
        feedback: { invited: true, answers: { usefulness: 5, outcomes: [] } },
        followUp: NO_FOLLOW_UP,
      },
    ]);
    const page = parsePage((await coordinator.get(`/admin/reports/sessions/${sessions[0]!.id}`)).body);
    expect(page.text('#feedback-total tbody')).toContain('Too few to read into');
    // Not followed up yet: the follow-up part says so rather than showing empty charts.
    expect(page.text('#follow-up-total')).toContain('No one asked');
    expect(page.text('#follow-up')).toContain('No one has answered on the key areas yet.');
    expect(page.text('#follow-up')).toContain('No line managers were asked about these sessions');
    expect(page.document.querySelectorAll('#follow-up svg').length).toBe(0);
    expect(page.text('#feedback-total tbody')).toContain('100%');
    expect(page.text('#feedback')).toContain('No one has answered on the learning outcomes yet.');
    expect(page.text('#usefulness caption')).toContain('Too few to read into');
  });

  it('shows the three-month follow-up: who was asked and answered, and a chart and table per key area wording', async () => {
    const followedUp = (
      delegate: GeneratedRequest | null,
      lineManager: GeneratedRequest | null,
    ): GeneratedBooking => ({
      session: 1,
      organisation: 0,
      jobRole: 'Nurse',
      state: 'confirmed',
      marks: ['attended', 'attended'],
      cancel: { by: 'delegate', from: 'confirmed', hoursBeforeCutOff: 1 },
      feedback: NO_FEEDBACK,
      followUp: { delegate, line_manager: lineManager },
    });
    const said = (...changes: PracticeChange[]): GeneratedRequest => ({
      outcome: 'answered',
      answers: changes.map((change, area) => ({ area, change })),
    });
    const { sessions, courseId } = await courseWith([
      followedUp(said('a_lot'), said('a_lot')),
      followedUp(said('a_lot'), { outcome: 'no_longer_works_with', answers: [] }),
      followedUp(said('somewhat'), null),
      // A delegate who gave no organisation.
      { ...followedUp(said('a_little'), { outcome: null, answers: [] }), organisation: null },
      followedUp(said('a_lot'), null),
      followedUp(said('not_applicable', 'not_at_all', 'a_lot'), null),
      followedUp({ outcome: null, answers: [] }, null),
      followedUp(null, null),
    ]);
    const sessionId = sessions[1]!.id;
    const page = parsePage((await coordinator.get(`/admin/reports/sessions/${sessionId}`)).body);
    const rows = (selector: string) =>
      [...page.document.querySelectorAll(`${selector} tbody tr`)].map((tr) =>
        [...tr.querySelectorAll('th, td')].map((cell) => normalise(cell.textContent!)),
      );

    // 6 of the 7 delegates asked answered; 1 of the 3 managers, and one said the delegate has left.
    expect(page.document.querySelector('section#follow-up h2')!.textContent).toBe('Three-month follow-up');
    expect(rows('#follow-up-total')).toEqual([
      ['Delegates', '7', '6', 'Not asked of delegates', '86%'],
      ['Line managers Too few to read into', '3', '1', '1', '33%'],
    ]);
    expect(page.text('#follow-up')).toContain('Response rate: answered ÷ asked, as a percentage.');
    expect(page.text('#follow-up')).toContain('90 days, as the hub is set now');

    // By agency: the delegate's organisation, whoever was asked; most asked first.
    const northshire = `Northshire County Council ${runs}`;
    const byAgency = (name: string) => [
      [`${name}: delegates`, '6', '5', 'Not asked of delegates', '83%'],
      [`${name}: line managers Too few to read into`, '2', '1', '1', '50%'],
      ['No organisation given: delegates Too few to read into', '1', '1', 'Not asked of delegates', '100%'],
      ['No organisation given: line managers Too few to read into', '1', '0', '0', '0%'],
    ];
    expect(rows('#follow-up-by-organisationType')).toEqual(byAgency('Partner agency'));
    expect(rows('#follow-up-by-organisation')).toEqual(byAgency(northshire));
    expect(page.text('#follow-up-by-organisation caption')).toBe('Follow-up by organisation');

    // One block per wording asked, in the order first asked; the old wording says so.
    const blocks = [...page.document.querySelectorAll('#follow-up .trellis-chart-pair')];
    expect(blocks.map((block) => normalise(block.querySelector('h4')!.textContent!))).toEqual([
      KEY_AREA_WORDINGS[0],
      KEY_AREA_WORDINGS[1],
      `${KEY_AREA_WORDINGS[2]} No longer asked in these words`,
    ]);
    const [first] = blocks;
    const blockRows = (block: (typeof blocks)[number]) =>
      [...block.querySelectorAll('tbody tr')].map((tr) =>
        [...tr.querySelectorAll('th, td')].map((cell) => normalise(cell.textContent!)),
      );
    expect([...first!.querySelectorAll('thead th')].map((th) => th.textContent)).toEqual([
      'Answer',
      'Delegates',
      'Line managers',
    ]);
    expect(blockRows(first!)).toEqual([
      ['Not at all', '0', '0'],
      ['A little', '1', '0'],
      ['Somewhat', '1', '0'],
      ['A lot', '3', '1'],
      ['Answers, “Not at all” to “A lot”', '5', '1'],
      ['Not applicable', '1', '0'],
    ]);
    // Five delegates but one manager on the scale: too few, in the table and in the chart.
    expect(first!.querySelector('caption')!.textContent).toContain('Too few to read into');
    const chart = first!.querySelector('svg[role="img"]')!;
    const [titleId, descId] = chart.getAttribute('aria-labelledby')!.split(' ');
    expect(chart.querySelector(`[id="${titleId}"]`)!.textContent).toBe(
      `Whether practice changed: ${KEY_AREA_WORDINGS[0]}`,
    );
    expect(chart.querySelector(`[id="${descId}"]`)!.textContent).toBe(
      'Delegates: 5 answers on the scale: Not at all 0, A little 1, Somewhat 1, A lot 3. ' +
        'Apart from the scale: Not applicable 1. ' +
        'Line managers: 1 answer on the scale: Not at all 0, A little 0, Somewhat 0, A lot 1. ' +
        'Apart from the scale: Not applicable 0. Too few answers to read into.',
    );
    expect([...chart.querySelectorAll('text')].map((text) => text.textContent)).toContain(
      'Too few to read into',
    );
    expect(page.text('#follow-up')).toContain('were reworded or removed after people answered');

    // The download has the same figures.
    const csv = csvRecords(
      (await coordinator.get(`/admin/reports/sessions/${sessionId}/report.csv`)).rawPayload.toString('utf8'),
    );
    const header = csv[0]!;
    const from = header.indexOf('Follow-up asked of');
    const followUpRows = csv
      .filter((row) => row[0]!.startsWith('Follow-up'))
      .map((row) => [row[0], row[1], ...row.slice(from)]);
    const none = ['', '', '', '', '', ''];
    expect(followUpRows.slice(0, 12)).toEqual([
      ['Follow-up', 'All', 'Delegates', '7', '6', '', '86', ...none, 'No'],
      ['Follow-up', 'All', 'Line managers', '3', '1', '1', '33', ...none, 'Yes'],
      ...[
        ['Follow-up by organisation type', 'Partner agency'],
        ['Follow-up by organisation', northshire],
      ].flatMap(([group, name]) => [
        [group, name, 'Delegates', '6', '5', '', '83', ...none, 'No'],
        [group, name, 'Line managers', '2', '1', '1', '50', ...none, 'Yes'],
        [group, 'No organisation given', 'Delegates', '1', '1', '', '100', ...none, 'Yes'],
        [group, 'No organisation given', 'Line managers', '1', '0', '0', '0', ...none, 'Yes'],
      ]),
      [
        'Follow-up key area',
        KEY_AREA_WORDINGS[0],
        'Delegates',
        '',
        '',
        '',
        '',
        '0',
        '1',
        '1',
        '3',
        '1',
        'Yes',
        'No',
      ],
      [
        'Follow-up key area',
        KEY_AREA_WORDINGS[0],
        'Line managers',
        '',
        '',
        '',
        '',
        '0',
        '0',
        '0',
        '1',
        '0',
        'Yes',
        'Yes',
      ],
    ]);
    expect(followUpRows.at(-1)!.slice(1, 3)).toEqual([KEY_AREA_WORDINGS[2], 'Line managers']);

    // The course's report over the year has the same figures; the year's, by course too.
    const course = parsePage((await coordinator.get(`/admin/reports/course?${courseQuery(courseId)}`)).body);
    expect(course.text('#follow-up-total')).toBe(page.text('#follow-up-total'));
    const year = parsePage((await coordinator.get('/admin/reports?year=2025')).body);
    expect(year.text('#follow-up')).toContain('sessions starting in the reporting year');
    const byCourse = [...year.document.querySelectorAll('#follow-up-by-course tbody tr')]
      .map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => normalise(cell.textContent!)))
      .filter((row) => row[0]!.startsWith(`Report course ${runs}:`));
    expect(byCourse).toEqual([
      [`Report course ${runs}: delegates`, '7', '6', 'Not asked of delegates', '86%'],
      [`Report course ${runs}: line managers Too few to read into`, '3', '1', '1', '33%'],
    ]);
    expect(year.text('#follow-up')).toContain(`Report course ${runs}`);
    // The year's by agency: this course's organisation is its own, so its rows are this course's alone.
    const yearByOrganisation = [...year.document.querySelectorAll('#follow-up-by-organisation tbody tr')]
      .map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => normalise(cell.textContent!)))
      .filter((row) => row[0]!.startsWith(`${northshire}:`));
    expect(yearByOrganisation).toEqual(byAgency(northshire).slice(0, 2));
  });

  it('refuses dates out of order by the field, keeping what was typed', async () => {
    const response = await coordinator.get(
      `/admin/reports/course?${courseQuery(1, ['1', '4', '2026'], ['31', '3', '2026'])}`,
    );
    expect(response.statusCode).toBe(400);
    const page = parsePage(response.body);
    expect(page.text('.govuk-error-summary')).toContain(
      'The last date must be the same as or after the first date',
    );
    expect(page.document.querySelector('#to-year')!.getAttribute('value')).toBe('2026');
    const missing = await coordinator.get('/admin/reports/course?course=&from-day=1');
    expect(missing.statusCode).toBe(400);
    const errors = parsePage(missing.body).listItems('.govuk-error-summary li');
    expect(errors).toContain('Choose a course');
    expect(errors.length).toBe(3);
  });

  describe('the year report', () => {
    it('covers the hub’s reporting year, April to March unless the hub says otherwise', async () => {
      const page = parsePage((await coordinator.get('/admin/reports')).body);
      expect(page.h1()).toBe('Year report: April 2025 to March 2026');
      expect(
        page.listItems('main table[id^="by-"] caption, main table:not([id]) caption').slice(0, 5),
      ).toEqual(['In total', 'By course', 'By organisation type', 'By organisation', 'By job role']);
      // Response rates by course and by agency.
      expect(page.listItems('main table[id^="feedback-"] caption')).toEqual([
        'Feedback in total',
        'Feedback by course',
        'Feedback by organisation type',
        'Feedback by organisation',
      ]);
      // The follow-up's response rates by course and by agency too.
      expect(page.listItems('main table[id^="follow-up-"] caption')).toEqual([
        'Follow-up in total',
        'Follow-up by course',
        'Follow-up by organisation type',
        'Follow-up by organisation',
      ]);
      await t.services.settings.updatePolicy({ reportingYearStartMonth: 1 });
      try {
        expect(parsePage((await coordinator.get('/admin/reports')).body).h1()).toBe('Year report: 2026');
        expect(parsePage((await coordinator.get('/admin/reports?year=2025')).body).h1()).toBe(
          'Year report: 2025',
        );
      } finally {
        await t.services.settings.updatePolicy({ reportingYearStartMonth: 4 });
      }
      expect((await coordinator.get('/admin/reports?year=twenty')).statusCode).toBe(404);
      expect((await coordinator.get('/admin/reports?year=0001')).statusCode).toBe(404);
    });

    it('starts in the month an administrator sets in the hub’s settings', async () => {
      const admin = await signedInStaff(t, 'admin');
      const form = parsePage((await admin.get('/admin/settings')).body);
      const values: Record<string, string> = {};
      for (const field of form.document.querySelectorAll('main input[name], main textarea[name]')) {
        const name = field.getAttribute('name')!;
        if (name !== '_csrf') values[name] = field.getAttribute('value') ?? field.textContent ?? '';
      }
      expect(values.reportingYearStartMonth).toBe('4');
      const bad = await admin.submit('/admin/settings', { ...values, reportingYearStartMonth: '13' });
      expect(bad.statusCode).toBe(400);
      expect(parsePage(bad.body).listItems('.govuk-error-summary li')).toEqual([
        'The month your reporting year starts must be a whole number in the range shown',
      ]);
      try {
        const good = await admin.submit('/admin/settings', { ...values, reportingYearStartMonth: '9' });
        expect(good.statusCode).toBe(303);
        expect(parsePage((await coordinator.get('/admin/reports')).body).h1()).toBe(
          'Year report: September 2025 to August 2026',
        );
      } finally {
        await t.services.settings.updatePolicy({ reportingYearStartMonth: 4 });
      }
    });

    it('downloads as a CSV whose total is the page’s', async () => {
      const page = parsePage((await coordinator.get('/admin/reports?year=2025')).body);
      const cells = [...page.document.querySelector('main table tbody tr')!.querySelectorAll('td')].map(
        (td) => td.textContent?.trim(),
      );
      const response = await coordinator.get('/admin/reports/year.csv?year=2025');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-disposition']).toBe(
        'attachment; filename="year-report-2025-04-01-to-2026-03-31.csv"',
      );
      const [, total] = csvRecords(response.rawPayload.toString('utf8'));
      expect(total!.slice(0, 2)).toEqual(['Total', 'All']);
      expect(total!.slice(2, 8)).toEqual(cells);
      expect(Number(total![2])).toBeGreaterThan(0);
    });
  });

  it('gives a session’s report to a trainer of that session, linked from the session page', async () => {
    const { sessions } = await courseWith([
      {
        session: 0,
        organisation: 2,
        jobRole: 'Carer',
        state: 'confirmed',
        marks: ['absent', 'absent'],
        cancel: { by: 'hub', from: 'confirmed', hoursBeforeCutOff: 1 },
        feedback: NO_FEEDBACK,
        followUp: NO_FOLLOW_UP,
      },
    ]);
    const sessionId = sessions[0]!.id;
    const sessionPage = parsePage((await coordinator.get(`/admin/sessions/${sessionId}`)).body);
    expect(
      sessionPage.document.querySelector(`a[href="/admin/reports/sessions/${sessionId}"]`),
    ).not.toBeNull();
    const report = await coordinator.get(`/admin/reports/sessions/${sessionId}`);
    expect(report.statusCode).toBe(200);
    const page = parsePage(report.body);
    expect(page.text('#by-jobRole')).toContain('Carer');
    expect(page.text('#by-organisation')).toContain(`Brightcare Homes ${runs}`);
    const csv = await coordinator.get(`/admin/reports/sessions/${sessionId}/report.csv`);
    const [, total] = csvRecords(csv.rawPayload.toString('utf8'));
    expect(total!.slice(2, 8)).toEqual(['1', '0', '0', '1', '0', '0']);
  });
});

eachDatabase('reports at a large hub', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: false });
  });
  afterAll(() => t.close());

  it('reads the year in the same few grouped queries however many bookings there are', async () => {
    if (dialect === 'postgres') {
      // Trellis asks PostgreSQL not to compile queries just in time: a year report at a
      // large hub spent 1.9 s compiling and 0.5 s running with it on.
      const { rows } = await sql<{ jit: string }>`select current_setting('jit') as jit`.execute(
        t.database.db,
      );
      expect(rows[0]!.jit).toBe('off');
    }
    let statements = 0;
    // Counted as results come back: once per statement the database runs.
    const counting: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        statements += 1;
        return args.result;
      },
    };
    const deps = {
      db: t.database.db.withPlugin(counting),
      clock: t.services.clock,
      context: async () => ({
        hub: await t.services.settings.hub(),
        policy: await t.services.settings.policy(),
      }),
    } as unknown as ServiceDeps;
    const reports = new ReportService(deps);

    await reports.yearReport();
    const whenEmpty = statements;
    // The places taken, in total and by each of the four groupings (one statement, with
    // their feedback), the places given up, the answers on the learning outcomes, the
    // follow-up's requests by course, and its answers on the key areas.
    expect(whenEmpty).toBe(5);
    await seedLargeHub(t.database.db, new Date(TEST_NOW), {
      sessions: 60,
      bookings: 1_500,
      delegates: 400,
      organisations: 12,
      courses: 6,
      venues: 3,
      trainers: 4,
    });
    statements = 0;
    const { year, report } = await reports.yearReport();
    expect(statements).toBe(whenEmpty);

    const onRegister = await t.database.db
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .where('bookings.state', 'in', ['confirmed', 'attended', 'partial', 'did_not_attend'])
      .select(['sessions.starts_at'])
      .execute();
    const inYear = onRegister.filter((row) => {
      const date = new Date(row.starts_at).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
      return date >= year.from && date <= year.to;
    });
    expect(inYear.length).toBeGreaterThan(0);
    expect(report.total.places).toBe(inYear.length);
  });
});
