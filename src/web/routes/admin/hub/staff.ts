/**
 * Staff accounts, for administrators: add someone (with a one-time password
 * to pass on), change their name, role or trainer, disable or re-open an
 * account, reset a lost authenticator or a forgotten password. And, for
 * every staff member, choosing their own password (required after a
 * one-time one). Every change is audited.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { MIN_PASSWORD_LENGTH } from '../../../../domain/accounts/accounts.js';
import { seesOnlyOwnSessions } from '../../../../domain/accounts/permissions.js';
import { STAFF_ROLE_NAMES, STAFF_ROLES, type StaffRole } from '../../../../domain/accounts/staff.js';
import { formatMoment } from '../../../../domain/time/time.js';
import { ConflictError, FormError, NotFoundError } from '../../../../errors.js';
import type { Services } from '../../../../services/index.js';
import type { StaffChanges } from '../../../../services/accounts/staffService.js';
import { formErrors, keepTyped, parseForm } from '../../../forms.js';
import { CHOOSE_PASSWORD_PATH, requireStaff } from '../auth.js';

/** Staff passwords guard personal data of many people: longer than delegates'. */
const MIN_STAFF_PASSWORD_LENGTH = Math.max(MIN_PASSWORD_LENGTH, 12);

const detailsSchema = z.object({
  name: z
    .string({ error: 'Enter their full name' })
    .trim()
    .min(1, 'Enter their full name')
    .max(100, 'Their name must be 100 characters or fewer'),
  role: z.enum(STAFF_ROLES, { error: 'Choose what they do' }),
  trainerId: z.string().optional(),
});

const newStaffSchema = detailsSchema.extend({
  email: z
    .string({ error: 'Enter their work email address' })
    .trim()
    .min(1, 'Enter their work email address')
    .max(254, 'Enter an email address of 254 characters or fewer')
    .pipe(z.email('Enter an email address in the correct format, like name@example.org.uk')),
});

const passwordSchema = z
  .object({
    currentPassword: z
      .string({ error: 'Enter your current password' })
      .min(1, 'Enter your current password')
      .max(200),
    newPassword: z
      .string({ error: 'Enter a new password' })
      .min(1, 'Enter a new password')
      .min(
        MIN_STAFF_PASSWORD_LENGTH,
        `Your new password must be at least ${MIN_STAFF_PASSWORD_LENGTH} characters`,
      )
      .max(200, 'Your new password must be 200 characters or fewer'),
    confirmPassword: z
      .string({ error: 'Enter your new password again' })
      .min(1, 'Enter your new password again'),
  })
  .superRefine((value, ctx) => {
    if (value.newPassword && value.confirmPassword && value.newPassword !== value.confirmPassword) {
      ctx.addIssue({
        code: 'custom',
        path: ['confirmPassword'],
        message: 'The passwords do not match: enter the same new password twice',
      });
    }
    if (value.newPassword && value.newPassword === value.currentPassword) {
      ctx.addIssue({
        code: 'custom',
        path: ['newPassword'],
        message: 'Choose a password different from your current one',
      });
    }
  });

const DETAIL_FIELDS = ['name', 'email', 'role', 'trainerId'];

function staffId(request: FastifyRequest): number {
  const raw = (request.params as { staffId?: string }).staffId ?? '';
  if (!/^\d{1,9}$/.test(raw)) throw new NotFoundError('staff member');
  return Number(raw);
}

