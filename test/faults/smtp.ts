/**
 * A real SMTP server (smtp-server) on 127.0.0.1 for fault tests: it keeps
 * what it receives, parsed with mailparser as a mail client reads it, and can
 * be stopped and started again on the same port, or told to refuse every
 * recipient with 451 (try again later).
 */
import type { AddressInfo } from 'node:net';

import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface ReceivedMail {
  mail: ParsedMail;
  rcptTo: string[];
}

export class FaultySmtpServer {
  received: ReceivedMail[] = [];
  /** While set, every recipient is refused with 451. */
  refuseWith451 = false;
  /** Fixed by the first start, so the server comes back where the mailer expects it. */
  port = 0;
  private server: SMTPServer | null = null;

  async start(): Promise<void> {
    const server = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS', 'AUTH'],
      onRcptTo: (_address, _session, callback) => {
        if (!this.refuseWith451) return callback();
        callback(Object.assign(new Error('4.3.0 Mail system busy, try again later'), { responseCode: 451 }));
      },
      onData: (stream, session, callback) => {
        simpleParser(stream).then(
          (mail) => {
            this.received.push({
              mail,
              rcptTo: session.envelope.rcptTo.map((a: SMTPServerAddress) => a.address),
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening: connections to the port are refused until `start()`. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get running(): boolean {
    return this.server !== null;
  }

  get url(): string {
    if (!this.port) throw new Error('start the server once first, to fix its port');
    return `smtp://127.0.0.1:${this.port}`;
  }
}
