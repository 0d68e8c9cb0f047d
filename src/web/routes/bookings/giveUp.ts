/**
 * "I can't come": the private link in a place's confirmation and reminder
 * emails (services/bookings/giveUpPlace.ts), without signing in.
 *
 *   GET   /give-up/:token        shows the booking and asks "Give up your place?"
 *   POST  /give-up/:token        gives it up (CSRF; rate limited like booking)
 *   POST  /give-up/:token/why    after a late cancellation, tells the hub why
 *
 * Opening the link (a GET, which mail scanners make before people do) only
 * shows the page; only the button's POST acts. An unknown link, or someone
 * else's, is the ordinary 404; a used one, or one whose session has started,
 * says so kindly.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { FormError } from '../../../errors.js';
import type { Services } from '../../../services/index.js';
import { formBody, formProblem, formStatus, isShownOnForm, keepTyped } from '../../forms.js';

type TokenParams = { Params: { token: string } };

/** The POST is limited as booking is: a link's holder needs one press, a script is slowed. */
export const GIVE_UP_PRESSES_PER_MINUTE = 20;

function title(page: Awaited<ReturnType<Services['giveUp']['page']>>, done: boolean): string {
  switch (page.state) {
    case 'open':
      return page.bookingState === 'waitlisted'
        ? 'Leave the waiting list?'
        : page.bookingState === 'offered'
          ? 'Decline the offer of a place?'
          : 'Give up your place?';
    case 'given_up':
      return done ? 'You have given up your place' : 'This place has already been given up';
    case 'cancelled':
      return 'This booking is cancelled';
    case 'started':
      return 'This session has started';
  }
}

export default async function giveUpRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { giveUp } = services;
  const action = (request: FastifyRequest<TokenParams>) =>
    `/give-up/${encodeURIComponent(request.params.token)}`;

  async function render(
    request: FastifyRequest<TokenParams>,
    reply: FastifyReply,
    typed?: Record<string, string>,
    error?: FormError,
  ) {
    const page = await giveUp.page(request.params.token);
    const query = request.query as Record<string, string | undefined>;
    const done = query.done === '1';
    const why = page.why;
    const values = typed ?? { reason: why?.answer.reason ?? '', note: why?.answer.note ?? '' };
    return reply
      .header('Cache-Control', 'no-store')
      .header('Referrer-Policy', 'no-referrer')
      .page(
        'pages/bookings/give-up.njk',
        {
          pageTitle: title(page, done),
          page,
          done,
          action: action(request),
          saved: query.saved === '1' && !typed,
          values,
          reasonItems: why ? why.reasons.map((r) => ({ ...r, checked: values.reason === r.value })) : [],
          ...formProblem(error, ['reason', 'note']),
          csrfToken: reply.generateCsrf(),
        },
        formStatus(error),
      );
  }

  app.get<TokenParams>('/give-up/:token', async (request, reply) => render(request, reply));

  app.post<TokenParams>(
    '/give-up/:token',
    {
      preHandler: [
        app.csrfProtection,
        app.rateLimit({
          max: GIVE_UP_PRESSES_PER_MINUTE,
          timeWindow: '1 minute',
          keyGenerator: (request) => `give-up:${request.ip}`,
        }),
      ],
    },
    async (request, reply) => {
      await giveUp.giveUp(request.params.token);
      return reply.redirect(`${action(request)}?done=1`, 303);
    },
  );

  app.post<TokenParams>('/give-up/:token/why', { preHandler: app.csrfProtection }, async (request, reply) => {
    try {
      await giveUp.answerWhy(request.params.token, formBody(request));
    } catch (error) {
      if (!isShownOnForm(error)) throw error;
      return render(request, reply, keepTyped(request.body), error as FormError);
    }
    return reply.redirect(`${action(request)}?done=1&saved=1#why`, 303);
  });
}
