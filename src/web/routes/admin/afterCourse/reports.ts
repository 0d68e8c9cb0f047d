/**
 * Reports: places taken, attendance and late cancellations, in total and by
 * organisation type, organisation, job role, and by course or session; then
 * feedback (web/reports/feedback.ts): response rates, usefulness, and confidence
 * on each learning outcome as a chart beside its table; then the three-month
 * follow-up (web/reports/followUp.ts): who was asked and answered, by course
 * and by agency, and whether practice changed in each key area, as a chart
 * beside its table. Each
 * downloads as a CSV (one row per group, then one per learning outcome, then
 * the follow-up's) and prints without the menus.
 *
 *   GET /admin/reports                                 the year report for the board (?year=2025)
 *   GET /admin/reports/year.csv                        its download
 *   GET /admin/reports/course                          a course over a period (?course=…&from-day=…)
 *   GET /admin/reports/course.csv                      its download
 *   GET /admin/reports/sessions/:sessionId             a session's report (trainers: their own)
 *   GET /admin/reports/sessions/:sessionId/report.csv  its download
 */
import type { FastifyInstance, FastifyReply } from 'fastify';

import {
  DATE_INPUT_PARTS,
  dateInputValues,
  readDateInput,
  type DateInputPart,
} from '../../../../domain/time/dateInput.js';
import { TOO_FEW_TO_READ_INTO } from '../../../../domain/afterCourse/reports.js';
import { formatDate, formatMoment, londonDate } from '../../../../domain/time/time.js';
import { FormError, NotFoundError } from '../../../../errors.js';
import { csvStream, type CsvColumn } from '../../../../formats/csv.js';
import type { Figures, Report, ReportSection } from '../../../../services/afterCourse/reportService.js';
import type { Services } from '../../../../services/index.js';
import { sendCsv } from '../../../formats/csvDownload.js';
import { dateInputParams, linkDateErrors } from '../../../dateInput.js';
import { formErrors } from '../../../forms.js';
import {
  FEEDBACK_CSV_COLUMNS,
  feedbackView,
  rateWords,
  severalCourses,
  type FeedbackCsvRow,
} from '../../../reports/feedback.js';
import {
  FOLLOW_UP_CSV_COLUMNS,
  followUpCsvRows,
  followUpView,
  type FollowUpCsvRow,
} from '../../../reports/followUp.js';
import { GROUPING_WORDS, rowName } from '../../../reports/groupings.js';
import { meanWords } from '../../../reports/scaleChart.js';
import { requireStaff } from '../auth.js';

interface ShownRow {
  name: string;
  figures: Figures;
  /** The feedback response rate and mean usefulness, in words. */
  rate: string;
  usefulnessMean: string;
}

interface ShownSection {
  grouping: ReportSection['grouping'];
  heading: string;
  column: string;
  rows: ShownRow[];
}

/** The report's sections as pages and downloads show them: most places first, then by name. */
function shownSections(report: Report): ShownSection[] {
  return report.sections.map((section) => ({
    grouping: section.grouping,
    ...GROUPING_WORDS[section.grouping],
    rows: section.rows
      .map((row) => ({
        name: rowName(section.grouping, row.label),
        figures: row.figures,
        rate: rateWords(row.figures.feedback.rate),
        usefulnessMean: meanWords(row.figures.feedback.usefulness.mean),
      }))
      .sort((a, b) =>
        section.grouping === 'session'
          ? 0
          : b.figures.places - a.figures.places || a.name.localeCompare(b.name, 'en-GB'),
      ),
  }));
}

/** A row of the download: a group's figures, a learning outcome's answers, or the follow-up's figures. */
type CsvRow = { group: string; name: string; figures?: Figures } & FeedbackCsvRow & FollowUpCsvRow;

/** An attendance figure, empty on a learning outcome's or the follow-up's row. */
function count(pick: (figures: Figures) => number): (row: CsvRow) => string | undefined {
  return (row) => row.figures && String(pick(row.figures));
}

const CSV_COLUMNS: CsvColumn<CsvRow>[] = [
  { header: 'Grouped by', value: (row) => row.group },
  { header: 'Name', value: (row) => row.name },
  { header: 'Places taken', value: count((f) => f.places) },
  { header: 'Attended', value: count((f) => f.attended) },
  { header: 'Partly attended', value: count((f) => f.partial) },
  { header: 'Did not attend', value: count((f) => f.didNotAttend) },
  { header: 'Attendance not marked', value: count((f) => f.notMarked) },
  { header: 'Late cancellations', value: count((f) => f.lateCancellations) },
  {
    header: `Too few to read into (under ${TOO_FEW_TO_READ_INTO})`,
    value: (row) => row.figures && (row.figures.tooFew ? 'Yes' : 'No'),
  },
  ...FEEDBACK_CSV_COLUMNS,
  ...FOLLOW_UP_CSV_COLUMNS,
];

