import type { FastifyInstance } from 'fastify';

import { BadRequestError } from '../../../errors.js';
import { pageNumbers } from './catalogue.js';
import { metaDescription } from './metaDescription.js';
import type { PublicRouteOptions } from './options.js';
import { slugParam } from './params.js';

/** `?page=` of a list: absent is the first page; anything but a whole number from 1 is refused. */
function pageParam(query: unknown): number {
  const value = (query as Record<string, unknown> | undefined)?.page;
  if (value === undefined || value === '') return 1;
  if (typeof value !== 'string' || !/^[1-9]\d{0,4}$/.test(value)) {
    throw new BadRequestError('The page number must be a whole number, 1 or more.');
  }
  return Number(value);
}

export default async function courseRoutes(app: FastifyInstance, { services }: PublicRouteOptions) {
  app.get<{ Params: { slug: string } }>('/courses/:slug', async (request, reply) =>
    reply.publicPage(async () => {
      const { course, sessions, pastDates } = await services.catalogue.course(
        slugParam(request.params.slug, 'course'),
      );
      // Said only when every date listed costs the same; otherwise each session's page says its own.
      const prices = await services.prices.commonToSessions(sessions.map((s) => s.id));
      return {
        template: 'pages/course.njk',
        context: {
          pageTitle: course.title,
          metaDescription: metaDescription(course.summary),
          course,
          sessions,
          pastDates,
          prices,
        },
      };
    }),
  );

  app.get<{ Params: { slug: string } }>('/courses/:slug/past', async (request, reply) =>
    reply.publicPage(async () => {
      const slug = slugParam(request.params.slug, 'course');
      const past = await services.catalogue.pastDates(slug, pageParam(request.query));
      const href = (page: number) => `/courses/${slug}/past${page > 1 ? `?page=${page}` : ''}`;
      return {
        template: 'pages/course-past.njk',
        context: {
          pageTitle:
            past.pageCount > 1
              ? `Past dates: ${past.course.title} (page ${past.page} of ${past.pageCount})`
              : `Past dates: ${past.course.title}`,
          metaDescription: metaDescription(past.course.summary),
          past,
          pagination: {
            previous: past.page > 1 ? href(past.page - 1) : null,
            next: past.page < past.pageCount ? href(past.page + 1) : null,
            items: pageNumbers(past.page, past.pageCount).map((n) =>
              n === null ? { ellipsis: true } : { number: n, href: href(n), current: n === past.page },
            ),
          },
        },
      };
    }),
  );
}
