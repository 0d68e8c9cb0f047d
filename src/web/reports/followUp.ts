/**
 * The three-month follow-up in the reports, as the pages and downloads show
 * it: who was asked and answered, delegates and line managers apart, in
 * total, by course and by agency (organisation type and organisation), the
 * response rate in words, and on each key area how many said their practice
 * changed "Not at all" to "A lot" ("Not applicable" apart), as a chart
 * (web/scaleChart.ts) beside a table of the same figures. The tables and the
 * CSV are the figures of record; the charts draw them.
 */
import {
  PRACTICE_CHANGE_WORDS,
  PRACTICE_CHANGES,
  type FollowUpRespondent,
} from '../../domain/afterCourse/followUp.js';
import type { CsvColumn } from '../../formats/csv.js';
import type {
  CourseKeyAreas,
  FollowUpByRespondent,
  FollowUpGroup,
  FollowUpResponses,
  KeyAreaFigures,
  PracticeChangeCounts,
  Report,
} from '../../services/afterCourse/reportService.js';
import { rateWords, severalCourses } from './feedback.js';
import { GROUPING_WORDS, rowName } from './groupings.js';
import { scaleChart } from './scaleChart.js';

/** The scale's points in words, in order; "Not applicable" is shown apart from them. */
const SCALE = PRACTICE_CHANGES.filter((change) => change !== 'not_applicable');
const SCALE_WORDS = SCALE.map((change) => PRACTICE_CHANGE_WORDS[change]);
const APART_WORDS = [PRACTICE_CHANGE_WORDS.not_applicable];

export const RESPONDENT_WORDS: Record<FollowUpRespondent, string> = {
  delegate: 'Delegates',
  line_manager: 'Line managers',
};

const followUpRate = (responses: FollowUpResponses) => rateWords(responses.rate, 'No one asked');

function shownResponses(byRespondent: FollowUpByRespondent) {
  return (['delegate', 'line_manager'] as const).map((respondent) => ({
    respondent,
    who: RESPONDENT_WORDS[respondent],
    ...byRespondent[respondent],
    rateWords: followUpRate(byRespondent[respondent]),
  }));
}

/** The agency groupings the follow-up is counted by, as attendance and feedback are. */
const AGENCY_GROUPINGS = [
  { grouping: 'organisationType', groups: 'byOrganisationType' },
  { grouping: 'organisation', groups: 'byOrganisation' },
] as const;

/**
 * Each agency grouping's rows, named as the attendance tables name them and
 * in their order: most asked first (delegates and line managers together),
 * then by name.
 */
function agencyGroups(report: Report) {
  return AGENCY_GROUPINGS.map(({ grouping, groups }) => ({
    grouping,
    words: GROUPING_WORDS[grouping],
    rows: report.followUp[groups]
      .map((group: FollowUpGroup) => ({
        name: rowName(grouping, group.label),
        byRespondent: group.byRespondent,
        asked: group.byRespondent.delegate.asked + group.byRespondent.line_manager.asked,
      }))
      .sort((a, b) => b.asked - a.asked || a.name.localeCompare(b.name, 'en-GB')),
  }));
}

export interface ShownKeyArea extends KeyAreaFigures {
  id: string;
  regionLabel: string;
  tooFew: boolean;
  /** The table's columns: delegates, and line managers where any were asked. */
  headings: string[];
  rows: { word: string; counts: number[] }[];
  onScale: number[];
  notApplicable: number[];
  chart: string;
}

function shownKeyAreas(
  course: CourseKeyAreas,
  respondents: readonly FollowUpRespondent[],
  several: boolean,
): { courseId: number; courseTitle: string; keyAreas: ShownKeyArea[]; reworded: boolean } {
  const keyAreas = course.keyAreas.map((area, index): ShownKeyArea => {
    const id = `key-area-${course.courseId}-${index + 1}`;
    const shown = respondents.map((respondent) => area.byRespondent[respondent]);
    const tooFew = shown.some((counts) => counts.tooFew);
    return {
      ...area,
      id,
      regionLabel: `Practice changed: ${area.wording}${several ? ` (${course.courseTitle})` : ''}`,
      tooFew,
      headings: respondents.map((respondent) => RESPONDENT_WORDS[respondent]),
      rows: SCALE.map((change) => ({
        word: PRACTICE_CHANGE_WORDS[change],
        counts: shown.map((counts) => counts.counts[change]),
      })),
      onScale: shown.map((counts) => counts.onScale),
      notApplicable: shown.map((counts) => counts.counts.not_applicable),
      chart: scaleChart({
        id: `${id}-chart`,
        title: `Whether practice changed: ${area.wording}`,
        words: SCALE_WORDS,
        apart: APART_WORDS,
        means: false,
        series: respondents.map((respondent) => ({
          name: RESPONDENT_WORDS[respondent],
          counts: [...SCALE, 'not_applicable' as const].map(
            (change) => area.byRespondent[respondent].counts[change],
          ),
          mean: null,
        })),
        tooFew,
      }),
    };
  });
  return {
    courseId: course.courseId,
    courseTitle: course.courseTitle,
    keyAreas,
    reworded: keyAreas.some((area) => !area.stillAsked),
  };
}

