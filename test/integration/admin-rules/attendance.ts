/** Registers, attendance and exports. */
import { EVERYONE, READERS, type AdminRules } from './types.js';

export const attendanceRules: AdminRules = {
  // Trainers: their own sessions only (the table checks 404 for others').
  'GET /admin/sessions/:sessionId/register': EVERYONE,
  'GET /admin/sessions/:sessionId/register.csv': EVERYONE,
  'GET /admin/sessions/:sessionId/attendance': EVERYONE,
  // A reporting viewer reads attendance but does not mark it.
  'POST /admin/sessions/:sessionId/attendance': ['admin', 'coordinator', 'trainer'],
  'GET /admin/sessions/:sessionId/attendance/mark-everyone': ['admin', 'coordinator', 'trainer'],
  'POST /admin/sessions/:sessionId/attendance/mark-everyone': ['admin', 'coordinator', 'trainer'],
  // Those who mark attendance print the certificates it earns.
  'GET /admin/sessions/:sessionId/certificates.pdf': ['admin', 'coordinator', 'trainer'],
  'GET /admin/exports': READERS,
  'GET /admin/exports/bookings.csv': READERS,
};
