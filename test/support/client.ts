/**
 * A person using Trellis through HTTP without a browser: keeps cookies
 * between requests and submits forms with the CSRF token the page gave.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

import { parsePage } from './html.js';

export class WebClient {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly app: FastifyInstance,
    /** Where the requests come from (127.0.0.1 unless said). */
    private readonly from: { remoteAddress?: string } = {},
  ) {}

  /** The Cookie header this person's browser would send. */
  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private remember(response: LightMyRequestResponse) {
    for (const cookie of response.cookies as {
      name: string;
      value: string;
      maxAge?: number;
      expires?: Date;
    }[]) {
      const cleared =
        cookie.value === '' ||
        cookie.maxAge === 0 ||
        (cookie.expires && cookie.expires.getTime() <= Date.now());
      if (cleared) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      method: 'GET',
      url,
      headers: { cookie: this.cookieHeader() },
      ...this.from,
    });
    this.remember(response);
    return response;
  }

  /** Posts a form as a browser would, urlencoded, with the cookies held. */
  async post(url: string, fields: Record<string, string> | URLSearchParams): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      method: 'POST',
      url,
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
      ...this.from,
    });
    this.remember(response);
    return response;
  }

  /**
   * Opens `pageUrl`, finds the form whose action is `action` (or the first
   * form), and submits it with its hidden fields plus `fields`.
   */
  async submit(
    pageUrl: string,
    fields: Record<string, string>,
    action?: string,
  ): Promise<LightMyRequestResponse> {
    const page = await this.get(pageUrl);
    const { document } = parsePage(page.body);
    const forms = [...document.querySelectorAll('form[method="post"]')];
    // Without an action: the page's own form, not the sign-out button every
    // back-office page carries in its header.
    const form = action
      ? forms.find((f) => f.getAttribute('action') === action)
      : (forms.find((f) => f.getAttribute('action') !== '/admin/sign-out') ?? forms[0]);
    if (!form)
      throw new Error(`No form${action ? ` for ${action}` : ''} on ${pageUrl} (status ${page.statusCode})`);
    const hidden: Record<string, string> = {};
    for (const input of form.querySelectorAll('input[type="hidden"]')) {
      hidden[input.getAttribute('name') ?? ''] = input.getAttribute('value') ?? '';
    }
    return this.post(form.getAttribute('action') || pageUrl, { ...hidden, ...fields });
  }

  /** Holds a cookie as if the site had set it (a sign-in made outside the pages, say). */
  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  hasCookie(name: string): boolean {
    return this.cookies.has(name);
  }
}
