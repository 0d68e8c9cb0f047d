/**
 * Trellis's configuration, read once from the environment and validated.
 * A value that is wrong stops start-up with a message that names it, rather
 * than failing later in the middle of a request.
 */
import { randomBytes } from 'node:crypto';

import { z } from 'zod';

import { parseSecretsKey } from './services/accounts/secretBox.js';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** `sqlite:<path>` (the embedded default) or `postgres://…`. */
    DATABASE_URL: z
      .string()
      .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'must start with sqlite: or postgres://')
      .default('sqlite:data/trellis.sqlite'),
    /**
     * Load the demo programme (and a demo administrator) into a new database. On by default outside
     * production; refused in production, where made-up courses would be served to the public.
     */
    DEMO_CONTENT: booleanFromEnv.optional(),
    /**
     * The development mailbox (/dev/mailbox, every email to anyone who asks): only with DEV_MAILBOX=true,
     * no SMTP_URL, listening on this machine only (HOST a loopback address), and never in production.
     */
    DEV_MAILBOX: booleanFromEnv.default(false),
    /** How long a one-time staff password (from create-admin or an administrator) can be used. */
    ONE_TIME_PASSWORD_HOURS: z.coerce.number().int().min(1).max(168).default(24),
    /** The address people reach Trellis at; used in the sitemap, calendar files and structured data. */
    PUBLIC_URL: z
      .url({ protocol: /^https?$/ })
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
    /** Signs cookies (the CSRF secret). At least 32 characters; required in production. */
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /**
     * Encrypts secrets Trellis must read back (staff authenticator secrets): 64 hex digits or base64
     * of 32 random bytes. Required in production; in development a key file beside the data is used.
     */
    SECRETS_KEY: z
      .string()
      .refine((value) => parseSecretsKey(value) !== null, 'must be 64 hex digits or base64 of 32 bytes')
      .optional(),
    /** smtp://user:password@host:587 or smtps://…; without it, mail goes to the development mailbox. */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
      .optional(),
    /** The From address of every email. */
    MAIL_FROM: z.email().default('training@example.org.uk'),
    /** How many reverse proxies (load balancer, ingress) stand in front of Trellis; 0 for none. */
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(5).default(0),
    /**
     * redis://host:6379 (or rediss://): where several Trellis processes keep their rate limits and
     * sign-in throttle, so they count across all of them. Without it each process counts on its own.
     */
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
    /**
     * Put before every key Trellis writes in Redis, so several hubs can share one Redis (each its own
     * prefix) and tests can use one of their own. Every process of one hub must have the same.
     */
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_:.-]{1,64}$/, 'must be 1 to 64 letters, digits, or _ : . -')
      .default('trellis:'),
    /** Opens /metrics to requests bearing `Authorization: Bearer <token>`. At least 32 characters. */
    METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Serves /metrics on this port of the loopback address instead (no token needed there). */
    METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    /** PostgreSQL connections each process may hold at once. */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    /** SMTP connections each process keeps open and reuses for sending. */
    SMTP_POOL_SIZE: z.coerce.number().int().min(1).max(50).default(5),
    /**
     * How long a message claimed by a sender is kept from other senders while no heartbeat renews it:
     * after a process dies, its claimed mail is sent by another this long afterwards.
     */
    OUTBOX_LEASE_SECONDS: z.coerce.number().int().min(15).max(3600).default(60),
    /** Re-read page templates on every request (set by `npm run dev`). */
    RELOAD_TEMPLATES: booleanFromEnv.default(false),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && env.DEMO_CONTENT === true) {
      ctx.addIssue({
        code: 'custom',
        path: ['DEMO_CONTENT'],
        message:
          'must not be true in production: the demo programme and its administrator would be open to the public',
      });
    }
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['SESSION_SECRET'],
        message: 'is required in production (a random value of at least 32 characters)',
      });
    }
    if (env.NODE_ENV === 'production' && !env.SECRETS_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['SECRETS_KEY'],
        message: 'is required in production (64 hex digits: openssl rand -hex 32)',
      });
    }
    if (env.NODE_ENV === 'production' && !env.SMTP_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['SMTP_URL'],
        message: 'is required in production, or no email is sent',
      });
    }
    if (env.NODE_ENV === 'production' && env.PUBLIC_URL && !isSecureOrLoopback(env.PUBLIC_URL)) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUBLIC_URL'],
        message: 'must start with https:// in production, so sign-in cookies are only sent securely',
      });
    }
    if (env.NODE_ENV === 'production' && !env.PUBLIC_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUBLIC_URL'],
        message: 'is required in production (for example https://training.example.org.uk)',
      });
    }
  });

