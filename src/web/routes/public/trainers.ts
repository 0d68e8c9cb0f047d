import type { FastifyInstance } from 'fastify';

import type { PublicRouteOptions } from './options.js';
import { listInWords, metaDescription } from './metaDescription.js';
import { slugParam } from './params.js';

export default async function trainerRoutes(app: FastifyInstance, { services }: PublicRouteOptions) {
  app.get('/trainers', async (_request, reply) =>
    reply.publicPage(async () => {
      const trainers = await services.catalogue.trainers();
      return {
        template: 'pages/trainers.njk',
        context: {
          pageTitle: 'Trainers',
          metaDescription: metaDescription(
            `The people who run our courses: ${listInWords(trainers.map((trainer) => trainer.name))}.`,
          ),
          trainers,
        },
      };
    }),
  );

  app.get<{ Params: { slug: string } }>('/trainers/:slug', async (request, reply) =>
    reply.publicPage(async () => {
      const { trainer, sessions } = await services.catalogue.trainer(
        slugParam(request.params.slug, 'trainer'),
      );
      return {
        template: 'pages/trainer.njk',
        context: {
          pageTitle: trainer.name,
          metaDescription: metaDescription(
            `${trainer.name}${trainer.roleTitle ? `, ${trainer.roleTitle}` : ''}: about them and their upcoming sessions.`,
          ),
          trainer,
          sessions,
        },
      };
    }),
  );
}
