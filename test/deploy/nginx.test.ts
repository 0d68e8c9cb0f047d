/**
 * deploy/nginx/trellis.conf, run by Debian's nginx in front of two small
 * upstream servers that answer with what they were sent: the headers Trellis
 * relies on (TRUST_PROXY_HOPS=1), /metrics kept from the public, the body
 * limit, compression, the assets from disk, and a POST never sent on to a
 * second process after the first took it. Skipped where nginx is not
 * installed (`apt-get install -y nginx`); `npm run bench:cluster` installs it.
 */
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { adaptTrellisConf, startNginx, type RunningNginx } from '../../bench/cluster/nginx.js';
import { freePort, REPOSITORY_ROOT } from '../../bench/support/processes.js';
import { IN_CI } from '../support/environment.js';

const NGINX_INSTALLED = existsSync('/usr/sbin/nginx');
const BUILT_MANIFEST = join(REPOSITORY_ROOT, 'public', 'build', 'manifest.json');
// Locally a missing nginx is skipped with a notice; in CI (which installs it) it is a failure.
if (!NGINX_INSTALLED && !IN_CI) {
  console.warn(
    'NOTICE: nginx is not installed: the nginx configuration tests are SKIPPED (apt-get install -y nginx)',
  );
}

describe('adaptTrellisConf', () => {
  const conf = `upstream trellis {
    server 127.0.0.1:3001 max_fails=3 fail_timeout=10s;
    server 127.0.0.1:3002 max_fails=3 fail_timeout=10s;
    keepalive 64;
}
server {
    listen 80;
    listen [::]:80;
    location /assets/ { alias /opt/trellis/public/build/; }
}`;

  it('puts the given ports in the upstream, with the same parameters, and listens on the loopback', () => {
    const adapted = adaptTrellisConf(conf, [4001, 4002, 4003], 8080);
    expect(adapted.match(/server 127\.0\.0\.1:\d+ max_fails=3 fail_timeout=10s;/g)).toEqual([
      'server 127.0.0.1:4001 max_fails=3 fail_timeout=10s;',
      'server 127.0.0.1:4002 max_fails=3 fail_timeout=10s;',
      'server 127.0.0.1:4003 max_fails=3 fail_timeout=10s;',
    ]);
    expect(adapted).toContain('keepalive 64;');
    expect(adapted).toContain('listen 127.0.0.1:8080;');
    expect(adapted).not.toContain('[::]');
    expect(adapted).toContain(`alias ${join(REPOSITORY_ROOT, 'public', 'build')}/;`);
  });

  it('refuses a file without what it replaces, rather than testing something else', () => {
    expect(() => adaptTrellisConf(conf.replace(/server 127.*\n/g, ''), [4001], 8080)).toThrow(/upstream/);
    expect(() => adaptTrellisConf(conf.replace('listen 80;', 'listen 81;'), [4001], 8080)).toThrow(/listen/);
  });
});

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  upstream: number;
}

