/**
 * The map of personal data (src/data/personalDataMap.ts) covers every table
 * and column the migrated database really has, on both databases, and says
 * nothing of columns that do not exist: a new column must be classified.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { INTERNAL_TABLES, mapEntry, PERSONAL_DATA_MAP } from '../../src/data/personalDataMap.js';
import { createTestDatabase, eachDatabase, type TestDatabase } from '../support/databases.js';
import { schemaColumns } from '../support/schemaColumns.js';

eachDatabase('the map of personal data', (dialect) => {
  let database: TestDatabase;
  let columns: { table: string; column: string }[];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    columns = await schemaColumns(database);
  });
  afterAll(() => database.drop());

  it('classifies every column of every table', () => {
    expect(columns.length).toBeGreaterThan(100);
    const missing = columns.filter((c) => mapEntry(c.table, c.column) === undefined);
    expect(missing.map((c) => `${c.table}.${c.column}`)).toEqual([]);
  });

  it('lists no table or column the database does not have', () => {
    const real = new Set(columns.map((c) => `${c.table}.${c.column}`));
    const tables = new Set(columns.map((c) => c.table));
    const stale = Object.entries(PERSONAL_DATA_MAP).flatMap(([table, entry]) =>
      Object.keys(entry.columns)
        .map((column) => `${table}.${column}`)
        .filter((key) => !real.has(key)),
    );
    expect(stale).toEqual([]);
    for (const table of Object.keys(INTERNAL_TABLES)) expect(tables.has(table)).toBe(true);
  });

  it('gives every personal column an export path or a reason, and every column a reason', () => {
    for (const [table, entry] of Object.entries(PERSONAL_DATA_MAP)) {
      for (const [column, c] of Object.entries(entry.columns)) {
        const where = `${table}.${column}`;
        if (c.personal) {
          expect(c.erasure, where).not.toBe('');
          expect(c.export !== null || !!c.notExported, where).toBe(true);
        } else {
          expect(c.reason, where).not.toBe('');
        }
      }
    }
  });

  it('reads the schema from the database itself', async () => {
    // The helper sees a column added after migration: the map test would then fail.
    await sql`alter table venues add column unmapped_note text`.execute(database.db);
    const after = await schemaColumns(database);
    const added = after.find((c) => c.table === 'venues' && c.column === 'unmapped_note');
    expect(added).toBeDefined();
    expect(mapEntry('venues', 'unmapped_note')).toBeUndefined();
    await sql`alter table venues drop column unmapped_note`.execute(database.db);
  });
});
