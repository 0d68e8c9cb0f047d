/**
 * Sessions: the list, scheduling a new one, changing one, cancelling one.
 *
 *   /admin/sessions                     the list, filtered; everyone (a trainer sees their own)
 *   /admin/sessions/new                 schedule a session (?courseId= preselects the course)
 *   /admin/sessions/:sessionId          a session as staff see it
 *   /admin/sessions/:sessionId/edit     change it: dates, place, capacity, booking window, trainers, notes
 *   /admin/sessions/:sessionId/cancel   cancel it, telling everyone booked why
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { holds, seesOnlyOwnSessions } from '../../../../domain/accounts/permissions.js';
import {
  MAX_PART_ROWS,
  PART_ROWS_SHOWN,
  dateGroups,
  fieldOrder,
  parseDate,
  partFieldId,
  partFieldName,
  postedPartRows,
  postedTrainerIds,
} from '../../../../domain/programme/sessionSchedule.js';
import { SESSION_FORMATS, SESSION_FORMAT_LABELS } from '../../../../domain/programme/course.js';
import { ORGANISATION_TYPE_PLURALS, priceField, type PriceList } from '../../../../domain/charges/prices.js';
import { formatPence } from '../../../../domain/charges/money.js';
import { ORGANISATION_TYPES } from '../../../../domain/programme/organisation.js';
import { londonToInstant, addDays } from '../../../../domain/time/time.js';
import { FormError } from '../../../../errors.js';
import type { Services } from '../../../../services/index.js';
import {
  CANCELLATION_REASONS,
  type SessionListQuery,
  type StaffActor,
} from '../../../../services/programme/sessionAdminService.js';
import type { SessionListState } from '../../../../data/repositories/sessionAdminRepository.js';
import { dateInputParams, linkDateErrors, type DateGroup } from '../../../dateInput.js';
import { formBody, formErrors, keepTyped } from '../../../forms.js';
import { idParam } from '../../public/params.js';
import { requireStaff } from '../auth.js';

const STATES: Record<SessionListState, string> = {
  upcoming: 'Upcoming',
  past: 'Finished',
  cancelled: 'Cancelled',
  all: 'All',
};

/** The notices shown after a change, by the `done` in the address it redirects to. */
const DONE: Record<string, string> = {
  scheduled: 'Session scheduled. It is on the public site now.',
  changed: 'Changes saved.',
  unchanged: 'Nothing was changed.',
  cancelled:
    'Session cancelled. Everyone who was booked, offered a place or waiting is being emailed the reason.',
  'already-cancelled': 'This session had already been cancelled, so nothing more was done.',
};

function actor(request: FastifyRequest): StaffActor {
  const { staff } = request.staffSession!;
  return { id: staff.id, role: staff.role, trainerId: staff.trainerId };
}

function query(request: FastifyRequest): Record<string, string> {
  return Object.fromEntries(
    Object.entries((request.query ?? {}) as Record<string, unknown>).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].trim() !== '',
    ),
  );
}

function optionalId(value: string | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,9}$/.test(value) || Number(value) > 2_147_483_647) return null;
  return Number(value);
}

/** The list's filter from the address, with a message by each field that could not be used. */
function readListQuery(raw: Record<string, string>) {
  const errors: Record<string, string> = {};
  const state = (raw.state ?? 'upcoming') as SessionListState;
  if (!(state in STATES)) errors.state = 'Choose which sessions to show from the list';
  const day = (field: 'from' | 'to', example: string): string | undefined => {
    if (!raw[field]) return undefined;
    const date = parseDate(raw[field]);
    if (!date)
      errors[field] = `Enter the ${field === 'from' ? 'first' : 'last'} date as a real date, like ${example}`;
    return date ?? undefined;
  };
  const from = day('from', '2026-03-01');
  const to = day('to', '2026-03-31');
  if (from && to && to < from) errors.to = 'The last date must be the same as or after the first date';
  const courseId = optionalId(raw.course);
  if (courseId === null) errors.course = 'Choose a course from the list';
  const venueId = raw.venue === 'online' ? 'online' : optionalId(raw.venue);
  if (venueId === null) errors.venue = 'Choose a venue from the list';
  const trainerId = optionalId(raw.trainer);
  if (trainerId === null) errors.trainer = 'Choose a trainer from the list';
  const words = (raw.words ?? '').toLowerCase().slice(0, 100).split(/\s+/).filter(Boolean).slice(0, 6);
  const pageNumber = raw.page && /^\d{1,5}$/.test(raw.page) ? Math.max(1, Number(raw.page)) : 1;
  const parsed: SessionListQuery = {
    state: errors.state ? 'upcoming' : state,
    // London midnights (never inside a clock change, which happens at 1am or 2am).
    ...(from && !errors.from ? { from: londonToInstant(from, '00:00') } : {}),
    ...(to && !errors.to && !errors.from ? { to: londonToInstant(addDays(to, 1), '00:00') } : {}),
    ...(typeof courseId === 'number' ? { courseId } : {}),
    ...(venueId !== null && venueId !== undefined ? { venueId } : {}),
    ...(typeof trainerId === 'number' ? { trainerId } : {}),
    words,
    page: pageNumber,
  };
  return { parsed, errors };
}

