/**
 * Trainers: list, add and edit. A trainer is who teaches a session as the
 * public sees them (name, role, biography); a staff account with the trainer
 * role is linked to one separately. Photos are added outside the back office.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';

import { holds } from '../../../../domain/accounts/permissions.js';
import type { FormError } from '../../../../errors.js';
import type { Services } from '../../../../services/index.js';
import { idParam } from '../../public/params.js';
import { requireStaff } from '../auth.js';
import { doneNotice, formPage, staffActor, submitForm } from '../formHelpers.js';

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

export default async function adminTrainerRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { programme } = services;

  function renderForm(
    reply: FastifyReply,
    form: {
      trainer?: { id: number; name: string; slug: string };
      values: Record<string, string>;
      error?: FormError;
    },
  ) {
    return formPage(
      reply,
      'pages/admin/trainers/form.njk',
      {
        pageTitle: form.trainer ? `Edit ${form.trainer.name}` : 'Add a trainer',
        trainer: form.trainer ?? null,
        action: form.trainer ? `/admin/trainers/${form.trainer.id}/edit` : '/admin/trainers/new',
        values: form.values,
      },
      { error: form.error, fieldOrder: FIELDS },
    );
  }

  app.get('/admin/trainers', { preHandler: requireStaff('readProgramme') }, async (request, reply) => {
    return reply.page('pages/admin/trainers/list.njk', {
      pageTitle: 'Trainers',
      trainers: await programme.trainerList(),
      done: doneNotice(request),
      canChange: holds(request.staffSession!.staff.role, 'runProgramme'),
    });
  });

  app.get('/admin/trainers/new', { preHandler: requireStaff('runProgramme') }, async (_request, reply) =>
    renderForm(reply, { values: {} }),
  );

  app.post(
    '/admin/trainers/new',
    { preHandler: [app.csrfProtection, requireStaff('runProgramme')] },
    async (request, reply) =>
      submitForm(request, reply, {
        schema: trainerSchema,
        fields: FIELDS,
        showAgain: (values, error) => renderForm(reply, { values, error }),
        save: async (input) => {
          await programme.createTrainer(input, staffActor(request));
          return '/admin/trainers?done=created';
        },
      }),
  );

  app.get<{ Params: { trainerId: string } }>(
    '/admin/trainers/:trainerId/edit',
    { preHandler: requireStaff('runProgramme') },
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
    { preHandler: [app.csrfProtection, requireStaff('runProgramme')] },
    async (request, reply) => {
      const trainerId = idParam(request.params.trainerId, 'trainer');
      const trainer = await programme.trainer(trainerId);
      return submitForm(request, reply, {
        schema: trainerSchema,
        fields: FIELDS,
        showAgain: (values, error) => renderForm(reply, { trainer, values, error }),
        save: async (input) => {
          const { changed } = await programme.updateTrainer(trainerId, input, staffActor(request));
          return `/admin/trainers?done=${changed.length ? 'saved' : 'unchanged'}`;
        },
      });
    },
  );
}
