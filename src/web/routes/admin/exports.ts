/**
 * CSV exports: a session's register and bookings over a date range.
 */
import type { FastifyInstance } from 'fastify';

import type { Services } from '../../../services/index.js';

export default async function adminExportRoutes(_app: FastifyInstance, _options: { services: Services }) {}
