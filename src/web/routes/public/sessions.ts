import { fastifyCookie } from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { standingWords } from '../../../domain/programme/availability.js';
import { contentNoteLine } from '../../../domain/programme/course.js';
import { policyWords } from '../../../domain/hub/policy.js';
import { sessionCalendar } from '../../../formats/calendar.js';
import { sessionEvent } from '../../formats/structuredData.js';
import { sessionCookieName } from '../../plugins/accounts.js';
import type { PageSpec } from '../../plugins/rendering.js';
import { metaDescription } from './metaDescription.js';
import type { PublicRouteOptions } from './options.js';
import { idParam } from './params.js';

export default async function sessionRoutes(app: FastifyInstance, { services, config }: PublicRouteOptions) {
  const cookieName = sessionCookieName(config.publicUrl.startsWith('https://'));

  async function sessionPage(sessionId: number): Promise<PageSpec> {
    const session = await services.catalogue.session(sessionId);
    const hub = await services.settings.hub();
    return {
      template: 'pages/session.njk',
      context: {
        pageTitle: `${session.course.title}, ${session.date}`,
        metaDescription: metaDescription(session.course.summary),
        canonicalUrl: `${config.publicUrl}/sessions/${session.id}`,
        session,
        course: session.course,
        contentNote: contentNoteLine(session.course.contentNotes),
        words: policyWords(await services.settings.policy()),
        prices: await services.prices.session(sessionId),
        structuredData: sessionEvent(session, hub, config.publicUrl),
      },
    };
  }

  /** The signed-in delegate, if the request carries their cookie. Visitors without it cost one look at a header. */
  async function signedInDelegate(request: FastifyRequest) {
    const header = request.headers.cookie;
    if (!header?.includes(cookieName)) return null;
    const secret = fastifyCookie.parse(header)[cookieName];
    if (!secret) return null;
    return services.accounts.authenticate(secret);
  }

  /**
   * What this page says to the signed-in delegate alone: their live booking
   * on the session, and the price a place costs them (when anyone pays, or
   * the hub uses fees). Null when there is nothing personal to say, so the
   * page everyone shares is served.
   */
  async function personal(request: FastifyRequest, sessionId: number) {
    const delegate = await signedInDelegate(request);
    if (!delegate) return null;
    const booking = await services.bookings.bookingOnSession(delegate.id, sessionId);
    const standing = booking ? standingWords(booking, services.clock.now()) : null;
    const yours =
      booking && standing
        ? { standing, reference: booking.reference, state: booking.state, position: booking.position }
        : null;
    if (yours) return { yours, yourPrice: null };
    // Someone with a booking is told where they stand; someone without, what a place costs them.
    if (!(await services.prices.mattersFor(sessionId))) return null;
    const session = await services.catalogue.session(sessionId);
    if (session.cancelled || session.timing !== 'upcoming') return null;
    const yourPrice = await services.prices.forDelegate(delegate.id, session);
    return { yours, yourPrice };
  }

  app.get<{ Params: { id: string } }>('/sessions/:id', async (request, reply) => {
    const sessionId = idParam(request.params.id, 'session');
    const mine = await personal(request, sessionId);
    if (!mine) return reply.publicPage(() => sessionPage(sessionId));
    // One person's booking or price: rendered for them alone and never put in
    // the shared page cache (reply.page also tells browsers not to keep it).
    const spec = await sessionPage(sessionId);
    return reply.page(spec.template, { ...spec.context, ...mine }, spec.statusCode);
  });

  app.get<{ Params: { id: string } }>('/sessions/:id/calendar.ics', async (request, reply) => {
    const session = await services.catalogue.session(idParam(request.params.id, 'session'));
    const hub = await services.settings.hub();
    return reply
      .type('text/calendar; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${session.course.slug}-${session.id}.ics"`)
      .send(sessionCalendar(session, hub, config.publicUrl));
  });
}
