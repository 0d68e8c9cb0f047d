/**
 * Builds every service from the data layer. The server and the tests both
 * start here, so a test exercises the same wiring as production.
 */
import type { Database } from '../data/db.js';
import { AuditRepository } from '../data/repositories/auditRepository.js';
import { CatalogueRepository } from '../data/repositories/catalogueRepository.js';
import { ChangeCounterRepository } from '../data/repositories/changeCounterRepository.js';
import { OutboxRepository } from '../data/repositories/outboxRepository.js';
import { SettingsRepository } from '../data/repositories/settingsRepository.js';
import { AccountService } from './accountService.js';
import { BookingService, type BookingServiceOptions } from './bookingService.js';
import { CatalogueService } from './catalogueService.js';
import { systemClock, type Clock } from './clock.js';
import { Notifications, type MailContext } from './notifications.js';
import { SettingsService } from './settingsService.js';
import { StaffService } from './staffService.js';

export interface Services {
  database: Database;
  clock: Clock;
  catalogue: CatalogueService;
  settings: SettingsService;
  accounts: AccountService;
  bookings: BookingService;
  outbox: OutboxRepository;
  staff: StaffService;
  /** The audit log, for reading (changes write their own entries). */
  audit: AuditRepository;
  /** What public pages are cached against: it changes whenever their content could. */
  publicPagesVersion(): Promise<number>;
}

export interface ServiceOptions {
  clock?: Clock;
  /** Where links in emails point. */
  publicUrl: string;
  booking?: BookingServiceOptions;
}

export function buildServices(database: Database, options: ServiceOptions): Services {
  const clock = options.clock ?? systemClock;
  const counters = new ChangeCounterRepository(database.db);
  const settings = new SettingsService(new SettingsRepository(database.db), counters, clock);
  const notifications = new Notifications(clock, options.publicUrl);
  const context = async (): Promise<MailContext> => ({
    hub: await settings.hub(),
    policy: await settings.policy(),
  });
  return {
    database,
    clock,
    catalogue: new CatalogueService(new CatalogueRepository(database.db), clock),
    settings,
    accounts: new AccountService(database.db, clock, notifications, context, options.publicUrl),
    bookings: new BookingService(
      database.db,
      database.dialect,
      clock,
      notifications,
      context,
      options.booking,
    ),
    outbox: new OutboxRepository(database.db),
    staff: new StaffService(database.db, clock),
    audit: new AuditRepository(database.db),
    publicPagesVersion: () => counters.publicPagesVersion(),
  };
}
