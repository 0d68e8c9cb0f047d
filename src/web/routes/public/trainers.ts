import type { FastifyInstance } from 'fastify';

import type { PublicRouteOptions } from './options.js';
import { slugParam } from './params.js';

export default async function trainerRoutes(app: FastifyInstance, { services }: PublicRouteOptions) {
  app.get('/trainers', async (_request, reply) =>
    reply.publicPage(async () => ({
      template: 'pages/trainers.njk',
      context: { pageTitle: 'Trainers', trainers: await services.catalogue.trainers() },
    })),
  );

  app.get<{ Params: { slug: string } }>('/trainers/:slug', async (request, reply) =>
    reply.publicPage(async () => {
      const { trainer, sessions } = await services.catalogue.trainer(
        slugParam(request.params.slug, 'trainer'),
      );
      return { template: 'pages/trainer.njk', context: { pageTitle: trainer.name, trainer, sessions } };
    }),
  );
}
