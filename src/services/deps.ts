/**
 * What the back-office services are built from (services/index.ts builds
 * them). Kept apart from index.ts so a service can name its dependencies
 * without importing the file that builds it.
 */
import type { Kysely } from 'kysely';

import type { DialectName } from '../data/db.js';
import type { DB } from '../data/schema.js';
import type { SessionLock } from '../data/sessionLock.js';
import type { BookingService } from './bookings/bookingService.js';
import type { ChargeProposals } from './charges/chargeProposals.js';
import type { Clock } from './clock.js';
import type { MailContext, Notifications } from './email/notifications.js';

export interface ServiceDeps {
  db: Kysely<DB>;
  dialect: DialectName;
  clock: Clock;
  mail: Notifications;
  /** The hub's settings and policy, read before a transaction that sends email. */
  context: () => Promise<MailContext>;
  /** Every write that changes a session's places runs under it. */
  sessionLock: SessionLock;
  /** The booking rules staff changes share: waiting-list offers, positions, booking on behalf. */
  bookings: BookingService;
  /** Proposed charges, made inside the transaction of a late cancellation, a mark or a cancelled session. */
  chargeProposals: ChargeProposals;
  /** Where links in emails point. */
  publicUrl: string;
}
