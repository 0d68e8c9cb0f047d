/** The feedback service's reads and writes: invitations, and a delegate's answers. */
import type { Executor, Instant } from '../../schema.js';
import { attendedPlacesEnded } from '../sharedQueries.js';
import { mayPublishQuote, PUBLISHABLE_CONSENTS, type QuoteConsent } from '../../../domain/afterCourse/feedback.js';

export interface OutcomeAnswer {
  learningOutcomeId: number;
  outcomeText: string;
  confidenceBefore: number | null;
  confidenceAfter: number | null;
}

export interface FeedbackAnswers {
  outcomes: OutcomeAnswer[];
  usefulness: number | null;
  doDifferently: string;
  hubShouldChange: string;
  quote: string;
  quoteConsent: QuoteConsent | null;
}

export class FeedbackRepository {
  constructor(private readonly db: Executor) {}

  within(trx: Executor): FeedbackRepository {
    return new FeedbackRepository(trx);
  }

  /**
   * Bookings to invite: a place on a session that ended between `endedAfter`
   * and `endedBy`, not cancelled, with at least one part marked attended or
   * partly attended, and no invitation yet.
   */
  async invitationsDue(endedAfter: Instant, endedBy: Instant): Promise<number[]> {
    const rows = await attendedPlacesEnded(this.db, endedAfter, endedBy)
      .where('bookings.feedback_invited_at', 'is', null)
      .select('bookings.id')
      .orderBy('bookings.id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Claims one invitation: true only for the one caller whose update lands. */
  async markInvited(bookingId: number, now: Instant): Promise<boolean> {
    const result = await this.db
      .updateTable('bookings')
      .set({ feedback_invited_at: now })
      .where('id', '=', bookingId)
      .where('feedback_invited_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The course's learning outcomes, in order, as the form asks them now. */
  learningOutcomes(courseId: number) {
    return this.db
      .selectFrom('course_learning_outcomes')
      .where('course_id', '=', courseId)
      .select(['id', 'text'])
      .orderBy('position')
      .orderBy('id')
      .execute();
  }

  /** The course a booking is for, and whether and when its session ended. */
  bookingCourse(bookingId: number) {
    return this.db
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('bookings.id', '=', bookingId)
      .select([
        'courses.id as course_id',
        'courses.title as course_title',
        'sessions.ends_at',
        'sessions.cancelled_at as session_cancelled_at',
        'bookings.feedback_invited_at',
      ])
      .executeTakeFirstOrThrow();
  }

  async response(bookingId: number) {
    const response = await this.db
      .selectFrom('feedback_responses')
      .where('booking_id', '=', bookingId)
      .selectAll()
      .executeTakeFirst();
    if (!response) return undefined;
    const outcomes = await this.db
      .selectFrom('feedback_outcome_answers')
      .where('response_id', '=', response.id)
      .selectAll()
      .execute();
    return { ...response, outcomes };
  }

  /**
   * Writes a booking's answers, replacing any earlier ones; keeps when they
   * were first given. A quote on the course page stops being shown when its
   * words change or consent is taken back: a coordinator chooses it again.
   */
  async save(bookingId: number, answers: FeedbackAnswers, now: Instant): Promise<void> {
    const before = await this.db
      .selectFrom('feedback_responses')
      .where('booking_id', '=', bookingId)
      .select(['id', 'quote', 'quote_consent', 'quote_withdrawn_at'])
      .executeTakeFirst();
    const offered = mayPublishQuote(answers.quoteConsent);
    const wasOffered = before !== undefined && mayPublishQuote(before.quote_consent);
    const fields = {
      usefulness: answers.usefulness,
      do_differently: answers.doDifferently,
      hub_should_change: answers.hubShouldChange,
      quote: answers.quote,
      quote_consent: answers.quoteConsent,
      quote_withdrawn_at: offered ? null : wasOffered ? now : (before?.quote_withdrawn_at ?? null),
      updated_at: now,
    };
    // One statement, so a form sent twice at once updates the one row rather than failing on the second.
    const { id: responseId } = await this.db
      .insertInto('feedback_responses')
      .values({ booking_id: bookingId, submitted_at: now, ...fields })
      .onConflict((conflict) => conflict.column('booking_id').doUpdateSet(fields))
      .returning('id')
      .executeTakeFirstOrThrow();
    if (before && (!offered || before.quote !== answers.quote)) await this.stopPublishing(responseId);
    await this.db.deleteFrom('feedback_outcome_answers').where('response_id', '=', responseId).execute();
    if (answers.outcomes.length) {
      await this.db
        .insertInto('feedback_outcome_answers')
        .values(
          answers.outcomes.map((o) => ({
            response_id: responseId,
            learning_outcome_id: o.learningOutcomeId,
            outcome_text: o.outcomeText,
            confidence_before: o.confidenceBefore,
            confidence_after: o.confidenceAfter,
          })),
        )
        .execute();
    }
  }

  /**
   * Takes back the delegate's consent to publish their quote, and takes it
   * off the course page; true if there was one to take back.
   */
  async withdrawQuote(bookingId: number, now: Instant): Promise<boolean> {
    const withdrawn = await this.db
      .updateTable('feedback_responses')
      .set({ quote_consent: 'no', quote_withdrawn_at: now, updated_at: now })
      .where('booking_id', '=', bookingId)
      .where('quote_consent', 'in', PUBLISHABLE_CONSENTS)
      .returning('id')
      .executeTakeFirst();
    if (withdrawn) await this.stopPublishing(withdrawn.id);
    return withdrawn !== undefined;
  }

  private async stopPublishing(responseId: number): Promise<void> {
    await this.db.deleteFrom('quote_publications').where('response_id', '=', responseId).execute();
  }

  /** A delegate's bookings invited to give feedback and not yet answered, for Your bookings. */
  async awaitingFeedback(delegateId: number) {
    return this.db
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .leftJoin('feedback_responses', 'feedback_responses.booking_id', 'bookings.id')
      .where('bookings.delegate_id', '=', delegateId)
      .where('bookings.feedback_invited_at', 'is not', null)
      .where('feedback_responses.id', 'is', null)
      .select(['bookings.reference', 'courses.title as course_title', 'sessions.starts_at'])
      .orderBy('sessions.starts_at', 'desc')
      .execute();
  }
}
