/**
 * What happened after the demo's past sessions, so that a newcomer sees
 * every report and certificate on the first start: the register marked
 * (attended, partly attended, did not attend), certificates issued for those
 * who attended by the same path as when staff mark a register, and feedback
 * on the learning outcomes from most of those invited. Runs inside the demo
 * loader's transaction, from a seeded generator, so every load tells the
 * same story.
 */
import type { Transaction } from 'kysely';

import { DemoRepository, type DemoFeedback, type DemoMark } from '../data/repositories/demoRepository.js';
import type { DB } from '../data/schema.js';
import type { AttendanceStatus } from '../domain/attendance.js';
import { DEFAULT_HUB_SETTINGS } from '../domain/hub.js';
import { DEFAULT_POLICY } from '../domain/policy.js';
import { CertificateIssuing } from '../services/afterCourse/certificateIssuing.js';
import type { SeededRandom } from './seededRandom.js';

const HOUR = 3_600_000;

/** A past session once its register is marked: what each later step works from. */
export interface MarkedSession {
  sessionId: number;
  endsAt: Date;
  /** When the register was marked: an hour after the session ended. */
  markedAt: Date;
  learningOutcomes: { id: number; text: string }[];
  /** Every confirmed place, with the delegate's attendance at the whole session. */
  register: { bookingId: number; attendance: 'attended' | 'partial' | 'did_not_attend' }[];
}

/** One thing that follows a marked register; each sees every marked session. */
export type AfterCourseStep = (
  trx: Transaction<DB>,
  sessions: readonly MarkedSession[],
  rng: SeededRandom,
  now: Date,
) => Promise<void>;

/**
 * Marks the register of a session that has ended: most attended, some
 * partly (a part missed on a session of several parts, or left early on a
 * one-part session), a few did not come.
 */
export async function markRegister(
  trx: Transaction<DB>,
  sessionId: number,
  rng: SeededRandom,
): Promise<MarkedSession> {
  const { parts, outcomes, bookingIds } = await new DemoRepository(trx).pastSession(sessionId);
  const endsAt = new Date(parts[parts.length - 1]!.ends_at);
  const markedAt = new Date(endsAt.getTime() + HOUR);
  const marks: DemoMark[] = [];
  const register: MarkedSession['register'] = [];
  for (const bookingId of bookingIds) {
    const roll = rng.next();
    const attendance = roll < 0.8 ? 'attended' : roll < 0.9 ? 'partial' : 'did_not_attend';
    parts.forEach((part, index) => {
      let status: AttendanceStatus = attendance === 'did_not_attend' ? 'absent' : 'attended';
      if (attendance === 'partial') {
        status = parts.length === 1 ? 'partial' : index === parts.length - 1 ? 'absent' : 'attended';
      }
      marks.push({ bookingId, sessionPartId: part.id, status });
    });
    register.push({ bookingId, attendance });
  }
  await new DemoRepository(trx).insertMarks(marks, markedAt.toISOString());
  return { sessionId, endsAt, markedAt, learningOutcomes: outcomes, register };
}

/**
 * The demo's delegates were there before this hub started: their
 * certificates are history, and nobody is emailed that one is ready.
 */
const HISTORY_NOT_EMAILED = { certificateReady: async () => {} };

/** Certificates for everyone the marks earn one, issued when the register was marked. */
const issueCertificates: AfterCourseStep = async (trx, sessions) => {
  const issuing = new CertificateIssuing(HISTORY_NOT_EMAILED);
  const ctx = { hub: DEFAULT_HUB_SETTINGS, policy: DEFAULT_POLICY };
  for (const session of sessions) {
    await issuing.review(
      trx,
      ctx,
      session.register.map((r) => r.bookingId),
      { type: 'system', id: null },
      session.markedAt,
    );
  }
};

const DO_DIFFERENTLY = [
  'Ask the direct question rather than hinting at it, and write down the answer in the person’s own words.',
  'Check what a parent tells me with the school and the health visitor before I close a case.',
  'Use the escalation policy when I disagree with another agency, instead of letting it go.',
  'Think about who else lives in the home at every first visit.',
  'Record my reasons for a decision, not only the decision.',
  'Talk to our safeguarding lead sooner, even when I am not sure it meets the threshold.',
  'Slow down and ask what the person wants to happen, before I decide what should happen.',
  'Share the flowchart with the volunteers on my team at our next meeting.',
];

const HUB_SHOULD_CHANGE = [
  'More time for the case studies; the afternoon felt rushed.',
  'Please send the slides before the day so I can read them in advance.',
  'The room was cold. Otherwise very good.',
  'A shorter online version for colleagues who cannot get a whole day away.',
  'More examples from adult services, not only children’s.',
  'Longer breaks on the online sessions: a screen all morning is hard going.',
];

/** Quotes the delegates agreed may be published, and how they chose to be named. */
const QUOTES: { quote: string; consent: 'job_role' | 'anonymous' }[] = [
  {
    quote:
      'I came away with the words to ask a difficult question and the confidence to follow it up with other agencies.',
    consent: 'job_role',
  },
  {
    quote:
      'The case discussions were the most useful part. I now check what I am told instead of taking it on trust.',
    consent: 'anonymous',
  },
];

/**
 * Everyone marked as there (attended or partly) was invited an hour after
 * marking, as the invitation job does; about three in four answered within
 * a week. Confidence mostly rises between before and after; a few skip a
 * question, as the form allows.
 */
const answerFeedback: AfterCourseStep = async (trx, sessions, rng, now) => {
  const repository = new DemoRepository(trx);
  let quotes = 0;
  for (const session of sessions) {
    const invited = session.register.filter((r) => r.attendance !== 'did_not_attend');
    const invitedAt = new Date(session.markedAt.getTime() + HOUR);
    await repository.markFeedbackInvited(
      invited.map((r) => r.bookingId),
      invitedAt.toISOString(),
    );
    for (const { bookingId } of invited) {
      if (rng.next() >= 0.75) continue;
      const submittedAt = new Date(
        Math.min(invitedAt.getTime() + rng.int(2, 7 * 24) * HOUR, now.getTime() - HOUR),
      );
      const answer: DemoFeedback = {
        bookingId,
        usefulness: rng.next() < 0.05 ? null : rng.pick([3, 4, 4, 5, 5, 5]),
        doDifferently: rng.next() < 0.35 ? rng.pick(DO_DIFFERENTLY) : '',
        hubShouldChange: rng.next() < 0.2 ? rng.pick(HUB_SHOULD_CHANGE) : '',
        quote: '',
        quoteConsent: rng.next() < 0.4 ? 'no' : null,
        submittedAt: submittedAt.toISOString(),
        outcomes: session.learningOutcomes
          .filter(() => rng.next() >= 0.05)
          .map((outcome) => {
            const before = rng.pick([1, 2, 2, 3, 3, 3, 4]);
            return {
              learningOutcomeId: outcome.id,
              outcomeText: outcome.text,
              confidenceBefore: before,
              confidenceAfter: Math.min(5, before + rng.pick([0, 1, 1, 2, 2])),
            };
          }),
      };
      const quote = QUOTES[quotes];
      if (quote && answer.doDifferently) {
        answer.quote = quote.quote;
        answer.quoteConsent = quote.consent;
        quotes += 1;
      }
      await repository.insertFeedback(answer);
    }
  }
};

/** What follows a marked register, in order. */
export const AFTER_COURSE_STEPS: readonly AfterCourseStep[] = [issueCertificates, answerFeedback];
