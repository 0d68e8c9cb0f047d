/**
 * Prices of places and the charging terms, end to end: coordinators set a
 * price per organisation type on a course and, where different, on a session
 * (bad amounts refused by the field, every change audited, copied with the
 * course); delegates of each kind of organisation, and someone with no
 * employer, read what applies to them on the session page (never leaking
 * into the page every visitor shares) and above the booking button; the
 * price is fixed on the booking when it is made, and again when a colleague
 * takes the place or it moves; and administrators set the hub's fees and
 * billing details on the charges settings page.
 */
import type { Kysely } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AccountRepository } from '../../src/data/repositories/accounts/accountRepository.js';
import { PriceRecords } from '../../src/data/repositories/charges/priceRecords.js';
import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import { ProgrammeRecords } from '../../src/data/repositories/programmeRecords.js';
import type { DB } from '../../src/data/schema.js';
import { DELEGATE_SESSION_LIMITS } from '../../src/domain/accounts/accounts.js';
import type { OrganisationType } from '../../src/domain/programme/organisation.js';
import { londonToInstant } from '../../src/domain/time/time.js';
import { SignInSessions } from '../../src/services/accounts/signInSessions.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { settableClock } from '../support/clock.js';
import { eachDatabase } from '../support/databases.js';
import { normalise, parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';

// PUBLIC_URL is https in the test app, so the sign-in cookie has the __Host- name.
const SESSION_COOKIE = '__Host-trellis_session';

const errorSummary = (html: string) => parsePage(html).listItems('.govuk-error-summary__list li');
const fieldError = (html: string, id: string) =>
  parsePage(html)
    .text(`#${id}-error`)
    .replace(/^Error: /, '');

/** A form's fields as the page filled them in: what a browser sends if nothing is changed. */
function formEntries(html: string, action: string): [string, string][] {
  const form = parsePage(html).document.querySelector(`form[action="${action}"]`);
  if (!form) throw new Error(`No form for ${action}`);
  const entries: [string, string][] = [];
  for (const input of form.querySelectorAll('input, textarea')) {
    const name = input.getAttribute('name');
    const type = input.getAttribute('type');
    if (!name) continue;
    if ((type === 'checkbox' || type === 'radio') && !input.hasAttribute('checked')) continue;
    const value =
      input.tagName === 'TEXTAREA' ? (input.textContent ?? '') : (input.getAttribute('value') ?? '');
    entries.push([
      name,
      value
        .replace(/&amp;/g, '&')
        .replace(/&#39;/g, "'")
        .replace(/&quot;/g, '"'),
    ]);
  }
  for (const select of form.querySelectorAll('select')) {
    const chosen = select.querySelector('option[selected]');
    if (chosen) entries.push([select.getAttribute('name') ?? '', chosen.getAttribute('value') ?? '']);
  }
  return entries;
}

/** Sends a page's form as it stands, with some fields replaced. */
async function sendForm(client: WebClient, pageUrl: string, action: string, changes: Record<string, string>) {
  const page = await client.get(pageUrl);
  expect(page.statusCode, page.body.slice(0, 300)).toBe(200);
  const params = new URLSearchParams();
  for (const [name, value] of formEntries(page.body, action)) {
    if (!(name in changes)) params.append(name, value);
  }
  for (const [name, value] of Object.entries(changes)) params.append(name, value);
  return client.post(action, params);
}

async function audits(db: Kysely<DB>, action: string, entityId?: number) {
  let query = db.selectFrom('audit_log').where('action', '=', action);
  if (entityId !== undefined) query = query.where('entity_id', '=', entityId);
  const rows = await query.select(['details', 'actor_type']).orderBy('id').execute();
  return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
}

const COURSE: Record<string, string> = {
  title: 'Working with Private Providers',
  summary: 'Safeguarding in commissioned care: what providers and commissioners each do.',
  description: 'A day for providers and commissioners.',
  audience: '',
  level: 'intermediate',
  keyAreas: 'Commissioning\nProvider duties',
  learningOutcomes: 'Explain who does what',
  contentNotes: '',
  cpdHours: '6',
  practicalNotes: '',
};

eachDatabase('prices and charging terms', (dialect) => {
  let t: TestApp;
  let db: Kysely<DB>;
  let coordinator: WebClient;
  let admin: WebClient;
  const clock = settableClock(TEST_NOW);
  let courseId: number;
  let sessionId: number;
  let laterSessionId: number;
  let people = 0;

  /** A verified delegate of an organisation of this type (or none), signed in, as a browser. */
  async function delegate(type: OrganisationType | null, organisationName?: string) {
    people += 1;
    const label = `p${people}`;
    const { id, email } = await db.transaction().execute(async (trx) => {
      const demo = new DemoRepository(trx);
      const name = organisationName ?? `Organisation ${label}`;
      const known = await trx
        .selectFrom('organisations')
        .where('name', '=', name)
        .select('id')
        .executeTakeFirst();
      const organisationId =
        type === null
          ? null
          : (known?.id ?? (await demo.createOrganisation(name, type, clock.now(), clock.now())));
      const email = `delegate.${label}@example.org.uk`;
      const id = await demo.createDelegate(
        {
          name: `Delegate ${label}`,
          email,
          organisationId,
          jobRole: 'Care worker',
          lineManagerName: 'Pat Manager',
          lineManagerEmail: `manager.${label}@example.org.uk`,
        },
        clock.now(),
      );
      await new AccountRepository(db).within(trx).markEmailVerified(id, clock.now());
      return { id, email };
    });
    const secret = await new SignInSessions(db).start(
      { kind: 'delegate', id },
      DELEGATE_SESSION_LIMITS,
      clock.now(),
    );
    const client = new WebClient(t.app);
    client.setCookie(SESSION_COOKIE, secret);
    return { id, email, client };
  }

  async function book(client: WebClient, session: number): Promise<string> {
    const response = await client.submit(`/sessions/${session}/book`, {}, `/sessions/${session}/book`);
    expect(response.statusCode, response.body.slice(0, 500)).toBe(303);
    return (response.headers.location as string).split('/')[2]!.split('?')[0]!;
  }

  const bookingRow = (reference: string) =>
    db.selectFrom('bookings').where('reference', '=', reference).selectAll().executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await createTestApp(dialect, { clock });
    db = t.database.db;
    coordinator = await signedInStaff(t, 'coordinator');
    admin = await signedInStaff(t, 'admin');
  });
  afterAll(() => t.close());

  describe('in the back office', () => {
    it('refuses negative, absurd and non-numeric prices by the field, keeps what was typed, and saves nothing', async () => {
      const before = await db
        .selectFrom('courses')
        .select(db.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      const response = await coordinator.submit('/admin/courses/new', {
        ...COURSE,
        action: 'save',
        'price-partner_agency': '-10',
        'price-voluntary': '100001',
        'price-private': 'a hundred',
        'price-out_of_area': '120.505',
      });
      expect(response.statusCode).toBe(400);
      expect(errorSummary(response.body)).toEqual([
        'The price for partner agencies cannot be less than £0.00',
        'The price for voluntary organisations must be £100,000.00 or less',
        'Enter the price for private organisations in pounds and pence, like £50.00',
        'Enter the price for organisations from out of area in pounds and pence, like £50.00',
      ]);
      expect(fieldError(response.body, 'price-private')).toBe(
        'Enter the price for private organisations in pounds and pence, like £50.00',
      );
      const page = parsePage(response.body).document;
      expect(page.querySelector('#price-private')?.getAttribute('value')).toBe('a hundred');
      expect(page.querySelector('#title')?.getAttribute('value')).toBe(COURSE.title);
      const after = await db.selectFrom('courses').select(db.fn.countAll().as('n')).executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });

    it('saves a course’s prices in whole pence, free where blank or 0, and audits them', async () => {
      const response = await coordinator.submit('/admin/courses/new', {
        ...COURSE,
        action: 'save',
        'price-partner_agency': '',
        'price-voluntary': '0',
        'price-private': '£120.00',
        'price-out_of_area': '120',
      });
      expect(response.statusCode, response.body.slice(0, 400)).toBe(303);
      courseId = Number(/\/admin\/courses\/(\d+)/.exec(response.headers.location as string)![1]);
      expect(await new PriceRecords(db).coursePrices(courseId)).toEqual({
        private: 12_000,
        out_of_area: 12_000,
      });
      const [created] = await audits(db, 'course_created', courseId);
      expect(created!.details.prices).toEqual({ private: 12_000, out_of_area: 12_000 });
      const shown = parsePage((await coordinator.get(`/admin/courses/${courseId}`)).body).text();
      expect(shown).toContain(
        'Free for partner agencies and voluntary organisations; £120.00 for private organisations and organisations from out of area',
      );
      // The edit form shows them back as pounds and pence.
      const form = parsePage((await coordinator.get(`/admin/courses/${courseId}/edit`)).body).document;
      expect(form.querySelector('#price-private')?.getAttribute('value')).toBe('120.00');
      expect(form.querySelector('#price-partner_agency')?.getAttribute('value')).toBe('');
    });

    it('changes a course’s prices, recording them before and after', async () => {
      const url = `/admin/courses/${courseId}/edit`;
      const response = await sendForm(coordinator, url, url, { action: 'save', 'price-voluntary': '25.50' });
      expect(response.statusCode, response.body.slice(0, 400)).toBe(303);
      expect(await new PriceRecords(db).coursePrices(courseId)).toEqual({
        voluntary: 2550,
        private: 12_000,
        out_of_area: 12_000,
      });
      const [updated] = await audits(db, 'course_updated', courseId);
      expect(updated!.details.changed).toEqual(['prices']);
      expect(updated!.details.before).toEqual({ prices: { private: 12_000, out_of_area: 12_000 } });
      expect(updated!.details.after).toEqual({
        prices: { voluntary: 2550, private: 12_000, out_of_area: 12_000 },
      });
      // Back as it was, for the delegates' tests below.
      const back = await sendForm(coordinator, url, url, { action: 'save', 'price-voluntary': '' });
      expect(back.statusCode).toBe(303);
    });

    it('copies the prices with the course', async () => {
      const response = await coordinator.submit(
        `/admin/courses/${courseId}`,
        {},
        `/admin/courses/${courseId}/duplicate`,
      );
      expect(response.statusCode).toBe(303);
      const copyId = Number(/\/admin\/courses\/(\d+)/.exec(response.headers.location as string)![1]);
      expect(copyId).not.toBe(courseId);
      expect(await new PriceRecords(db).coursePrices(copyId)).toEqual({
        private: 12_000,
        out_of_area: 12_000,
      });
    });

    it('gives a session its own prices where they differ (blank: as the course), refuses bad ones, and audits the change', async () => {
      const now = clock.now();
      [sessionId, laterSessionId] = await db.transaction().execute(async (trx) => {
        const programme = new ProgrammeRecords(trx);
        const venueId = await programme.createVenue(
          {
            slug: 'priory-rooms',
            name: 'Priory Rooms',
            addressLines: ['1 Priory Lane'],
            town: 'Northtown',
            postcode: 'NT1 1AA',
            phone: null,
            travelNotes: '',
            accessNotes: '',
          },
          now,
        );
        const session = (date: string) =>
          programme.createSession(
            {
              courseId,
              format: 'in_person',
              venueId,
              onlineJoiningUrl: null,
              capacity: 20,
              parts: [{ startsAt: londonToInstant(date, '09:30'), endsAt: londonToInstant(date, '16:00') }],
              trainerIds: [],
              notes: '',
              bookingOpensAt: null,
              bookingClosesAt: null,
            },
            now,
          );
        return [await session('2026-03-16'), await session('2026-04-20')];
      });

      const url = `/admin/sessions/${laterSessionId}/edit`;
      const edit = parsePage((await coordinator.get(url)).body);
      expect(edit.text()).toContain('The course charges £120.00.');
      expect(edit.document.querySelector('#price-private')?.getAttribute('value')).toBe('');

      const refused = await sendForm(coordinator, url, url, {
        'price-private': '-1',
        'price-voluntary': 'free',
      });
      expect(refused.statusCode).toBe(400);
      expect(errorSummary(refused.body)).toEqual([
        'Enter the price for voluntary organisations in pounds and pence, like £50.00',
        'The price for private organisations cannot be less than £0.00',
      ]);
      expect(parsePage(refused.body).document.querySelector('#price-voluntary')?.getAttribute('value')).toBe(
        'free',
      );
      expect(await new PriceRecords(db).sessionPrices(laterSessionId)).toEqual({});

      const saved = await sendForm(coordinator, url, url, {
        'price-private': '90',
        'price-out_of_area': '0',
      });
      expect(saved.statusCode, saved.body.slice(0, 400)).toBe(303);
      expect(await new PriceRecords(db).sessionPrices(laterSessionId)).toEqual({
        private: 9000,
        out_of_area: 0,
      });
      expect(await new PriceRecords(db).sessionPriceList(laterSessionId)).toEqual({
        partner_agency: 0,
        voluntary: 0,
        private: 9000,
        out_of_area: 0,
      });
      const [changed] = await audits(db, 'session_changed', laterSessionId);
      expect(changed!.details.changed).toEqual(['prices']);
      expect(changed!.details.after).toEqual({ prices: { private: 9000, out_of_area: 0 } });
      expect(parsePage((await coordinator.get(`/admin/sessions/${laterSessionId}`)).body).text()).toContain(
        'Free for partner agencies, voluntary organisations and organisations from out of area; £90.00 for private organisations',
      );
    });
  });

  describe('what delegates see before they commit', () => {
    const SUMMARY =
      'Free for partner agencies and voluntary organisations; £120.00 for private organisations and organisations from out of area';

    beforeAll(async () => {
      await t.services.settings.updateCharges({
        dayFeePence: 5000,
        halfDayFeePence: 2500,
        chargedOrganisationTypes: ['partner_agency', 'private', 'out_of_area'],
      });
    });

    it('lists the prices for visitors, and says a signed-in delegate’s own without it reaching the shared page', async () => {
      const visitor = parsePage((await t.app.inject(`/sessions/${sessionId}`)).body).text();
      expect(visitor).toContain(SUMMARY);
      expect(visitor).toContain('Sign in to see the price for your organisation before you book.');
      expect(visitor).not.toContain('Your price');

      const acme = await delegate('private', 'Acme Care Ltd');
      const page = await acme.client.get(`/sessions/${sessionId}`);
      expect(page.headers['cache-control']).toMatch(/no-store|private/);
      expect(parsePage(page.body).text('#your-price')).toBe(
        'Your price: £120.00 (Acme Care Ltd, a private organisation)',
      );

      const council = await delegate('partner_agency', 'Northshire Council');
      expect(parsePage((await council.client.get(`/sessions/${sessionId}`)).body).text('#your-price')).toBe(
        'Your price: Free (Northshire Council, a partner agency)',
      );
      const volunteer = await delegate(null);
      expect(parsePage((await volunteer.client.get(`/sessions/${sessionId}`)).body).text('#your-price')).toBe(
        'Your price: Free (you do not have an employer, and the training team invoices organisations only)',
      );

      // Visitors still get the page everyone shares.
      const again = parsePage((await t.app.inject(`/sessions/${sessionId}`)).body).text();
      expect(again).not.toContain('Your price');
      expect(again).not.toContain('Acme Care Ltd');
    });

    it('says on the course page what every date costs, only while the dates agree', async () => {
      const slug = (
        await db.selectFrom('courses').where('id', '=', courseId).select('slug').executeTakeFirstOrThrow()
      ).slug;
      await db.updateTable('courses').set({ archived_at: null }).where('id', '=', courseId).execute();
      // The later date has its own prices, so the course page does not say one.
      expect(parsePage((await t.app.inject(`/courses/${slug}`)).body).text()).not.toContain('Price:');
      await new PriceRecords(db).setSessionPrices(laterSessionId, {});
      expect(parsePage((await t.app.inject(`/courses/${slug}`)).body).text()).toContain(`Price: ${SUMMARY}.`);
      await new PriceRecords(db).setSessionPrices(laterSessionId, { private: 9000, out_of_area: 0 });
    });

    it('shows the price and charging terms right above the button, for each kind of organisation', async () => {
      const above = async (client: WebClient) => {
        const page = parsePage((await client.get(`/sessions/${sessionId}/book`)).body);
        const form = page.document.querySelector(`form[action="/sessions/${sessionId}/book"]`)!;
        return {
          page,
          terms: normaliseAll([...form.querySelectorAll('p.govuk-body')].map((p) => p.textContent ?? '')),
        };
      };
      const acme = await delegate('private', 'Acme Care Ltd');
      const paid = await above(acme.client);
      expect(paid.page.text()).toContain('Your price £120.00 (Acme Care Ltd, a private organisation)');
      expect(paid.terms).toContain(
        'Your organisation is invoiced £120.00 after the session. You can cancel free of charge until Friday 6 March 2026; after that, the training team may still charge the price.',
      );

      const council = await delegate('partner_agency');
      const free = await above(council.client);
      expect(free.terms).toContain(
        'If you cancel after Friday 6 March 2026 or do not come, your organisation may be charged £50.00. The training team looks at every charge first, and you can tell them why. Sending a colleague in your place is never charged.',
      );

      const charity = await delegate('voluntary');
      const notCharged = await above(charity.client);
      expect(notCharged.page.text()).toContain('Your price Free');
      expect(notCharged.page.text()).not.toMatch(/may be charged|invoiced/);

      const volunteer = await delegate(null);
      const none = await above(volunteer.client);
      expect(none.terms).toContain(
        'Your place is free and you will never be charged a fee, because you do not have an employer: the training team sends invoices to organisations only.',
      );
    });

    it('fixes the price on the booking when it is made, and says it on the booking and in the email', async () => {
      const acme = await delegate('private', 'Acme Care Ltd');
      const reference = await book(acme.client, sessionId);
      expect((await bookingRow(reference)).price_pence).toBe(12_000);
      const page = parsePage((await acme.client.get(`/bookings/${reference}?new=1`)).body).text();
      expect(page).toContain('Price £120.00 (Acme Care Ltd, a private organisation)');
      expect(page).toContain('Your organisation is invoiced £120.00 after the session.');
      const email = await db
        .selectFrom('outbox_messages')
        .where('to_address', '=', acme.email)
        .where('kind', '=', 'booking_confirmed')
        .select(['text_body', 'html_body'])
        .executeTakeFirstOrThrow();
      expect(email.text_body).toContain('Your place costs £120.00 (Acme Care Ltd, a private organisation).');
      expect(email.text_body).toContain('Your organisation is invoiced £120.00 after the session.');
      expect(email.html_body).toContain('Your place costs £120.00');

      // A later change of price never changes what they agreed.
      await new PriceRecords(db).setCoursePrices(courseId, { private: 15_000, out_of_area: 12_000 });
      expect((await bookingRow(reference)).price_pence).toBe(12_000);
      expect(parsePage((await acme.client.get(`/bookings/${reference}`)).body).text()).toContain(
        'Price £120.00',
      );
      await new PriceRecords(db).setCoursePrices(courseId, { private: 12_000, out_of_area: 12_000 });

      const volunteer = await delegate(null);
      const free = await book(volunteer.client, sessionId);
      expect((await bookingRow(free)).price_pence).toBe(0);
      const freePage = parsePage((await volunteer.client.get(`/bookings/${free}`)).body).text();
      expect(freePage).toContain('you will never be charged a fee, because you do not have an employer');
      const freeEmail = await db
        .selectFrom('outbox_messages')
        .where('to_address', '=', volunteer.email)
        .where('kind', '=', 'booking_confirmed')
        .select('text_body')
        .executeTakeFirstOrThrow();
      expect(freeEmail.text_body).toContain('Your place is free.');
      expect(parsePage((await volunteer.client.get('/account')).body).text()).toContain(
        'None (no employer). Your places are free and you are never charged a fee: the training team invoices organisations only.',
      );
    });

    it('refuses a booking whose price changed after the page was opened, and shows the new price', async () => {
      const acme = await delegate('private', 'Acme Care Ltd');
      const url = `/sessions/${sessionId}/book`;
      const form = parsePage((await acme.client.get(url)).body).document.querySelector(
        `form[action="${url}"]`,
      )!;
      const hidden = Object.fromEntries(
        [...form.querySelectorAll('input[type="hidden"]')].map((i) => [
          i.getAttribute('name')!,
          i.getAttribute('value')!,
        ]),
      );
      expect(hidden.pricePence).toBe('12000');
      await new PriceRecords(db).setSessionPrices(sessionId, { private: 13_500 });
      const refused = await acme.client.post(url, hidden);
      expect(refused.statusCode).toBe(409);
      const page = parsePage(refused.body).text();
      expect(page).toContain(
        'The price of a place has changed since you opened this page: it is now £135.00 for you. Read the price and terms below, then book again if you still want to.',
      );
      expect(page).toContain('Your organisation is invoiced £135.00 after the session.');
      const mine = await db.selectFrom('bookings').where('delegate_id', '=', acme.id).select('id').execute();
      expect(mine).toEqual([]);
      // Booking again from the page as it is now agrees to the new price.
      expect((await bookingRow(await book(acme.client, sessionId))).price_pence).toBe(13_500);
      await new PriceRecords(db).setSessionPrices(sessionId, {});
    });

    it('prices a delegate whose organisation was merged into another by the one kept', async () => {
      const moved = await delegate('voluntary', 'Acme Care (duplicate)');
      const kept = await db
        .selectFrom('organisations')
        .where('name', '=', 'Acme Care Ltd')
        .select('id')
        .executeTakeFirstOrThrow();
      await db
        .updateTable('organisations')
        .set({ merged_into_id: kept.id })
        .where('name', '=', 'Acme Care (duplicate)')
        .execute();
      expect(await new PriceRecords(db).priceFor(sessionId, moved.id)).toBe(12_000);
      const reference = await book(moved.client, sessionId);
      expect((await bookingRow(reference)).price_pence).toBe(12_000);
    });

    it('fixes the price again for a colleague who takes the place, and for the new session of a move', async () => {
      const acme = await delegate('private', 'Acme Care Ltd');
      const reference = await book(acme.client, sessionId);
      expect((await bookingRow(reference)).price_pence).toBe(12_000);

      // Moved to the later date, whose own price for private organisations is £90.00.
      const moved = await coordinator.submit(`/admin/bookings/${reference}/move`, {
        sessionId: String(laterSessionId),
      });
      expect(moved.statusCode, moved.body.slice(0, 400)).toBe(303);
      expect(await bookingRow(reference)).toMatchObject({ session_id: laterSessionId, price_pence: 9000 });
      const [move] = await audits(db, 'booking_moved', (await bookingRow(reference)).id);
      expect(move!.details.pricePence).toBe(9000);
      const movedEmail = await db
        .selectFrom('outbox_messages')
        .where('to_address', '=', acme.email)
        .where('kind', '=', 'booking_moved')
        .select('text_body')
        .executeTakeFirstOrThrow();
      expect(movedEmail.text_body).toContain(
        'Your place costs £90.00 (Acme Care Ltd, a private organisation).',
      );

      // A colleague from a partner agency takes it: free for them.
      const colleague = await delegate('partner_agency');
      const url = `/admin/bookings/${reference}/substitute`;
      const step2 = await coordinator.submit(url, { email: colleague.email });
      expect(step2.statusCode, step2.body.slice(0, 400)).toBe(200);
      const passed = await submitFrom(coordinator, step2, {});
      expect(passed.statusCode, passed.body.slice(0, 400)).toBe(303);
      expect(await bookingRow(reference)).toMatchObject({ delegate_id: colleague.id, price_pence: 0 });
      const [substituted] = await audits(db, 'booking_substituted', (await bookingRow(reference)).id);
      expect(substituted!.details.pricePence).toBe(0);
    });

    it('says "plus VAT at 20%" after every price and fee when the hub charges VAT, and nothing of VAT at 0', async () => {
      const acme = await delegate('private', 'Acme Care Ltd');
      const council = await delegate('partner_agency');
      const pages = async () => ({
        visitor: parsePage((await t.app.inject(`/sessions/${sessionId}`)).body).text(),
        yourPrice: parsePage((await acme.client.get(`/sessions/${sessionId}`)).body).text('#your-price'),
        paidTerms: normalise(
          parsePage((await acme.client.get(`/sessions/${sessionId}/book`)).body).text('main'),
        ),
        freeTerms: normalise(
          parsePage((await council.client.get(`/sessions/${sessionId}/book`)).body).text('main'),
        ),
        terms: normalise(parsePage((await t.app.inject('/terms')).body).text('main')),
        staffSession: normalise(
          parsePage((await coordinator.get(`/admin/sessions/${sessionId}`)).body).text('main'),
        ),
      });
      const atZero = await pages();
      for (const [name, text] of Object.entries(atZero)) expect(text, name).not.toContain('VAT');

      await t.services.settings.updateCharges({ vatRateBasisPoints: 2000 });
      try {
        const withVat = await pages();
        expect(withVat.visitor).toContain(`${SUMMARY}, plus VAT at 20%`);
        expect(withVat.yourPrice).toBe(
          'Your price: £120.00 plus VAT at 20% (Acme Care Ltd, a private organisation)',
        );
        expect(withVat.paidTerms).toContain(
          'Your organisation is invoiced £120.00 plus VAT at 20% after the session.',
        );
        expect(withVat.freeTerms).toContain('your organisation may be charged £50.00 plus VAT at 20%.');
        expect(withVat.terms).toContain('plus VAT at 20%.');
        expect(withVat.terms).toContain(
          'Prices and fees are before VAT: your organisation is invoiced them plus VAT at 20%.',
        );
        expect(withVat.staffSession).toContain(`${SUMMARY}, plus VAT at 20%`);

        const reference = await book(acme.client, sessionId);
        const email = await db
          .selectFrom('outbox_messages')
          .where('to_address', '=', acme.email)
          .where('kind', '=', 'booking_confirmed')
          .select('text_body')
          .executeTakeFirstOrThrow();
        expect(normalise(email.text_body)).toContain(
          'Your place costs £120.00 plus VAT at 20% (Acme Care Ltd',
        );
        expect(
          normalise(parsePage((await acme.client.get(`/bookings/${reference}`)).body).text('main')),
        ).toContain('£120.00 plus VAT at 20%');
      } finally {
        await t.services.settings.updateCharges({ vatRateBasisPoints: 0 });
      }
    });
  });

  describe('the charges and billing settings', () => {
    const GOOD: Record<string, string> = {
      feeBasis: 'length',
      dayFee: '50',
      halfDayFee: '25.00',
      sessionFee: '0',
      partlyAttendedCountsAsAttended: 'no',
      tellLineManagerOfConfirmedCharges: 'yes',
      waiverReasons: 'Illness\n\n  Caring responsibilities  \nCharged in error',
      billingAddress: 'Northshire Safeguarding Partnership\nCounty Hall\nNorthtown NT1 1AA',
      paymentInstructions: 'Pay by BACS to sort code 00-00-00, account 12345678.',
      vatRate: '17.5',
      vatNumber: 'GB123456789',
      nominalCode: '4010',
      paymentTermsDays: '28',
      financialYearStartMonth: '4',
    };

    async function sendSettings(fields: Record<string, string>, types: string[]) {
      const params = new URLSearchParams(fields);
      for (const type of types) params.append('chargedOrganisationTypes', type);
      const page = parsePage((await admin.get('/admin/settings/charges')).body);
      params.append('_csrf', page.document.querySelector('input[name="_csrf"]')?.getAttribute('value') ?? '');
      return admin.post('/admin/settings/charges', params);
    }

    it('is linked from the hub settings, and shows the settings as they are', async () => {
      const settings = parsePage((await admin.get('/admin/settings')).body);
      expect(settings.links().some((l) => l.href === '/admin/settings/charges')).toBe(true);
      const page = parsePage((await admin.get('/admin/settings/charges')).body);
      expect(page.h1()).toBe('Charges and billing');
      expect(page.document.querySelector('#dayFee')?.getAttribute('value')).toBe('50.00');
      expect(page.document.querySelector('#vatRate')?.getAttribute('value')).toBe('0');
    });

    it('refuses bad answers by the field, keeps what was typed and saves nothing', async () => {
      const before = await t.services.settings.charges();
      const auditsBefore = (await audits(db, 'changed_settings')).length;
      const response = await sendSettings(
        {
          ...GOOD,
          feeBasis: 'monthly',
          dayFee: '-50',
          halfDayFee: '250000',
          waiverReasons: '   ',
          vatRate: '12.345',
          paymentTermsDays: '365',
          financialYearStartMonth: 'April',
        },
        ['private', 'everyone'],
      );
      expect(response.statusCode).toBe(400);
      expect(errorSummary(response.body)).toEqual([
        'Choose how fees are worked out: by the length of each part, or one fee a session',
        'The fee for a day cannot be less than £0.00',
        'The fee for a half day must be £100,000.00 or less',
        'Choose the kinds of organisation from the list',
        'Enter at least one reason for waiving a charge, one on each line',
        'Enter the VAT rate as a percentage, like 20 or 17.5',
        'Enter the payment terms as a whole number of days from 0 to 120, like 30',
        'Enter the month your financial year starts as a number from 1 to 12, like 4 for April',
      ]);
      expect(fieldError(response.body, 'vatRate')).toBe(
        'Enter the VAT rate as a percentage, like 20 or 17.5',
      );
      const page = parsePage(response.body).document;
      expect(page.querySelector('#vatRate')?.getAttribute('value')).toBe('12.345');
      expect(page.querySelector('#billingAddress')?.textContent).toContain('County Hall');
      expect(
        page
          .querySelector('input[name="chargedOrganisationTypes"][value="private"]')
          ?.hasAttribute('checked'),
      ).toBe(true);
      expect(await t.services.settings.charges()).toEqual(before);
      expect((await audits(db, 'changed_settings')).length).toBe(auditsBefore);
    });

    it('saves good answers in pence and basis points, audited with what changed', async () => {
      const response = await sendSettings(GOOD, ['private', 'out_of_area']);
      expect(response.statusCode, response.body.slice(0, 400)).toBe(303);
      expect(response.headers.location).toBe('/admin/settings/charges?saved=1');
      expect(await t.services.settings.charges()).toEqual({
        feeBasis: 'length',
        dayFeePence: 5000,
        halfDayFeePence: 2500,
        sessionFeePence: 0,
        chargedOrganisationTypes: ['private', 'out_of_area'],
        partlyAttendedCountsAsAttended: false,
        tellLineManagerOfConfirmedCharges: true,
        waiverReasons: ['Illness', 'Caring responsibilities', 'Charged in error'],
        billingAddress: 'Northshire Safeguarding Partnership\nCounty Hall\nNorthtown NT1 1AA',
        paymentInstructions: 'Pay by BACS to sort code 00-00-00, account 12345678.',
        vatRateBasisPoints: 1750,
        vatNumber: 'GB123456789',
        nominalCode: '4010',
        paymentTermsDays: 28,
        financialYearStartMonth: 4,
      });
      const last = (await audits(db, 'changed_settings')).at(-1)!;
      expect(last.actor_type).toBe('staff');
      expect(last.details.changed).toEqual([
        'chargedOrganisationTypes',
        'partlyAttendedCountsAsAttended',
        'tellLineManagerOfConfirmedCharges',
        'waiverReasons',
        'billingAddress',
        'paymentInstructions',
        'vatRateBasisPoints',
        'vatNumber',
        'nominalCode',
        'paymentTermsDays',
      ]);
      const page = parsePage((await admin.get('/admin/settings/charges?saved=1')).body);
      expect(page.text()).toContain('Charges and billing saved.');
      expect(page.document.querySelector('#vatRate')?.getAttribute('value')).toBe('17.5');

      // The terms page says the hub's charges from then on, VAT and all (17.5% was saved above).
      const terms = parsePage((await t.app.inject('/terms')).body).text();
      expect(terms).toContain(
        'your organisation may be charged a fee of £50.00 for each day and £25.00 for each half day (a part of 4 hours or less), plus VAT at 17.5%. Only private organisations and organisations from out of area are charged fees.',
      );
      expect(terms).toContain('If a charge is confirmed, your line manager is told.');
    });

    it('is for administrators only', async () => {
      expect((await coordinator.get('/admin/settings/charges')).statusCode).toBe(404);
    });
  });
});

function normaliseAll(texts: string[]): string[] {
  return texts.map((text) => text.replace(/\s+/g, ' ').trim());
}

async function submitFrom(client: WebClient, page: LightMyRequestResponse, fields: Record<string, string>) {
  const form = parsePage(page.body).document.querySelector('main form[method="post"]');
  if (!form) throw new Error(`No form on the page (status ${page.statusCode})`);
  const hidden: Record<string, string> = {};
  for (const input of form.querySelectorAll('input[type="hidden"]')) {
    hidden[input.getAttribute('name') ?? ''] = input.getAttribute('value') ?? '';
  }
  return client.post(form.getAttribute('action') ?? '', { ...hidden, ...fields });
}
