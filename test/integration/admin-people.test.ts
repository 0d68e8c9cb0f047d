/**
 * Delegates and organisations in the back office, as a coordinator uses
 * them: finding a delegate, reading their history, merging a duplicate
 * account, and confirming, typing and merging organisations.
 */
import { hash as argon2Hash } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AccountRepository } from '../../src/data/repositories/accounts/accountRepository.js';
import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import { PrivateLinkRecords } from '../../src/data/repositories/accounts/privateLinkRecords.js';
import { ProgrammeRecords } from '../../src/data/repositories/programmeRecords.js';
import type { BookingState } from '../../src/domain/programme/availability.js';
import { newBookingReference } from '../../src/services/bookings/bookingReference.js';
import { hashSecret } from '../../src/services/accounts/secrets.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';

const NOW = new Date(TEST_NOW);
const DAY = 86_400_000;
const at = (days: number, hour = 9) => new Date(NOW.getTime() + days * DAY + (hour - 9) * 3_600_000);

eachDatabase('back office: delegates and organisations', (dialect) => {
  let t: TestApp;
  let courseId: number;
  let cpdHours: number;
  let counter = 0;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const course = await t.database.db
      .selectFrom('courses')
      .select(['id', 'cpd_hours'])
      .orderBy('id')
      .executeTakeFirstOrThrow();
    courseId = course.id;
    cpdHours = Number(course.cpd_hours);
  });
  afterAll(() => t.close());

  const db = () => t.database.db;

  async function newDelegate(
    name: string,
    options: { password?: string; organisationId?: number | null } = {},
  ) {
    counter += 1;
    const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${counter}@example.org.uk`;
    const details = {
      name,
      email,
      organisationId: options.organisationId ?? null,
      jobRole: 'Social worker',
      lineManagerName: 'Lee Manager',
      lineManagerEmail: 'lee.manager@example.org.uk',
    };
    const id = options.password
      ? await new AccountRepository(db()).createDelegate(
          { ...details, organisationId: options.organisationId ?? 1 },
          await argon2Hash(options.password),
          NOW,
        )
      : await new DemoRepository(db()).createDelegate(details, NOW);
    return { id, email, name };
  }

  /** A session of the first demo course, with one part per [start, end] day offset. */
  async function newSession(capacity: number, parts: [number, number][]) {
    return new ProgrammeRecords(db()).createSession(
      {
        courseId,
        format: 'online',
        venueId: null,
        onlineJoiningUrl: 'https://meet.example.org.uk/test',
        capacity,
        parts: parts.map(([day]) => ({ startsAt: at(day, 9), endsAt: at(day, 12) })),
        trainerIds: [],
        notes: '',
        bookingOpensAt: null,
        bookingClosesAt: null,
      },
      NOW,
    );
  }

  async function book(sessionId: number, delegateId: number, state: BookingState, madeAt = NOW) {
    const reference = newBookingReference();
    await new DemoRepository(db()).insertBookings(
      [{ reference, sessionId, delegateId, state, offerExpiresAt: null }],
      madeAt,
    );
    return db()
      .selectFrom('bookings')
      .where('reference', '=', reference)
      .select(['id', 'reference'])
      .executeTakeFirstOrThrow();
  }

  async function auditCount(action: string) {
    const row = await db()
      .selectFrom('audit_log')
      .where('action', '=', action)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  describe('searching delegates', () => {
    it('lists delegates 50 a page, with their bookings counted', async () => {
      const coordinator = await signedInStaff(t, 'coordinator');
      const first = await coordinator.get('/admin/delegates');
      expect(first.statusCode).toBe(200);
      const page = parsePage(first.body);
      expect(page.h1()).toBe('Delegates');
      const rows = page.listItems('main table tbody tr');
      expect(rows).toHaveLength(50);
      const total = await db()
        .selectFrom('delegates')
        .where('merged_into_id', 'is', null)
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      expect(page.text()).toContain(
        `${Number(total.n)} delegates, page 1 of ${Math.ceil(Number(total.n) / 50)}`,
      );
      expect(page.links('.govuk-pagination a').some((l) => l.href === '/admin/delegates?page=2')).toBe(true);

      // The first delegate's counts match the bookings table.
      const name = page.links('main table tbody a')[0]!;
      const id = Number(name.href.split('/').pop());
      const bookings = await db()
        .selectFrom('bookings')
        .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
        .where('delegate_id', '=', id)
        .select(['bookings.state', 'sessions.starts_at'])
        .execute();
      const upcoming = bookings.filter((b) => b.state === 'confirmed' && b.starts_at > TEST_NOW).length;
      expect(rows[0]).toContain(`${upcoming} upcoming`);
      expect(rows[0]).toContain(`${bookings.length} in all`);
      expect(rows[0]).toContain('Mon 12 Jan 2026');

      const beyond = parsePage((await coordinator.get('/admin/delegates?page=9999')).body);
      expect(beyond.links()).toContainEqual({ text: 'Go to the first page', href: '/admin/delegates' });

      const second = parsePage((await coordinator.get('/admin/delegates?page=2')).body);
      expect(second.listItems('main table tbody tr')[0]).not.toBe(rows[0]);
    });

    it('finds delegates by words from name, email or organisation, in any case', async () => {
      const viewer = await signedInStaff(t, 'viewer');
      const police = await db()
        .selectFrom('organisations')
        .where('name', '=', 'Thames Valley area police')
        .select('id')
        .executeTakeFirstOrThrow();
      const zofia = await newDelegate('Zofia Wiśniewska-Okafor', { organisationId: police.id });

      const byName = parsePage((await viewer.get('/admin/delegates?q=ZOFIA+okafor')).body);
      expect(byName.text()).toContain('Zofia Wiśniewska-Okafor');
      expect(byName.text()).toContain(zofia.email);
      expect(byName.text()).toContain('Thames Valley area police');

      // Words from different places, one not in ASCII.
      const byOrganisationWord = parsePage((await viewer.get('/admin/delegates?q=wiśniewska+POLICE')).body);
      expect(byOrganisationWord.listItems('main table tbody tr')).toHaveLength(1);

      const byEmail = parsePage(
        (await viewer.get(`/admin/delegates?q=${encodeURIComponent(zofia.email)}`)).body,
      );
      expect(byEmail.listItems('main table tbody tr')).toHaveLength(1);

      const noMatch = parsePage((await viewer.get('/admin/delegates?q=zofia+nurse')).body);
      expect(noMatch.text()).toContain('No delegates match');
    });

    it('takes % and _ literally', async () => {
      const viewer = await signedInStaff(t, 'viewer');
      for (const q of ['%', '_', 'a%b', '!']) {
        const page = parsePage((await viewer.get(`/admin/delegates?q=${encodeURIComponent(q)}`)).body);
        expect(page.text(), q).toContain('0 delegates found');
      }
      const odd = await newDelegate('Percy 100%_Sure');
      const page = parsePage((await viewer.get(`/admin/delegates?q=${encodeURIComponent('100%_s')}`)).body);
      expect(page.listItems('main table tbody tr')).toHaveLength(1);
      expect(page.text()).toContain(odd.email);
    });

    it('filters by organisation and by whether the person has set a password', async () => {
      const coordinator = await signedInStaff(t, 'coordinator');
      const carers = await db()
        .selectFrom('organisations')
        .where('name', '=', 'Young Carers Together')
        .select('id')
        .executeTakeFirstOrThrow();
      const withPassword = await newDelegate('Quentin Passworded', {
        password: 'a long enough password',
        organisationId: carers.id,
      });
      const staffAdded = await newDelegate('Quentin Staffadded', { organisationId: carers.id });

      const inCarers = parsePage(
        (await coordinator.get(`/admin/delegates?organisation=${carers.id}&q=quentin`)).body,
      );
      expect(inCarers.listItems('main table tbody tr')).toHaveLength(2);
      const own = parsePage((await coordinator.get('/admin/delegates?q=quentin&account=password')).body);
      expect(own.text()).toContain(withPassword.email);
      expect(own.text()).not.toContain(staffAdded.email);
      const added = parsePage((await coordinator.get('/admin/delegates?q=quentin&account=staff')).body);
      expect(added.text()).toContain(staffAdded.email);
      expect(added.text()).not.toContain(withPassword.email);
      expect(added.text()).toContain('Added by staff');
    });

    it('explains a filter it cannot use, keeping what was typed', async () => {
      const coordinator = await signedInStaff(t, 'coordinator');
      const response = await coordinator.get(
        '/admin/delegates?q=ahmed&organisation=abc&account=everyone&page=0',
      );
      expect(response.statusCode).toBe(400);
      const page = parsePage(response.body);
      expect(page.text('.govuk-error-summary')).toContain('Choose an organisation from the list');
      expect(page.text('.govuk-error-summary')).toContain('Choose an account type from the list');
      expect(page.text('.govuk-error-summary')).toContain('The page number must be 1 or more');
      expect(page.document.querySelector('#q')?.getAttribute('value')).toBe('ahmed');
      // The search still runs on what could be used.
      expect(page.listItems('main table tbody tr').length).toBeGreaterThan(0);
    });
  });

  describe("a delegate's history", () => {
    it('shows every booking, newest session first, with attendance, who cancelled and CPD hours', async () => {
      const person = await newDelegate('Hattie Historian');
      const twoParts = await newSession(10, [
        [-30, -30],
        [-29, -29],
      ]);
      const partly = await newSession(10, [
        [-20, -20],
        [-19, -19],
      ]);
      const oneDay = await newSession(10, [[-10, -10]]);
      const unmarked = await newSession(10, [[-5, -5]]);
      const cancelled = await newSession(10, [[10, 10]]);
      const upcoming = await newSession(10, [[20, 20]]);
      const full = await book(twoParts, person.id, 'confirmed');
      const mixed = await book(partly, person.id, 'confirmed');
      const absent = await book(oneDay, person.id, 'confirmed');
      await book(unmarked, person.id, 'confirmed');
      const gone = await book(cancelled, person.id, 'confirmed');
      await book(upcoming, person.id, 'waitlisted');
      await db()
        .updateTable('bookings')
        .set({
          state: 'cancelled',
          cancelled_by: 'hub',
          cancellation_reason: 'Trainer unwell',
          cancelled_at: TEST_NOW,
        })
        .where('id', '=', gone.id)
        .execute();
      const mark = async (
        bookingId: number,
        sessionId: number,
        statuses: ('attended' | 'partial' | 'absent')[],
      ) => {
        const parts = await db()
          .selectFrom('session_parts')
          .where('session_id', '=', sessionId)
          .select('id')
          .orderBy('position')
          .execute();
        await db()
          .insertInto('attendance')
          .values(
            statuses.map((status, i) => ({
              booking_id: bookingId,
              session_part_id: parts[i]!.id,
              status,
              note: '',
              marked_by_staff_id: null,
              marked_at: TEST_NOW,
            })),
          )
          .execute();
      };
      await mark(full.id, twoParts, ['attended', 'attended']);
      await mark(mixed.id, partly, ['attended', 'absent']);
      await mark(absent.id, oneDay, ['absent']);

      const viewer = await signedInStaff(t, 'viewer');
      const response = await viewer.get(`/admin/delegates/${person.id}`);
      expect(response.statusCode).toBe(200);
      const page = parsePage(response.body);
      expect(page.h1()).toBe('Hattie Historian');
      const details = page.text('.govuk-summary-list');
      expect(details).toContain(person.email);
      expect(details).toContain('Not verified yet');
      expect(details).toContain('Lee Manager');
      expect(details).toContain('Added by staff: has not set a password');
      expect(details).toContain(`CPD hours completed ${cpdHours} ${cpdHours === 1 ? 'hour' : 'hours'}`);
      // A viewer reads; only those who run the programme may merge.
      expect(page.text()).not.toContain('Merge a duplicate account');

      const rows = page.listItems('main table tbody tr');
      expect(rows).toHaveLength(6);
      expect(rows[0]).toContain('On the waiting list');
      expect(rows[0]).toContain('Not yet');
      expect(rows[1]).toContain('Cancelled');
      expect(rows[1]).toContain('By the hub: Trainer unwell');
      expect(rows[1]).toContain('Not applicable');
      expect(rows[2]).toContain('Not marked');
      expect(rows[3]).toContain('Did not attend');
      expect(rows[4]).toContain('Part 1: attended; Part 2: did not attend');
      expect(rows[5]).toMatch(/Confirmed .* Attended$/);
      const links = page.links('main table a');
      expect(links).toContainEqual({
        text: expect.stringContaining(full.reference),
        href: `/admin/bookings/${full.reference}`,
      });
      expect(links.map((l) => l.href)).toContain(`/admin/sessions/${twoParts}`);
    });

    it('is 404 for a delegate that does not exist, and for trainers', async () => {
      const coordinator = await signedInStaff(t, 'coordinator');
      expect((await coordinator.get('/admin/delegates/99999999')).statusCode).toBe(404);
      expect((await coordinator.get('/admin/delegates/abc')).statusCode).toBe(404);
      const trainer = await signedInStaff(t, 'trainer', 'lisa-cherry');
      expect((await trainer.get('/admin/delegates')).statusCode).toBe(404);
      expect((await trainer.get('/admin/delegates/1')).statusCode).toBe(404);
    });
  });

  describe('merging duplicate accounts', () => {
    it('moves the bookings, keeps the better of two on one session, and closes the duplicate', async () => {
      const password = 'the duplicate’s own password';
      const kept = await newDelegate('Morgan Keeper');
      const duplicate = await newDelegate('Morgan Keeper', { password });
      const waiting = await newDelegate('Wendy Waiting');
      // The duplicate is signed in somewhere and has an unused emailed link.
      const secret = await t.services.accounts.signIn(duplicate.email, password);
      expect(secret).toBeTruthy();
      await new PrivateLinkRecords(db()).insert({
        tokenHash: hashSecret('an unused link'),
        purpose: 'reset_password',
        subject: { delegateId: duplicate.id },
        email: duplicate.email,
        createdAt: NOW.toISOString(),
        expiresAt: at(1).toISOString(),
      });

      // Kept waits, duplicate confirmed: the duplicate's confirmed place wins.
      const s1 = await newSession(5, [[30, 30]]);
      const keptWaiting = await book(s1, kept.id, 'waitlisted');
      const dupConfirmed = await book(s1, duplicate.id, 'confirmed');
      // Both confirmed on a full session: the earlier stays; the freed place is offered to the waiting list.
      const s2 = await newSession(2, [[31, 31]]);
      const keptEarlier = await book(s2, kept.id, 'confirmed', at(-2));
      const dupLater = await book(s2, duplicate.id, 'confirmed', at(-1));
      const nextInLine = await book(s2, waiting.id, 'waitlisted', at(-1));
      // Only the duplicate: simply moves. And a cancelled booking from its history.
      const s3 = await newSession(5, [[32, 32]]);
      const dupOnly = await book(s3, duplicate.id, 'confirmed');
      const s4 = await newSession(5, [[-3, -3]]);
      const dupOld = await book(s4, duplicate.id, 'cancelled');
      const outboxBefore = await db()
        .selectFrom('outbox_messages')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();

      const coordinator = await signedInStaff(t, 'coordinator');
      const profile = parsePage((await coordinator.get(`/admin/delegates/${kept.id}`)).body);
      expect(profile.links()).toContainEqual({
        text: 'Merge a duplicate account into this one',
        href: `/admin/delegates/${kept.id}/merge`,
      });

      // Step 1: find the duplicate by its email address.
      const found = await coordinator.get(
        `/admin/delegates/${kept.id}/merge?find=${encodeURIComponent(duplicate.email.toUpperCase())}`,
      );
      expect(found.statusCode).toBe(200);
      const results = parsePage(found.body);
      expect(results.h1()).toBe('Find the duplicate account');
      const choose = results.links('main table a');
      expect(choose).toHaveLength(1);
      expect(choose[0]!.text).toContain(duplicate.email);

      // Step 2: both accounts side by side, and what will happen.
      const confirmUrl = choose[0]!.href;
      const confirm = parsePage((await coordinator.get(confirmUrl)).body);
      expect(confirm.h1()).toBe('Check and merge these accounts');
      expect(confirm.text('.govuk-grid-row')).toContain(kept.email);
      expect(confirm.text('main')).toContain(duplicate.email);
      expect(confirm.text()).toContain('4 bookings from');
      const conflicts = confirm.listItems('main table tbody tr');
      expect(conflicts).toHaveLength(2);
      expect(conflicts[0]).toMatch(new RegExp(`${dupConfirmed.reference}: confirmed ?from the duplicate`));
      expect(conflicts[0]).toMatch(
        new RegExp(`${keptWaiting.reference}: on the waiting list ?from this account`),
      );
      expect(conflicts[1]).toMatch(new RegExp(`${keptEarlier.reference}: confirmed ?from this account`));

      const merged = await coordinator.submit(confirmUrl, {}, `/admin/delegates/${kept.id}/merge`);
      expect(merged.statusCode).toBe(303);
      expect(merged.headers.location).toBe(`/admin/delegates/${kept.id}?merged=1&moved=4&cancelled=2`);
      const after = parsePage((await coordinator.get(merged.headers.location as string)).body);
      expect(after.text('.govuk-notification-banner')).toContain(
        '4 bookings moved to this account, and 2 duplicate bookings cancelled',
      );
      expect(after.listItems('main table tbody tr')).toHaveLength(6);

      const bookings = await db()
        .selectFrom('bookings')
        .where('id', 'in', [
          keptWaiting.id,
          dupConfirmed.id,
          keptEarlier.id,
          dupLater.id,
          dupOnly.id,
          dupOld.id,
          nextInLine.id,
        ])
        .select(['id', 'delegate_id', 'state', 'cancelled_by', 'cancellation_reason'])
        .execute();
      const byId = new Map(bookings.map((b) => [b.id, b]));
      for (const b of bookings.filter((b) => b.id !== nextInLine.id)) expect(b.delegate_id).toBe(kept.id);
      expect(byId.get(dupConfirmed.id)?.state).toBe('confirmed');
      expect(byId.get(keptWaiting.id)).toMatchObject({
        state: 'cancelled',
        cancelled_by: 'hub',
        cancellation_reason: 'Duplicate account merged',
      });
      expect(byId.get(keptEarlier.id)?.state).toBe('confirmed');
      expect(byId.get(dupLater.id)).toMatchObject({ state: 'cancelled', cancelled_by: 'hub' });
      expect(byId.get(dupOnly.id)?.state).toBe('confirmed');
      // The place freed on the full session went to the next person waiting.
      expect(byId.get(nextInLine.id)?.state).toBe('offered');

      // Emails: the offer, and nothing about the duplicate bookings cancelled.
      const emails = await db()
        .selectFrom('outbox_messages')
        .select(['kind', 'booking_id'])
        .orderBy('id', 'desc')
        .limit(Number(outboxBefore.n) === 0 ? 100 : 100)
        .execute();
      expect(emails.filter((e) => e.booking_id === nextInLine.id).map((e) => e.kind)).toEqual([
        'place_offered',
      ]);
      expect(emails.filter((e) => [keptWaiting.id, dupLater.id].includes(e.booking_id ?? 0))).toEqual([]);

      // The duplicate is closed: merged, signed out, its links spent, and it cannot sign in again.
      const closed = await db()
        .selectFrom('delegates')
        .where('id', '=', duplicate.id)
        .select('merged_into_id')
        .executeTakeFirstOrThrow();
      expect(closed.merged_into_id).toBe(kept.id);
      expect(await t.services.accounts.authenticate(secret as string)).toBeNull();
      const liveSessions = await db()
        .selectFrom('sign_in_sessions')
        .where('kind', '=', 'delegate')
        .where('delegate_id', '=', duplicate.id)
        .where('revoked_at', 'is', null)
        .select('id_hash')
        .execute();
      expect(liveSessions).toEqual([]);
      const links = await db()
        .selectFrom('private_links')
        .where('delegate_id', '=', duplicate.id)
        .where('used_at', 'is', null)
        .select('id')
        .execute();
      expect(links).toEqual([]);
      expect(await t.services.accounts.signIn(duplicate.email, password)).toBeNull();
      // Asking for a reset link for the merged address sends nothing.
      const before = await db()
        .selectFrom('private_links')
        .where('delegate_id', '=', duplicate.id)
        .select('id')
        .execute();
      await t.services.accounts.requestPasswordReset(duplicate.email);
      const afterReset = await db()
        .selectFrom('private_links')
        .where('delegate_id', '=', duplicate.id)
        .select('id')
        .execute();
      expect(afterReset).toHaveLength(before.length);
      // Nor can the address register afresh: no new account, no email.
      await t.services.accounts.register({
        name: 'Morgan Keeper',
        email: duplicate.email,
        organisationId: 1,
        newOrganisationName: null,
        jobRole: 'Social worker',
        lineManagerName: '',
        lineManagerEmail: '',
        password: 'another long password',
      });
      const sentToDuplicate = await db()
        .selectFrom('outbox_messages')
        .where('to_address', '=', duplicate.email)
        .select('kind')
        .execute();
      expect(sentToDuplicate).toEqual([]);

      // The audit log says what happened, once per moved booking.
      const entry = await db()
        .selectFrom('audit_log')
        .where('action', '=', 'delegate_merged')
        .where('entity_id', '=', kept.id)
        .select(['entity_type', 'details', 'actor_type'])
        .executeTakeFirstOrThrow();
      expect(entry.entity_type).toBe('delegate');
      expect(entry.actor_type).toBe('staff');
      const details = JSON.parse(entry.details) as Record<string, unknown>;
      expect(details.mergedDelegateId).toBe(duplicate.id);
      expect([...(details.bookingsMoved as number[])].sort()).toEqual(
        [dupConfirmed.id, dupLater.id, dupOnly.id, dupOld.id].sort(),
      );
      expect([...(details.bookingsCancelled as number[])].sort()).toEqual(
        [keptWaiting.id, dupLater.id].sort(),
      );
      const moves = await db()
        .selectFrom('audit_log')
        .where('action', '=', 'booking_moved_by_merge')
        .where('entity_id', 'in', [dupConfirmed.id, dupLater.id, dupOnly.id, dupOld.id])
        .select('entity_id')
        .execute();
      expect(moves).toHaveLength(4);

      // The merged account is listed only when asked for, tagged.
      const list = parsePage(
        (await coordinator.get(`/admin/delegates?q=${encodeURIComponent(duplicate.email)}`)).body,
      );
      expect(list.text()).toContain('0 delegates found');
      const mergedList = parsePage(
        (await coordinator.get(`/admin/delegates?q=${encodeURIComponent(duplicate.email)}&account=merged`))
          .body,
      );
      expect(mergedList.text('main table')).toContain('Merged');
      const mergedPage = parsePage((await coordinator.get(`/admin/delegates/${duplicate.id}`)).body);
      expect(mergedPage.text()).toContain('This account was merged into Morgan Keeper’s account');
      expect(mergedPage.text()).not.toContain('Merge a duplicate account');
    });

    it('refuses to merge an account into itself, a merged account, or one already merged, changing nothing', async () => {
      const kept = await newDelegate('Rita Refusal');
      const other = await newDelegate('Rita Refusal');
      const gone = await newDelegate('Rita Refusal');
      await db()
        .updateTable('delegates')
        .set({ merged_into_id: other.id })
        .where('id', '=', gone.id)
        .execute();
      const coordinator = await signedInStaff(t, 'coordinator');
      const merges = await auditCount('delegate_merged');

      // Its own account: refused by the field, with the search kept.
      const confirmPage = `/admin/delegates/${kept.id}/merge?duplicate=${other.id}&find=rita`;
      const self = await coordinator.submit(confirmPage, { duplicateId: String(kept.id) });
      expect(self.statusCode).toBe(400);
      const selfPage = parsePage(self.body);
      expect(selfPage.text('.govuk-error-summary')).toContain('an account cannot be merged into itself');
      expect(selfPage.text('#find-error')).toContain('cannot be merged into itself');
      expect(selfPage.document.querySelector('#find')?.getAttribute('value')).toBe('rita');
      expect(
        (await coordinator.get(`/admin/delegates/${kept.id}/merge?duplicate=${kept.id}`)).statusCode,
      ).toBe(400);

      // An account already merged.
      const already = await coordinator.submit(confirmPage, { duplicateId: String(gone.id) });
      expect(already.statusCode).toBe(400);
      expect(parsePage(already.body).text('.govuk-error-summary')).toContain('already been merged');

      // An account that does not exist, or nothing chosen.
      const unknown = await coordinator.submit(confirmPage, { duplicateId: '99999999' });
      expect(unknown.statusCode).toBe(400);
      expect(parsePage(unknown.body).text('.govuk-error-summary')).toContain('could not be found');
      const nothing = await coordinator.submit(confirmPage, { duplicateId: 'x' });
      expect(nothing.statusCode).toBe(400);

      // Into an account that was itself merged away.
      expect((await coordinator.get(`/admin/delegates/${gone.id}/merge`)).statusCode).toBe(409);

      // An empty search says what to enter.
      const empty = await coordinator.get(`/admin/delegates/${kept.id}/merge?find=+`);
      expect(empty.statusCode).toBe(400);
      expect(parsePage(empty.body).text('.govuk-error-summary')).toContain(
        'Enter the duplicate account’s email address',
      );

      expect(await auditCount('delegate_merged')).toBe(merges);
      const unchanged = await db()
        .selectFrom('delegates')
        .where('id', 'in', [kept.id, other.id])
        .select('merged_into_id')
        .execute();
      expect(unchanged.every((d) => d.merged_into_id === null)).toBe(true);
    });

    it('merges an account with no bookings at all', async () => {
      const kept = await newDelegate('Nell Nobookings');
      const duplicate = await newDelegate('Nell Nobookings');
      const coordinator = await signedInStaff(t, 'coordinator');
      const merged = await coordinator.submit(
        `/admin/delegates/${kept.id}/merge?duplicate=${duplicate.id}`,
        {},
        `/admin/delegates/${kept.id}/merge`,
      );
      expect(merged.statusCode).toBe(303);
      expect(merged.headers.location).toBe(`/admin/delegates/${kept.id}?merged=1&moved=0&cancelled=0`);
      const row = await db()
        .selectFrom('delegates')
        .where('id', '=', duplicate.id)
        .select('merged_into_id')
        .executeTakeFirstOrThrow();
      expect(row.merged_into_id).toBe(kept.id);
    });

    it('is not open to viewers', async () => {
      const viewer = await signedInStaff(t, 'viewer');
      expect((await viewer.get('/admin/delegates/1/merge')).statusCode).toBe(404);
    });
  });

  describe('organisations', () => {
    it('lists organisations delegates added first, newest first, then the confirmed ones, by type', async () => {
      const accounts = new AccountRepository(db());
      const older = await accounts.createUnconfirmedOrganisation('Older Added Org', 'partner_agency', at(-2));
      const newer = await accounts.createUnconfirmedOrganisation('Newer Added Org', 'partner_agency', at(-1));
      const viewer = await signedInStaff(t, 'viewer');
      const response = await viewer.get('/admin/organisations');
      expect(response.statusCode).toBe(200);
      const page = parsePage(response.body);
      const headings = [...page.document.querySelectorAll('main h2')].map((h) => h.textContent?.trim());
      expect(headings).toEqual(['Added by a delegate, not yet confirmed', 'Confirmed']);
      const tables = page.document.querySelectorAll('main table');
      const unconfirmed = [...tables[0]!.querySelectorAll('tbody tr')].map((r) => r.textContent ?? '');
      expect(unconfirmed.findIndex((r) => r.includes('Newer Added Org'))).toBeLessThan(
        unconfirmed.findIndex((r) => r.includes('Older Added Org')),
      );
      const confirmed = [...tables[1]!.querySelectorAll('tbody tr')].map((r) => r.textContent ?? '');
      expect(
        confirmed.some((r) => r.includes('Young Carers Together') && r.includes('Voluntary or community')),
      ).toBe(true);

      const voluntary = parsePage((await viewer.get('/admin/organisations?type=voluntary')).body);
      expect(voluntary.text()).toContain('Young Carers Together');
      expect(voluntary.text()).not.toContain('Thames Valley area police');
      expect(voluntary.text()).not.toContain('Newer Added Org');
      const bad = await viewer.get('/admin/organisations?type=charity');
      expect(bad.statusCode).toBe(400);
      expect(parsePage(bad.body).text('.govuk-error-summary')).toContain(
        'Choose a type of organisation from the list',
      );

      // A viewer reads an organisation but has no form to change it.
      const one = parsePage((await viewer.get(`/admin/organisations/${older}`)).body);
      expect(one.h1()).toBe('Older Added Org');
      expect(one.document.querySelector('form[method="post"][action^="/admin/organisations"]')).toBeNull();
      expect(newer).toBeGreaterThan(older);
    });

    it('renames, types and confirms an organisation, refusing bad input by the field', async () => {
      const added = await new AccountRepository(db()).createUnconfirmedOrganisation(
        'st mungos',
        'partner_agency',
        NOW,
      );
      const coordinator = await signedInStaff(t, 'coordinator');
      const url = `/admin/organisations/${added}`;
      const updates = await auditCount('organisation_updated');

      const empty = await coordinator.submit(url, { name: '   ', type: 'voluntary', action: 'confirm' });
      expect(empty.statusCode).toBe(400);
      const emptyPage = parsePage(empty.body);
      expect(emptyPage.text('#name-error')).toContain('Enter the organisation’s name');
      expect(
        emptyPage.document.querySelector('input[name="type"][value="voluntary"]')?.hasAttribute('checked'),
      ).toBe(true);

      const badType = await coordinator.submit(url, {
        name: 'St Mungo’s',
        type: 'charity',
        action: 'confirm',
      });
      expect(badType.statusCode).toBe(400);
      const badTypePage = parsePage(badType.body);
      expect(badTypePage.text('#type-error')).toContain('Choose the type of organisation');
      expect(badTypePage.document.querySelector('#name')?.getAttribute('value')).toBe('St Mungo’s');

      const taken = await coordinator.submit(url, {
        name: 'YOUNG CARERS together',
        type: 'voluntary',
        action: 'save',
      });
      expect(taken.statusCode).toBe(400);
      expect(parsePage(taken.body).text('#name-error')).toContain(
        '“Young Carers Together” is already on the list',
      );
      expect(await auditCount('organisation_updated')).toBe(updates);

      const saved = await coordinator.submit(url, {
        name: 'St Mungo’s',
        type: 'voluntary',
        action: 'confirm',
      });
      expect(saved.statusCode).toBe(303);
      expect(saved.headers.location).toBe(`${url}?done=confirmed`);
      const page = parsePage((await coordinator.get(saved.headers.location as string)).body);
      expect(page.text('.govuk-notification-banner')).toContain('Organisation confirmed');
      expect(page.h1()).toBe('St Mungo’s');
      expect(page.text('.govuk-summary-list')).toContain('Voluntary or community');

      const row = await db()
        .selectFrom('organisations')
        .where('id', '=', added)
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ name: 'St Mungo’s', type: 'voluntary', confirmed_at: TEST_NOW });
      const update = await db()
        .selectFrom('audit_log')
        .where('action', '=', 'organisation_updated')
        .where('entity_id', '=', added)
        .select('details')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(update.details)).toEqual({
        changes: {
          name: { before: 'st mungos', after: 'St Mungo’s' },
          type: { before: 'partner_agency', after: 'voluntary' },
        },
      });
      expect(await auditCount('organisation_confirmed')).toBeGreaterThan(0);
      // Delegates can choose it now.
      expect((await t.services.accounts.organisations()).map((o) => o.name)).toContain('St Mungo’s');

      // Changing the type alone later: one field audited.
      const retyped = await coordinator.submit(url, {
        name: 'St Mungo’s',
        type: 'out_of_area',
        action: 'save',
      });
      expect(retyped.headers.location).toBe(`${url}?done=saved`);
      const last = await db()
        .selectFrom('audit_log')
        .where('action', '=', 'organisation_updated')
        .where('entity_id', '=', added)
        .select('details')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(last.details)).toEqual({
        changes: { type: { before: 'voluntary', after: 'out_of_area' } },
      });
    });

    it('merges a duplicate organisation: its delegates move and it leaves the registration list', async () => {
      const accounts = new AccountRepository(db());
      const target = await db()
        .selectFrom('organisations')
        .where('name', '=', 'Open Door Advice Centre')
        .select('id')
        .executeTakeFirstOrThrow();
      const duplicate = await accounts.createUnconfirmedOrganisation(
        'Open Door Advice',
        'partner_agency',
        NOW,
      );
      const first = await newDelegate('Olu Opendoor', { organisationId: duplicate });
      const second = await newDelegate('Ola Opendoor', { organisationId: duplicate });
      const coordinator = await signedInStaff(t, 'coordinator');
      const url = `/admin/organisations/${duplicate}/merge`;
      const form = parsePage((await coordinator.get(url)).body);
      expect(form.h1()).toBe('Merge into another organisation');
      expect(form.text()).toContain('Its 2 delegates will belong to the organisation you choose');
      const options = [...form.document.querySelectorAll('#target option')].map((o) => o.textContent);
      expect(options).toContain('Open Door Advice Centre');
      expect(options).not.toContain('Open Door Advice');
      const merges = await auditCount('organisation_merged');

      const none = await coordinator.submit(url, { target: '' });
      expect(none.statusCode).toBe(400);
      expect(parsePage(none.body).text('#target-error')).toContain(
        'Choose the organisation to merge this one into',
      );
      const self = await coordinator.submit(url, { target: String(duplicate) });
      expect(self.statusCode).toBe(400);
      expect(parsePage(self.body).text('#target-error')).toContain('cannot be merged into itself');
      const unknown = await coordinator.submit(url, { target: '99999999' });
      expect(unknown.statusCode).toBe(400);
      expect(parsePage(unknown.body).text('#target-error')).toContain('Choose an organisation from the list');
      expect(await auditCount('organisation_merged')).toBe(merges);

      const merged = await coordinator.submit(url, { target: String(target.id) });
      expect(merged.statusCode).toBe(303);
      expect(merged.headers.location).toBe(`/admin/organisations/${target.id}?done=merged`);
      const page = parsePage((await coordinator.get(merged.headers.location as string)).body);
      expect(page.text('.govuk-notification-banner')).toContain('Organisations merged');

      const moved = await db()
        .selectFrom('delegates')
        .where('id', 'in', [first.id, second.id])
        .select('organisation_id')
        .execute();
      expect(moved.every((d) => d.organisation_id === target.id)).toBe(true);
      const gone = await db()
        .selectFrom('organisations')
        .where('id', '=', duplicate)
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(gone.merged_into_id).toBe(target.id);
      const entry = await db()
        .selectFrom('audit_log')
        .where('action', '=', 'organisation_merged')
        .select(['entity_id', 'details'])
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(entry.entity_id).toBe(target.id);
      expect(JSON.parse(entry.details)).toMatchObject({ mergedOrganisationId: duplicate, delegatesMoved: 2 });

      // Gone from every list, and its page says where it went.
      const list = parsePage((await coordinator.get('/admin/organisations')).body);
      const names = list.listItems('main table tbody td:first-child');
      expect(names).toContain('Open Door Advice Centre');
      expect(names).not.toContain('Open Door Advice');
      expect((await t.services.accounts.organisations()).map((o) => o.id)).not.toContain(duplicate);
      const goneOrganisation = parsePage((await coordinator.get(`/admin/organisations/${duplicate}`)).body);
      expect(goneOrganisation.text()).toContain('This organisation was merged into Open Door Advice Centre');
      expect((await coordinator.get(url)).statusCode).toBe(409);

      // A delegate who types the merged name joins the organisation it was merged into.
      await t.services.accounts.register({
        name: 'Nia Newcomer',
        email: 'nia.newcomer@example.org.uk',
        organisationId: null,
        newOrganisationName: 'Open Door Advice',
        jobRole: 'Adviser',
        lineManagerName: 'Lee Manager',
        lineManagerEmail: 'lee.manager@example.org.uk',
        password: 'a long enough password',
      });
      const newcomer = await db()
        .selectFrom('delegates')
        .where('email', '=', 'nia.newcomer@example.org.uk')
        .select('organisation_id')
        .executeTakeFirstOrThrow();
      expect(newcomer.organisation_id).toBe(target.id);
    });

    it('is 404 for an organisation that does not exist', async () => {
      const coordinator = await signedInStaff(t, 'coordinator');
      expect((await coordinator.get('/admin/organisations/99999999')).statusCode).toBe(404);
      expect((await coordinator.get('/admin/organisations/0')).statusCode).toBe(404);
    });
  });
});
