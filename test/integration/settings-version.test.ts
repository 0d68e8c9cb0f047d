/**
 * The settings service's cache (services/settingsService.ts) is kept against
 * a counter of the settings alone (migration 022): a booking, which changes
 * what public pages show, does not make every request read and parse the
 * settings again; a change to the settings, by this process or any other, is
 * seen by the next request.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

import { ChangeCounterRecords } from '../../src/data/repositories/changeCounterRecords.js';
import { SettingsRecords } from '../../src/data/repositories/settingsRecords.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { eachDatabase } from '../support/databases.js';
import { createBookableSessions, createSignedInDelegates } from '../support/seedDelegates.js';

const DAY_MS = 86_400_000;
const NO_NEEDS = { accessNeeds: null, dietaryNeeds: null, consent: false };

eachDatabase('the settings counter', (dialect) => {
  let t: TestApp;
  let counters: ChangeCounterRecords;

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: false });
    counters = new ChangeCounterRecords(t.database.db);
  });
  afterAll(() => t.close());

  it('stays the same through a booking, which raises the public pages counter', async () => {
    const now = new Date(TEST_NOW);
    const [sessionId] = await createBookableSessions(
      t.database.db,
      now,
      [new Date(now.getTime() + 30 * DAY_MS)],
      5,
    );
    const [delegate] = await createSignedInDelegates(t.database.db, now, 1, 'settings-version');
    const settingsBefore = await counters.settingsVersion();
    const pagesBefore = await counters.publicPagesVersion();

    await t.services.settings.current();
    const reads = vi.spyOn(SettingsRecords.prototype, 'all');
    try {
      await t.services.bookings.book(delegate!.id, sessionId!, NO_NEEDS);
      await t.services.settings.current();
      // Neither the booking nor the request after it read the settings again.
      expect(reads).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
    }

    expect(await counters.publicPagesVersion()).toBeGreaterThan(pagesBefore);
    expect(await counters.settingsVersion()).toBe(settingsBefore);
  });

  it('goes up with a change to the settings, which the next read of them shows', async () => {
    const before = await counters.settingsVersion();
    const policy = await t.services.settings.policy();
    await t.services.settings.updatePolicy({ offerExpiryHours: policy.offerExpiryHours + 1 });
    expect(await counters.settingsVersion()).toBeGreaterThan(before);
    expect((await t.services.settings.policy()).offerExpiryHours).toBe(policy.offerExpiryHours + 1);
  });

  it('goes up when another process writes the settings table, and this one sees the change at once', async () => {
    const hub = await t.services.settings.hub();
    const before = await counters.settingsVersion();
    // As another process's save would: straight to the table, not through this service.
    const stored = await t.database.db
      .selectFrom('settings')
      .where('key', '=', 'hub')
      .select('value')
      .executeTakeFirst();
    const value = {
      ...(stored ? (JSON.parse(String(stored.value)) as object) : {}),
      name: `${hub.name} (renamed)`,
    };
    if (stored) {
      await t.database.db
        .updateTable('settings')
        .set({ value: JSON.stringify(value) })
        .where('key', '=', 'hub')
        .execute();
    } else {
      await t.database.db
        .insertInto('settings')
        .values({ key: 'hub', value: JSON.stringify(value), updated_at: new Date(TEST_NOW).toISOString() })
        .execute();
    }
    expect(await counters.settingsVersion()).toBeGreaterThan(before);
    expect((await t.services.settings.hub()).name).toBe(`${hub.name} (renamed)`);
  });
});
