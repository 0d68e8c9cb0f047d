/**
 * Delegates: search, a delegate's history, merging duplicates. Everyone who
 * sees the programme may search and read; only those who run it may merge.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { delegateNameOrAnonymised } from '../../../../domain/accounts/accounts.js';
import { holds } from '../../../../domain/accounts/permissions.js';
import { formatDate, formatShortDate, formatTime } from '../../../../domain/time/time.js';
import { FormError } from '../../../../errors.js';
import type { Services } from '../../../../services/index.js';
import { ORGANISATION_TYPE_NAMES, searchWords } from '../../../../services/peopleService.js';
import { formErrors } from '../../../forms.js';
import { sendExportFile } from '../../account/privacy.js';
import { idParam } from '../../public/params.js';
import { requireStaff } from '../auth.js';

const ID = /^[1-9]\d{0,9}$/;

const searchSchema = z.object({
  q: z.string().max(200, 'Enter 200 characters or fewer').optional(),
  organisation: z
    .string()
    .regex(ID, 'Choose an organisation from the list')
    .transform(Number)
    .refine((n) => n <= 2_147_483_647, 'Choose an organisation from the list')
    .optional(),
  account: z
    .enum(['password', 'staff', 'merged'], { error: 'Choose an account type from the list' })
    .optional(),
  page: z.coerce
    .number({ error: 'The page number must be a whole number' })
    .int('The page number must be a whole number')
    .min(1, 'The page number must be 1 or more')
    .max(10_000, 'The page number is too big')
    .optional(),
});

type Params = { delegateId: string };

/** Query values that are text and not empty: an empty filter is no filter. */
function queryValues(request: FastifyRequest): Record<string, string> {
  return Object.fromEntries(
    Object.entries((request.query ?? {}) as Record<string, unknown>).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '',
    ),
  );
}

/** A count carried in the address after a merge, for its success message. */
function count(value: string | undefined): number {
  return value && /^\d{1,6}$/.test(value) ? Number(value) : 0;
}

/** GOV.UK pagination: first, last, and the pages either side of this one. */
export function paginationFor(page: number, pageCount: number, href: (page: number) => string) {
  if (pageCount <= 1) return null;
  const shown = [...new Set([1, page - 1, page, page + 1, pageCount])]
    .filter((n) => n >= 1 && n <= pageCount)
    .sort((a, b) => a - b);
  const items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[] = [];
  shown.forEach((n, i) => {
    if (i > 0 && n - (shown[i - 1] as number) > 1) items.push({ ellipsis: true });
    items.push({ number: n, href: href(n), current: n === page });
  });
  return {
    items,
    ...(page > 1 ? { previous: { href: href(page - 1) } } : {}),
    ...(page < pageCount ? { next: { href: href(page + 1) } } : {}),
  };
}

