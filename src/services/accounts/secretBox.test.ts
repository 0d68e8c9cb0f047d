import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { parseSecretsKey, resolveSecretsKey, SecretBox } from './secretBox.js';

const key = Buffer.alloc(32, 7);

describe('SecretBox', () => {
  it('seals so the stored text does not contain the secret, and opens it again', () => {
    const box = new SecretBox(key);
    const sealed = box.seal('JBSWY3DPEHPK3PXP');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed)).toBe('JBSWY3DPEHPK3PXP');
    // A fresh nonce each time: the same secret never seals the same way twice.
    expect(box.seal('JBSWY3DPEHPK3PXP')).not.toBe(sealed);
  });

  it('refuses a sealed value that was changed, or opened with another key', () => {
    const sealed = new SecretBox(key).seal('JBSWY3DPEHPK3PXP');
    const [prefix, iv, tag, body] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() =>
      new SecretBox(key).open([prefix, iv, tag, flipped.toString('base64url')].join('.')),
    ).toThrow();
    expect(() => new SecretBox(Buffer.alloc(32, 8)).open(sealed)).toThrow();
  });

  it('reads a value stored before encryption as it is', () => {
    expect(new SecretBox(key).open('JBSWY3DPEHPK3PXP')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('takes a key as 64 hex digits or base64, and nothing shorter', () => {
    expect(parseSecretsKey('07'.repeat(32))).toEqual(key);
    expect(parseSecretsKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretsKey('too short')).toBeNull();
  });

  it('in development, makes a key file readable only by its owner and reads the same key next time', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'trellis-key-')), 'data', 'secrets.key');
    const first = resolveSecretsKey({ env: 'development', secretsKey: null, secretsKeyFile: file });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('hex'));
    expect(resolveSecretsKey({ env: 'development', secretsKey: null, secretsKeyFile: file })).toEqual(first);
  });

  it('in production, needs SECRETS_KEY', () => {
    expect(() =>
      resolveSecretsKey({ env: 'production', secretsKey: null, secretsKeyFile: '/nowhere' }),
    ).toThrow(/SECRETS_KEY/);
  });
});
