/** The retention schedule and the dry run of its next run (administrators only). */
import { ADMINS, type AdminRules } from './types.js';

export const retentionRules: AdminRules = {
  'GET /admin/settings/retention': ADMINS,
  'POST /admin/settings/retention': ADMINS,
  'GET /admin/retention': ADMINS,
};
