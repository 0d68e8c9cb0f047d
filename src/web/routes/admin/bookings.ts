/**
 * A session's bookings and what staff do with them: book on behalf, move, substitute, cancel, promote.
 */
import type { FastifyInstance } from 'fastify';

import type { Services } from '../../../services/index.js';

export default async function adminBookingRoutes(_app: FastifyInstance, _options: { services: Services }) {}
