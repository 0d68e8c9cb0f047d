/**
 * A delegate's feedback on a course they were at: the form, and changing it
 * for a while after. Another delegate's booking reference is "not found".
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import {
  CONFIDENCE_WORDS,
  FEEDBACK_CHANGE_DAYS,
  FEEDBACK_TEXT_MAX,
  feedbackFieldOrder,
  QUOTE_CONSENT_WORDS,
  QUOTE_CONSENTS,
  USEFULNESS_WORDS,
} from '../../../domain/afterCourse/feedback.js';
import { formatDate } from '../../../domain/time/time.js';
import type { ConflictError, FormError } from '../../../errors.js';
import type { Services } from '../../../services/index.js';
import { formBody, formProblem, formStatus, isShownOnForm, keepTyped } from '../../forms.js';
import { BOOKING_REFERENCE } from './fields.js';

type FeedbackForm = Awaited<ReturnType<Services['feedback']['form']>>;

/** Radios of a five-point scale, 1 to 5, with the chosen one checked. */
function scaleItems(words: readonly string[], chosen: string | undefined) {
  return words.map((text, index) => ({
    value: String(index + 1),
    text,
    checked: chosen === String(index + 1),
  }));
}

/** The answers given, as the form's fields. */
function savedValues(form: FeedbackForm): Record<string, string> {
  const response = form.response;
  if (!response) return {};
  const values: Record<string, string> = {
    usefulness: response.usefulness ? String(response.usefulness) : '',
    doDifferently: response.do_differently,
    hubShouldChange: response.hub_should_change,
    quote: response.quote,
    quoteConsent: response.quote_consent ?? '',
  };
  for (const answer of response.outcomes) {
    if (answer.confidence_before)
      values[`before-${answer.learning_outcome_id}`] = String(answer.confidence_before);
    if (answer.confidence_after)
      values[`after-${answer.learning_outcome_id}`] = String(answer.confidence_after);
  }
  return values;
}

export default async function feedbackRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { feedback } = services;

  function referenceParam(value: string): string {
    const reference = value.toUpperCase();
    // Not our format: the same 404 as a booking that is someone else's.
    return BOOKING_REFERENCE.test(reference) ? reference : 'TRL-0000-0000-0000';
  }

  async function renderForm(
    request: FastifyRequest<{ Params: { reference: string } }>,
    reply: FastifyReply,
    typed?: Record<string, string>,
    error?: FormError | ConflictError,
  ) {
    const form = await feedback.form(request.delegate!.id, referenceParam(request.params.reference));
    const values = typed ?? savedValues(form);
    const query = request.query as Record<string, string | undefined>;
    return reply.page(
      'pages/bookings/feedback.njk',
      {
        pageTitle: `Feedback: ${form.courseTitle}`,
        reference: form.reference,
        courseTitle: form.courseTitle,
        outcomes: form.outcomes.map((outcome) => ({
          id: outcome.id,
          text: outcome.text,
          beforeItems: scaleItems(CONFIDENCE_WORDS, values[`before-${outcome.id}`]),
          afterItems: scaleItems(CONFIDENCE_WORDS, values[`after-${outcome.id}`]),
        })),
        usefulnessItems: scaleItems(USEFULNESS_WORDS, values.usefulness),
        consentItems: QUOTE_CONSENTS.map((value) => ({
          value,
          text: QUOTE_CONSENT_WORDS[value],
          checked: values.quoteConsent === value,
        })),
        values,
        answered: Boolean(form.response),
        saved: query.saved === '1',
        withdrawn: query.withdrawn === '1',
        quotePublishable: Boolean(
          form.response?.quote && form.response.quote_consent && form.response.quote_consent !== 'no',
        ),
        savedQuote: form.response?.quote ?? '',
        canChange: form.canChange,
        certificateWaits: await feedback.certificateWaitsForFeedback(),
        changeableUntil: form.changeableUntil ? formatDate(form.changeableUntil) : null,
        changeDays: FEEDBACK_CHANGE_DAYS,
        textMax: FEEDBACK_TEXT_MAX,
        ...formProblem(error, feedbackFieldOrder(form.outcomes.map((o) => o.id))),
        csrfToken: reply.generateCsrf(),
      },
      formStatus(error),
    );
  }

  app.get<{ Params: { reference: string } }>(
    '/bookings/:reference/feedback',
    { preHandler: app.requireDelegate },
    async (request, reply) => renderForm(request, reply),
  );

  app.post<{ Params: { reference: string } }>(
    '/bookings/:reference/feedback',
    { preHandler: [app.csrfProtection, app.requireDelegate] },
    async (request, reply) => {
      const reference = referenceParam(request.params.reference);
      try {
        await feedback.save(request.delegate!.id, reference, formBody(request));
      } catch (error) {
        if (!isShownOnForm(error)) throw error;
        return renderForm(request, reply, keepTyped(request.body), error);
      }
      return reply.redirect(`/bookings/${reference}/feedback?saved=1`, 303);
    },
  );

  // Consent to publish a quote can be taken back at any time, after the 30 days too.
  app.post<{ Params: { reference: string } }>(
    '/bookings/:reference/feedback/withdraw-quote',
    { preHandler: [app.csrfProtection, app.requireDelegate] },
    async (request, reply) => {
      const reference = referenceParam(request.params.reference);
      await feedback.withdrawQuote(request.delegate!.id, reference);
      return reply.redirect(`/bookings/${reference}/feedback?withdrawn=1`, 303);
    },
  );
}
