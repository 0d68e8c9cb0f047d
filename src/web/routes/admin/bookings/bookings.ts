/**
 * A session's bookings and what staff do with them: book on behalf, move,
 * substitute, cancel, promote.
 *
 *   GET       /admin/sessions/:sessionId/bookings       the session's delegates, in sections
 *   GET/POST  /admin/sessions/:sessionId/bookings/new   book a delegate: their address, then details
 *   GET       /admin/bookings/:reference                one booking and its history
 *   GET/POST  /admin/bookings/:reference/move           to another date of the same course
 *   GET/POST  /admin/bookings/:reference/substitute     a colleague takes the place
 *   GET/POST  /admin/bookings/:reference/cancel         with a reason the delegate reads
 *   POST      /admin/bookings/:reference/promote        confirm a place from the waiting list
 *
 * Everyone may read the lists (a trainer only for their own sessions, and a
 * viewer without access needs); only administrators and coordinators change
 * anything.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { ConflictError, FormError, NotFoundError } from '../../../../errors.js';
import type { DelegateInput, StaffActor } from '../../../../services/bookings/bookingAdminService.js';
import { holds } from '../../../../domain/accounts/permissions.js';
import { policyWords } from '../../../../domain/hub/policy.js';
import type { Services } from '../../../../services/index.js';
import { formBody, formProblem, formStatus, isShownOnForm, keepTyped, parseForm } from '../../../forms.js';
import { oneLine } from '../../account/schemas.js';
import { BOOKING_REFERENCE, needsSchema } from '../../bookings/fields.js';
import { idParam } from '../../public/params.js';
import { requireStaff } from '../auth.js';

/** A booking reference from the path; anything not in our format is simply not found. */
function referenceParam(value: string | undefined): string {
  const reference = (value ?? '').toUpperCase();
  if (!BOOKING_REFERENCE.test(reference)) throw new NotFoundError('booking');
  return reference;
}

const emailSchema = z.object({
  email: z
    .string({ error: 'Enter their email address' })
    .trim()
    .min(1, 'Enter their email address')
    .max(254, 'The email address must be 254 characters or fewer')
    .pipe(z.email('Enter the email address in the correct format, like name@example.org.uk'))
    .transform((value) => value.toLowerCase()),
});

const detailsSchema = z
  .object({
    name: oneLine('their full name', 100),
    organisationId: z
      .string({ error: 'Choose their organisation, or “Their organisation is not listed”' })
      .min(1, 'Choose their organisation, or “Their organisation is not listed”')
      .regex(/^(\d{1,9}|other)$/, 'Choose an organisation from the list'),
    newOrganisationName: z.string().optional(),
    jobRole: oneLine('their job role', 100),
  })
  .superRefine((value, ctx) => {
    const name = (value.newOrganisationName ?? '').replace(/\s+/g, ' ').trim();
    if (value.organisationId === 'other' && !name) {
      ctx.addIssue({
        code: 'custom',
        path: ['newOrganisationName'],
        message: 'Enter the name of their organisation',
      });
    }
    if (name.length > 120) {
      ctx.addIssue({
        code: 'custom',
        path: ['newOrganisationName'],
        message: 'The organisation’s name must be 120 characters or fewer',
      });
    }
  })
  .transform((value) => ({
    name: value.name,
    organisationId: value.organisationId === 'other' ? null : Number(value.organisationId),
    newOrganisationName:
      value.organisationId === 'other' ? (value.newOrganisationName ?? '').replace(/\s+/g, ' ').trim() : null,
    jobRole: value.jobRole,
  }));

/** The same rule as self-booking: needs are held only with the delegate's agreement. */
const needsSchemaForStaff = needsSchema(
  'Tick the box to confirm they agreed to the hub holding their needs, or leave the needs boxes empty',
);

const moveSchema = z.object({
  sessionId: z
    .string({ error: 'Choose the session to move the booking to' })
    .regex(/^[1-9]\d{0,9}$/, 'Choose the session to move the booking to')
    .transform(Number),
  joinWaitlist: z.string().optional(),
});

