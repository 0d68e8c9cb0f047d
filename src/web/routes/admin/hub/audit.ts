/**
 * The audit log, for administrators: every change to a booking, course,
 * session, venue, trainer, delegate, organisation, staff account or setting,
 * and every export, with who made it and when; filtered by what happened,
 * who did it, what it was about, and when.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import {
  formatShortDate,
  formatTime,
  londonToInstant,
  InvalidLocalTimeError,
} from '../../../../domain/time/time.js';
import type { Services } from '../../../../services/index.js';
import { requireStaff } from '../auth.js';

const PAGE_SIZE = 50;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const filterSchema = z.object({
  action: z
    .string()
    .regex(/^[a-z_]{1,60}$/, 'Choose an action from the list')
    .optional(),
  actor: z.enum(['delegate', 'staff', 'system'], { error: 'Choose who from the list' }).optional(),
  about: z
    .string()
    .regex(/^[a-z_]{1,40}$/, 'Choose what it was about from the list')
    .optional(),
  id: z.coerce
    .number({ error: 'Enter the number as digits, like 42' })
    .int('Enter the number as digits, like 42')
    .min(1, 'Enter the number as digits, like 42')
    .max(2_147_483_647, 'Enter the number as digits, like 42')
    .optional(),
  from: z.string().regex(DATE, 'Enter the first date like 2026-03-01').optional(),
  to: z.string().regex(DATE, 'Enter the last date like 2026-03-31').optional(),
  page: z.coerce.number().int().min(1).max(10_000).optional(),
});

export default async function adminAuditRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { audit } = services;

  app.get('/admin/audit', { preHandler: requireStaff('readAuditLog') }, async (request, reply) => {
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
      ...(filter.about ? { entityType: filter.about } : {}),
      ...(filter.id ? { entityId: filter.id } : {}),
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
          who:
            row.actor_type === 'system'
              ? 'Trellis (automatic)'
              : `${row.staff_name ?? row.delegate_name ?? 'Someone since removed'} (${row.actor_type})`,
          what: `${row.entity_type.replace(/_/g, ' ')} #${row.entity_id}`,
          href: entityHref(row.entity_type, row.entity_id, row.reference),
          details: describeDetails(row.details),
        })),
        total,
        page,
        pageCount: Math.max(1, Math.ceil(total / PAGE_SIZE)),
        actions: await audit.actions(),
        entityTypes: await audit.entityTypes(),
        // Each page link keeps the filter.
        pageQuery: new URLSearchParams(
          Object.entries(raw).filter(([key]) => key !== 'page') as [string, string][],
        ).toString(),
        values: raw,
        errors,
        errorList,
      },
      errorList.length ? 400 : 200,
    );
  });
}

/** Where staff can see the thing an entry is about, when there is a page for it. */
function entityHref(type: string, id: number, reference: string | null): string | null {
  switch (type) {
    case 'booking':
      return reference ? `/admin/bookings/${encodeURIComponent(reference)}` : null;
    case 'course':
      return `/admin/courses/${id}`;
    case 'session':
      return `/admin/sessions/${id}`;
    case 'venue':
      return `/admin/venues/${id}/edit`;
    case 'trainer':
      return `/admin/trainers/${id}/edit`;
    case 'delegate':
      return `/admin/delegates/${id}`;
    case 'organisation':
      return `/admin/organisations/${id}`;
    case 'staff':
      return `/admin/staff/${id}`;
    case 'charge':
      return `/admin/charges?state=all#charge-${id}`;
    default:
      return null;
  }
}

/** An entry's details as short lines ("changed: title, summary"; "role: coordinator → trainer"). */
function describeDetails(json: string): string[] {
  let details: unknown;
  try {
    details = JSON.parse(json);
  } catch {
    return [];
  }
  if (!details || typeof details !== 'object') return [];
  const text = (value: unknown): string => {
    if (Array.isArray(value)) return value.map(text).join(', ');
    if (value && typeof value === 'object') {
      const { from, to } = value as { from?: unknown; to?: unknown };
      if ('from' in value || 'to' in value) return `${text(from)} → ${text(to)}`;
      return JSON.stringify(value);
    }
    return value === null || value === undefined || value === '' ? '(none)' : String(value);
  };
  return Object.entries(details as Record<string, unknown>)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) =>
      `${key
        .replace(/([a-z])([A-Z])/g, '$1 $2')
        .replace(/_/g, ' ')
        .toLowerCase()}: ${text(value)}`.slice(0, 300),
    )
    .slice(0, 12);
}
