import type { FastifyInstance } from 'fastify';

import type { PublicRouteOptions } from './options.js';
import { slugParam } from './params.js';

export default async function venueRoutes(app: FastifyInstance, { services }: PublicRouteOptions) {
  app.get('/venues', async (_request, reply) =>
    reply.publicPage(async () => ({
      template: 'pages/venues.njk',
      context: { pageTitle: 'Venues', venues: await services.catalogue.venues() },
    })),
  );

  app.get<{ Params: { slug: string } }>('/venues/:slug', async (request, reply) =>
    reply.publicPage(async () => {
      const { venue, sessions } = await services.catalogue.venue(slugParam(request.params.slug, 'venue'));
      return { template: 'pages/venue.njk', context: { pageTitle: venue.name, venue, sessions } };
    }),
  );
}
