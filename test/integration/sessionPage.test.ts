/**
 * The session page must show every fact of the real listing the demo starts
 * from, read here from the listing itself (test/fixtures).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { londonToInstant } from '../../src/domain/time/time.js';
import { newBookingReference } from '../../src/services/bookings/bookingReference.js';
import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import { ProgrammeRecords } from '../../src/data/repositories/programmeRecords.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { eachDatabase } from '../support/databases.js';
import { fullUpcomingSession } from '../support/queries.js';
import { normalise, parsePage } from '../support/html.js';

// A copy of ../shared/seeds/trauma-informed-co-production.txt, kept with the tests so a clone runs anywhere.
const LISTING = readFileSync(
  join(PROJECT_ROOT, 'test', 'fixtures', 'trauma-informed-co-production.txt'),
  'utf8',
);

/** The bullet lines that follow a heading line in the listing. */
function bulletsAfter(heading: string): string[] {
  const lines = LISTING.split('\n');
  const start = lines.findIndex((line) => line.includes(heading));
  const bullets: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim().startsWith('•')) bullets.push(normalise(line.replace('•', '')));
    else if (bullets.length && line.trim()) break;
  }
  return bullets;
}

/** Straight and curly quotes are the same fact. */
function plain(text: string): string {
  return normalise(text).replace(/[‘’]/g, "'").replace(/[“”]/g, '"');
}

