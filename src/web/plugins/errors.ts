/**
 * Every error ends as a page a person can act on: a 404 that helps them find
 * their way, a 400 that says what to change, or a calm 500 that hides our
 * internals (the details go to the log, not the browser).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

import { isDatabaseUnavailable } from '../../data/db.js';
import { BadRequestError, NotFoundError, UserFacingError } from '../../errors.js';

/** A form sent without its CSRF token, or with one from an old page. */
class FormExpiredError extends UserFacingError {
  readonly statusCode = 403;
  readonly title = 'This form has expired';
  constructor() {
    super(
      'For your security, forms stop working after a while or when opened elsewhere. Go back, reload the page and try again. Nothing was changed.',
    );
  }
}

class TooManyAttemptsError extends UserFacingError {
  readonly statusCode = 429;
  readonly title = 'Too many attempts';
  constructor() {
    super('You have tried this too many times in a short time. Wait 15 minutes, then try again.');
  }
}

/** A body sent as anything but a web form (JSON, say): Trellis's forms are sent from its pages. */
class UnreadableFormError extends UserFacingError {
  readonly statusCode = 415;
  readonly title = 'This form could not be read';
  constructor() {
    super(
      'Trellis only accepts forms sent from its own pages. Go back, reload the page and fill in the form there. Nothing was changed.',
    );
  }
}

function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return !accept.includes('application/json') || accept.includes('text/html');
}

async function sendError(request: FastifyRequest, reply: FastifyReply, error: UserFacingError) {
  if (!wantsHtml(request)) {
    return reply.code(error.statusCode).send({ error: error.title, message: error.message });
  }
  return reply.page(
    'pages/error.njk',
    {
      pageTitle: error.title,
      error: {
        statusCode: error.statusCode,
        title: error.title,
        message: error.message,
        problems: error instanceof BadRequestError ? error.problems : [],
        notFound: error instanceof NotFoundError,
      },
    },
    error.statusCode,
  );
}

const UNAVAILABLE_MESSAGE =
  'Part of the service did not answer just now. Wait a minute and try again. If you were booking a place, look at your bookings first to see whether it was booked.';

/** The page for a fault of ours, or plain text if even that cannot be shown (say, the database is down). */
async function calmPage(reply: FastifyReply, statusCode: number, title: string, message: string) {
  const page = {
    pageTitle: title,
    error: { statusCode, title, message, problems: [], notFound: false },
  };
  try {
    return await reply.page('pages/error.njk', page, statusCode);
  } catch {
    return reply.code(statusCode).type('text/plain; charset=utf-8').send(`${title}. ${message}`);
  }
}

export default fp(
  async function errors(app: FastifyInstance) {
    app.setNotFoundHandler(async (request, reply) => sendError(request, reply, new NotFoundError()));

    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      if (error instanceof UserFacingError) return sendError(request, reply, error);
      if (error.code?.startsWith('FST_CSRF')) {
        return sendError(request, reply, new FormExpiredError());
      }
      if (error.statusCode === 429) {
        return sendError(request, reply, new TooManyAttemptsError());
      }
      if (error.statusCode === 415) {
        return sendError(request, reply, new UnreadableFormError());
      }
      // Fastify's own 4xx (malformed body, too large).
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        return sendError(
          request,
          reply,
          new BadRequestError('We could not read that request. Check what you entered and try again.'),
        );
      }
      // A database restart or failover: not a fault in the request, and over in a moment.
      if (isDatabaseUnavailable(error)) {
        request.log.warn({ err: error }, 'request failed: the database could not be reached');
        reply.header('Retry-After', '30');
        return calmPage(reply, 503, 'Sorry, the service is unavailable', UNAVAILABLE_MESSAGE);
      }
      request.log.error({ err: error }, 'request failed');
      return calmPage(
        reply,
        500,
        'Sorry, there is a problem with the service',
        'Try again later. Nothing you had already saved has been lost.',
      );
    });
  },
  { name: 'errors', dependencies: ['rendering'] },
);
