/**
 * Feedback as staff read it. Coordinators choose which quotes delegates
 * agreed to publish are shown on a course's page (audited). Those who read
 * reports see the answers for a session or a course: coordinators and
 * administrators with the names of who wrote them; trainers (their own
 * sessions) and reporting viewers without names, as counts and free text in
 * an order that gives nobody away. The three-month follow-up's answers are
 * read beside the feedback, by the same rule (see followUpAnswers.ts).
 */
import {
  FeedbackReviewRepository,
  type AnswersOf,
} from '../../data/repositories/afterCourse/feedbackReviewRepository.js';
import { recordAudit } from '../../data/repositories/auditRecords.js';
import {
  CONFIDENCE_WORDS,
  mayPublishQuote,
  QUOTE_CONSENT_WORDS,
  quoteAttribution,
  USEFULNESS_WORDS,
  type QuoteConsent,
} from '../../domain/afterCourse/feedback.js';
import { holds, maySeeSession } from '../../domain/accounts/permissions.js';
import { tooFewToReadInto } from '../../domain/afterCourse/reports.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { StaffMember } from './attendanceService.js';
import type { ServiceDeps } from '../deps.js';
import { followUpAnswersForStaff, type FollowUpAnswersForStaff } from './followUpAnswers.js';

/** A course's answers cover the sessions that started in about the last year. */
export const COURSE_ANSWERS_DAYS = 365;

export type QuoteState = 'shown' | 'not_shown' | 'withdrawn';

export interface QuoteForReview {
  responseId: number;
  quote: string;
  /** How the course page signs it, as the delegate chose. */
  attribution: string;
  consentWords: string;
  sessionStartsAt: Date;
  state: QuoteState;
  withdrawnAt: Date | null;
}

/** How many answered each point of a five-point scale (index 0 is 1). */
export type Distribution = [number, number, number, number, number];

export interface OutcomeFigures {
  text: string;
  before: Distribution;
  after: Distribution;
  answeredBefore: number;
  answeredAfter: number;
}

/** One delegate's answers, for those who may see names. */
export interface NamedResponse {
  delegateName: string;
  sessionStartsAt: Date;
  usefulness: string | null;
  outcomes: { text: string; before: string | null; after: string | null }[];
  doDifferently: string;
  hubShouldChange: string;
}

export interface FeedbackAnswers {
  responses: number;
  tooFew: boolean;
  outcomes: OutcomeFigures[];
  usefulness: Distribution;
  /** Free text, each list sorted by its words, so answers cannot be matched to each other or to a person. */
  doDifferently: string[];
  hubShouldChange: string[];
  /** Only for those who may see who wrote what. */
  named: NamedResponse[] | null;
}

const emptyDistribution = (): Distribution => [0, 0, 0, 0, 0];

export class FeedbackReviewService {
  private readonly repository: FeedbackReviewRepository;

  constructor(private readonly deps: ServiceDeps) {
    this.repository = new FeedbackReviewRepository(deps.db);
  }

  /** A course's quotes offered for publishing (or withdrawn), and which are shown on its page. */
  async courseQuotes(courseId: number) {
    const course = await this.repository.course(courseId);
    if (!course) throw new NotFoundError('course');
    const rows = await this.repository.courseQuotes(courseId);
    return { course, quotes: rows.map(toQuoteForReview) };
  }

