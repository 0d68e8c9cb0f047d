/**
 * `trellis create-admin`: the first administrator. The password is random,
 * printed once and stored only as an argon2id hash; at first sign-in the
 * administrator enrols an authenticator app and is given recovery codes.
 */
import type { Database } from '../data/db.js';
import type { Clock } from '../services/clock.js';
import { StaffService, newOneTimePassword } from '../services/staffService.js';

export interface CreatedAdmin {
  id: number;
  email: string;
  /** Shown once: it is not stored anywhere readable. */
  password: string;
}

export async function createAdmin(
  { name, email }: { name: string; email: string },
  services: { database: Database; clock: Clock },
): Promise<CreatedAdmin> {
  const trimmedName = name.replace(/\s+/g, ' ').trim();
  const address = email.trim().toLowerCase();
  if (!trimmedName) throw new Error('Give the administrator’s name');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) throw new Error('Give the administrator’s email address');
  const staff = new StaffService(services.database.db, services.clock);
  if (await staff.findByEmail(address)) throw new Error(`There is already a staff account for ${address}`);
  const password = newOneTimePassword();
  const id = await staff.create({ name: trimmedName, email: address, role: 'admin' }, password);
  return { id, email: address, password };
}
