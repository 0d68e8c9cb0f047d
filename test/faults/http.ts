/**
 * Booking as a browser does it, over real HTTP to a server in another
 * process: open the booking page with the session cookie (which sets the
 * CSRF cookie and puts the token in the form), then post the form.
 *
 * The requests go through the booking-rush benchmark's client
 * (bench/rush/http.ts), each on a new connection, so a killed server fails
 * only the requests it had.
 */
import { sendRequest, setCookie } from '../../bench/rush/http.js';
import type { SignedInDelegate } from '../support/seedDelegates.js';

const TIMEOUT_MS = 20_000;

export interface BookingReply {
  status: number;
  /** The Location header, or '' if none. */
  location: string;
  body: string;
}

export interface BookingForm {
  delegate: SignedInDelegate;
  /** The Cookie header: the session and the CSRF secret. */
  cookie: string;
  csrfToken: string;
}

/** Opens the booking page as the delegate; it must offer the form, with its CSRF cookie and token. */
export async function openBookingForm(
  baseUrl: string,
  sessionId: number,
  delegate: SignedInDelegate,
): Promise<BookingForm> {
  const sessionCookie = `trellis_session=${delegate.sessionSecret}`;
  const page = await sendRequest(new URL(baseUrl), 'GET', `/sessions/${sessionId}/book`, false, {
    headers: { cookie: sessionCookie },
    timeoutMs: TIMEOUT_MS,
  });
  const csrfCookie = setCookie(page, 'trellis_csrf');
  const csrfToken = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (page.status !== 200 || !csrfCookie || !csrfToken) {
    throw new Error(
      `the booking page gave ${page.status} without a CSRF cookie and token for ${delegate.email}`,
    );
  }
  return { delegate, cookie: `${sessionCookie}; ${csrfCookie}`, csrfToken };
}

export async function postBooking(
  baseUrl: string,
  sessionId: number,
  form: BookingForm,
): Promise<BookingReply> {
  const reply = await sendRequest(new URL(baseUrl), 'POST', `/sessions/${sessionId}/book`, false, {
    headers: { cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: form.csrfToken, accessNeeds: '', dietaryNeeds: '' }).toString(),
    timeoutMs: TIMEOUT_MS,
  });
  return { status: reply.status, location: String(reply.headers.location ?? ''), body: reply.body };
}
