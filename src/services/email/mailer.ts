/**
 * Hands an email from the outbox to the world. Two kinds: SMTP (nodemailer)
 * for real mail, and the development mailbox, which sends nothing because
 * the outbox row is itself the mailbox (see web/routes/dev/mailbox.ts).
 *
 * Every message carries a Message-ID made from its outbox row, so if a
 * sender crashes after the SMTP server accepted a message but before the
 * outbox recorded it, the resend is recognisably the same email.
 */
import nodemailer from 'nodemailer';

import { safeErrorText, type OutboxMessage } from '../../data/repositories/outboxRecords.js';

/** What a mailer needs of an outbox message. */
export type OutgoingEmail = Pick<
  OutboxMessage,
  'id' | 'createdAt' | 'to' | 'subject' | 'text' | 'html' | 'attachments'
>;

export interface Mailer {
  send(message: OutgoingEmail): Promise<{ messageId: string }>;
  /** Closes connections; nothing is sent afterwards. */
  close(): Promise<void>;
}

export interface MailAddress {
  address: string;
  name: string;
}

/** An address, or where to read it when sending (the hub's name can change in settings). */
export type AddressSource = MailAddress | (() => MailAddress | Promise<MailAddress>);

export interface SmtpMailerOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. */
  url: string;
  from: AddressSource;
  /** Where replies go, e.g. the hub's contact address. */
  replyTo?: AddressSource;
  /** The right-hand side of Message-IDs; the from address's domain unless given. */
  messageIdDomain?: string;
  /**
   * Milliseconds to wait for a connection, the greeting and each reply. Kept
   * well inside the outbox lease, so a hung server cannot outlast it.
   */
  timeoutMs?: number;
  /**
   * SMTP connections kept open and reused (nodemailer's pool), so a message
   * costs one SMTP transaction rather than a connection, greeting, STARTTLS
   * and sign-in of its own. `null` opens one connection per message: only
   * for measuring what the pool saves (bench/emailRate.ts).
   */
  poolSize?: number | null;
}

/**
 * Messages sent over one pooled connection before it is closed and a fresh
 * one opened (nodemailer's own default, written down here): some relays
 * limit the messages per connection, and a connection renewed now and then
 * lets a relay behind a load balancer spread the work again.
 */
export const MESSAGES_PER_CONNECTION = 100;

/** Sends through an SMTP server, over a pool of connections unless `poolSize` is null. */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const timeout = options.timeoutMs ?? 30_000;
  const poolSize = options.poolSize === undefined ? 5 : options.poolSize;
  const shared = {
    url: options.url,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    // Attachments are stored content; never let one name a file or URL to fetch.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  const transport =
    poolSize === null
      ? nodemailer.createTransport(shared)
      : nodemailer.createTransport({
          ...shared,
          pool: true,
          maxConnections: poolSize,
          maxMessages: MESSAGES_PER_CONNECTION,
        });
  return {
    async send(message) {
      const from = await headerAddress(options.from);
      const replyTo = options.replyTo && (await headerAddress(options.replyTo));
      const messageId = messageIdFor(message, options.messageIdDomain ?? domainOf(from.address));
      await transport.sendMail({
        messageId,
        from,
        ...(replyTo ? { replyTo } : {}),
        to: { name: headerText(message.to.name), address: checkedAddress(message.to.address) },
        subject: headerText(message.subject),
        text: message.text,
        html: message.html,
        attachments: message.attachments.map((attachment) => ({
          filename: headerText(attachment.filename),
          contentType: attachment.contentType,
          content: attachment.content,
          ...(attachment.encoding ? { encoding: attachment.encoding } : {}),
        })),
        // An automatic message (RFC 3834): out-of-office replies should not answer it.
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
      return { messageId };
    },
    async close() {
      // A pool closes its idle connections at once; one in the middle of a
      // message finishes it first (the sender has waited for its sends anyway).
      transport.close();
    },
  };
}

async function headerAddress(source: AddressSource): Promise<MailAddress> {
  const { name, address } = typeof source === 'function' ? await source() : source;
  return { name: headerText(name), address: checkedAddress(address) };
}

/**
 * Sends nothing: in development the outbox is the mailbox, read at
 * /dev/mailbox. Messages are marked sent so the outbox stays quiet.
 */
export function createDevelopmentMailbox(options: { messageIdDomain?: string } = {}): Mailer {
  const domain = options.messageIdDomain ?? 'trellis.invalid';
  return {
    async send(message) {
      return { messageId: messageIdFor(message, domain) };
    },
    async close() {},
  };
}

/**
 * `<trellis-outbox-42-mk3x9q1c@training.example.org.uk>`: the row's id and
 * creation time, so retries of one row share it and a database started
 * afresh (ids from 1 again) does not reuse an old one, which some mail
 * services would take as a duplicate and drop.
 */
export function messageIdFor(message: Pick<OutgoingEmail, 'id' | 'createdAt'>, domain: string): string {
  return `<trellis-outbox-${message.id}-${message.createdAt.getTime().toString(36)}@${domain}>`;
}

/**
 * Text for a header (a display name, a subject): line breaks and other
 * control characters become spaces, so nothing can start a header of its
 * own. Nodemailer encodes whatever else needs it.
 */
export function headerText(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}

export class InvalidAddressError extends Error {
  override name = 'InvalidAddressError';
}

/** An address must be one plain `local@domain`: no spaces, brackets or line breaks. */
function checkedAddress(address: string): string {
  // The message does not repeat the address: errors end up in logs and the outbox.
  if (!/^[^\s<>()[\]\\,;:"@]+@[^\s<>()[\]\\,;:"@]+\.[^\s<>()[\]\\,;:"@]+$/.test(address)) {
    throw new InvalidAddressError('The email address is not one that can be sent to');
  }
  return address;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1) || 'trellis.invalid';
}

/**
 * A short account of why sending failed, for the outbox and the logs: the
 * error code and the SMTP reply, without addresses or message content.
 */
export function describeSendError(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const details = error as Error & { code?: unknown; responseCode?: unknown; response?: unknown };
  const parts: string[] = [];
  if (typeof details.code === 'string') parts.push(details.code);
  else parts.push(error.name);
  if (typeof details.responseCode === 'number') parts.push(String(details.responseCode));
  const words = typeof details.response === 'string' ? details.response : error.message;
  return safeErrorText(`${parts.join(' ')}: ${words}`);
}
