/**
 * Builds every service from the data layer. The server and the tests both
 * start here, so a test exercises the same wiring as production.
 */
import { CatalogueRepository } from '../data/repositories/catalogueRepository.js';
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
}

export function buildServices(database: Database, clock: Clock = systemClock): Services {
  return {
    database,
    clock,
    catalogue: new CatalogueService(new CatalogueRepository(database.db), clock),
    settings: new SettingsService(new SettingsRepository(database.db), clock),
  };
}
