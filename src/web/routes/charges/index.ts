/**
 * Telling the hub why, about a proposed charge: from the private link in the
 * "a charge may apply" email (no sign-in), or from the delegate's own booking
 * page when signed in. The same page either way.
 *
 *   GET/POST  /charges/why/:token            the emailed link
 *   GET/POST  /bookings/:reference/why       the signed-in delegate's own booking
 *
 * Opening the link (a GET, which mail scanners make before people do) only
 * shows the page; only sending the form (a POST, with CSRF) saves. Answering
 * again replaces the answer until a person decides the charge; after that the
 * page says what was decided. An unknown link, or someone else's, is the
 * ordinary 404; an expired one a kind page (410).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { FormError } from '../../../errors.js';
import type { Services } from '../../../services/index.js';
import { formBody, formProblem, formStatus, isShownOnForm, keepTyped } from '../../forms.js';
import { BOOKING_REFERENCE } from '../bookings/fields.js';

type TokenParams = { Params: { token: string } };
type BookingParams = { Params: { reference: string } };

export default async function chargeRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { delegateCharges, bookings } = services;

  async function render(
    reply: FastifyReply,
    page: Awaited<ReturnType<typeof delegateCharges.pageByLink>>,
    action: string,
    bookingUrl: string | null,
    typed?: Record<string, string>,
    error?: FormError,
  ) {
    if (page.state === 'expired') {
      return reply.page('pages/charges/ended.njk', { pageTitle: 'This link has ended', page }, 410);
    }
    const saved = !typed && page.answer.reasonName !== null;
    const values = typed ?? { reason: page.answer.reason, note: page.answer.note };
    return reply.page(
      'pages/charges/why.njk',
      {
        pageTitle:
          page.state === 'open'
            ? 'Tell us why'
            : page.state === 'withdrawn'
              ? 'There is nothing to pay'
              : 'The charge has been decided',
        page,
        action,
        bookingUrl,
        saved,
        values,
        reasonItems: page.reasons.map((r) => ({ ...r, checked: values.reason === r.value })),
        ...formProblem(error, ['reason', 'note']),
        csrfToken: reply.generateCsrf(),
      },
      formStatus(error),
    );
  }

  const linkAction = (request: FastifyRequest<TokenParams>) =>
    `/charges/why/${encodeURIComponent(request.params.token)}`;

  app.get<TokenParams>('/charges/why/:token', async (request, reply) =>
    render(reply, await delegateCharges.pageByLink(request.params.token), linkAction(request), null),
  );

  app.post<TokenParams>('/charges/why/:token', { preHandler: app.csrfProtection }, async (request, reply) => {
    try {
      await delegateCharges.answerByLink(request.params.token, formBody(request));
    } catch (error) {
      if (!isShownOnForm(error)) throw error;
      const page = await delegateCharges.pageByLink(request.params.token);
      return render(reply, page, linkAction(request), null, keepTyped(request.body), error as FormError);
    }
    return reply.redirect(`${linkAction(request)}?saved=1`, 303);
  });

  /** The signed-in delegate's own booking: another's reference is the ordinary 404. */
  async function ownBooking(request: FastifyRequest<BookingParams>) {
    const reference = request.params.reference.toUpperCase();
    return bookings.ownBooking(
      request.delegate!.id,
      BOOKING_REFERENCE.test(reference) ? reference : 'TRL-0000-0000-0000',
    );
  }

  app.get<BookingParams>(
    '/bookings/:reference/why',
    { preHandler: app.requireDelegate },
    async (request, reply) => {
      const booking = await ownBooking(request);
      const page = await delegateCharges.pageForBooking(request.delegate!.id, booking.id);
      return render(reply, page, `/bookings/${booking.reference}/why`, `/bookings/${booking.reference}`);
    },
  );

  app.post<BookingParams>(
    '/bookings/:reference/why',
    { preHandler: [app.csrfProtection, app.requireDelegate] },
    async (request, reply) => {
      const booking = await ownBooking(request);
      try {
        await delegateCharges.answerForBooking(request.delegate!.id, booking.id, formBody(request));
      } catch (error) {
        if (!isShownOnForm(error)) throw error;
        const page = await delegateCharges.pageForBooking(request.delegate!.id, booking.id);
        return render(
          reply,
          page,
          `/bookings/${booking.reference}/why`,
          `/bookings/${booking.reference}`,
          keepTyped(request.body),
          error as FormError,
        );
      }
      return reply.redirect(`/bookings/${booking.reference}/why?saved=1`, 303);
    },
  );
}
