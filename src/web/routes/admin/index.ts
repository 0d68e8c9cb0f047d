/**
 * The back office, one plugin per area. Registered inside the personal
 * scope (cookies, CSRF, rate limits) after staff sign-in, so every route can
 * use `requireStaff`. Each route names the capability it needs
 * (domain/accounts/permissions.ts); the table in
 * test/integration/admin-authorisation.test.ts checks every one.
 */
import type { FastifyInstance } from 'fastify';

import type { Services } from '../../../services/index.js';
import audit from './audit.js';
import bookings from './bookings.js';
import charges from './charges.js';
import courses from './courses.js';
import dashboard from './dashboard.js';
import delegates from './delegates.js';
import exports from './exports.js';
import feedback from './feedback.js';
import invoices from './invoices.js';
import finance from './finance.js';
import organisations from './organisations.js';
import register from './register.js';
import reports from './reports.js';
import retention from './retention.js';
import sessions from './sessions.js';
import settings from './settings.js';
import staff from './staff.js';
import trainers from './trainers.js';
import venues from './venues.js';

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
