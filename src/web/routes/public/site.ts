/**
 * The site around the catalogue: the hub's terms, privacy and accessibility
 * pages, its colours, and what search engines read.
 */
import type { FastifyInstance } from 'fastify';

import { textColourOn } from '../../../domain/hub/hub.js';
import { feeWords } from '../../../domain/charges/terms.js';
import { lineManagerEventWords } from '../../../domain/accounts/accounts.js';
import { lineManagerEvents, policyWords } from '../../../domain/hub/policy.js';
import { retentionWords } from '../../../domain/hub/retention.js';
import { IMMUTABLE_CACHE } from '../../assetManifest.js';
import type { PublicRouteOptions } from './options.js';

export default async function siteRoutes(app: FastifyInstance, { services, config }: PublicRouteOptions) {
  // The rules come from the hub's policy, so the page says what the site does;
  // the hub's own words follow.
  app.get('/terms', async (_request, reply) => {
    const hub = await services.settings.hub();
    const words = policyWords(await services.settings.policy());
    const fees = feeWords(await services.settings.charges());
    return reply.page('pages/terms.njk', {
      pageTitle: 'Terms of booking',
      metaDescription: `How booking a place with ${hub.name} works: what it costs, cancelling, waiting lists and charges.`,
      body: hub.termsText,
      words,
      fees,
    });
  });

  app.get('/privacy', async (_request, reply) => {
    const hub = await services.settings.hub();
    const policy = await services.settings.policy();
    const words = policyWords(policy);
    return reply.page('pages/text.njk', {
      pageTitle: 'Privacy notice',
      metaDescription: `What ${hub.name} keeps about the people who book its courses, why, for how long, and your rights.`,
      body: hub.privacyText,
      needsDeleted: words.needsDeleted,
      afterCourse: {
        followUpDays: policy.followUpDays,
        followUpLineManagers: policy.followUpLineManagers,
        feedbackBeforeCertificate: policy.feedbackBeforeCertificate,
        lineManagerToldOfCharges: (await services.settings.charges()).tellLineManagerOfConfirmedCharges,
      },
      // Line managers told of places booked, cancelled or not attended (their own block of the page).
      lineManagerPlaces: lineManagerEventWords(lineManagerEvents(policy)),
      // How long we keep each kind of information, from the retention schedule the job applies.
      retention: retentionWords(await services.settings.retention()),
    });
  });

  app.get('/accessibility', async (_request, reply) => {
    const hub = await services.settings.hub();
    return reply.page('pages/accessibility.njk', {
      pageTitle: 'Accessibility statement',
      metaDescription: `${hub.name} wants as many people as possible to be able to use this website: how it is tested, and how to tell us of a problem.`,
    });
  });

  // The hub's colours as CSS, so branding changes need no rebuild and no
  // inline style (which the content security policy forbids). Pages link to
  // /assets/brand/<colour>.css, whose content follows from its address alone:
  // browsers keep it a year, and a new colour in the settings is a new
  // address. /assets/brand.css (the colour of the moment, kept a minute)
  // stays for pages rendered before that.
  app.get<{ Params: { file: string } }>('/assets/brand/:file', async (request, reply) => {
    const colour = /^([0-9a-f]{6})\.css$/.exec(request.params.file)?.[1];
    if (!colour) return reply.callNotFound();
    return reply
      .type('text/css; charset=utf-8')
      .header('Cache-Control', IMMUTABLE_CACHE)
      .send(brandCss(`#${colour}`));
  });

  app.get('/assets/brand.css', async (_request, reply) => {
    const hub = await services.settings.hub();
    return reply
      .type('text/css; charset=utf-8')
      .header('Cache-Control', 'public, max-age=60')
      .send(brandCss(hub.brandColour));
  });

  app.get('/robots.txt', async (_request, reply) =>
    reply
      .type('text/plain; charset=utf-8')
      .send(`User-agent: *\nAllow: /\nSitemap: ${config.publicUrl}/sitemap.xml\n`),
  );

  app.get('/sitemap.xml', async (_request, reply) => {
    const { courses, sessions, venues, trainers } = await services.catalogue.sitemap();
    const entry = (path: string, updated?: string) =>
      `<url><loc>${escapeXml(config.publicUrl + path)}</loc>${updated ? `<lastmod>${updated.slice(0, 10)}</lastmod>` : ''}</url>`;
    const urls = [
      entry('/courses'),
      entry('/venues'),
      entry('/trainers'),
      ...courses.map((c) => entry(`/courses/${c.slug}`, c.updated_at)),
      ...sessions.map((s) => entry(`/sessions/${s.id}`, s.updated_at)),
      ...venues.map((v) => entry(`/venues/${v.slug}`, v.updated_at)),
      ...trainers.map((t) => entry(`/trainers/${t.slug}`, t.updated_at)),
    ];
    return reply
      .type('application/xml; charset=utf-8')
      .send(
        `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join('\n')}\n</urlset>\n`,
      );
  });
}

function brandCss(brandColour: string): string {
  return `:root{--trellis-brand:${brandColour};--trellis-on-brand:${textColourOn(brandColour)}}\n`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
