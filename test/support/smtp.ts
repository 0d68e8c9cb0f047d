/**
 * A real SMTP server (smtp-server) on 127.0.0.1, in the test's own process,
 * for the tests of email delivery (test/integration/outbox.test.ts,
 * test/integration/faults.test.ts). Trellis's mailer talks real SMTP to it,
 * and what arrives is parsed with mailparser, as a mail client reads it, so
 * a test sees what a delegate would.
 *
 * The faults the outbox must survive are switches on the server: `stop()`
 * (nothing listening: connections refused) and `refuseWith451` (every
 * recipient refused with 451, try again later). It starts again on the
 * same port, where the mailer still points.
 */
import type { AddressInfo } from 'node:net';

import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/** The credentials `url` carries: the mailer authenticates with them, as with a real relay; others are refused. */
const USERNAME = 'trellis';
const PASSWORD = 'secret';

export interface ReceivedMail {
  mail: ParsedMail;
  /** The message as it came over the wire, to check what parsing would hide (say, injected headers). */
  raw: string;
  rcptTo: string[];
}

export class TestSmtpServer {
  received: ReceivedMail[] = [];
  /** While set, every recipient is refused with 451 (try again later). */
  refuseWith451 = false;
  /** SMTP connections opened to it, to see a mailer's pool reuse them. */
  connections = 0;
  /** Fixed by the first start, so the server comes back where the mailer expects it. */
  port = 0;
  private server: SMTPServer | null = null;

  async start(): Promise<void> {
    const server = new SMTPServer({
      logger: false,
      // Plain SMTP on the loopback: no certificates to make, and nothing leaves the machine.
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: true,
      // Stopping drops open connections (a pooled mailer keeps some) at once, as a crash would,
      // instead of waiting 30 seconds for clients to leave.
      closeTimeout: 1,
      onConnect: (_session, callback) => {
        this.connections += 1;
        callback();
      },
      onAuth: (auth, _session, callback) =>
        auth.username === USERNAME && auth.password === PASSWORD
          ? callback(null, { user: USERNAME })
          : callback(new Error('Invalid username or password')),
      onRcptTo: (_address, _session, callback) => {
        if (this.refuseWith451) {
          callback(
            Object.assign(new Error('4.3.0 Mail system busy, try again later'), { responseCode: 451 }),
          );
        } else callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (mail) => {
              this.received.push({
                mail,
                raw: raw.toString('utf8'),
                rcptTo: session.envelope.rcptTo.map((a: SMTPServerAddress) => a.address),
              });
              callback();
            },
            (error: Error) => callback(error),
          );
        });
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

  /** SMTP_URL for the mailer, with the credentials the server accepts. */
  get url(): string {
    if (!this.port) throw new Error('start the server once first, to fix its port');
    return `smtp://${USERNAME}:${PASSWORD}@127.0.0.1:${this.port}`;
  }

  subjects(): string[] {
    return this.received.map((r) => r.mail.subject ?? '');
  }
}
