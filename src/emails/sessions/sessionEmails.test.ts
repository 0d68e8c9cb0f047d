import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';

import { sessionCancelled, sessionChanged, type SessionFacts } from '../index.js';

const HOSTILE_TITLE = 'Safeguarding <script>alert("title")</script> & you';
const HOSTILE_NAME = "Sam <img src=x onerror=alert(1)> O'Neill";

const hub = {
  name: 'Northshire Safeguarding Partnership',
  contactEmail: 'training@northshire.example',
  contactPhone: '01632 960000',
};

const session: SessionFacts = {
  courseTitle: HOSTILE_TITLE,
  parts: [{ startsAt: new Date('2026-03-17T10:00:00Z'), endsAt: new Date('2026-03-17T13:00:00Z') }],
  venue: {
    name: 'Cherwell Learning Centre',
    addressLines: ['7 Canalside Walk'],
    town: 'Banbury',
    postcode: 'OX16 5ZT',
  },
  onlineJoiningUrl: null,
  sessionUrl: 'https://training.example.org.uk/sessions/3',
};

const changes = [
  {
    label: 'Date and time',
    before: ['Tuesday 10 March 2026, 9:30am to 12:30pm'],
    after: ['Tuesday 17 March 2026, 10am to 1pm'],
  },
];

function htmlText(html: string): string {
  return parseHTML(html).document.body.textContent?.replace(/\s+/g, ' ') ?? '';
}

describe('session changed', () => {
  it('tells a confirmed delegate what changed, from what to what, with the calendar file', () => {
    const message = sessionChanged({
      hub,
      delegateName: HOSTILE_NAME,
      session,
      bookingReference: 'TRL-1',
      bookingState: 'confirmed',
      changes,
      manageBookingUrl: 'https://training.example.org.uk/bookings/TRL-1',
      calendar: { ics: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', filename: 'course-3.ics' },
    });
    expect(message.kind).toBe('session_changed');
    expect(message.text).toContain('Before:\n    Tuesday 10 March 2026, 9:30am to 12:30pm');
    expect(message.text).toContain('Now:\n    Tuesday 17 March 2026, 10am to 1pm');
    expect(message.text).toContain('You are getting this email because you have a place on');
    expect(message.attachments).toEqual([
      {
        filename: 'course-3.ics',
        contentType: 'text/calendar; charset=utf-8',
        content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n',
      },
    ]);
    // Escaped in HTML: no element from a title or a name.
    const { document } = parseHTML(message.html);
    expect(document.querySelector('script')).toBeNull();
    expect(document.querySelector('img')).toBeNull();
    expect(htmlText(message.html)).toContain(HOSTILE_TITLE);
    expect(document.querySelector('html')?.getAttribute('lang')).toBe('en-GB');
  });

  it('asks a confirmed delegate to cancel only while they still can online', () => {
    const facts = {
      hub,
      delegateName: 'Ali',
      session,
      bookingReference: 'TRL-3',
      bookingState: 'confirmed' as const,
      changes,
      manageBookingUrl: 'https://training.example.org.uk/bookings/TRL-3',
    };
    const inTime = sessionChanged({ ...facts, tooLateToCancel: false });
    expect(inTime.text).toContain('Please cancel your booking');
    const tooLate = sessionChanged({ ...facts, tooLateToCancel: true });
    for (const body of [tooLate.text, htmlText(tooLate.html)]) {
      expect(body).not.toContain('Please cancel your booking');
      expect(body).toContain('The cut-off for cancelling has passed');
      expect(body).toContain('training@northshire.example');
      expect(body).toContain('01632 960000');
    }
  });

  it('gives the waiting list the notice without a calendar file', () => {
    const message = sessionChanged({
      hub,
      delegateName: 'Ali',
      session,
      bookingReference: 'TRL-2',
      bookingState: 'waitlisted',
      changes,
      manageBookingUrl: 'https://training.example.org.uk/bookings/TRL-2',
      calendar: { ics: 'x' },
    });
    expect(message.attachments).toBeUndefined();
    expect(message.text).toContain('You keep your place in the queue');
    expect(message.text).not.toContain('calendar');
  });

  it('is not written without a change to tell', () => {
    expect(() =>
      sessionChanged({
        hub,
        delegateName: 'Ali',
        session,
        bookingReference: 'TRL-2',
        bookingState: 'offered',
        changes: [],
        manageBookingUrl: 'https://training.example.org.uk/bookings/TRL-2',
      }),
    ).toThrow();
  });
});

describe('session cancelled', () => {
  const facts = {
    hub,
    delegateName: HOSTILE_NAME,
    session,
    bookingReference: 'TRL-3',
    reason: 'The trainer is unavailable.\n\nWe will add a <b>new</b> date soon.',
    courseUrl: 'https://training.example.org.uk/courses/safeguarding',
  };

  it('gives the reason and the other dates, escaped', () => {
    const message = sessionCancelled({
      ...facts,
      bookingState: 'offered',
      otherDates: [
        {
          when: 'Tuesday 14 April 2026, 9:30am to 12:30pm',
          url: 'https://training.example.org.uk/sessions/9',
        },
      ],
    });
    expect(message.kind).toBe('session_cancelled');
    expect(message.subject).toBe(`Cancelled: ${HOSTILE_TITLE}, Tuesday 17 March 2026`);
    expect(message.text).toContain('so the place we offered you has been cancelled too');
    expect(message.text).toContain('The trainer is unavailable.\n\nWe will add a <b>new</b> date soon.');
    expect(message.text).toContain(
      'Tuesday 14 April 2026, 9:30am to 12:30pm: https://training.example.org.uk/sessions/9',
    );
    expect(message.text).toContain('because Northshire Safeguarding Partnership cancelled');
    const { document } = parseHTML(message.html);
    expect(document.querySelector('b')).toBeNull();
    expect([...document.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toContain(
      'https://training.example.org.uk/sessions/9',
    );
    expect(message.attachments).toBeUndefined();
  });

  it('points to the course page when there are no other dates, and refuses to go without a reason', () => {
    const message = sessionCancelled({ ...facts, bookingState: 'confirmed', otherDates: [] });
    expect(message.text).toContain('There are no other dates');
    expect(message.text).toContain('https://training.example.org.uk/courses/safeguarding');
    expect(() =>
      sessionCancelled({ ...facts, reason: '  ', bookingState: 'confirmed', otherDates: [] }),
    ).toThrow();
    expect(() =>
      sessionCancelled({
        ...facts,
        bookingState: 'confirmed',
        otherDates: [{ when: 'x', url: 'javascript:alert(1)' }],
      }),
    ).toThrow();
  });
});
