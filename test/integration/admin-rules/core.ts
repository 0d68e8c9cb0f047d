/** Sign-in, the dashboard, the audit log and settings. */
import { ADMINS, EVERYONE, RUNNERS, type AdminRules } from './types.js';

export const coreRules: AdminRules = {
  'GET /admin': EVERYONE,
  'GET /admin/emails': RUNNERS,
  'GET /admin/audit': ADMINS,
  'GET /admin/settings': ADMINS,
  'POST /admin/settings': ADMINS,
  'GET /admin/sign-in': 'sign-in step',
  'POST /admin/sign-in': 'sign-in step',
  'GET /admin/sign-in/code': 'sign-in step',
  'POST /admin/sign-in/code': 'sign-in step',
  'GET /admin/enrol': 'sign-in step',
  'POST /admin/enrol': 'sign-in step',
  'POST /admin/sign-out': 'sign-in step',
};
