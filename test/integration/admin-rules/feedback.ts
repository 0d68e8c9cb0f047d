/**
 * Feedback: quotes are chosen by those who run the programme; answers are
 * read by those who read reports, and a session's also by its trainers.
 */
import { EVERYONE, READERS, RUNNERS, type AdminRules } from './types.js';

export const feedbackRules: AdminRules = {
  'GET /admin/courses/:courseId/quotes': RUNNERS,
  'POST /admin/courses/:courseId/quotes': RUNNERS,
  'GET /admin/courses/:courseId/feedback': READERS,
  // Trainers: their own sessions only (the table checks 404 for others').
  'GET /admin/sessions/:sessionId/feedback': EVERYONE,
};
