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

import {
  DemoRepository,
  type DemoFeedback,
  type DemoFollowUp,
  type DemoMark,
} from '../data/repositories/demoRepository.js';
import type { DB } from '../data/schema.js';
import type { AttendanceStatus } from '../domain/afterCourse/attendance.js';
import { DEFAULT_CHARGES_SETTINGS } from '../domain/charges/chargesSettings.js';
import { DEFAULT_HUB_SETTINGS } from '../domain/hub/hub.js';
import {
  FOLLOW_UP_LINK_DAYS,
  FOLLOW_UP_REMINDER_DAYS,
  type FollowUpRespondent,
  type PracticeChange,
} from '../domain/afterCourse/followUp.js';
import type { Policy } from '../domain/hub/policy.js';
import { CertificateIssuing } from '../services/afterCourse/certificateIssuing.js';
import type { SeededRandom } from './seededRandom.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A past session once its register is marked: what each later step works from. */
export interface MarkedSession {
  sessionId: number;
  endsAt: Date;
  /** When the register was marked: an hour after the session ended. */
  markedAt: Date;
  learningOutcomes: { id: number; text: string }[];
  keyAreas: { id: number; text: string }[];
  /** Every confirmed place, with the delegate's attendance at the whole session and where a follow-up would go. */
  register: {
    bookingId: number;
    attendance: 'attended' | 'partial' | 'did_not_attend';
    delegateEmail: string;
    /** Empty when the delegate gave none. */
    lineManagerEmail: string;
  }[];
}

/** One thing that follows a marked register; each sees every marked session, and the hub's policy. */
export type AfterCourseStep = (
  trx: Transaction<DB>,
  sessions: readonly MarkedSession[],
  rng: SeededRandom,
  now: Date,
  policy: Policy,
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
  const { parts, outcomes, keyAreas, bookings } = await new DemoRepository(trx).pastSession(sessionId);
  const endsAt = new Date(parts[parts.length - 1]!.ends_at);
  const markedAt = new Date(endsAt.getTime() + HOUR);
  const marks: DemoMark[] = [];
  const register: MarkedSession['register'] = [];
  for (const { id: bookingId, email, line_manager_email } of bookings) {
    const roll = rng.next();
    const attendance = roll < 0.8 ? 'attended' : roll < 0.9 ? 'partial' : 'did_not_attend';
    parts.forEach((part, index) => {
      let status: AttendanceStatus = attendance === 'did_not_attend' ? 'absent' : 'attended';
      if (attendance === 'partial') {
        status = parts.length === 1 ? 'partial' : index === parts.length - 1 ? 'absent' : 'attended';
      }
      marks.push({ bookingId, sessionPartId: part.id, status });
    });
    register.push({ bookingId, attendance, delegateEmail: email, lineManagerEmail: line_manager_email });
  }
  await new DemoRepository(trx).insertMarks(marks, markedAt.toISOString());
  return { sessionId, endsAt, markedAt, learningOutcomes: outcomes, keyAreas, register };
}

/**
 * The demo's delegates were there before this hub started: their
 * certificates are history, and nobody is emailed that one is ready.
 */
const HISTORY_NOT_EMAILED = { certificateReady: async () => {} };

