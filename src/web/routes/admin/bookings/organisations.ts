/**
 * Organisations: confirming the ones delegates add, setting their type,
 * merging duplicates. Everyone who sees the programme may read them; only
 * those who run it may change them.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import type { OrganisationType } from '../../../../data/schema.js';
import { INVOICE_FREQUENCIES, INVOICE_FREQUENCY_NAMES } from '../../../../domain/charges/charges.js';
import { holds } from '../../../../domain/accounts/permissions.js';
import { formatDate } from '../../../../domain/time/time.js';
import { FormError } from '../../../../errors.js';
import type { Services } from '../../../../services/index.js';
import { ORGANISATION_TYPES, ORGANISATION_TYPE_NAMES } from '../../../../services/peopleService.js';
import { formErrors, keepTyped, parseForm } from '../../../forms.js';
import { idParam } from '../../public/params.js';
import { requireStaff } from '../auth.js';

const TYPE_CHOICE = 'Choose the type of organisation';

const organisationSchema = z.object({
  name: z
    .string({ error: 'Enter the organisation’s name' })
    .trim()
    .min(1, 'Enter the organisation’s name')
    .max(200, 'The name must be 200 characters or fewer'),
  type: z.enum(ORGANISATION_TYPES, { error: TYPE_CHOICE }),
  action: z.enum(['save', 'confirm']).catch('save'),
});

const mergeSchema = z.object({
  target: z
    .string({ error: 'Choose the organisation to merge this one into' })
    .min(1, 'Choose the organisation to merge this one into')
    .regex(/^[1-9]\d{0,9}$/, 'Choose an organisation from the list')
    .transform(Number)
    .refine((n) => n <= 2_147_483_647, 'Choose an organisation from the list'),
});

const BILLING_FIELDS = [
  'billingContact',
  'billingEmail',
  'billingAddress',
  'purchaseOrder',
  'invoiceFrequency',
];

const billingSchema = z.object({
  billingContact: z
    .string()
    .trim()
    .max(200, 'The billing contact must be 200 characters or fewer')
    .default(''),
  billingEmail: z
    .string()
    .trim()
    .max(254, 'The billing email address must be 254 characters or fewer')
    .refine(
      (value) => value === '' || z.email().safeParse(value).success,
      'Enter the billing email address in the right form, like accounts@agency.example.org.uk',
    )
    .default(''),
  billingAddress: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean)
        .join('\n'),
    )
    .refine((value) => value.length <= 500, 'The address must be 500 characters or fewer'),
  purchaseOrder: z
    .string()
    .trim()
    .max(50, 'The purchase-order number must be 50 characters or fewer')
    .default(''),
  invoiceFrequency: z.enum(INVOICE_FREQUENCIES, { error: 'Choose how often the organisation is invoiced' }),
});

const frequencyItems = (selected: string | undefined) =>
  INVOICE_FREQUENCIES.map((frequency) => ({
    value: frequency,
    text: INVOICE_FREQUENCY_NAMES[frequency],
    checked: frequency === selected,
  }));

const typeItems = (selected: string | undefined) =>
  ORGANISATION_TYPES.map((type) => ({
    value: type,
    text: ORGANISATION_TYPE_NAMES[type],
    checked: type === selected,
  }));

type Params = { organisationId: string };

const DONE: Record<string, string> = {
  saved: 'Organisation saved.',
  confirmed:
    'Organisation confirmed. Delegates can now choose it from the list when they register or change their details.',
  merged:
    'Organisations merged. The other organisation’s delegates now belong to this one, and it has left the list delegates choose from.',
  billing: 'Billing details saved. Drafts take them up when they are issued.',
};

export default async function adminOrganisationRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  const { people } = services;
  const canChange = (request: FastifyRequest) => holds(request.staffSession!.staff.role, 'runProgramme');

  app.get('/admin/organisations', { preHandler: requireStaff('readProgramme') }, async (request, reply) => {
    const raw = (request.query ?? {}) as Record<string, unknown>;
    const typed = typeof raw.type === 'string' ? raw.type : '';
    const type = (ORGANISATION_TYPES as readonly string[]).includes(typed)
      ? (typed as OrganisationType)
      : undefined;
    const errors =
      typed && !type ? formErrors({ type: 'Choose a type of organisation from the list' }) : null;
    const { unconfirmed, confirmed } = await people.organisations(type);
    const row = (o: (typeof confirmed)[number]) => ({
      ...o,
      typeText: ORGANISATION_TYPE_NAMES[o.type],
      addedText: formatDate(new Date(o.created_at)),
    });
    return reply.page(
      'pages/admin/organisations/index.njk',
      {
        pageTitle: 'Organisations',
        typeItems: [
          { value: '', text: 'Any type' },
          ...typeItems(type).map((i) => ({ ...i, selected: i.checked })),
        ],
        type: type ?? null,
        typeText: type ? ORGANISATION_TYPE_NAMES[type] : null,
        errors,
        unconfirmed: unconfirmed.map(row),
        confirmed: confirmed.map(row),
      },
      errors ? 400 : 200,
    );
  });

  async function renderEdit(
    request: FastifyRequest<{ Params: Params }>,
    reply: FastifyReply,
    id: number,
    values?: Record<string, string>,
    error?: FormError,
    billingForm?: { values: Record<string, string>; error: FormError },
  ) {
    const { organisation, delegateCount } = await people.organisation(id);
    const done = (request.query as Record<string, unknown> | undefined)?.done;
    const handlesMoney = holds(request.staffSession!.staff.role, 'handleMoney');
    const billing = handlesMoney ? await services.invoices.billingDetails(id) : null;
    const billingValues: Record<string, string> | null = billing
      ? (billingForm?.values ?? {
          billingContact: billing.billing_contact,
          billingEmail: billing.billing_email,
          billingAddress: billing.billing_address,
          purchaseOrder: billing.purchase_order,
          invoiceFrequency: billing.invoice_frequency,
        })
      : null;
    const fields = { ...(error?.fields ?? {}), ...(billingForm?.error.fields ?? {}) };
    const anyError = Boolean(error ?? billingForm);
    return reply.page(
      'pages/admin/organisations/show.njk',
      {
        pageTitle: organisation.name,
        organisation: {
          ...organisation,
          typeText: ORGANISATION_TYPE_NAMES[organisation.type],
          addedText: formatDate(new Date(organisation.created_at)),
          confirmedText: organisation.confirmed_at ? formatDate(new Date(organisation.confirmed_at)) : null,
        },
        delegateCount,
        canChange: canChange(request) && organisation.merged_into_id === null,
        values: values ?? { name: organisation.name, type: organisation.type },
        typeItems: typeItems(values ? values.type : organisation.type),
        done: !anyError && typeof done === 'string' ? (DONE[done] ?? null) : null,
        errors: anyError ? formErrors(fields, ['name', 'type', ...BILLING_FIELDS]) : null,
        billing: billingValues,
        billingAddressLines: billing ? billing.billing_address.split('\n').filter(Boolean) : [],
        billingFrequencyText: billing ? INVOICE_FREQUENCY_NAMES[billing.invoice_frequency] : null,
        frequencyItems: frequencyItems(billingValues?.invoiceFrequency),
        canChangeBilling: handlesMoney && organisation.merged_into_id === null,
        csrfToken: reply.generateCsrf(),
      },
      anyError ? 400 : 200,
    );
  }

  app.get<{ Params: Params }>(
    '/admin/organisations/:organisationId',
    { preHandler: requireStaff('readProgramme') },
    async (request, reply) =>
      renderEdit(request, reply, idParam(request.params.organisationId, 'organisation')),
  );

  app.post<{ Params: Params }>(
    '/admin/organisations/:organisationId',
    { preHandler: [app.csrfProtection, requireStaff('runProgramme')] },
    async (request, reply) => {
      const id = idParam(request.params.organisationId, 'organisation');
      try {
        const input = parseForm(organisationSchema, request.body);
        const { confirmed } = await people.updateOrganisation(
          id,
          { name: input.name, type: input.type, confirm: input.action === 'confirm' },
          { id: request.staffSession!.staff.id },
        );
        return reply.redirect(`/admin/organisations/${id}?done=${confirmed ? 'confirmed' : 'saved'}`, 303);
      } catch (error) {
        if (!(error instanceof FormError)) throw error;
        return renderEdit(request, reply, id, keepTyped(request.body), error);
      }
    },
  );

  app.post<{ Params: Params }>(
    '/admin/organisations/:organisationId/billing',
    { preHandler: [app.csrfProtection, requireStaff('handleMoney')] },
    async (request, reply) => {
      const id = idParam(request.params.organisationId, 'organisation');
      const typed = keepTyped(request.body);
      try {
        const input = parseForm(billingSchema, request.body);
        await services.invoices.saveBillingDetails(id, input, { id: request.staffSession!.staff.id });
        return reply.redirect(`/admin/organisations/${id}?done=billing#billing`, 303);
      } catch (error) {
        if (!(error instanceof FormError)) throw error;
        return renderEdit(request, reply, id, undefined, undefined, { values: typed, error });
      }
    },
  );

  async function renderMerge(
    reply: FastifyReply,
    id: number,
    values: Record<string, string>,
    error?: FormError,
  ) {
    const { organisation, choices, delegateCount } = await people.organisationMergeChoices(id);
    return reply.page(
      'pages/admin/organisations/merge.njk',
      {
        pageTitle: `Merge ${organisation.name} into another organisation`,
        organisation,
        delegateCount,
        targetItems: [
          { value: '', text: 'Choose an organisation' },
          ...choices.map((c) => ({
            value: String(c.id),
            text: c.name,
            selected: String(c.id) === values.target,
          })),
        ],
        hasChoices: choices.length > 0,
        errors: error ? formErrors(error.fields, ['target']) : null,
        csrfToken: reply.generateCsrf(),
      },
      error ? 400 : 200,
    );
  }

  app.get<{ Params: Params }>(
    '/admin/organisations/:organisationId/merge',
    { preHandler: requireStaff('runProgramme') },
    async (request, reply) => renderMerge(reply, idParam(request.params.organisationId, 'organisation'), {}),
  );

  app.post<{ Params: Params }>(
    '/admin/organisations/:organisationId/merge',
    { preHandler: [app.csrfProtection, requireStaff('runProgramme')] },
    async (request, reply) => {
      const id = idParam(request.params.organisationId, 'organisation');
      try {
        const { target } = parseForm(mergeSchema, request.body);
        const { targetId } = await people.mergeOrganisation(id, target, {
          id: request.staffSession!.staff.id,
        });
        return reply.redirect(`/admin/organisations/${targetId}?done=merged`, 303);
      } catch (error) {
        if (!(error instanceof FormError)) throw error;
        return renderMerge(reply, id, keepTyped(request.body), error);
      }
    },
  );
}
