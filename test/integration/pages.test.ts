/** Course, venue and trainer pages, calendar files, the sitemap and the hub's own pages. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';

eachDatabase('public pages', (dialect) => {
  let t: TestApp;
  let seedSessions: { id: number; starts_at: string }[];

  beforeAll(async () => {
    t = await createTestApp(dialect);
    seedSessions = await t.database.db
      .selectFrom('sessions')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('courses.slug', '=', 'trauma-informed-co-production')
      .select(['sessions.id', 'sessions.starts_at'])
      .orderBy('sessions.starts_at')
      .execute();
  });
  afterAll(() => t.close());

  it('shows a course with its upcoming dates only', async () => {
    const response = await t.app.inject('/courses/trauma-informed-co-production');
    expect(response.statusCode).toBe(200);
    const page = parsePage(response.body);
    expect(page.h1()).toBe('Trauma Informed Co-Production');
    const dateLinks = page.links('.trellis-session-list a').map((l) => l.href);
    const future = seedSessions.filter((s) => s.starts_at > TEST_NOW).map((s) => `/sessions/${s.id}`);
    expect(dateLinks.filter((href) => href.startsWith('/sessions/') && !href.endsWith('#book'))).toEqual(
      future,
    );
    expect(page.text()).toContain('The course covers four key areas');
  });

  it('shows a venue with its address, travel notes and sessions there', async () => {
    const page = parsePage((await t.app.inject('/venues/westgate-collaboration-space')).body);
    expect(page.h1()).toBe('Westgate Collaboration Space');
    expect(page.text()).toContain('228 The Westgate');
    expect(page.text()).toContain('Park & Ride');
    expect(page.links()).toContainEqual({ text: '01865 815509', href: 'tel:01865815509' });
    expect(page.text()).toContain('Trauma Informed Co-Production');

    const list = parsePage((await t.app.inject('/venues')).body);
    expect(list.links()).toContainEqual({
      text: 'Westgate Collaboration Space',
      href: '/venues/westgate-collaboration-space',
    });
  });

  it('shows a trainer with their biography and sessions', async () => {
    const page = parsePage((await t.app.inject('/trainers/lisa-cherry')).body);
    expect(page.h1()).toBe('Lisa Cherry');
    expect(page.text()).toContain('Author, Researcher and International Trauma Trainer and Consultant');
    expect(page.text()).toContain('Upcoming sessions with Lisa Cherry');
    expect(page.links().some((l) => l.text.startsWith('Trauma Informed Co-Production'))).toBe(true);
    const list = parsePage((await t.app.inject('/trainers')).body);
    expect(list.links()).toContainEqual({ text: 'Lisa Cherry', href: '/trainers/lisa-cherry' });
  });

  it.each([
    '/courses/no-such-course',
    '/venues/nowhere',
    '/trainers/nobody',
    '/courses/UPPER',
    '/venues/%3Cscript%3E',
    '/no/such/page',
  ])('%s is a helpful 404', async (path) => {
    const response = await t.app.inject(path);
    expect(response.statusCode).toBe(404);
    expect(parsePage(response.body).h1()).toBe('Page not found');
    expect(response.body).not.toContain('<script>');
  });

  describe('calendar file', () => {
    it('puts the seed session in Europe/London with a VTIMEZONE', async () => {
      const response = await t.app.inject(`/sessions/${seedSessions[0]!.id}/calendar.ics`);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/calendar; charset=utf-8');
      expect(response.headers['content-disposition']).toMatch(
        /^attachment; filename="trauma-informed-co-production-\d+\.ics"$/,
      );
      const ics = response.body.replace(/\r\n[ \t]/g, '');
      expect(ics).toContain('BEGIN:VTIMEZONE');
      expect(ics).toContain('TZID:Europe/London');
      expect(ics).toMatch(/BEGIN:DAYLIGHT[\s\S]*TZOFFSETTO:\+0100/);
      expect(ics).toContain('DTSTART;TZID=Europe/London:20241125T093000');
      expect(ics).toContain('DTEND;TZID=Europe/London:20241125T153000');
      expect(ics).toContain('SUMMARY:Trauma Informed Co-Production');
      expect(ics).toContain(
        'LOCATION:Westgate Collaboration Space\\, Oxford Westgate Library\\, 228 The Westgate\\, Queen Street\\, Oxford',
      );
      expect(ics).toContain(`URL;VALUE=URI:https://training.example.org.uk/sessions/${seedSessions[0]!.id}`);
      expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(1);
    });

    it('writes one event per part of a multi-part session, at London wall-clock time in summer', async () => {
      const multi = await t.database.db
        .selectFrom('session_parts')
        .select(['session_id'])
        .groupBy('session_id')
        .having((eb) => eb.fn.countAll(), '>', 1)
        .executeTakeFirstOrThrow();
      const parts = await t.database.db
        .selectFrom('session_parts')
        .where('session_id', '=', multi.session_id)
        .selectAll()
        .orderBy('position')
        .execute();
      const ics = (await t.app.inject(`/sessions/${multi.session_id}/calendar.ics`)).body.replace(
        /\r\n[ \t]/g,
        '',
      );
      expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(parts.length);
      expect(ics).toContain(`(part 1 of ${parts.length})`);
      expect(ics).toContain(`UID:session-${multi.session_id}-part-1@training.example.org.uk`);
      const local = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/London',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .format(new Date(parts[0]!.starts_at))
        .replace(':', '');
      expect(ics).toMatch(new RegExp(`DTSTART;TZID=Europe/London:\\d{8}T${local}00`));
    });

    it('is a 404 for a session that does not exist', async () => {
      expect((await t.app.inject('/sessions/424242/calendar.ics')).statusCode).toBe(404);
    });
  });

  it('lists courses, upcoming sessions, venues and trainers in the sitemap', async () => {
    const response = await t.app.inject('/sitemap.xml');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/xml; charset=utf-8');
    const locs = [...response.body.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
    expect(locs).toContain('https://training.example.org.uk/courses');
    expect(locs).toContain('https://training.example.org.uk/courses/trauma-informed-co-production');
    expect(locs).toContain('https://training.example.org.uk/trainers/lisa-cherry');
    expect(locs).toContain('https://training.example.org.uk/venues/westgate-collaboration-space');
    const future = seedSessions.filter((s) => s.starts_at > TEST_NOW);
    for (const s of future) expect(locs).toContain(`https://training.example.org.uk/sessions/${s.id}`);
    expect(locs).not.toContain(`https://training.example.org.uk/sessions/${seedSessions[0]!.id}`);
    const robots = await t.app.inject('/robots.txt');
    expect(robots.body).toContain('Sitemap: https://training.example.org.uk/sitemap.xml');
  });

  it('shows the hub’s terms, privacy and accessibility pages from settings', async () => {
    await t.services.settings.updateHub({
      termsText: 'Cancel **five** working days ahead.',
      name: 'Riverside Safeguarding Partnership',
    });
    const terms = parsePage((await t.app.inject('/terms')).body);
    expect(terms.h1()).toBe('Terms of booking');
    expect(terms.text()).toContain('Cancel five working days ahead.');
    expect(terms.text('header')).toContain('Riverside Safeguarding Partnership');
    expect(terms.document.title).toBe('Terms of booking – Riverside Safeguarding Partnership');
    expect(parsePage((await t.app.inject('/privacy')).body).h1()).toBe('Privacy notice');
    expect(parsePage((await t.app.inject('/accessibility')).body).h1()).toBe('Accessibility statement');
  });

  it('serves the hub’s colours with a text colour that contrasts', async () => {
    await t.services.settings.updateHub({ brandColour: '#FFDD00' });
    const css = (await t.app.inject('/assets/brand.css')).body;
    expect(css).toContain('--trellis-brand:#ffdd00');
    expect(css).toContain('--trellis-on-brand:#0b0c0c');
    await expect(t.services.settings.updateHub({ brandColour: 'red;}body{display:none' })).rejects.toThrow();
  });

  it('carries no GOV.UK crown, crown copyright or GDS Transport', async () => {
    const html = (await t.app.inject('/courses')).body;
    expect(html).not.toMatch(/crown|GDS Transport|Open Government Licence/i);
    const stylesheet = parsePage(html)
      .document.querySelector('link[href*="/assets/trellis."]')
      ?.getAttribute('href');
    const css = await t.app.inject(stylesheet ?? '/assets/trellis.css');
    expect(css.statusCode).toBe(200);
    expect(css.body).toContain('.govuk-');
    expect(css.body).not.toContain('GDS Transport');
  });
});
