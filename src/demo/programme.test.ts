import { describe, it, expect } from 'vitest';
import { COURSE_LEVELS, SESSION_FORMATS } from '../domain/programme/course.js';
import { demoProgramme } from './programme.js';
import type { DemoSession } from './types.js';

const { topics, audiences, venues, trainers, courses } = demoProgramme;

const allSessions = courses.flatMap((course) =>
  course.sessions.map((session) => ({ course: course.slug, session })),
);
const futureSessions = allSessions.filter(({ session }) => 'weeksAhead' in session.when);

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

function minutes(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** ISO weekday (1 = Monday … 7 = Sunday) of each part of a session. */
function partWeekdays(session: DemoSession): number[] {
  return session.parts.map((part) => {
    if ('date' in session.when) {
      const day = new Date(`${session.when.date}T12:00:00Z`);
      day.setUTCDate(day.getUTCDate() + part.dayOffset);
      return day.getUTCDay() === 0 ? 7 : day.getUTCDay();
    }
    return ((session.when.weekday - 1 + part.dayOffset) % 7) + 1;
  });
}

function isFull(session: DemoSession): boolean {
  return session.confirmed === session.capacity;
}

function expectUnique(slugs: string[]): void {
  expect(new Set(slugs).size).toBe(slugs.length);
  for (const slug of slugs) expect(slug).toMatch(SLUG);
}

describe('demo programme: references and slugs', () => {
  it('has unique, well-formed slugs in every list', () => {
    expectUnique(topics.map((t) => t.slug));
    expectUnique(audiences.map((a) => a.slug));
    expectUnique(venues.map((v) => v.slug));
    expectUnique(trainers.map((t) => t.slug));
    expectUnique(courses.map((c) => c.slug));
  });

  it('only refers to topics, audiences, venues and trainers that exist', () => {
    const topicSlugs = new Set(topics.map((t) => t.slug));
    const audienceSlugs = new Set(audiences.map((a) => a.slug));
    const venueSlugs = new Set(venues.map((v) => v.slug));
    const trainerSlugs = new Set(trainers.map((t) => t.slug));
    for (const course of courses) {
      expect(course.topics.length, course.slug).toBeGreaterThan(0);
      expect(course.audiences.length, course.slug).toBeGreaterThan(0);
      for (const t of course.topics) expect(topicSlugs.has(t), `${course.slug}: ${t}`).toBe(true);
      for (const a of course.audiences) expect(audienceSlugs.has(a), `${course.slug}: ${a}`).toBe(true);
      for (const session of course.sessions) {
        if (session.venue !== undefined)
          expect(venueSlugs.has(session.venue), `${course.slug}: ${session.venue}`).toBe(true);
        expect(session.trainers.length, course.slug).toBeGreaterThan(0);
        expect(new Set(session.trainers).size, course.slug).toBe(session.trainers.length);
        for (const t of session.trainers) expect(trainerSlugs.has(t), `${course.slug}: ${t}`).toBe(true);
      }
    }
  });

  it('uses every topic, audience, venue and trainer at least once', () => {
    const used = (pick: (s: DemoSession) => string[]) =>
      new Set(courses.flatMap((c) => c.sessions.flatMap(pick)));
    const usedVenues = used((s) => (s.venue === undefined ? [] : [s.venue]));
    const usedTrainers = used((s) => s.trainers);
    const usedTopics = new Set(courses.flatMap((c) => c.topics));
    const usedAudiences = new Set(courses.flatMap((c) => c.audiences));
    for (const v of venues) expect(usedVenues.has(v.slug), v.slug).toBe(true);
    for (const t of trainers) expect(usedTrainers.has(t.slug), t.slug).toBe(true);
    for (const t of topics) expect(usedTopics.has(t.slug), t.slug).toBe(true);
    for (const a of audiences) expect(usedAudiences.has(a.slug), a.slug).toBe(true);
  });
});

describe('demo programme: venues and trainers', () => {
  it('gives invented venues drama-range phone numbers and full addresses', () => {
    for (const venue of venues) {
      expect(venue.addressLines.length, venue.slug).toBeGreaterThan(0);
      expect(venue.travelNotes.trim(), venue.slug).not.toBe('');
      expect(venue.accessNotes.trim(), venue.slug).not.toBe('');
      if (venue.slug === 'westgate-collaboration-space') continue;
      expect(venue.phone, venue.slug).toMatch(/^01632 960\d{3}$/);
      expect(venue.postcode, venue.slug).toMatch(/^OX\d{1,2} \d[A-Z]{2}$/);
    }
  });

  it('gives every trainer a role and a biography', () => {
    for (const trainer of trainers) {
      expect(trainer.roleTitle.trim(), trainer.slug).not.toBe('');
      expect(trainer.biography.trim(), trainer.slug).not.toBe('');
    }
    expect(trainers.some((t) => t.isExternal)).toBe(true);
    expect(trainers.some((t) => !t.isExternal)).toBe(true);
  });
});

describe('demo programme: courses', () => {
  it('has the seed course and at least 13 others', () => {
    expect(courses.length).toBeGreaterThanOrEqual(14);
  });

  it('gives every course complete content', () => {
    for (const course of courses) {
      const where = course.slug;
      for (const field of [
        course.title,
        course.summary,
        course.description,
        course.audience,
        course.contentNotes,
        course.practicalNotes,
      ]) {
        expect(field.trim(), where).not.toBe('');
        expect(field, where).toBe(field.trim());
      }
      expect(COURSE_LEVELS, where).toContain(course.level);
      expect(course.cpdHours, where).toBeGreaterThan(0);
      expect(course.keyAreas.length, where).toBeGreaterThanOrEqual(3);
      expect(course.keyAreas.length, where).toBeLessThanOrEqual(6);
      expect(course.learningOutcomes.length, where).toBeGreaterThanOrEqual(5);
      expect(course.learningOutcomes.length, where).toBeLessThanOrEqual(10);
      expect(course.testimonials.length, where).toBeGreaterThanOrEqual(1);
      expect(course.sessions.length, where).toBeGreaterThanOrEqual(1);
      expect(course.sessions.length, where).toBeLessThanOrEqual(4);
      for (const item of [...course.keyAreas, ...course.learningOutcomes]) {
        expect(item, where).toBe(item.trim());
        expect(item, where).not.toMatch(/^[•\-*]/);
      }
      for (const t of course.testimonials) {
        expect(t.quote.trim(), where).not.toBe('');
        expect(t.attribution.trim(), where).not.toBe('');
      }
      const paragraphs = course.description.split('\n\n');
      expect(paragraphs.length, where).toBeGreaterThanOrEqual(2);
      expect(paragraphs.length, where).toBeLessThanOrEqual(4);
    }
  });

  it('uses straight apostrophes nowhere in prose (typography is consistent)', () => {
    const prose = JSON.stringify(demoProgramme);
    expect(prose).not.toMatch(/[a-z]'[a-z]/i);
  });
});

describe('demo programme: sessions', () => {
  it('has a venue for in-person and hybrid sessions and none for online ones', () => {
    for (const { course, session } of allSessions) {
      expect(SESSION_FORMATS, course).toContain(session.format);
      if (session.format === 'online') expect(session.venue, course).toBeUndefined();
      else expect(session.venue, course).toBeDefined();
    }
  });

  it('has ordered parts with valid times, ending after they start', () => {
    for (const { course, session } of allSessions) {
      expect(session.parts.length, course).toBeGreaterThan(0);
      expect(session.parts[0]?.dayOffset, course).toBe(0);
      let previousEnd = -1;
      let previousDay = -1;
      for (const part of session.parts) {
        expect(part.start, course).toMatch(TIME);
        expect(part.end, course).toMatch(TIME);
        expect(minutes(part.end), course).toBeGreaterThan(minutes(part.start));
        expect(Number.isInteger(part.dayOffset) && part.dayOffset >= 0, course).toBe(true);
        const startsAt = part.dayOffset * 24 * 60 + minutes(part.start);
        expect(startsAt, course).toBeGreaterThan(previousEnd);
        expect(part.dayOffset, course).toBeGreaterThan(previousDay);
        previousEnd = part.dayOffset * 24 * 60 + minutes(part.end);
        previousDay = part.dayOffset;
      }
    }
  });

  it('falls on weekdays only, with valid fixed dates in the past', () => {
    for (const { course, session } of allSessions) {
      if ('date' in session.when) {
        expect(session.when.date, course).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        const parsed = new Date(`${session.when.date}T12:00:00Z`);
        expect(parsed.toISOString().slice(0, 10), course).toBe(session.when.date);
        expect(parsed.getTime(), course).toBeLessThan(Date.now());
      } else if ('weeksAgo' in session.when) {
        // Two weeks back at least: moved on past a bank holiday, it is still over.
        expect(Number.isInteger(session.when.weeksAgo), course).toBe(true);
        expect(session.when.weeksAgo, course).toBeGreaterThanOrEqual(2);
        expect(session.when.weeksAgo, course).toBeLessThanOrEqual(8);
      } else {
        expect(Number.isInteger(session.when.weeksAhead), course).toBe(true);
        expect(session.when.weeksAhead, course).toBeGreaterThanOrEqual(1);
        expect(session.when.weeksAhead, course).toBeLessThanOrEqual(36);
      }
      for (const weekday of partWeekdays(session)) expect(weekday, course).toBeLessThanOrEqual(5);
    }
  });

  it('keeps confirmed places within capacity and waiting lists only for full sessions', () => {
    for (const { course, session } of allSessions) {
      expect(Number.isInteger(session.capacity), course).toBe(true);
      expect(session.confirmed, course).toBeGreaterThanOrEqual(0);
      expect(session.confirmed, course).toBeLessThanOrEqual(session.capacity);
      if (session.format === 'online') expect(session.capacity, course).toBeLessThanOrEqual(60);
      else {
        expect(session.capacity, course).toBeGreaterThanOrEqual(12);
        expect(session.capacity, course).toBeLessThanOrEqual(40);
      }
      if (session.waitlisted !== undefined && session.waitlisted > 0)
        expect(isFull(session), course).toBe(true);
    }
  });

  it('gives the demo the mix of formats and availability it needs', () => {
    const future = futureSessions.map(({ session }) => session);
    expect(future.filter((s) => s.format === 'online').length).toBeGreaterThanOrEqual(5);
    expect(future.filter((s) => s.format === 'hybrid').length).toBeGreaterThanOrEqual(2);
    expect(future.filter((s) => s.parts.length > 1).length).toBeGreaterThanOrEqual(3);
    const full = future.filter(isFull);
    expect(full.length).toBeGreaterThanOrEqual(3);
    const withWaitlist = full.filter(
      (s) => s.waitlisted !== undefined && s.waitlisted >= 2 && s.waitlisted <= 6,
    );
    expect(withWaitlist.length).toBeGreaterThanOrEqual(2);
    const nearlyFull = future.filter((s) => {
      const left = s.capacity - s.confirmed;
      return left >= 1 && left <= 3;
    });
    expect(nearlyFull.length).toBeGreaterThanOrEqual(3);
  });

  it('spreads future sessions so every month of the next eight has several', () => {
    for (let block = 0; block < 9; block += 1) {
      const inBlock = futureSessions.filter(({ session }) => {
        const weeks = 'weeksAhead' in session.when ? session.when.weeksAhead : 0;
        return weeks > block * 4 && weeks <= block * 4 + 4;
      });
      expect(inBlock.length, `weeks ${block * 4 + 1}-${block * 4 + 4}`).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('demo programme: the seed course matches the hub’s listing', () => {
  const seed = courses.find((c) => c.slug === 'trauma-informed-co-production');

  it('exists with the listing’s title', () => {
    expect(seed?.title).toBe('Trauma Informed Co-Production');
    expect(seed?.cpdHours).toBe(5);
  });

  it('has the listing’s description, opening questions first', () => {
    const paragraphs = seed?.description.split('\n\n') ?? [];
    expect(paragraphs).toHaveLength(3);
    expect(paragraphs[0]).toBe(
      'Have the people accessing your service experienced trauma? Do you feel that you and they would benefit if you knew more about the importance of meaningful co-production of the services people access when seeking help where trauma has been experienced? Would you like to learn more about how services that are over professionalised impacts them accessing your service? If you answered yes, you are not alone. That is why we have invited Lisa Cherry, Author, Researcher and International Trauma Trainer and Consultant, to speak to you about understanding Trauma Informed Co-Production.',
    );
    expect(paragraphs[1]).toMatch(/^It offers a chance to hear from a highly regarded authority/);
    expect(paragraphs[1]).toContain('we seek to do ‘with’ not do ‘to.’');
    expect(paragraphs[1]).toMatch(
      /can empower, heal, and build capacity for people who may find services trauma inducing\.$/,
    );
    expect(paragraphs[2]).toBe(
      'The course is designed to help frontline workers understand the importance of co-production and co-creation when working within a trauma informed framework.',
    );
  });

  it('has the four key areas verbatim', () => {
    expect(seed?.keyAreas).toEqual([
      'Introduction to understanding co-production',
      'Exploring the impact of positionality',
      'Methods we can use',
      'Creating a co-production project',
    ]);
  });

  it('has the ten learning outcomes verbatim', () => {
    expect(seed?.learningOutcomes).toEqual([
      'Identify and think operationally about the trauma informed principles in practice.',
      'Explain the difference between consultation, participation, and co-production',
      'Explore what co-production might look like in their setting',
      'Identify trauma informed principles within co-production practices',
      'Identify different ways that co-production can be misunderstood that can cause harm and why',
      'Describe how being done ‘to’ rather than being ‘with’ can affect access to services.',
      'Describe different methods of co-production wisdom gathering.',
      'Understand ways that power can be shared and redistributed in the process of co-production.',
      'Begin to ensure that diverse skills that harness different strengths and courage are drawn upon.',
      'Identify strategies to collectively care for all those involved.',
    ]);
  });

  it('has the anonymous testimonial and the practical notes', () => {
    expect(seed?.testimonials).toEqual([
      {
        quote: 'Lisa was very engaging and she made delegates feel comfortable with speaking up.',
        attribution: 'Anonymous',
      },
    ]);
    expect(seed?.practicalNotes).toBe(
      'Teas, coffees and biscuits will be provided, however, delegates will need to bring their own lunch. There are many shops and cafes in Oxford city centre/Westgate for delegates to purchase lunch during the break if they prefer.',
    );
  });

  it('has the 25 November 2024 session at the Westgate venue with Lisa Cherry, and two future dates', () => {
    expect(seed?.sessions).toContainEqual({
      when: { date: '2024-11-25' },
      parts: [{ dayOffset: 0, start: '09:30', end: '15:30' }],
      format: 'in_person',
      venue: 'westgate-collaboration-space',
      trainers: ['lisa-cherry'],
      capacity: 40,
      confirmed: 40,
      registerLeftUnmarked: true,
    });
    const future = seed?.sessions.filter((s) => 'weeksAhead' in s.when) ?? [];
    expect(future).toHaveLength(2);
    expect(future.some((s) => s.confirmed < s.capacity)).toBe(true);
  });

  it('has the Westgate venue and Lisa Cherry as the listing gives them', () => {
    expect(venues.find((v) => v.slug === 'westgate-collaboration-space')).toMatchObject({
      name: 'Westgate Collaboration Space',
      addressLines: ['Oxford Westgate Library', '228 The Westgate', 'Queen Street'],
      town: 'Oxford',
      postcode: null,
      phone: '01865 815509',
      travelNotes:
        'The Westgate Collaboration Space is located above the Oxford County Library in Westgate (Oxford City Centre). There is no formal parking so delegates are advised to use the Park & Ride or various city centre car parks.',
    });
    expect(trainers.find((t) => t.slug === 'lisa-cherry')).toMatchObject({
      name: 'Lisa Cherry',
      roleTitle: 'Author, Researcher and International Trauma Trainer and Consultant',
      isExternal: true,
    });
  });
});
