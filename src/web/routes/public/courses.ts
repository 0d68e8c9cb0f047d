import type { FastifyInstance } from 'fastify';

import type { PublicRouteOptions } from './options.js';
import { slugParam } from './params.js';

export default async function courseRoutes(app: FastifyInstance, { services }: PublicRouteOptions) {
  app.get<{ Params: { slug: string } }>('/courses/:slug', async (request, reply) =>
    reply.publicPage(async () => {
      const { course, sessions } = await services.catalogue.course(slugParam(request.params.slug, 'course'));
      return {
        template: 'pages/course.njk',
        context: { pageTitle: course.title, metaDescription: course.summary, course, sessions },
      };
    }),
  );
}
