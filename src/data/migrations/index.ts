/**
 * Migrations, in order. Listed here rather than discovered on disk so the
 * compiled build and the test run see exactly the same set.
 */
import { Migrator, type Kysely, type MigrationProvider, type MigrationResultSet } from 'kysely';

import type { DialectName } from '../db.js';
import type { DialectMigration } from './dialectMigration.js';
import { catalogue } from './001-catalogue.js';
import { publicPagesVersion } from './002-public-pages-version.js';
import { accountsBookingEmail } from './003-accounts-booking-email.js';
import { tokenAddress } from './004-token-address.js';
import { staff } from './005-staff.js';
import { backOffice } from './006-back-office.js';
import { backOfficeListIndexes } from './007-back-office-list-indexes.js';
import { pendingEmail } from './008-pending-email.js';
import { sessionSearch } from './010-session-search.js';
import { jobRuns } from './011-job-runs.js';
import { signInSessions } from './012-sign-in-sessions.js';
import { certificates } from './013-certificates.js';
import { feedback } from './014-feedback.js';
import { privateLinksFollowUp } from './015-private-links-follow-up.js';
import { quotePublications } from './016-quote-publications.js';
import { chargesInvoices } from './017-charges-invoices.js';
import { chargeReasonLinks } from './018-charge-reason-links.js';
import { bookingOrganisation } from './019-booking-organisation.js';
import { invoiceIssuer } from './020-invoice-issuer.js';
import { personalDataLifecycle } from './021-personal-data-lifecycle.js';
import { settingsVersion } from './022-settings-version.js';

const migrations: Record<string, DialectMigration> = {
  '001-catalogue': catalogue,
  '002-public-pages-version': publicPagesVersion,
  '003-accounts-booking-email': accountsBookingEmail,
  '004-token-address': tokenAddress,
  '005-staff': staff,
  '006-back-office': backOffice,
  '007-back-office-list-indexes': backOfficeListIndexes,
  '008-pending-email': pendingEmail,
  '010-session-search': sessionSearch,
  '011-job-runs': jobRuns,
  '012-sign-in-sessions': signInSessions,
  '013-certificates': certificates,
  '014-feedback': feedback,
  '015-private-links-follow-up': privateLinksFollowUp,
  '016-quote-publications': quotePublications,
  '017-charges-invoices': chargesInvoices,
  '018-charge-reason-links': chargeReasonLinks,
  '019-booking-organisation': bookingOrganisation,
  '020-invoice-issuer': invoiceIssuer,
  '021-personal-data-lifecycle': personalDataLifecycle,
  '022-settings-version': settingsVersion,
};

/** Every migration this Trellis knows, in order: a backup holding any other came from a newer Trellis. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(migrations);

export interface MigrationResult {
  applied: string[];
}

// Kysely<any> because a migration describes the schema at its own point in
// history, not the current DB interface.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function migrator(db: Kysely<any>, dialect: DialectName): Migrator {
  const provider: MigrationProvider = {
    getMigrations: async () =>
      Object.fromEntries(Object.entries(migrations).map(([name, make]) => [name, make(dialect)])),
  };
  return new Migrator({ db, provider });
}

function applied({ error, results }: MigrationResultSet): MigrationResult {
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return {
    applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateToLatest(db: Kysely<any>, dialect: DialectName): Promise<MigrationResult> {
  return applied(await migrator(db, dialect).migrateToLatest());
}

/** Up or down to the named migration: for tests of a migration against the rows before it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateTo(db: Kysely<any>, dialect: DialectName, name: string): Promise<MigrationResult> {
  return applied(await migrator(db, dialect).migrateTo(name));
}
