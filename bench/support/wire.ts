/**
 * Bytes on the wire for a first visit to a page, as a browser with nothing
 * cached gets it: the HTML, then every stylesheet and script it links to,
 * each asked for with `Accept-Encoding: br, gzip` as browsers ask. Bodies
 * are counted as they arrive (compressed, when the server compresses),
 * response headers apart. Images and the favicon are left out: the page
 * shows without them. Scripts' own imports are followed, as a browser
 * follows them.
 */
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

export interface WireResource {
  url: string;
  /** Body bytes as sent. */
  bytes: number;
  /** Response header bytes (status line and headers). */
  headerBytes: number;
  encoding: string;
  cacheControl: string;
}

export interface FirstVisit {
  resources: WireResource[];
  /** The bodies of the HTML, CSS and scripts, as sent. */
  bodyBytes: number;
  /** The same with their response headers. */
  totalBytes: number;
}

function get(url: string): Promise<{ resource: WireResource; body: Buffer }> {
  return new Promise((resolveGet, reject) => {
    const outgoing = request(url, { headers: { 'accept-encoding': 'br, gzip' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        if (response.statusCode !== 200) {
          reject(new Error(`GET ${url} gave ${response.statusCode}`));
          return;
        }
        const body = Buffer.concat(chunks);
        let headerBytes = `HTTP/1.1 ${response.statusCode} ${response.statusMessage}\r\n`.length + 2;
        for (let i = 0; i < response.rawHeaders.length; i += 2) {
          headerBytes += `${response.rawHeaders[i]}: ${response.rawHeaders[i + 1]}\r\n`.length;
        }
        resolveGet({
          body,
          resource: {
            url,
            bytes: body.length,
            headerBytes,
            encoding: String(response.headers['content-encoding'] ?? 'none'),
            cacheControl: String(response.headers['cache-control'] ?? ''),
          },
        });
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.setTimeout(10_000, () => outgoing.destroy(new Error(`GET ${url} timed out`)));
    outgoing.end();
  });
}

/** The stylesheets and scripts a page's HTML links to, as absolute URLs. */
export function linkedAssets(html: string, pageUrl: string): string[] {
  const found = [
    ...[...html.matchAll(/<link\b[^>]*\brel="stylesheet"[^>]*>/g)].map(
      (m) => /\bhref="([^"]+)"/.exec(m[0])?.[1],
    ),
    ...[...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*>/g)].map((m) => m[1]),
  ];
  return found
    .filter((href): href is string => Boolean(href))
    .map((href) => new URL(href, pageUrl).toString());
}

/** The modules a script imports by relative address (a browser fetches them before running it). */
export function importedModules(script: string, scriptUrl: string): string[] {
  return [...script.matchAll(/\b(?:import|from)\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) =>
    new URL(m[1]!, scriptUrl).toString(),
  );
}

export async function firstVisit(pageUrl: string): Promise<FirstVisit> {
  const page = await get(pageUrl);
  const html = decoded(page.body, page.resource.encoding);
  const fetched = new Set<string>();
  const assets: WireResource[] = [];
  const fetchAll = async (urls: string[]): Promise<void> => {
    const fresh = urls.filter((url) => !fetched.has(url));
    for (const url of fresh) fetched.add(url);
    const got = await Promise.all(fresh.map((url) => get(url)));
    for (const { resource } of got) assets.push(resource);
    const imports = got
      .filter(({ resource }) => /\.m?js$/.test(new URL(resource.url).pathname))
      .flatMap(({ resource, body }) => importedModules(decoded(body, resource.encoding), resource.url));
    if (imports.length) await fetchAll(imports);
  };
  await fetchAll(linkedAssets(html, pageUrl));
  const resources = [page.resource, ...assets];
  const bodyBytes = resources.reduce((sum, resource) => sum + resource.bytes, 0);
  return {
    resources,
    bodyBytes,
    totalBytes: bodyBytes + resources.reduce((sum, resource) => sum + resource.headerBytes, 0),
  };
}

function decoded(body: Buffer, encoding: string): string {
  if (encoding === 'br') return brotliDecompressSync(body).toString('utf8');
  if (encoding === 'gzip') return gunzipSync(body).toString('utf8');
  return body.toString('utf8');
}

/** A table of what a first visit fetched, and the sums. */
export function printFirstVisit(title: string, visit: FirstVisit): void {
  console.log(`  ${title}`);
  for (const resource of visit.resources) {
    const path = new URL(resource.url).pathname;
    console.log(
      `    ${(resource.bytes / 1024).toFixed(1).padStart(6)} KiB  ${resource.encoding.padEnd(5)} ${path}` +
        (resource.cacheControl ? `  (${resource.cacheControl})` : ''),
    );
  }
  console.log(
    `    ${(visit.bodyBytes / 1024).toFixed(1).padStart(6)} KiB  in all (bodies as sent); ` +
      `${(visit.totalBytes / 1024).toFixed(1)} KiB with response headers`,
  );
}
