/** The real Trellis app with a staff service at hand, for back-office tests. */
import type { DialectName } from '../../src/data/db.js';
import type { Clock } from '../../src/services/clock.js';
import type { StaffService } from '../../src/services/accounts/staffService.js';
import { createTestApp, type TestApp } from './app.js';

export interface StaffTestApp extends TestApp {
  staff: StaffService;
}

/** A back-office page only administrators and coordinators may open. */
export const COORDINATORS_ONLY = '/admin/emails';

export async function createStaffTestApp(
  dialect: DialectName,
  options: { clock?: Clock } = {},
): Promise<StaffTestApp> {
  const t = await createTestApp(dialect, { demo: false, ...options });
  return { ...t, staff: t.services.staff };
}
