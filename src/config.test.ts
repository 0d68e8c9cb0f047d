import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from './config.js';

const production = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://training.example.org.uk',
  SESSION_SECRET: 'x'.repeat(40),
  SECRETS_KEY: 'ab'.repeat(32),
  SMTP_URL: 'smtp://mail.example.org.uk:587',
};

describe('loadConfig', () => {
  it('starts on the embedded SQLite database with demo content by default', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      databaseUrl: 'sqlite:data/trellis.sqlite',
      demoContent: true,
      port: 3000,
      publicUrl: 'http://127.0.0.1:3000',
    });
  });

  it('lets the operator turn demo content off and choose PostgreSQL', () => {
    const config = loadConfig({ DEMO_CONTENT: 'false', DATABASE_URL: 'postgres://trellis@db/trellis' });
    expect(config.demoContent).toBe(false);
    expect(config.databaseUrl).toBe('postgres://trellis@db/trellis');
  });

  it('names every wrong value and refuses to start', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x', PORT: 'eighty', DEMO_CONTENT: 'maybe' })).toThrow(
      ConfigError,
    );
    try {
      loadConfig({ DATABASE_URL: 'mysql://x', PORT: 'eighty' });
    } catch (error) {
      expect((error as Error).message).toMatch(/DATABASE_URL must start with sqlite: or postgres:\/\//);
      expect((error as Error).message).toMatch(/PORT/);
    }
  });

  it('requires the public address, a session secret, a secrets key and SMTP in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PUBLIC_URL is required in production/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET is required in production/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SMTP_URL is required in production/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SECRETS_KEY is required in production/);
    expect(() => loadConfig({ SECRETS_KEY: 'short' })).toThrow(/SECRETS_KEY must be 64 hex digits/);
    const config = loadConfig({
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://training.example.org.uk/',
      SESSION_SECRET: 'x'.repeat(40),
      SECRETS_KEY: 'ab'.repeat(32),
      SMTP_URL: 'smtp://mail.example.org.uk:587',
    });
    expect(config.publicUrl).toBe('https://training.example.org.uk');
    expect(config.devMailbox).toBe(false);
    expect(config.secretsKey).toEqual(Buffer.from('ab'.repeat(32), 'hex'));
  });

  it('offers the development mailbox only when switched on, without SMTP, on a loopback address, outside production', () => {
    expect(loadConfig({}).devMailbox).toBe(false);
    expect(loadConfig({ DEV_MAILBOX: 'true' }).devMailbox).toBe(true);
    expect(loadConfig({ DEV_MAILBOX: 'true', HOST: 'localhost' }).devMailbox).toBe(true);
    expect(loadConfig({ DEV_MAILBOX: 'true', HOST: '::1' }).devMailbox).toBe(true);
    expect(loadConfig({ DEV_MAILBOX: 'true', SMTP_URL: 'smtp://localhost:2525' }).devMailbox).toBe(false);
    expect(loadConfig({ DEV_MAILBOX: 'true', HOST: '0.0.0.0' }).devMailbox).toBe(false);
    expect(loadConfig({ DEV_MAILBOX: 'true', HOST: '192.168.1.20' }).devMailbox).toBe(false);
    // Production, whatever else is set (SMTP is required there, so it is set here too).
    expect(loadConfig({ ...production, DEV_MAILBOX: 'true', HOST: '127.0.0.1' }).devMailbox).toBe(false);
  });

  it('refuses demo content in production, and has it only outside production by default', () => {
    expect(loadConfig(production).demoContent).toBe(false);
    expect(() => loadConfig({ ...production, DEMO_CONTENT: 'true' })).toThrow(
      /DEMO_CONTENT must not be true in production/,
    );
    expect(loadConfig({ ...production, DEMO_CONTENT: 'false' }).demoContent).toBe(false);
    expect(loadConfig({}).demoContent).toBe(true);
  });

  it('lets one-time staff passwords work for 24 hours unless told otherwise', () => {
    expect(loadConfig({}).oneTimePasswordHours).toBe(24);
    expect(loadConfig({ ONE_TIME_PASSWORD_HOURS: '4' }).oneTimePasswordHours).toBe(4);
    expect(() => loadConfig({ ONE_TIME_PASSWORD_HOURS: '0' })).toThrow(/ONE_TIME_PASSWORD_HOURS/);
  });

  it('has every variable it reads in the settings table of README.md', () => {
    const source = readFileSync(new URL('./config.ts', import.meta.url), 'utf8');
    const schema = source.slice(source.indexOf('const configSchema'), source.indexOf('.superRefine('));
    const read = [...schema.matchAll(/^ {4}([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1]);
    expect(read.length).toBeGreaterThan(10);
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Other commands'));
    const listed = new Set(
      table
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1])),
    );
    expect(read.filter((name) => !listed.has(name))).toEqual([]);
  });
});
