import { describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from './config.js';

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

  it('offers the development mailbox only without SMTP and outside production', () => {
    expect(loadConfig({}).devMailbox).toBe(true);
    expect(loadConfig({ SMTP_URL: 'smtp://localhost:2525' }).devMailbox).toBe(false);
  });
});
