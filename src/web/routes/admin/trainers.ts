/**
 * Trainers: list, add and edit. A trainer is who teaches a session as the
 * public sees them (name, role, biography); a staff account with the trainer
 * role is linked to one separately. Photos are added outside the back office.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import type { StaffRole } from '../../../domain/staff.js';
import { FormError } from '../../../errors.js';
import type { Services } from '../../../services/index.js';
import type { TrainerInput } from '../../../services/programmeService.js';
import { formErrors, parseForm } from '../../forms.js';
import { idParam } from '../public/params.js';
import { requireStaff } from './auth.js';

const READERS: readonly StaffRole[] = ['admin', 'coordinator', 'viewer'];
const RUNNERS: readonly StaffRole[] = ['admin', 'coordinator'];

const FIELDS = ['name', 'roleTitle', 'biography', 'employment'] as const;

const trainerSchema = z.object({
  name: z
    .string({ error: 'Enter the trainer’s name' })
    .trim()
    .min(1, 'Enter the trainer’s name')
    .max(120, 'The name must be 120 characters or fewer'),
  roleTitle: z.string().trim().max(150, 'The role must be 150 characters or fewer').default(''),
  biography: z.string().trim().max(5_000, 'The biography must be 5,000 characters or fewer').default(''),
  employment: z.enum(['hub', 'external'], {
    error: 'Choose whether the trainer works for the hub or is external',
  }),
});

type Body = Record<string, unknown>;

/** What was typed, to put back in the form: whole, up to more than any field accepts. */
function keepTyped(body: Body): Record<string, string> {
  return Object.fromEntries(
    FIELDS.map((field) => [
      field,
      typeof body[field] === 'string' ? (body[field] as string).slice(0, 6_000) : '',
    ]),
  );
}

export default async function adminTrainerRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { programme } = services;
  const actor = (request: FastifyRequest) => ({ id: request.staffSession!.staff.id });

  function renderForm(
    reply: FastifyReply,
    form: {
      trainer?: { id: number; name: string; slug: string };
      values: Record<string, string>;
      error?: FormError;
    },
  ) {
    return reply.page(
      'pages/admin/trainers/form.njk',
      {
        pageTitle: form.trainer ? `Edit ${form.trainer.name}` : 'Add a trainer',
        trainer: form.trainer ?? null,
        action: form.trainer ? `/admin/trainers/${form.trainer.id}/edit` : '/admin/trainers/new',
        values: form.values,
        errors: form.error ? formErrors(form.error.fields, [...FIELDS]) : null,
        csrfToken: reply.generateCsrf(),
      },
      form.error ? 400 : 200,
    );
  }

  app.get('/admin/trainers', { preHandler: requireStaff(READERS) }, async (request, reply) => {
    const done = (request.query as Record<string, unknown> | undefined)?.done;
    return reply.page('pages/admin/trainers/list.njk', {
      pageTitle: 'Trainers',
      trainers: await programme.trainerList(),
      done: typeof done === 'string' ? done : null,
      canChange: RUNNERS.includes(request.staffSession!.staff.role),
    });
  });

  app.get('/admin/trainers/new', { preHandler: requireStaff(RUNNERS) }, async (_request, reply) =>
    renderForm(reply, { values: {} }),
  );

  app.post(
    '/admin/trainers/new',
    { preHandler: [app.csrfProtection, requireStaff(RUNNERS)] },
    async (request, reply) => {
      const body = (request.body ?? {}) as Body;
      let input: TrainerInput;
      try {
        input = parseForm(trainerSchema, body);
      } catch (error) {
        if (error instanceof FormError) return renderForm(reply, { values: keepTyped(body), error });
        throw error;
      }
      await programme.createTrainer(input, actor(request));
      return reply.redirect('/admin/trainers?done=created', 303);
    },
  );

  app.get<{ Params: { trainerId: string } }>(
    '/admin/trainers/:trainerId/edit',
    { preHandler: requireStaff(RUNNERS) },
    async (request, reply) => {
      const trainer = await programme.trainer(idParam(request.params.trainerId, 'trainer'));
      return renderForm(reply, {
        trainer,
        values: {
          name: trainer.name,
          roleTitle: trainer.roleTitle,
          biography: trainer.biography,
          employment: trainer.employment,
        },
      });
    },
  );

  app.post<{ Params: { trainerId: string } }>(
    '/admin/trainers/:trainerId/edit',
    { preHandler: [app.csrfProtection, requireStaff(RUNNERS)] },
    async (request, reply) => {
      const trainerId = idParam(request.params.trainerId, 'trainer');
      const trainer = await programme.trainer(trainerId);
      const body = (request.body ?? {}) as Body;
      let input: TrainerInput;
      try {
        input = parseForm(trainerSchema, body);
      } catch (error) {
        if (error instanceof FormError) return renderForm(reply, { trainer, values: keepTyped(body), error });
        throw error;
      }
      const { changed } = await programme.updateTrainer(trainerId, input, actor(request));
      return reply.redirect(`/admin/trainers?done=${changed.length ? 'saved' : 'unchanged'}`, 303);
    },
  );
}
