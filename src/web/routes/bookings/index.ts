/**
 * Booking a place, the waiting list, offers and cancelling, for a signed-in
 * delegate. Another delegate's booking reference is "not found", exactly as a
 * reference that does not exist.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { standingWords } from '../../../domain/programme/availability.js';
import { amountWords } from '../../../domain/charges/invoiceNumbers.js';
import { policyWords } from '../../../domain/hub/policy.js';
import { formatDate, formatDeadline, formatMoment, formatTimeRange } from '../../../domain/time/time.js';
import type { FormError } from '../../../errors.js';
import { ConflictError } from '../../../errors.js';
import type { Services } from '../../../services/index.js';
import { formProblem, formStatus, isShownOnForm, keepTyped, parseForm } from '../../forms.js';
import { idParam } from '../public/params.js';
import feedbackRoutes from './feedback.js';
import giveUpRoutes from './giveUp.js';
import { BOOKING_REFERENCE, needsSchema } from './fields.js';

const bookingSchema = needsSchema(
  'Tick the box to agree to us holding your needs, or leave the needs boxes empty',
);

export default async function bookingRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { bookings, catalogue, accounts } = services;
  await app.register(feedbackRoutes, { services });
  await app.register(giveUpRoutes, { services });

  function referenceParam(value: string): string {
    const reference = value.toUpperCase();
    // Not our format: the same 404 as a booking that is someone else's.
    if (!BOOKING_REFERENCE.test(reference)) return 'TRL-0000-0000-0000';
    return reference;
  }

  async function renderBookPage(
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    values: Record<string, string> = {},
    error?: FormError | ConflictError,
  ) {
    const session = await catalogue.session(idParam(request.params.id, 'session'));
    const existing = request.delegate
      ? await bookings.bookingOnSession(request.delegate.id, session.id)
      : undefined;
    const terms = await bookings.cancellationTerms(session.startsAt);
    const words = policyWords(await services.settings.policy());
    const standing = existing ? standingWords(existing, services.clock.now()) : null;
    // The price and terms that apply to this delegate, said before they commit.
    const yourPrice =
      request.delegate && !existing ? await services.prices.forDelegate(request.delegate.id, session) : null;
    // What the delegate's line manager will be emailed, shown before they commit.
    const lineManager =
      request.delegate && !existing
        ? await services.lineManagerPreviews.forBooking(request.delegate.id, {
            courseTitle: session.course.title,
            startsAt: session.startsAt,
          })
        : null;
    const heading = standing
      ? standing
      : !session.isFull
        ? 'Book a place'
        : words.waitlistEnabled
          ? 'Join the waiting list'
          : 'This session is full';
    return reply.page(
      'pages/bookings/book.njk',
      {
        pageTitle: `${heading}: ${session.course.title}`,
        heading,
        session,
        course: session.course,
        delegate: request.delegate,
        existing,
        terms: { ...terms, deadlineText: formatDeadline(terms.deadline) },
        words,
        prices: await services.prices.session(session.id),
        yourPrice,
        lineManager,
        values,
        ...formProblem(error, ['accessNeeds', 'dietaryNeeds', 'consent']),
        csrfToken: request.delegate ? reply.generateCsrf() : null,
      },
      formStatus(error),
    );
  }

  app.get<{ Params: { id: string } }>(
    '/sessions/:id/book',
    { preHandler: app.loadDelegate },
    async (request, reply) => renderBookPage(request, reply),
  );

  app.post<{ Params: { id: string } }>(
    '/sessions/:id/book',
    {
      preHandler: [
        app.csrfProtection,
        app.requireDelegate,
        app.rateLimit({
          max: 20,
          timeWindow: '1 minute',
          keyGenerator: (request) => `delegate:${request.delegate?.id ?? request.ip}`,
        }),
      ],
    },
    async (request, reply) => {
      const delegate = request.delegate!;
      try {
        if (!delegate.emailVerified) {
          throw new ConflictError('Confirm your email address before you book: use the link we emailed you.');
        }
        const needs = parseForm(bookingSchema, request.body);
        // The price the page showed: a different one now is refused, never silently agreed to.
        const seen = (request.body as Record<string, unknown> | undefined)?.pricePence;
        const outcome = await bookings.book(
          delegate.id,
          idParam(request.params.id, 'session'),
          needs,
          typeof seen === 'string' && /^\d{1,9}$/.test(seen) ? { pricePence: Number(seen) } : {},
        );
        services.metrics.bookingMade(
          outcome.alreadyHeld ? 'already_held' : outcome.state === 'waitlisted' ? 'waitlisted' : 'confirmed',
        );
        return reply.redirect(
          `/bookings/${outcome.reference}?${outcome.alreadyHeld ? 'already' : 'new'}=1`,
          303,
        );
      } catch (error) {
        if (!isShownOnForm(error)) throw error;
        // Trellis said no (full, closed, the price changed, address not confirmed); a form
        // sent back for a missing tick is not counted: the delegate has not asked yet.
        if (error instanceof ConflictError) services.metrics.bookingMade('refused');
        return renderBookPage(request, reply, keepTyped(request.body), error);
      }
    },
  );

  app.get('/bookings', { preHandler: app.requireDelegate }, async (request, reply) => {
    const now = services.clock.now();
    const rows = await bookings.myBookings(request.delegate!.id);
    const [certified, waiting] = await Promise.all([
      services.certificates.referencesWithCertificate(request.delegate!.id),
      services.certificates.referencesWaitingForFeedback(request.delegate!.id),
    ]);
    const charges = await services.delegateCharges.forBookings(rows.map((row) => row.id));
    const view = rows.map((row) => ({
      ...bookingSummary(row, now),
      certificate: certified.has(row.reference),
      certificateWaits: waiting.has(row.reference),
      charge: charges.get(row.id) ?? null,
    }));
    const delegate = await accounts.details(request.delegate!.id);
    const feedbackAsked = (await services.feedback.awaitingFeedback(request.delegate!.id)).map((row) => ({
      reference: row.reference,
      courseTitle: row.course_title,
      date: formatDate(new Date(row.starts_at)),
    }));
    const cancelled = view.filter((b) => b.state === 'cancelled');
    const current = view.filter((b) => b.state !== 'cancelled');
    return reply.page('pages/bookings/list.njk', {
      pageTitle: 'Your bookings',
      upcoming: current.filter((b) => !b.past),
      cancelled: cancelled.reverse(),
      past: current.filter((b) => b.past).reverse(),
      delegate,
      feedbackAsked,
      signedIn: request.delegate,
      csrfToken: reply.generateCsrf(),
    });
  });

  // Only the delegate's own: another's reference is the ordinary 404.
  app.get<{ Params: { reference: string } }>(
    '/bookings/:reference/certificate.pdf',
    { preHandler: app.requireDelegate },
    async (request, reply) => {
      const file = await services.certificates.delegateCertificate(
        request.delegate!.id,
        referenceParam(request.params.reference),
      );
      return reply
        .header('Cache-Control', 'no-store')
        .header('Content-Disposition', `attachment; filename="${file.filename}"`)
        .type('application/pdf')
        .send(file.pdf);
    },
  );

  app.get<{ Params: { reference: string } }>(
    '/bookings/:reference',
    { preHandler: app.requireDelegate },
    async (request, reply) => renderBooking(request, reply),
  );

  async function renderBooking(
    request: FastifyRequest<{ Params: { reference: string } }>,
    reply: FastifyReply,
    problem?: string,
  ) {
    const booking = await bookings.ownBooking(request.delegate!.id, referenceParam(request.params.reference));
    const session = await catalogue.session(booking.session_id);
    const now = services.clock.now();
    const terms = await bookings.cancellationTerms(session.startsAt);
    const query = request.query as Record<string, string | undefined>;
    const live = LIVE_STATES.includes(booking.state);
    return reply.page(
      'pages/bookings/booking.njk',
      {
        pageTitle: `Your booking: ${session.course.title}`,
        booking: {
          reference: booking.reference,
          state: booking.state,
          position: booking.state === 'waitlisted' ? await bookings.waitlistPosition(booking) : null,
          offerExpires: booking.offer_expires_at ? formatMoment(new Date(booking.offer_expires_at)) : null,
          offerOpen:
            booking.state === 'offered' &&
            booking.offer_expires_at !== null &&
            now < new Date(booking.offer_expires_at),
          cancellationReason: booking.cancellation_reason,
          cancelledBy: booking.cancelled_by,
          accessNeeds: booking.access_needs,
          dietaryNeeds: booking.dietary_needs,
          live,
          // Needs can be changed or removed until the session starts.
          canChangeNeeds: live && now < session.startsAt,
          feedbackInvited: booking.feedback_invited_at !== null,
          // The "certificate ready" email sends people here to download it.
          certificate: (await services.certificates.referencesWithCertificate(request.delegate!.id)).has(
            booking.reference,
          ),
          certificateWaits: (
            await services.certificates.referencesWaitingForFeedback(request.delegate!.id)
          ).has(booking.reference),
        },
        words: policyWords(await services.settings.policy()),
        // The price fixed when the place was booked, and the terms that came with it.
        price: await services.prices.ofBooking(booking, session.parts),
        session,
        course: session.course,
        // The joining link is for confirmed delegates only.
        joiningUrl: await bookings.joiningLink(booking),
        terms: { ...terms, deadlineText: formatDeadline(terms.deadline) },
        charge: (await services.delegateCharges.forBookings([booking.id])).get(booking.id) ?? null,
        lateCharge:
          live && !terms.canCancel && now < session.startsAt
            ? await bookings
                .lateCancellationCharge(booking)
                .then(async (c) =>
                  c ? amountWords(c.amount, (await services.settings.charges()).vatRateBasisPoints) : null,
                )
            : null,
        started: now >= session.startsAt,
        justBooked: query.new === '1',
        alreadyHeld: query.already === '1',
        done:
          (['cancelled', 'accepted', 'declined', 'needs'] as const).find((action) => query[action] === '1') ??
          null,
        problem: problem ?? null,
        csrfToken: reply.generateCsrf(),
      },
      problem ? 409 : 200,
    );
  }

  async function renderNeedsForm(
    request: FastifyRequest<{ Params: { reference: string } }>,
    reply: FastifyReply,
    typed?: Record<string, string>,
    error?: FormError | ConflictError,
  ) {
    const booking = await bookings.ownBooking(request.delegate!.id, referenceParam(request.params.reference));
    const session = await catalogue.session(booking.session_id);
    const values = typed ?? {
      accessNeeds: booking.access_needs ?? '',
      dietaryNeeds: booking.dietary_needs ?? '',
      consent: booking.needs_consent_at ? 'yes' : '',
    };
    return reply.page(
      'pages/bookings/needs.njk',
      {
        pageTitle: `Your access and dietary needs: ${session.course.title}`,
        booking: {
          reference: booking.reference,
          hasNeeds: Boolean(booking.access_needs || booking.dietary_needs),
        },
        session,
        course: session.course,
        words: policyWords(await services.settings.policy()),
        values,
        ...formProblem(error, ['accessNeeds', 'dietaryNeeds', 'consent']),
        csrfToken: reply.generateCsrf(),
      },
      formStatus(error),
    );
  }

  app.get<{ Params: { reference: string } }>(
    '/bookings/:reference/needs',
    { preHandler: app.requireDelegate },
    async (request, reply) => renderNeedsForm(request, reply),
  );

  app.post<{ Params: { reference: string } }>(
    '/bookings/:reference/needs',
    { preHandler: [app.csrfProtection, app.requireDelegate] },
    async (request, reply) => {
      const reference = referenceParam(request.params.reference);
      try {
        const remove = (request.body as Record<string, unknown> | undefined)?.remove === 'yes';
        const needs = remove ? 'remove' : parseForm(bookingSchema, request.body);
        await bookings.changeNeeds(request.delegate!.id, reference, needs);
      } catch (error) {
        if (!isShownOnForm(error)) throw error;
        return renderNeedsForm(request, reply, keepTyped(request.body), error);
      }
      return reply.redirect(`/bookings/${reference}?needs=1`, 303);
    },
  );

  // Cancelling asks first: the place goes to someone else at once.
  app.get<{ Params: { reference: string } }>(
    '/bookings/:reference/cancel',
    { preHandler: app.requireDelegate },
    async (request, reply) => {
      const booking = await bookings.ownBooking(
        request.delegate!.id,
        referenceParam(request.params.reference),
      );
      const session = await catalogue.session(booking.session_id);
      const terms = await bookings.cancellationTerms(session.startsAt);
      // After the cut-off it is said before the button: late, and what charge may be proposed.
      const charge = await bookings.lateCancellationCharge(booking);
      const late =
        booking.state === 'confirmed' && !terms.canCancel
          ? {
              deadlineText: terms.deadline ? formatDeadline(terms.deadline) : null,
              charge: charge
                ? amountWords(charge.amount, (await services.settings.charges()).vatRateBasisPoints)
                : null,
              paidPlace: charge?.paidPlace ?? false,
            }
          : null;
      return reply.page('pages/bookings/cancel.njk', {
        pageTitle: booking.state === 'waitlisted' ? 'Leave the waiting list?' : 'Cancel your place?',
        booking,
        session,
        course: session.course,
        late,
        csrfToken: reply.generateCsrf(),
      });
    },
  );

  for (const [action, done, run] of [
    [
      'cancel',
      'cancelled',
      (delegateId: number, reference: string) => bookings.cancel(delegateId, reference),
    ],
    [
      'accept',
      'accepted',
      (delegateId: number, reference: string) => bookings.acceptOffer(delegateId, reference),
    ],
    [
      'decline',
      'declined',
      (delegateId: number, reference: string) => bookings.declineOffer(delegateId, reference),
    ],
  ] as const) {
    app.post<{ Params: { reference: string } }>(
      `/bookings/:reference/${action}`,
      { preHandler: [app.csrfProtection, app.requireDelegate] },
      async (request, reply) => {
        const reference = referenceParam(request.params.reference);
        try {
          await run(request.delegate!.id, reference);
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          return renderBooking(request, reply, error.message);
        }
        return reply.redirect(`/bookings/${reference}?${done}=1`, 303);
      },
    );
  }
}

const LIVE_STATES: readonly string[] = ['confirmed', 'waitlisted', 'offered'];

function bookingSummary(row: Awaited<ReturnType<Services['bookings']['myBookings']>>[number], now: Date) {
  const startsAt = new Date(row.starts_at);
  const endsAt = new Date(row.ends_at);
  return {
    reference: row.reference,
    state: row.state,
    courseTitle: row.course_title,
    sessionId: row.session_id,
    date: formatDate(startsAt),
    time: formatTimeRange(startsAt, endsAt),
    where: row.venue_name ? `${row.venue_name}, ${row.venue_town}` : 'Online',
    past: now >= endsAt,
    sessionCancelled: row.session_cancelled_at !== null,
  };
}
