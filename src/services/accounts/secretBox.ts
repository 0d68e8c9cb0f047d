/**
 * Secrets Trellis must read back (a staff member's authenticator secret),
 * encrypted at rest with AES-256-GCM, so a copy of the database alone does
 * not let anyone make sign-in codes. The key lives outside the database:
 * SECRETS_KEY in production; in development a key file beside the data
 * (made on first start, readable only by its owner); in tests a fresh key.
 *
 * Stored form: `v1.<iv>.<tag>.<ciphertext>`, each part base64url. A value
 * without the prefix is one stored before encryption, read as it is and
 * encrypted the next time it is written.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const PREFIX = 'v1';
const KEY_BYTES = 32;

export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`The secrets key must be ${KEY_BYTES} bytes`);
    this.key = key;
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [PREFIX, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  open(stored: string): string {
    if (!stored.startsWith(`${PREFIX}.`)) return stored;
    const [, iv, tag, ciphertext] = stored.split('.');
    if (!iv || !tag || ciphertext === undefined) throw new Error('A sealed secret is malformed');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }
}

/** SECRETS_KEY as given: 64 hex digits or base64 of 32 bytes. Null when it is neither. */
export function parseSecretsKey(value: string): Buffer | null {
  const trimmed = value.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const decoded = Buffer.from(trimmed, 'base64');
  return decoded.length === KEY_BYTES ? decoded : null;
}

/**
 * The key for this process: the configured one, or outside production a key
 * file (development: kept between starts so enrolled authenticators keep
 * working), or for tests a new random key.
 */
export function resolveSecretsKey(config: {
  env: string;
  secretsKey: Buffer | null;
  secretsKeyFile: string;
}): Buffer {
  if (config.secretsKey) return config.secretsKey;
  if (config.env === 'production') throw new Error('SECRETS_KEY is required in production');
  if (config.env === 'test') return randomBytes(KEY_BYTES);
  if (existsSync(config.secretsKeyFile)) {
    const key = parseSecretsKey(readFileSync(config.secretsKeyFile, 'utf8'));
    if (!key) throw new Error(`${config.secretsKeyFile} does not hold a 32-byte key`);
    return key;
  }
  const key = randomBytes(KEY_BYTES);
  mkdirSync(dirname(config.secretsKeyFile), { recursive: true });
  writeFileSync(config.secretsKeyFile, `${key.toString('hex')}\n`, { mode: 0o600 });
  chmodSync(config.secretsKeyFile, 0o600);
  return key;
}
