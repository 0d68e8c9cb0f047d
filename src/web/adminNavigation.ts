/**
 * The back office's menu, by role: each person sees only the areas they may
 * open (the routes' `requireStaff` decides; this only avoids dead links).
 */
import type { StaffRole } from '../domain/staff.js';

interface Area {
  href: string;
  text: string;
  roles: readonly StaffRole[];
}

const EVERYONE: readonly StaffRole[] = ['admin', 'coordinator', 'trainer', 'viewer'];
const PROGRAMME: readonly StaffRole[] = ['admin', 'coordinator', 'viewer'];

const AREAS: readonly Area[] = [
  { href: '/admin', text: 'Dashboard', roles: EVERYONE },
  { href: '/admin/sessions', text: 'Sessions', roles: EVERYONE },
  { href: '/admin/courses', text: 'Courses', roles: PROGRAMME },
  { href: '/admin/venues', text: 'Venues', roles: PROGRAMME },
  { href: '/admin/trainers', text: 'Trainers', roles: PROGRAMME },
  { href: '/admin/delegates', text: 'Delegates', roles: PROGRAMME },
  { href: '/admin/organisations', text: 'Organisations', roles: PROGRAMME },
  { href: '/admin/exports', text: 'Exports', roles: PROGRAMME },
  { href: '/admin/staff', text: 'Staff', roles: ['admin'] },
  { href: '/admin/audit', text: 'Audit log', roles: ['admin'] },
  { href: '/admin/settings', text: 'Settings', roles: ['admin'] },
];

export function adminNavigation(role: StaffRole, currentPath: string) {
  return AREAS.filter((area) => area.roles.includes(role)).map((area) => ({
    href: area.href,
    text: area.text,
    active: area.href === '/admin' ? currentPath === '/admin' : currentPath.startsWith(area.href),
  }));
}
