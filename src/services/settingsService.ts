/**
 * The hub's settings, read on every page (each shows the hub's name) and
 * changed rarely. They are kept in memory until the public pages version
 * says something changed, which covers changes made by other processes too.
 */
import type { ChangeCounterRecords } from '../data/repositories/changeCounterRecords.js';
import type { SettingsRecords } from '../data/repositories/settingsRecords.js';
import { DEFAULT_HUB_SETTINGS, hubSettingsSchema, type HubSettings } from '../domain/hub/hub.js';
import { DEFAULT_POLICY, policySchema, type Policy } from '../domain/hub/policy.js';
import {
  chargesSettingsSchema,
  DEFAULT_CHARGES_SETTINGS,
  type ChargesSettings,
} from '../domain/charges/chargesSettings.js';
import { DEFAULT_RETENTION, retentionSchema, type RetentionSettings } from '../domain/hub/retention.js';
import type { Clock } from './clock.js';

const HUB_KEY = 'hub';
const POLICY_KEY = 'policy';
const CHARGES_KEY = 'charges';
const RETENTION_KEY = 'retention';

export class SettingsService {
  private cached:
    | {
        hub: HubSettings;
        policy: Policy;
        charges: ChargesSettings;
        retention: RetentionSettings;
        version: number;
      }
    | undefined;

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

  /** The hub's charging rules and billing details (domain/charges/chargesSettings.ts). */
  async charges(): Promise<ChargesSettings> {
    return (await this.current()).charges;
  }

  /** How long each kind of personal data is kept (domain/hub/retention.ts). */
  async retention(): Promise<RetentionSettings> {
    return (await this.current()).retention;
  }

  /**
   * All the hub's settings at once, as they are now (one check that they
   * have not changed, not one per part).
   */
  async current() {
    const version = await this.counters.settingsVersion();
    if (this.cached?.version === version) return this.cached;
    const stored = await this.settings.all();
    // A stored value that no longer validates (say, after an upgrade) falls
    // back to the defaults rather than breaking every page.
    const hub = hubSettingsSchema.safeParse({ ...DEFAULT_HUB_SETTINGS, ...asObject(stored[HUB_KEY]) });
    const policy = policySchema.safeParse(asObject(stored[POLICY_KEY]));
    const charges = chargesSettingsSchema.safeParse(asObject(stored[CHARGES_KEY]));
    const retention = retentionSchema.safeParse(asObject(stored[RETENTION_KEY]));
    this.cached = {
      hub: hub.success ? hub.data : DEFAULT_HUB_SETTINGS,
      policy: policy.success ? policy.data : DEFAULT_POLICY,
      charges: charges.success ? charges.data : DEFAULT_CHARGES_SETTINGS,
      retention: retention.success ? retention.data : DEFAULT_RETENTION,
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

  /** Replaces the charging rules and billing details, audited as a settings change. */
  async saveCharges(charges: ChargesSettings, audit: { staffId: number; changed: string[] }): Promise<void> {
    await this.settings.putAudited(
      { [CHARGES_KEY]: chargesSettingsSchema.parse(charges) },
      audit,
      this.clock.now().toISOString(),
    );
  }

  async updateCharges(changes: Partial<ChargesSettings>): Promise<ChargesSettings> {
    const next = chargesSettingsSchema.parse({ ...(await this.charges()), ...changes });
    await this.settings.put(CHARGES_KEY, next, this.clock.now().toISOString());
    return next;
  }

  /** Replaces the retention schedule, audited as a settings change. */
  async saveRetention(
    retention: RetentionSettings,
    audit: { staffId: number; changed: string[] },
  ): Promise<void> {
    await this.settings.putAudited(
      { [RETENTION_KEY]: retentionSchema.parse(retention) },
      audit,
      this.clock.now().toISOString(),
    );
  }

  async updateRetention(changes: Partial<RetentionSettings>): Promise<RetentionSettings> {
    const next = retentionSchema.parse({ ...(await this.retention()), ...changes });
    await this.settings.put(RETENTION_KEY, next, this.clock.now().toISOString());
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
