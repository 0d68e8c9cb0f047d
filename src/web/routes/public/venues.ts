import type { FastifyInstance } from 'fastify';

import type { PublicRouteOptions } from './index.js';
import { slugParam } from './params.js';

export default async function venueRoutes(app: FastifyInstance, { services }: PublicRouteOptions) {
  app.get('/venues', async (_request, reply) => {
    const venues = await services.catalogue.venues();
    return reply.page('pages/venues.njk', { pageTitle: 'Venues', venues });
  });

  app.get<{ Params: { slug: string } }>('/venues/:slug', async (request, reply) => {
    const { venue, sessions } = await services.catalogue.venue(slugParam(request.params.slug, 'venue'));
    return reply.page('pages/venue.njk', { pageTitle: venue.name, venue, sessions });
  });
}
