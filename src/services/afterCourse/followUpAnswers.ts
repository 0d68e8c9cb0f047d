/**
 * The three-month follow-up as staff read it beside the feedback: per key
 * area how many delegates and how many line managers gave each answer, how
 * many were asked and answered, and the examples and obstacles they wrote.
 * Those who may see names read who wrote what; everyone else reads the text
 * in an order that gives nobody away.
 */
import {
  PRACTICE_CHANGE_WORDS,
  PRACTICE_CHANGES,
  type FollowUpRespondent,
  type PracticeChange,
} from '../../domain/afterCourse/followUp.js';
import { tooFewToReadInto } from '../../domain/afterCourse/reports.js';

export interface FollowUpRequestRow {
  id: number;
  respondent: FollowUpRespondent;
  outcome: 'answered' | 'no_longer_works_with' | null;
  example: string;
  obstacles: string;
  delegate_name: string;
  session_starts_at: string;
}

export interface FollowUpAnswerRow {
  request_id: number;
  key_area_id: number;
  key_area_text: string;
  practice_change: PracticeChange;
}

/** How many gave each answer, in the order of PRACTICE_CHANGES. */
export type PracticeCounts = number[];

export interface FollowUpKeyArea {
  text: string;
  delegates: PracticeCounts;
  delegatesAnswered: number;
  managers: PracticeCounts;
  managersAnswered: number;
}

export interface FollowUpTake {
  asked: number;
  answered: number;
  /** Line managers only: they said the delegate no longer works with them (not counted as answered). */
  noLongerWorksWith: number;
  tooFew: boolean;
}

export interface NamedFollowUp {
  /** The delegate's name, or "Line manager of" it. */
  writer: string;
  sessionStartsAt: Date;
  keyAreas: { text: string; change: string }[];
  example: string;
  obstacles: string;
}

export interface FollowUpAnswersForStaff {
  delegates: FollowUpTake;
  managers: FollowUpTake;
  keyAreas: FollowUpKeyArea[];
  /** Free text by respondent kind, each list sorted by its words, so answers cannot be matched to each other or to a person. */
  examples: Record<FollowUpRespondent, string[]>;
  obstacles: Record<FollowUpRespondent, string[]>;
  /** Only for those who may see who wrote what: each answered follow-up. */
  named: NamedFollowUp[] | null;
}

const byWords = (texts: string[]) =>
  texts.filter(Boolean).sort((a, b) => a.localeCompare(b, 'en-GB') || (a < b ? -1 : a > b ? 1 : 0));

export function writerOf(respondent: FollowUpRespondent, delegateName: string): string {
  return respondent === 'delegate' ? delegateName : `Line manager of ${delegateName}`;
}

/**
 * Reads the follow-up for staff. Key areas come in the course's order
 * (`keyAreas`); answers about key areas since removed follow, by their words.
 */
export function followUpAnswersForStaff(
  requests: readonly FollowUpRequestRow[],
  answers: readonly FollowUpAnswerRow[],
  keyAreas: readonly { id: number; text: string }[],
  mayName: boolean,
): FollowUpAnswersForStaff {
  const take = (respondent: FollowUpRespondent): FollowUpTake => {
    const mine = requests.filter((r) => r.respondent === respondent);
    const answered = mine.filter((r) => r.outcome === 'answered').length;
    return {
      asked: mine.length,
      answered,
      noLongerWorksWith: mine.filter((r) => r.outcome === 'no_longer_works_with').length,
      tooFew: tooFewToReadInto(answered),
    };
  };

  const respondentOf = new Map(requests.map((r) => [r.id, r.respondent]));
  const emptyArea = (text: string): FollowUpKeyArea => ({
    text,
    delegates: PRACTICE_CHANGES.map(() => 0),
    delegatesAnswered: 0,
    managers: PRACTICE_CHANGES.map(() => 0),
    managersAnswered: 0,
  });
  const areas = new Map<number, FollowUpKeyArea>(keyAreas.map((a) => [a.id, emptyArea(a.text)]));
  const removed = new Map<number, FollowUpKeyArea>();
  for (const answer of answers) {
    const respondent = respondentOf.get(answer.request_id);
    if (!respondent) continue;
    let area = areas.get(answer.key_area_id) ?? removed.get(answer.key_area_id);
    if (!area) {
      area = emptyArea(answer.key_area_text);
      removed.set(answer.key_area_id, area);
    }
    const index = PRACTICE_CHANGES.indexOf(answer.practice_change);
    if (respondent === 'delegate') {
      area.delegates[index]! += 1;
      area.delegatesAnswered += 1;
    } else {
      area.managers[index]! += 1;
      area.managersAnswered += 1;
    }
  }
  const order = [...areas.keys()];
  const orderedAreas = [
    ...areas.values(),
    ...[...removed.values()].sort((a, b) => a.text.localeCompare(b.text, 'en-GB')),
  ];

  const answered = requests.filter((r) => r.outcome === 'answered');
  const textOf = (respondent: FollowUpRespondent, field: 'example' | 'obstacles') =>
    byWords(answered.filter((r) => r.respondent === respondent).map((r) => r[field]));

  let named: NamedFollowUp[] | null = null;
  if (mayName) {
    const answersOf = new Map<number, FollowUpAnswerRow[]>();
    for (const answer of answers) {
      answersOf.set(answer.request_id, [...(answersOf.get(answer.request_id) ?? []), answer]);
    }
    const position = (id: number) => {
      const at = order.indexOf(id);
      return at === -1 ? order.length : at;
    };
    named = answered.map((request) => ({
      writer: writerOf(request.respondent, request.delegate_name),
      sessionStartsAt: new Date(request.session_starts_at),
      keyAreas: (answersOf.get(request.id) ?? [])
        .sort((a, b) => position(a.key_area_id) - position(b.key_area_id))
        .map((a) => ({ text: a.key_area_text, change: PRACTICE_CHANGE_WORDS[a.practice_change] })),
      example: request.example,
      obstacles: request.obstacles,
    }));
  }

  return {
    delegates: take('delegate'),
    managers: take('line_manager'),
    keyAreas: orderedAreas,
    examples: { delegate: textOf('delegate', 'example'), line_manager: textOf('line_manager', 'example') },
    obstacles: {
      delegate: textOf('delegate', 'obstacles'),
      line_manager: textOf('line_manager', 'obstacles'),
    },
    named,
  };
}