/** GOV.UK pagination items: first, last, and the pages around this one. */
function pagination(page: number, pageCount: number, raw: Record<string, string>) {
  if (pageCount <= 1) return null;
  const href = (n: number) => {
    const params = new URLSearchParams({ ...raw, page: String(n) });
    if (n === 1) params.delete('page');
    const text = params.toString();
    return `/admin/sessions${text ? `?${text}` : ''}`;
  };
  const items: Record<string, unknown>[] = [];
  let gap = false;
  for (let n = 1; n <= pageCount; n += 1) {
    if (n === 1 || n === pageCount || Math.abs(n - page) <= 1) {
      items.push({ number: n, href: href(n), current: n === page });
      gap = false;
    } else if (!gap) {
      items.push({ ellipsis: true });
      gap = true;
    }
  }
  return {
    items,
    ...(page > 1 ? { previous: { href: href(page - 1) } } : {}),
    ...(page < pageCount ? { next: { href: href(page + 1) } } : {}),
    landmarkLabel: 'Pages of sessions',
  };
}

/** One option of a filter's select: the value, its words, and whether the address chose it. */
interface ChoiceItem {
  value: string;
  text: string;
  selected: boolean;
}

/**
 * The filter's course, venue and trainer options, built here rather than in
 * the template: a large hub has well over a hundred, and building them in
 * Nunjucks cost more than the rest of the page.
 */
function filterChoices(
  choices: Awaited<ReturnType<Services['sessionAdmin']['listChoices']>>,
  raw: Record<string, string>,
): { courses: ChoiceItem[]; venues: ChoiceItem[]; trainers: ChoiceItem[] } {
  const item = (value: string, text: string, selected: boolean): ChoiceItem => ({ value, text, selected });
  return {
    courses: [
      item('', 'Any course', false),
      ...choices.courses.map((course) =>
        item(
          String(course.id),
          course.title + (course.archived_at ? ' (archived)' : ''),
          String(course.id) === raw.course,
        ),
      ),
    ],
    venues: [
      item('', 'Any venue', false),
      item('online', 'Online only', raw.venue === 'online'),
      ...choices.venues.map((venue) =>
        item(String(venue.id), `${venue.name}, ${venue.town}`, String(venue.id) === raw.venue),
      ),
    ],
    trainers: [
      item('', 'Any trainer', false),
      ...choices.trainers.map((trainer) =>
        item(String(trainer.id), trainer.name, String(trainer.id) === raw.trainer),
      ),
    ],
  };
}

