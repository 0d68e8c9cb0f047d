/**
 * Every table and column of a migrated database, read from the database
 * itself (SQLite's table_info, PostgreSQL's information_schema), with
 * whether it holds text: what the personal data map and the erasure scan
 * check against.
 */
import { sql } from 'kysely';

import type { Database } from '../../src/data/db.js';

export interface SchemaColumn {
  table: string;
  column: string;
  text: boolean;
}

export async function schemaColumns(database: Database): Promise<SchemaColumn[]> {
  if (database.dialect === 'sqlite') {
    const tables = await sql<{ name: string }>`
      select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name
    `.execute(database.db);
    const out: SchemaColumn[] = [];
    for (const { name } of tables.rows) {
      const cols = await sql<{ name: string; type: string }>`
        select name, type from pragma_table_info(${name})
      `.execute(database.db);
      for (const c of cols.rows) {
        out.push({ table: name, column: c.name, text: /text|char|^$/i.test(c.type) });
      }
    }
    return out;
  }
  const rows = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select c.table_name, c.column_name, c.data_type
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
    order by c.table_name, c.ordinal_position
  `.execute(database.db);
  return rows.rows.map((r) => ({
    table: r.table_name,
    column: r.column_name,
    text: /text|character/i.test(r.data_type),
  }));
}