const cancelSchema = z.object({
  reason: z
    .string({ error: 'Enter the reason for cancelling' })
    .trim()
    .min(1, 'Enter the reason for cancelling: the delegate reads it in their email')
    .max(1_000, 'The reason must be 1,000 characters or fewer'),
  late: z.enum(['yes', 'no'], { error: 'Choose whether to record this as a late cancellation' }).optional(),
});

const DELEGATE_FIELDS = ['email', 'name', 'organisationId', 'newOrganisationName', 'jobRole'];
const NEEDS_FIELDS = ['accessNeeds', 'dietaryNeeds', 'consent'];

/** Parses each part of a form, so every field's problem is shown at once. */
function parseAll<T extends unknown[]>(...parts: { [K in keyof T]: () => T[K] }): T {
  const fields: Record<string, string> = {};
  const results = parts.map((part) => {
    try {
      return part();
    } catch (error) {
      if (!(error instanceof FormError)) throw error;
      for (const [name, message] of Object.entries(error.fields)) fields[name] ??= message;
      return undefined;
    }
  });
  if (Object.keys(fields).length) throw new FormError(fields);
  return results as T;
}

/** What a form page shows of a problem: the answers to correct, or a change someone made first. */
function actorOf(request: FastifyRequest): StaffActor {
  const { id, role, trainerId } = request.staffSession!.staff;
  return { id, role, trainerId };
}

