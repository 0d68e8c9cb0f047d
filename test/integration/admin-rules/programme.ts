/**
 * Courses, venues and trainers. Everyone who reads the programme sees the
 * lists and each course; only those who run it get the forms and may send them.
 */
import { READERS, RUNNERS, type AdminRules } from './types.js';

export const programmeRules: AdminRules = {
  'GET /admin/courses': READERS,
  'GET /admin/courses/new': RUNNERS,
  'POST /admin/courses/new': RUNNERS,
  'GET /admin/courses/:courseId': READERS,
  'GET /admin/courses/:courseId/edit': RUNNERS,
  'POST /admin/courses/:courseId/edit': RUNNERS,
  'POST /admin/courses/:courseId/duplicate': RUNNERS,
  'POST /admin/courses/:courseId/archive': RUNNERS,
  'POST /admin/courses/:courseId/restore': RUNNERS,
  'GET /admin/venues': READERS,
  'GET /admin/venues/new': RUNNERS,
  'POST /admin/venues/new': RUNNERS,
  'GET /admin/venues/:venueId/edit': RUNNERS,
  'POST /admin/venues/:venueId/edit': RUNNERS,
  'GET /admin/trainers': READERS,
  'GET /admin/trainers/new': RUNNERS,
  'POST /admin/trainers/new': RUNNERS,
  'GET /admin/trainers/:trainerId/edit': RUNNERS,
  'POST /admin/trainers/:trainerId/edit': RUNNERS,
};
