/**
 * Pages are Nunjucks templates using the GOV.UK Frontend macros. This plugin
 * gives every reply `reply.page(template, context, status)`, which adds what
 * every page needs: the hub's settings and the path being shown.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import nunjucks from 'nunjucks';

import { ANONYMISED_DELEGATE } from '../../domain/accounts/accounts.js';
import { plusVatWords } from '../../domain/charges/invoiceNumbers.js';
import type { HubSettings } from '../../domain/hub/hub.js';
import { STAFF_ROLE_NAMES } from '../../domain/accounts/staff.js';
import { formatMoment } from '../../domain/time/time.js';
import { GOVUK_FRONTEND_DIR, VIEWS_DIR } from '../../paths.js';
import type { Services } from '../../services/index.js';
import { adminNavigation } from '../adminNavigation.js';
import type { AssetManifest } from '../assetManifest.js';
import { gzippedBody, type PageCache } from '../pageCache.js';
import { renderMarkdown } from '../markdown.js';

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a page and sends it. */
    page(template: string, context?: Record<string, unknown>, statusCode?: number): Promise<FastifyReply>;
    /**
     * Sends a page that is the same for every visitor, from the page cache
     * when nothing it shows has changed; `build` runs only on a miss, once
     * for all the requests that miss together (see pageCache.ts).
     */
    publicPage(build: () => Promise<PageSpec>): Promise<FastifyReply>;
  }
}

export interface PageSpec {
  template: string;
  context: Record<string, unknown>;
  statusCode?: number;
}

export interface PageContext {
  hub: HubSettings;
  /** "plus VAT at 20%" when the hub charges VAT, said after every price and fee a page shows; "" at 0. */
  plusVat: string;
  currentPath: string;
  /** On back-office pages for signed-in staff: who, their menu, and a CSRF token to sign out. */
  backOffice?: {
    staff: { name: string; role: string; roleLabel: string };
    navigation: { href: string; text: string; active: boolean }[];
    csrfToken: string;
  };
}

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

export function createViewEnvironment(options: {
  watch: boolean;
  assets: AssetManifest;
}): nunjucks.Environment {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader([VIEWS_DIR, GOVUK_FRONTEND_DIR], { noCache: options.watch, watch: false }),
    { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true },
  );
  // The address of a built file, by its own name: assetUrl('trellis.css') is
  // /assets/trellis.<hash>.css (see assetManifest.ts).
  env.addGlobal('assetUrl', (name: string) => options.assets.url(name));
  // The hub's colours as CSS, at an address naming the colour: it never
  // changes, so browsers keep it, and a new colour is a new address.
  env.addGlobal('brandCssUrl', (colour: string) => `/assets/brand/${colour.replace(/^#/, '')}.css`);
  env.addFilter('markdown', (text: string) => new nunjucks.runtime.SafeString(renderMarkdown(text)));
  env.addFilter('plural', (count: number, singular: string, plural?: string) =>
    count === 1 ? singular : (plural ?? `${singular}s`),
  );
  // Hubs write "four key areas", not "4 key areas".
  env.addFilter('inWords', (count: number) => NUMBER_WORDS[count] ?? String(count));
  // An instant as stored, as people read it in London ("Monday 2 March 2026, 9:30am"); empty for none.
  env.addFilter('moment', (iso: string | null | undefined) => (iso ? formatMoment(new Date(iso)) : ''));
  // An anonymised delegate (erased on request, or the anonymous holder of old bookings) has no name.
  env.addFilter('personName', (name: string | null | undefined) => (name ? name : ANONYMISED_DELEGATE));
  // Structured data goes inside <script type="application/ld+json">: "<" is
  // escaped so no value can close the element early.
  env.addFilter(
    'jsonScript',
    (value: unknown) => new nunjucks.runtime.SafeString(JSON.stringify(value).replace(/</g, '\\u003c')),
  );
  return env;
}

export default fp(
  async function rendering(
    app: FastifyInstance,
    options: { services: Services; env: nunjucks.Environment; cache: PageCache },
  ) {
    const { services, env, cache } = options;

    async function render(request: FastifyRequest, spec: PageSpec, reply?: FastifyReply): Promise<string> {
      const [hub, charges] = await Promise.all([services.settings.hub(), services.settings.charges()]);
      const base: PageContext = {
        hub,
        plusVat: plusVatWords(charges.vatRateBasisPoints),
        currentPath: request.url.split('?')[0] ?? '/',
      };
      // Staff pages carry the back-office menu. (staffSession exists only in
      // the personal scope; public pages never have it.)
      const staffSession = request.staffSession;
      if (
        staffSession?.stage === 'signed_in' &&
        base.currentPath.startsWith('/admin') &&
        reply?.generateCsrf
      ) {
        const { staff } = staffSession;
        base.backOffice = {
          staff: { name: staff.name, role: staff.role, roleLabel: STAFF_ROLE_NAMES[staff.role] },
          navigation: adminNavigation(staff.role, base.currentPath),
          csrfToken: reply.generateCsrf(),
        };
      }
      // File templates load synchronously and are compiled once, so the
      // synchronous render is the fast path.
      return env.render(spec.template, { ...base, ...spec.context });
    }

    app.decorateReply(
      'page',
      async function page(
        this: FastifyReply,
        template: string,
        context: Record<string, unknown> = {},
        statusCode = 200,
      ) {
        const html = await render(this.request, { template, context }, this);
        // Pages rendered per request may be personal (bookings, forms with a
        // CSRF token): never kept by the browser, so Back after signing out
        // cannot show them again.
        if (!this.hasHeader('Cache-Control')) this.header('Cache-Control', 'no-store');
        return this.code(statusCode).type(HTML).send(html);
      },
    );

    app.decorateReply(
      'publicPage',
      async function publicPage(this: FastifyReply, build: () => Promise<PageSpec>) {
        const key = this.request.url;
        // Read after this request arrived (see ChangeCounterRecords), so a
        // change committed before it is never mistaken for cached.
        const version = await services.publicPagesVersion();
        const minute = Math.floor(services.clock.now().getTime() / 60_000);
        // One render per page for everyone waiting; see pageCache.ts.
        const page = await cache.page(key, version, minute, async () => {
          const spec = await build();
          const rendered = { statusCode: spec.statusCode ?? 200, body: await render(this.request, spec) };
          // Compressed here, not on the first request for it, so the render's
          // measured length (which spaces the next during a rush) counts it.
          gzippedBody(rendered);
          return rendered;
        });
        this.code(page.statusCode).type(HTML).header('Vary', 'Accept-Encoding');
        if (acceptsGzip(this.request)) return this.header('Content-Encoding', 'gzip').send(gzippedBody(page));
        return this.send(page.body);
      },
    );
  },
  { name: 'rendering' },
);

const HTML = 'text/html; charset=utf-8';

function acceptsGzip(request: FastifyRequest): boolean {
  const accepted = request.headers['accept-encoding'];
  return (
    typeof accepted === 'string' && /\bgzip\b/.test(accepted) && !/\bgzip;\s*q=0(\.0*)?\b/.test(accepted)
  );
}
