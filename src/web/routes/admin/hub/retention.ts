/**
 * The retention schedule, for administrators: how long each kind of
 * personal data is kept (/admin/settings/retention, audited like every
 * settings change), and the dry run of what the next daily run of the
 * retention job will delete or anonymise (/admin/retention), from the same
 * queries the job runs.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';

import {
  period,
  readRetentionForm,
  RETENTION_FIELDS,
  retentionWords,
  type RetentionSettings,
} from '../../../../domain/hub/retention.js';
import { formatDate, formatShortDate } from '../../../../domain/time/time.js';
import { FormError } from '../../../../errors.js';
import type { Services } from '../../../../services/index.js';
import { formErrors, keepTyped } from '../../../forms.js';
import { requireStaff } from '../auth.js';

function formValues(settings: RetentionSettings): Record<string, string> {
  return Object.fromEntries(RETENTION_FIELDS.map((field) => [field.name, String(settings[field.name])]));
}

/** A delegate's name as the back office shows it: an anonymised row is never a blank. */
function shownName(name: string): string {
  return name.trim() ? name : 'Anonymised delegate';
}

export default async function adminRetentionRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  async function render(
    reply: FastifyReply,
    values: Record<string, string>,
    error?: FormError,
    saved = false,
  ) {
    return reply.page(
      'pages/admin/retention-settings.njk',
      {
        pageTitle: 'How long personal data is kept',
        values,
        fields: RETENTION_FIELDS.map((field) => ({
          ...field,
          range: `${field.min} to ${field.max} ${field.unit}s`,
        })),
        saved,
        errors: error
          ? formErrors(
              error.fields,
              RETENTION_FIELDS.map((f) => f.name),
            )
          : null,
        csrfToken: reply.generateCsrf(),
      },
      error ? 400 : 200,
    );
  }

  app.get(
    '/admin/settings/retention',
    { preHandler: requireStaff('changeSettings') },
    async (request, reply) =>
      render(
        reply,
        formValues(await services.settings.retention()),
        undefined,
        (request.query as Record<string, unknown>).saved === '1',
      ),
  );

  app.post(
    '/admin/settings/retention',
    { preHandler: [app.csrfProtection, requireStaff('changeSettings')] },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const reading = readRetentionForm(body);
      if (!reading.ok) return render(reply, keepTyped(body), new FormError(reading.errors));
      const current = await services.settings.retention();
      const changed = RETENTION_FIELDS.map((f) => f.name).filter(
        (name) => reading.settings[name] !== current[name],
      );
      if (changed.length) {
        await services.settings.saveRetention(reading.settings, {
          staffId: request.staffSession!.staff.id,
          changed,
        });
      }
      return reply.redirect('/admin/settings/retention?saved=1', 303);
    },
  );

  app.get('/admin/retention', { preHandler: requireStaff('changeSettings') }, async (_request, reply) => {
    const plan = await services.retention.plan();
    const words = retentionWords(plan.settings);
    const day = (iso: string) => formatShortDate(new Date(iso));
    return reply.page('pages/admin/retention-plan.njk', {
      pageTitle: 'What the next retention run will do',
      at: formatDate(plan.at),
      words,
      counts: plan.counts,
      inactive: period(plan.settings.inactiveAccountMonths, 'month'),
      accountsToWarn: plan.accountsToWarn.map((a) => ({
        name: shownName(a.name),
        lastActive: day(a.lastActiveAt),
      })),
      accountsToClose: plan.accountsToClose.map((a) => ({
        name: shownName(a.name),
        lastActive: day(a.lastActiveAt),
      })),
      bookings: plan.bookingsToAnonymise.map((b) => ({
        reference: b.reference,
        course: b.courseTitle,
        date: day(b.sessionStartsAt),
      })),
      emailWords: plan.emailWordsToClear.map((e) => ({ subject: e.subject, sent: day(e.sentAt) })),
      emailRecords: plan.emailRecordsToDelete.map((e) => ({ subject: e.subject, sent: day(e.sentAt) })),
      financial: plan.financialRecords.map((i) => ({
        number: i.number ?? 'Draft',
        year: i.financialYear === null ? '' : String(i.financialYear),
      })),
    });
  });
}
