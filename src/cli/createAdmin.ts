/**
 * `trellis create-admin`: the first administrator. The password is random,
 * printed once and stored only as an argon2id hash; at first sign-in the
 * administrator enrols an authenticator app, is given recovery codes, and
 * chooses their own password.
 */
import { newOneTimePassword, type StaffService } from '../services/accounts/staffService.js';

export interface CreatedAdmin {
  id: number;
  email: string;
  /** Shown once: it is not stored anywhere readable. */
  password: string;
}

export async function createAdmin(
  { name, email }: { name: string; email: string },
  services: { staff: StaffService },
): Promise<CreatedAdmin> {
  const trimmedName = name.replace(/\s+/g, ' ').trim();
  const address = email.trim().toLowerCase();
  if (!trimmedName) throw new Error('Give the administrator’s name');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) throw new Error('Give the administrator’s email address');
  const { staff } = services;
  const existing = await staff.findByEmail(address);
  // Someone whose one-time password expired unused is given a new one.
  if (
    existing?.password_change_required_at &&
    !existing.disabled_at &&
    staff.oneTimePasswordHasExpired(existing.password_change_required_at)
  ) {
    const { password } = await staff.resetPassword(null, existing.id);
    return { id: existing.id, email: address, password };
  }
  if (existing) throw new Error(`There is already a staff account for ${address}`);
  const password = newOneTimePassword();
  // One-time: whoever reads it from the terminal is asked for their own at first sign-in.
  const id = await staff.create({ name: trimmedName, email: address, role: 'admin' }, password, {
    oneTime: true,
  });
  return { id, email: address, password };
}
