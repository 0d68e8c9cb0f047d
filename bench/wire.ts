/**
 * Bytes on the wire for a first visit to pages of a running Trellis
 * (`npm run bench:pages` weighs the session page and the catalogue itself):
 *
 *   node --import tsx bench/wire.ts http://127.0.0.1:3000/sessions/2 [more URLs]
 */
import { firstVisit, printFirstVisit } from './support/wire.js';

const urls = process.argv.slice(2);
if (urls.length === 0) {
  console.error('Usage: node --import tsx bench/wire.ts <page URL> [more page URLs]');
  process.exitCode = 2;
}
for (const url of urls) printFirstVisit(url, await firstVisit(url));
