/**
 * The hub's settings, read often (every page shows the hub's name) and
 * changed rarely. They are cached briefly so a page costs no settings query,
 * and a change made in another process still shows within a few seconds.
 */
import type { SettingsRepository } from '../data/repositories/settingsRepository.js';
import { DEFAULT_HUB_SETTINGS, hubSettingsSchema, type HubSettings } from '../domain/hub.js';
import type { Clock } from './clock.js';

const HUB_KEY = 'hub';
const CACHE_MILLISECONDS = 5_000;

export class SettingsService {
  private cached: { value: HubSettings; readAt: number } | undefined;

  constructor(
    private readonly settings: SettingsRepository,
    private readonly clock: Clock,
  ) {}

  async hub(): Promise<HubSettings> {
    const now = this.clock.now().getTime();
    if (this.cached && now - this.cached.readAt < CACHE_MILLISECONDS) return this.cached.value;
    const stored = (await this.settings.all())[HUB_KEY];
    // A stored value that no longer validates (say, after an upgrade) falls
    // back field by field to the defaults rather than breaking every page.
    const merged = { ...DEFAULT_HUB_SETTINGS, ...(isObject(stored) ? stored : {}) };
    const parsed = hubSettingsSchema.safeParse(merged);
    const value = parsed.success ? parsed.data : DEFAULT_HUB_SETTINGS;
    this.cached = { value, readAt: now };
    return value;
  }

  async updateHub(changes: Partial<HubSettings>): Promise<HubSettings> {
    const next = hubSettingsSchema.parse({ ...(await this.hub()), ...changes });
    await this.settings.put(HUB_KEY, next, this.clock.now().toISOString());
    this.cached = undefined;
    return next;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
