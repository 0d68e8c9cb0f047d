/**
 * Feedback in the reports, as the pages and downloads show it: response
 * rates in words, a chart beside each table of answers on a five-point scale
 * (web/scaleChart.ts), and the CSV columns for the same figures. The page's
 * tables and the CSV are the figures of record; the charts draw them.
 */
import { CONFIDENCE_WORDS, USEFULNESS_WORDS } from '../../domain/afterCourse/feedback.js';
import type { Distribution } from '../../domain/afterCourse/reports.js';
import type { CsvColumn } from '../../formats/csv.js';
import type {
  CourseOutcomes,
  FeedbackFigures,
  OutcomeFigures,
  Report,
} from '../../services/afterCourse/reportService.js';
import { meanWords, scaleChart } from './scaleChart.js';

/** A response rate as a whole percentage ("75%"), or words when nobody was invited (or asked). */
export function rateWords(rate: number | null, nobody = 'No one invited'): string {
  return rate === null ? nobody : `${Math.round(rate * 100)}%`;
}

/** A distribution as its table shows it: a row per point of the scale. */
function scaleRows(words: readonly string[], ...distributions: Distribution[]) {
  return words.map((word, index) => ({
    word,
    counts: distributions.map((d) => d.counts[index] ?? 0),
  }));
}

export interface ShownOutcome extends OutcomeFigures {
  id: string;
  /** Names its table's scrolling region: unique on the page, so with the course's title where there are several. */
  regionLabel: string;
  tooFew: boolean;
  rows: { word: string; counts: number[] }[];
  means: string[];
  chart: string;
}

export interface ShownCourseOutcomes {
  courseId: number;
  courseTitle: string;
  outcomes: ShownOutcome[];
  /** Some answers were given to wordings the course no longer asks. */
  reworded: boolean;
}

function shownOutcomes(course: CourseOutcomes, severalCourses: boolean): ShownCourseOutcomes {
  const outcomes = course.outcomes.map((outcome, index) => {
    const id = `outcome-${course.courseId}-${index + 1}`;
    const tooFew = outcome.before.tooFew || outcome.after.tooFew;
    return {
      ...outcome,
      id,
      regionLabel: `Confidence: ${outcome.wording}${severalCourses ? ` (${course.courseTitle})` : ''}`,
      tooFew,
      rows: scaleRows(CONFIDENCE_WORDS, outcome.before, outcome.after),
      means: [meanWords(outcome.before.mean), meanWords(outcome.after.mean)],
      chart: scaleChart({
        id: `${id}-chart`,
        title: `Confidence before and after the course: ${outcome.wording}`,
        words: CONFIDENCE_WORDS,
        series: [
          { name: 'Before', counts: outcome.before.counts, mean: outcome.before.mean },
          { name: 'After', counts: outcome.after.counts, mean: outcome.after.mean },
        ],
        tooFew,
      }),
    };
  });
  return {
    courseId: course.courseId,
    courseTitle: course.courseTitle,
    outcomes,
    reworded: outcomes.some((outcome) => !outcome.stillAsked),
  };
}

/** The feedback part of a report page: the total's usefulness chart and each course's outcomes. */
export function feedbackView(report: Report) {
  const usefulness = report.total.feedback.usefulness;
  return {
    rate: rateWords(report.total.feedback.rate),
    /** The groupings whose feedback gets a table of its own (the download has every grouping). */
    groupings: ['session', 'course', 'organisationType', 'organisation'],
    usefulness: {
      rows: scaleRows(USEFULNESS_WORDS, usefulness),
      mean: meanWords(usefulness.mean),
      chart: scaleChart({
        id: 'usefulness-chart',
        title: 'How useful delegates found the course',
        words: USEFULNESS_WORDS,
        series: [{ name: 'Usefulness', counts: usefulness.counts, mean: usefulness.mean }],
        tooFew: usefulness.tooFew,
      }),
    },
    courses: report.outcomes.map((course) => shownOutcomes(course, severalCourses(report))),
  };
}

/** Whether the report covers several courses (the year's), so each outcome says whose it is. */
export function severalCourses(report: Report): boolean {
  return report.sections.some((section) => section.grouping === 'course');
}

/** A row of a report's download: a group's figures, one learning outcome's answers, or neither (the follow-up's). */
export type FeedbackCsvRow =
  | { feedback: FeedbackFigures; outcome?: undefined }
  | { feedback?: undefined; outcome: OutcomeFigures }
  | { feedback?: undefined; outcome?: undefined };

const mean2 = (mean: number | null) => (mean === null ? '' : mean.toFixed(2));

/** The download's feedback columns, after the attendance figures. */
export const FEEDBACK_CSV_COLUMNS: CsvColumn<FeedbackCsvRow>[] = [
  { header: 'Invited to give feedback', value: (row) => row.feedback && String(row.feedback.invited) },
  { header: 'Feedback responses', value: (row) => row.feedback && String(row.feedback.responses) },
  {
    header: 'Response rate (% of those invited)',
    value: (row) =>
      row.feedback && (row.feedback.rate === null ? '' : String(Math.round(row.feedback.rate * 100))),
  },
  ...USEFULNESS_WORDS.map((word, index): CsvColumn<FeedbackCsvRow> => ({
    header: `Usefulness: ${word}`,
    value: (row) => row.feedback && String(row.feedback.usefulness.counts[index] ?? 0),
  })),
  { header: 'Usefulness mean (1 to 5)', value: (row) => row.feedback && mean2(row.feedback.usefulness.mean) },
  ...(['before', 'after'] as const).flatMap((when): CsvColumn<FeedbackCsvRow>[] => [
    ...CONFIDENCE_WORDS.map((word, index) => ({
      header: `Confidence ${when}: ${word}`,
      value: (row: FeedbackCsvRow) => row.outcome && String(row.outcome[when].counts[index] ?? 0),
    })),
    {
      header: `Confidence ${when} mean (1 to 5)`,
      value: (row: FeedbackCsvRow) => row.outcome && mean2(row.outcome[when].mean),
    },
  ]),
  {
    header: 'Learning outcome still asked in these words',
    value: (row) => row.outcome && (row.outcome.stillAsked ? 'Yes' : 'No'),
  },
  {
    header: 'Feedback too few to read into (under 5 responses or answers)',
    value: (row) =>
      row.feedback
        ? row.feedback.tooFew
          ? 'Yes'
          : 'No'
        : row.outcome && (row.outcome.before.tooFew || row.outcome.after.tooFew ? 'Yes' : 'No'),
  },
];
