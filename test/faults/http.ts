/**
 * Booking as a browser does it, over real HTTP to a server in another
 * process: open the booking page with the session cookie (which sets the
 * CSRF cookie and puts the token in the form), then post the form.
 */
import http from 'node:http';

import type { SignedInDelegate } from './seed.js';

export interface HttpReply {
  status: number;
  location: string;
  body: string;
  setCookies: string[];
}

/** One request on a new connection, so a killed server fails only the requests it had. */
export function request(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<HttpReply> {
  const url = new URL(path, baseUrl);
  return new Promise((resolveReply, reject) => {
    const outgoing = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: url.pathname,
        headers: {
          ...headers,
          ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
        },
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolveReply({
            status: response.statusCode ?? 0,
            location: String(response.headers.location ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
            setCookies: response.headers['set-cookie'] ?? [],
          }),
        );
      },
    );
    outgoing.setTimeout(20_000, () => outgoing.destroy(new Error(`${method} ${path} timed out`)));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
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
  const page = await request(baseUrl, 'GET', `/sessions/${sessionId}/book`, { cookie: sessionCookie });
  const csrfCookie = page.setCookies
    .map((c) => c.split(';', 1)[0] ?? '')
    .find((c) => c.startsWith('trellis_csrf='));
  const csrfToken = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (page.status !== 200 || !csrfCookie || !csrfToken) {
    throw new Error(
      `the booking page gave ${page.status} without a CSRF cookie and token for ${delegate.email}`,
    );
  }
  return { delegate, cookie: `${sessionCookie}; ${csrfCookie}`, csrfToken };
}

export function postBooking(baseUrl: string, sessionId: number, form: BookingForm): Promise<HttpReply> {
  return request(
    baseUrl,
    'POST',
    `/sessions/${sessionId}/book`,
    { cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    new URLSearchParams({ _csrf: form.csrfToken, accessNeeds: '', dietaryNeeds: '' }).toString(),
  );
}

/** Runs `work` on every item with at most `concurrency` at once. */
export async function inPool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
