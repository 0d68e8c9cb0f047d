/**
 * Opening the booking page as a signed-in delegate does in a browser: the
 * page must offer the form, and gives the CSRF cookie and the form's token
 * that pressing "Book" sends back. Both rush benchmarks (bench/rush.ts and
 * bench/cluster.ts) start each delegate's booking here.
 */
import type { SignedInDelegate } from '../../test/support/seedDelegates.js';
import { setCookie, type HttpClient, type HttpReply } from './http.js';

/** A delegate with the booking page open: the cookies and the token to book with. */
export interface Ready {
  delegate: SignedInDelegate;
  cookie: string;
  csrfToken: string;
}

/** Opens the booking page as the delegate: the page must offer the form, with a CSRF cookie and token. */
export async function openBookingPage(
  client: HttpClient,
  sessionId: number,
  delegate: SignedInDelegate,
): Promise<Ready> {
  const sessionCookie = `trellis_session=${delegate.sessionSecret}`;
  const page: HttpReply = await client.request('GET', `/sessions/${sessionId}/book`, {
    headers: { cookie: sessionCookie, accept: 'text/html' },
  });
  const csrfCookie = setCookie(page, 'trellis_csrf');
  const csrfToken = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (page.status !== 200 || !csrfCookie || !csrfToken) {
    throw new Error(
      `GET /sessions/${sessionId}/book as delegate ${delegate.id} gave ${page.status}` +
        `${csrfCookie ? '' : ', no CSRF cookie'}${csrfToken ? '' : ', no _csrf field (not signed in?)'}`,
    );
  }
  return { delegate, cookie: `${sessionCookie}; ${csrfCookie}`, csrfToken };
}