/** The follow-up part of a report page. */
export function followUpView(report: Report) {
  const followUp = report.followUp;
  // Line managers have their own column and bars only where the hub asked any about these sessions.
  const managersAsked = followUp.total.line_manager.asked > 0;
  const respondents: FollowUpRespondent[] = managersAsked ? ['delegate', 'line_manager'] : ['delegate'];
  const several = severalCourses(report);
  return {
    followUpDays: followUp.followUpDays,
    managersAsked,
    total: shownResponses(followUp.total),
    byCourse: followUp.byCourse.map((course) => ({
      courseTitle: course.courseTitle,
      responses: shownResponses(course.byRespondent),
    })),
    byAgency: agencyGroups(report).map(({ grouping, words, rows }) => ({
      id: `follow-up-by-${grouping}`,
      caption: `Follow-up ${words.heading.toLowerCase()}`,
      column: `${words.column} and who was asked`,
      rows: rows.map((row) => ({ name: row.name, responses: shownResponses(row.byRespondent) })),
    })),
    courses: followUp.courses.map((course) => shownKeyAreas(course, respondents, several)),
  };
}

/** A row of a report's download with follow-up figures: who was asked and answered, or a key area's answers. */
export type FollowUpCsvRow =
  | { respondent: FollowUpRespondent; responses: FollowUpResponses; keyArea?: undefined }
  | {
      respondent: FollowUpRespondent;
      responses?: undefined;
      keyArea: PracticeChangeCounts & { stillAsked: boolean };
    }
  | { respondent?: undefined; responses?: undefined; keyArea?: undefined };

/** The download's follow-up columns, after the feedback's. */
export const FOLLOW_UP_CSV_COLUMNS: CsvColumn<FollowUpCsvRow>[] = [
  { header: 'Follow-up asked of', value: (row) => row.respondent && RESPONDENT_WORDS[row.respondent] },
  { header: 'Follow-up asked', value: (row) => row.responses && String(row.responses.asked) },
  { header: 'Follow-up answered', value: (row) => row.responses && String(row.responses.answered) },
  {
    header: 'Follow-up: delegate no longer works with the line manager',
    value: (row) =>
      row.responses && row.respondent === 'line_manager'
        ? String(row.responses.noLongerWorksWith)
        : undefined,
  },
  {
    header: 'Follow-up response rate (% of those asked)',
    value: (row) =>
      row.responses && (row.responses.rate === null ? '' : String(Math.round(row.responses.rate * 100))),
  },
  ...PRACTICE_CHANGES.map((change): CsvColumn<FollowUpCsvRow> => ({
    header: `Practice changed: ${PRACTICE_CHANGE_WORDS[change]}`,
    value: (row) => row.keyArea && String(row.keyArea.counts[change]),
  })),
  {
    header: 'Key area still asked in these words',
    value: (row) => row.keyArea && (row.keyArea.stillAsked ? 'Yes' : 'No'),
  },
  {
    header: 'Follow-up too few to read into (under 5 answered, or answers not counting "Not applicable")',
    value: (row) => {
      const tooFew = row.responses?.tooFew ?? row.keyArea?.tooFew;
      return tooFew === undefined ? undefined : tooFew ? 'Yes' : 'No';
    },
  },
];

/**
 * The download's follow-up rows: the total, by course for the year, by
 * organisation type and by organisation, then each key area's answers.
 */
export function followUpCsvRows(report: Report): ({ group: string; name: string } & FollowUpCsvRow)[] {
  const followUp = report.followUp;
  const several = severalCourses(report);
  const respondents = ['delegate', 'line_manager'] as const;
  return [
    ...respondents.map((respondent) => ({
      group: 'Follow-up',
      name: 'All',
      respondent,
      responses: followUp.total[respondent],
    })),
    ...(several
      ? followUp.byCourse.flatMap((course) =>
          respondents.map((respondent) => ({
            group: 'Follow-up by course',
            name: course.courseTitle,
            respondent,
            responses: course.byRespondent[respondent],
          })),
        )
      : []),
    ...agencyGroups(report).flatMap(({ words, rows }) =>
      rows.flatMap((row) =>
        respondents.map((respondent) => ({
          group: `Follow-up by ${words.column.toLowerCase()}`,
          name: row.name,
          respondent,
          responses: row.byRespondent[respondent],
        })),
      ),
    ),
    ...followUp.courses.flatMap((course) =>
      course.keyAreas.flatMap((area) =>
        respondents.map((respondent) => ({
          group: 'Follow-up key area',
          name: several ? `${course.courseTitle}: ${area.wording}` : area.wording,
          respondent,
          keyArea: { ...area.byRespondent[respondent], stillAsked: area.stillAsked },
        })),
      ),
    ),
  ];
}
