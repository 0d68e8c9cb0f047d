/** Delegates and organisations. */
import type { AdminRules } from './types.js';

export const peopleRules: AdminRules = {};
