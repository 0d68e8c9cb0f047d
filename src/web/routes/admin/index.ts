/**
 * The back office, one plugin per area. Registered inside the personal
 * scope (cookies, CSRF, rate limits) after staff sign-in, so every route can
 * use `requireStaff`. Each route names the capability it needs
 * (domain/accounts/permissions.ts); the table in
 * test/integration/admin-authorisation.test.ts checks every one.
 */
import type { FastifyInstance } from 'fastify';

import type { Services } from '../../../services/index.js';
import audit from './hub/audit.js';
import bookings from './bookings/bookings.js';
import charges from './charges/charges.js';
import courses from './programme/courses.js';
import dashboard from './dashboard.js';
import delegates from './bookings/delegates.js';
import exports from './afterCourse/exports.js';
import feedback from './afterCourse/feedback.js';
import invoices from './charges/invoices.js';
import finance from './charges/finance.js';
import organisations from './bookings/organisations.js';
import register from './afterCourse/register.js';
import reports from './afterCourse/reports.js';
import retention from './hub/retention.js';
import sessions from './programme/sessions.js';
import settings from './hub/settings.js';
import staff from './hub/staff.js';
import trainers from './programme/trainers.js';
import venues from './programme/venues.js';

export default async function adminRoutes(app: FastifyInstance, options: { services: Services }) {
  for (const area of [
    dashboard,
    courses,
    venues,
    trainers,
    sessions,
    bookings,
    register,
    exports,
    reports,
    feedback,
    charges,
    finance,
    delegates,
    organisations,
    invoices,
    staff,
    audit,
    settings,
    retention,
  ]) {
    await app.register(area, options);
  }
}