function csvRows(report: Report): CsvRow[] {
  const figuresRow = (group: string, name: string, figures: Figures): CsvRow => ({
    group,
    name,
    figures,
    feedback: figures.feedback,
  });
  // The year's outcomes are of several courses: each row says whose.
  const whose = severalCourses(report);
  return [
    figuresRow('Total', 'All', report.total),
    ...shownSections(report).flatMap((section) =>
      section.rows.map((row) => figuresRow(section.column, row.name, row.figures)),
    ),
    ...report.outcomes.flatMap((course) =>
      course.outcomes.map((outcome) => ({
        group: 'Learning outcome',
        name: whose ? `${course.courseTitle}: ${outcome.wording}` : outcome.wording,
        outcome,
      })),
    ),
    ...followUpCsvRows(report),
  ];
}

const DATES = (['from', 'to'] as const).map((id) => ({
  id,
  names: Object.fromEntries(DATE_INPUT_PARTS.map((part) => [part, `${id}-${part}`])) as Record<
    DateInputPart,
    string
  >,
  words: id === 'from' ? 'first date' : 'last date',
}));

function boxValues(id: 'from' | 'to', date: string): Record<string, string> {
  const boxes = dateInputValues(date);
  return Object.fromEntries(DATE_INPUT_PARTS.map((part) => [`${id}-${part}`, boxes[part]]));
}

/** The course report's form as typed: the course and two dates, read with messages by field. */
function readCourseForm(query: Record<string, unknown>) {
  const text = (name: string) =>
    typeof query[name] === 'string' ? (query[name] as string).slice(0, 40) : '';
  const values: Record<string, string> = { course: text('course') };
  const fields: Record<string, string> = {};
  const dates: Partial<Record<'from' | 'to', string>> = {};
  for (const group of DATES) {
    for (const name of Object.values(group.names)) values[name] = text(name);
    const typed = Object.fromEntries(DATE_INPUT_PARTS.map((part) => [part, values[group.names[part]] ?? '']));
    const reading = readDateInput(typed, `The ${group.words}`);
    if (reading.kind === 'empty') fields[group.id] = `Enter the ${group.words}`;
    else if (reading.kind === 'problem') fields[group.id] = reading.message;
    else dates[group.id] = reading.date;
  }
  const courseId = /^\d{1,9}$/.test(values.course ?? '') ? Number(values.course) : null;
  if (courseId === null) fields.course = 'Choose a course';
  return { values, fields, courseId, from: dates.from, to: dates.to };
}

/** "?year=2025" as a year, undefined when absent; NotFoundError for anything else. */
function readYear(query: Record<string, unknown>): number | undefined {
  const year = query.year;
  if (year === undefined) return undefined;
  // Trellis began long after 2000: any year before it has nothing to report.
  if (typeof year !== 'string' || !/^(20|21)\d{2}$/.test(year)) throw new NotFoundError('report');
  return Number(year);
}

