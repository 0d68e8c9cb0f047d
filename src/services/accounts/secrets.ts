import { createHash, randomBytes } from 'node:crypto';

/** A random value for a cookie or an emailed link (256 bits, URL-safe). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored in place of a secret: its SHA-256, so a database leak gives no working links. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
