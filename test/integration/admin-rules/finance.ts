/** Finance: totals for everyone who reads them; an organisation's figures only for those who handle money. */
import { READERS, RUNNERS, type AdminRules } from './types.js';

export const financeRules: AdminRules = {
  'GET /admin/finance': READERS,
  'GET /admin/finance/balances': RUNNERS,
  'GET /admin/finance/export.csv': RUNNERS,
};
