import { describe, expect, it } from 'vitest';

import {
  followUpAnswersForStaff,
  type FollowUpAnswerRow,
  type FollowUpRequestRow,
} from './followUpAnswers.js';

const SESSION = '2026-01-10T09:30:00.000Z';

function request(
  id: number,
  respondent: FollowUpRequestRow['respondent'],
  outcome: FollowUpRequestRow['outcome'],
  delegateName: string,
  text: { example?: string; obstacles?: string } = {},
): FollowUpRequestRow {
  return {
    id,
    respondent,
    outcome,
    example: text.example ?? '',
    obstacles: text.obstacles ?? '',
    delegate_name: delegateName,
    session_starts_at: SESSION,
  };
}

const requests = [
  request(1, 'delegate', 'answered', 'Zara Bell', { example: 'Zebra.', obstacles: 'Time.' }),
  request(2, 'line_manager', 'answered', 'Zara Bell', { example: 'Seen in supervision.' }),
  request(3, 'delegate', 'answered', 'Amir Cole', { example: 'Apple.' }),
  request(4, 'line_manager', 'no_longer_works_with', 'Amir Cole'),
  request(5, 'delegate', null, 'Cal Dunn'),
];
const answers: FollowUpAnswerRow[] = [
  { request_id: 1, key_area_id: 20, key_area_text: 'Recording', practice_change: 'a_lot' },
  { request_id: 1, key_area_id: 10, key_area_text: 'Types of abuse', practice_change: 'a_little' },
  { request_id: 2, key_area_id: 10, key_area_text: 'Types of abuse', practice_change: 'a_lot' },
  { request_id: 3, key_area_id: 10, key_area_text: 'Types of abuse', practice_change: 'a_little' },
  { request_id: 3, key_area_id: 99, key_area_text: 'An area since removed', practice_change: 'somewhat' },
];
const keyAreas = [
  { id: 10, text: 'Types of abuse' },
  { id: 20, text: 'Recording' },
];

describe('followUpAnswersForStaff', () => {
  it('counts who was asked and answered, managers who said the delegate left apart, and too few below five', () => {
    const read = followUpAnswersForStaff(requests, answers, keyAreas, false);
    expect(read.delegates).toEqual({ asked: 3, answered: 2, noLongerWorksWith: 0, tooFew: true });
    expect(read.managers).toEqual({ asked: 2, answered: 1, noLongerWorksWith: 1, tooFew: true });
  });

  it('counts each answer per key area, delegates and managers apart, in the course’s order then removed areas', () => {
    const read = followUpAnswersForStaff(requests, answers, keyAreas, false);
    expect(read.keyAreas.map((a) => a.text)).toEqual([
      'Types of abuse',
      'Recording',
      'An area since removed',
    ]);
    // In the order Not at all, A little, Somewhat, A lot, Not applicable.
    expect(read.keyAreas[0]).toMatchObject({
      delegates: [0, 2, 0, 0, 0],
      delegatesAnswered: 2,
      managers: [0, 0, 0, 1, 0],
      managersAnswered: 1,
    });
    expect(read.keyAreas[1]!.delegates).toEqual([0, 0, 0, 1, 0]);
  });

  it('without names, lists free text by its words, delegates and managers apart', () => {
    const read = followUpAnswersForStaff(requests, answers, keyAreas, false);
    expect(read.named).toBeNull();
    expect(read.examples).toEqual({ delegate: ['Apple.', 'Zebra.'], line_manager: ['Seen in supervision.'] });
    expect(read.obstacles).toEqual({ delegate: ['Time.'], line_manager: [] });
  });

  it('with names, gives each answered follow-up its writer, a manager as the delegate’s line manager', () => {
    const read = followUpAnswersForStaff(requests, answers, keyAreas, true);
    expect(read.named!.map((n) => n.writer)).toEqual(['Zara Bell', 'Line manager of Zara Bell', 'Amir Cole']);
    expect(read.named![0]!.keyAreas).toEqual([
      { text: 'Types of abuse', change: 'A little' },
      { text: 'Recording', change: 'A lot' },
    ]);
  });
});