export default async function adminReportRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const reports = services.reports;

  async function renderCourseChooser(reply: FastifyReply, values: Record<string, string>, error?: FormError) {
    const courses = await reports.courses();
    return reply.page(
      'pages/admin/reports/course-chooser.njk',
      {
        pageTitle: 'Report on a course',
        courses: [
          { value: '', text: 'Choose a course' },
          ...courses.map((course) => ({
            value: String(course.id),
            text: course.title,
            selected: values.course === String(course.id),
          })),
        ],
        dates: DATES.map((group) =>
          dateInputParams(group, values, error?.fields[group.id], {
            legend: group.id === 'from' ? 'First date' : 'Last date',
            hint:
              group.id === 'from'
                ? 'Sessions starting on or after this date. For example, 1 4 2026'
                : 'Sessions starting on or before this date, at most 2 years after the first date. For example, 31 3 2027',
          }),
        ),
        courseError: error?.fields.course,
        errors: error
          ? linkDateErrors(formErrors(error.fields, ['course', 'from', 'to']), DATES, values)
          : null,
      },
      error ? 400 : 200,
    );
  }

  /** The chooser with the current reporting year filled in: what a course's report is most often asked for. */
  async function renderBareChooser(reply: FastifyReply) {
    const year = await reports.currentReportingYear();
    return renderCourseChooser(reply, { ...boxValues('from', year.from), ...boxValues('to', year.to) });
  }

  /** The course report's figures, or the chooser again with what was wrong. */
  async function courseReport(query: Record<string, unknown>, reply: FastifyReply) {
    const form = readCourseForm(query);
    const { values, fields, courseId, from, to } = form;
    if (Object.keys(fields).length || courseId === null || !from || !to) {
      return { page: await renderCourseChooser(reply, values, new FormError(fields)) };
    }
    try {
      const result = await reports.courseReport(courseId, { from, to });
      return { result, from, to, values };
    } catch (error) {
      if (error instanceof NotFoundError) {
        return {
          page: await renderCourseChooser(reply, values, new FormError({ course: 'Choose a course' })),
        };
      }
      if (error instanceof FormError) return { page: await renderCourseChooser(reply, values, error) };
      throw error;
    }
  }

  app.get('/admin/reports', { preHandler: requireStaff('readReports') }, async (request, reply) => {
    const { year, report } = await reports.yearReport(readYear(request.query as Record<string, unknown>));
    const current = await reports.currentReportingYear();
    return reply.page('pages/admin/reports/year.njk', {
      pageTitle: `Year report: ${year.words}`,
      year,
      report,
      sections: shownSections(report),
      feedback: feedbackView(report),
      followUp: followUpView(report),
      tooFew: TOO_FEW_TO_READ_INTO,
      earlier: year.startYear - 1,
      later: year.startYear < current.startYear ? year.startYear + 1 : null,
    });
  });

  // No HEAD on downloads: it would count the report for nothing.
  app.get(
    '/admin/reports/year.csv',
    { preHandler: requireStaff('readReports'), exposeHeadRoute: false },
    async (request, reply) => {
      const { year, report } = await reports.yearReport(readYear(request.query as Record<string, unknown>));
      return sendCsv(
        reply,
        ['year-report', year.from, 'to', year.to],
        csvStream(CSV_COLUMNS, csvRows(report)),
      );
    },
  );

  app.get('/admin/reports/course', { preHandler: requireStaff('readReports') }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    if (!Object.keys(query).length) return renderBareChooser(reply);
    const outcome = await courseReport(query, reply);
    if ('page' in outcome) return outcome.page;
    const { result, from, to, values } = outcome;
    const csvQuery = new URLSearchParams(values).toString();
    return reply.page('pages/admin/reports/course.njk', {
      pageTitle: `Report: ${result.course.title}`,
      course: result.course,
      period: `${formatDate(londonNoon(from))} to ${formatDate(londonNoon(to))}`,
      report: result.report,
      sections: shownSections(result.report),
      feedback: feedbackView(result.report),
      followUp: followUpView(result.report),
      tooFew: TOO_FEW_TO_READ_INTO,
      csvHref: `/admin/reports/course.csv?${csvQuery}`,
    });
  });

  app.get(
    '/admin/reports/course.csv',
    { preHandler: requireStaff('readReports'), exposeHeadRoute: false },
    async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      // Opened bare (a bookmark, say): the choice, not an error.
      if (!Object.keys(query).length) return renderBareChooser(reply);
      const outcome = await courseReport(query, reply);
      if ('page' in outcome) return outcome.page;
      const { result, from, to } = outcome;
      return sendCsv(
        reply,
        ['course-report', result.course.title, from, 'to', to],
        csvStream(CSV_COLUMNS, csvRows(result.report)),
      );
    },
  );

  app.get(
    '/admin/reports/sessions/:sessionId',
    { preHandler: requireStaff('readSessionReports') },
    async (request, reply) => {
      const { session, report } = await reports.sessionReport(
        sessionIdOf(request.params),
        request.staffSession!.staff,
      );
      return reply.page('pages/admin/reports/session.njk', {
        pageTitle: `Report: ${session.courseTitle}, ${formatDate(session.startsAt)}`,
        session: { ...session, date: formatMoment(session.startsAt) },
        report,
        sections: shownSections(report),
        feedback: feedbackView(report),
        followUp: followUpView(report),
        tooFew: TOO_FEW_TO_READ_INTO,
      });
    },
  );

  app.get(
    '/admin/reports/sessions/:sessionId/report.csv',
    { preHandler: requireStaff('readSessionReports'), exposeHeadRoute: false },
    async (request, reply) => {
      const { session, report } = await reports.sessionReport(
        sessionIdOf(request.params),
        request.staffSession!.staff,
      );
      return sendCsv(
        reply,
        ['session-report', session.courseTitle, londonDate(session.startsAt)],
        csvStream(CSV_COLUMNS, csvRows(report)),
      );
    },
  );
}

function sessionIdOf(params: unknown): number {
  const id = (params as { sessionId?: string }).sessionId ?? '';
  if (!/^\d{1,9}$/.test(id)) throw new NotFoundError('session');
  return Number(id);
}

/** A London date as an instant on that day, for the date words. */
function londonNoon(date: string): Date {
  return new Date(`${date}T12:00:00Z`);
}
