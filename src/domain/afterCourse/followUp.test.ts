import { describe, expect, it } from 'vitest';

import { lineManagerWhy, WHY_WE_ASK } from '../accounts/accounts.js';
import { FOLLOW_UP_TEXT_MAX, readFollowUpForm } from './followUp.js';

describe('reading the follow-up form', () => {
  it('takes every question as optional, and the scale’s answers as given', () => {
    expect(
      readFollowUpForm({ 'area-1': 'a_lot', 'area-2': '', example: ' An example. \r\n' }, [1, 2, 3]),
    ).toEqual({
      ok: true,
      input: {
        keyAreas: [
          { keyAreaId: 1, change: 'a_lot' },
          { keyAreaId: 2, change: null },
          { keyAreaId: 3, change: null },
        ],
        example: 'An example.',
        obstacles: '',
      },
    });
  });

  it('names each field that is not a choice offered, or too long, or not text', () => {
    const reading = readFollowUpForm(
      { 'area-1': '5', example: 'x'.repeat(FOLLOW_UP_TEXT_MAX + 1), obstacles: ['a', 'b'] },
      [1],
    );
    expect(reading).toEqual({
      ok: false,
      fields: {
        'area-1': 'Choose one of the answers, or leave it empty',
        example: 'The example must be 2,000 characters or fewer',
        obstacles: 'Enter what got in the way as text',
      },
    });
  });
});

describe('what delegates are told about their line manager', () => {
  it('says no emails go to the manager while the hub does not ask managers, and what does when it does', () => {
    expect(lineManagerWhy(false, 90)).toBe(WHY_WE_ASK.lineManager);
    expect(lineManagerWhy(false, 90)).toContain('We do not send your line manager any emails');
    const asked = lineManagerWhy(true, 120);
    expect(asked).not.toContain('We do not send your line manager any emails');
    expect(asked).toContain('About 120 days after a course you attended, we email your line manager once');
  });

  it('says a confirmed charge is told to the manager when the hub’s charges settings say so, with what they are told', () => {
    const charges = lineManagerWhy(false, 90, true);
    expect(charges).not.toContain('We do not send your line manager any emails');
    expect(charges).toContain('If a charge for your place is confirmed');
    expect(charges).toContain('your name, the course, its date and the amount, nothing else');
    const both = lineManagerWhy(true, 90, true);
    expect(both).toContain('About 90 days after a course you attended');
    expect(both).toContain('If a charge for your place is confirmed');
  });
});
