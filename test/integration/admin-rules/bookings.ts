/** A session's bookings and what staff do with them. */
import type { AdminRules } from './types.js';

export const bookingRules: AdminRules = {};
