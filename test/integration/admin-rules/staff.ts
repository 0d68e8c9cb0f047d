/** Staff accounts and the staff member's own password. */
import type { AdminRules } from './types.js';

export const staffRules: AdminRules = {};
