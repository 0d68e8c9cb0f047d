import type { FastifyInstance } from 'fastify';

import type { PublicRouteOptions } from './options.js';
import { listInWords, metaDescription } from './metaDescription.js';
import { slugParam } from './params.js';

export default async function venueRoutes(app: FastifyInstance, { services }: PublicRouteOptions) {
  app.get('/venues', async (_request, reply) =>
    reply.publicPage(async () => {
      const venues = await services.catalogue.venues();
      return {
        template: 'pages/venues.njk',
        context: {
          pageTitle: 'Venues',
          metaDescription: metaDescription(
            `Where our courses are held: ${listInWords(venues.map((venue) => `${venue.name}, ${venue.town}`))}.`,
          ),
          venues,
        },
      };
    }),
  );

  app.get<{ Params: { slug: string } }>('/venues/:slug', async (request, reply) =>
    reply.publicPage(async () => {
      const { venue, sessions } = await services.catalogue.venue(slugParam(request.params.slug, 'venue'));
      return {
        template: 'pages/venue.njk',
        context: {
          pageTitle: venue.name,
          metaDescription: metaDescription(
            `${venue.name}, ${venue.fullAddress.join(', ')}: how to get there, access and upcoming sessions.`,
          ),
          venue,
          sessions,
        },
      };
    }),
  );
}
