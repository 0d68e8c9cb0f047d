/**
 * Every error ends as a page a person can act on: a 404 that helps them find
 * their way, a 400 that says what to change, or a calm 500 that hides our
 * internals (the details go to the log, not the browser).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

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
      // Fastify's own 4xx (malformed body, too large, bad content type).
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        return sendError(
          request,
          reply,
          new BadRequestError('We could not read that request. Check what you entered and try again.'),
        );
      }
      request.log.error({ err: error }, 'request failed');
      const page = {
        pageTitle: 'Sorry, there is a problem with the service',
        error: {
          statusCode: 500,
          title: 'Sorry, there is a problem with the service',
          message: 'Try again later. Nothing you had already saved has been lost.',
          problems: [],
          notFound: false,
        },
      };
      try {
        return await reply.page('pages/error.njk', page, 500);
      } catch {
        // Even the error page failed (say, the database is down): plain text.
        return reply.code(500).type('text/plain; charset=utf-8').send(page.error.message);
      }
    });
  },
  { name: 'errors', dependencies: ['rendering'] },
);
