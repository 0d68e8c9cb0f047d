/** The session list, scheduling, changing and cancelling sessions. */
import { EVERYONE, RUNNERS, type AdminRules } from './types.js';

export const sessionRules: AdminRules = {
  // Trainers see their own sessions only (the list is filtered; others' sessions are not found).
  'GET /admin/sessions': EVERYONE,
  'GET /admin/sessions/:sessionId': EVERYONE,
  'GET /admin/sessions/new': RUNNERS,
  'POST /admin/sessions/new': RUNNERS,
  'GET /admin/sessions/:sessionId/edit': RUNNERS,
  'POST /admin/sessions/:sessionId/edit': RUNNERS,
  'GET /admin/sessions/:sessionId/cancel': RUNNERS,
  'POST /admin/sessions/:sessionId/cancel': RUNNERS,
};
