/**
 * Full-text search of the catalogue: one document per session, holding its
 * course's title, topics and audiences, summary, description and who it is
 * for, its trainers' names and its venue's name and town. SQLite keeps it in
 * an FTS5 table (porter stemming), PostgreSQL in a tsvector column with the
 * English configuration, so "safeguard" finds "safeguarding" on both.
 *
 * Triggers rebuild a session's document whenever anything in it changes, in
 * the same transaction as the change, so no write (the back office, the demo
 * loader, the large-hub generator, a hand-written fix) can leave the index
 * behind. A hyphenated word is indexed as written and joined up
 * ("co-production coproduction"), so either spelling finds it.
 *
 * Existing sessions are indexed when the migration runs.
 */
import { sql, type Kysely } from 'kysely';

import type { DialectName } from '../db.js';
import type { DialectMigration } from './dialectMigration.js';

/** The document's parts, most telling first; each is searched and weighted on its own. */
const COLUMNS = ['title', 'tags', 'summary', 'people', 'place', 'body'] as const;
type Column = (typeof COLUMNS)[number];

/** Text with its hyphenated words also written joined up, for the index. */
function withJoinedWords(dialect: DialectName, text: string): string {
  const find = dialect === 'sqlite' ? 'instr' : 'strpos';
  return `(case when ${find}(${text}, '-') > 0 then ${text} || ' ' || replace(${text}, '-', '') else ${text} end)`;
}

/** Each part's text for session `s` (with course `c` and venue `v`). */
function documentTexts(dialect: DialectName): Record<Column, string> {
  const joinNames = (expression: string) =>
    dialect === 'sqlite' ? `group_concat(${expression}, ' ')` : `string_agg(${expression}, ' ')`;
  const names = (from: string) => `coalesce((select ${joinNames('x.name')} from ${from}), '')`;
  return {
    title: 'c.title',
    tags:
      `${names('course_topics ct join topics x on x.id = ct.topic_id where ct.course_id = s.course_id')} || ' ' || ` +
      names('course_audiences ca join audiences x on x.id = ca.audience_id where ca.course_id = s.course_id'),
    summary: 'c.summary',
    people: names('session_trainers st join trainers x on x.id = st.trainer_id where st.session_id = s.id'),
    place: `coalesce(v.name || ' ' || v.town, '')`,
    body: `c.description || ' ' || c.audience`,
  };
}

const SOURCE = 'from sessions s join courses c on c.id = s.course_id left join venues v on v.id = s.venue_id';

/** PostgreSQL's weights (A highest) for each part, as ts_rank reads them. */
const WEIGHTS: Record<Column, 'A' | 'B' | 'C' | 'D'> = {
  title: 'A',
  tags: 'B',
  summary: 'B',
  people: 'C',
  place: 'C',
  body: 'D',
};

/**
 * What each change means for the index: which sessions to rebuild. SQLite
 * triggers run once a row (`old`, `new`); PostgreSQL's once a statement, over
 * the rows it changed (`old_rows`, `new_rows`), so a list of topics or a
 * batch of sessions written in one statement rebuilds each session once.
 */
interface Rebuild {
  table: string;
  event: 'insert' | 'update' | 'delete';
  /** SQLite: the columns whose update matters, and when it does. */
  columns?: string[];
  /** SQLite: a condition on `s` (sessions) choosing the sessions to rebuild. */
  sqlite: string;
  /** PostgreSQL: a query giving the ids of the sessions to rebuild. */
  postgres: string;
}

function changed(columns: string[], dialect: DialectName, n = 'new', o = 'old'): string {
  const differs = dialect === 'sqlite' ? 'is not' : 'is distinct from';
  return columns.map((column) => `${o}.${column} ${differs} ${n}.${column}`).join(' or ');
}

function rebuilds(): Rebuild[] {
  const list = (table: string, key: 'course_id' | 'session_id'): Rebuild[] => {
    const own = key === 'course_id' ? 's.course_id' : 's.id';
    const ids = (rows: string) =>
      key === 'course_id' ? `select id from sessions where course_id in (${rows})` : rows;
    return [
      { table, event: 'insert', sqlite: `${own} = new.${key}`, postgres: ids(`select ${key} from new_rows`) },
      { table, event: 'delete', sqlite: `${own} = old.${key}`, postgres: ids(`select ${key} from old_rows`) },
      {
        table,
        event: 'update',
        sqlite: `${own} in (old.${key}, new.${key})`,
        postgres: ids(`select ${key} from old_rows union select ${key} from new_rows`),
      },
    ];
  };
  const named = (table: string, columns: string[], sqlite: string, postgres: string): Rebuild => ({
    table,
    event: 'update',
    columns,
    sqlite,
    postgres: `${postgres} join old_rows o on o.id = n.id where ${changed(columns, 'postgres', 'n', 'o')}`,
  });
  return [
    { table: 'sessions', event: 'insert', sqlite: 's.id = new.id', postgres: 'select id from new_rows' },
    named(
      'sessions',
      ['course_id', 'venue_id'],
      's.id = new.id',
      'select n.id from new_rows n',
    ),
    named(
      'courses',
      ['title', 'summary', 'description', 'audience'],
      's.course_id = new.id',
      'select s.id from sessions s join new_rows n on n.id = s.course_id',
    ),
    named(
      'topics',
      ['name'],
      's.course_id in (select course_id from course_topics where topic_id = new.id)',
      'select s.id from sessions s join course_topics ct on ct.course_id = s.course_id join new_rows n on n.id = ct.topic_id',
    ),
    named(
      'audiences',
      ['name'],
      's.course_id in (select course_id from course_audiences where audience_id = new.id)',
      'select s.id from sessions s join course_audiences ca on ca.course_id = s.course_id join new_rows n on n.id = ca.audience_id',
    ),
    named(
      'venues',
      ['name', 'town'],
      's.venue_id = new.id',
      'select s.id from sessions s join new_rows n on n.id = s.venue_id',
    ),
    named(
      'trainers',
      ['name'],
      's.id in (select session_id from session_trainers where trainer_id = new.id)',
      'select st.session_id from session_trainers st join new_rows n on n.id = st.trainer_id',
    ),
    ...list('course_topics', 'course_id'),
    ...list('course_audiences', 'course_id'),
    ...list('session_trainers', 'session_id'),
  ];
}

