/**
 * The development mailbox: with no mail server configured, emails stay in
 * the outbox and are read here. Registered only outside production and only
 * when SMTP is not configured, because it shows every email to anyone.
 *
 * An email's HTML is served as its own page under a policy that lets it do
 * nothing but show itself (no scripts, frames, images or requests), rather
 * than framed inside our page, which our own policy forbids.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';

import type { OutboxMessage, OutboxRecords } from '../../../data/repositories/outboxRecords.js';
import { formatShortDate, formatTime } from '../../../domain/time/time.js';
import { NotFoundError } from '../../../errors.js';
import { idParam } from '../public/params.js';

export interface DevMailboxOptions {
  outbox: Pick<OutboxRecords, 'listRecent' | 'find'>;
}

/** The policy an email's HTML is shown under: its own inline styles, nothing else. */
export const EMAIL_HTML_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const LIST_LIMIT = 50;

// Long addresses and lines of the text version wrap instead of widening the page.
const STYLES = `.trellis-mailbox__text { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 1rem; line-height: 1.5; margin: 0 0 30px; padding: 15px; border: 1px solid #b1b4b6; background: #f3f2f1; }
.trellis-mailbox__wrap { overflow-wrap: anywhere; }
`;

export default async function devMailboxRoutes(app: FastifyInstance, { outbox }: DevMailboxOptions) {
  app.get('/dev/mailbox', async (_request, reply) => {
    const messages = await outbox.listRecent(LIST_LIMIT);
    return privately(reply).page('pages/dev/mailbox.njk', {
      pageTitle: 'Development mailbox',
      messages: messages.map(summary),
      limit: LIST_LIMIT,
    });
  });

  app.get('/dev/mailbox/styles.css', async (_request, reply) =>
    privately(reply).type('text/css; charset=utf-8').send(STYLES),
  );

  app.get<{ Params: { id: string } }>('/dev/mailbox/:id', async (request, reply) => {
    const message = await find(outbox, request.params.id);
    return privately(reply).page('pages/dev/message.njk', {
      pageTitle: `Email: ${message.subject}`,
      message: {
        ...summary(message),
        rows: detailRows(message),
        text: message.text,
        attachments: message.attachments.map((attachment, index) => ({
          href: `/dev/mailbox/${message.id}/attachments/${index + 1}`,
          filename: attachment.filename,
          contentType: attachment.contentType.split(';')[0],
          size: formatSize(
            Buffer.byteLength(attachment.content, attachment.encoding === 'base64' ? 'base64' : 'utf8'),
          ),
        })),
      },
    });
  });

  app.get<{ Params: { id: string } }>('/dev/mailbox/:id/html', async (request, reply) => {
    const message = await find(outbox, request.params.id);
    return privately(reply)
      .header('Content-Security-Policy', EMAIL_HTML_CSP)
      .type('text/html; charset=utf-8')
      .send(message.html);
  });

  app.get<{ Params: { id: string; index: string } }>(
    '/dev/mailbox/:id/attachments/:index',
    async (request, reply) => {
      const message = await find(outbox, request.params.id);
      const attachment = message.attachments[idParam(request.params.index, 'attachment') - 1];
      if (!attachment) throw new NotFoundError('attachment');
      const filename = attachment.filename.replace(/[^A-Za-z0-9._-]+/g, '-') || 'attachment';
      // Downloaded, never shown inline: an attachment is not our page.
      return privately(reply)
        .type(
          /^text\/calendar\b/.test(attachment.contentType)
            ? 'text/calendar; charset=utf-8'
            : 'application/octet-stream',
        )
        .header('Content-Disposition', `attachment; filename="${filename}"`)
        .send(Buffer.from(attachment.content, attachment.encoding === 'base64' ? 'base64' : 'utf8'));
    },
  );
}

function privately(reply: FastifyReply): FastifyReply {
  return reply.header('Cache-Control', 'no-store').header('X-Robots-Tag', 'noindex');
}

async function find(outbox: DevMailboxOptions['outbox'], id: string): Promise<OutboxMessage> {
  const message = await outbox.find(idParam(id, 'email'));
  if (!message) throw new NotFoundError('email');
  return message;
}

function summary(message: OutboxMessage) {
  return {
    id: message.id,
    href: `/dev/mailbox/${message.id}`,
    to: message.to.name ? `${message.to.name} <${message.to.address}>` : message.to.address,
    subject: message.subject,
    kind: message.kind,
    created: `${formatShortDate(message.createdAt)}, ${formatTime(message.createdAt)}`,
    createdIso: message.createdAt.toISOString(),
    attempts: message.attempts,
    state: state(message),
  };
}

/** The GOV.UK summary list rows describing a message. */
function detailRows(message: OutboxMessage) {
  const { to, kind, created, attempts, state: status } = summary(message);
  const rows: [string, string][] = [
    ['To', to],
    ['Kind', kind],
    ['Created', created],
    ['Status', status.text],
    ['Attempts', String(attempts)],
  ];
  if (message.lastError) rows.push(['Last error', message.lastError]);
  if (message.bookingId !== null) rows.push(['Booking', String(message.bookingId)]);
  return rows.map(([key, value]) => ({ key: { text: key }, value: { text: value } }));
}

function state(message: OutboxMessage): { text: string; colour: string } {
  if (message.sentAt) return { text: 'Sent', colour: 'green' };
  if (message.lastError) return { text: 'Failed, will retry', colour: 'red' };
  return { text: 'Waiting', colour: 'grey' };
}

function formatSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : `${Math.round(bytes / 1024)} KB`;
}
