/** The charges and billing settings (prices themselves are on the course and session forms). */
import { ADMINS, type AdminRules } from './types.js';

export const priceRules: AdminRules = {
  'GET /admin/settings/charges': ADMINS,
  'POST /admin/settings/charges': ADMINS,
};
