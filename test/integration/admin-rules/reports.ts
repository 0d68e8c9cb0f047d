/** Reports: the programme's for those who read reports, a session's also for its trainers. */
import { EVERYONE, READERS, type AdminRules } from './types.js';

export const reportRules: AdminRules = {
  'GET /admin/reports': READERS,
  'GET /admin/reports/year.csv': READERS,
  'GET /admin/reports/course': READERS,
  'GET /admin/reports/course.csv': READERS,
  // Trainers: their own sessions only (the table checks 404 for others').
  'GET /admin/reports/sessions/:sessionId': EVERYONE,
  'GET /admin/reports/sessions/:sessionId/report.csv': EVERYONE,
};