export default async function adminDelegateRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  const { people } = services;
  const canMerge = (request: FastifyRequest) => holds(request.staffSession!.staff.role, 'runProgramme');
  const canHandlePersonalData = (request: FastifyRequest) =>
    holds(request.staffSession!.staff.role, 'handlePersonalData');

  app.get('/admin/delegates', { preHandler: requireStaff('readProgramme') }, async (request, reply) => {
    const values = queryValues(request);
    const parsed = searchSchema.safeParse(values);
    const errors: Record<string, string> = {};
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
    }
    const filter = parsed.success ? parsed.data : {};
    const page = filter.page ?? 1;
    const result = await people.searchDelegates({
      words: searchWords(filter.q ?? ''),
      ...(filter.organisation !== undefined ? { organisationId: filter.organisation } : {}),
      ...(filter.account ? { account: filter.account } : {}),
      page,
    });
    const href = (n: number) => {
      const params = new URLSearchParams();
      for (const key of ['q', 'organisation', 'account'] as const) {
        if (values[key] && !errors[key]) params.set(key, values[key]);
      }
      if (n > 1) params.set('page', String(n));
      const text = params.toString();
      return `/admin/delegates${text ? `?${text}` : ''}`;
    };
    const filtered = Boolean(values.q || values.organisation || values.account);
    return reply.page(
      'pages/admin/delegates/index.njk',
      {
        pageTitle: 'Delegates',
        values,
        errors: Object.keys(errors).length
          ? formErrors(errors, ['q', 'organisation', 'account', 'page'])
          : null,
        filtered,
        total: result.total,
        page,
        pageCount: result.pageCount,
        pagination: page <= result.pageCount ? paginationFor(page, result.pageCount, href) : null,
        firstPageHref: href(1),
        organisations: result.organisations,
        delegates: result.delegates.map((d) => ({
          ...d,
          lastBooked: d.bookings.lastBookedAt ? formatShortDate(new Date(d.bookings.lastBookedAt)) : null,
        })),
      },
      Object.keys(errors).length ? 400 : 200,
    );
  });

  app.get<{ Params: Params }>(
    '/admin/delegates/:delegateId',
    { preHandler: requireStaff('readProgramme') },
    async (request, reply) => {
      const id = idParam(request.params.delegateId, 'delegate');
      const { delegate, history, cpdHours } = await people.delegate(id);
      const query = queryValues(request);
      return reply.page('pages/admin/delegates/show.njk', {
        pageTitle: delegateNameOrAnonymised(delegate.name),
        delegate: {
          ...delegate,
          organisationTypeText: delegate.organisation_type
            ? ORGANISATION_TYPE_NAMES[delegate.organisation_type]
            : null,
          createdText: formatDate(new Date(delegate.created_at)),
          verifiedText: delegate.email_verified_at ? formatDate(new Date(delegate.email_verified_at)) : null,
        },
        history: history.map((b) => ({
          ...b,
          when: `${formatShortDate(new Date(b.starts_at))}, ${formatTime(new Date(b.starts_at))}`,
          bookedText: formatShortDate(new Date(b.created_at)),
        })),
        cpdHours,
        canMerge: canMerge(request) && delegate.merged_into_id === null && !delegate.anonymised_at,
        canHandlePersonalData: canHandlePersonalData(request) && !delegate.anonymised_at,
        erased: query.erased === '1' ? { cancelled: count(query.cancelled) } : null,
        merged:
          query.merged === '1' ? { moved: count(query.moved), cancelled: count(query.cancelled) } : null,
      });
    },
  );

  async function renderFind(reply: FastifyReply, keptId: number, find: string, error?: FormError) {
    // With an error the search is not run: the error is about what was chosen.
    const { kept, candidates } = await people.findDuplicates(keptId, error ? '' : find);
    const searched = !error && find.trim() !== '';
    return reply.page(
      'pages/admin/delegates/merge-find.njk',
      {
        pageTitle: `Merge a duplicate account into ${kept.name}’s`,
        kept,
        find,
        searched,
        candidates,
        errors: error ? formErrors(error.fields, ['find']) : null,
      },
      error ? 400 : 200,
    );
  }

  app.get<{ Params: Params }>(
    '/admin/delegates/:delegateId/merge',
    { preHandler: requireStaff('runProgramme') },
    async (request, reply) => {
      const keptId = idParam(request.params.delegateId, 'delegate');
      const query = queryValues(request);
      const find = (query.find ?? '').slice(0, 200);
      if (query.duplicate === undefined) {
        if ('find' in ((request.query ?? {}) as object) && !find.trim()) {
          return renderFind(
            reply,
            keptId,
            find,
            new FormError({ find: 'Enter the duplicate account’s email address, or a name to search for' }),
          );
        }
        return renderFind(reply, keptId, find);
      }
      try {
        if (!ID.test(query.duplicate))
          throw new FormError({ find: 'That account could not be found. Search for it again' });
        const preview = await people.mergePreview(keptId, Number(query.duplicate));
        return reply.page('pages/admin/delegates/merge-confirm.njk', {
          pageTitle: 'Check and merge these accounts',
          ...preview,
          find,
          conflicts: preview.conflicts.map((c) => ({
            ...c,
            when: formatShortDate(new Date(c.keep.starts_at)),
          })),
          csrfToken: reply.generateCsrf(),
        });
      } catch (error) {
        if (!(error instanceof FormError)) throw error;
        return renderFind(reply, keptId, find, error);
      }
    },
  );

  app.post<{ Params: Params }>(
    '/admin/delegates/:delegateId/merge',
    { preHandler: [app.csrfProtection, requireStaff('runProgramme')] },
    async (request, reply) => {
      const keptId = idParam(request.params.delegateId, 'delegate');
      const body = (request.body ?? {}) as Record<string, unknown>;
      const duplicate = typeof body.duplicateId === 'string' ? body.duplicateId : '';
      const find = typeof body.find === 'string' ? body.find.slice(0, 200) : '';
      try {
        if (!ID.test(duplicate))
          throw new FormError({ find: 'Choose the duplicate account from the search results' });
        const { moved, cancelled } = await people.mergeDelegates(keptId, Number(duplicate), {
          id: request.staffSession!.staff.id,
        });
        return reply.redirect(
          `/admin/delegates/${keptId}?merged=1&moved=${moved}&cancelled=${cancelled}`,
          303,
        );
      } catch (error) {
        if (!(error instanceof FormError)) throw error;
        return renderFind(reply, keptId, find, error);
      }
    },
  );

  // Subject access requests and erasure: admins only (handlePersonalData). Producing an export is audited.
  app.get<{ Params: Params }>(
    '/admin/delegates/:delegateId/subject-access',
    { preHandler: requireStaff('handlePersonalData') },
    async (request, reply) => {
      const id = idParam(request.params.delegateId, 'delegate');
      const data = await services.subjectAccess.forStaff(id, request.staffSession!.staff.id, 'page');
      reply.header('Cache-Control', 'no-store');
      return reply.page('pages/privacy/subject-access.njk', {
        pageTitle: `Subject access request: ${data.account.name}`,
        delegateId: id,
        data,
        you: false,
      });
    },
  );

  app.get<{ Params: Params }>(
    '/admin/delegates/:delegateId/subject-access.json',
    { preHandler: requireStaff('handlePersonalData'), exposeHeadRoute: false },
    async (request, reply) => {
      const id = idParam(request.params.delegateId, 'delegate');
      const data = await services.subjectAccess.forStaff(id, request.staffSession!.staff.id, 'json');
      return sendExportFile(reply, data, `delegate-${id}`);
    },
  );

  app.get<{ Params: Params }>(
    '/admin/delegates/:delegateId/erase',
    { preHandler: requireStaff('handlePersonalData') },
    async (request, reply) => {
      const id = idParam(request.params.delegateId, 'delegate');
      const preview = await services.erasure.erasurePreview(id);
      return reply.page('pages/privacy/erase.njk', {
        pageTitle: `Erase ${delegateNameOrAnonymised(preview.person.name)}`,
        preview,
        csrfToken: reply.generateCsrf(),
      });
    },
  );

  app.post<{ Params: Params }>(
    '/admin/delegates/:delegateId/erase',
    { preHandler: [app.csrfProtection, requireStaff('handlePersonalData')] },
    async (request, reply) => {
      const id = idParam(request.params.delegateId, 'delegate');
      const { cancelled } = await services.erasure.erase(id, request.staffSession!.staff.id);
      return reply.redirect(`/admin/delegates/${id}?erased=1&cancelled=${cancelled}`, 303);
    },
  );
}
