/** Charges: reviewed (confirmed, reduced, waived) only by those who handle money. */
import { RUNNERS, type AdminRules } from './types.js';

export const chargeRules: AdminRules = {
  'GET /admin/charges': RUNNERS,
  'POST /admin/charges/decide': RUNNERS,
  'POST /admin/charges/bulk': RUNNERS,
};
