/** A session's bookings and what staff do with them. */
import { EVERYONE, RUNNERS, type AdminRules } from './types.js';

export const bookingRules: AdminRules = {
  // Everyone reads (a trainer only their own sessions; a viewer without needs).
  'GET /admin/sessions/:sessionId/bookings': EVERYONE,
  'GET /admin/bookings/:reference': EVERYONE,
  // Only the people who run the programme change bookings.
  'GET /admin/sessions/:sessionId/bookings/new': RUNNERS,
  'POST /admin/sessions/:sessionId/bookings/new': RUNNERS,
  'GET /admin/bookings/:reference/move': RUNNERS,
  'POST /admin/bookings/:reference/move': RUNNERS,
  'GET /admin/bookings/:reference/substitute': RUNNERS,
  'POST /admin/bookings/:reference/substitute': RUNNERS,
  'GET /admin/bookings/:reference/cancel': RUNNERS,
  'POST /admin/bookings/:reference/cancel': RUNNERS,
  'POST /admin/bookings/:reference/promote': RUNNERS,
};
