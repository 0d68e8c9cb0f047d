/** Registers, attendance and exports. */
import type { AdminRules } from './types.js';

export const attendanceRules: AdminRules = {};
