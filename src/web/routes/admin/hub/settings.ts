/**
 * The hub's settings, for administrators: its name and branding, contact
 * details, terms and privacy text, and every policy value; and on a page of
 * their own (/admin/settings/charges), the charging rules and billing
 * details. A change takes effect on the next request (no restart) and is
 * written to the audit log.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';

import {
  CHARGES_FORM_FIELDS,
  chargesFormValues,
  readChargesForm,
} from '../../../../domain/charges/settingsForm.js';
import { FEE_BASES } from '../../../../domain/charges/chargesSettings.js';
import { ORGANISATION_TYPE_PLURALS } from '../../../../domain/charges/prices.js';
import { hubSettingsSchema, type HubSettings } from '../../../../domain/hub/hub.js';
import { ORGANISATION_TYPES } from '../../../../domain/programme/organisation.js';
import { policySchema, type Policy } from '../../../../domain/hub/policy.js';
import { FormError } from '../../../../errors.js';
import type { Services } from '../../../../services/index.js';
import { formErrors, keepTyped } from '../../../forms.js';
import { requireStaff } from '../auth.js';

const HUB_FIELDS = [
  'name',
  'strapline',
  'brandColour',
  'contactEmail',
  'contactPhone',
  'termsText',
  'privacyText',
] as const;
const POLICY_FIELDS = [
  'cancellationWorkingDays',
  'offerExpiryHours',
  'reminderDaysBefore',
  'accessNeedsRetentionDays',
  'refusedEmailPrefixes',
  'certificatesForPartAttendance',
  'feedbackBeforeCertificate',
  'reportingYearStartMonth',
  'followUpDays',
  'followUpLineManagers',
  'lineManagerToldOfBooking',
  'lineManagerToldOfCancellation',
  'lineManagerToldOfNonAttendance',
] as const;
/** Policy fields answered yes or no. */
const YES_NO_FIELDS = [
  'certificatesForPartAttendance',
  'feedbackBeforeCertificate',
  'followUpLineManagers',
  'lineManagerToldOfBooking',
  'lineManagerToldOfCancellation',
  'lineManagerToldOfNonAttendance',
] as const;
/** Policy fields typed as numbers; the others are a list and a yes or no. */
const NUMBER_FIELDS = POLICY_FIELDS.filter(
  (
    f,
  ): f is Exclude<(typeof POLICY_FIELDS)[number], 'refusedEmailPrefixes' | (typeof YES_NO_FIELDS)[number]> =>
    f !== 'refusedEmailPrefixes' && !(YES_NO_FIELDS as readonly string[]).includes(f),
);

function formValues(hub: HubSettings, policy: Policy): Record<string, string> {
  return {
    ...Object.fromEntries(HUB_FIELDS.map((field) => [field, String(hub[field] ?? '')])),
    ...Object.fromEntries(NUMBER_FIELDS.map((f) => [f, String(policy[f])])),
    refusedEmailPrefixes: policy.refusedEmailPrefixes.join('\n'),
    ...Object.fromEntries(YES_NO_FIELDS.map((f) => [f, policy[f] ? 'yes' : 'no'])),
  };
}

