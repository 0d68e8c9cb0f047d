import type { FastifyInstance } from 'fastify';

import catalogueRoutes from './catalogue.js';
import courseRoutes from './courses.js';
import sessionRoutes from './sessions.js';
import siteRoutes from './site.js';
import trainerRoutes from './trainers.js';
import type { PublicRouteOptions } from './options.js';
import venueRoutes from './venues.js';

/** What anyone can see without signing in. */
export default async function publicRoutes(app: FastifyInstance, options: PublicRouteOptions) {
  await app.register(catalogueRoutes, options);
  await app.register(sessionRoutes, options);
  await app.register(courseRoutes, options);
  await app.register(venueRoutes, options);
  await app.register(trainerRoutes, options);
  await app.register(siteRoutes, options);
}
