import type { Migration } from 'kysely';

import type { DialectName } from '../db.js';

/** A migration, written once for both databases: it is told which one it runs on. */
export type DialectMigration = (dialect: DialectName) => Migration;
