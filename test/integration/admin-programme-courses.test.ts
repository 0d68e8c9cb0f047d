/**
 * Courses in the back office, as a coordinator uses them: create with a
 * preview, edit, duplicate, archive and restore; what viewers see; what the
 * public sees after each change; and every change in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ProgrammeRecords } from '../../src/data/repositories/programmeRecords.js';
import { londonToInstant } from '../../src/domain/time/time.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import type { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';

/** Sends a page's form with repeated fields (ticked checkboxes), as a browser does. */
async function submitEntries(
  client: WebClient,
  pageUrl: string,
  action: string,
  entries: [string, string][],
) {
  const page = parsePage((await client.get(pageUrl)).body);
  const form = [...page.document.querySelectorAll('form[method="post"]')].find(
    (f) => f.getAttribute('action') === action,
  );
  if (!form) throw new Error(`No form for ${action} on ${pageUrl}`);
  const params = new URLSearchParams();
  for (const input of form.querySelectorAll('input[type="hidden"]')) {
    params.append(input.getAttribute('name') ?? '', input.getAttribute('value') ?? '');
  }
  for (const [name, value] of entries) params.append(name, value);
  // WebClient.post copies its fields through URLSearchParams, repeated names and all.
  return client.post(action, params as unknown as Record<string, string>);
}

/** A form's fields as the page filled them in: what a browser sends if nothing is changed. */
async function formEntries(client: WebClient, pageUrl: string, action: string): Promise<[string, string][]> {
  const page = parsePage((await client.get(pageUrl)).body);
  const form = page.document.querySelector(`form[action="${action}"]`);
  if (!form) throw new Error(`No form for ${action} on ${pageUrl}`);
  const entries: [string, string][] = [];
  for (const input of form.querySelectorAll('input, textarea')) {
    const name = input.getAttribute('name');
    const type = input.getAttribute('type');
    if (!name || name === '_csrf') continue;
    if ((type === 'checkbox' || type === 'radio') && !input.hasAttribute('checked')) continue;
    const value =
      input.tagName === 'TEXTAREA' ? (input.textContent ?? '') : (input.getAttribute('value') ?? '');
    // linkedom leaves a textarea's text escaped; a browser sends it as shown.
    entries.push([
      name,
      value
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&#39;/g, "'")
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&'),
    ]);
  }
  return entries;
}

const VALID: Record<string, string> = {
  title: 'Safer Recruitment in Practice',
  summary: 'How to recruit safely: checks, references and the questions that keep children safe.',
  description: 'A day on **safer recruitment**.\n\nFor anyone who sits on an interview panel.',
  audience: 'Managers and anyone who sits on interview panels',
  level: 'intermediate',
  keyAreas: 'The law and guidance\n\n  Checks and references  \nInterviewing',
  learningOutcomes: 'Plan a safer recruitment process\nSpot gaps in an application',
  contentNotes: 'Discusses abuse by people in positions of trust.',
  cpdHours: '5.5',
  practicalNotes: 'Bring your own lunch.',
  testimonial1Quote: 'Practical and clear.',
  testimonial1Attribution: 'Head teacher',
  testimonial1Consent: 'yes',
  testimonial2Quote: 'I changed our interview questions the next day.',
  testimonial2Attribution: 'HR manager',
  testimonial3Quote: '',
  testimonial3Attribution: '',
};

