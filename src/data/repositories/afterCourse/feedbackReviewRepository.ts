/**
 * The feedback review service's reads and writes: a course's quotes and the
 * choice of which are shown on its page, and the feedback and three-month
 * follow-up answers staff read for a session or a course.
 */
import { PUBLISHABLE_CONSENTS } from '../../../domain/afterCourse/feedback.js';
import type { Executor, Instant } from '../../schema.js';

/** Whose answers: one session's, or a course's sessions that started in [from, to). */
export type AnswersOf = { sessionId: number } | { courseId: number; from: Instant; to: Instant };

export class FeedbackReviewRepository {
  constructor(private readonly db: Executor) {}

  within(trx: Executor): FeedbackReviewRepository {
    return new FeedbackReviewRepository(trx);
  }

  course(courseId: number) {
    return this.db.selectFrom('courses').where('id', '=', courseId).select(['id', 'title', 'slug']).executeTakeFirst();
  }

  /**
   * A session, its course, and whether `trainerId` teaches it (a trainer
   * sees only their own sessions' feedback).
   */
  session(sessionId: number, trainerId: number | null) {
    return this.db
      .selectFrom('sessions')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('sessions.id', '=', sessionId)
      .select(['sessions.id', 'sessions.starts_at', 'courses.id as course_id', 'courses.title as course_title'])
      .select(({ exists, selectFrom }) =>
        exists(
          selectFrom('session_trainers')
            .select('session_trainers.trainer_id')
            .whereRef('session_trainers.session_id', '=', 'sessions.id')
            .where('session_trainers.trainer_id', '=', trainerId ?? -1),
        ).as('teaches_it'),
      )
      .executeTakeFirst();
  }

  /**
   * Quotes delegates wrote on a course's sessions and agreed may be
   * published, or later withdrew; with whether each is shown on the course
   * page. Latest sessions first.
   */
  courseQuotes(courseId: number, responseId?: number) {
    return this.db
      .selectFrom('feedback_responses')
      .innerJoin('bookings', 'bookings.id', 'feedback_responses.booking_id')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
      .leftJoin('quote_publications', 'quote_publications.response_id', 'feedback_responses.id')
      .where('sessions.course_id', '=', courseId)
      .where('feedback_responses.quote', '!=', '')
      .where((eb) =>
        eb.or([
          eb('feedback_responses.quote_consent', 'in', PUBLISHABLE_CONSENTS),
          eb('feedback_responses.quote_withdrawn_at', 'is not', null),
        ]),
      )
      .$if(responseId !== undefined, (q) => q.where('feedback_responses.id', '=', responseId!))
      .select([
        'feedback_responses.id',
        'feedback_responses.quote',
        'feedback_responses.quote_consent',
        'feedback_responses.quote_withdrawn_at',
        'feedback_responses.updated_at',
        'delegates.name as delegate_name',
        'delegates.job_role',
        'sessions.starts_at as session_starts_at',
        'quote_publications.published_at',
      ])
      .orderBy('sessions.starts_at', 'desc')
      .orderBy('feedback_responses.id')
      .execute();
  }

  /** Shows a quote on the course page; false when it already was. */
  async publish(responseId: number, staffId: number, now: Instant): Promise<boolean> {
    const inserted = await this.db
      .insertInto('quote_publications')
      .values({ response_id: responseId, published_at: now, published_by_staff_id: staffId })
      .onConflict((conflict) => conflict.column('response_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** Stops showing a quote on the course page; false when it was not shown. */
  async stopPublishing(responseId: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom('quote_publications')
      .where('response_id', '=', responseId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Responses on one session, or on a course's sessions that started in [from, to). */
  private responsesOf(of: AnswersOf) {
    let q = this.db
      .selectFrom('feedback_responses')
      .innerJoin('bookings', 'bookings.id', 'feedback_responses.booking_id')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id');
    if ('sessionId' in of) return q.where('sessions.id', '=', of.sessionId);
    q = q
      .where('sessions.course_id', '=', of.courseId)
      .where('sessions.starts_at', '>=', of.from)
      .where('sessions.starts_at', '<', of.to);
    return q;
  }

  /** Feedback answers, each response with its delegate's name. */
  responses(of: AnswersOf) {
    return this.responsesOf(of)
      .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
      .select([
        'feedback_responses.id',
        'feedback_responses.usefulness',
        'feedback_responses.do_differently',
        'feedback_responses.hub_should_change',
        'delegates.name as delegate_name',
        'sessions.id as session_id',
        'sessions.starts_at as session_starts_at',
      ])
      .orderBy('delegates.name')
      .orderBy('feedback_responses.id')
      .execute();
  }

  /** The confidence answers of the same responses, with each outcome's words as asked. */
  outcomeAnswers(of: AnswersOf) {
    return this.responsesOf(of)
      .innerJoin('feedback_outcome_answers', 'feedback_outcome_answers.response_id', 'feedback_responses.id')
      .select([
        'feedback_outcome_answers.response_id',
        'feedback_outcome_answers.learning_outcome_id',
        'feedback_outcome_answers.outcome_text',
        'feedback_outcome_answers.confidence_before',
        'feedback_outcome_answers.confidence_after',
      ])
      .execute();
  }

  /** The course's learning outcomes in order, to list answers in the order the form asked them. */
  learningOutcomes(courseId: number) {
    return this.db
      .selectFrom('course_learning_outcomes')
      .where('course_id', '=', courseId)
      .select(['id', 'text'])
      .orderBy('position')
      .orderBy('id')
      .execute();
  }

  /** Follow-up requests about bookings on one session, or on a course's sessions that started in [from, to). */
  private followUpsOf(of: AnswersOf) {
    const q = this.db
      .selectFrom('follow_up_requests')
      .innerJoin('bookings', 'bookings.id', 'follow_up_requests.booking_id')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id');
    if ('sessionId' in of) return q.where('sessions.id', '=', of.sessionId);
    return q
      .where('sessions.course_id', '=', of.courseId)
      .where('sessions.starts_at', '>=', of.from)
      .where('sessions.starts_at', '<', of.to);
  }

  /** Every follow-up sent, whether and how it was answered, with the delegate it was about. */
  followUpRequests(of: AnswersOf) {
    return this.followUpsOf(of)
      .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
      .select([
        'follow_up_requests.id',
        'follow_up_requests.respondent',
        'follow_up_requests.outcome',
        'follow_up_requests.example',
        'follow_up_requests.obstacles',
        'delegates.name as delegate_name',
        'sessions.starts_at as session_starts_at',
      ])
      .orderBy('delegates.name')
      .orderBy('follow_up_requests.respondent')
      .orderBy('follow_up_requests.id')
      .execute();
  }

  /** The answers on each key area of the same requests, with the key area's words as asked. */
  followUpAnswers(of: AnswersOf) {
    return this.followUpsOf(of)
      .innerJoin('follow_up_answers', 'follow_up_answers.request_id', 'follow_up_requests.id')
      .select([
        'follow_up_answers.request_id',
        'follow_up_answers.key_area_id',
        'follow_up_answers.key_area_text',
        'follow_up_answers.practice_change',
      ])
      .execute();
  }

  /** The course's key areas in order, to list follow-up answers in the order the form asked them. */
  keyAreas(courseId: number) {
    return this.db
      .selectFrom('course_key_areas')
      .where('course_id', '=', courseId)
      .select(['id', 'text'])
      .orderBy('position')
      .orderBy('id')
      .execute();
  }
}
