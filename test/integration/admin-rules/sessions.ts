/** The session list, scheduling, changing and cancelling sessions. */
import type { AdminRules } from './types.js';

export const sessionRules: AdminRules = {};