/** Whether listening here is reachable only from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** HTTPS, or this machine (a benchmark or a smoke test of the production build). */
function isSecureOrLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return (
    protocol === 'https:' || hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]'
  );
}

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  databaseUrl: string;
  demoContent: boolean;
  publicUrl: string;
  logLevel: string;
  reloadTemplates: boolean;
  sessionSecret: string;
  /** From SECRETS_KEY; null outside production when not set (see services/accounts/secretBox.ts). */
  secretsKey: Buffer | null;
  /** Where development keeps its key when SECRETS_KEY is not set. */
  secretsKeyFile: string;
  smtpUrl: string | null;
  mailFrom: string;
  /** The development mailbox page: only when switched on, without SMTP, on a loopback address, never in production. */
  devMailbox: boolean;
  /** How long a one-time staff password can be used. */
  oneTimePasswordHours: number;
  trustProxyHops: number;
  /** Shared store for rate limits and the sign-in throttle; null keeps them in this process. */
  redisUrl: string | null;
  /** Before every key in Redis (REDIS_KEY_PREFIX, default `trellis:`). */
  redisKeyPrefix: string;
  /** Bearer token that opens /metrics; null keeps it closed on the main port. */
  metricsToken: string | null;
  /** A loopback-only port serving /metrics without a token; null for none. */
  metricsPort: number | null;
  databasePoolSize: number;
  smtpPoolSize: number;
  outboxLeaseMs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `  ${issue.path.join('.')} ${issue.message}`)
      .join('\n');
    throw new ConfigError(`Trellis cannot start: the configuration is not valid.\n${problems}`);
  }
  const value = parsed.data;
  return {
    env: value.NODE_ENV,
    host: value.HOST,
    port: value.PORT,
    databaseUrl: value.DATABASE_URL,
    demoContent: value.DEMO_CONTENT ?? value.NODE_ENV !== 'production',
    publicUrl: value.PUBLIC_URL ?? `http://${displayHost(value.HOST)}:${value.PORT}`,
    logLevel: value.LOG_LEVEL,
    reloadTemplates: value.RELOAD_TEMPLATES,
    // Outside production a per-start secret is fine: only CSRF cookies depend on it.
    sessionSecret: value.SESSION_SECRET ?? randomBytes(32).toString('hex'),
    secretsKey: value.SECRETS_KEY ? parseSecretsKey(value.SECRETS_KEY) : null,
    secretsKeyFile: 'data/secrets.key',
    smtpUrl: value.SMTP_URL ?? null,
    mailFrom: value.MAIL_FROM,
    devMailbox:
      value.DEV_MAILBOX && !value.SMTP_URL && value.NODE_ENV !== 'production' && isLoopbackHost(value.HOST),
    oneTimePasswordHours: value.ONE_TIME_PASSWORD_HOURS,
    trustProxyHops: value.TRUST_PROXY_HOPS,
    redisUrl: value.REDIS_URL ?? null,
    redisKeyPrefix: value.REDIS_KEY_PREFIX,
    metricsToken: value.METRICS_TOKEN ?? null,
    metricsPort: value.METRICS_PORT ?? null,
    databasePoolSize: value.DATABASE_POOL_SIZE,
    smtpPoolSize: value.SMTP_POOL_SIZE,
    outboxLeaseMs: value.OUTBOX_LEASE_SECONDS * 1_000,
  };
}

function displayHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? 'localhost' : host;
}
