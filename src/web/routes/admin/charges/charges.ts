/**
 * The coordinators' review of proposed charges (`handleMoney`): nothing is
 * charged until a person has looked at it here.
 *
 *   GET   /admin/charges           the queue, oldest first, filtered by state
 *   POST  /admin/charges/decide    one charge: confirm, reduce or waive
 *   POST  /admin/charges/bulk      several at once: confirm, or waive with one reason
 *
 * The charge is named in the form (not the path), with the state and the
 * proposed amount the coordinator saw it with, so a stale page, a corrected
 * register or a second click is a 409 that says so, never a second decision.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { ConflictError, FormError } from '../../../../errors.js';
import { isQueueFilter, type QueueFilter } from '../../../../services/charges/chargeReview.js';
import type { Services } from '../../../../services/index.js';
import { formBody, formErrors, isShownOnForm, keepTyped } from '../../../forms.js';
import { requireStaff } from '../auth.js';

const STATE_FILTERS: { value: QueueFilter; text: string }[] = [
  { value: 'proposed', text: 'Waiting for review' },
  { value: 'confirmed', text: 'Confirmed' },
  { value: 'waived', text: 'Waived' },
  { value: 'withdrawn', text: 'Withdrawn' },
  { value: 'all', text: 'Everything but withdrawn' },
];

function filterOf(value: unknown): QueueFilter {
  return isQueueFilter(value) ? value : 'proposed';
}

function pageOf(value: unknown): number {
  return typeof value === 'string' && /^[1-9]\d{0,5}$/.test(value) ? Number(value) : 1;
}

/** A charge's id from a form: anything else is no charge (the service says 404). */
function idOf(value: unknown): number {
  return typeof value === 'string' && /^[1-9]\d{0,8}$/.test(value) ? Number(value) : 0;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export default async function adminChargeRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { chargeReview } = services;
  const changes = { preHandler: [app.csrfProtection, requireStaff('handleMoney')] };

  async function renderQueue(
    request: FastifyRequest,
    reply: FastifyReply,
    filter: QueueFilter,
    page: number,
    options: { values?: Record<string, string>; error?: FormError | ConflictError; chosen?: string[] } = {},
  ) {
    const queue = await chargeReview.queue(filter, page);
    const query = request.query as Record<string, string | undefined>;
    const { error } = options;
    // Field messages in the order the page shows them.
    const order = queue.charges.flatMap((c) => [`amount-${c.id}`, `waiverReason-${c.id}`, `note-${c.id}`]);
    return reply.page(
      'pages/admin/charges/queue.njk',
      {
        pageTitle: 'Charges to review',
        filter,
        filters: STATE_FILTERS.map((f) => ({ ...f, selected: f.value === filter })),
        ...queue,
        anyDecidable: queue.charges.some((c) => c.decidable),
        page,
        values: options.values ?? {},
        chosen: options.chosen ?? [],
        errors:
          error instanceof FormError
            ? formErrors(error.fields, ['charges', 'waiverReason', 'note', ...order])
            : null,
        problem: error instanceof ConflictError ? error.message : null,
        decided: /^\d{1,4}$/.test(query.decided ?? '') ? Number(query.decided) : null,
        csrfToken: reply.generateCsrf(),
      },
      error ? (error instanceof ConflictError ? 409 : 400) : 200,
    );
  }

  app.get('/admin/charges', { preHandler: requireStaff('handleMoney') }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    return renderQueue(request, reply, filterOf(query.state), pageOf(query.page));
  });

  app.post('/admin/charges/decide', changes, async (request, reply) => {
    const body = formBody(request);
    const filter = filterOf(body.state);
    const action = text(body.action);
    const chargeId = idOf(body.chargeId);
    try {
      await chargeReview.decide(request.staffSession!.staff.id, {
        chargeId,
        seen: text(body.seen),
        seenProposed: text(body.seenProposed),
        action: action === 'reduce' || action === 'waive' ? action : 'confirm',
        amount: text(body[`amount-${chargeId}`]),
        waiverReason: text(body[`waiverReason-${chargeId}`]),
        note: text(body[`note-${chargeId}`]),
      });
    } catch (error) {
      if (!isShownOnForm(error)) throw error;
      return renderQueue(request, reply, filter, 1, { values: keepTyped(body), error });
    }
    return reply.redirect(`/admin/charges?state=${filter}&decided=1`, 303);
  });

  app.post('/admin/charges/bulk', changes, async (request, reply) => {
    const body = formBody(request);
    const filter = filterOf(body.state);
    const chosen = [body.charge].flat().filter((v): v is string => typeof v === 'string');
    const charges = chosen.map((value) => {
      const [id, seen, seenProposed] = value.split(':');
      return { chargeId: idOf(id), seen: seen ?? '', seenProposed: seenProposed ?? '' };
    });
    try {
      const count = await chargeReview.decideMany(request.staffSession!.staff.id, {
        charges,
        action: text(body.bulkAction) === 'waive' ? 'waive' : 'confirm',
        waiverReason: text(body.waiverReason),
        note: text(body.note),
      });
      return reply.redirect(`/admin/charges?state=${filter}&decided=${count}`, 303);
    } catch (error) {
      if (!isShownOnForm(error)) throw error;
      return renderQueue(request, reply, filter, 1, { values: keepTyped(body), error, chosen });
    }
  });
}