export default async function adminBookingRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { bookingAdmin } = services;
  const changes = { preHandler: [app.csrfProtection, requireStaff('runProgramme')] };

  // ---- A session's bookings -------------------------------------------------

  async function renderSessionBookings(
    request: FastifyRequest,
    reply: FastifyReply,
    sessionId: number,
    problem?: string,
  ) {
    const view = await bookingAdmin.sessionBookings(actorOf(request), sessionId);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const all = [...view.confirmed, ...view.offered, ...view.waiting, ...view.cancelled];
    const find = (key: string) =>
      typeof query[key] === 'string'
        ? all.find((b) => b.reference === String(query[key]).toUpperCase())
        : undefined;
    let notice: { heading: string; body: string } | null = null;
    const booked = find('booked');
    const already = find('already');
    const promoted = find('promoted');
    const cancelled = find('cancelled');
    if (booked) {
      const waiting = view.waiting.find((b) => b.reference === booked.reference);
      notice = waiting
        ? {
            heading: `${booked.name} is number ${waiting.position} on the waiting list`,
            body: 'The session is full. We have emailed them to say they are on the waiting list.',
          }
        : {
            heading: `${booked.name} is booked`,
            body: 'We have emailed them their confirmation and a calendar file.',
          };
    } else if (already) {
      notice = {
        heading: `${already.name} already had a booking on this session`,
        body: `Nothing new was booked: their reference is ${already.reference}.`,
      };
    } else if (promoted) {
      notice = {
        heading: `${promoted.name}’s place is confirmed`,
        body: 'We have emailed them their confirmation.',
      };
    } else if (cancelled) {
      // A place on the waiting list frees nothing.
      const cancelledPlace = query.freed === '1';
      notice = {
        heading: `${cancelled.name}’s booking is cancelled`,
        body: cancelledPlace
          ? 'We have emailed them your reason, and offered the place to the waiting list.'
          : 'We have emailed them your reason.',
      };
    }
    return reply.page(
      'pages/admin/bookings/session.njk',
      {
        pageTitle: `Bookings: ${view.session.courseTitle}, ${view.session.shortDate}`,
        ...view,
        notice,
        problem: problem ?? null,
        csrfToken: view.canManage ? reply.generateCsrf() : null,
      },
      problem ? 409 : 200,
    );
  }

  app.get<{ Params: { sessionId: string } }>(
    '/admin/sessions/:sessionId/bookings',
    { preHandler: requireStaff('seeSessions') },
    async (request, reply) =>
      renderSessionBookings(request, reply, idParam(request.params.sessionId, 'session')),
  );

  /** When needs are deleted, in the hub's policy's words (the same words delegates read). */
  const needsDeleted = async () => policyWords(await services.settings.policy()).needsDeleted;

  // ---- One booking ----------------------------------------------------------

  async function renderBooking(
    request: FastifyRequest,
    reply: FastifyReply,
    reference: string,
    problem?: string,
  ) {
    const booking = await bookingAdmin.booking(actorOf(request), reference);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const done = ['moved', 'substituted', 'promoted'].find((key) => query[key] === '1') ?? null;
    return reply.page(
      'pages/admin/bookings/booking.njk',
      {
        pageTitle: `Booking ${booking.reference}`,
        booking,
        done,
        problem: problem ?? null,
        needsDeleted: await needsDeleted(),
        // Charges are money: only for those who handle it.
        charges: holds(request.staffSession!.staff.role, 'handleMoney')
          ? await services.chargeReview.forBooking(booking.id)
          : null,
        csrfToken: booking.canPromote ? reply.generateCsrf() : null,
      },
      problem ? 409 : 200,
    );
  }

  app.get<{ Params: { reference: string } }>(
    '/admin/bookings/:reference',
    { preHandler: requireStaff('seeSessions') },
    async (request, reply) => renderBooking(request, reply, referenceParam(request.params.reference)),
  );

  // ---- Book a delegate on their behalf -------------------------------------

  async function renderNew(
    request: FastifyRequest<{ Params: { sessionId: string } }>,
    reply: FastifyReply,
    step: 'email' | 'details',
    values: Record<string, string>,
    options: { error?: FormError | ConflictError; email?: string } = {},
  ) {
    const sessionId = idParam(request.params.sessionId, 'session');
    const actor = actorOf(request);
    const session = await bookingAdmin.bookingPage(actor, sessionId);
    const delegate =
      step === 'details' && options.email ? await bookingAdmin.findDelegate(options.email, sessionId) : null;
    const { error } = options;
    return reply.page(
      'pages/admin/bookings/new.njk',
      {
        pageTitle: `Book a delegate: ${session.courseTitle}, ${session.shortDate}`,
        session,
        step,
        email: options.email ?? null,
        delegate,
        organisations: step === 'details' && !delegate ? await bookingAdmin.organisations() : [],
        values,
        needsDeleted: await needsDeleted(),
        ...formProblem(error, [...DELEGATE_FIELDS, ...NEEDS_FIELDS]),
        csrfToken: reply.generateCsrf(),
      },
      formStatus(error),
    );
  }

  app.get<{ Params: { sessionId: string } }>(
    '/admin/sessions/:sessionId/bookings/new',
    { preHandler: requireStaff('runProgramme') },
    async (request, reply) => {
      const email = (request.query as Record<string, unknown>).email;
      return renderNew(request, reply, 'email', {
        email: typeof email === 'string' ? email.slice(0, 254) : '',
      });
    },
  );

  app.post<{ Params: { sessionId: string } }>(
    '/admin/sessions/:sessionId/bookings/new',
    changes,
    async (request, reply) => {
      const sessionId = idParam(request.params.sessionId, 'session');
      const body = formBody(request);
      let email: string;
      try {
        email = parseForm(emailSchema, body).email;
      } catch (error) {
        if (!(error instanceof FormError)) throw error;
        return renderNew(request, reply, 'email', keepTyped(body), { error });
      }
      // The address first: the next step shows who it is, or asks for a new delegate's details.
      if (body.step !== 'book') return renderNew(request, reply, 'details', { email }, { email });
      const known = await bookingAdmin.findDelegate(email, sessionId);
      if (Boolean(known) !== (body.known === 'yes')) {
        // The address is not whom the page showed (changed, or someone registered
        // meanwhile): show who it is now before booking anyone.
        return renderNew(request, reply, 'details', keepTyped(body), { email });
      }
      try {
        const [details, needs] = parseAll(
          () => (known ? null : parseForm(detailsSchema, body)),
          () => parseForm(needsSchemaForStaff, body),
        );
        const outcome = await bookingAdmin.bookOnBehalf(
          actorOf(request),
          sessionId,
          { email, details },
          needs,
        );
        const key = outcome.alreadyHeld ? 'already' : 'booked';
        return reply.redirect(`/admin/sessions/${sessionId}/bookings?${key}=${outcome.reference}`, 303);
      } catch (error) {
        if (!isShownOnForm(error)) throw error;
        return renderNew(request, reply, 'details', keepTyped(body), { error, email });
      }
    },
  );

  // ---- Move ---------------------------------------------------------------

  async function renderMove(
    request: FastifyRequest<{ Params: { reference: string } }>,
    reply: FastifyReply,
    values: Record<string, string> = {},
    error?: FormError | ConflictError,
  ) {
    const { booking, sessions } = await bookingAdmin.moveChoices(
      actorOf(request),
      referenceParam(request.params.reference),
    );
    return reply.page(
      'pages/admin/bookings/move.njk',
      {
        pageTitle: `Move booking ${booking.reference}`,
        booking,
        sessions,
        values,
        ...formProblem(error, ['sessionId', 'joinWaitlist']),
        csrfToken: reply.generateCsrf(),
      },
      formStatus(error),
    );
  }

  app.get<{ Params: { reference: string } }>(
    '/admin/bookings/:reference/move',
    { preHandler: requireStaff('runProgramme') },
    async (request, reply) => renderMove(request, reply),
  );

  app.post<{ Params: { reference: string } }>(
    '/admin/bookings/:reference/move',
    changes,
    async (request, reply) => {
      const reference = referenceParam(request.params.reference);
      const body = formBody(request);
      try {
        const { sessionId, joinWaitlist } = parseForm(moveSchema, body);
        await bookingAdmin.move(actorOf(request), reference, sessionId, joinWaitlist === 'yes');
        return reply.redirect(`/admin/bookings/${reference}?moved=1`, 303);
      } catch (error) {
        if (!isShownOnForm(error)) throw error;
        return renderMove(request, reply, keepTyped(body), error);
      }
    },
  );

  // ---- Substitute -----------------------------------------------------------

  async function renderSubstitute(
    request: FastifyRequest<{ Params: { reference: string } }>,
    reply: FastifyReply,
    step: 'email' | 'details',
    values: Record<string, string>,
    options: { error?: FormError | ConflictError; email?: string } = {},
  ) {
    const actor = actorOf(request);
    const reference = referenceParam(request.params.reference);
    const booking = await bookingAdmin.substitutionPage(actor, reference);
    const colleague =
      step === 'details' && options.email
        ? await bookingAdmin.findDelegate(options.email, booking.session.id)
        : null;
    const { error } = options;
    return reply.page(
      'pages/admin/bookings/substitute.njk',
      {
        pageTitle: `Pass booking ${booking.reference} to a colleague`,
        booking,
        step,
        email: options.email ?? null,
        colleague,
        organisations: step === 'details' && !colleague ? await bookingAdmin.organisations() : [],
        values,
        ...formProblem(error, DELEGATE_FIELDS),
        csrfToken: reply.generateCsrf(),
      },
      formStatus(error),
    );
  }

  app.get<{ Params: { reference: string } }>(
    '/admin/bookings/:reference/substitute',
    { preHandler: requireStaff('runProgramme') },
    async (request, reply) => renderSubstitute(request, reply, 'email', {}),
  );

  app.post<{ Params: { reference: string } }>(
    '/admin/bookings/:reference/substitute',
    changes,
    async (request, reply) => {
      const reference = referenceParam(request.params.reference);
      const body = formBody(request);
      let email: string;
      try {
        email = parseForm(emailSchema, body).email;
      } catch (error) {
        if (!(error instanceof FormError)) throw error;
        return renderSubstitute(request, reply, 'email', keepTyped(body), { error });
      }
      try {
        if (body.step !== 'pass') {
          // Not the person who holds it: said at once, before asking for more.
          await bookingAdmin.checkColleague(actorOf(request), reference, email);
          return renderSubstitute(request, reply, 'details', { email }, { email });
        }
        const booking = await bookingAdmin.substitutionPage(actorOf(request), reference);
        const known = await bookingAdmin.findDelegate(email, booking.session.id);
        if (Boolean(known) !== (body.known === 'yes')) {
          return renderSubstitute(request, reply, 'details', keepTyped(body), { email });
        }
        const details = known ? null : parseForm(detailsSchema, body);
        const colleague: DelegateInput = { email, details };
        await bookingAdmin.substitute(actorOf(request), reference, colleague);
        return reply.redirect(`/admin/bookings/${reference}?substituted=1`, 303);
      } catch (error) {
        if (!isShownOnForm(error)) throw error;
        const step = body.step === 'pass' ? 'details' : 'email';
        return renderSubstitute(request, reply, step, keepTyped(body), { error, email });
      }
    },
  );

  // ---- Cancel ---------------------------------------------------------------

  async function renderCancel(
    request: FastifyRequest<{ Params: { reference: string } }>,
    reply: FastifyReply,
    values: Record<string, string> = {},
    error?: FormError | ConflictError,
  ) {
    const booking = await bookingAdmin.cancellationPage(
      actorOf(request),
      referenceParam(request.params.reference),
    );
    return reply.page(
      'pages/admin/bookings/cancel.njk',
      {
        pageTitle: `Cancel booking ${booking.reference}`,
        booking,
        // After the cut-off, recording it as late is the answer given unless someone changes it.
        values: { late: booking.lateQuestion?.pastCutOff ? 'yes' : 'no', ...values },
        ...formProblem(error, ['reason', 'late']),
        csrfToken: reply.generateCsrf(),
      },
      formStatus(error),
    );
  }

  app.get<{ Params: { reference: string } }>(
    '/admin/bookings/:reference/cancel',
    { preHandler: requireStaff('runProgramme') },
    async (request, reply) => renderCancel(request, reply),
  );

  app.post<{ Params: { reference: string } }>(
    '/admin/bookings/:reference/cancel',
    changes,
    async (request, reply) => {
      const reference = referenceParam(request.params.reference);
      const body = formBody(request);
      try {
        const { reason, late } = parseForm(cancelSchema, body);
        const { sessionId, freedPlace } = await bookingAdmin.cancel(
          actorOf(request),
          reference,
          reason,
          late === 'yes',
        );
        return reply.redirect(
          `/admin/sessions/${sessionId}/bookings?cancelled=${reference}${freedPlace ? '&freed=1' : ''}`,
          303,
        );
      } catch (error) {
        if (!isShownOnForm(error)) throw error;
        return renderCancel(request, reply, keepTyped(body), error);
      }
    },
  );

  // ---- Promote from the waiting list ---------------------------------------

  app.post<{ Params: { reference: string } }>(
    '/admin/bookings/:reference/promote',
    changes,
    async (request, reply) => {
      const reference = referenceParam(request.params.reference);
      // Back to the page the button was on: the session's list, or the booking.
      const fromBooking = formBody(request).returnTo === 'booking';
      try {
        const { sessionId } = await bookingAdmin.promote(actorOf(request), reference);
        return reply.redirect(
          fromBooking
            ? `/admin/bookings/${reference}?promoted=1`
            : `/admin/sessions/${sessionId}/bookings?promoted=${reference}`,
          303,
        );
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        if (fromBooking) return renderBooking(request, reply, reference, error.message);
        const booking = await bookingAdmin.booking(actorOf(request), reference);
        return renderSessionBookings(request, reply, booking.session.id, error.message);
      }
    },
  );
}
