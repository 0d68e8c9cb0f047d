/**
 * Trellis's configuration, read once from the environment and validated.
 * A value that is wrong stops start-up with a message that names it, rather
 * than failing later in the middle of a request.
 */
import { z } from 'zod';

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
    /** Load the demo programme into a new database. Operators turn it off with DEMO_CONTENT=false. */
    DEMO_CONTENT: booleanFromEnv.default(true),
    /** The address people reach Trellis at; used in the sitemap, calendar files and structured data. */
    PUBLIC_URL: z
      .url({ protocol: /^https?$/ })
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
    /** Re-read page templates on every request (set by `npm run dev`). */
    RELOAD_TEMPLATES: booleanFromEnv.default(false),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.PUBLIC_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUBLIC_URL'],
        message: 'is required in production (for example https://training.example.org.uk)',
      });
    }
  });

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  databaseUrl: string;
  demoContent: boolean;
  publicUrl: string;
  logLevel: string;
  reloadTemplates: boolean;
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
    demoContent: value.DEMO_CONTENT,
    publicUrl: value.PUBLIC_URL ?? `http://${displayHost(value.HOST)}:${value.PORT}`,
    logLevel: value.LOG_LEVEL,
    reloadTemplates: value.RELOAD_TEMPLATES,
  };
}

function displayHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? 'localhost' : host;
}