export default async function adminStaffRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const actor = (request: FastifyRequest) => request.staffSession!.staff;

  async function trainerChoices(selected: string | undefined) {
    const trainers = await services.staff.trainers();
    return [
      { value: '', text: 'Not a trainer' },
      ...trainers.map((trainer) => ({
        value: String(trainer.id),
        text: trainer.name,
        selected: String(trainer.id) === selected,
      })),
    ];
  }

  const roleChoices = (selected: string | undefined) =>
    STAFF_ROLES.map((role) => ({
      value: role,
      text: STAFF_ROLE_NAMES[role],
      checked: role === selected,
      hint: { text: ROLE_HINTS[role] },
    }));

  /** The form's role and trainer, checked together: a trainer must be linked to a trainer. */
  async function readDetails(body: unknown): Promise<StaffChanges> {
    const details = parseForm(detailsSchema, body);
    const trainerId = details.trainerId ? Number(details.trainerId) : null;
    if (trainerId !== null) {
      const trainers = await services.staff.trainers();
      if (!Number.isInteger(trainerId) || !trainers.some((trainer) => trainer.id === trainerId)) {
        throw new FormError({ trainerId: 'Choose a trainer from the list' });
      }
    }
    if (seesOnlyOwnSessions(details.role) && trainerId === null) {
      throw new FormError({
        trainerId: 'Choose which trainer they are: a trainer sees only their own sessions',
      });
    }
    return {
      name: details.name,
      role: details.role,
      trainerId: seesOnlyOwnSessions(details.role) ? trainerId : null,
    };
  }

  // ----- the list -----

  app.get('/admin/staff', { preHandler: requireStaff('manageStaff') }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const staff = await services.staff.list();
    return reply.page('pages/admin/staff/list.njk', {
      pageTitle: 'Staff',
      notice: typeof query.done === 'string' ? NOTICES[query.done] : undefined,
      staff: staff.map((member) => ({
        ...member,
        roleLabel: STAFF_ROLE_NAMES[member.role],
        isYou: member.id === actor(request).id,
      })),
    });
  });

  // ----- adding someone -----

  async function renderNew(reply: FastifyReply, values: Record<string, string>, error?: FormError) {
    return reply.page(
      'pages/admin/staff/new.njk',
      {
        pageTitle: 'Add a staff member',
        values,
        roles: roleChoices(values.role),
        trainers: await trainerChoices(values.trainerId),
        errors: error ? formErrors(error.fields, DETAIL_FIELDS) : null,
        csrfToken: reply.generateCsrf(),
      },
      error ? 400 : 200,
    );
  }

  app.get('/admin/staff/new', { preHandler: requireStaff('manageStaff') }, async (_request, reply) =>
    renderNew(reply, {}),
  );

  app.post(
    '/admin/staff/new',
    { preHandler: [app.csrfProtection, requireStaff('manageStaff')] },
    async (request, reply) => {
      try {
        const { email } = parseForm(newStaffSchema, request.body);
        const details = await readDetails(request.body);
        if (await services.staff.findByEmail(email)) {
          throw new FormError({ email: 'There is already a staff account with this email address' });
        }
        const created = await services.staff.invite(actor(request).id, { ...details, email });
        // Shown in this response only: it is stored as a hash and never shown again.
        reply.header('cache-control', 'no-store');
        return reply.page('pages/admin/staff/password-given.njk', {
          pageTitle: 'Staff member added',
          heading: `${details.name} can now sign in`,
          name: details.name,
          email: email.toLowerCase(),
          password: created.password,
          expires: formatMoment(created.expiresAt),
          staffId: created.id,
        });
      } catch (error) {
        if (!(error instanceof FormError)) throw error;
        return renderNew(reply, keepTyped(request.body), error);
      }
    },
  );

  // ----- one person -----

  async function renderMember(
    request: FastifyRequest,
    reply: FastifyReply,
    values?: Record<string, string>,
    error?: FormError,
  ) {
    const member = await services.staff.find(staffId(request));
    const shown = values ?? {
      name: member.name,
      role: member.role,
      trainerId: member.trainer_id === null ? '' : String(member.trainer_id),
    };
    const query = request.query as Record<string, unknown>;
    return reply.page(
      'pages/admin/staff/member.njk',
      {
        pageTitle: member.name,
        member: {
          ...member,
          roleLabel: STAFF_ROLE_NAMES[member.role],
          isYou: member.id === actor(request).id,
        },
        notice: typeof query.done === 'string' ? NOTICES[query.done] : undefined,
        values: shown,
        roles: roleChoices(shown.role),
        trainers: await trainerChoices(shown.trainerId),
        errors: error ? formErrors(error.fields, DETAIL_FIELDS) : null,
        csrfToken: reply.generateCsrf(),
      },
      error ? 400 : 200,
    );
  }

  app.get('/admin/staff/:staffId', { preHandler: requireStaff('manageStaff') }, async (request, reply) =>
    renderMember(request, reply),
  );

  app.post(
    '/admin/staff/:staffId',
    { preHandler: [app.csrfProtection, requireStaff('manageStaff')] },
    async (request, reply) => {
      const id = staffId(request);
      try {
        const details = await readDetails(request.body);
        await services.staff.update(actor(request).id, id, details);
        return reply.redirect(`/admin/staff/${id}?done=saved`, 303);
      } catch (error) {
        if (error instanceof ConflictError) {
          return renderMember(
            request,
            reply,
            keepTyped(request.body),
            new FormError({ role: error.message }),
          );
        }
        if (!(error instanceof FormError)) throw error;
        return renderMember(request, reply, keepTyped(request.body), error);
      }
    },
  );

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post(
      `/admin/staff/:staffId/${action}`,
      { preHandler: [app.csrfProtection, requireStaff('manageStaff')] },
      async (request, reply) => {
        const id = staffId(request);
        await services.staff.setDisabled(actor(request).id, id, disabled);
        return reply.redirect(`/admin/staff/${id}?done=${action}d`, 303);
      },
    );
  }

  // ----- resets: a confirmation page, then the change -----

  const RESETS = {
    'reset-second-factor': {
      title: 'Reset their authenticator',
      explain:
        'Their authenticator app and recovery codes stop working, and they are signed out. When they next sign in with their password, they set up an authenticator again and get new recovery codes.',
      button: 'Reset their authenticator',
    },
    'reset-password': {
      title: 'Give them a new one-time password',
      explain:
        'Their current password stops working and they are signed out. You will see a one-time password to pass on in person or by phone (never by email); they choose their own after signing in.',
      button: 'Make a one-time password',
    },
  } as const;

  for (const [action, words] of Object.entries(RESETS) as [
    keyof typeof RESETS,
    (typeof RESETS)[keyof typeof RESETS],
  ][]) {
    app.get(
      `/admin/staff/:staffId/${action}`,
      { preHandler: requireStaff('manageStaff') },
      async (request, reply) => {
        const member = await services.staff.find(staffId(request));
        return reply.page('pages/admin/staff/confirm-reset.njk', {
          pageTitle: words.title,
          member,
          words,
          action,
          csrfToken: reply.generateCsrf(),
        });
      },
    );

    app.post(
      `/admin/staff/:staffId/${action}`,
      { preHandler: [app.csrfProtection, requireStaff('manageStaff')] },
      async (request, reply) => {
        const id = staffId(request);
        if (action === 'reset-second-factor') {
          await services.staff.resetSecondFactor(actor(request).id, id);
          return reply.redirect(`/admin/staff/${id}?done=second-factor-reset`, 303);
        }
        const member = await services.staff.find(id);
        const { password, expiresAt } = await services.staff.resetPassword(actor(request).id, id);
        reply.header('cache-control', 'no-store');
        return reply.page('pages/admin/staff/password-given.njk', {
          pageTitle: 'One-time password made',
          heading: `A one-time password for ${member.name}`,
          name: member.name,
          email: member.email,
          password,
          expires: formatMoment(expiresAt),
          staffId: id,
        });
      },
    );
  }

  // ----- choosing your own password -----

  function renderPassword(request: FastifyRequest, reply: FastifyReply, error?: FormError) {
    const query = request.query as Record<string, unknown>;
    return reply.page(
      'pages/admin/staff/password.njk',
      {
        pageTitle: 'Choose a new password',
        required: actor(request).mustChangePassword,
        changed: query.done === 'changed',
        minLength: MIN_STAFF_PASSWORD_LENGTH,
        errors: error
          ? formErrors(error.fields, ['currentPassword', 'newPassword', 'confirmPassword'])
          : null,
        csrfToken: reply.generateCsrf(),
      },
      error ? 400 : 200,
    );
  }

  app.get(
    CHOOSE_PASSWORD_PATH,
    { preHandler: requireStaff('useBackOffice', { choosingPassword: true }) },
    async (request, reply) => renderPassword(request, reply),
  );

  app.post(
    CHOOSE_PASSWORD_PATH,
    {
      preHandler: [
        app.csrfProtection,
        requireStaff('useBackOffice', { choosingPassword: true }),
        app.rateLimit({
          max: 10,
          timeWindow: '15 minutes',
          keyGenerator: (request) => `staff-password-change:${request.staffSession?.staff.id ?? request.ip}`,
        }),
      ],
    },
    async (request, reply) => {
      try {
        const { currentPassword, newPassword } = parseForm(passwordSchema, request.body);
        if (!(await services.staff.changeOwnPassword(request.staffSession!, currentPassword, newPassword))) {
          throw new FormError({
            currentPassword: 'Your current password is not right: enter the password you signed in with',
          });
        }
        return reply.redirect(`${CHOOSE_PASSWORD_PATH}?done=changed`, 303);
      } catch (error) {
        if (!(error instanceof FormError)) throw error;
        return renderPassword(request, reply, error);
      }
    },
  );
}

const ROLE_HINTS: Record<StaffRole, string> = {
  admin: 'Everything, including staff accounts, hub settings and the audit log.',
  coordinator: 'Runs the programme: courses, sessions, bookings, delegates, registers and exports.',
  trainer: 'Sees and marks attendance for their own sessions only.',
  viewer: 'Reads lists and reports; changes nothing.',
};

const NOTICES: Record<string, string> = {
  saved: 'Changes saved.',
  disabled: 'Account disabled. They have been signed out everywhere.',
  enabled: 'Account open again. They can sign in with their password and authenticator.',
  'second-factor-reset': 'Authenticator reset. They set up a new one at their next sign-in.',
};
