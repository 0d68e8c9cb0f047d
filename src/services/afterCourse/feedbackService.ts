/**
 * Feedback on the learning outcomes: inviting, once, everyone marked as at a
 * session after it ends, and a delegate's answers, which they can change for
 * a while. Answering is always optional.
 */
import { CertificateRecords } from '../../data/repositories/afterCourse/certificateRecords.js';
import { FeedbackRepository } from '../../data/repositories/afterCourse/feedbackRepository.js';
import {
  canChangeFeedback,
  changeDeadline,
  FEEDBACK_CHANGE_DAYS,
  INVITE_WITHIN_DAYS,
  readFeedbackForm,
} from '../../domain/afterCourse/feedback.js';
import { ConflictError, FormError, NotFoundError } from '../../errors.js';
import type { ServiceDeps } from '../deps.js';
import { CertificateIssuing } from './certificateIssuing.js';

export class FeedbackService {
  private readonly repository: FeedbackRepository;
  private readonly certificates: CertificateIssuing;

  constructor(private readonly deps: ServiceDeps) {
    this.repository = new FeedbackRepository(deps.db);
    this.certificates = new CertificateIssuing(deps.mail);
  }

  /** The invitation job: emails each delegate due an invitation, each once. */
  async sendInvitations(): Promise<number> {
    const now = this.deps.clock.now();
    const since = new Date(now.getTime() - INVITE_WITHIN_DAYS * 86_400_000);
    const due = await this.repository.invitationsDue(since.toISOString(), now.toISOString());
    if (!due.length) return 0;
    const ctx = await this.deps.context();
    let sent = 0;
    for (const bookingId of due) {
      await this.deps.db.transaction().execute(async (trx) => {
        if (await this.repository.within(trx).markInvited(bookingId, now.toISOString())) {
          await this.deps.mail.feedbackInvitation(trx, ctx, bookingId, FEEDBACK_CHANGE_DAYS);
          sent += 1;
        }
      });
    }
    return sent;
  }

  /** The form for one of the delegate's bookings, with any answers given. */
  async form(delegateId: number, reference: string) {
    const booking = await this.deps.bookings.ownBooking(delegateId, reference);
    const course = await this.repository.bookingCourse(booking.id);
    // Only someone invited (marked as there, after the session) is asked.
    if (!course.feedback_invited_at) throw new NotFoundError('feedback form');
    const [outcomes, response] = await Promise.all([
      this.repository.learningOutcomes(course.course_id),
      this.repository.response(booking.id),
    ]);
    const now = this.deps.clock.now();
    const submittedAt = response ? new Date(response.submitted_at) : null;
    return {
      bookingId: booking.id,
      reference: booking.reference,
      courseTitle: course.course_title,
      outcomes,
      response,
      changeableUntil: submittedAt ? changeDeadline(submittedAt) : null,
      canChange: submittedAt ? canChangeFeedback(submittedAt, now) : true,
    };
  }

  /** Saves the delegate's answers (all optional), or says what to correct. */
  async save(delegateId: number, reference: string, body: Record<string, unknown>): Promise<void> {
    const form = await this.form(delegateId, reference);
    if (!form.canChange) {
      throw new ConflictError(
        `Your feedback can no longer be changed: answers can be changed for ${FEEDBACK_CHANGE_DAYS} days after they are sent.`,
      );
    }
    const reading = readFeedbackForm(
      body,
      form.outcomes.map((o) => o.id),
    );
    if (!reading.ok) throw new FormError(reading.fields);
    const texts = new Map(form.outcomes.map((o) => [o.id, o.text]));
    const { input } = reading;
    const ctx = await this.deps.context();
    const now = this.deps.clock.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await this.repository.within(trx).save(
        form.bookingId,
        {
          ...input,
          outcomes: input.outcomes
            .filter((o) => o.confidenceBefore !== null || o.confidenceAfter !== null)
            .map((o) => ({ ...o, outcomeText: texts.get(o.learningOutcomeId) ?? '' })),
        },
        now.toISOString(),
      );
      // A certificate that waited for this feedback can now be downloaded (and its email goes).
      await this.certificates.release(trx, ctx, now, [form.bookingId]);
    });
  }

  /** Withdraws consent to publish the delegate's quote: at any time, however long ago it was given. */
  async withdrawQuote(delegateId: number, reference: string): Promise<void> {
    const form = await this.form(delegateId, reference);
    await this.deps.db.transaction().execute(async (trx) => {
      await this.repository.within(trx).withdrawQuote(form.bookingId, this.deps.clock.now().toISOString());
    });
  }

  /**
   * Releases certificates that no longer wait for feedback, with their
   * emails: every one once the hub stops asking for feedback first, and any
   * whose delegate can no longer be invited. Run after the settings change
   * and by the hourly invitation job, so none is held for ever.
   */
  async releaseCertificatesNoLongerWaiting(): Promise<number> {
    const ctx = await this.deps.context();
    const now = this.deps.clock.now();
    return this.deps.db.transaction().execute(async (trx) => {
      if (!ctx.policy.feedbackBeforeCertificate) return this.certificates.release(trx, ctx, now);
      const endedBefore = new Date(now.getTime() - INVITE_WITHIN_DAYS * 86_400_000);
      const stranded = await new CertificateRecords(trx).waitingWithoutInvitation(endedBefore.toISOString());
      return this.certificates.release(trx, ctx, now, stranded);
    });
  }

  /** Whether the hub's policy holds certificates until feedback is given: the form says so. */
  async certificateWaitsForFeedback(): Promise<boolean> {
    return (await this.deps.context()).policy.feedbackBeforeCertificate;
  }

  /** The delegate's bookings whose feedback is asked for and not yet given. */
  awaitingFeedback(delegateId: number) {
    return this.repository.awaitingFeedback(delegateId);
  }
}
