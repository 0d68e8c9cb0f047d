/**
 * The hub's settings, read on every page (each shows the hub's name) and
 * changed rarely. They are kept in memory until the public pages version
 * says something changed, which covers changes made by other processes too.
 */
import type { ChangeCounterRecords } from '../data/repositories/changeCounterRecords.js';
import type { SettingsRecords } from '../data/repositories/settingsRecords.js';
import { DEFAULT_HUB_SETTINGS, hubSettingsSchema, type HubSettings } from '../domain/hub.js';
import { DEFAULT_POLICY, policySchema, type Policy } from '../domain/policy.js';
import type { Clock } from './clock.js';

const HUB_KEY = 'hub';
const POLICY_KEY = 'policy';

export class SettingsService {
  private cached: { hub: HubSettings; policy: Policy; version: number } | undefined;

  constructor(
    private readonly settings: SettingsRecords,
    private readonly counters: ChangeCounterRecords,
    private readonly clock: Clock,
  ) {}

  async hub(): Promise<HubSettings> {
    return (await this.current()).hub;
  }

  /** The hub's rules: cancellation cut-off, offer expiry, reminders, retention. */
  async policy(): Promise<Policy> {
    return (await this.current()).policy;
  }

  private async current() {
    const version = await this.counters.publicPagesVersion();
    if (this.cached?.version === version) return this.cached;
    const stored = await this.settings.all();
    // A stored value that no longer validates (say, after an upgrade) falls
    // back to the defaults rather than breaking every page.
    const hub = hubSettingsSchema.safeParse({ ...DEFAULT_HUB_SETTINGS, ...asObject(stored[HUB_KEY]) });
    const policy = policySchema.safeParse(asObject(stored[POLICY_KEY]));
    this.cached = {
      hub: hub.success ? hub.data : DEFAULT_HUB_SETTINGS,
      policy: policy.success ? policy.data : DEFAULT_POLICY,
      version,
    };
    return this.cached;
  }

  /** Saves the hub's settings and policy as an administrator changed them, audited. */
  async save(hub: HubSettings, policy: Policy, audit: { staffId: number; changed: string[] }): Promise<void> {
    await this.settings.putAudited(
      { [HUB_KEY]: hubSettingsSchema.parse(hub), [POLICY_KEY]: policySchema.parse(policy) },
      audit,
      this.clock.now().toISOString(),
    );
  }

  async updatePolicy(changes: Partial<Policy>): Promise<Policy> {
    const next = policySchema.parse({ ...(await this.policy()), ...changes });
    await this.settings.put(POLICY_KEY, next, this.clock.now().toISOString());
    return next;
  }

  async updateHub(changes: Partial<HubSettings>): Promise<HubSettings> {
    const next = hubSettingsSchema.parse({ ...(await this.hub()), ...changes });
    await this.settings.put(HUB_KEY, next, this.clock.now().toISOString());
    return next;
  }
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
