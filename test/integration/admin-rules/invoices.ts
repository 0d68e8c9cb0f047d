/** Invoices, credit notes and billing details: only those who handle money (admins and coordinators). */
import type { StaffRole } from '../../../src/domain/accounts/staff.js';
import type { AdminRules } from './types.js';

/** Those who handle money; written out, so a change to `handleMoney` shows here as a failing rule. */
const MONEY: readonly StaffRole[] = ['admin', 'coordinator'];

export const invoiceRules: AdminRules = {
  'GET /admin/invoices': MONEY,
  'POST /admin/invoices/run': MONEY,
  'POST /admin/invoices/issue-all': MONEY,
  'GET /admin/invoices/:invoiceId': MONEY,
  'POST /admin/invoices/:invoiceId/issue': MONEY,
  'POST /admin/invoices/:invoiceId/void': MONEY,
  'POST /admin/invoices/:invoiceId/lines/:lineId/remove': MONEY,
  'GET /admin/invoices/:invoiceId/paid': MONEY,
  'POST /admin/invoices/:invoiceId/paid': MONEY,
  'GET /admin/invoices/:invoiceId/credit': MONEY,
  'POST /admin/invoices/:invoiceId/credit': MONEY,
  'GET /admin/invoices/:invoiceId/document.pdf': MONEY,
  // Viewers read the organisation's page without its billing details.
  'POST /admin/organisations/:organisationId/billing': MONEY,
};