eachDatabase('session page', (dialect) => {
  let t: TestApp;
  let seedSessionId: number;
  let futureSeedSessionId: number;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const sessions = await t.database.db
      .selectFrom('sessions')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .where('courses.slug', '=', 'trauma-informed-co-production')
      .select(['sessions.id', 'sessions.starts_at'])
      .orderBy('sessions.starts_at')
      .execute();
    seedSessionId = sessions[0]!.id;
    futureSeedSessionId = sessions.find((s) => s.starts_at > TEST_NOW)!.id;
  });
  afterAll(() => t.close());

  describe('the seed listing, fact by fact', () => {
    let page: ReturnType<typeof parsePage>;
    let text: string;
    beforeAll(async () => {
      const response = await t.app.inject(`/sessions/${seedSessionId}`);
      expect(response.statusCode).toBe(200);
      page = parsePage(response.body);
      text = plain(page.text());
    });

    it('has the title, date and time in London time with the weekday', () => {
      expect(page.h1()).toBe('Trauma Informed Co-Production');
      expect(text).toContain('Monday 25 November 2024');
      expect(text).toContain('9:30am to 3:30pm');
    });

    it('has the venue name, address and phone', () => {
      for (const fact of [
        'Westgate Collaboration Space',
        'Oxford Westgate Library',
        '228 The Westgate',
        'Queen Street',
        'Oxford',
        '01865 815509',
      ]) {
        expect(text).toContain(fact);
      }
      expect(page.links().some((l) => l.href === 'tel:01865815509')).toBe(true);
    });

    it('has the opening questions and the whole description', () => {
      const paragraphs = LISTING.split('\n')
        .map((line) => line.trim())
        .filter(
          (line) =>
            line.length > 150 &&
            !line.startsWith('•') &&
            !line.startsWith('Teas') &&
            !line.startsWith('Please note'),
        );
      expect(paragraphs.length).toBe(3);
      for (const paragraph of paragraphs) expect(text).toContain(plain(paragraph));
      expect(text).toContain('Have the people accessing your service experienced trauma?');
    });

    it('has the four key areas and the ten learning outcomes', () => {
      const keyAreas = bulletsAfter('key areas');
      const outcomes = bulletsAfter('delegates will be able to');
      expect(keyAreas).toHaveLength(4);
      expect(outcomes).toHaveLength(10);
      expect(text).toContain('The course covers four key areas');
      expect(text).toContain('By the end of the course, delegates will be able to:');
      const items = page.listItems('main li').map(plain);
      for (const item of [...keyAreas, ...outcomes]) expect(items).toContain(plain(item));
    });

    it('has the anonymous testimonial', () => {
      expect(text).toContain(
        '"Lisa was very engaging and she made delegates feel comfortable with speaking up."',
      );
      expect(text).toContain('Anonymous');
    });

    it('has the practical notes: location, parking, refreshments and lunch', () => {
      expect(text).toContain('located above the Oxford County Library in Westgate (Oxford City Centre)');
      expect(text).toContain(
        'There is no formal parking so delegates are advised to use the Park & Ride or various city centre car parks.',
      );
      expect(text).toContain(
        'Teas, coffees and biscuits will be provided, however, delegates will need to bring their own lunch.',
      );
      expect(text).toContain('There are many shops and cafes in Oxford city centre/Westgate');
    });

    it('has the places, the trainer with a link to their page, and further information', () => {
      expect(text).toContain('Places available');
      expect(text).toContain('Further information');
      expect(text).toContain('Venue details');
      expect(page.links()).toContainEqual({ text: 'Lisa Cherry', href: '/trainers/lisa-cherry' });
    });

    it('says it has finished and points to the future dates of the course', () => {
      expect(text).toContain('This session has finished.');
      const next = page
        .links()
        .find((l) => l.text.startsWith('Monday') || /^\w+day \d+ \w+ 20\d\d$/.test(l.text));
      expect(next?.href).toBe(`/sessions/${futureSeedSessionId}`);
      expect(text).not.toContain('Book a place');
    });

    it('carries schema.org Event data', () => {
      const script = page.document.querySelector('script[type="application/ld+json"]');
      const event = JSON.parse(script?.textContent ?? '{}');
      expect(event).toMatchObject({
        '@context': 'https://schema.org',
        '@type': 'Event',
        name: 'Trauma Informed Co-Production',
        startDate: '2024-11-25T09:30:00+00:00',
        endDate: '2024-11-25T15:30:00+00:00',
        eventAttendanceMode: 'https://schema.org/OfflineEventAttendanceMode',
        eventStatus: 'https://schema.org/EventScheduled',
        location: {
          '@type': 'Place',
          name: 'Westgate Collaboration Space',
          telephone: '01865 815509',
          address: {
            addressLocality: 'Oxford',
            streetAddress: 'Oxford Westgate Library, 228 The Westgate, Queen Street',
          },
        },
        performer: [
          {
            '@type': 'Person',
            name: 'Lisa Cherry',
            url: 'https://training.example.org.uk/trainers/lisa-cherry',
          },
        ],
      });
    });
  });

  it('shows live places on a future session and offers booking', async () => {
    const before = parsePage((await t.app.inject(`/sessions/${futureSeedSessionId}`)).body);
    const placesBefore = Number(/(\d+) places? left/.exec(before.text())?.[1]);
    expect(placesBefore).toBeGreaterThan(0);
    expect(before.links()).toContainEqual({
      text: 'Book a place',
      href: `/sessions/${futureSeedSessionId}/book`,
    });

    const people = new DemoRepository(t.database.db);
    const delegateId = await people.createDelegate(
      {
        name: 'New Delegate',
        email: 'new.delegate@example.org.uk',
        organisationId: null,
        jobRole: 'Nurse',
        lineManagerName: 'M',
        lineManagerEmail: 'm@example.org.uk',
      },
      new Date(TEST_NOW),
    );
    await people.insertBookings(
      [
        {
          reference: newBookingReference(),
          sessionId: futureSeedSessionId,
          delegateId,
          state: 'confirmed',
          offerExpiresAt: null,
        },
      ],
      new Date(TEST_NOW),
    );
    const after = parsePage((await t.app.inject(`/sessions/${futureSeedSessionId}`)).body);
    expect(after.text()).toContain(`${placesBefore - 1} place${placesBefore - 1 === 1 ? '' : 's'} left`);
  });

  it('shows a change made straight to the database at once, though pages are cached', async () => {
    const path = `/sessions/${futureSeedSessionId}`;
    expect(parsePage((await t.app.inject(path)).body).h1()).toBe('Trauma Informed Co-Production');
    // As another process (or a staff member) would: no code path of this app is involved.
    await t.database.db
      .updateTable('courses')
      .set({ title: 'Trauma Informed Co-Production (revised)' })
      .where('slug', '=', 'trauma-informed-co-production')
      .execute();
    expect(parsePage((await t.app.inject(path)).body).h1()).toBe('Trauma Informed Co-Production (revised)');
    await t.database.db
      .updateTable('courses')
      .set({ title: 'Trauma Informed Co-Production' })
      .where('slug', '=', 'trauma-informed-co-production')
      .execute();
  });

  it('counts unexpired offers as taken and expired ones as free', async () => {
    const { id: sessionId } = await t.database.db
      .selectFrom('sessions')
      .where('starts_at', '>', TEST_NOW)
      .where('capacity', '<=', 40)
      .select(['id', 'capacity'])
      .orderBy('starts_at', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const placesLeft = async () =>
      Number(
        /(\d+) places? left/.exec(
          parsePage((await t.app.inject(`/sessions/${sessionId}`)).body).text(),
        )?.[1] ?? 0,
      );
    const start = await placesLeft();
    const people = new DemoRepository(t.database.db);
    const make = (email: string) =>
      people.createDelegate(
        {
          name: 'Offered',
          email,
          organisationId: null,
          jobRole: '',
          lineManagerName: '',
          lineManagerEmail: '',
        },
        new Date(TEST_NOW),
      );
    const now = new Date(TEST_NOW).getTime();
    await people.insertBookings(
      [
        {
          reference: newBookingReference(),
          sessionId,
          delegateId: await make('live.offer@example.org.uk'),
          state: 'offered',
          offerExpiresAt: new Date(now + 3_600_000),
        },
        {
          reference: newBookingReference(),
          sessionId,
          delegateId: await make('old.offer@example.org.uk'),
          state: 'offered',
          offerExpiresAt: new Date(now - 3_600_000),
        },
      ],
      new Date(TEST_NOW),
    );
    expect(await placesLeft()).toBe(start - 1);
  });

  it('says a full session is fully booked and offers the waiting list', async () => {
    const full = await fullUpcomingSession(t.database.db, TEST_NOW, 'first');
    const page = parsePage((await t.app.inject(`/sessions/${full.id}`)).body);
    expect(page.text()).toContain('Fully booked');
    expect(page.links()).toContainEqual({ text: 'Join the waiting list', href: `/sessions/${full.id}/book` });
  });

  it('lists every part of a multi-part session', async () => {
    const course = await t.database.db.selectFrom('courses').select('id').executeTakeFirstOrThrow();
    const programme = new ProgrammeRecords(t.database.db);
    const id = await programme.createSession(
      {
        courseId: course.id,
        format: 'online',
        venueId: null,
        onlineJoiningUrl: 'https://meet.example.org.uk/x',
        capacity: 20,
        parts: [
          {
            startsAt: londonToInstant('2026-03-24', '09:30'),
            endsAt: londonToInstant('2026-03-24', '12:30'),
          },
          // After the clock change: still 9:30am London time.
          {
            startsAt: londonToInstant('2026-03-31', '09:30'),
            endsAt: londonToInstant('2026-03-31', '12:30'),
          },
        ],
        trainerIds: [],
        notes: 'Please attend **both** mornings.',
        bookingOpensAt: null,
        bookingClosesAt: null,
      },
      new Date(TEST_NOW),
    );
    const page = parsePage((await t.app.inject(`/sessions/${id}`)).body);
    const text = page.text();
    expect(text).toContain('This course runs over 2 parts');
    expect(page.listItems('main ol li')).toEqual([
      'Tuesday 24 March 2026, 9:30am to 12:30pm',
      'Tuesday 31 March 2026, 9:30am to 12:30pm',
    ]);
    expect(page.document.querySelector('.trellis-prose strong')?.textContent).toBe('both');
    expect(text).toContain('Online. The joining link is shown in your booking');
    expect(text).not.toContain('meet.example.org.uk');
  });

  it('never lets Markdown carry script into the page', async () => {
    await t.database.db
      .updateTable('courses')
      .set({
        description:
          'Hello <script>alert("x")</script> [click](javascript:alert(1)) <img src=x onerror=alert(1)>',
      })
      .where('slug', '=', 'trauma-informed-co-production')
      .execute();
    const response = await t.app.inject(`/sessions/${futureSeedSessionId}`);
    expect(response.body).not.toContain('<script>alert');
    expect(response.body).not.toMatch(/href="javascript:/i);
    expect(response.body).not.toMatch(/<img[^>]+onerror/);
    expect(parsePage(response.body).text()).toContain('<script>alert(');
  });

  it('gives a helpful 404 for sessions that do not exist', async () => {
    for (const path of [
      '/sessions/999999',
      '/sessions/abc',
      '/sessions/0',
      '/sessions/-1',
      '/sessions/99999999999999999999',
      '/sessions/1.5',
    ]) {
      const response = await t.app.inject(path);
      expect(response.statusCode, path).toBe(404);
      const page = parsePage(response.body);
      expect(page.h1()).toBe('Page not found');
      expect(page.text()).toContain('We could not find that');
      expect(page.links()).toContainEqual({ text: 'Browse all courses', href: '/courses' });
    }
  });
});
