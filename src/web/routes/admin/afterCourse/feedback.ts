/**
 * Delegates' feedback in the back office.
 *
 *   GET  /admin/courses/:courseId/quotes     quotes delegates agreed may be published; which the course page shows
 *   POST /admin/courses/:courseId/quotes     show one (action=publish) or stop showing it (action=stop)
 *   GET  /admin/courses/:courseId/feedback   the answers on a course's sessions of about the last year
 *   GET  /admin/sessions/:sessionId/feedback the answers on one session (trainers: their own)
 *
 * Both answer pages also show the three-month follow-up's answers on the same sessions.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { CONFIDENCE_WORDS, USEFULNESS_WORDS } from '../../../../domain/afterCourse/feedback.js';
import { PRACTICE_CHANGE_WORDS, PRACTICE_CHANGES } from '../../../../domain/afterCourse/followUp.js';
import { TOO_FEW_TO_READ_INTO } from '../../../../domain/afterCourse/reports.js';
import { formatDate, formatMoment } from '../../../../domain/time/time.js';
import { ConflictError, NotFoundError } from '../../../../errors.js';
import type { FeedbackAnswers } from '../../../../services/afterCourse/feedbackReviewService.js';
import type { FollowUpAnswersForStaff } from '../../../../services/afterCourse/followUpAnswers.js';
import type { Services } from '../../../../services/index.js';
import { idParam } from '../../public/params.js';
import { requireStaff } from '../auth.js';

const QUOTE_STATE_WORDS = {
  shown: { text: 'Shown on the course page', classes: 'govuk-tag--green' },
  not_shown: { text: 'Not shown', classes: 'govuk-tag--grey' },
  withdrawn: { text: 'Withdrawn by the delegate', classes: 'govuk-tag--red' },
} as const;

/** The answers as the page lays them out: scales with their words beside the counts. */
function shownAnswers(answers: FeedbackAnswers) {
  return {
    ...answers,
    confidenceWords: CONFIDENCE_WORDS,
    usefulnessRows: USEFULNESS_WORDS.map((words, i) => ({ words, count: answers.usefulness[i] })),
    named: answers.named?.map((response) => ({
      ...response,
      session: formatMoment(response.sessionStartsAt),
    })),
  };
}

/** The follow-up as the page lays it out: the scale's words beside the counts. */
function shownFollowUp(followUp: FollowUpAnswersForStaff) {
  return {
    ...followUp,
    changeWords: PRACTICE_CHANGES.map((change) => PRACTICE_CHANGE_WORDS[change]),
    named: followUp.named?.map((response) => ({
      ...response,
      session: formatMoment(response.sessionStartsAt),
    })),
  };
}

export default async function adminFeedbackRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  const { feedbackReview } = services;

  async function renderQuotes(
    request: FastifyRequest<{ Params: { courseId: string } }>,
    reply: FastifyReply,
    problem?: { message: string; responseId: number },
  ) {
    const { course, quotes } = await feedbackReview.courseQuotes(idParam(request.params.courseId, 'course'));
    const done = (request.query as Record<string, unknown>).done;
    return reply.page(
      'pages/admin/feedback/quotes.njk',
      {
        pageTitle: `Quotes from feedback: ${course.title}`,
        course,
        quotes: quotes.map((quote) => ({
          ...quote,
          session: formatDate(quote.sessionStartsAt),
          stateTag: QUOTE_STATE_WORDS[quote.state],
          withdrawnOn: quote.withdrawnAt ? formatDate(quote.withdrawnAt) : null,
        })),
        notice: problem
          ? null
          : done === 'published'
            ? 'The quote is now shown on the course page.'
            : done === 'stopped'
              ? 'The quote is no longer shown on the course page.'
              : null,
        errorList: problem ? [{ text: problem.message, href: `#quote-${problem.responseId}` }] : [],
        csrfToken: reply.generateCsrf(),
      },
      problem ? 409 : 200,
    );
  }

  app.get<{ Params: { courseId: string } }>(
    '/admin/courses/:courseId/quotes',
    { preHandler: requireStaff('runProgramme') },
    async (request, reply) => renderQuotes(request, reply),
  );

  app.post<{ Params: { courseId: string } }>(
    '/admin/courses/:courseId/quotes',
    { preHandler: [app.csrfProtection, requireStaff('runProgramme')] },
    async (request, reply) => {
      const courseId = idParam(request.params.courseId, 'course');
      const body = (request.body ?? {}) as Record<string, unknown>;
      const responseId = idParam(typeof body.response === 'string' ? body.response : undefined, 'quote');
      const staffId = request.staffSession!.staff.id;
      try {
        if (body.action === 'publish') await feedbackReview.publishQuote(courseId, responseId, staffId);
        else if (body.action === 'stop') await feedbackReview.stopQuote(courseId, responseId, staffId);
        else throw new NotFoundError('quote');
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        return renderQuotes(request, reply, { message: error.message, responseId });
      }
      return reply.redirect(
        `/admin/courses/${courseId}/quotes?done=${body.action === 'publish' ? 'published' : 'stopped'}#quote-${responseId}`,
        303,
      );
    },
  );

  app.get<{ Params: { courseId: string } }>(
    '/admin/courses/:courseId/feedback',
    { preHandler: requireStaff('readReports') },
    async (request, reply) => {
      const { course, from, to, answers, followUp } = await feedbackReview.courseAnswers(
        idParam(request.params.courseId, 'course'),
        request.staffSession!.staff,
      );
      return reply.page('pages/admin/feedback/answers.njk', {
        pageTitle: `Feedback: ${course.title}`,
        heading: `Feedback: ${course.title}`,
        caption: `Sessions that started from ${formatDate(from)} to ${formatDate(to)}`,
        breadcrumbs: [
          { text: 'Back office', href: '/admin' },
          { text: 'Courses', href: '/admin/courses' },
          { text: course.title, href: `/admin/courses/${course.id}` },
        ],
        answers: shownAnswers(answers),
        followUp: shownFollowUp(followUp),
        tooFew: TOO_FEW_TO_READ_INTO,
      });
    },
  );

  app.get<{ Params: { sessionId: string } }>(
    '/admin/sessions/:sessionId/feedback',
    { preHandler: requireStaff('readSessionReports') },
    async (request, reply) => {
      const { session, answers, followUp } = await feedbackReview.sessionAnswers(
        idParam(request.params.sessionId, 'session'),
        request.staffSession!.staff,
      );
      const date = formatMoment(session.startsAt);
      return reply.page('pages/admin/feedback/answers.njk', {
        pageTitle: `Feedback: ${session.courseTitle}, ${formatDate(session.startsAt)}`,
        heading: `Feedback: ${session.courseTitle}`,
        caption: date,
        breadcrumbs: [
          { text: 'Back office', href: '/admin' },
          { text: 'Sessions', href: '/admin/sessions' },
          { text: `${session.courseTitle}, ${date}`, href: `/admin/sessions/${session.id}` },
        ],
        reportHref: `/admin/reports/sessions/${session.id}`,
        answers: shownAnswers(answers),
        followUp: shownFollowUp(followUp),
        tooFew: TOO_FEW_TO_READ_INTO,
      });
    },
  );
}
