/**
 * Venues and trainers in the back office: a coordinator adds and edits them,
 * bad input is refused by the field with what was typed kept, every change is
 * audited, and viewers see the lists without the buttons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestApp, type TestApp } from '../support/app.js';
import type { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { parsePage } from '../support/html.js';
import { signedInStaff } from '../support/staff.js';

eachDatabase('back office: venues and trainers', (dialect) => {
  let t: TestApp;
  let coordinator: WebClient;
  let viewer: WebClient;

  const db = () => t.database.db;
  const auditOf = (action: string, entityId: number) =>
    db()
      .selectFrom('audit_log')
      .where('action', '=', action)
      .where('entity_id', '=', entityId)
      .selectAll()
      .orderBy('id')
      .execute();
  const count = async (table: 'venues' | 'trainers' | 'audit_log') =>
    Number(
      (
        await db()
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const value = (page: ReturnType<typeof parsePage>, id: string) =>
    page.document.querySelector(`#${id}`)?.getAttribute('value');

  beforeAll(async () => {
    t = await createTestApp(dialect);
    coordinator = await signedInStaff(t, 'coordinator');
    viewer = await signedInStaff(t, 'viewer');
  });
  afterAll(() => t.close());

  describe('venues', () => {
    const VENUE = {
      name: 'Riverside Café & Rooms',
      addressLines: '2 Mill Lane\n\nUnit 4 ',
      town: 'Abingdon',
      postcode: 'ox14  3ha',
      phone: '01235 000000',
      travelNotes: 'Ten minutes’ walk from the bus station. **No parking** on site.',
      accessNotes: 'Step-free entrance at the side.',
    };

    it('adds a venue, tidies its postcode, makes a slug, audits it, and shows it', async () => {
      const form = parsePage((await coordinator.get('/admin/venues/new')).body);
      expect(form.h1()).toBe('Add a venue');
      const response = await coordinator.submit('/admin/venues/new', VENUE, '/admin/venues/new');
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/admin/venues?done=created');
      const venue = await db()
        .selectFrom('venues')
        .where('slug', '=', 'riverside-cafe-and-rooms')
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(venue).toMatchObject({
        name: 'Riverside Café & Rooms',
        address_lines: '2 Mill Lane\nUnit 4',
        town: 'Abingdon',
        postcode: 'OX14 3HA',
        phone: '01235 000000',
        access_notes: 'Step-free entrance at the side.',
      });
      const [audit] = await auditOf('venue_created', venue.id);
      expect(audit).toMatchObject({ actor_type: 'staff', entity_type: 'venue' });

      const list = parsePage((await coordinator.get(response.headers.location as string)).body);
      expect(list.text('.govuk-notification-banner')).toContain('Venue added');
      const row = list.listItems('main tbody tr').find((r) => r.startsWith('Riverside Café & Rooms'));
      expect(row).toContain('2 Mill Lane, Unit 4, Abingdon, OX14 3HA');
      expect(list.links().some((l) => l.href === `/admin/venues/${venue.id}/edit`)).toBe(true);

      const publicPage = await t.app.inject({ method: 'GET', url: '/venues/riverside-cafe-and-rooms' });
      expect(publicPage.statusCode).toBe(200);
      expect(publicPage.body).toContain('<strong>No parking</strong>');
    });

    it('refuses bad input by the field, keeps what was typed, and adds nothing', async () => {
      const before = { venues: await count('venues'), audit: await count('audit_log') };
      const response = await coordinator.submit(
        '/admin/venues/new',
        {
          name: '',
          addressLines: 'One\nTwo\nThree\nFour\nFive',
          town: '',
          postcode: 'OX1',
          phone: 'call reception',
          travelNotes: 'Kept as typed',
          accessNotes: 'x'.repeat(5_001),
        },
        '/admin/venues/new',
      );
      expect(response.statusCode).toBe(400);
      const page = parsePage(response.body);
      const summary = page.text('.govuk-error-summary');
      for (const message of [
        'Enter the venue’s name',
        'Enter the street address in 4 lines or fewer',
        'Enter the town or city',
        'Enter a real UK postcode, like OX1 1TR',
        'Enter the phone number with digits and spaces only',
        'Access notes must be 5,000 characters or fewer',
      ]) {
        expect(summary).toContain(message);
      }
      expect(page.text('#postcode-error')).toContain('Enter a real UK postcode');
      expect(value(page, 'postcode')).toBe('OX1');
      expect(value(page, 'phone')).toBe('call reception');
      expect(page.text('#travelNotes')).toBe('Kept as typed');
      expect(page.document.querySelector('#accessNotes')?.textContent).toHaveLength(5_001);
      expect(await count('venues')).toBe(before.venues);
      expect(await count('audit_log')).toBe(before.audit);

      const missing = await coordinator.submit(
        '/admin/venues/new',
        { ...VENUE, postcode: ' ' },
        '/admin/venues/new',
      );
      expect(missing.statusCode).toBe(400);
      expect(parsePage(missing.body).text('#postcode-error')).toContain('Enter the postcode');
    });

    it('edits a venue, keeps its slug, and audits the fields changed with before and after', async () => {
      const venue = await db()
        .selectFrom('venues')
        .where('slug', '=', 'riverside-cafe-and-rooms')
        .selectAll()
        .executeTakeFirstOrThrow();
      const editUrl = `/admin/venues/${venue.id}/edit`;
      const form = parsePage((await coordinator.get(editUrl)).body);
      expect(form.h1()).toBe('Edit venue');
      expect(value(form, 'postcode')).toBe('OX14 3HA');
      expect(form.text('#addressLines')).toBe('2 Mill Lane Unit 4');

      const response = await coordinator.submit(
        editUrl,
        {
          ...VENUE,
          name: 'Riverside Rooms',
          phone: '',
          accessNotes: 'Step-free entrance at the side. Hearing loop in room 2.',
        },
        editUrl,
      );
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/admin/venues?done=saved');
      const saved = await db()
        .selectFrom('venues')
        .where('id', '=', venue.id)
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(saved).toMatchObject({ name: 'Riverside Rooms', phone: null, slug: 'riverside-cafe-and-rooms' });
      const [audit] = await auditOf('venue_updated', venue.id);
      expect(JSON.parse(audit!.details)).toEqual({
        changed: ['name', 'phone', 'accessNotes'],
        before: { name: 'Riverside Café & Rooms', phone: '01235 000000' },
        after: { name: 'Riverside Rooms', phone: null },
      });

      // The same again changes nothing and records nothing.
      const again = await coordinator.submit(
        editUrl,
        { ...VENUE, name: 'Riverside Rooms', phone: '', accessNotes: saved.access_notes },
        editUrl,
      );
      expect(again.headers.location).toBe('/admin/venues?done=unchanged');
      expect(await auditOf('venue_updated', venue.id)).toHaveLength(1);
    });

    it('refuses bad input when editing, leaving the venue as it was', async () => {
      const venue = await db()
        .selectFrom('venues')
        .select(['id', 'name'])
        .orderBy('id')
        .executeTakeFirstOrThrow();
      const editUrl = `/admin/venues/${venue.id}/edit`;
      const response = await coordinator.submit(
        editUrl,
        { ...VENUE, name: 'Renamed', addressLines: '  ', postcode: 'NOT A CODE' },
        editUrl,
      );
      expect(response.statusCode).toBe(400);
      const page = parsePage(response.body);
      expect(page.text('#addressLines-error')).toContain('Enter the street address');
      expect(value(page, 'name')).toBe('Renamed');
      const after = await db()
        .selectFrom('venues')
        .where('id', '=', venue.id)
        .select('name')
        .executeTakeFirstOrThrow();
      expect(after.name).toBe(venue.name);
      expect((await coordinator.get('/admin/venues/99999/edit')).statusCode).toBe(404);
    });

    it('shows a viewer the list without the buttons', async () => {
      const list = parsePage((await viewer.get('/admin/venues')).body);
      expect(list.h1()).toBe('Venues');
      expect(list.listItems('main tbody tr').length).toBeGreaterThan(5);
      expect(list.links().some((l) => l.text === 'Add a venue' || l.href.endsWith('/edit'))).toBe(false);
      expect((await viewer.get('/admin/venues/new')).statusCode).toBe(404);
    });
  });

  describe('trainers', () => {
    const TRAINER = {
      name: 'Dr Ama Boateng',
      roleTitle: 'Clinical psychologist',
      biography: 'Ama works with *children in care* and their carers.',
      employment: 'external',
    };

    it('adds a trainer, audits it, and shows them', async () => {
      expect(parsePage((await coordinator.get('/admin/trainers/new')).body).h1()).toBe('Add a trainer');
      const response = await coordinator.submit('/admin/trainers/new', TRAINER, '/admin/trainers/new');
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/admin/trainers?done=created');
      const trainer = await db()
        .selectFrom('trainers')
        .where('slug', '=', 'dr-ama-boateng')
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(trainer).toMatchObject({
        name: 'Dr Ama Boateng',
        role_title: 'Clinical psychologist',
        employment: 'external',
        photo_path: null,
      });
      expect(await auditOf('trainer_created', trainer.id)).toHaveLength(1);
      const list = parsePage((await coordinator.get('/admin/trainers?done=created')).body);
      expect(list.text('.govuk-notification-banner')).toContain('Trainer added');
      expect(list.listItems('main tbody tr').find((r) => r.startsWith('Dr Ama Boateng'))).toContain(
        'External',
      );
      const publicPage = await t.app.inject({ method: 'GET', url: '/trainers/dr-ama-boateng' });
      expect(publicPage.statusCode).toBe(200);
      expect(publicPage.body).toContain('<em>children in care</em>');

      // A second trainer of the same name gets the next free address.
      await coordinator.submit(
        '/admin/trainers/new',
        { ...TRAINER, employment: 'hub' },
        '/admin/trainers/new',
      );
      const second = await db()
        .selectFrom('trainers')
        .where('slug', '=', 'dr-ama-boateng-2')
        .select('employment')
        .executeTakeFirst();
      expect(second?.employment).toBe('hub');
    });

    it('refuses bad input by the field, keeps what was typed, and adds nothing', async () => {
      const before = { trainers: await count('trainers'), audit: await count('audit_log') };
      const response = await coordinator.submit(
        '/admin/trainers/new',
        { name: '  ', roleTitle: 'R'.repeat(151), biography: 'Kept\u0007', employment: 'boss' },
        '/admin/trainers/new',
      );
      expect(response.statusCode).toBe(400);
      const page = parsePage(response.body);
      // Control characters are refused first, on their own.
      expect(page.text('#biography-error')).toContain('Remove the special characters');

      const second = await coordinator.submit(
        '/admin/trainers/new',
        { name: '  ', roleTitle: 'R'.repeat(151), biography: 'Kept as typed', employment: 'boss' },
        '/admin/trainers/new',
      );
      expect(second.statusCode).toBe(400);
      const again = parsePage(second.body);
      const summary = again.text('.govuk-error-summary');
      expect(summary).toContain('Enter the trainer’s name');
      expect(summary).toContain('The role must be 150 characters or fewer');
      expect(summary).toContain('Choose whether the trainer works for the hub or is external');
      expect(again.links('.govuk-error-summary a').map((l) => l.href)).toEqual([
        '#name',
        '#roleTitle',
        '#employment',
      ]);
      expect(value(again, 'roleTitle')).toBe('R'.repeat(151));
      expect(again.text('#biography')).toBe('Kept as typed');
      expect(await count('trainers')).toBe(before.trainers);
      expect(await count('audit_log')).toBe(before.audit);
    });

    it('edits a trainer, keeps their slug, and audits the fields changed', async () => {
      const trainer = await db()
        .selectFrom('trainers')
        .where('slug', '=', 'dr-ama-boateng')
        .selectAll()
        .executeTakeFirstOrThrow();
      const editUrl = `/admin/trainers/${trainer.id}/edit`;
      const form = parsePage((await coordinator.get(editUrl)).body);
      expect(form.h1()).toBe('Edit trainer');
      expect(value(form, 'name')).toBe('Dr Ama Boateng');
      expect(
        form.document.querySelector('input[name="employment"][value="external"]')?.hasAttribute('checked'),
      ).toBe(true);
      const response = await coordinator.submit(
        editUrl,
        { ...TRAINER, name: 'Dr Ama Boateng-Mensah', employment: 'hub', biography: 'A new biography.' },
        editUrl,
      );
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/admin/trainers?done=saved');
      const saved = await db()
        .selectFrom('trainers')
        .where('id', '=', trainer.id)
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(saved).toMatchObject({
        name: 'Dr Ama Boateng-Mensah',
        employment: 'hub',
        slug: 'dr-ama-boateng',
      });
      const [audit] = await auditOf('trainer_updated', trainer.id);
      expect(JSON.parse(audit!.details)).toEqual({
        changed: ['name', 'biography', 'employment'],
        before: { name: 'Dr Ama Boateng', employment: 'external' },
        after: { name: 'Dr Ama Boateng-Mensah', employment: 'hub' },
      });
    });

    it('refuses bad input when editing, leaving the trainer as they were', async () => {
      const trainer = await db()
        .selectFrom('trainers')
        .where('slug', '=', 'lisa-cherry')
        .selectAll()
        .executeTakeFirstOrThrow();
      const editUrl = `/admin/trainers/${trainer.id}/edit`;
      const response = await coordinator.submit(
        editUrl,
        { name: '', roleTitle: 'Changed', biography: '' },
        editUrl,
      );
      expect(response.statusCode).toBe(400);
      const page = parsePage(response.body);
      expect(page.text('#name-error')).toContain('Enter the trainer’s name');
      expect(page.text('#employment-error')).toContain('Choose whether');
      expect(value(page, 'roleTitle')).toBe('Changed');
      const after = await db()
        .selectFrom('trainers')
        .where('id', '=', trainer.id)
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(after).toEqual(trainer);
      expect((await coordinator.get('/admin/trainers/0/edit')).statusCode).toBe(404);
    });

    it('shows a viewer the list without the buttons, and is a 404 for a trainer', async () => {
      const list = parsePage((await viewer.get('/admin/trainers')).body);
      expect(list.h1()).toBe('Trainers');
      expect(list.listItems('main tbody tr').some((r) => r.startsWith('Lisa Cherry'))).toBe(true);
      expect(list.links().some((l) => l.text === 'Add a trainer' || l.href.endsWith('/edit'))).toBe(false);
      const lisa = await signedInStaff(t, 'trainer', 'lisa-cherry');
      expect((await lisa.get('/admin/trainers')).statusCode).toBe(404);
      expect((await lisa.get('/admin/venues')).statusCode).toBe(404);
    });
  });
});