describe.skipIf(!NGINX_INSTALLED && !IN_CI)('deploy/nginx/trellis.conf in front of two processes', () => {
  const seen: Seen[] = [];
  const upstreams: http.Server[] = [];
  let nginx: RunningNginx;
  /** While set, the first upstream drops every POST it is sent without answering, as a process dying would. */
  let firstDropsPosts = false;

  beforeAll(async () => {
    for (const index of [1, 2]) {
      const server = http.createServer((request, response) => {
        request.resume();
        request.on('end', () => {
          seen.push({
            method: request.method!,
            url: request.url!,
            headers: request.headers,
            upstream: index,
          });
          if (index === 1 && firstDropsPosts && request.method === 'POST') {
            request.socket.destroy();
            return;
          }
          response.setHeader('content-type', 'text/html; charset=utf-8');
          response.end(`<p>${'answered by upstream '.repeat(200)}${index}</p>`);
        });
      });
      await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', () => resolveListen()));
      upstreams.push(server);
    }
    const ports = upstreams.map((server) => (server.address() as AddressInfo).port);
    nginx = await startNginx(ports, await freePort());
  });

  afterAll(async () => {
    await nginx?.stop();
    for (const server of upstreams) {
      server.closeAllConnections();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    }
  });

  function lastSeen(url: string): Seen | undefined {
    return seen.filter((request) => request.url === url).at(-1);
  }

  /** A GET with headers fetch() would not send (Host), its body as bytes. */
  async function get(path: string, headers: Record<string, string>) {
    const url = new URL(`${nginx.url}${path}`);
    const response = await new Promise<http.IncomingMessage>((resolveResponse, reject) => {
      http
        .get({ host: url.hostname, port: url.port, path, headers, agent: false })
        .on('response', resolveResponse)
        .on('error', reject);
    });
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    return { status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) };
  }

  it('passes the host, the scheme and the visitor appended to X-Forwarded-For, over keep-alive', async () => {
    const response = await get('/courses?x=1', {
      host: 'training.example.org.uk',
      'x-forwarded-for': '203.0.113.9',
    });
    expect(response.status).toBe(200);
    const request = lastSeen('/courses?x=1')!;
    expect(request.headers.host).toBe('training.example.org.uk');
    expect(request.headers['x-forwarded-proto']).toBe('http');
    // Trellis with TRUST_PROXY_HOPS=1 takes the last entry: nginx's own view of the visitor, not the claim.
    expect(request.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(request.headers.connection).not.toBe('close');
  });

  it('answers /metrics itself with a 404, never asking Trellis', async () => {
    const response = await fetch(`${nginx.url}/metrics`, {
      headers: { authorization: 'Bearer a-token-someone-guessed-0123456789abcdef' },
    });
    expect(response.status).toBe(404);
    expect(lastSeen('/metrics')).toBeUndefined();
  });

  it('refuses a body over 1 MiB before Trellis reads it', async () => {
    const response = await fetch(`${nginx.url}/sessions/1/book`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a='.padEnd(1_048_577, 'x'),
    });
    expect(response.status).toBe(413);
    expect(lastSeen('/sessions/1/book')).toBeUndefined();
  });

  it('compresses text for a browser that accepts it', async () => {
    const response = await get('/pages', { 'accept-encoding': 'gzip' });
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(response.body).toString()).toContain('answered by upstream');
  });

  it.skipIf(!existsSync(BUILT_MANIFEST))(
    'serves the built assets from disk, hashed ones kept a year, gzipped from the build, and brand.css from Trellis',
    async () => {
      const built = JSON.parse(readFileSync(BUILT_MANIFEST, 'utf8')) as Record<string, string>;
      const cssPath = `/assets/${built['trellis.css']}`;
      const css = await get(cssPath, { 'accept-encoding': 'gzip' });
      expect(css.status).toBe(200);
      expect(css.headers['content-type']).toContain('text/css');
      expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(css.headers['content-encoding']).toBe('gzip');
      // The build's own copy, not one nginx made: the same bytes as the file beside it.
      expect(
        css.body.equals(readFileSync(join(REPOSITORY_ROOT, 'public', 'build', `${built['trellis.css']}.gz`))),
      ).toBe(true);
      expect(lastSeen(cssPath)).toBeUndefined();
      // A file under its own name may change in place: a day, not a year.
      const logo = await get('/assets/logo.svg', {});
      expect(logo.status).toBe(200);
      expect(logo.headers['cache-control']).toBe('public, max-age=86400');
      expect((await get('/assets/manifest.json', {})).status).toBe(404);
      await fetch(`${nginx.url}/assets/brand.css`);
      expect(lastSeen('/assets/brand.css')).toBeDefined();
      await fetch(`${nginx.url}/assets/brand/1d4f4a.css`);
      expect(lastSeen('/assets/brand/1d4f4a.css')).toBeDefined();
    },
  );

  it('does not send a booking on to another process once one has taken it', async () => {
    firstDropsPosts = true;
    try {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 6; attempt++) {
        const response = await fetch(`${nginx.url}/sessions/7/book?attempt=${attempt}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'a=1',
        });
        statuses.push(response.status);
      }
      for (let attempt = 0; attempt < 6; attempt++) {
        const sentTo = seen.filter((request) => request.url === `/sessions/7/book?attempt=${attempt}`);
        // Each press reached one process only; the one that dropped it gave the visitor a 502.
        expect(sentTo).toHaveLength(1);
        expect(statuses[attempt]).toBe(sentTo[0]!.upstream === 1 ? 502 : 200);
      }
      expect(statuses).toContain(502);
    } finally {
      firstDropsPosts = false;
    }
  });
});
