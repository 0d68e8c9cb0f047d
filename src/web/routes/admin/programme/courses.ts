/**
 * Courses: list, create, edit (Markdown with a preview that needs no
 * JavaScript), duplicate, archive and restore.
 *
 * Coordinators and administrators change courses; reporting viewers read the
 * list and each course; trainers get the ordinary 404. The forms are for
 * people who can send them, so viewers do not get those either.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { holds } from '../../../../domain/accounts/permissions.js';
import { COURSE_LEVEL_LABELS, COURSE_LEVELS } from '../../../../domain/programme/course.js';
import {
  ORGANISATION_TYPE_PLURALS,
  PRICE_FIELDS,
  priceField,
  priceFormValues,
  readPriceFields,
} from '../../../../domain/charges/prices.js';
import { ORGANISATION_TYPES } from '../../../../domain/programme/organisation.js';
import { ConflictError, FormError } from '../../../../errors.js';
import type { Services } from '../../../../services/index.js';
import { COURSE_TITLE_LIMIT, type CourseInput } from '../../../../services/programme/programmeService.js';
import { idParam } from '../../public/params.js';
import { requireStaff } from '../auth.js';
import {
  doneNotice,
  formPage,
  nonBlankLines,
  readForm,
  staffActor,
  typedText,
  type Body,
} from '../formHelpers.js';

/** Blank testimonial rows offered below the existing ones (no JavaScript to add more). */
const BLANK_TESTIMONIAL_ROWS = 2;
/** Rows read from a form at most: more is not a form a person sent. */
const TESTIMONIAL_ROWS_LIMIT = 30;
/** What is kept of a typed value when the form comes back: more than any field accepts. */
const KEEP_LIMIT = 25_000;

const STATUSES = ['live', 'archived', 'all'] as const;

/** A textarea of one item per line: blank lines and surrounding spaces dropped. */
function lines(what: string, plural: string, max: { items: number; length: number }) {
  return z
    .string({ error: `Enter at least one ${what}` })
    .transform(nonBlankLines)
    .pipe(
      z
        .array(
          z
            .string()
            .max(max.length, `Each ${what} must be ${max.length} characters or fewer: shorten the long one`),
        )
        .min(1, `Enter at least one ${what}, one on each line`)
        .max(max.items, `Enter ${max.items} ${plural} or fewer`),
    );
}

