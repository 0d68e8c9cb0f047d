import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { OrganisationType } from '../domain/programme/organisation.js';
import { openDatabase, type Database } from './db.js';
import { preparedQuery } from './preparedQuery.js';

describe('preparedQuery', () => {
  let database: Database;
  beforeAll(async () => {
    database = openDatabase('sqlite::memory:');
    await sql`create table organisations (id integer primary key, name text not null, type text not null)`.execute(
      database.db,
    );
    await sql`insert into organisations (name, type) values ('Cherwell', 'council'), ('Banbury NHS', 'nhs'), ('Oxford', 'council')`.execute(
      database.db,
    );
  });
  afterAll(() => database.close());

  const byKind = preparedQuery(['kind', 'after'], (db, { kind, after }: { kind: string; after: number }) =>
    db
      .selectFrom('organisations')
      .where('type', '=', kind as OrganisationType)
      .where('id', '>', after)
      // A value of the query's own stays as it was built.
      .where('name', '<>', 'Nobody')
      .select(['id', 'name'])
      .orderBy('id'),
  );

  it('runs the query it compiled once with each call’s values', async () => {
    expect(await byKind.execute(database.db, { kind: 'council', after: 0 })).toEqual([
      { id: 1, name: 'Cherwell' },
      { id: 3, name: 'Oxford' },
    ]);
    expect(await byKind.execute(database.db, { kind: 'council', after: 1 })).toEqual([{ id: 3, name: 'Oxford' }]);
    expect(await byKind.execute(database.db, { kind: 'nhs', after: 0 })).toEqual([{ id: 2, name: 'Banbury NHS' }]);
    expect(await byKind.execute(database.db, { kind: "council' or 1=1 --", after: 0 })).toEqual([]);
  });

  it('runs inside a transaction too', async () => {
    const rows = await database.db
      .transaction()
      .execute((trx) => byKind.execute(trx, { kind: 'nhs', after: 0 }));
    expect(rows).toEqual([{ id: 2, name: 'Banbury NHS' }]);
  });

  it('refuses a value the query changes on the way, which could not be replaced', async () => {
    const changed = preparedQuery(['name'], (db, { name }: { name: string }) =>
      db.selectFrom('organisations').where('name', 'like', `${name}%`).select('id'),
    );
    await expect(changed.execute(database.db, { name: 'Ox' })).rejects.toThrow(/"name" is not used as is/);
  });
});
