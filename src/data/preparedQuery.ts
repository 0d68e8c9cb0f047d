/**
 * A query that every request runs, built and compiled by Kysely once and then
 * run with each request's values.
 *
 * Kysely builds a tree of frozen objects for every query and compiles it to
 * SQL every time it runs: about 15–25 µs for a select with a join, on every
 * request that asks who is signed in, where the whole booking request has
 * about 500 µs to spend. Queries whose shape never changes can skip that.
 *
 * The values are stand-ins while the query is built: each is a string that
 * no real value is, and where it lands in the compiled parameters is where
 * that value goes on every run. Only plain values (strings and numbers, used
 * with `=` and the like) can be stand-ins, since they must reach the
 * compiled parameters unchanged.
 */
import type { Compilable, CompiledQuery } from 'kysely';

import type { Executor } from './schema.js';

type Values = Record<string, string | number>;

export interface PreparedQuery<V extends Values, Row> {
  /** The rows, for these values. */
  execute(db: Executor, values: V): Promise<Row[]>;
}

/**
 * A query built once by `build` (on the first database it runs on, given
 * stand-ins for `names`) and run with new values each time.
 */
export function preparedQuery<V extends Values, Row>(
  names: readonly (keyof V & string)[],
  build: (db: Executor, values: V) => Compilable<Row>,
): PreparedQuery<V, Row> {
  // Compiled SQL differs between SQLite and PostgreSQL, and one process may
  // hold both (the tests do): one compilation per dialect, known by its adapter's class.
  const compiledFor = new Map<unknown, { query: CompiledQuery<Row>; slots: (keyof V | null)[] }>();
  return {
    async execute(db, values) {
      const dialectKey = db.getExecutor().adapter.constructor;
      let compiled = compiledFor.get(dialectKey);
      if (!compiled) {
        const standIns = Object.fromEntries(names.map((name) => [name, standIn(name)])) as unknown as V;
        const query = build(db, standIns).compile();
        const slots = query.parameters.map(
          (parameter) => names.find((name) => parameter === standIn(name)) ?? null,
        );
        for (const name of names) {
          if (!slots.includes(name)) throw new Error(`preparedQuery: the value "${name}" is not used as is`);
        }
        compiled = { query, slots };
        compiledFor.set(dialectKey, compiled);
      }
      const { query, slots } = compiled;
      const parameters = query.parameters.map((parameter, index) => {
        const name = slots[index];
        return name === null || name === undefined ? parameter : values[name];
      });
      const result = await db.executeQuery<Row>({ ...query, parameters });
      return result.rows;
    },
  };
}

function standIn(name: string): string {
  return `\u0000trellis prepared value ${name}\u0000`;
}
