/** Courses, venues and trainers. */
import type { AdminRules } from './types.js';

export const programmeRules: AdminRules = {};
