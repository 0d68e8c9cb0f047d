/** Staff accounts (administrators), and each staff member's own password. */
import { ADMINS, EVERYONE, type AdminRules } from './types.js';

export const staffRules: AdminRules = {
  'GET /admin/staff': ADMINS,
  'GET /admin/staff/new': ADMINS,
  'POST /admin/staff/new': ADMINS,
  'GET /admin/staff/:staffId': ADMINS,
  'POST /admin/staff/:staffId': ADMINS,
  'POST /admin/staff/:staffId/disable': ADMINS,
  'POST /admin/staff/:staffId/enable': ADMINS,
  'GET /admin/staff/:staffId/reset-second-factor': ADMINS,
  'POST /admin/staff/:staffId/reset-second-factor': ADMINS,
  'GET /admin/staff/:staffId/reset-password': ADMINS,
  'POST /admin/staff/:staffId/reset-password': ADMINS,
  'GET /admin/password': EVERYONE,
  'POST /admin/password': EVERYONE,
};
