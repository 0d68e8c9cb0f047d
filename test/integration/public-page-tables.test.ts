/**
 * Public pages are cached until a trigger on a table they show raises the
 * public pages counter (migration 002). A table read for a public page but
 * not watched would leave pages stale after it changes, so this test runs
 * every read the public pages make (each method of the catalogue repository,
 * and the hub's settings), collects the tables named in the SQL they send,
 * and fails for any table not in PUBLIC_PAGE_TABLES, or any table there
 * without its trigger.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { sql, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';

import type { DialectName } from '../../src/data/db.js';
import { KEPT_FROM_PUBLIC_PAGE_TABLES, PUBLIC_PAGE_TABLES } from '../../src/data/publicPageTables.js';
import { CatalogueRepository, type SessionSearch } from '../../src/data/repositories/catalogueRepository.js';
import { SettingsRecords } from '../../src/data/repositories/settingsRecords.js';
import { loadDemo } from '../../src/demo/loadDemo.js';
import { demoProgramme } from '../../src/demo/programme.js';
import { searchTerms } from '../../src/domain/programme/search.js';
import { TEST_NOW } from '../support/app.js';
import { createTestDatabase, eachDatabase, type TestDatabase } from '../support/databases.js';

/** Every filter set, so every optional part of the search's SQL is sent. */
const EVERY_FILTER: SessionSearch = {
  terms: searchTerms(['co-production', 'safeguarding']),
  from: TEST_NOW,
  to: '2027-01-01T00:00:00.000Z',
  topic: 'trauma',
  audience: 'social-workers',
  level: 'foundation',
  format: 'in_person',
  venue: 'a-venue',
  withPlacesOnly: true,
  limit: 10,
  offset: 0,
};

/**
 * How to call each of the catalogue repository's methods. A method added
 * there fails this test until it is called here, so its tables are checked.
 */
const CALLS: Record<string, (repository: CatalogueRepository, ids: Ids) => Promise<unknown>> = {
  searchSessions: async (r) => {
    await r.searchSessions(
      { terms: [], from: TEST_NOW, withPlacesOnly: false, limit: 10, offset: 0 },
      TEST_NOW,
    );
    await r.searchSessions(EVERY_FILTER, TEST_NOW);
  },
  upcomingStarts: (r) => r.upcomingStarts(TEST_NOW),
  listTopics: (r) => r.listTopics(),
  listAudiences: (r) => r.listAudiences(),
  listVenues: (r) => r.listVenues(),
  findSession: (r, ids) => r.findSession(ids.session, TEST_NOW),
  sessionParts: (r, ids) => r.sessionParts(ids.session),
  sessionTrainers: (r, ids) => r.sessionTrainers(ids.session),
  findCourseBySlug: (r) => r.findCourseBySlug('a-course'),
  findCourseById: (r, ids) => r.findCourseById(ids.course),
  courseDetails: (r, ids) => r.courseDetails(ids.course),
  upcomingSessionsOf: async (r, ids) => {
    await r.upcomingSessionsOf({ courseId: ids.course }, TEST_NOW);
    await r.upcomingSessionsOf({ venueId: ids.venue }, TEST_NOW);
    await r.upcomingSessionsOf({ trainerId: ids.trainer }, TEST_NOW);
  },
  pastSessionsOfCourse: async (r, ids) => {
    await r.pastSessionsOfCourse(ids.course, TEST_NOW, { limit: 10, offset: 0 });
    await r.pastSessionsOfCourse(ids.course, TEST_NOW, {
      since: '2025-01-12T09:00:00.000Z',
      limit: 10,
      offset: 0,
    });
  },
  countPastSessionsOfCourse: (r, ids) => r.countPastSessionsOfCourse(ids.course, TEST_NOW),
  findVenueBySlug: (r) => r.findVenueBySlug('a-venue'),
  findVenueById: (r, ids) => r.findVenueById(ids.venue),
  venuesWithUpcoming: (r) => r.venuesWithUpcoming(TEST_NOW),
  trainersWithUpcoming: (r) => r.trainersWithUpcoming(TEST_NOW),
  findTrainerBySlug: (r) => r.findTrainerBySlug('a-trainer'),
  sitemap: (r) => r.sitemap(TEST_NOW),
};

/** Private pieces the methods above build their queries from; they send nothing themselves. */
const HELPERS = ['listingBase', 'rankedPage', 'pastOfCourse'];

interface Ids {
  session: number;
  course: number;
  venue: number;
  trainer: number;
}