eachDatabase('back office: courses', (dialect) => {
  let t: TestApp;
  let coordinator: WebClient;
  let viewer: WebClient;
  let coordinatorId: number;
  let topicIds: number[];
  let audienceIds: number[];

  const db = () => t.database.db;
  const courseBySlug = (slug: string) =>
    db().selectFrom('courses').where('slug', '=', slug).selectAll().executeTakeFirst();
  const auditOf = (action: string, entityId?: number) => {
    let query = db().selectFrom('audit_log').where('action', '=', action);
    if (entityId !== undefined) query = query.where('entity_id', '=', entityId);
    return query.selectAll().orderBy('id').execute();
  };
  const count = async (table: 'courses' | 'audit_log') =>
    Number(
      (
        await db()
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await createTestApp(dialect);
    coordinator = await signedInStaff(t, 'coordinator');
    viewer = await signedInStaff(t, 'viewer');
    coordinatorId = (
      await db()
        .selectFrom('staff_users')
        .where('role', '=', 'coordinator')
        .select('id')
        .executeTakeFirstOrThrow()
    ).id;
    topicIds = (await db().selectFrom('topics').select('id').orderBy('id').execute()).map((r) => r.id);
    audienceIds = (await db().selectFrom('audiences').select('id').orderBy('id').execute()).map((r) => r.id);
  });
  afterAll(() => t.close());

  const validEntries = (overrides: Record<string, string> = {}): [string, string][] => [
    ...Object.entries({ ...VALID, ...overrides }),
    ['topics', String(topicIds[0])],
    ['topics', String(topicIds[1])],
    ['audiences', String(audienceIds[2])],
  ];

  describe('creating a course', () => {
    it('saves every fact, list, topic and testimonial, makes a slug, and audits it', async () => {
      const form = parsePage((await coordinator.get('/admin/courses/new')).body);
      expect(form.h1()).toBe('Create a course');
      // Two blank testimonial rows to fill in, and both buttons.
      expect(form.document.querySelector('#testimonial2Quote')).not.toBeNull();
      expect(form.document.querySelector('#testimonial3Quote')).toBeNull();
      expect(form.document.querySelector('button[name="action"][value="preview"]')?.textContent).toContain(
        'Preview description',
      );

      const response = await submitEntries(
        coordinator,
        '/admin/courses/new',
        '/admin/courses/new',
        validEntries(),
      );
      expect(response.statusCode).toBe(303);
      const course = await courseBySlug('safer-recruitment-in-practice');
      expect(course).toBeDefined();
      expect(response.headers.location).toBe(`/admin/courses/${course!.id}?done=created`);
      expect(course).toMatchObject({
        title: VALID.title,
        summary: VALID.summary,
        level: 'intermediate',
        cpd_hours: 5.5,
        archived_at: null,
        audience: VALID.audience,
        content_notes: VALID.contentNotes,
      });

      const keyAreas = await db()
        .selectFrom('course_key_areas')
        .where('course_id', '=', course!.id)
        .select('text')
        .orderBy('position')
        .execute();
      expect(keyAreas.map((r) => r.text)).toEqual([
        'The law and guidance',
        'Checks and references',
        'Interviewing',
      ]);
      const testimonials = await db()
        .selectFrom('course_testimonials')
        .where('course_id', '=', course!.id)
        .select(['quote', 'published_at'])
        .orderBy('position')
        .execute();
      expect(testimonials).toHaveLength(2);
      expect(testimonials[0]).toMatchObject({ quote: 'Practical and clear.', published_at: TEST_NOW });
      expect(testimonials[1]).toMatchObject({ published_at: null });
      const topics = await db()
        .selectFrom('course_topics')
        .where('course_id', '=', course!.id)
        .select('topic_id')
        .execute();
      expect(topics.map((r) => r.topic_id).sort()).toEqual([topicIds[0], topicIds[1]].sort());

      const [audit] = await auditOf('course_created', course!.id);
      expect(audit).toMatchObject({ actor_type: 'staff', actor_id: coordinatorId, entity_type: 'course' });
      expect(JSON.parse(audit!.details)).toMatchObject({ slug: 'safer-recruitment-in-practice' });

      // The next page says it worked; the public page shows only the testimonial given with consent.
      const page = parsePage((await coordinator.get(response.headers.location as string)).body);
      expect(page.text('.govuk-notification-banner')).toContain('Course created');
      expect(page.h1()).toBe(VALID.title);
      const publicPage = await t.app.inject({ method: 'GET', url: '/courses/safer-recruitment-in-practice' });
      expect(publicPage.statusCode).toBe(200);
      expect(publicPage.body).toContain('Practical and clear.');
      expect(publicPage.body).not.toContain('I changed our interview questions');
    });

    it('keeps slugs unique: the same title again gets -2', async () => {
      const response = await submitEntries(
        coordinator,
        '/admin/courses/new',
        '/admin/courses/new',
        validEntries({ summary: 'A second run with a different summary.' }),
      );
      expect(response.statusCode).toBe(303);
      expect(await courseBySlug('safer-recruitment-in-practice-2')).toMatchObject({
        summary: 'A second run with a different summary.',
      });
    });

    it('refuses bad input by the field, keeps everything typed, and saves nothing', async () => {
      const before = { courses: await count('courses'), audit: await count('audit_log') };
      const response = await submitEntries(coordinator, '/admin/courses/new', '/admin/courses/new', [
        ['title', '   '],
        ['summary', 'x'.repeat(301)],
        ['description', 'Kept *as typed*, every word of it.'],
        ['keyAreas', '\n  \n'],
        ['learningOutcomes', ''],
        ['cpdHours', '2.25'],
        ['testimonial1Quote', 'A quote with nobody to say it'],
        ['testimonial1Attribution', ''],
        ['testimonial2Quote', ''],
        ['testimonial2Attribution', 'Someone with no quote'],
        ['topics', 'not-a-topic'],
      ]);
      expect(response.statusCode).toBe(400);
      const page = parsePage(response.body);
      const summary = page.text('.govuk-error-summary');
      for (const message of [
        'Enter the course title',
        'The summary must be 300 characters or fewer',
        'Choose the course’s level',
        'Choose topics from the list',
        'Enter at least one key area',
        'Enter at least one learning outcome',
        'Enter the CPD hours as a number in whole or half hours',
        'Enter who said it',
        'Enter the quote, or clear who said it',
      ]) {
        expect(summary).toContain(message);
      }
      // Messages sit by their fields, and the summary links to them.
      expect(page.text('#cpdHours-error')).toContain('whole or half hours');
      expect(page.text('#testimonial1Attribution-error')).toContain('Enter who said it');
      expect(page.links('.govuk-error-summary a').map((l) => l.href)).toContain('#testimonial2Quote');
      // What was typed is still there.
      const value = (selector: string) =>
        page.document.querySelector(selector)?.getAttribute('value') ?? page.text(selector);
      expect(page.text('#description')).toBe('Kept *as typed*, every word of it.');
      expect(page.text('#summary')).toBe('x'.repeat(301));
      expect(value('#cpdHours')).toBe('2.25');
      expect(page.text('#testimonial1Quote')).toBe('A quote with nobody to say it');
      expect(value('#testimonial2Attribution')).toBe('Someone with no quote');
      expect(await count('courses')).toBe(before.courses);
      expect(await count('audit_log')).toBe(before.audit);
    });

    it('refuses CPD hours out of range or not a number', async () => {
      for (const [cpdHours, message] of [
        ['101', 'CPD hours must be 100 or fewer'],
        ['-1', 'whole or half hours'],
        ['five', 'whole or half hours'],
        ['', 'Enter the CPD hours'],
      ] as const) {
        const response = await submitEntries(
          coordinator,
          '/admin/courses/new',
          '/admin/courses/new',
          validEntries({ cpdHours }),
        );
        expect(response.statusCode, cpdHours).toBe(400);
        expect(parsePage(response.body).text('#cpdHours-error'), cpdHours).toContain(message);
      }
    });

    it('refuses a title over 120 characters, control characters, and a level not in the list', async () => {
      const long = await submitEntries(
        coordinator,
        '/admin/courses/new',
        '/admin/courses/new',
        validEntries({ title: 'T'.repeat(121), level: 'expert' }),
      );
      expect(long.statusCode).toBe(400);
      const page = parsePage(long.body);
      expect(page.text('#title-error')).toContain('120 characters or fewer');
      expect(page.text('#level-error')).toContain('Choose the course’s level');
      expect(page.document.querySelector('#title')?.getAttribute('value')).toBe('T'.repeat(121));

      const control = await submitEntries(
        coordinator,
        '/admin/courses/new',
        '/admin/courses/new',
        validEntries({ title: 'Bad\u0000title' }),
      );
      expect(control.statusCode).toBe(400);
      expect(parsePage(control.body).text('#title-error')).toContain('Remove the special characters');
    });
  });

  describe('previewing Markdown', () => {
    it('shows the description, content notes and practical notes rendered and sanitised, keeps the form, saves nothing', async () => {
      const before = await count('courses');
      const response = await submitEntries(coordinator, '/admin/courses/new', '/admin/courses/new', [
        ['action', 'preview'],
        ['title', ''],
        ['description', '## What you will do\n\n* **Practise** interviews\n\n<script>alert(1)</script>'],
        ['contentNotes', 'You can step out at any time.'],
        ['practicalNotes', '[Map](https://example.org/map)'],
        ['keyAreas', 'One\nTwo'],
        ['topics', String(topicIds[3])],
        ['testimonial1Quote', 'Kept through preview'],
        ['testimonial1Attribution', 'Anonymous'],
        ['testimonial1Consent', 'yes'],
      ]);
      expect(response.statusCode).toBe(200);
      const page = parsePage(response.body);
      // A preview is not a failed save: no error summary, even with no title yet.
      expect(page.document.querySelector('.govuk-error-summary')).toBeNull();
      const preview = page.document.querySelector('#preview-heading')?.parentElement;
      expect(preview?.querySelector('h2')?.textContent).toBe('Preview');
      expect(preview?.querySelector('.trellis-prose strong')?.textContent).toBe('Practise');
      expect(preview?.querySelector('a[href="https://example.org/map"]')).not.toBeNull();
      expect(preview?.textContent).toContain('You can step out at any time.');
      expect(response.body).not.toContain('<script>alert(1)</script>');
      // Everything typed is still in the form, with two blank rows after the testimonial.
      // (Escaped in the textarea, which a browser shows as typed.)
      expect(page.document.querySelector('#description')?.textContent).toContain(
        '&lt;script&gt;alert(1)&lt;/script&gt;',
      );
      expect(page.text('#keyAreas')).toBe('One Two');
      expect(
        page.document.querySelector(`input[name="topics"][value="${topicIds[3]}"]`)?.hasAttribute('checked'),
      ).toBe(true);
      expect(page.text('#testimonial1Quote')).toBe('Kept through preview');
      expect(page.document.querySelector('input[name="testimonial1Consent"]')?.hasAttribute('checked')).toBe(
        true,
      );
      expect(page.document.querySelector('#testimonial3Quote')).not.toBeNull();
      expect(await count('courses')).toBe(before);
    });
  });

  describe('editing a course', () => {
    it('shows the course prefilled, saves changes without changing the slug, and audits the fields changed', async () => {
      const course = (await courseBySlug('safer-recruitment-in-practice'))!;
      const editUrl = `/admin/courses/${course.id}/edit`;
      const form = parsePage((await coordinator.get(editUrl)).body);
      expect(form.h1()).toBe('Edit course');
      expect(form.document.querySelector('#title')?.getAttribute('value')).toBe(VALID.title);
      expect(form.text('#keyAreas')).toBe('The law and guidance Checks and references Interviewing');
      expect(form.document.querySelector('#cpdHours')?.getAttribute('value')).toBe('5.5');
      expect(
        form.document.querySelector('input[name="level"][value="intermediate"]')?.hasAttribute('checked'),
      ).toBe(true);
      expect(form.document.querySelector('input[name="testimonial1Consent"]')?.hasAttribute('checked')).toBe(
        true,
      );
      expect(form.document.querySelector('input[name="testimonial2Consent"]')?.hasAttribute('checked')).toBe(
        false,
      );
      // Existing testimonials plus two blank rows.
      expect(form.document.querySelector('#testimonial4Quote')).not.toBeNull();
      expect(form.document.querySelector('#testimonial5Quote')).toBeNull();

      const response = await submitEntries(coordinator, editUrl, editUrl, [
        ...Object.entries({ ...VALID, title: 'Safer Recruitment: the Essentials', cpdHours: '6' }),
        ['topics', String(topicIds[0])],
        ['topics', String(topicIds[1])],
        ['audiences', String(audienceIds[2])],
      ]);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe(`/admin/courses/${course.id}?done=saved`);
      const saved = (await db()
        .selectFrom('courses')
        .where('id', '=', course.id)
        .selectAll()
        .executeTakeFirst())!;
      expect(saved).toMatchObject({
        title: 'Safer Recruitment: the Essentials',
        cpd_hours: 6,
        slug: course.slug,
      });
      // A testimonial already published keeps the date consent was recorded.
      const [first] = await db()
        .selectFrom('course_testimonials')
        .where('course_id', '=', course.id)
        .select('published_at')
        .orderBy('position')
        .execute();
      expect(first?.published_at).toBe(TEST_NOW);

      const [audit] = await auditOf('course_updated', course.id);
      const details = JSON.parse(audit!.details);
      expect(details.changed).toEqual(['title', 'cpdHours']);
      expect(details.before).toEqual({ title: VALID.title, cpdHours: 5.5 });
      expect(details.after).toEqual({ title: 'Safer Recruitment: the Essentials', cpdHours: 6 });

      // The public address still works, with the new title.
      const publicPage = await t.app.inject({ method: 'GET', url: `/courses/${course.slug}` });
      expect(publicPage.statusCode).toBe(200);
      expect(parsePage(publicPage.body).h1()).toBe('Safer Recruitment: the Essentials');
    });

    it('removes a testimonial whose boxes are cleared, and publishes one when consent is ticked', async () => {
      const course = (await courseBySlug('safer-recruitment-in-practice'))!;
      const editUrl = `/admin/courses/${course.id}/edit`;
      const response = await submitEntries(coordinator, editUrl, editUrl, [
        ...Object.entries({
          ...VALID,
          title: 'Safer Recruitment: the Essentials',
          cpdHours: '6',
          testimonial1Quote: '',
          testimonial1Attribution: '',
          testimonial2Consent: 'yes',
        }),
        ['topics', String(topicIds[0])],
        ['topics', String(topicIds[1])],
        ['audiences', String(audienceIds[2])],
      ]);
      expect(response.statusCode).toBe(303);
      const testimonials = await db()
        .selectFrom('course_testimonials')
        .where('course_id', '=', course.id)
        .select(['quote', 'published_at'])
        .execute();
      expect(testimonials).toEqual([{ quote: VALID.testimonial2Quote, published_at: TEST_NOW }]);
      const audits = await auditOf('course_updated', course.id);
      expect(JSON.parse(audits.at(-1)!.details).changed).toEqual(['testimonials']);
    });

    it('saves nothing and says so when nothing changed', async () => {
      const course = (await courseBySlug('safer-recruitment-in-practice-2'))!;
      const before = await count('audit_log');
      const editUrl = `/admin/courses/${course.id}/edit`;
      // Send the form back exactly as it came.
      const entries = await formEntries(coordinator, editUrl, editUrl);
      const response = await submitEntries(coordinator, editUrl, editUrl, entries);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe(`/admin/courses/${course.id}?done=unchanged`);
      expect(await count('audit_log')).toBe(before);
      const page = parsePage((await coordinator.get(response.headers.location as string)).body);
      expect(page.text('.govuk-notification-banner')).toContain('Nothing had changed');
    });

    it('refuses bad input, keeps what was typed, and leaves the course as it was', async () => {
      const course = (await courseBySlug('safer-recruitment-in-practice-2'))!;
      const editUrl = `/admin/courses/${course.id}/edit`;
      const response = await submitEntries(coordinator, editUrl, editUrl, [
        ...Object.entries({ ...VALID, summary: '', learningOutcomes: '', title: 'A new title I typed' }),
      ]);
      expect(response.statusCode).toBe(400);
      const page = parsePage(response.body);
      expect(page.text('#summary-error')).toContain('Enter a summary');
      expect(page.text('#learningOutcomes-error')).toContain('Enter at least one learning outcome');
      expect(page.document.querySelector('#title')?.getAttribute('value')).toBe('A new title I typed');
      expect((await courseBySlug(course.slug))!.title).toBe(course.title);
    });

    it('is a 404 for a course that does not exist', async () => {
      expect((await coordinator.get('/admin/courses/999999/edit')).statusCode).toBe(404);
      expect((await coordinator.get('/admin/courses/abc')).statusCode).toBe(404);
    });
  });

  describe('duplicating a course', () => {
    it('copies facts, lists and topics, not sessions; archived with testimonials unpublished; opens its edit page', async () => {
      const original = (await courseBySlug('trauma-informed-co-production'))!;
      const response = await coordinator.submit(
        `/admin/courses/${original.id}`,
        {},
        `/admin/courses/${original.id}/duplicate`,
      );
      expect(response.statusCode).toBe(303);
      const copy = (await courseBySlug('trauma-informed-co-production-copy'))!;
      expect(response.headers.location).toBe(`/admin/courses/${copy.id}/edit?done=duplicated`);
      expect(copy).toMatchObject({
        title: `${original.title} (copy)`,
        summary: original.summary,
        description: original.description,
        cpd_hours: original.cpd_hours,
        level: original.level,
      });
      expect(copy.archived_at).toBe(TEST_NOW);

      const lists = async (courseId: number) => ({
        outcomes: (
          await db()
            .selectFrom('course_learning_outcomes')
            .where('course_id', '=', courseId)
            .select('text')
            .orderBy('position')
            .execute()
        ).map((r) => r.text),
        topics: (
          await db()
            .selectFrom('course_topics')
            .where('course_id', '=', courseId)
            .select('topic_id')
            .execute()
        )
          .map((r) => r.topic_id)
          .sort(),
        testimonials: await db()
          .selectFrom('course_testimonials')
          .where('course_id', '=', courseId)
          .select(['quote', 'published_at'])
          .execute(),
        sessions: (await db().selectFrom('sessions').where('course_id', '=', courseId).select('id').execute())
          .length,
      });
      const [from, to] = [await lists(original.id), await lists(copy.id)];
      expect(to.outcomes).toEqual(from.outcomes);
      expect(to.outcomes).toHaveLength(10);
      expect(to.topics).toEqual(from.topics);
      expect(to.testimonials.map((r) => r.quote)).toEqual(from.testimonials.map((r) => r.quote));
      expect(to.testimonials.every((r) => r.published_at === null)).toBe(true);
      expect(to.sessions).toBe(0);
      expect(from.sessions).toBeGreaterThan(0);

      const [audit] = await auditOf('course_duplicated', copy.id);
      expect(JSON.parse(audit!.details)).toMatchObject({ fromCourseId: original.id });

      const edit = parsePage((await coordinator.get(response.headers.location as string)).body);
      expect(edit.text('.govuk-notification-banner')).toContain('It is archived');
      // Not public until restored.
      expect((await t.app.inject({ method: 'GET', url: `/courses/${copy.slug}` })).statusCode).toBe(404);
    });
  });

  it('gives a copy that has never been public an address from its new title; a published course keeps its own', async () => {
    const copy = (await courseBySlug('trauma-informed-co-production-copy'))!;
    const editUrl = `/admin/courses/${copy.id}/edit`;
    expect(parsePage((await coordinator.get(editUrl)).body).text()).toContain(
      'This copy has never been public',
    );
    const entries = (await formEntries(coordinator, editUrl, editUrl)).map(
      ([name, value]): [string, string] =>
        name === 'title' ? [name, 'Co-Production for Commissioners'] : [name, value],
    );
    const response = await submitEntries(coordinator, editUrl, editUrl, entries);
    expect(response.statusCode).toBe(303);
    const saved = (await db()
      .selectFrom('courses')
      .where('id', '=', copy.id)
      .selectAll()
      .executeTakeFirst())!;
    expect(saved.slug).toBe('co-production-for-commissioners');
    expect(saved.archived_at).not.toBeNull();
    const [audit] = await auditOf('course_updated', copy.id);
    expect(JSON.parse(audit!.details)).toMatchObject({
      changed: ['title'],
      slug: { before: 'trauma-informed-co-production-copy', after: 'co-production-for-commissioners' },
    });
  });

  describe('archiving and restoring', () => {
    it('refuses to archive a course whose sessions still to run have delegates, naming how many', async () => {
      const course = (await courseBySlug('trauma-informed-co-production'))!;
      const booked = await db()
        .selectFrom('sessions')
        .where('course_id', '=', course.id)
        .where('ends_at', '>', TEST_NOW)
        .where('cancelled_at', 'is', null)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('bookings')
              .whereRef('bookings.session_id', '=', 'sessions.id')
              .where('state', 'in', ['confirmed', 'offered', 'waitlisted'])
              .select('bookings.id'),
          ),
        )
        .select('id')
        .execute();
      expect(booked.length).toBeGreaterThan(0);
      const before = await count('audit_log');
      const response = await coordinator.submit(
        `/admin/courses/${course.id}`,
        {},
        `/admin/courses/${course.id}/archive`,
      );
      expect(response.statusCode).toBe(409);
      const page = parsePage(response.body);
      const problem = page.text('.govuk-error-summary');
      expect(problem).toContain('The course was not archived');
      expect(problem).toContain(
        `${booked.length} ${booked.length === 1 ? 'session' : 'sessions'} still to run`,
      );
      expect(problem).toContain('Cancel');
      expect(page.links('.govuk-error-summary a')[0]?.href).toBe('#upcoming-sessions');
      expect((await courseBySlug(course.slug))!.archived_at).toBeNull();
      expect(await count('audit_log')).toBe(before);
    });

    it('archives a course with no one booked: gone from the catalogue, its dates not bookable; restores it', async () => {
      const course = (await courseBySlug('safer-recruitment-in-practice'))!;
      const venue = await db().selectFrom('venues').select('id').orderBy('id').executeTakeFirstOrThrow();
      const sessionId = await new ProgrammeRecords(db()).createSession(
        {
          courseId: course.id,
          format: 'in_person',
          venueId: venue.id,
          onlineJoiningUrl: null,
          capacity: 20,
          parts: [
            {
              startsAt: londonToInstant('2026-03-04', '09:30'),
              endsAt: londonToInstant('2026-03-04', '12:30'),
            },
          ],
          trainerIds: [],
          notes: '',
          bookingOpensAt: null,
          bookingClosesAt: null,
        },
        new Date(TEST_NOW),
      );
      const before = parsePage((await t.app.inject({ method: 'GET', url: `/sessions/${sessionId}` })).body);
      expect(before.text()).toContain('Book a place');

      const response = await coordinator.submit(
        `/admin/courses/${course.id}`,
        {},
        `/admin/courses/${course.id}/archive`,
      );
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe(`/admin/courses/${course.id}?done=archived`);
      expect((await courseBySlug(course.slug))!.archived_at).toBe(TEST_NOW);
      expect(await auditOf('course_archived', course.id)).toHaveLength(1);

      const page = parsePage((await coordinator.get(response.headers.location as string)).body);
      expect(page.text('.govuk-notification-banner')).toContain('Course archived');
      expect(
        page.document.querySelector(`form[action="/admin/courses/${course.id}/restore"]`),
      ).not.toBeNull();

      // The public side: no course page, not in the catalogue, the date not offered for booking.
      expect((await t.app.inject({ method: 'GET', url: `/courses/${course.slug}` })).statusCode).toBe(404);
      const catalogue = await t.app.inject({ method: 'GET', url: '/courses?q=safer' });
      expect(catalogue.body).not.toContain(`/sessions/${sessionId}"`);
      const sessionPage = parsePage(
        (await t.app.inject({ method: 'GET', url: `/sessions/${sessionId}` })).body,
      );
      expect(sessionPage.text()).not.toContain('Book a place');
      expect(sessionPage.text()).toContain('Booking for this date has closed');

      const restored = await coordinator.submit(
        `/admin/courses/${course.id}`,
        {},
        `/admin/courses/${course.id}/restore`,
      );
      expect(restored.statusCode).toBe(303);
      expect(restored.headers.location).toBe(`/admin/courses/${course.id}?done=restored`);
      expect((await courseBySlug(course.slug))!.archived_at).toBeNull();
      const [audit] = await auditOf('course_restored', course.id);
      expect(JSON.parse(audit!.details)).toMatchObject({ archivedAt: TEST_NOW });
      expect((await t.app.inject({ method: 'GET', url: `/courses/${course.slug}` })).statusCode).toBe(200);
      expect(
        parsePage((await t.app.inject({ method: 'GET', url: `/sessions/${sessionId}` })).body).text(),
      ).toContain('Book a place');
    });
  });

  describe('the list and the course page', () => {
    it('lists live courses by default with their sessions to come, searches by words, and filters archived', async () => {
      const list = parsePage((await coordinator.get('/admin/courses')).body);
      expect(list.h1()).toBe('Courses');
      expect(list.links('main a').some((l) => l.text === 'Create a course')).toBe(true);
      const rows = list.listItems('main tbody tr');
      expect(rows.some((row) => row.startsWith('Trauma Informed Co-Production '))).toBe(true);
      expect(rows.some((row) => row.startsWith('Co-Production for Commissioners'))).toBe(false);
      const course = (await courseBySlug('trauma-informed-co-production'))!;
      const upcoming = await db()
        .selectFrom('sessions')
        .where('course_id', '=', course.id)
        .where('starts_at', '>=', TEST_NOW)
        .where('cancelled_at', 'is', null)
        .select('id')
        .execute();
      expect(upcoming.length).toBeGreaterThan(0);
      const demo = rows.find((row) => row.startsWith('Trauma Informed Co-Production '));
      expect(demo).toBe(`Trauma Informed Co-Production Intermediate ${upcoming.length} Live`);

      // Every word must match, in any case and order.
      const searched = parsePage((await coordinator.get('/admin/courses?q=co-production+TRAUMA')).body);
      const found = searched.listItems('main tbody tr');
      expect(found.some((row) => row.startsWith('Trauma Informed Co-Production '))).toBe(true);
      expect(found.length).toBeLessThan(rows.length);
      expect(searched.document.querySelector('#q')?.getAttribute('value')).toBe('co-production TRAUMA');
      const nothing = parsePage((await coordinator.get('/admin/courses?q=100%25_off')).body);
      expect(nothing.listItems('main tbody tr')).toHaveLength(0);

      const archived = parsePage((await coordinator.get('/admin/courses?status=archived')).body);
      const archivedRows = archived.listItems('main tbody tr');
      expect(archivedRows).toHaveLength(1);
      expect(archivedRows[0]).toContain('Co-Production for Commissioners');
      expect(archivedRows[0]).toContain('Archived');
      const all = parsePage((await coordinator.get('/admin/courses?status=all')).body);
      expect(all.listItems('main tbody tr').length).toBe(rows.length + 1);
    });

    it('shows a course’s facts, sessions with their back-office links, and the public link', async () => {
      const course = (await courseBySlug('trauma-informed-co-production'))!;
      const page = parsePage((await coordinator.get(`/admin/courses/${course.id}`)).body);
      expect(page.h1()).toBe(course.title);
      const links = page.links();
      expect(links.some((l) => l.href === `/courses/${course.slug}`)).toBe(true);
      expect(links.some((l) => l.href === `/admin/sessions/new?courseId=${course.id}`)).toBe(true);
      expect(links.some((l) => l.href === `/admin/courses/${course.id}/edit`)).toBe(true);
      const sessions = await db()
        .selectFrom('sessions')
        .where('course_id', '=', course.id)
        .select('id')
        .execute();
      for (const session of sessions) {
        expect(links.some((l) => l.href === `/admin/sessions/${session.id}`)).toBe(true);
      }
      expect(page.text()).toContain('Recent sessions');
      expect(page.text()).toContain('Identify strategies to collectively care for all those involved.');
    });

    it('lets a viewer read the list and a course, without the buttons that change them', async () => {
      const course = (await courseBySlug('trauma-informed-co-production'))!;
      const list = parsePage((await viewer.get('/admin/courses')).body);
      expect(list.h1()).toBe('Courses');
      expect(list.links().some((l) => l.text === 'Create a course')).toBe(false);
      const page = parsePage((await viewer.get(`/admin/courses/${course.id}`)).body);
      expect(page.h1()).toBe(course.title);
      expect(page.document.querySelectorAll('main form[method="post"]')).toHaveLength(0);
      expect(
        page.links().some((l) => l.href.endsWith('/edit') || l.href.startsWith('/admin/sessions/new')),
      ).toBe(false);
      expect((await viewer.get('/admin/courses/new')).statusCode).toBe(404);
    });

    it('is a 404 for a trainer', async () => {
      const trainer = await signedInStaff(t, 'trainer', 'lisa-cherry');
      const course = (await courseBySlug('trauma-informed-co-production'))!;
      expect((await trainer.get('/admin/courses')).statusCode).toBe(404);
      expect((await trainer.get(`/admin/courses/${course.id}`)).statusCode).toBe(404);
    });
  });
});
