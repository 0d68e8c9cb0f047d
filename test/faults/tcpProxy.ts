/**
 * A TCP proxy between Trellis and its database that a test can break in the
 * two ways a database goes away: `refuse()` (it is down: connections are cut
 * and new ones refused) and `hang()` (it, or the network to it, stops
 * answering: connections stay open and accepted, but nothing passes either
 * way). `restore()` undoes either; what a hang held back is then delivered,
 * as when a stalled database carries on.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  /** Data held back while hung, in the order it arrived, with where it was going. */
  private held: Array<{ to: Socket; chunk: Buffer }> = [];
  private hung = false;
  private listening = false;

  private readonly server: Server;
  private boundPort = 0;

  private constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => this.accept(client));
  }

  /** Where Trellis should connect instead of the database. */
  get port(): number {
    return this.boundPort;
  }

  /** Listens on a free loopback port, passing everything to `target`. */
  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await proxy.listen(0);
    return proxy;
  }

  /** The database is down: every connection cut, new ones refused. */
  async refuse(): Promise<void> {
    this.hung = false;
    this.held = [];
    const closed = this.listening
      ? new Promise<void>((resolve) => this.server.close(() => resolve()))
      : Promise.resolve();
    this.listening = false;
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** The database stops answering: connections stay open, new ones are accepted, nothing passes. */
  hang(): void {
    this.hung = true;
  }

  /** The database is back: listening again on the same port, and anything held back delivered. */
  async restore(): Promise<void> {
    this.hung = false;
    for (const { to, chunk } of this.held) if (!to.destroyed) to.write(chunk);
    this.held = [];
    if (!this.listening) await this.listen(this.boundPort);
  }

  private async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        const address = this.server.address();
        this.boundPort = address && typeof address === 'object' ? address.port : port;
        resolve();
      });
    });
    this.listening = true;
  }

  async close(): Promise<void> {
    await this.refuse();
  }

  private accept(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(from);
      from.on('data', (chunk: Buffer) => {
        if (this.hung) this.held.push({ to, chunk });
        else to.write(chunk);
      });
      // One side gone: the other goes too, as a real connection would.
      from.on('close', () => {
        this.sockets.delete(from);
        to.destroy();
      });
      from.on('error', () => from.destroy());
    }
  }
}