function methodsOf(repository: object): string[] {
  return Object.getOwnPropertyNames(Object.getPrototypeOf(repository)).filter(
    (name) => name !== 'constructor' && typeof (repository as Record<string, unknown>)[name] === 'function',
  );
}

/** The tables in `tables` that the SQL names, as whole identifiers. */
function tablesNamed(statements: string[], tables: string[]): string[] {
  return tables.filter((table) => statements.some((text) => new RegExp(`\\b${table}\\b`).test(text))).sort();
}

eachDatabase('Tables shown on public pages', (dialect: DialectName) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    await loadDemo(database.db, demoProgramme, new Date(TEST_NOW));
  });

  afterAll(async () => {
    await database.drop();
  });

  async function realTables(): Promise<string[]> {
    const { rows } =
      dialect === 'sqlite'
        ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
            database.db,
          )
        : await sql<{ name: string }>`
            select table_name as name from information_schema.tables where table_schema = current_schema()
          `.execute(database.db);
    return rows
      .map((row) => row.name)
      .filter((name) => !name.startsWith('kysely_') && !name.startsWith('sqlite_'));
  }

  it('watches every table the public pages read', async () => {
    const statements: string[] = [];
    const executor = database.db.getExecutor();
    const recordSql: KyselyPlugin = {
      transformQuery: (args) => {
        statements.push(executor.compileQuery(args.node, args.queryId).sql);
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const recorded = database.db.withPlugin(recordSql);
    const catalogue = new CatalogueRepository(recorded, database.dialect);

    const pick = (table: 'sessions' | 'courses' | 'venues' | 'trainers') =>
      database.db.selectFrom(table).select('id').orderBy('id').executeTakeFirstOrThrow();
    const ids: Ids = {
      session: (await pick('sessions')).id,
      course: (await pick('courses')).id,
      venue: (await pick('venues')).id,
      trainer: (await pick('trainers')).id,
    };

    expect(methodsOf(catalogue).sort()).toEqual([...Object.keys(CALLS), ...HELPERS].sort());
    for (const call of Object.values(CALLS)) await call(catalogue, ids);
    // Every page shows the hub's name and branding.
    await new SettingsRecords(recorded).all();

    const tables = await realTables();
    const read = tablesNamed(statements, tables);
    // The collection sees into joins and subqueries (places left are counted from bookings).
    expect(read).toEqual(expect.arrayContaining(['bookings', 'session_parts', 'topics', 'settings']));
    expect(
      read.filter(
        (table) => !PUBLIC_PAGE_TABLES.includes(table) && !KEPT_FROM_PUBLIC_PAGE_TABLES.includes(table),
      ),
    ).toEqual([]);
    // Every watched table exists: a name mistyped here would watch nothing.
    expect(PUBLIC_PAGE_TABLES.filter((table) => !tables.includes(table))).toEqual([]);
  });

  it('leaves the tables kept from watched ones to their triggers', () => {
    const repositories = join(import.meta.dirname, '../../src/data/repositories');
    // Area folders (bookings/, …) included: a write there counts the same.
    const files = readdirSync(repositories, { recursive: true, encoding: 'utf8' }).filter((file) =>
      file.endsWith('.ts'),
    );
    const writes = files.flatMap((file) => {
      const text = readFileSync(join(repositories, file), 'utf8');
      return KEPT_FROM_PUBLIC_PAGE_TABLES.filter((table) =>
        new RegExp(
          `(insertInto|updateTable|deleteFrom)\\(\\s*'${table}'|(insert into|update|delete from)\\s+${table}\\b`,
          'i',
        ).test(text),
      ).map((table) => `${file} writes ${table}`);
    });
    expect(writes).toEqual([]);
  });

  it('has the trigger on every table it watches', async () => {
    const { rows } =
      dialect === 'sqlite'
        ? await sql<{ name: string }>`select name from sqlite_master where type = 'trigger'`.execute(
            database.db,
          )
        : await sql<{ name: string }>`
            select tgname as name from pg_trigger where not tgisinternal
          `.execute(database.db);
    const triggers = new Set(rows.map((row) => row.name));
    const expected = PUBLIC_PAGE_TABLES.flatMap((table) =>
      dialect === 'sqlite'
        ? ['insert', 'update', 'delete'].map((event) => `${table}_${event}_bumps_public_pages`)
        : [`${table}_bumps_public_pages`],
    );
    expect(expected.filter((name) => !triggers.has(name))).toEqual([]);
  });
});
