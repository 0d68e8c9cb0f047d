import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';

import {
  accountClosing,
  bookingCancelled,
  bookingConfirmed,
  chargeDecided,
  chargeLineManager,
  lineManagerTold,
  chargeProposed,
  detailsChanged,
  emailChangeRequested,
  emailInUse,
  feedbackInvitation,
  offerExpired,
  passwordReset,
  placeOffered,
  onlineMorningReminder,
  sessionReminder,
  verifyEmail,
  waitlistJoined,
  type EmailMessage,
  type SessionFacts,
} from './index.js';

const HOSTILE_TITLE = 'Safeguarding <script>alert("title")</script> & you';
const HOSTILE_NAME = "Sam <script>alert(1)</script> O'Neill";

const hub = {
  name: 'Northshire Safeguarding Partnership',
  contactEmail: 'training@northshire.example',
  contactPhone: '01632 960000',
};

const inPerson: SessionFacts = {
  courseTitle: HOSTILE_TITLE,
  parts: [{ startsAt: new Date('2026-03-06T09:30:00Z'), endsAt: new Date('2026-03-06T15:30:00Z') }],
  venue: {
    name: 'Cherwell Learning Centre',
    addressLines: ['Ironstone House', '7 Canalside Walk'],
    town: 'Banbury',
    postcode: 'OX16 5ZT',
    phone: '01632 960114',
    travelNotes: 'Banbury **railway station** is ten minutes away.\n\nThere is no car park of its own.',
  },
  sessionUrl: 'https://training.example.org.uk/sessions/3',
};

const online: SessionFacts = {
  courseTitle: 'Working with families online',
  parts: [
    { startsAt: new Date('2026-06-09T08:30:00Z'), endsAt: new Date('2026-06-09T11:30:00Z') },
    { startsAt: new Date('2026-06-10T08:30:00Z'), endsAt: new Date('2026-06-10T11:30:00Z') },
  ],
  venue: null,
  onlineJoiningUrl: 'https://meet.example.com/j/123',
  sessionUrl: 'https://training.example.org.uk/sessions/9',
};

const booking = {
  hub,
  delegateName: HOSTILE_NAME,
  session: inPerson,
  bookingReference: 'TRL-7KQ2',
};

const NEEDS = {
  access: 'A seat near the door <script>alert(2)</script>',
  dietary: null,
  deleted: '30 days after the session ends',
};
const NO_NEEDS = { access: null, dietary: null, deleted: '30 days after the session ends' };