const triggerName = (rebuild: Rebuild) => `session_search_${rebuild.table}_${rebuild.event}`;

async function upSqlite(db: Kysely<unknown>) {
  await sql
    .raw(
      `create virtual table session_search using fts5(${COLUMNS.join(', ')}, ` +
        `content='', contentless_delete=1, tokenize='porter unicode61 remove_diacritics 2')`,
    )
    .execute(db);
  const texts = documentTexts('sqlite');
  const fill = (where: string) =>
    `insert into session_search (rowid, ${COLUMNS.join(', ')}) ` +
    `select s.id, ${COLUMNS.map((column) => withJoinedWords('sqlite', texts[column])).join(', ')} ${SOURCE} where ${where};`;
  for (const rebuild of rebuilds()) {
    const when = rebuild.columns ? ` of ${rebuild.columns.join(', ')}` : '';
    const only = rebuild.columns ? ` when ${changed(rebuild.columns, 'sqlite')}` : '';
    await sql
      .raw(
        `create trigger ${triggerName(rebuild)} after ${rebuild.event}${when} on ${rebuild.table}${only} begin ` +
          `delete from session_search where rowid in (select s.id from sessions s where ${rebuild.sqlite}); ` +
          `${fill(rebuild.sqlite)} end`,
      )
      .execute(db);
  }
  await sql
    .raw(
      'create trigger session_search_sessions_gone after delete on sessions begin ' +
        'delete from session_search where rowid = old.id; end',
    )
    .execute(db);
  await sql.raw(fill('true')).execute(db);
}

async function upPostgres(db: Kysely<unknown>) {
  await sql
    .raw(
      'create table session_search (session_id integer primary key references sessions (id) on delete cascade, ' +
        'document tsvector not null)',
    )
    .execute(db);
  await sql.raw('create index session_search_document on session_search using gin (document)').execute(db);
  const texts = documentTexts('postgres');
  const document = COLUMNS.map(
    (column) => `setweight(to_tsvector('english', ${withJoinedWords('postgres', texts[column])}), '${WEIGHTS[column]}')`,
  ).join(' || ');
  await sql
    .raw(
      `create function session_search_rebuild(ids integer[]) returns void language sql as $$ ` +
        `insert into session_search (session_id, document) select s.id, ${document} ${SOURCE} ` +
        `where s.id = any(ids) on conflict (session_id) do update set document = excluded.document $$`,
    )
    .execute(db);
  for (const rebuild of rebuilds()) {
    const name = triggerName(rebuild);
    await sql
      .raw(
        `create function ${name}() returns trigger language plpgsql as $$ begin ` +
          `perform session_search_rebuild(array(${rebuild.postgres})); return null; end $$`,
      )
      .execute(db);
    const transition = {
      insert: 'new table as new_rows',
      delete: 'old table as old_rows',
      update: 'old table as old_rows new table as new_rows',
    }[rebuild.event];
    await sql
      .raw(
        `create trigger ${name} after ${rebuild.event} on ${rebuild.table} referencing ${transition} ` +
          `for each statement execute function ${name}()`,
      )
      .execute(db);
  }
  await sql.raw('select session_search_rebuild(array(select id from sessions))').execute(db);
}

export const sessionSearch: DialectMigration = (dialect) => ({
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    if (dialect === 'sqlite') await upSqlite(db);
    else await upPostgres(db);
  },

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    for (const rebuild of rebuilds()) {
      const name = triggerName(rebuild);
      if (dialect === 'sqlite') {
        await sql.raw(`drop trigger if exists ${name}`).execute(db);
      } else {
        await sql.raw(`drop trigger if exists ${name} on ${rebuild.table}`).execute(db);
        await sql.raw(`drop function if exists ${name}()`).execute(db);
      }
    }
    if (dialect === 'sqlite') {
      await sql.raw('drop trigger if exists session_search_sessions_gone').execute(db);
    } else {
      await sql.raw('drop function if exists session_search_rebuild(integer[])').execute(db);
    }
    await sql.raw('drop table if exists session_search').execute(db);
  },
});
