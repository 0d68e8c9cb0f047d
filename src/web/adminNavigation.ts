/**
 * The back office's menu: each person sees only the areas they may open.
 * Each area names the capability its page asks for (domain/accounts/permissions.ts),
 * so the menu and the routes cannot disagree about who may go there.
 */
import { holds, type Capability } from '../domain/accounts/permissions.js';
import type { StaffRole } from '../domain/accounts/staff.js';

export interface AdminArea {
  href: string;
  text: string;
  capability: Capability;
}

export const ADMIN_AREAS: readonly AdminArea[] = [
  { href: '/admin', text: 'Dashboard', capability: 'useBackOffice' },
  { href: '/admin/sessions', text: 'Sessions', capability: 'seeSessions' },
  { href: '/admin/courses', text: 'Courses', capability: 'readProgramme' },
  { href: '/admin/venues', text: 'Venues', capability: 'readProgramme' },
  { href: '/admin/trainers', text: 'Trainers', capability: 'readProgramme' },
  { href: '/admin/delegates', text: 'Delegates', capability: 'readProgramme' },
  { href: '/admin/organisations', text: 'Organisations', capability: 'readProgramme' },
  { href: '/admin/reports', text: 'Reports', capability: 'readReports' },
  { href: '/admin/exports', text: 'Exports', capability: 'readReports' },
  { href: '/admin/charges', text: 'Charges', capability: 'handleMoney' },
  { href: '/admin/invoices', text: 'Invoices', capability: 'handleMoney' },
  { href: '/admin/finance', text: 'Finance', capability: 'readFinanceTotals' },
  { href: '/admin/staff', text: 'Staff', capability: 'manageStaff' },
  { href: '/admin/audit', text: 'Audit log', capability: 'readAuditLog' },
  { href: '/admin/settings', text: 'Settings', capability: 'changeSettings' },
];

export function adminNavigation(role: StaffRole, currentPath: string) {
  return ADMIN_AREAS.filter((area) => holds(role, area.capability)).map((area) => ({
    href: area.href,
    text: area.text,
    active: area.href === '/admin' ? currentPath === '/admin' : currentPath.startsWith(area.href),
  }));
}