const messages: { name: string; message: EmailMessage; why: RegExp }[] = [
  {
    name: 'bookingConfirmed',
    message: bookingConfirmed({
      ...booking,
      manageBookingUrl: 'https://training.example.org.uk/account/bookings/TRL-7KQ2',
      calendar: { ics: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', filename: 'safeguarding.ics' },
      // The cut-off is exclusive, at midnight: shown as the last minute before it.
      cancelBy: new Date('2026-03-03T00:00:00Z'),
      needs: NEEDS,
    }),
    why: /You are getting this email because you booked a place on/,
  },
  {
    name: 'waitlistJoined',
    message: waitlistJoined({
      ...booking,
      position: 3,
      manageBookingUrl: 'https://training.example.org.uk/b/1',
      offerHoldHours: 36,
      needs: NO_NEEDS,
    }),
    why: /You are getting this email because you joined the waiting list for/,
  },
  {
    name: 'placeOffered',
    message: placeOffered({
      ...booking,
      offerExpiresAt: new Date('2026-03-06T15:30:00Z'),
      acceptUrl: 'https://training.example.org.uk/offers/abc/accept',
      declineUrl: 'https://training.example.org.uk/offers/abc/decline',
    }),
    why: /You are getting this email because you are on the waiting list for .* and a place has become free/,
  },
  {
    name: 'offerExpired',
    message: offerExpired({ ...booking, expiredAt: new Date('2026-03-04T12:00:00Z'), stillWaiting: false }),
    why: /You are getting this email because we offered you a place on/,
  },
  {
    name: 'bookingCancelled (by the delegate)',
    message: bookingCancelled({
      ...booking,
      cancelledBy: { by: 'delegate' },
      findAnotherUrl: 'https://training.example.org.uk/courses',
    }),
    why: /You are getting this email because you cancelled your place on/,
  },
  {
    name: 'bookingCancelled (by the hub)',
    message: bookingCancelled({
      ...booking,
      cancelledBy: {
        by: 'hub',
        reason: 'The trainer is unwell.\n\nWe will offer you a place on the next date.',
      },
      findAnotherUrl: 'https://training.example.org.uk/courses',
    }),
    why: /You are getting this email because Northshire Safeguarding Partnership cancelled your place on/,
  },
  {
    name: 'sessionReminder',
    message: sessionReminder({
      ...booking,
      daysBefore: 2,
      manageBookingUrl: 'https://training.example.org.uk/b/1',
      giveUpUrl: 'https://training.example.org.uk/give-up/abc',
    }),
    why: /You are getting this email because you have a place on/,
  },
  {
    name: 'onlineMorningReminder',
    message: onlineMorningReminder({
      ...booking,
      session: online,
      manageBookingUrl: 'https://training.example.org.uk/b/1',
      giveUpUrl: 'https://training.example.org.uk/give-up/abc',
    }),
    why: /You are getting this email because you have a place on .* online today/,
  },
  {
    name: 'verifyEmail',
    message: verifyEmail({
      hub,
      name: HOSTILE_NAME,
      verifyUrl: 'https://training.example.org.uk/verify/abc',
      expiresAt: new Date('2026-03-03T09:00:00Z'),
    }),
    why: /You are getting this email because this email address was given when an account was set up/,
  },
  {
    name: 'passwordReset',
    message: passwordReset({
      hub,
      name: HOSTILE_NAME,
      resetUrl: 'https://training.example.org.uk/reset/abc',
      expiresAt: new Date('2026-03-02T10:00:00Z'),
    }),
    why: /You are getting this email because someone asked to reset the password/,
  },
  {
    name: 'detailsChanged',
    message: detailsChanged({
      hub,
      name: HOSTILE_NAME,
      changed: ['email'],
      changedAt: new Date('2026-03-02T10:00:00Z'),
      resetPasswordUrl: 'https://training.example.org.uk/reset',
    }),
    why: /You are getting this email because the email address of your Northshire Safeguarding Partnership account changed/,
  },
  {
    name: 'verifyEmail (a new address for an account)',
    message: verifyEmail({
      hub,
      name: HOSTILE_NAME,
      verifyUrl: 'https://training.example.org.uk/verify/abc',
      expiresAt: new Date('2026-03-03T09:00:00Z'),
      purpose: 'change',
    }),
    why: /You are getting this email because this email address was given as the new address of an account/,
  },
  {
    name: 'accountClosing (no password yet)',
    message: accountClosing({
      hub,
      name: HOSTILE_NAME,
      inactiveMonths: 12,
      lastActiveAt: new Date('2025-02-01T10:00:00Z'),
      closesFrom: new Date('2026-03-04T02:30:00Z'),
      hasPassword: false,
      signInUrl: 'https://training.example.org.uk/sign-in',
      forgotPasswordUrl: 'https://training.example.org.uk/account/forgot-password',
    }),
    why: /You are getting this email because you have an account with Northshire Safeguarding Partnership that has not been used for a long time/,
  },
  {
    name: 'emailChangeRequested',
    message: emailChangeRequested({
      hub,
      name: HOSTILE_NAME,
      newEmail: 'new.address@trust.example.org.uk',
      requestedAt: new Date('2026-03-02T10:00:00Z'),
      resetPasswordUrl: 'https://training.example.org.uk/account/forgot-password',
    }),
    why: /You are getting this email because someone asked to change the email address of the Northshire Safeguarding Partnership account that uses this address/,
  },
  {
    name: 'emailInUse',
    message: emailInUse({
      hub,
      name: HOSTILE_NAME,
      signInUrl: 'https://training.example.org.uk/sign-in',
      resetPasswordUrl: 'https://training.example.org.uk/account/forgot-password',
    }),
    why: /You are getting this email because this email address was given as the new address of another account/,
  },
  {
    name: 'feedbackInvitation',
    message: invitation('waits_for_feedback'),
    why: /You are getting this email because you were at .* with Northshire Safeguarding Partnership on/,
  },
  {
    name: 'chargeProposed',
    message: chargeProposed({
      hub,
      delegateName: HOSTILE_NAME,
      courseTitle: HOSTILE_TITLE,
      sessionDate: new Date('2026-03-06T09:30:00Z'),
      kind: 'non_attendance',
      paidPlace: false,
      proposedPence: 5000,
      organisationName: 'Northshire Council',
      reasonUrl: `https://training.example.org.uk/charges/why/${'a'.repeat(43)}`,
      expiresAt: new Date('2026-04-05T09:30:00Z'),
    }),
    why: /You are getting this email because the register for .* with Northshire Safeguarding Partnership on Friday 6 March 2026 shows you did not attend all of it/,
  },
  {
    name: 'chargeDecided',
    message: chargeDecided({
      hub,
      delegateName: HOSTILE_NAME,
      courseTitle: HOSTILE_TITLE,
      sessionDate: new Date('2026-03-06T09:30:00Z'),
      kind: 'late_cancellation',
      outcome: 'reduced',
      proposedPence: 5000,
      amountPence: 2500,
      organisationName: 'Northshire Council',
      bookingUrl: 'https://training.example.org.uk/bookings/TRL-7KQ2',
    }),
    why: /You are getting this email because we told you a charge might apply for your place on/,
  },
  {
    name: 'chargeLineManager',
    message: chargeLineManager({
      hub,
      managerName: 'Pat Manager',
      delegateName: HOSTILE_NAME,
      courseTitle: HOSTILE_TITLE,
      sessionDate: new Date('2026-03-06T09:30:00Z'),
      amountPence: 5000,
    }),
    why: /gave your email address as their line manager’s when they registered with Northshire Safeguarding Partnership, and Northshire Safeguarding Partnership tells line managers when a charge for a place is confirmed/,
  },
  ...(['booked', 'cancelled', 'not_attended'] as const).map((event) => ({
    name: `lineManagerTold (${event})`,
    message: lineManagerTold({
      hub,
      managerName: 'Pat Manager',
      delegateName: HOSTILE_NAME,
      courseTitle: HOSTILE_TITLE,
      sessionDate: new Date('2026-03-06T09:30:00Z'),
      event,
    }),
    why: /details with Northshire Safeguarding Partnership give your email address as their line manager’s, and Northshire Safeguarding Partnership tells line managers when (a place is booked|a place is cancelled|someone is marked as not attending)/,
  })),
];

function invitation(certificate: 'waits_for_feedback' | 'never_affected' | null): EmailMessage {
  return feedbackInvitation({
    hub,
    delegateName: HOSTILE_NAME,
    session: inPerson,
    feedbackUrl: 'https://training.example.org.uk/bookings/TRL-7KQ2/feedback',
    changeDays: 30,
    certificate,
  });
}

function visibleText(html: string): string {
  const { document } = parseHTML(html);
  return (document.querySelector('body')?.textContent ?? '').replace(/\s+/g, ' ');
}

describe.each(messages)('$name', ({ message, why }) => {
  it('has a subject, a plain text version and an HTML version', () => {
    expect(message.subject.length).toBeGreaterThan(5);
    expect(message.subject).not.toMatch(/[\r\n]/);
    expect(message.text.trim().length).toBeGreaterThan(100);
    expect(message.text).not.toMatch(/<\/?(p|h1|h2|a|br|strong)\b/);
    expect(message.text).not.toMatch(/&lt;|&amp;|&#/);
    expect(message.html).toMatch(/^<!DOCTYPE html>/);
  });

  it('says why it was sent, who sent it and how to contact them, in both versions', () => {
    for (const version of [message.text.replace(/\s+/g, ' '), visibleText(message.html)]) {
      expect(version).toMatch(why);
      expect(version).toContain('Northshire Safeguarding Partnership');
      expect(version).toContain('If you have a question, contact Northshire Safeguarding Partnership');
      expect(version).toContain('training@northshire.example');
      expect(version).toContain('01632 960000');
    }
  });

  it('is accessible HTML: British English, a title, one h1, descriptive links', () => {
    const { document } = parseHTML(message.html);
    expect(document.documentElement.getAttribute('lang')).toBe('en-GB');
    expect(document.querySelector('title')?.textContent).toBe(message.subject);
    expect(document.querySelectorAll('h1')).toHaveLength(1);
    expect(document.querySelectorAll('img')).toHaveLength(0);
    for (const link of document.querySelectorAll('a')) {
      const text = (link.textContent ?? '').trim();
      expect(text).not.toMatch(/^(click here|here|link|more)$/i);
      expect(link.getAttribute('href')).toMatch(/^(https:|mailto:|tel:)/);
    }
  });

  it('escapes what people typed in the HTML, and shows it as typed in the text', () => {
    expect(message.html).not.toContain('<script>');
    expect(message.html).toMatch(/&lt;script&gt;/);
    expect(message.text).toMatch(/<script>alert/);
    expect(visibleText(message.html)).toContain('<script>alert');
  });
});

describe('bookingConfirmed', () => {
  const [{ message }] = messages as [(typeof messages)[number]];

  it('attaches the session calendar once, as text/calendar', () => {
    expect(message.attachments).toEqual([
      {
        filename: 'safeguarding.ics',
        contentType: 'text/calendar; charset=utf-8',
        content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n',
      },
    ]);
  });

  it('gives the date, time, venue and reference, in London time', () => {
    expect(message.subject).toBe(`Your place is confirmed: ${HOSTILE_TITLE}, Friday 6 March 2026`);
    expect(message.text).toContain('Date and time: Friday 6 March 2026, 9:30am to 3:30pm');
    expect(message.text).toContain(
      'Cherwell Learning Centre\n  Ironstone House\n  7 Canalside Walk\n  Banbury\n  OX16 5ZT',
    );
    expect(message.text).toContain('Booking reference: TRL-7KQ2');
    expect(message.text).toContain('Please cancel by 11:59pm on Monday 2 March 2026');
  });

  it('shows the needs the delegate gave, who sees them, when they are deleted and how to change them', () => {
    const text = message.text.replace(/\s+/g, ' ');
    expect(text).toContain('Access needs: A seat near the door <script>alert(2)</script>');
    expect(text).toContain('Dietary needs: None');
    expect(text).toContain(
      'Only the training team at Northshire Safeguarding Partnership and the trainers of this session see them. The training team will contact you if they need to ask you about them. We delete them 30 days after the session ends.',
    );
    expect(text).toContain(
      'Change or remove your needs (you can until the session starts): https://training.example.org.uk/account/bookings/TRL-7KQ2',
    );
    expect(visibleText(message.html)).toContain(
      'Access needs: A seat near the door <script>alert(2)</script>',
    );
  });

  it('with no needs given, says so and how to add them', () => {
    const none = bookingConfirmed({
      ...booking,
      manageBookingUrl: 'https://training.example.org.uk/bookings/TRL-7KQ2',
      calendar: { ics: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' },
      needs: NO_NEEDS,
    });
    expect(none.text).toContain('You have not told us about any access or dietary needs.');
    expect(none.text).not.toContain('Access needs:');
  });
});

describe('after the cancellation cut-off', () => {
  it('the confirmation and the reminder say the cut-off has passed and still ask the delegate to give the place back', () => {
    const confirmed = bookingConfirmed({
      ...booking,
      manageBookingUrl: 'https://training.example.org.uk/bookings/TRL-7KQ2',
      calendar: { ics: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' },
      cancelBy: new Date('2026-03-03T00:00:00Z'),
      tooLateToCancel: true,
      needs: NO_NEEDS,
    });
    const reminder = sessionReminder({
      ...booking,
      daysBefore: 2,
      manageBookingUrl: 'https://training.example.org.uk/bookings/TRL-7KQ2',
      tooLateToCancel: true,
    });
    for (const message of [confirmed, reminder]) {
      for (const version of [message.text.replace(/\s+/g, ' '), visibleText(message.html)]) {
        expect(version).toContain(
          'The cut-off for cancelling has passed, but if you cannot come, please still cancel your booking as soon as you can (or contact us at training@northshire.example or on 01632 960000), so that someone on the waiting list can have your place.',
        );
        expect(version).not.toMatch(/Please cancel (by|as soon|as early)/);
        expect(version).toContain('View or cancel your booking');
      }
    }
  });
});

describe('waitlistJoined', () => {
  it('says how long an offered place is held, from the policy, and how to leave the list', () => {
    const { message } = messages.find((m) => m.name === 'waitlistJoined')!;
    for (const version of [message.text.replace(/\s+/g, ' '), visibleText(message.html)]) {
      expect(version).toContain('hold it for you for up to 36 hours (less when the session is close)');
      expect(version).toMatch(
        /Open your booking and choose .Leave the waiting list.: you can do this at any time/,
      );
      expect(version).not.toContain('limited time');
    }
  });
});

describe('placeOffered', () => {
  it('says until when the place is held, in London time, with accept and decline links', () => {
    const message = messages.find((m) => m.name === 'placeOffered')!.message;
    expect(message.text).toContain('We are holding this place for you until 3:30pm on Friday 6 March 2026.');
    const { document } = parseHTML(message.html);
    const links = [...document.querySelectorAll('a')].map((a) => [a.textContent, a.getAttribute('href')]);
    expect(links).toContainEqual([
      `Accept the place on ${HOSTILE_TITLE}`,
      'https://training.example.org.uk/offers/abc/accept',
    ]);
    expect(links).toContainEqual([
      'Decline the place and leave the waiting list',
      'https://training.example.org.uk/offers/abc/decline',
    ]);
  });

  it('uses British Summer Time in summer', () => {
    const message = placeOffered({
      ...booking,
      offerExpiresAt: new Date('2026-06-05T14:30:00Z'),
      acceptUrl: 'https://training.example.org.uk/a',
      declineUrl: 'https://training.example.org.uk/d',
    });
    expect(message.text).toContain('until 3:30pm on Friday 5 June 2026');
  });

  it('refuses links that are not web addresses', () => {
    expect(() =>
      placeOffered({
        ...booking,
        offerExpiresAt: new Date('2026-06-05T14:30:00Z'),
        acceptUrl: 'javascript:alert(1)',
        declineUrl: 'https://training.example.org.uk/d',
      }),
    ).toThrow(/accept link/);
    expect(() =>
      verifyEmail({
        hub,
        name: 'Sam',
        verifyUrl: '/verify/abc',
        expiresAt: new Date('2026-03-03T09:00:00Z'),
      }),
    ).toThrow(/absolute/);
  });
});

describe('sessionReminder', () => {
  it('for a venue, gives the address and the travel notes', () => {
    const { message } = messages.find((m) => m.name === 'sessionReminder')!;
    expect(message.text).toContain('in 2 days, on Friday 6 March 2026');
    expect(message.text).toContain('GETTING THERE');
    expect(message.text).toContain('Banbury railway station is ten minutes away.');
    expect(message.text).toContain('There is no car park of its own.');
    expect(visibleText(message.html)).toContain('Getting there');
  });

  it('for an online session, gives every part and the joining link', () => {
    const message = sessionReminder({
      ...booking,
      session: online,
      daysBefore: 1,
      manageBookingUrl: 'https://training.example.org.uk/b/1',
    });
    expect(message.subject).toBe('Reminder: Working with families online, Tuesday 9 June 2026');
    expect(message.text).toContain('Part 1: Tuesday 9 June 2026, 9:30am to 12:30pm');
    expect(message.text).toContain('Part 2: Wednesday 10 June 2026, 9:30am to 12:30pm');
    expect(message.text).toContain('Join the online session: https://meet.example.com/j/123');
    const { document } = parseHTML(message.html);
    const join = [...document.querySelectorAll('a')].find(
      (a) => a.getAttribute('href') === 'https://meet.example.com/j/123',
    );
    expect(join?.textContent).toBe('Join the online session for Working with families online');
  });

  it('does not link a joining "link" that is not a web address', () => {
    const message = sessionReminder({
      ...booking,
      session: { ...online, onlineJoiningUrl: 'javascript:alert(1)' },
      daysBefore: 1,
      manageBookingUrl: 'https://training.example.org.uk/b/1',
    });
    expect(message.html).not.toContain('javascript:');
    expect(message.text).toContain('We will send you the joining link before the session.');
  });
});

describe('onlineMorningReminder', () => {
  it('gives the joining link and the give-up link, in both versions', () => {
    const { message } = messages.find((m) => m.name === 'onlineMorningReminder')!;
    expect(message.kind).toBe('online_morning_reminder');
    for (const body of [message.text, message.html]) {
      expect(body).toContain(online.onlineJoiningUrl);
      expect(body).toContain('https://training.example.org.uk/give-up/abc');
    }
    expect(message.text).toContain('Can’t come? Give up your place without signing in:');
  });
});

describe('bookingCancelled', () => {
  it('by the hub, says why', () => {
    const { message } = messages.find((m) => m.name === 'bookingCancelled (by the hub)')!;
    expect(message.text).toContain(
      'WHY WE CANCELLED IT\n\nThe trainer is unwell.\n\nWe will offer you a place on the next date.',
    );
    expect(() =>
      bookingCancelled({
        ...booking,
        cancelledBy: { by: 'hub', reason: '  ' },
        findAnotherUrl: 'https://training.example.org.uk/courses',
      }),
    ).toThrow(/say why/);
  });
});

describe('plain text safety', () => {
  it('a name or title cannot add lines, fake headers or reorder text', () => {
    const message = waitlistJoined({
      ...booking,
      delegateName: 'Sam\r\n\r\nURGENT: pay at https://evil.example\u202E',
      session: { ...inPerson, courseTitle: 'Title\nBcc: someone@example.com' },
      position: 1,
      manageBookingUrl: 'https://training.example.org.uk/b/1',
      offerHoldHours: 48,
      needs: NO_NEEDS,
    });
    expect(message.text).toContain('Dear Sam URGENT: pay at https://evil.example,');
    expect(message.text).toContain('Course: Title Bcc: someone@example.com');
    expect(message.text).not.toMatch(/^Bcc:/m);
    expect(message.text).not.toMatch(/[\r\u202E]/);
    expect(message.subject).not.toMatch(/[\r\n]/);
  });
});

describe('emailChangeRequested', () => {
  it('says nothing has changed yet, to what address, and how to stop it', () => {
    const { message } = messages.find((m) => m.name === 'emailChangeRequested')!;
    expect(message.text).toContain(
      'At 10am on Monday 2 March 2026, someone signed in to your Northshire Safeguarding Partnership account with its password and asked to change its email address to new.address@trust.example.org.uk.',
    );
    expect(message.text).toContain('Nothing has changed yet.');
    expect(message.text).toContain('choosing a new password cancels the change');
    expect(message.text).toContain(
      'Reset the password of your account: https://training.example.org.uk/account/forgot-password',
    );
  });
});

describe('feedbackInvitation', () => {
  const versions = (message: EmailMessage) => [message.text.replace(/\s+/g, ' '), visibleText(message.html)];

  it('says the certificate is ready once the form is sent, when the hub holds this delegate’s certificate for it', () => {
    for (const version of versions(invitation('waits_for_feedback'))) {
      expect(version).toContain(
        'Northshire Safeguarding Partnership asks for feedback before certificates are given out: your certificate of attendance is ready to download once you have sent the form',
      );
      expect(version).not.toContain('never affects your certificate');
    }
  });

  it('says answering never affects the certificate when the hub does not ask for feedback first', () => {
    for (const version of versions(invitation('never_affected'))) {
      expect(version).toContain(
        'Answering, or not answering, never affects your certificate or anything else about your booking.',
      );
      expect(version).not.toContain('ready to download once');
    }
  });

  it('says nothing of a certificate when the hub asks for feedback first but holds nothing of this delegate’s', () => {
    for (const version of versions(invitation(null))) expect(version).not.toContain('certificate');
  });
});

describe('charge emails', () => {
  it('a proposal says a charge may apply, that a person looks first, and gives the link and how long it works', () => {
    const { message } = messages.find((m) => m.name === 'chargeProposed')!;
    for (const version of [message.text.replace(/\s+/g, ' '), visibleText(message.html)]) {
      expect(version).toContain('a charge of £50.00 may apply to Northshire Council');
      expect(version).toContain(
        'Nothing has been charged: a person in the training team looks at every charge first',
      );
      expect(version).toContain('The link works until Sunday 5 April 2026');
    }
    expect(message.text).toContain(
      `Tell us why: https://training.example.org.uk/charges/why/${'a'.repeat(43)}`,
    );
  });

  it('an outcome says what was decided, in pounds and pence', () => {
    const { message } = messages.find((m) => m.name === 'chargeDecided')!;
    expect(message.text.replace(/\s+/g, ' ')).toContain('reduced it from £50.00 to £25.00');
  });

  it('says "plus VAT at 20%" after every amount when the hub charges VAT, and nothing of VAT at 0', () => {
    const facts = {
      hub,
      delegateName: 'Sam Delegate',
      courseTitle: 'Safeguarding adults',
      sessionDate: new Date('2026-03-06T09:30:00Z'),
      organisationName: 'Northshire Council',
    };
    const proposed = chargeProposed({
      ...facts,
      kind: 'non_attendance',
      paidPlace: false,
      proposedPence: 5000,
      vatRateBasisPoints: 2000,
      reasonUrl: `https://training.example.org.uk/charges/why/${'a'.repeat(43)}`,
      expiresAt: new Date('2026-04-05T09:30:00Z'),
    });
    const decided = chargeDecided({
      ...facts,
      kind: 'late_cancellation',
      outcome: 'reduced',
      proposedPence: 5000,
      amountPence: 2500,
      vatRateBasisPoints: 2000,
      bookingUrl: 'https://training.example.org.uk/bookings/TRL-7KQ2',
    });
    const manager = chargeLineManager({
      ...facts,
      managerName: 'Pat',
      amountPence: 5000,
      vatRateBasisPoints: 2000,
    });
    for (const version of [proposed.text.replace(/\s+/g, ' '), visibleText(proposed.html)])
      expect(version).toContain('a charge of £50.00 plus VAT at 20% may apply to Northshire Council');
    expect(decided.text.replace(/\s+/g, ' ')).toContain(
      'reduced it from £50.00 plus VAT at 20% to £25.00 plus VAT at 20%',
    );
    expect(manager.text.replace(/\s+/g, ' ')).toContain('£50.00 plus VAT at 20%');
    for (const name of ['chargeProposed', 'chargeDecided', 'chargeLineManager'])
      expect(messages.find((m) => m.name === name)!.message.text).not.toContain('VAT');
  });

  it('the line manager is told the least: name, course, date and amount', () => {
    const { message } = messages.find((m) => m.name === 'chargeLineManager')!;
    const text = message.text.replace(/\s+/g, ' ');
    expect(text).toContain('Friday 6 March 2026');
    expect(text).toContain('£50.00');
    expect(text).not.toMatch(/did not attend|cancel/i);
  });
});

describe('the account closing warning', () => {
  const facts = {
    hub,
    name: 'Sam',
    inactiveMonths: 12,
    lastActiveAt: new Date('2025-02-01T10:00:00Z'),
    closesFrom: new Date('2026-03-04T02:30:00Z'),
    signInUrl: 'https://training.example.org.uk/sign-in',
    forgotPasswordUrl: 'https://training.example.org.uk/account/forgot-password',
  };

  it('says when, why and how to keep the account, and how to set a password only to those without one', () => {
    const without = accountClosing({ ...facts, hasPassword: false });
    const withPassword = accountClosing({ ...facts, hasPassword: true });
    for (const message of [without, withPassword]) {
      for (const version of [message.text.replace(/\s+/g, ' '), visibleText(message.html)]) {
        expect(version).toContain('since Saturday 1 February 2025');
        expect(version).toContain('We close accounts that are not used for 12 months');
        expect(version).toContain('Sign in before Wednesday 4 March 2026 to keep your account');
      }
    }
    expect(without.text).toContain('Your account has no password yet');
    expect(visibleText(without.html)).toContain('Your account has no password yet');
    expect(withPassword.text).not.toContain('no password');
    expect(visibleText(withPassword.html)).not.toContain('no password');
  });
});
