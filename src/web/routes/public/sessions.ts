import type { FastifyInstance } from 'fastify';

import { sessionCalendar } from '../../../formats/calendar.js';
import { sessionEvent } from '../../formats/structuredData.js';
import type { PublicRouteOptions } from './options.js';
import { idParam } from './params.js';

export default async function sessionRoutes(app: FastifyInstance, { services, config }: PublicRouteOptions) {
  app.get<{ Params: { id: string } }>('/sessions/:id', async (request, reply) =>
    reply.publicPage(async () => {
      const session = await services.catalogue.session(idParam(request.params.id, 'session'));
      const hub = await services.settings.hub();
      return {
        template: 'pages/session.njk',
        context: {
          pageTitle: `${session.course.title}, ${session.date}`,
          metaDescription: session.course.summary,
          canonicalUrl: `${config.publicUrl}/sessions/${session.id}`,
          session,
          course: session.course,
          structuredData: sessionEvent(session, hub, config.publicUrl),
        },
      };
    }),
  );

  app.get<{ Params: { id: string } }>('/sessions/:id/calendar.ics', async (request, reply) => {
    const session = await services.catalogue.session(idParam(request.params.id, 'session'));
    const hub = await services.settings.hub();
    return reply
      .type('text/calendar; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${session.course.slug}-${session.id}.ics"`)
      .send(sessionCalendar(session, hub, config.publicUrl));
  });
}
