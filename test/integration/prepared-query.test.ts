/**
 * data/preparedQuery.ts on both databases: a query compiled once runs with
 * each call's values (as parameters, never as SQL), inside a transaction
 * too, and a value the query would change on the way is refused.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';

import { preparedQuery } from '../../src/data/preparedQuery.js';
import type { OrganisationType } from '../../src/domain/programme/organisation.js';
import { createTestDatabase, eachDatabase, type TestDatabase } from '../support/databases.js';

eachDatabase('a prepared query', (dialect) => {
  let database: TestDatabase;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    for (const [name, type] of [
      ['Prepared Cherwell', 'partner_agency'],
      ['Prepared Banbury Care', 'private'],
      ['Prepared Oxford', 'partner_agency'],
    ] as const) {
      const row = await database.db
        .insertInto('organisations')
        .values({
          name,
          type,
          confirmed_at: null,
          merged_into_id: null,
          created_at: new Date().toISOString(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids[name] = row.id;
    }
  });
  afterAll(() => database.drop());

  const byType = preparedQuery(['type', 'after'], (db, { type, after }: { type: string; after: number }) =>
    db
      .selectFrom('organisations')
      .where('type', '=', type as OrganisationType)
      .where('id', '>', after)
      // A value of the query's own stays as it was built.
      .where('name', 'like', 'Prepared %')
      .select('name')
      .orderBy('id'),
  );

  it('runs the query it compiled once with each call’s values', async () => {
    expect(await byType.execute(database.db, { type: 'partner_agency', after: 0 })).toEqual([
      { name: 'Prepared Cherwell' },
      { name: 'Prepared Oxford' },
    ]);
    expect(
      await byType.execute(database.db, { type: 'partner_agency', after: ids['Prepared Cherwell']! }),
    ).toEqual([{ name: 'Prepared Oxford' }]);
    expect(await byType.execute(database.db, { type: 'private', after: 0 })).toEqual([
      { name: 'Prepared Banbury Care' },
    ]);
    // A value is only ever a value.
    expect(await byType.execute(database.db, { type: "partner_agency' or '1'='1", after: 0 })).toEqual([]);
  });

  it('runs inside a transaction too', async () => {
    const rows = await database.db
      .transaction()
      .execute((trx) => byType.execute(trx, { type: 'private', after: 0 }));
    expect(rows).toEqual([{ name: 'Prepared Banbury Care' }]);
  });

  it('refuses a value the query changes on the way, which could not be replaced', async () => {
    const changed = preparedQuery(['name'], (db, { name }: { name: string }) =>
      db.selectFrom('organisations').where('name', 'like', `${name}%`).select('id'),
    );
    await expect(changed.execute(database.db, { name: 'Prepared' })).rejects.toThrow(
      /"name" is not used as is/,
    );
  });
});
