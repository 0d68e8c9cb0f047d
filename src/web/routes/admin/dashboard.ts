/**
 * The back office's first page: what needs attention at a glance. The next
 * sessions with how full they are and their waiting lists, and emails that
 * could not be sent. Trainers see only their own sessions.
 */
import type { FastifyInstance } from 'fastify';

import type { Services } from '../../../services/index.js';
import { holds, seesOnlyOwnSessions, sessionsTaughtBy } from '../../../domain/accounts/permissions.js';
import { STAFF_ROLE_NAMES } from '../../../domain/accounts/staff.js';
import { requireStaff } from './auth.js';
import { EMAILS_PER_RECIPIENT_PER_HOUR } from '../../../domain/hub/outbox.js';

export default async function adminDashboardRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  app.get('/admin', { preHandler: requireStaff('useBackOffice') }, async (request, reply) => {
    const staff = request.staffSession!.staff;
    const now = services.clock.now();
    const sessions = await services.catalogue.nextSessions(sessionsTaughtBy(staff), 20);
    const runsProgramme = holds(staff.role, 'runProgramme');
    const stuck = runsProgramme ? await services.outbox.stuck(now) : [];
    return reply.page('pages/admin/dashboard.njk', {
      pageTitle: 'Back office',
      staff: { ...staff, roleLabel: STAFF_ROLE_NAMES[staff.role] },
      ownSessionsOnly: seesOnlyOwnSessions(staff.role),
      sessions: sessions.map((session) => ({
        ...session,
        fillPercent: Math.round(((session.capacity - session.placesLeft) / session.capacity) * 100),
      })),
      stuckCount: stuck.length,
      showStuck: runsProgramme,
      csrfToken: reply.generateCsrf(),
    });
  });

  // Emails the outbox could not send: for the people who can act on them.
  app.get('/admin/emails', { preHandler: requireStaff('runProgramme') }, async (_request, reply) =>
    reply.page('pages/admin/emails.njk', {
      pageTitle: 'Emails that could not be sent',
      stuck: await services.outbox.stuck(services.clock.now()),
      perRecipientHour: EMAILS_PER_RECIPIENT_PER_HOUR,
    }),
  );
}
