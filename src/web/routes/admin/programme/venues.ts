/**
 * Venues: list, add and edit. A venue is a physical place (online sessions
 * have no venue), so its postcode is required and checked.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';

import { normalisePostcode } from '../../../../domain/programme/postcode.js';
import { holds } from '../../../../domain/accounts/permissions.js';
import type { FormError } from '../../../../errors.js';
import type { Services } from '../../../../services/index.js';
import { idParam } from '../../public/params.js';
import { requireStaff } from '../auth.js';
import { doneNotice, formPage, nonBlankLines, staffActor, submitForm } from '../formHelpers.js';

const FIELDS = ['name', 'addressLines', 'town', 'postcode', 'phone', 'travelNotes', 'accessNotes'] as const;

const notes = (label: string) =>
  z.string().trim().max(5_000, `${label} must be 5,000 characters or fewer`).default('');

const venueSchema = z.object({
  name: z
    .string({ error: 'Enter the venue’s name' })
    .trim()
    .min(1, 'Enter the venue’s name')
    .max(120, 'The name must be 120 characters or fewer'),
  addressLines: z
    .string({ error: 'Enter the street address' })
    .transform(nonBlankLines)
    .pipe(
      z
        .array(z.string().max(100, 'Each line of the address must be 100 characters or fewer'))
        .min(1, 'Enter the street address')
        .max(4, 'Enter the street address in 4 lines or fewer (the town and postcode go below)'),
    ),
  town: z
    .string({ error: 'Enter the town or city' })
    .trim()
    .min(1, 'Enter the town or city')
    .max(60, 'The town or city must be 60 characters or fewer'),
  postcode: z
    .string({ error: 'Enter the postcode' })
    .trim()
    .min(1, 'Enter the postcode')
    .transform((text, ctx) => {
      const postcode = normalisePostcode(text);
      if (!postcode) {
        ctx.addIssue({ code: 'custom', message: 'Enter a real UK postcode, like OX1 1TR' });
        return z.NEVER;
      }
      return postcode;
    }),
  phone: z
    .string()
    .trim()
    .max(30, 'Enter the phone number in 30 characters or fewer')
    .regex(/^(\+?[0-9 ()-]{6,30})?$/, 'Enter the phone number with digits and spaces only, like 01865 000000')
    .default('')
    .transform((phone) => phone || null),
  travelNotes: notes('Travel notes'),
  accessNotes: notes('Access notes'),
});

export default async function adminVenueRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { programme } = services;

  function renderForm(
    reply: FastifyReply,
    form: {
      venue?: { id: number; name: string; slug: string };
      values: Record<string, string>;
      error?: FormError;
    },
  ) {
    return formPage(
      reply,
      'pages/admin/venues/form.njk',
      {
        pageTitle: form.venue ? `Edit ${form.venue.name}` : 'Add a venue',
        venue: form.venue ?? null,
        action: form.venue ? `/admin/venues/${form.venue.id}/edit` : '/admin/venues/new',
        values: form.values,
      },
      { error: form.error, fieldOrder: FIELDS },
    );
  }

  app.get('/admin/venues', { preHandler: requireStaff('readProgramme') }, async (request, reply) => {
    return reply.page('pages/admin/venues/list.njk', {
      pageTitle: 'Venues',
      venues: await programme.venueList(),
      done: doneNotice(request),
      canChange: holds(request.staffSession!.staff.role, 'runProgramme'),
    });
  });

  app.get('/admin/venues/new', { preHandler: requireStaff('runProgramme') }, async (_request, reply) =>
    renderForm(reply, { values: {} }),
  );

  app.post(
    '/admin/venues/new',
    { preHandler: [app.csrfProtection, requireStaff('runProgramme')] },
    async (request, reply) =>
      submitForm(request, reply, {
        schema: venueSchema,
        fields: FIELDS,
        showAgain: (values, error) => renderForm(reply, { values, error }),
        save: async (input) => {
          await programme.createVenue(input, staffActor(request));
          return '/admin/venues?done=created';
        },
      }),
  );

  app.get<{ Params: { venueId: string } }>(
    '/admin/venues/:venueId/edit',
    { preHandler: requireStaff('runProgramme') },
    async (request, reply) => {
      const venue = await programme.venue(idParam(request.params.venueId, 'venue'));
      return renderForm(reply, {
        venue,
        values: {
          name: venue.name,
          addressLines: venue.addressLines.join('\n'),
          town: venue.town,
          postcode: venue.postcode ?? '',
          phone: venue.phone ?? '',
          travelNotes: venue.travelNotes,
          accessNotes: venue.accessNotes,
        },
      });
    },
  );

  app.post<{ Params: { venueId: string } }>(
    '/admin/venues/:venueId/edit',
    { preHandler: [app.csrfProtection, requireStaff('runProgramme')] },
    async (request, reply) => {
      const venueId = idParam(request.params.venueId, 'venue');
      const venue = await programme.venue(venueId);
      return submitForm(request, reply, {
        schema: venueSchema,
        fields: FIELDS,
        showAgain: (values, error) => renderForm(reply, { venue, values, error }),
        save: async (input) => {
          const { changed } = await programme.updateVenue(venueId, input, staffActor(request));
          return `/admin/venues?done=${changed.length ? 'saved' : 'unchanged'}`;
        },
      });
    },
  );
}
