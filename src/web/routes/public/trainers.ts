import type { FastifyInstance } from 'fastify';

import type { PublicRouteOptions } from './index.js';
import { slugParam } from './params.js';

export default async function trainerRoutes(app: FastifyInstance, { services }: PublicRouteOptions) {
  app.get('/trainers', async (_request, reply) => {
    const trainers = await services.catalogue.trainers();
    return reply.page('pages/trainers.njk', { pageTitle: 'Trainers', trainers });
  });

  app.get<{ Params: { slug: string } }>('/trainers/:slug', async (request, reply) => {
    const { trainer, sessions } = await services.catalogue.trainer(slugParam(request.params.slug, 'trainer'));
    return reply.page('pages/trainer.njk', { pageTitle: trainer.name, trainer, sessions });
  });
}
