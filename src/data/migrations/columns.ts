/** Column spellings that differ between SQLite and PostgreSQL, for migrations. */
import type { CreateTableBuilder } from 'kysely';

import type { DialectName } from '../db.js';

/** Adds an integer `id` primary key that the database fills in. */
export function withId(dialect: DialectName) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return <T extends string>(table: CreateTableBuilder<T, any>) =>
    dialect === 'sqlite'
      ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      : table.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}