  /** Shows a quote on its course's page. A withdrawn quote cannot be. */
  async publishQuote(courseId: number, responseId: number, staffId: number): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const repository = this.repository.within(trx);
      const [row] = await repository.courseQuotes(courseId, responseId);
      if (!row) throw new NotFoundError('quote');
      if (!mayPublishQuote(row.quote_consent)) {
        throw new ConflictError('The delegate withdrew this quote, so it cannot be published.');
      }
      const now = this.deps.clock.now();
      if (await repository.publish(responseId, staffId, now.toISOString())) {
        await recordAudit(
          trx,
          {
            actorType: 'staff',
            actorId: staffId,
            action: 'quote_published',
            entityType: 'course',
            entityId: courseId,
            details: { response: responseId },
          },
          now,
        );
      }
    });
  }

  /** Stops showing a quote on its course's page. */
  async stopQuote(courseId: number, responseId: number, staffId: number): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const repository = this.repository.within(trx);
      const [row] = await repository.courseQuotes(courseId, responseId);
      if (!row) throw new NotFoundError('quote');
      const now = this.deps.clock.now();
      if (await repository.stopPublishing(responseId)) {
        await recordAudit(
          trx,
          {
            actorType: 'staff',
            actorId: staffId,
            action: 'quote_unpublished',
            entityType: 'course',
            entityId: courseId,
            details: { response: responseId },
          },
          now,
        );
      }
    });
  }

  /** A session's feedback answers; a trainer's own sessions only, like its report. */
  async sessionAnswers(sessionId: number, staff: StaffMember) {
    const session = await this.repository.session(sessionId, staff.trainerId);
    if (!session || !maySeeSession(staff, Boolean(Number(session.teaches_it)))) {
      throw new NotFoundError('session');
    }
    return {
      session: {
        id: session.id,
        startsAt: new Date(session.starts_at),
        courseId: session.course_id,
        courseTitle: session.course_title,
      },
      answers: await this.answers({ sessionId }, session.course_id, staff),
      followUp: await this.followUp({ sessionId }, session.course_id, staff),
    };
  }

  /** A course's feedback answers, from its sessions that started in about the last year. */
  async courseAnswers(courseId: number, staff: StaffMember) {
    const course = await this.repository.course(courseId);
    if (!course) throw new NotFoundError('course');
    const to = this.deps.clock.now();
    const from = new Date(to.getTime() - COURSE_ANSWERS_DAYS * 86_400_000);
    const of: AnswersOf = { courseId, from: from.toISOString(), to: to.toISOString() };
    return {
      course,
      from,
      to,
      answers: await this.answers(of, courseId, staff),
      followUp: await this.followUp(of, courseId, staff),
    };
  }

  private async followUp(
    of: AnswersOf,
    courseId: number,
    staff: StaffMember,
  ): Promise<FollowUpAnswersForStaff> {
    const [requests, answers, keyAreas] = await Promise.all([
      this.repository.followUpRequests(of),
      this.repository.followUpAnswers(of),
      this.repository.keyAreas(courseId),
    ]);
    return followUpAnswersForStaff(requests, answers, keyAreas, holds(staff.role, 'seeFeedbackNames'));
  }

  private async answers(of: AnswersOf, courseId: number, staff: StaffMember): Promise<FeedbackAnswers> {
    const [responses, outcomeRows, courseOutcomes] = await Promise.all([
      this.repository.responses(of),
      this.repository.outcomeAnswers(of),
      this.repository.learningOutcomes(courseId),
    ]);
    // Outcomes in the course's order; answers to outcomes since removed follow, by their words.
    const outcomes = new Map<number, OutcomeFigures>();
    for (const outcome of courseOutcomes) {
      outcomes.set(outcome.id, {
        text: outcome.text,
        before: emptyDistribution(),
        after: emptyDistribution(),
        answeredBefore: 0,
        answeredAfter: 0,
      });
    }
    for (const row of outcomeRows) {
      let figures = outcomes.get(row.learning_outcome_id);
      if (!figures) {
        figures = {
          text: row.outcome_text,
          before: emptyDistribution(),
          after: emptyDistribution(),
          answeredBefore: 0,
          answeredAfter: 0,
        };
        outcomes.set(row.learning_outcome_id, figures);
      }
      if (row.confidence_before) {
        figures.before[row.confidence_before - 1]! += 1;
        figures.answeredBefore += 1;
      }
      if (row.confidence_after) {
        figures.after[row.confidence_after - 1]! += 1;
        figures.answeredAfter += 1;
      }
    }
    const usefulness = emptyDistribution();
    for (const response of responses) if (response.usefulness) usefulness[response.usefulness - 1]! += 1;
    const byWords = (texts: string[]) =>
      texts.filter(Boolean).sort((a, b) => a.localeCompare(b, 'en-GB') || (a < b ? -1 : a > b ? 1 : 0));

    let named: NamedResponse[] | null = null;
    if (holds(staff.role, 'seeFeedbackNames')) {
      const answersOf = new Map<number, typeof outcomeRows>();
      for (const row of outcomeRows)
        answersOf.set(row.response_id, [...(answersOf.get(row.response_id) ?? []), row]);
      const order = [...outcomes.keys()];
      named = responses.map((response) => ({
        delegateName: response.delegate_name,
        sessionStartsAt: new Date(response.session_starts_at),
        usefulness: response.usefulness ? USEFULNESS_WORDS[response.usefulness - 1]! : null,
        outcomes: (answersOf.get(response.id) ?? [])
          .sort((a, b) => order.indexOf(a.learning_outcome_id) - order.indexOf(b.learning_outcome_id))
          .map((answer) => ({
            text: answer.outcome_text,
            before: answer.confidence_before ? CONFIDENCE_WORDS[answer.confidence_before - 1]! : null,
            after: answer.confidence_after ? CONFIDENCE_WORDS[answer.confidence_after - 1]! : null,
          })),
        doDifferently: response.do_differently,
        hubShouldChange: response.hub_should_change,
      }));
    }
    return {
      responses: responses.length,
      tooFew: tooFewToReadInto(responses.length),
      outcomes: [...outcomes.values()],
      usefulness,
      doDifferently: byWords(responses.map((r) => r.do_differently)),
      hubShouldChange: byWords(responses.map((r) => r.hub_should_change)),
      named,
    };
  }
}

function toQuoteForReview(
  row: Awaited<ReturnType<FeedbackReviewRepository['courseQuotes']>>[number],
): QuoteForReview {
  const offered = mayPublishQuote(row.quote_consent);
  const consent: QuoteConsent = row.quote_consent ?? 'no';
  return {
    responseId: row.id,
    quote: row.quote,
    attribution: offered ? quoteAttribution(consent, { name: row.delegate_name, jobRole: row.job_role }) : '',
    consentWords: QUOTE_CONSENT_WORDS[consent],
    sessionStartsAt: new Date(row.session_starts_at),
    state: !offered ? 'withdrawn' : row.published_at ? 'shown' : 'not_shown',
    withdrawnAt: row.quote_withdrawn_at ? new Date(row.quote_withdrawn_at) : null,
  };
}
