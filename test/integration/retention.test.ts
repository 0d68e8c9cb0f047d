/**
 * The retention schedule on both databases, through the real app: its
 * settings page (validated, audited), the privacy notice's periods following
 * the settings, the dry run saying exactly what a run then does, and an
 * unused account warned and then closed, unless its owner signs in between.
 */
import { hash as argon2Hash } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import type { DB } from '../../src/data/schema.js';
import { DEFAULT_RETENTION } from '../../src/domain/hub/retention.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { WebClient } from '../support/client.js';
import { settableClock, type SettableClock } from '../support/clock.js';
import { eachDatabase } from '../support/databases.js';
import { finishedSession, placeTaken } from '../support/finishedSessions.js';
import { parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';

const DAY = 86_400_000;
const errorSummary = (html: string) => parsePage(html).listItems('.govuk-error-summary__list li');
/** The settings form as it stands by default, with `changes` typed over it. */
const schedule = (changes: Record<string, string>) => ({
  ...Object.fromEntries(Object.entries(DEFAULT_RETENTION).map(([name, value]) => [name, String(value)])),
  ...changes,
});

/** A delegate straight into the database, last active at `lastActive`. */
async function delegate(
  db: Kysely<DB>,
  label: string,
  lastActive: Date,
  password?: string,
): Promise<{ id: number; email: string; name: string }> {
  const name = `Retention ${label}`;
  const email = `retention.${label}@council.example.org.uk`;
  const id = await new DemoRepository(db).createDelegate(
    {
      name,
      email,
      organisationId: null,
      jobRole: 'Social worker',
      lineManagerName: '',
      lineManagerEmail: '',
    },
    lastActive,
  );
  await db
    .updateTable('delegates')
    .set({
      last_active_at: lastActive.toISOString(),
      password_hash: password ? await argon2Hash(password) : null,
      email_verified_at: lastActive.toISOString(),
    })
    .where('id', '=', id)
    .execute();
  return { id, email, name };
}

async function outboxTo(db: Kysely<DB>, address: string) {
  return db
    .selectFrom('outbox_messages')
    .where('to_address', '=', address)
    .select(['kind', 'subject', 'text_body'])
    .orderBy('id')
    .execute();
}

eachDatabase('the retention schedule', (dialect) => {
  let t: TestApp;
  let clock: SettableClock;
  let admin: WebClient;
  let db: Kysely<DB>;

  beforeAll(async () => {
    clock = settableClock(TEST_NOW);
    t = await createTestApp(dialect, { clock });
    db = t.database.db;
    admin = await signedInStaff(t, 'admin');
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('the settings page', () => {
    it('is linked from the hub settings and shows the schedule as it is', async () => {
      const settings = parsePage((await admin.get('/admin/settings')).body);
      expect(settings.links().some((l) => l.href === '/admin/settings/retention')).toBe(true);
      const page = parsePage((await admin.get('/admin/settings/retention')).body);
      expect(page.document.querySelector('#inactiveAccountMonths')?.getAttribute('value')).toBe('12');
      expect(page.document.querySelector('#auditLogYears')?.getAttribute('value')).toBe('6');
    });

    it('refuses nonsense by the field, keeps what was typed and saves nothing', async () => {
      const audits = await db
        .selectFrom('audit_log')
        .where('action', '=', 'changed_settings')
        .select('id')
        .execute();
      const response = await admin.submit(
        '/admin/settings/retention',
        schedule({
          inactiveAccountMonths: '2',
          bookingDetailsYears: 'six',
        }),
      );
      expect(response.statusCode).toBe(400);
      expect(errorSummary(response.body)).toEqual([
        'Close unused accounts after: enter a whole number of months from 3 to 120',
        'Anonymise bookings after the session: enter a whole number of years from 1 to 20',
      ]);
      expect(
        parsePage(response.body).document.querySelector('#bookingDetailsYears')?.getAttribute('value'),
      ).toBe('six');
      const mismatch = await admin.submit(
        '/admin/settings/retention',
        schedule({
          sentEmailBodyDays: '300',
          sentEmailRecordMonths: '3',
        }),
      );
      expect(mismatch.statusCode).toBe(400);
      expect(parsePage(mismatch.body).text('#sentEmailRecordMonths-error')).toContain(
        'Keep the record that an email was sent at least as long as its words',
      );
      expect(await t.services.settings.retention()).toEqual(DEFAULT_RETENTION);
      expect(
        await db.selectFrom('audit_log').where('action', '=', 'changed_settings').select('id').execute(),
      ).toHaveLength(audits.length);
    });

    it('saves, audits what changed (no values), and the privacy notice says the new periods', async () => {
      const before = parsePage((await new WebClient(t.app).get('/privacy')).body).text();
      expect(before).toContain('If you do not sign in or book for 12 months, we close your account');
      expect(before).toContain('We email you 30 days before');

      const response = await admin.submit(
        '/admin/settings/retention',
        schedule({
          inactiveAccountMonths: '24',
          closureWarningDays: '14',
          auditLogYears: '3',
        }),
      );
      expect(response.statusCode, response.body.slice(0, 300)).toBe(303);
      expect(response.headers.location).toBe('/admin/settings/retention?saved=1');
      expect(await t.services.settings.retention()).toEqual({
        ...DEFAULT_RETENTION,
        inactiveAccountMonths: 24,
        closureWarningDays: 14,
        auditLogYears: 3,
      });
      const audit = await db
        .selectFrom('audit_log')
        .where('action', '=', 'changed_settings')
        .select('details')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(audit.details)).toEqual({
        changed: ['inactiveAccountMonths', 'closureWarningDays', 'auditLogYears'],
      });

      const after = parsePage((await new WebClient(t.app).get('/privacy')).body).text();
      expect(after).toContain('If you do not sign in or book for 24 months, we close your account');
      expect(after).toContain('We email you 14 days before');
      expect(after).toContain('for 3 years');
      expect(after).toContain('never stored');

      await t.services.settings.updateRetention(DEFAULT_RETENTION);
    });
  });

  describe('the job', () => {
    it('does exactly what its dry run said, and a second run finds nothing more', async () => {
      const now = clock.now();
      const longAgo = new Date(now.getTime() - 800 * DAY);
      const old = await delegate(db, 'dormant', longAgo);
      await delegate(db, 'warned', longAgo);
      await db
        .updateTable('delegates')
        .set({ closure_warned_at: new Date(now.getTime() - 40 * DAY).toISOString() })
        .where('email', '=', 'retention.warned@council.example.org.uk')
        .execute();
      const session = await finishedSession(db, new Date(now.getTime() - 7 * 366 * DAY), now);
      const place = await placeTaken(db, session.sessionId, now, 'oldsession', { attended: true });
      await db
        .insertInto('outbox_messages')
        .values([
          outboxRow('Sent long ago', new Date(now.getTime() - 500 * DAY)),
          outboxRow('Sent last month', new Date(now.getTime() - 40 * DAY)),
          outboxRow('Sent yesterday', new Date(now.getTime() - DAY)),
        ])
        .execute();
      await db
        .insertInto('audit_log')
        .values({
          at: new Date(now.getTime() - 7 * 366 * DAY).toISOString(),
          actor_type: 'system',
          actor_id: null,
          action: 'old_entry',
          entity_type: 'settings',
          entity_id: 0,
          details: '{}',
        })
        .execute();

      // An April financial year: 2018-19's records are past their six years by now (January 2026), 2019-20's are not.
      const organisation = await db
        .selectFrom('organisations')
        .select('id')
        .orderBy('id')
        .executeTakeFirstOrThrow();
      const expired = await invoice(db, organisation.id, 2018);
      const kept = await invoice(db, organisation.id, 2019);

      const plan = await t.services.retention.plan(now);
      expect(plan.counts.warnAccounts).toBeGreaterThanOrEqual(1);
      expect(plan.accountsToWarn.map((a) => a.name)).toContain(old.name);
      expect(plan.counts.closeAccounts).toBe(1);
      expect(plan.bookingsToAnonymise.map((b) => b.reference)).toContain(place.reference);
      expect(plan.emailWordsToClear.map((e) => e.subject)).toEqual(['Sent last month']);
      expect(plan.emailRecordsToDelete.map((e) => e.subject)).toEqual(['Sent long ago']);
      expect(plan.counts.deleteAuditEntries).toBe(1);
      expect(plan.financialRecords.map((i) => i.number)).toEqual(['INV-2018-0001']);

      const page = parsePage((await admin.get('/admin/retention')).body);
      expect(page.text('#count-closeAccounts')).toBe('Accounts to close: 1');
      expect(page.text('#count-anonymiseBookings')).toBe(
        `Bookings to anonymise: ${plan.counts.anonymiseBookings}`,
      );
      expect(page.text()).toContain(old.name);
      expect(page.text()).toContain(place.reference);

      const done = await t.services.retention.run(now);
      expect(done).toEqual(plan.counts);

      const again = await t.services.retention.plan(now);
      // The row whose only booking was anonymised loses its name on the next run, and that is all.
      expect({ ...again.counts, anonymiseHolders: 0 }).toEqual(
        Object.fromEntries(Object.keys(again.counts).map((k) => [k, 0])),
      );
      const documents = await db
        .selectFrom('invoices')
        .innerJoin('invoice_lines', 'invoice_lines.invoice_id', 'invoices.id')
        .where('invoices.id', 'in', [expired, kept])
        .select([
          'invoices.billing_contact',
          'invoices.billing_email',
          'invoice_lines.delegate_name',
          'invoice_lines.gross_pence',
        ])
        .orderBy('invoices.id')
        .execute();
      expect(documents).toEqual([
        { billing_contact: '', billing_email: '', delegate_name: '', gross_pence: 5000 },
        {
          billing_contact: 'Jo Finance',
          billing_email: 'jo@council.example.org.uk',
          delegate_name: 'Sam Delegate',
          gross_pence: 5000,
        },
      ]);
      const second = await t.services.retention.run(now);
      expect(second.anonymiseHolders).toBe(again.counts.anonymiseHolders);
      // The booking is held anonymously now; its delegate keeps the account (still in use) and their name.
      const holder = await db
        .selectFrom('bookings')
        .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
        .where('bookings.id', '=', place.bookingId)
        .select(['delegates.id', 'delegates.name', 'delegates.anonymised_at', 'delegates.job_role'])
        .executeTakeFirstOrThrow();
      expect(holder.id).not.toBe(place.delegate.id);
      expect(holder).toMatchObject({ name: '', job_role: 'Social worker' });
      expect(holder.anonymised_at).not.toBeNull();
      const person = await db
        .selectFrom('delegates')
        .where('id', '=', place.delegate.id)
        .select(['name', 'closed_at'])
        .executeTakeFirstOrThrow();
      expect(person).toEqual({ name: place.delegate.name, closed_at: null });
    });

    it('run twice at once, warns each account once and anonymises each booking once', async () => {
      const now = clock.now();
      const longAgo = new Date(now.getTime() - 800 * DAY);
      const people = await Promise.all(
        ['twin-a', 'twin-b', 'twin-c'].map((label) => delegate(db, label, longAgo)),
      );
      const session = await finishedSession(db, new Date(now.getTime() - 8 * 366 * DAY), now);
      const places = [
        await placeTaken(db, session.sessionId, now, 'twin-old-1', { attended: true }),
        await placeTaken(db, session.sessionId, now, 'twin-old-2', { attended: false }),
      ];
      const plan = await t.services.retention.plan(now);
      expect(plan.counts.warnAccounts).toBeGreaterThanOrEqual(3);

      const [one, two] = await Promise.all([t.services.retention.run(now), t.services.retention.run(now)]);
      expect(one.warnAccounts + two.warnAccounts).toBe(plan.counts.warnAccounts);
      expect(one.anonymiseBookings + two.anonymiseBookings).toBe(plan.counts.anonymiseBookings);
      for (const person of people) {
        expect((await outboxTo(db, person.email)).map((m) => m.kind)).toEqual(['account_closing']);
      }
      // Each booking went to one anonymous holder, and no holder was made for nothing.
      const holders = await db
        .selectFrom('bookings')
        .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
        .where(
          'bookings.id',
          'in',
          places.map((p) => p.bookingId),
        )
        .select(['delegates.anonymised_at'])
        .execute();
      expect(holders.every((h) => h.anonymised_at !== null)).toBe(true);
      const empty = await db
        .selectFrom('delegates')
        .where('anonymised_at', 'is not', null)
        .where('name', '=', '')
        .where((eb) =>
          eb.not(
            eb.exists(
              eb.selectFrom('bookings').whereRef('bookings.delegate_id', '=', 'delegates.id').select('id'),
            ),
          ),
        )
        .where('created_at', '=', now.toISOString())
        .select('id')
        .execute();
      expect(empty).toEqual([]);
    });

    it('warns an unused account once, then closes it; signing in between keeps it', async () => {
      const start = new Date(clock.now().getTime() + DAY);
      clock.set(start);
      const lastActive = new Date(start.getTime() - 340 * DAY);
      const idle = await delegate(db, 'idle', lastActive);
      const active = await delegate(db, 'returning', lastActive, 'correct horse battery staple');

      await t.services.retention.run(clock.now());
      await t.services.retention.run(clock.now());
      const warning = await outboxTo(db, idle.email);
      expect(warning.map((m) => m.kind)).toEqual(['account_closing']);
      expect(warning[0]?.text_body).toContain('Sign in before');
      expect(warning[0]?.text_body).toContain('Your account has no password yet');
      const other = await outboxTo(db, active.email);
      expect(other.map((m) => m.kind)).toEqual(['account_closing']);
      expect(other[0]?.text_body).not.toContain('no password');

      clock.advance(10 * DAY);
      const visitor = new WebClient(t.app);
      const signedIn = await visitor.submit('/sign-in', {
        email: active.email,
        password: 'correct horse battery staple',
      });
      expect(signedIn.statusCode).toBe(303);

      clock.advance(25 * DAY);
      await t.services.retention.run(clock.now());
      const rows = await db
        .selectFrom('delegates')
        .where('id', 'in', [idle.id, active.id])
        .select(['id', 'name', 'email', 'closed_at', 'closure_warned_at'])
        .orderBy('id')
        .execute();
      expect(rows[0]).toMatchObject({ name: idle.name, closure_warned_at: null });
      expect(rows[0]?.closed_at).not.toBeNull();
      expect(rows[0]?.email).toMatch(/@anonymised\.invalid$/);
      expect(rows[1]).toMatchObject({ email: active.email, closed_at: null, closure_warned_at: null });
    });
  });
});

/** An issued invoice of one line naming a delegate, in the financial year starting in April `year`. */
async function invoice(db: Kysely<DB>, organisationId: number, year: number): Promise<number> {
  const at = `${year}-06-01T10:00:00.000Z`;
  const row = await db
    .insertInto('invoices')
    .values({
      kind: 'invoice',
      state: 'issued',
      organisation_id: organisationId,
      booking_id: null,
      credits_invoice_id: null,
      number: `INV-${year}-0001`,
      financial_year: year,
      sequence: 1,
      customer_name: 'Northshire Council',
      billing_contact: 'Jo Finance',
      billing_email: 'jo@council.example.org.uk',
      net_pence: 5000,
      gross_pence: 5000,
      created_at: at,
      created_by_staff_id: null,
      issued_at: at,
      issued_by_staff_id: null,
      issued_on: at.slice(0, 10),
      due_on: at.slice(0, 10),
      paid_on: null,
      paid_reference: null,
      voided_at: null,
      issuer: null,
      paid_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('invoice_lines')
    .values({
      invoice_id: row.id,
      position: 1,
      charge_id: null,
      credits_line_id: null,
      description: 'Late cancellation',
      delegate_name: 'Sam Delegate',
      session_date: at.slice(0, 10),
      net_pence: 5000,
      vat_pence: 0,
      gross_pence: 5000,
    })
    .execute();
  return row.id;
}

function outboxRow(subject: string, sentAt: Date) {
  const at = sentAt.toISOString();
  return {
    created_at: at,
    to_address: 'someone@council.example.org.uk',
    to_name: 'Someone',
    subject,
    text_body: `${subject}: the words`,
    html_body: `<p>${subject}</p>`,
    attachments: '[]',
    kind: 'booking_confirmed',
    booking_id: null,
    attempts: 1,
    next_attempt_at: at,
    lease_until: null,
    last_error: null,
    sent_at: at,
  };
}
