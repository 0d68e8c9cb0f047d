/**
 * Booking: a delegate's place on a session. It is `confirmed`, `waitlisted`,
 * `offered` (a freed place held for a waitlisted delegate until the offer
 * expires) or `cancelled`; after the session, `attended`, `partial` or
 * `did_not_attend`.
 */
export const BOOKING_STATES = [
  'confirmed',
  'waitlisted',
  'offered',
  'cancelled',
  'attended',
  'partial',
  'did_not_attend',
] as const;
export type BookingState = (typeof BOOKING_STATES)[number];

/** What staff read for each state, on pages and in exports alike. */
export const BOOKING_STATE_WORDS: Record<BookingState, string> = {
  confirmed: 'Confirmed',
  waitlisted: 'On the waiting list',
  offered: 'Offered a place',
  cancelled: 'Cancelled',
  attended: 'Attended',
  partial: 'Partly attended',
  did_not_attend: 'Did not attend',
};

/**
 * What a delegate who holds a live booking on a session is told of it, in
 * place of "Book a place"; null for a booking that is not live. An offer whose
 * time is up is no longer held, even before the waiting-list job closes it.
 */
export function standingWords(
  booking: { state: string; offer_expires_at: string | null },
  now: Date,
): string | null {
  if (booking.state === 'confirmed') return 'You have a place';
  if (booking.state === 'waitlisted') return 'You are on the waiting list';
  if (booking.state === 'offered') {
    return booking.offer_expires_at && now < new Date(booking.offer_expires_at)
      ? 'A place is being held for you'
      : 'Your offer of a place has ended';
  }
  return null;
}

/**
 * Places available = capacity − confirmed − unexpired offers. The figure
 * shown on pages is for display; booking re-counts it under the session's lock.
 */
export function placesAvailable(capacity: number, placesHeld: number): number {
  return Math.max(0, capacity - placesHeld);
}

export type SessionTiming = 'upcoming' | 'in_progress' | 'finished';

export function sessionTiming(startsAt: Date, endsAt: Date, now: Date): SessionTiming {
  if (now < startsAt) return 'upcoming';
  if (now < endsAt) return 'in_progress';
  return 'finished';
}

export type BookingWindow =
  { state: 'open' } | { state: 'not_yet_open'; opensAt: Date } | { state: 'closed' };

/**
 * Booking is open from `opensAt` (or straight away) until `closesAt`, and
 * never once the session has started.
 */
export function bookingWindow(
  session: { startsAt: Date; bookingOpensAt: Date | null; bookingClosesAt: Date | null },
  now: Date,
): BookingWindow {
  if (now >= session.startsAt) return { state: 'closed' };
  if (session.bookingClosesAt && now >= session.bookingClosesAt) return { state: 'closed' };
  if (session.bookingOpensAt && now < session.bookingOpensAt) {
    return { state: 'not_yet_open', opensAt: session.bookingOpensAt };
  }
  return { state: 'open' };
}