export default async function adminSettingsRoutes(
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
      'pages/admin/settings.njk',
      {
        pageTitle: 'Hub settings',
        values,
        saved,
        errors: error ? formErrors(error.fields, [...HUB_FIELDS, ...POLICY_FIELDS]) : null,
        csrfToken: reply.generateCsrf(),
      },
      error ? 400 : 200,
    );
  }

  app.get('/admin/settings', { preHandler: requireStaff('changeSettings') }, async (request, reply) => {
    const [hub, policy] = await Promise.all([services.settings.hub(), services.settings.policy()]);
    return render(
      reply,
      formValues(hub, policy),
      undefined,
      (request.query as Record<string, unknown>).saved === '1',
    );
  });

  app.post(
    '/admin/settings',
    { preHandler: [app.csrfProtection, requireStaff('changeSettings')] },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const text = (field: string) => (typeof body[field] === 'string' ? (body[field] as string) : '');
      const [currentHub, currentPolicy] = await Promise.all([
        services.settings.hub(),
        services.settings.policy(),
      ]);
      const hub = hubSettingsSchema.safeParse({
        ...currentHub,
        ...Object.fromEntries(HUB_FIELDS.map((field) => [field, text(field)])),
      });
      const policy = policySchema.safeParse({
        ...currentPolicy,
        ...Object.fromEntries(NUMBER_FIELDS.map((f) => [f, Number(text(f))])),
        ...Object.fromEntries(YES_NO_FIELDS.map((f) => [f, text(f) === 'yes'])),
        refusedEmailPrefixes: text('refusedEmailPrefixes')
          .split(/[\s,]+/)
          .filter(Boolean),
      });
      const fields: Record<string, string> = {};
      for (const result of [hub, policy]) {
        if (result.success) continue;
        for (const issue of result.error.issues) {
          const name = String(issue.path[0]);
          fields[name] ??= describeProblem(name, issue.message);
        }
      }
      if (!hub.success || !policy.success) return render(reply, keepTyped(body), new FormError(fields));

      const changed = [
        ...HUB_FIELDS.filter((f) => JSON.stringify(hub.data[f]) !== JSON.stringify(currentHub[f])),
        ...POLICY_FIELDS.filter((f) => JSON.stringify(policy.data[f]) !== JSON.stringify(currentPolicy[f])),
      ];
      if (changed.length) {
        await services.settings.save(hub.data, policy.data, {
          staffId: request.staffSession!.staff.id,
          changed,
        });
        // Certificates held for feedback are released (and emailed) once the hub stops holding them.
        if (currentPolicy.feedbackBeforeCertificate && !policy.data.feedbackBeforeCertificate) {
          await services.feedback.releaseCertificatesNoLongerWaiting();
        }
      }
      return reply.redirect('/admin/settings?saved=1', 303);
    },
  );

  // ----- charges and billing -----

  async function renderCharges(
    reply: FastifyReply,
    values: Record<string, string | string[]>,
    error?: FormError,
    saved = false,
  ) {
    const ticked = Array.isArray(values.chargedOrganisationTypes)
      ? values.chargedOrganisationTypes
      : typeof values.chargedOrganisationTypes === 'string'
        ? [values.chargedOrganisationTypes]
        : [];
    return reply.page(
      'pages/admin/charges-settings.njk',
      {
        pageTitle: 'Charges and billing',
        values,
        feeBases: FEE_BASES.map((value) => ({ value, checked: values.feeBasis === value })),
        organisationTypes: ORGANISATION_TYPES.map((type) => ({
          value: type,
          text:
            ORGANISATION_TYPE_PLURALS[type].charAt(0).toUpperCase() +
            ORGANISATION_TYPE_PLURALS[type].slice(1),
          checked: ticked.includes(type),
        })),
        saved,
        errors: error ? formErrors(error.fields, [...CHARGES_FORM_FIELDS]) : null,
        csrfToken: reply.generateCsrf(),
      },
      error ? 400 : 200,
    );
  }

  app.get('/admin/settings/charges', { preHandler: requireStaff('changeSettings') }, async (request, reply) =>
    renderCharges(
      reply,
      chargesFormValues(await services.settings.charges()),
      undefined,
      (request.query as Record<string, unknown>).saved === '1',
    ),
  );

  app.post(
    '/admin/settings/charges',
    { preHandler: [app.csrfProtection, requireStaff('changeSettings')] },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const reading = readChargesForm(body);
      if (!reading.ok) {
        const types = body.chargedOrganisationTypes;
        return renderCharges(
          reply,
          {
            ...keepTyped(body),
            chargedOrganisationTypes: Array.isArray(types)
              ? types.filter((t): t is string => typeof t === 'string')
              : typeof types === 'string'
                ? [types]
                : [],
          },
          new FormError(reading.errors),
        );
      }
      const current = await services.settings.charges();
      const next = reading.settings;
      const changed = (Object.keys(next) as (keyof typeof next)[]).filter(
        (field) => JSON.stringify(next[field]) !== JSON.stringify(current[field]),
      );
      if (changed.length) {
        await services.settings.saveCharges(next, { staffId: request.staffSession!.staff.id, changed });
      }
      return reply.redirect('/admin/settings/charges?saved=1', 303);
    },
  );
}

const LABELS: Record<string, string> = {
  name: 'The hub’s name',
  strapline: 'The strapline',
  brandColour: 'The brand colour',
  contactEmail: 'The contact email address',
  contactPhone: 'The contact telephone number',
  cancellationWorkingDays: 'The cancellation cut-off',
  offerExpiryHours: 'How long an offer is held',
  reminderDaysBefore: 'The reminder days',
  accessNeedsRetentionDays: 'How long needs are kept',
  reportingYearStartMonth: 'The month your reporting year starts',
  refusedEmailPrefixes: 'The refused addresses',
  certificatesForPartAttendance: 'Certificates for part attendance',
  feedbackBeforeCertificate: 'Feedback before the certificate',
  followUpDays: 'The days before the follow-up',
  followUpLineManagers: 'Asking line managers',
  lineManagerToldOfBooking: 'Telling line managers of a booking',
  lineManagerToldOfCancellation: 'Telling line managers of a cancellation',
  lineManagerToldOfNonAttendance: 'Telling line managers of a missed session',
};

/** Zod's words, made into a sentence that names the field. */
function describeProblem(field: string, message: string): string {
  const label = LABELS[field] ?? 'This answer';
  if (field === 'brandColour') return 'Enter the brand colour as # and six hex digits, like #1d4f4a';
  if (field === 'contactEmail')
    return 'Enter the contact email address in the correct format, like training@example.org.uk';
  if (/number|expected/i.test(message) || /too (small|big)|>=|<=/i.test(message)) {
    return `${label} must be a whole number in the range shown`;
  }
  return `${label}: ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
}
