/**
 * Sends a CSV file (written by formats/csv.ts) as a download.
 */
import type { Readable } from 'node:stream';

import type { FastifyReply } from 'fastify';

import { safeFilename } from '../../formats/csv.js';

/**
 * Sends a CSV download named from `nameParts` (made safe): never cached,
 * always saved as a file rather than shown.
 */
export function sendCsv(reply: FastifyReply, nameParts: readonly string[], body: Readable): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('Content-Disposition', `attachment; filename="${safeFilename(nameParts)}"`)
    .header('Cache-Control', 'no-store')
    .header('X-Content-Type-Options', 'nosniff')
    .send(body);
}
