/**
 * Pages are Nunjucks templates using the GOV.UK Frontend macros. This plugin
 * gives every reply `reply.page(template, context, status)`, which adds what
 * every page needs: the hub's settings and the path being shown.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import nunjucks from 'nunjucks';

import type { HubSettings } from '../../domain/hub.js';
import { GOVUK_FRONTEND_DIR, VIEWS_DIR } from '../../paths.js';
import type { SettingsService } from '../../services/settingsService.js';
import { renderMarkdown } from '../markdown.js';

declare module 'fastify' {
  interface FastifyReply {
    page(template: string, context?: Record<string, unknown>, statusCode?: number): Promise<FastifyReply>;
  }
}

export interface PageContext {
  hub: HubSettings;
  currentPath: string;
}

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

export function createViewEnvironment(options: { watch: boolean }): nunjucks.Environment {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader([VIEWS_DIR, GOVUK_FRONTEND_DIR], { noCache: options.watch, watch: false }),
    { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true },
  );
  env.addFilter('markdown', (text: string) => new nunjucks.runtime.SafeString(renderMarkdown(text)));
  env.addFilter('plural', (count: number, singular: string, plural?: string) =>
    count === 1 ? singular : (plural ?? `${singular}s`),
  );
  // Hubs write "four key areas", not "4 key areas".
  env.addFilter('inWords', (count: number) => NUMBER_WORDS[count] ?? String(count));
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
    options: { settings: SettingsService; env: nunjucks.Environment },
  ) {
    app.decorateReply(
      'page',
      async function page(
        this: FastifyReply,
        template: string,
        context: Record<string, unknown> = {},
        statusCode = 200,
      ) {
        const hub = await options.settings.hub();
        const base: PageContext = { hub, currentPath: this.request.url.split('?')[0] ?? '/' };
        // File templates load synchronously and are cached after the first
        // render, so the synchronous render is the fast path.
        const html = options.env.render(template, { ...base, ...context });
        return this.code(statusCode).type('text/html; charset=utf-8').send(html);
      },
    );
  },
  { name: 'rendering' },
);
