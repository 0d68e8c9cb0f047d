/**
 * The emails staff changes send: a booking moved to another date, a place
 * passed to a colleague, and a booking made (or a waiting-list place taken)
 * by the hub on the delegate's behalf.
 */
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';

import { bookingConfirmed, bookingMoved, placePassed, waitlistJoined, type SessionFacts } from '../index.js';

const hub = {
  name: 'Northshire Safeguarding Partnership',
  contactEmail: 'training@northshire.example',
  contactPhone: '01632 960000',
};

const HOSTILE_NAME = 'Sam <script>alert(1)</script> O’Neill';

const march: SessionFacts = {
  courseTitle: 'Working with families',
  parts: [{ startsAt: new Date('2026-03-06T09:30:00Z'), endsAt: new Date('2026-03-06T15:30:00Z') }],
  venue: {
    name: 'Cherwell Learning Centre',
    addressLines: ['Ironstone House'],
    town: 'Banbury',
    postcode: 'OX16 5ZT',
  },
  sessionUrl: 'https://training.example.org.uk/sessions/3',
};

const june: SessionFacts = {
  ...march,
  parts: [{ startsAt: new Date('2026-06-09T08:30:00Z'), endsAt: new Date('2026-06-09T14:30:00Z') }],
  venue: null,
  onlineJoiningUrl: 'https://meet.example.com/j/123',
  sessionUrl: 'https://training.example.org.uk/sessions/9',
};

const moved = {
  hub,
  delegateName: HOSTILE_NAME,
  from: march,
  session: june,
  bookingReference: 'TRL-7KQ2-AAAA-BBBB',
  manageBookingUrl: 'https://training.example.org.uk/bookings/TRL-7KQ2-AAAA-BBBB',
};

function visibleText(html: string): string {
  const { document } = parseHTML(html);
  return (document.querySelector('body')?.textContent ?? '').replace(/\s+/g, ' ');
}

describe('bookingMoved', () => {
  const confirmed = bookingMoved({
    ...moved,
    place: {
      state: 'confirmed',
      calendar: { ics: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', filename: 'families-9.ics' },
      cancelBy: new Date('2026-06-05T23:00:00Z'),
    },
  });

  it('says the old and the new date, in London time, with the new calendar file', () => {
    expect(confirmed.kind).toBe('booking_moved');
    expect(confirmed.subject).toBe('Your booking has moved: Working with families, now Tuesday 9 June 2026');
    expect(confirmed.text).toContain('It was:\n  Friday 6 March 2026, 9:30am to 3:30pm');
    expect(confirmed.text).toContain('It is now:\n  Tuesday 9 June 2026, 9:30am to 3:30pm');
    expect(confirmed.text).toContain('Your place on the new date is confirmed.');
    expect(confirmed.text).toContain('Join the online session: https://meet.example.com/j/123');
    expect(confirmed.text).toContain('Please cancel by 11:59pm on Friday 5 June 2026');
    expect(confirmed.attachments).toEqual([
      {
        filename: 'families-9.ics',
        contentType: 'text/calendar; charset=utf-8',
        content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n',
      },
    ]);
    for (const version of [confirmed.text.replace(/\s+/g, ' '), visibleText(confirmed.html)]) {
      expect(version).toContain(
        'You are getting this email because Northshire Safeguarding Partnership moved your booking for Working with families to another date.',
      );
      expect(version).toContain('training@northshire.example');
    }
  });

  it('on a full date, gives the place on its waiting list, without a calendar file or joining link', () => {
    const waiting = bookingMoved({
      ...moved,
      session: { ...june, onlineJoiningUrl: null },
      place: { state: 'waitlisted', position: 4, offerHoldHours: 24 },
    });
    expect(waiting.text).toContain('you are number 4 on the list');
    expect(waiting.text).toContain('hold it for you for up to 24 hours (less when the session is close)');
    expect(waiting.text).not.toContain('meet.example.com');
    expect(waiting.text).not.toContain('calendar file');
    expect(waiting.attachments).toBeUndefined();
  });

  it('escapes names in the HTML and has one heading', () => {
    expect(confirmed.html).not.toContain('<script>');
    expect(visibleText(confirmed.html)).toContain('Sam <script>alert(1)</script> O’Neill');
    expect(parseHTML(confirmed.html).document.querySelectorAll('h1')).toHaveLength(1);
  });
});

describe('placePassed', () => {
  const message = placePassed({
    hub,
    delegateName: 'Amira Shah',
    colleagueName: HOSTILE_NAME,
    session: march,
    bookingReference: 'TRL-7KQ2-AAAA-BBBB',
    wasWaiting: false,
  });

  it('tells the first delegate their place went to a colleague, and what to do if they did not arrange it', () => {
    expect(message.kind).toBe('place_passed');
    expect(message.subject).toBe(
      'Your place has passed to a colleague: Working with families, Friday 6 March 2026',
    );
    expect(message.text).toContain('Dear Amira Shah,');
    expect(message.text).toContain('has passed to your colleague Sam <script>alert(1)</script> O’Neill');
    expect(message.text).toContain('If you did not arrange this, or still want to come, please contact us');
    expect(message.html).not.toContain('<script>');
    expect(message.attachments).toBeUndefined();
  });

  it('says a waiting-list place, when that is what it was', () => {
    const waiting = placePassed({
      hub,
      delegateName: 'Amira Shah',
      colleagueName: 'Ben Okafor',
      session: march,
      bookingReference: 'TRL-7KQ2-AAAA-BBBB',
      wasWaiting: true,
    });
    expect(waiting.text).toContain('Your place on the waiting list on Working with families has passed');
  });
});

describe('booked by the hub', () => {
  it('says in the confirmation that the hub booked the place', () => {
    const message = bookingConfirmed({
      hub,
      delegateName: 'Amira Shah',
      session: march,
      bookingReference: 'TRL-7KQ2-AAAA-BBBB',
      manageBookingUrl: 'https://training.example.org.uk/bookings/TRL-7KQ2-AAAA-BBBB',
      calendar: { ics: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' },
      bookedByHub: true,
      needs: { access: null, dietary: null, deleted: 'when the session ends' },
    });
    expect(message.text).toContain(
      'The training team at Northshire Safeguarding Partnership booked this place for you.',
    );
    expect(message.text).toContain(
      'You are getting this email because Northshire Safeguarding Partnership booked a place for you on Working with families.',
    );
  });

  it('says in the waiting-list email that the hub put them on the list', () => {
    const message = waitlistJoined({
      hub,
      delegateName: 'Amira Shah',
      session: march,
      bookingReference: 'TRL-7KQ2-AAAA-BBBB',
      position: 2,
      manageBookingUrl: 'https://training.example.org.uk/bookings/TRL-7KQ2-AAAA-BBBB',
      bookedByHub: true,
      offerHoldHours: 48,
      needs: { access: null, dietary: null, deleted: 'when the session ends' },
    });
    expect(message.text).toContain('put you on the waiting list because the session is full');
    expect(visibleText(message.html)).toContain(
      'You are getting this email because Northshire Safeguarding Partnership put you on the waiting list for Working with families.',
    );
  });
});
