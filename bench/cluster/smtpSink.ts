/**
 * A mail server for `npm run bench:cluster` (smtp-server on 127.0.0.1) that
 * keeps nothing but what the checks need: for every message accepted, its
 * Message-ID and its recipients. Trellis makes each Message-ID from the
 * outbox row (src/services/email/mailer.ts), so a message sent twice arrives twice
 * with the same Message-ID, and one never sent never arrives: the benchmark
 * compares these counts with the outbox.
 *
 * Only the header block is read, not parsed as a whole mail (mailparser): at
 * hundreds of messages a second, in the benchmark's own process, parsing
 * would take time from the load it sends.
 */
import type { AddressInfo } from 'node:net';

import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface Delivery {
  messageId: string;
  recipients: string[];
}

/** The Message-ID header's value from a message's header block, or '' if it has none. */
export function messageIdOf(headerBlock: string): string {
  // Headers may be folded onto the next line (a leading space or tab).
  const unfolded = headerBlock.replace(/\r?\n[ \t]+/g, ' ');
  return /^message-id:\s*(\S+)/im.exec(unfolded)?.[1] ?? '';
}

export class SmtpSink {
  readonly deliveries: Delivery[] = [];
  /** Connections opened to the sink: with pooled sending, far fewer than messages. */
  connections = 0;
  port = 0;
  private server: SMTPServer | null = null;

  async start(): Promise<void> {
    const server = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS', 'AUTH'],
      // Trellis's processes send many at once; the default (100 clients) could refuse some.
      maxClients: 1_000,
      onConnect: (_session, callback) => {
        this.connections += 1;
        callback();
      },
      onData: (stream, session, callback) => {
        let head = '';
        let headDone = false;
        stream.on('data', (chunk: Buffer) => {
          if (headDone) return;
          head += chunk.toString('utf8');
          const end = head.search(/\r?\n\r?\n/);
          if (end >= 0) {
            head = head.slice(0, end);
            headDone = true;
          }
        });
        stream.on('end', () => {
          this.deliveries.push({
            messageId: messageIdOf(head),
            recipients: session.envelope.rcptTo.map((address: SMTPServerAddress) => address.address),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolveListen());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** How many times each Message-ID arrived, and to whom it was addressed. */
  byMessageId(): Map<string, { count: number; recipients: Set<string> }> {
    const counts = new Map<string, { count: number; recipients: Set<string> }>();
    for (const delivery of this.deliveries) {
      const entry = counts.get(delivery.messageId) ?? { count: 0, recipients: new Set<string>() };
      entry.count += 1;
      for (const recipient of delivery.recipients) entry.recipients.add(recipient.toLowerCase());
      counts.set(delivery.messageId, entry);
    }
    return counts;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  }
}