export default async function adminSessionRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { sessionAdmin } = services;
  const runners = { preHandler: [app.csrfProtection, requireStaff('runProgramme')] };

  // ----- the list -----

  app.get('/admin/sessions', { preHandler: requireStaff('seeSessions') }, async (request, reply) => {
    const staff = actor(request);
    const raw = query(request);
    const { parsed, errors } = readListQuery(raw);
    const [list, choices] = await Promise.all([
      sessionAdmin.list(staff, parsed),
      sessionAdmin.listChoices(staff),
    ]);
    const errorList = Object.entries(errors).map(([field, text]) => ({ text, href: `#${field}` }));
    const { page: _page, ...filterValues } = raw;
    return reply.page(
      'pages/admin/sessions/list.njk',
      {
        pageTitle: 'Sessions',
        ...list,
        states: Object.entries(STATES).map(([value, text]) => ({
          value,
          text,
          selected: value === (raw.state ?? 'upcoming'),
        })),
        choices: filterChoices(choices, raw),
        values: raw,
        filtered: Object.keys(filterValues).length > 0,
        errors,
        errorList,
        pagination: pagination(list.page, list.pageCount, filterValues),
        isTrainer: seesOnlyOwnSessions(staff.role),
        canSchedule: holds(staff.role, 'runProgramme'),
      },
      errorList.length ? 400 : 200,
    );
  });

  // ----- scheduling -----

  async function renderForm(
    reply: FastifyReply,
    options: {
      mode: 'new' | 'edit';
      values: Record<string, string>;
      trainerIds: string[];
      partRows: number;
      session?: { id: number; courseId: number; courseTitle: string; date: string; coursePrices: PriceList };
      error?: FormError;
    },
  ) {
    const choices = await sessionAdmin.formChoices(options.session?.courseId);
    const rows = Math.min(MAX_PART_ROWS, Math.max(PART_ROWS_SHOWN, options.partRows));
    const fields = options.error?.fields ?? {};
    const groups = dateGroups(rows);
    const dateInput = (group: DateGroup, legend: string) =>
      dateInputParams(group, options.values, fields[group.id], { legend });
    const parts = Array.from({ length: rows }, (_, index) => ({
      number: index + 1,
      date: dateInput(groups[index]!, `Date<span class="govuk-visually-hidden"> of part ${index + 1}</span>`),
      ...Object.fromEntries(
        (['start', 'end'] as const).map((field) => [
          field,
          {
            id: partFieldId(index, field),
            name: partFieldName(index, field),
            value: options.values[partFieldName(index, field)] ?? '',
            error: fields[partFieldId(index, field)],
          },
        ]),
      ),
    }));
    const moments = (['bookingOpens', 'bookingCloses'] as const).map((prefix, i) => ({
      prefix,
      date: dateInput(
        groups[rows + i]!,
        `Date<span class="govuk-visually-hidden"> booking ${i === 0 ? 'opens' : 'closes'}</span>`,
      ),
      timeLabel: `Time<span class="govuk-visually-hidden"> booking ${i === 0 ? 'opens' : 'closes'}</span>`,
    }));
    return reply.page(
      'pages/admin/sessions/form.njk',
      {
        pageTitle: options.mode === 'new' ? 'Schedule a session' : 'Change this session',
        mode: options.mode,
        session: options.session,
        action:
          options.mode === 'new' ? '/admin/sessions/new' : `/admin/sessions/${options.session?.id}/edit`,
        values: options.values,
        trainerIds: options.trainerIds,
        parts,
        moments,
        choices,
        prices: ORGANISATION_TYPES.map((type) => {
          const coursePrice = options.session?.coursePrices[type];
          return {
            id: priceField(type),
            who: ORGANISATION_TYPE_PLURALS[type],
            courseText:
              coursePrice === undefined ? null : coursePrice === 0 ? 'nothing' : formatPence(coursePrice),
          };
        }),
        formats: SESSION_FORMATS.map((value) => ({
          value,
          text: SESSION_FORMAT_LABELS[value],
          checked: options.values.format === value,
        })),
        errors: options.error
          ? linkDateErrors(formErrors(options.error.fields, fieldOrder(rows)), groups, options.values)
          : null,
        csrfToken: reply.generateCsrf(),
      },
      options.error ? 400 : 200,
    );
  }

  app.get('/admin/sessions/new', { preHandler: requireStaff('runProgramme') }, async (request, reply) => {
    const courseParam = optionalId(query(request).courseId);
    const courseId = typeof courseParam === 'number' ? await sessionAdmin.liveCourse(courseParam) : null;
    return renderForm(reply, {
      mode: 'new',
      values: { courseId: courseId ? String(courseId) : '', format: 'in_person' },
      trainerIds: [],
      partRows: PART_ROWS_SHOWN,
    });
  });

  app.post('/admin/sessions/new', runners, async (request, reply) => {
    const form = formBody(request);
    try {
      const id = await sessionAdmin.schedule(actor(request), form);
      return reply.redirect(`/admin/sessions/${id}?done=scheduled`, 303);
    } catch (error) {
      if (!(error instanceof FormError)) throw error;
      return renderForm(reply, {
        mode: 'new',
        values: keepTyped(form),
        trainerIds: postedTrainerIds(form),
        partRows: postedPartRows(form),
        error,
      });
    }
  });

  // ----- one session -----

  app.get<{ Params: { sessionId: string } }>(
    '/admin/sessions/:sessionId',
    { preHandler: requireStaff('seeSessions') },
    async (request, reply) => {
      const staff = actor(request);
      const session = await sessionAdmin.detail(staff, idParam(request.params.sessionId, 'session'));
      const { done, told } = query(request);
      const toldCount = told && /^\d{1,4}$/.test(told) ? Number(told) : 0;
      return reply.page('pages/admin/sessions/show.njk', {
        pageTitle: `${session.course.title}, ${session.date}`,
        session,
        canRun: holds(staff.role, 'runProgramme'),
        canReport: holds(staff.role, 'readSessionReports'),
        notice:
          done === 'changed' && toldCount
            ? `Changes saved. ${toldCount} ${toldCount === 1 ? 'delegate is' : 'delegates are'} being emailed what changed.`
            : done
              ? DONE[done]
              : undefined,
      });
    },
  );

  app.get<{ Params: { sessionId: string } }>(
    '/admin/sessions/:sessionId/edit',
    { preHandler: requireStaff('runProgramme') },
    async (request, reply) => {
      const form = await sessionAdmin.editForm(idParam(request.params.sessionId, 'session'));
      return renderForm(reply, {
        mode: 'edit',
        session: form.session,
        values: form.values,
        trainerIds: form.trainerIds,
        // Room for one more part.
        partRows: form.partCount + 1,
      });
    },
  );

  app.post<{ Params: { sessionId: string } }>(
    '/admin/sessions/:sessionId/edit',
    runners,
    async (request, reply) => {
      const sessionId = idParam(request.params.sessionId, 'session');
      const form = formBody(request);
      try {
        const { changed, told } = await sessionAdmin.change(actor(request), sessionId, form);
        const done = !changed.length ? 'unchanged' : told ? `changed&told=${told}` : 'changed';
        return reply.redirect(`/admin/sessions/${sessionId}?done=${done}`, 303);
      } catch (error) {
        if (!(error instanceof FormError)) throw error;
        const { session } = await sessionAdmin.editForm(sessionId);
        return renderForm(reply, {
          mode: 'edit',
          session,
          values: keepTyped(form),
          trainerIds: postedTrainerIds(form),
          partRows: postedPartRows(form),
          error,
        });
      }
    },
  );

  // ----- cancelling -----

  async function renderCancel(
    reply: FastifyReply,
    sessionId: number,
    values: Record<string, string>,
    error?: FormError,
  ) {
    const preview = await sessionAdmin.cancelPreview(sessionId);
    if (preview.alreadyCancelled)
      return reply.redirect(`/admin/sessions/${sessionId}?done=already-cancelled`, 303);
    if (preview.finished) {
      return reply.page(
        'pages/admin/sessions/cancel.njk',
        { pageTitle: 'This session has finished', preview, finished: true },
        409,
      );
    }
    return reply.page(
      'pages/admin/sessions/cancel.njk',
      {
        pageTitle: `Cancel ${preview.session.courseTitle}, ${preview.session.date}`,
        preview,
        values,
        reasons: [
          ...Object.entries(CANCELLATION_REASONS).map(([value, text]) => ({
            value,
            text,
            checked: values.reason === value,
          })),
          { value: 'other', text: 'Another reason', checked: values.reason === 'other' },
        ],
        errors: error ? formErrors(error.fields, ['reason', 'reasonDetails']) : null,
        csrfToken: reply.generateCsrf(),
      },
      error ? 400 : 200,
    );
  }

  app.get<{ Params: { sessionId: string } }>(
    '/admin/sessions/:sessionId/cancel',
    { preHandler: requireStaff('runProgramme') },
    async (request, reply) => renderCancel(reply, idParam(request.params.sessionId, 'session'), {}),
  );

  app.post<{ Params: { sessionId: string } }>(
    '/admin/sessions/:sessionId/cancel',
    runners,
    async (request, reply) => {
      const sessionId = idParam(request.params.sessionId, 'session');
      const form = formBody(request);
      const choice = typeof form.reason === 'string' ? form.reason : '';
      const details =
        typeof form.reasonDetails === 'string' ? form.reasonDetails.replace(/\r\n/g, '\n').trim() : '';
      const fields: Record<string, string> = {};
      if (choice !== 'other' && !(choice in CANCELLATION_REASONS)) {
        fields.reason = 'Choose why the session is cancelled: delegates are told this reason';
      }
      if (choice === 'other' && !details) {
        fields.reasonDetails = 'Enter the reason: delegates read it in their email';
      }
      if (details.length > 1_000) fields.reasonDetails = 'The reason must be 1,000 characters or fewer';
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(details)) {
        fields.reasonDetails = 'Remove the special characters from the reason';
      }
      if (Object.keys(fields).length)
        return renderCancel(reply, sessionId, keepTyped(form), new FormError(fields));
      const label =
        choice === 'other' ? '' : CANCELLATION_REASONS[choice as keyof typeof CANCELLATION_REASONS];
      const reason = [label ? `${label}.` : '', details].filter(Boolean).join('\n\n');
      const outcome = await sessionAdmin.cancel(actor(request), sessionId, reason);
      return reply.redirect(
        `/admin/sessions/${sessionId}?done=${outcome === 'already' ? 'already-cancelled' : 'cancelled'}`,
        303,
      );
    },
  );
}
