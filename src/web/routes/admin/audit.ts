/**
 * The audit log, for administrators: every change to a booking (and, as the
 * back office grows, to courses and sessions), who made it and when,
 * filtered by what happened, who did it, and when.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import { formatShortDate, formatTime, londonToInstant, InvalidLocalTimeError } from '../../../domain/time.js';
import type { Services } from '../../../services/index.js';
import { requireStaff } from './auth.js';

const PAGE_SIZE = 50;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const filterSchema = z.object({
  action: z
    .string()
    .regex(/^[a-z_]{1,60}$/, 'Choose an action from the list')
    .optional(),
  actor: z.enum(['delegate', 'staff', 'system'], { error: 'Choose who from the list' }).optional(),
  booking: z.coerce
    .number({ error: 'A booking number is a whole number' })
    .int()
    .min(1)
    .max(2_147_483_647)
    .optional(),
  from: z.string().regex(DATE, 'Enter the first date like 2026-03-01').optional(),
  to: z.string().regex(DATE, 'Enter the last date like 2026-03-31').optional(),
  page: z.coerce.number().int().min(1).max(10_000).optional(),
});

export default async function adminAuditRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { audit } = services;

  app.get('/admin/audit', { preHandler: requireStaff(['admin']) }, async (request, reply) => {
    const raw = Object.fromEntries(
      Object.entries((request.query ?? {}) as Record<string, unknown>).filter(
        ([, value]) => typeof value === 'string' && value !== '',
      ),
    );
    const parsed = filterSchema.safeParse(raw);
    const errors: Record<string, string> = {};
    const filter = parsed.success ? parsed.data : {};
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
    }
    const day = (date: string | undefined, field: string, plusOne = false) => {
      if (!date) return undefined;
      try {
        const start = londonToInstant(date, '00:00');
        return new Date(start.getTime() + (plusOne ? 86_400_000 : 0)).toISOString();
      } catch (error) {
        if (!(error instanceof InvalidLocalTimeError)) throw error;
        errors[field] = 'Enter a real date';
        return undefined;
      }
    };
    const page = filter.page ?? 1;
    const { rows, total } = await audit.list({
      ...(filter.action ? { action: filter.action } : {}),
      ...(filter.actor ? { actorType: filter.actor } : {}),
      ...(filter.booking ? { entityType: 'booking', entityId: filter.booking } : {}),
      ...(day(filter.from, 'from') ? { from: day(filter.from, 'from') } : {}),
      ...(day(filter.to, 'to', true) ? { to: day(filter.to, 'to', true) } : {}),
      limit: PAGE_SIZE,
      offset: (page - 1) * PAGE_SIZE,
    });
    const errorList = Object.entries(errors).map(([field, text]) => ({ text, href: `#${field}` }));
    return reply.page(
      'pages/admin/audit.njk',
      {
        pageTitle: 'Audit log',
        entries: rows.map((row) => ({
          ...row,
          when: `${formatShortDate(new Date(row.at))}, ${formatTime(new Date(row.at))}`,
          actionText: row.action.replace(/_/g, ' '),
        })),
        total,
        page,
        pageCount: Math.max(1, Math.ceil(total / PAGE_SIZE)),
        actions: await audit.actions(),
        values: raw,
        errors,
        errorList,
      },
      errorList.length ? 400 : 200,
    );
  });
}
