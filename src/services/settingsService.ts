/**
 * The hub's settings, read on every page (each shows the hub's name) and
 * changed rarely. They are kept in memory until the public pages version
 * says something changed, which covers changes made by other processes too.
 */
import type { ChangeCounterRepository } from '../data/repositories/changeCounterRepository.js';
import type { SettingsRepository } from '../data/repositories/settingsRepository.js';
import { DEFAULT_HUB_SETTINGS, hubSettingsSchema, type HubSettings } from '../domain/hub.js';
import type { Clock } from './clock.js';

const HUB_KEY = 'hub';

export class SettingsService {
  private cached: { value: HubSettings; version: number } | undefined;

  constructor(
    private readonly settings: SettingsRepository,
    private readonly counters: ChangeCounterRepository,
    private readonly clock: Clock,
  ) {}

  async hub(): Promise<HubSettings> {
    const version = await this.counters.publicPagesVersion();
    if (this.cached?.version === version) return this.cached.value;
    const stored = (await this.settings.all())[HUB_KEY];
    // A stored value that no longer validates (say, after an upgrade) falls
    // back to the defaults rather than breaking every page.
    const merged = { ...DEFAULT_HUB_SETTINGS, ...(isObject(stored) ? stored : {}) };
    const parsed = hubSettingsSchema.safeParse(merged);
    const value = parsed.success ? parsed.data : DEFAULT_HUB_SETTINGS;
    this.cached = { value, version };
    return value;
  }

  async updateHub(changes: Partial<HubSettings>): Promise<HubSettings> {
    const next = hubSettingsSchema.parse({ ...(await this.hub()), ...changes });
    await this.settings.put(HUB_KEY, next, this.clock.now().toISOString());
    return next;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
