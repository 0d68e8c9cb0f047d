/**
 * Sessions: the list, scheduling a new one, changing one, cancelling one.
 */
import type { FastifyInstance } from 'fastify';

import type { Services } from '../../../services/index.js';

export default async function adminSessionRoutes(_app: FastifyInstance, _options: { services: Services }) {}
