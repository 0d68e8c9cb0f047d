/**
 * Builds every service from the data layer. The server and the tests both
 * start here, so a test exercises the same wiring as production.
 */
import { CatalogueRepository } from '../data/repositories/catalogueRepository.js';
import { ChangeCounterRepository } from '../data/repositories/changeCounterRepository.js';
import { SettingsRepository } from '../data/repositories/settingsRepository.js';
import type { Database } from '../data/db.js';
import { CatalogueService } from './catalogueService.js';
import { systemClock, type Clock } from './clock.js';
import { SettingsService } from './settingsService.js';

export interface Services {
  database: Database;
  clock: Clock;
  catalogue: CatalogueService;
  settings: SettingsService;
  /** What public pages are cached against: it changes whenever their content could. */
  publicPagesVersion(): Promise<number>;
}

export function buildServices(database: Database, clock: Clock = systemClock): Services {
  const counters = new ChangeCounterRepository(database.db);
  return {
    database,
    clock,
    catalogue: new CatalogueService(new CatalogueRepository(database.db), clock),
    settings: new SettingsService(new SettingsRepository(database.db), counters, clock),
    publicPagesVersion: () => counters.publicPagesVersion(),
  };
}
