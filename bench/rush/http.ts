/**
 * HTTP/1.1 for the booking rushes: a client over a fixed number of keep-alive
 * connections (undici's Pool; no redirects followed, no cookie jar), a pool
 * that keeps a fixed number of requests in flight, and percentiles. The fault
 * tests' rush, which kills the server mid-way, sends its requests one
 * connection each through `sendRequest` (node:http; test/faults/http.ts).
 *
 * Why undici for the rush: the load generator runs on the same two cores as
 * Trellis, so its own processor time per request comes out of Trellis's, and
 * undici's client (llhttp, compiled to WebAssembly) uses less of it than
 * node:http's. See docs/PERFORMANCE.md.
 */
import http from 'node:http';

import { Pool } from 'undici';

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

/**
 * One request, its whole reply read. `agent: false` sends it on a connection
 * of its own, closed afterwards, so a server killed mid-request fails only
 * the requests it had (the fault tests, test/faults/http.ts).
 */
export function sendRequest(
  server: URL,
  method: 'GET' | 'POST',
  path: string,
  agent: http.Agent | false,
  options: RequestOptions = {},
): Promise<HttpReply> {
  return new Promise((resolveReply, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const request = http.request(
      { host: server.hostname, port: server.port, method, path, headers, agent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolveReply({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    request.setTimeout(options.timeoutMs ?? 30_000, () =>
      request.destroy(new Error(`${method} ${path} timed out`)),
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

export interface HttpClient {
  request(method: 'GET' | 'POST', path: string, options?: RequestOptions): Promise<HttpReply>;
  close(): void;
}

/**
 * Requests over up to `connections` keep-alive connections, one request at a
 * time on each (no pipelining), as browsers keep their connections open.
 */
export function createHttpClient(baseUrl: string, connections: number): HttpClient {
  const pool = new Pool(baseUrl, { connections, pipelining: 1 });
  return {
    async request(method, path, options = {}) {
      const timeout = options.timeoutMs ?? 30_000;
      const response = await pool.request({
        method,
        path,
        headers: options.headers,
        body: options.body,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      return {
        status: response.statusCode,
        headers: response.headers as http.IncomingHttpHeaders,
        body: await response.body.text(),
      };
    },
    close() {
      // Called again in `finally` blocks: a pool already destroyed says so, harmlessly.
      pool.destroy().catch(() => undefined);
    },
  };
}

/** One GET on a connection of its own (closed afterwards); resolves with the status. */
export function getOnNewConnection(baseUrl: string, path: string, timeoutMs: number): Promise<number> {
  const url = new URL(baseUrl);
  return new Promise((resolveStatus, reject) => {
    const request = http.get({ host: url.hostname, port: url.port, path, agent: false }, (response) => {
      response.resume();
      response.on('error', reject);
      response.on('end', () => resolveStatus(response.statusCode ?? 0));
    });
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`GET ${path} timed out`)));
    request.on('error', reject);
  });
}

/** `name=value` of the cookie `name` from a reply's Set-Cookie headers, if set. */
export function setCookie(reply: HttpReply, name: string): string | undefined {
  // One cookie may come as a string rather than a list (undici).
  for (const header of [reply.headers['set-cookie'] ?? []].flat()) {
    const pair = header.split(';', 1)[0] ?? '';
    if (pair.startsWith(`${name}=`)) return pair;
  }
  return undefined;
}

/** Runs `work` on every item with at most `concurrency` running at once; results in item order. */
export async function inPool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, () => worker()));
  return results;
}

/** The nearest-rank percentile (0–100) of `values`, or NaN if empty. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}