/** Certificates for everyone the marks earn one, issued when the register was marked. */
const issueCertificates: AfterCourseStep = async (trx, sessions, _rng, _now, policy) => {
  const issuing = new CertificateIssuing(HISTORY_NOT_EMAILED);
  const ctx = { hub: DEFAULT_HUB_SETTINGS, policy, charges: DEFAULT_CHARGES_SETTINGS };
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

const PRACTICE_EXAMPLES: Record<FollowUpRespondent, string[]> = {
  delegate: [
    'I asked a mother directly whether she felt safe at home, instead of waiting for her to raise it. She told me, and we made a safety plan that day.',
    'At a strategy meeting I pushed back when the plan rested on what the father had told us, and we arranged to see the children at school.',
    'I now write down what the young person says in their own words, and my records are clearer for the next worker.',
    'I used the escalation policy for the first time when a referral was closed without a visit. It was reopened.',
    'I ask who else lives in the house on every first visit, and twice it has changed my plan.',
    'I rang our safeguarding lead the same day about a neighbour’s concerns instead of waiting for the team meeting.',
    'I shared the flowchart with our volunteers and two of them have since come to me with worries they would have kept to themselves.',
    'I asked an older man what he wanted to happen before suggesting anything, and he agreed to a carer’s assessment for his wife.',
  ],
  line_manager: [
    'Their case notes now record what the family said and why they made each decision. I have used two of them as examples for the team.',
    'They challenged a partner agency’s decision through the escalation policy, calmly and with the evidence. That is new.',
    'They bring worries to supervision earlier, and with a clearer idea of what they want to do next.',
    'They ran a short session for the rest of the team on asking direct questions about domestic abuse.',
  ],
};

const PRACTICE_OBSTACLES: Record<FollowUpRespondent, string[]> = {
  delegate: [
    'Caseloads are high, and there is rarely time for the longer conversations the course talked about.',
    'Other agencies do not always reply, so checking what I am told can take weeks.',
    'Our recording system has no space for the person’s own words; I add them as a note.',
    'Staff changes in the team meant I had no supervision for two months.',
    'Most of my visits are now by phone, which makes it harder to notice what the course taught us to look for.',
  ],
  line_manager: [
    'Cover for vacancies has taken most of their time since the course.',
    'The rest of the team has not had the training yet, so they are sometimes the only one asking these questions.',
  ],
};

/**
 * How much practice changed in one key area: mostly somewhat or a lot, a
 * few not at all, and now and then the area did not come up in their work.
 */
function practiceChange(rng: SeededRandom): PracticeChange {
  return rng.pick([
    'not_at_all',
    'a_little',
    'a_little',
    'somewhat',
    'somewhat',
    'somewhat',
    'a_lot',
    'a_lot',
    'not_applicable',
  ]);
}

/**
 * The three-month follow-up for every session that ended at least the
 * policy's days ago, as the follow-up job would have sent it: an hour or so
 * after the days passed, to each delegate marked there (attended or partly)
 * and, only where the policy asks line managers, to their manager. About
 * seven in ten delegates answered within a fortnight, some after the
 * reminder a week on; a few managers said the delegate no longer works with
 * them. Nothing is emailed and no private links are made: a link is only for
 * answering, and this history was answered (or not) long ago.
 */
const askAboutPractice: AfterCourseStep = async (trx, sessions, rng, now, policy) => {
  const followUps: DemoFollowUp[] = [];
  for (const session of sessions) {
    const due = session.endsAt.getTime() + policy.followUpDays * DAY;
    if (due > now.getTime()) continue;
    for (const place of session.register) {
      if (place.attendance === 'did_not_attend') continue;
      const askManager =
        policy.followUpLineManagers &&
        place.lineManagerEmail !== '' &&
        place.lineManagerEmail !== place.delegateEmail;
      const asked: [FollowUpRespondent, string][] = [['delegate', place.delegateEmail]];
      if (askManager) asked.push(['line_manager', place.lineManagerEmail]);
      for (const [respondent, email] of asked) {
        const sent = due + rng.int(1, 59) * 60_000;
        const roll = rng.next();
        const answers = respondent === 'delegate' ? roll < 0.7 : roll < 0.55;
        const leftThem = respondent === 'line_manager' && !answers && roll < 0.63;
        const answered = sent + rng.int(2, 14 * 24) * HOUR;
        const reminder = sent + FOLLOW_UP_REMINDER_DAYS * DAY;
        // An answer not yet given by the load's hour stays unanswered: the demo makes nothing up about the future.
        const closed = (answers || leftThem) && answered < now.getTime() ? answered : null;
        const remindedBy = closed ?? now.getTime();
        followUps.push({
          bookingId: place.bookingId,
          respondent,
          email,
          sentAt: new Date(sent).toISOString(),
          expiresAt: new Date(sent + FOLLOW_UP_LINK_DAYS * DAY).toISOString(),
          remindedAt: reminder < remindedBy ? new Date(reminder).toISOString() : null,
          answeredAt: closed === null ? null : new Date(closed).toISOString(),
          outcome: closed === null ? null : answers ? 'answered' : 'no_longer_works_with',
          example:
            closed !== null && answers && rng.next() < 0.6 ? rng.pick(PRACTICE_EXAMPLES[respondent]) : '',
          obstacles:
            closed !== null && answers && rng.next() < 0.4 ? rng.pick(PRACTICE_OBSTACLES[respondent]) : '',
          keyAreas:
            closed !== null && answers
              ? session.keyAreas
                  .filter(() => rng.next() >= 0.05)
                  .map((area) => ({
                    keyAreaId: area.id,
                    keyAreaText: area.text,
                    change: practiceChange(rng),
                  }))
              : [],
        });
      }
    }
  }
  await new DemoRepository(trx).insertFollowUps(followUps);
};

/** What follows a marked register, in order. */
export const AFTER_COURSE_STEPS: readonly AfterCourseStep[] = [
  issueCertificates,
  answerFeedback,
  askAboutPractice,
];
