/** The rules beneath merging accounts, attendance wording and delegate search. */
import { describe, expect, it } from 'vitest';

import { containsPattern } from '../data/repositories/peopleRepository.js';
import {
  attendanceSummary,
  betterBooking,
  planMerge,
  searchWords,
  type LiveBooking,
} from './peopleService.js';

const booking = (
  id: number,
  delegateId: number,
  sessionId: number,
  state: LiveBooking['state'],
  createdAt = '2026-01-10T09:00:00.000Z',
  offerExpiresAt: string | null = state === 'offered' ? '2026-01-13T09:00:00.000Z' : null,
): LiveBooking => ({
  id,
  delegate_id: delegateId,
  session_id: sessionId,
  state,
  offer_expires_at: offerExpiresAt,
  created_at: createdAt,
});

const NOW = '2026-01-12T09:00:00.000Z';

describe('which of two bookings on one session a merge keeps', () => {
  it('prefers a confirmed place, then an offer, then the waiting list', () => {
    const confirmed = booking(2, 1, 9, 'confirmed', '2026-01-11T00:00:00.000Z');
    const offered = booking(1, 2, 9, 'offered');
    const waiting = booking(3, 2, 9, 'waitlisted');
    expect(betterBooking(offered, confirmed, NOW)).toBe(confirmed);
    expect(betterBooking(confirmed, waiting, NOW)).toBe(confirmed);
    expect(betterBooking(waiting, offered, NOW)).toBe(offered);
  });

  it('puts an offer whose time is up last, so the person keeps their place in the queue', () => {
    const expired = booking(1, 1, 9, 'offered', '2026-01-01T00:00:00.000Z', '2026-01-12T08:00:00.000Z');
    const waiting = booking(2, 2, 9, 'waitlisted', '2026-01-05T00:00:00.000Z');
    expect(betterBooking(expired, waiting, NOW)).toBe(waiting);
  });

  it('keeps the earlier of two alike, and the lower id when made at the same moment', () => {
    const earlier = booking(8, 1, 9, 'waitlisted', '2026-01-01T00:00:00.000Z');
    const later = booking(4, 2, 9, 'waitlisted', '2026-01-02T00:00:00.000Z');
    expect(betterBooking(later, earlier, NOW)).toBe(earlier);
    const a = booking(5, 1, 9, 'confirmed');
    const b = booking(6, 2, 9, 'confirmed');
    expect(betterBooking(b, a, NOW)).toBe(a);
  });

  it('plans a cancellation only where both accounts hold a live booking on the same session', () => {
    const kept = [booking(1, 1, 10, 'confirmed'), booking(2, 1, 11, 'waitlisted')];
    const duplicate = [booking(3, 2, 11, 'offered'), booking(4, 2, 12, 'confirmed')];
    const { conflicts } = planMerge(kept, duplicate, NOW);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ sessionId: 11, keep: { id: 3 }, cancel: { id: 2 } });
    expect(planMerge(kept, [], NOW).conflicts).toEqual([]);
  });
});

describe('attendance in words', () => {
  const parts = [11, 12];

  it('says one word when every part agrees, and counts CPD only when every part was attended', () => {
    expect(
      attendanceSummary(parts, [
        { session_part_id: 11, status: 'attended' },
        { session_part_id: 12, status: 'attended' },
      ]),
    ).toEqual({ text: 'Attended', inFull: true });
    expect(attendanceSummary([11], [{ session_part_id: 11, status: 'partial' }])).toEqual({
      text: 'Partly attended',
      inFull: false,
    });
    expect(attendanceSummary([11], [{ session_part_id: 11, status: 'absent' }])).toEqual({
      text: 'Did not attend',
      inFull: false,
    });
  });

  it('goes part by part when they differ or some are not marked', () => {
    expect(
      attendanceSummary(parts, [
        { session_part_id: 12, status: 'absent' },
        { session_part_id: 11, status: 'attended' },
      ]),
    ).toEqual({ text: 'Part 1: attended; Part 2: did not attend', inFull: false });
    expect(attendanceSummary(parts, [{ session_part_id: 11, status: 'attended' }])).toEqual({
      text: 'Part 1: attended; Part 2: not marked',
      inFull: false,
    });
  });

  it('says nothing when nothing is marked', () => {
    expect(attendanceSummary(parts, [])).toEqual({ text: null, inFull: false });
  });
});

describe('delegate search', () => {
  it('looks for each word anywhere, taking %, _ and the escape character literally', () => {
    expect(containsPattern('Patel')).toBe('%patel%');
    expect(containsPattern('100%_sure!')).toBe('%100!%!_sure!!%');
  });

  it('splits what was typed into a handful of words', () => {
    expect(searchWords('  jo   SMITH\tnhs ')).toEqual(['jo', 'SMITH', 'nhs']);
    expect(searchWords('')).toEqual([]);
    expect(searchWords('a b c d e f g h i j')).toHaveLength(8);
  });
});
