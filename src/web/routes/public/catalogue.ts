import type { FastifyInstance } from 'fastify';

import type { PublicRouteOptions } from './options.js';
import { catalogueHref, parseCatalogueQuery } from './catalogueQuery.js';

const FIELD_ORDER = ['q', 'month', 'topic', 'audience', 'level', 'format', 'venue', 'page'];

export default async function catalogueRoutes(app: FastifyInstance, { services }: PublicRouteOptions) {
  app.get('/', async (_request, reply) => reply.redirect('/courses', 302));

  app.get('/courses', async (request, reply) =>
    reply.publicPage(async () => {
      const { query, form, errors } = parseCatalogueQuery(request.query);
      const [results, choices, hub] = await Promise.all([
        services.catalogue.search(query),
        services.catalogue.filterChoices(),
        services.settings.hub(),
      ]);
      const errorList = FIELD_ORDER.filter((field) => errors[field]).map((field) => ({
        text: errors[field],
        href: field === 'page' ? '#results' : `#${field}`,
      }));
      const pageHref = (page: number) => catalogueHref(form, { page });
      const activeFilters = (['month', 'topic', 'audience', 'level', 'format', 'venue'] as const)
        .filter((key) => form[key])
        .map((key) => ({ key, removeHref: catalogueHref(form, { [key]: '' }) }));
      return {
        template: 'pages/catalogue.njk',
        context: {
          pageTitle:
            results.total === 0 ? 'Courses' : `Courses (page ${results.page} of ${results.pageCount})`,
          // The hub's own line about its training, as its header shows it.
          metaDescription: hub.strapline || `Courses from ${hub.name}.`,
          form,
          errors,
          errorList,
          results,
          choices,
          activeFilters,
          searching: query.words.length > 0 || activeFilters.length > 0 || form.places,
          pagination: {
            previous: results.page > 1 ? pageHref(results.page - 1) : null,
            next: results.page < results.pageCount ? pageHref(results.page + 1) : null,
            items: pageNumbers(results.page, results.pageCount).map((n) =>
              n === null ? { ellipsis: true } : { number: n, href: pageHref(n), current: n === results.page },
            ),
          },
          clearHref: '/courses',
        },
        statusCode: errorList.length ? 400 : 200,
      };
    }),
  );
}

/** Page numbers with gaps, as GOV.UK pagination shows them: 1 … 4 5 6 … 12. */
export function pageNumbers(current: number, count: number): (number | null)[] {
  const shown = [...new Set([1, current - 1, current, current + 1, count])]
    .filter((n) => n >= 1 && n <= count)
    .sort((a, b) => a - b);
  const result: (number | null)[] = [];
  shown.forEach((n, i) => {
    const previous = shown[i - 1];
    if (previous !== undefined && n - previous > 1) result.push(null);
    result.push(n);
  });
  return result;
}
