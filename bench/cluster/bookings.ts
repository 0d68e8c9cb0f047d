/**
 * The rush as `npm run bench:cluster` sends it: every signed-in delegate
 * opens the booking page (getting the CSRF cookie and the form's token, as a
 * browser does), then all press "Book", a fixed number in flight at a time,
 * and every response is kept with its delegate, to be checked against the
 * database afterwards. A scenario can act in the middle of the rush (kill a
 * process, cut the database's connections) through `midway`.

 */
import { performance } from 'node:perf_hooks';

import type { Ready } from '../rush/bookingPage.js';
import { inPool, type HttpClient } from '../rush/http.js';

/** A new booking's address, as the booking form redirects to it. */
export const BOOKED = /^\/bookings\/(TRL-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\?new=1$/;
/** A booking the delegate already held (a retry after a lost answer). */
export const ALREADY_BOOKED = /^\/bookings\/(TRL-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\?already=1$/;

export interface BookingResponse {
  ready: Ready;
  /** The HTTP status, or 0 when no response came (a refused connection, a timeout). */
  status: number;
  location: string;
  /** The start of the body for anything but a redirect, to say what went wrong. */
  body: string;
  retryAfter: string;
  error: string;
  ms: number;
}

export interface RushOptions {
  concurrency: number;
  /** A request not answered in this long counts as a hang. */
  timeoutMs: number;
  /** Called once, when this many responses have come back; the rush goes on meanwhile. */
  midway?: { after: number; act: () => Promise<void> };
}

export interface RushResult {
  responses: BookingResponse[];
  seconds: number;
  /** Resolves when `midway` has finished (already resolved if there was none). */
  midwayDone: Promise<void>;
}

/** One press of "Book" by one delegate. */
export async function pressBook(
  client: HttpClient,
  sessionId: number,
  ready: Ready,
  timeoutMs: number,
): Promise<BookingResponse> {
  const sent = performance.now();
  try {
    const reply = await client.request('POST', `/sessions/${sessionId}/book`, {
      headers: {
        cookie: ready.cookie,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'text/html',
      },
      body: new URLSearchParams({ _csrf: ready.csrfToken, accessNeeds: '', dietaryNeeds: '' }).toString(),
      timeoutMs,
    });
    return {
      ready,
      status: reply.status,
      location: String(reply.headers.location ?? ''),
      body: reply.status === 303 ? '' : reply.body.slice(0, 2_000),
      retryAfter: String(reply.headers['retry-after'] ?? ''),
      error: '',
      ms: performance.now() - sent,
    };
  } catch (error) {
    return {
      ready,
      status: 0,
      location: '',
      body: '',
      retryAfter: '',
      error: error instanceof Error ? error.message : String(error),
      ms: performance.now() - sent,
    };
  }
}

/** Every delegate in `ready` presses "Book" once, `concurrency` at a time. */
export async function rush(
  client: HttpClient,
  sessionId: number,
  ready: Ready[],
  options: RushOptions,
): Promise<RushResult> {
  let answered = 0;
  let midwayDone: Promise<void> = Promise.resolve();
  const started = performance.now();
  const responses = await inPool(ready, options.concurrency, async (one) => {
    const response = await pressBook(client, sessionId, one, options.timeoutMs);
    answered += 1;
    if (options.midway && answered === options.midway.after) midwayDone = options.midway.act();
    return response;
  });
  const seconds = (performance.now() - started) / 1000;
  return { responses, seconds, midwayDone };
}

/** "303 ×1990, 502 ×10": the statuses of `responses`, most frequent first. */
export function describeStatuses(responses: readonly BookingResponse[]): string {
  const counts = new Map<string, number>();
  for (const { status } of responses) {
    const key = status === 0 ? 'no answer' : String(status);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([status, n]) => `${status} ×${n}`)
    .join(', ');
}