function markdownText(label: string, max: number) {
  return z
    .string()
    .trim()
    .max(max, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`)
    .default('');
}

const courseSchema = z.object({
  title: z
    .string({ error: 'Enter the course title' })
    .trim()
    .min(1, 'Enter the course title')
    .max(COURSE_TITLE_LIMIT, `The title must be ${COURSE_TITLE_LIMIT} characters or fewer`),
  summary: z
    .string({ error: 'Enter a summary of the course' })
    .trim()
    .min(1, 'Enter a summary of the course')
    .max(300, 'The summary must be 300 characters or fewer'),
  description: markdownText('The description', 20_000),
  audience: z.string().trim().max(500, 'Who it is for must be 500 characters or fewer').default(''),
  level: z.enum(COURSE_LEVELS, { error: 'Choose the course’s level' }),
  keyAreas: lines('key area', 'key areas', { items: 20, length: 300 }),
  learningOutcomes: lines('learning outcome', 'learning outcomes', { items: 30, length: 300 }),
  contentNotes: markdownText('The content notes', 10_000),
  cpdHours: z
    .string({ error: 'Enter the CPD hours, like 3 or 5.5' })
    .trim()
    .min(1, 'Enter the CPD hours, like 3 or 5.5')
    .regex(
      /^\d{1,3}(\.(0|00|5|50))?$/,
      'Enter the CPD hours as a number in whole or half hours, like 3 or 5.5',
    )
    .transform(Number)
    .refine((hours) => hours <= 100, 'CPD hours must be 100 or fewer'),
  practicalNotes: markdownText('The practical notes', 10_000),
});

const TEXT_FIELDS = [
  'title',
  'summary',
  'description',
  'audience',
  'level',
  'keyAreas',
  'learningOutcomes',
  'contentNotes',
  'cpdHours',
  'practicalNotes',
] as const;

/** The price fields, one per organisation type, as the form shows them. */
function priceInputs(values: Record<string, string | undefined>, fields: Record<string, string>) {
  return ORGANISATION_TYPES.map((type) => ({
    id: priceField(type),
    who: ORGANISATION_TYPE_PLURALS[type],
    value: values[priceField(type)] ?? '',
    error: fields[priceField(type)],
  }));
}

interface TestimonialValues {
  quote: string;
  attribution: string;
  consent: boolean;
}

/** What the form shows: text as typed, ticked boxes, testimonial rows. */
interface CourseFormValues extends Partial<Record<(typeof TEXT_FIELDS)[number], string>> {
  /** The price fields as typed ("120.00"), by field name. */
  prices: Record<string, string>;
  topics: string[];
  audiences: string[];
  testimonials: TestimonialValues[];
}

const text = (body: Body, field: string): string => typedText(body, field, KEEP_LIMIT);

/** A set of ticked checkboxes: one value is a string, several are an array. */
function ticked(body: Body, field: string): string[] {
  const value = body[field];
  const all = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return all.filter((v): v is string => typeof v === 'string').slice(0, 200);
}

/** The testimonial rows sent, in order, up to the last one with anything in it. */
function testimonialRows(body: Body): TestimonialValues[] {
  const rows: TestimonialValues[] = [];
  for (let n = 1; n <= TESTIMONIAL_ROWS_LIMIT; n += 1) {
    rows.push({
      quote: text(body, `testimonial${n}Quote`),
      attribution: text(body, `testimonial${n}Attribution`),
      consent: body[`testimonial${n}Consent`] === 'yes',
    });
  }
  while (rows.length && !rows.at(-1)!.quote.trim() && !rows.at(-1)!.attribution.trim()) rows.pop();
  return rows;
}

/** The form's values with blank testimonial rows to add more. */
function withBlankRows(values: CourseFormValues): CourseFormValues {
  const testimonials = [...values.testimonials];
  for (let i = 0; i < BLANK_TESTIMONIAL_ROWS; i += 1)
    testimonials.push({ quote: '', attribution: '', consent: false });
  return { ...values, testimonials };
}

function typedValues(body: Body): CourseFormValues {
  return {
    ...Object.fromEntries(TEXT_FIELDS.map((field) => [field, text(body, field)])),
    prices: Object.fromEntries(PRICE_FIELDS.map((field) => [field, typedText(body, field, 100)])),
    topics: ticked(body, 'topics'),
    audiences: ticked(body, 'audiences'),
    testimonials: testimonialRows(body),
  };
}

/** Reads a course form: the course, or a message per field. */
function readCourse(body: Body): { input: CourseInput } | { fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  const read = readForm(courseSchema, body);
  const parsed = 'input' in read ? read.input : undefined;
  if ('error' in read) Object.assign(fields, read.error.fields);

  const ids = (field: 'topics' | 'audiences') => {
    const values = ticked(body, field);
    if (values.some((v) => !/^[1-9]\d{0,8}$/.test(v))) {
      fields[field] = `Choose ${field} from the list`;
      return [];
    }
    return [...new Set(values.map(Number))];
  };
  const topicIds = ids('topics');
  const audienceIds = ids('audiences');

  const testimonials: CourseInput['testimonials'] = [];
  testimonialRows(body).forEach((row, index) => {
    const n = index + 1;
    const quote = row.quote.trim();
    const attribution = row.attribution.trim();
    // A blank row is one left for adding more: ignored.
    if (!quote && !attribution) return;
    if (!quote)
      fields[`testimonial${n}Quote`] ??= 'Enter the quote, or clear who said it to remove this testimonial';
    else if (quote.length > 1_000)
      fields[`testimonial${n}Quote`] ??= 'The quote must be 1,000 characters or fewer';
    if (!attribution) {
      fields[`testimonial${n}Attribution`] ??=
        'Enter who said it, like ‘Social worker, children’s services’ or ‘Anonymous’';
    } else if (attribution.length > 200) {
      fields[`testimonial${n}Attribution`] ??= 'Who said it must be 200 characters or fewer';
    }
    testimonials.push({ quote, attribution, consent: row.consent });
  });

  // A blank price is free.
  const prices = readPriceFields(body, 'free');
  if (!prices.ok) Object.assign(fields, prices.errors);

  if (Object.keys(fields).length || !parsed || !prices.ok) return { fields };
  return { input: { ...parsed, topicIds, audienceIds, testimonials, prices: prices.prices } };
}

function fieldOrder(values: CourseFormValues): string[] {
  return [
    'title',
    'summary',
    'description',
    'audience',
    'level',
    'topics',
    'audiences',
    'keyAreas',
    'learningOutcomes',
    'contentNotes',
    'cpdHours',
    ...PRICE_FIELDS,
    'practicalNotes',
    ...values.testimonials.flatMap((_, i) => [`testimonial${i + 1}Quote`, `testimonial${i + 1}Attribution`]),
  ];
}

const canChange = (request: FastifyRequest) => holds(request.staffSession!.staff.role, 'runProgramme');

export default async function adminCourseRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { programme } = services;

  async function renderForm(
    reply: FastifyReply,
    form: {
      course?: { id: number; title: string; slug: string; archived: boolean; neverPublic: boolean };
      values: CourseFormValues;
      error?: FormError;
      preview?: boolean;
      notice?: string | null;
    },
  ) {
    const options = await programme.courseFormOptions();
    const editing = form.course;
    return formPage(
      reply,
      'pages/admin/courses/form.njk',
      {
        pageTitle: editing ? `Edit ${editing.title}` : 'Create a course',
        course: editing ?? null,
        action: editing ? `/admin/courses/${editing.id}/edit` : '/admin/courses/new',
        values: withBlankRows(form.values),
        levels: COURSE_LEVELS.map((level) => ({
          value: level,
          text: COURSE_LEVEL_LABELS[level],
          checked: form.values.level === level,
        })),
        topics: options.topics.map((t) => ({
          value: String(t.id),
          text: t.name,
          checked: form.values.topics.includes(String(t.id)),
        })),
        audiences: options.audiences.map((a) => ({
          value: String(a.id),
          text: a.name,
          checked: form.values.audiences.includes(String(a.id)),
        })),
        prices: priceInputs(form.values.prices, form.error?.fields ?? {}),
        preview: form.preview ?? false,
        notice: form.notice ?? null,
      },
      { error: form.error, fieldOrder: fieldOrder(form.values) },
    );
  }

  /** Handles a sent course form: preview, refuse with messages, or save through `save`. */
  async function handleForm(
    request: FastifyRequest,
    reply: FastifyReply,
    course: { id: number; title: string; slug: string; archived: boolean; neverPublic: boolean } | undefined,
    save: (input: CourseInput) => Promise<string>,
  ) {
    const body = (request.body ?? {}) as Body;
    const values = typedValues(body);
    const withCourse = course ? { course } : {};
    // Preview shows the Markdown as it will look and saves nothing, whatever else the form holds.
    if (body.action === 'preview') return renderForm(reply, { ...withCourse, values, preview: true });
    const read = readCourse(body);
    if ('fields' in read)
      return renderForm(reply, { ...withCourse, values, error: new FormError(read.fields) });
    try {
      return reply.redirect(await save(read.input), 303);
    } catch (error) {
      // The service checks topics and audiences against the lists as they are now.
      if (error instanceof FormError) return renderForm(reply, { ...withCourse, values, error });
      throw error;
    }
  }

  app.get('/admin/courses', { preHandler: requireStaff('readProgramme') }, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const q = typeof query.q === 'string' ? query.q.slice(0, 200) : '';
    const status = STATUSES.find((s) => s === query.status) ?? 'live';
    const words = q.split(/\s+/).filter(Boolean).slice(0, 10);
    const { courses, counts } = await programme.courseList({ words, status });
    return reply.page('pages/admin/courses/list.njk', {
      pageTitle: 'Courses',
      courses,
      counts,
      q,
      status,
      canChange: canChange(request),
    });
  });

  app.get('/admin/courses/new', { preHandler: requireStaff('runProgramme') }, async (_request, reply) =>
    renderForm(reply, { values: { prices: {}, topics: [], audiences: [], testimonials: [] } }),
  );

  app.post(
    '/admin/courses/new',
    { preHandler: [app.csrfProtection, requireStaff('runProgramme')] },
    async (request, reply) =>
      handleForm(request, reply, undefined, async (input) => {
        const { id } = await programme.createCourse(input, staffActor(request));
        return `/admin/courses/${id}?done=created`;
      }),
  );

  async function renderCourse(
    request: FastifyRequest<{ Params: { courseId: string } }>,
    reply: FastifyReply,
    problem?: ConflictError,
  ) {
    const course = await programme.course(idParam(request.params.courseId, 'course'));
    return reply.page(
      'pages/admin/courses/course.njk',
      {
        pageTitle: course.title,
        course,
        done: problem ? null : doneNotice(request),
        errorList: problem ? [{ text: problem.message, href: '#upcoming-sessions' }] : [],
        canChange: canChange(request),
        canReadFeedback: holds(request.staffSession!.staff.role, 'readReports'),
        csrfToken: reply.generateCsrf(),
      },
      problem ? 409 : 200,
    );
  }

  app.get<{ Params: { courseId: string } }>(
    '/admin/courses/:courseId',
    { preHandler: requireStaff('readProgramme') },
    async (request, reply) => renderCourse(request, reply),
  );

  app.get<{ Params: { courseId: string } }>(
    '/admin/courses/:courseId/edit',
    { preHandler: requireStaff('runProgramme') },
    async (request, reply) => {
      const { course } = await programme.courseForEdit(idParam(request.params.courseId, 'course'));
      return renderForm(reply, {
        course,
        values: {
          title: course.title,
          summary: course.summary,
          description: course.description,
          audience: course.audience,
          level: course.level,
          keyAreas: course.keyAreas.join('\n'),
          learningOutcomes: course.learningOutcomes.join('\n'),
          contentNotes: course.contentNotes,
          cpdHours: String(course.cpdHours),
          practicalNotes: course.practicalNotes,
          prices: priceFormValues(course.prices),
          topics: course.topicIds.map(String),
          audiences: course.audienceIds.map(String),
          testimonials: course.testimonials,
        },
        notice:
          doneNotice(request) === 'duplicated'
            ? 'This is a copy. It is archived, so it is not shown to the public: edit it, save it, then restore it from the course’s page to publish it. Its testimonials are unpublished until you have consent for this course.'
            : null,
      });
    },
  );

  app.post<{ Params: { courseId: string } }>(
    '/admin/courses/:courseId/edit',
    { preHandler: [app.csrfProtection, requireStaff('runProgramme')] },
    async (request, reply) => {
      const courseId = idParam(request.params.courseId, 'course');
      const { course } = await programme.courseForEdit(courseId);
      return handleForm(request, reply, course, async (input) => {
        const { changed } = await programme.updateCourse(courseId, input, staffActor(request));
        return `/admin/courses/${courseId}?done=${changed.length ? 'saved' : 'unchanged'}`;
      });
    },
  );

  app.post<{ Params: { courseId: string } }>(
    '/admin/courses/:courseId/duplicate',
    { preHandler: [app.csrfProtection, requireStaff('runProgramme')] },
    async (request, reply) => {
      const { id } = await programme.duplicateCourse(
        idParam(request.params.courseId, 'course'),
        staffActor(request),
      );
      return reply.redirect(`/admin/courses/${id}/edit?done=duplicated`, 303);
    },
  );

  app.post<{ Params: { courseId: string } }>(
    '/admin/courses/:courseId/archive',
    { preHandler: [app.csrfProtection, requireStaff('runProgramme')] },
    async (request, reply) => {
      const courseId = idParam(request.params.courseId, 'course');
      try {
        await programme.archiveCourse(courseId, staffActor(request));
      } catch (error) {
        if (error instanceof ConflictError) return renderCourse(request, reply, error);
        throw error;
      }
      return reply.redirect(`/admin/courses/${courseId}?done=archived`, 303);
    },
  );

  app.post<{ Params: { courseId: string } }>(
    '/admin/courses/:courseId/restore',
    { preHandler: [app.csrfProtection, requireStaff('runProgramme')] },
    async (request, reply) => {
      const courseId = idParam(request.params.courseId, 'course');
      await programme.restoreCourse(courseId, staffActor(request));
      return reply.redirect(`/admin/courses/${courseId}?done=restored`, 303);
    },
  );
}
